import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { ChaincodeError } from '../shared/errors';
import { SHARE_DENOMINATOR_MAX, add, fractionSchema, fractionText, subtract, type Fraction } from '../shared/fraction';
import { emitEvent, readExisting, writeRecord } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { parseJsonArgument, validate } from '../shared/validation';
import { verifyCitizenSignature } from '../identity/citizen-signature';
import { didSchema } from '../identity/did';
import { OFFER_OBJECT_TYPE, byDid, cadastralIdSchema, documentHashSchema, offerSchema, type Offer, type Owner, type Parcel } from './parcel';
import { requireActive } from './encumbrances';
import { requireLenderConsents } from './lender-consent';
import { loadParcel, requireActiveDids, requireHolding, saveParcel } from './parcels';

/**
 * A title transfer needs three parties (seeds 001, 004): the seller offers a share
 * (signed `land:OfferTransfer`), the buyer accepts (signed `land:AcceptOffer`), and a
 * registrar approves. The offer names the parcel version it was made on; any change
 * to the parcel before approval voids it.
 */
const offerPayloadSchema = z
  .object({
    cadastralId: cadastralIdSchema,
    parcelVersion: z.number().int().positive(),
    share: fractionSchema,
    buyer: didSchema,
    priceCents: z.number().int().nonnegative('must be a whole, non-negative number of cents'),
    deedHash: documentHashSchema,
  })
  .loose();
const offerRefSchema = z.object({ cadastralId: cadastralIdSchema, offerId: z.string().min(1) }).loose();

function offerKey(ctx: Context, cadastralId: string, offerId: string): string {
  return ctx.stub.createCompositeKey(OFFER_OBJECT_TYPE, [cadastralId, offerId]);
}

export async function loadOffer(ctx: Context, cadastralId: string, offerId: string): Promise<Offer> {
  return readExisting(ctx, offerKey(ctx, cadastralId, offerId), offerSchema, `offer ${offerId} on parcel ${cadastralId}`);
}

function requireTransferable(parcel: Parcel, version: number): void {
  requireActive(parcel);
  if (parcel.version !== version) {
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      `parcel ${parcel.cadastralId} changed since the offer (version ${version}, now ${parcel.version}); the offer is void`,
    );
  }
}

async function saveOffer(ctx: Context, offer: Offer, event: string): Promise<Offer> {
  await writeRecord(ctx, offerKey(ctx, offer.cadastralId, offer.offerId), offerSchema, offer);
  emitEvent(ctx, event, { cadastralId: offer.cadastralId, offerId: offer.offerId, status: offer.status });
  return offer;
}

/** Body of `land:OfferTransfer`: the seller's signed offer; its id is this transaction's id. */
export async function offerTransfer(ctx: Context, request: string): Promise<Offer> {
  const payload = await verifyCitizenSignature(ctx, parseJsonArgument(z.unknown(), request, 'request'), 'land:OfferTransfer', 'request');
  const p = validate(offerPayloadSchema, payload, 'request.payload');
  const parcel = await loadParcel(ctx, p.cadastralId);
  requireTransferable(parcel, p.parcelVersion);
  requireHolding(parcel, payload.did, p.share, 'request.payload.share');
  if (p.buyer === payload.did) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'request.payload.buyer must differ from the seller');
  }
  await requireActiveDids(ctx, [p.buyer]);
  ownersAfterSale(parcel, { seller: payload.did, buyer: p.buyer, share: p.share });
  const now = txTimestamp(ctx);
  const offer: Offer = {
    offerId: ctx.stub.getTxID(),
    cadastralId: p.cadastralId,
    parcelVersion: p.parcelVersion,
    seller: payload.did,
    buyer: p.buyer,
    share: p.share,
    priceCents: p.priceCents,
    deedHash: p.deedHash,
    status: 'offered',
    created: now,
    updated: now,
  };
  return saveOffer(ctx, offer, 'land.TransferOffered');
}

/** Body of `land:AcceptOffer`: the buyer's signed acceptance. */
export async function acceptOffer(ctx: Context, request: string): Promise<Offer> {
  const payload = await verifyCitizenSignature(ctx, parseJsonArgument(z.unknown(), request, 'request'), 'land:AcceptOffer', 'request');
  const ref = validate(offerRefSchema, payload, 'request.payload');
  const offer = await loadOffer(ctx, ref.cadastralId, ref.offerId);
  if (offer.buyer !== payload.did) {
    throw new ChaincodeError('FORBIDDEN', `only the buyer named in offer ${offer.offerId} may accept it`);
  }
  if (offer.status !== 'offered') {
    throw new ChaincodeError('FAILED_PRECONDITION', `offer ${offer.offerId} is ${offer.status}`);
  }
  requireTransferable(await loadParcel(ctx, offer.cadastralId), offer.parcelVersion);
  return saveOffer(ctx, { ...offer, status: 'accepted', updated: txTimestamp(ctx) }, 'land.TransferAccepted');
}

/** Body of `land:WithdrawOffer`: the seller's signed withdrawal of an offer not yet approved. */
export async function withdrawOffer(ctx: Context, request: string): Promise<Offer> {
  const payload = await verifyCitizenSignature(ctx, parseJsonArgument(z.unknown(), request, 'request'), 'land:WithdrawOffer', 'request');
  const ref = validate(offerRefSchema, payload, 'request.payload');
  const offer = await loadOffer(ctx, ref.cadastralId, ref.offerId);
  if (offer.seller !== payload.did) {
    throw new ChaincodeError('FORBIDDEN', `only the seller of offer ${offer.offerId} may withdraw it`);
  }
  if (offer.status === 'approved' || offer.status === 'withdrawn') {
    throw new ChaincodeError('FAILED_PRECONDITION', `offer ${offer.offerId} is ${offer.status}`);
  }
  return saveOffer(ctx, { ...offer, status: 'withdrawn', updated: txTimestamp(ctx) }, 'land.TransferWithdrawn');
}

/** The owners after `seller` passes `share` to `buyer`; shares reduced, sorted by DID. */
function transferShare(owners: readonly Owner[], sale: Sale): Owner[] {
  const next: Owner[] = [];
  for (const o of owners) {
    if (o.did === sale.seller) {
      const rest = subtract(o.share, sale.share);
      if (rest.num > 0) {
        next.push({ did: o.did, share: rest });
      }
    } else if (o.did !== sale.buyer) {
      next.push(o);
    }
  }
  const bought = owners.find((o) => o.did === sale.buyer);
  next.push({ did: sale.buyer, share: bought === undefined ? sale.share : add(bought.share, sale.share) });
  return next.sort(byDid);
}

/** Who passes which share to whom. */
interface Sale {
  readonly seller: string;
  readonly buyer: string;
  readonly share: Fraction;
}

/**
 * The owners after a sale, refused up front when the seller's remaining share or the buyer's
 * combined share could not be stored: adding or subtracting fractions multiplies denominators,
 * and a share's denominator is limited ({@link fractionSchema}), so two fine shares can sum to
 * one no parcel may hold (1/999983 + 1/999979 = 1999962/999962000357). Checked when the offer
 * is made and again when it is approved.
 *
 * @throws `FAILED_PRECONDITION` naming the parcel, seller, buyer, share and each out-of-range result
 */
function ownersAfterSale(parcel: Parcel, sale: Sale): Owner[] {
  const owners = transferShare(parcel.owners, sale);
  const broken = owners.filter((o) => !fractionSchema.safeParse(o.share).success);
  if (broken.length > 0) {
    const results = broken.map((o) => `${o.did === sale.buyer ? 'buyer' : 'seller'} ${o.did} with ${fractionText(o.share)}`).join(' and ');
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      `parcel ${parcel.cadastralId}: ${sale.seller} passing ${fractionText(sale.share)} to ${sale.buyer} would leave the ${results}, ` +
        `finer than a share may be (denominator at most ${String(SHARE_DENOMINATOR_MAX)}); the transfer is refused`,
    );
  }
  return owners;
}

/** Body of `land:ApproveTransfer`: the registrar's approval applies an accepted offer. */
export async function approveTransfer(ctx: Context, request: string): Promise<Parcel> {
  const ref = parseJsonArgument(offerRefSchema.strict(), request, 'request');
  const offer = await loadOffer(ctx, ref.cadastralId, ref.offerId);
  if (offer.status !== 'accepted') {
    throw new ChaincodeError('FAILED_PRECONDITION', `offer ${offer.offerId} is ${offer.status}, not accepted by the buyer`);
  }
  const parcel = await loadParcel(ctx, offer.cadastralId);
  requireTransferable(parcel, offer.parcelVersion);
  requireHolding(parcel, offer.seller, offer.share, 'offer.share');
  const owners = ownersAfterSale(parcel, offer);
  await requireLenderConsents(ctx, parcel, offer.offerId);
  const now = txTimestamp(ctx);
  const updated: Parcel = {
    ...parcel,
    owners,
    deedHash: offer.deedHash,
    version: parcel.version + 1,
    updated: now,
    lastTxId: ctx.stub.getTxID(),
  };
  await saveParcel(ctx, updated, parcel.owners);
  await writeRecord(ctx, offerKey(ctx, offer.cadastralId, offer.offerId), offerSchema, { ...offer, status: 'approved', updated: now });
  emitEvent(ctx, 'land.TransferApproved', { cadastralId: parcel.cadastralId, offerId: offer.offerId, version: updated.version });
  return updated;
}
