import { Context, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { CivicContract } from '../shared/civic-contract';
import { authorize, type AccessRule } from '../shared/access';
import { canonicalString } from '../shared/canonical-json';
import { openDispute, registerEasement, registerMortgage, releaseEncumbrance, resolveDispute } from './encumbrances';
import { IMPORT_BATCH_MAX } from './parcel';
import { getParcel, importParcels, loadParcel, registerParcel } from './parcels';
import { listParcelsByOwner, parcelHistory } from './queries';
import { mergeParcels, splitParcel } from './subdivision';
import { consentToTransfer } from './lender-consent';
import { acceptOffer, approveTransfer, loadOffer, offerTransfer, withdrawOffer } from './transfers';

/** Who may call what: every access rule of this contract, in one place. */
const ACCESS = {
  /** The City's land registry registers parcels and approves transfers. */
  registrar: { msps: ['CityMSP'], roles: ['registrar'] },
  /** Front-desk staff submit citizens' signed offers and acceptances. */
  citizenDesk: { roles: ['clerk', 'registrar'] },
  /** Registrars and court staff open and resolve disputes. */
  disputes: { msps: ['CityMSP'], roles: ['registrar', 'court'] },
  /** Lending agencies' staff register and release mortgages. */
  lender: { roles: ['lender'] },
  /** Utilities' engineers register easements for pipes and cables. */
  utility: { msps: ['UtilitiesMSP'], roles: ['engineer'] },
  /** Whoever holds an encumbrance releases it (checked against the holder's MSP ID). */
  holder: { roles: ['lender', 'engineer'] },
  member: {},
} as const satisfies Record<string, AccessRule>;

/**
 * Land registry (seeds 001 and 004: Georgia, Honduras, Sweden): cadastral parcels
 * with exact fractional ownership by DIDs, and title transfers that need the
 * seller's signed offer, the buyer's signed acceptance and a registrar's approval.
 * Areas in m², prices in integer cents, deeds anchored by their SHA-256 hash.
 */
@Info({ title: 'land', description: 'Land registry: parcels and three-party title transfers' })
export class LandContract extends CivicContract {
  constructor() {
    super('land');
  }

  /**
   * Register a parcel (CityMSP registrar).
   *
   * @param request - JSON `{ cadastralId, areaM2, location (GeoJSON Point|Polygon), landUse, owners: [{ did, share: {num,den} }], deedHash }`;
   *   shares must sum to exactly 1 and every owner DID must be registered
   * @returns JSON parcel
   * @throws `INVALID_ARGUMENT`, `ALREADY_EXISTS`, `NOT_FOUND` (owner DID), `FORBIDDEN`. Emits `land.ParcelRegistered`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON RegisterParcel request')
  @Returns('string')
  async RegisterParcel(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.registrar, 'land:RegisterParcel');
    return canonicalString(await registerParcel(ctx, request));
  }

  /**
   * Register a batch of parcels from a cadastre import (CityMSP registrar): `{ parcels: RegisterParcel[] }`,
   * at most IMPORT_BATCH_MAX. Each parcel is registered whole or rejected with its reason; the rest commit.
   *
   * @returns JSON `{ registered: cadastralId[], rejected: [{ index, cadastralId, code, message }] }`
   * @throws `INVALID_ARGUMENT` (malformed batch), `FORBIDDEN`. Emits `land.ParcelsImported`.
   */
  @Transaction()
  @Param('request', 'string', `JSON { parcels } with 1-${String(IMPORT_BATCH_MAX)} RegisterParcel requests`)
  @Returns('string')
  async ImportParcels(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.registrar, 'land:ImportParcels');
    return canonicalString(await importParcels(ctx, request));
  }

  /** A parcel by cadastral id. @throws `INVALID_ARGUMENT`, `NOT_FOUND` */
  @Transaction(false)
  @Param('cadastralId', 'string', 'cadastral parcel id')
  @Returns('string')
  async GetParcel(ctx: Context, cadastralId: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'land:GetParcel');
    return canonicalString(await getParcel(ctx, cadastralId));
  }

  /**
   * The seller's offer of a share, signed by the seller's DID (`land:OfferTransfer`; payload fields
   * `cadastralId, parcelVersion, share, buyer, priceCents, deedHash`). The offer id is this transaction's id.
   *
   * @throws `INVALID_ARGUMENT`, `INVALID_SIGNATURE`, `NOT_FOUND`, `FAILED_PRECONDITION` (not owned, disputed, changed parcel, replay), `FORBIDDEN`.
   * Emits `land.TransferOffered`.
   */
  @Transaction()
  @Param('request', 'string', 'seller-signed offer')
  @Returns('string')
  async OfferTransfer(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.citizenDesk, 'land:OfferTransfer');
    return canonicalString(await offerTransfer(ctx, request));
  }

  /** The buyer's signed acceptance (`land:AcceptOffer`; payload `cadastralId, offerId`). Emits `land.TransferAccepted`. */
  @Transaction()
  @Param('request', 'string', 'buyer-signed acceptance')
  @Returns('string')
  async AcceptOffer(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.citizenDesk, 'land:AcceptOffer');
    return canonicalString(await acceptOffer(ctx, request));
  }

  /** The seller's signed withdrawal (`land:WithdrawOffer`; payload `cadastralId, offerId`). Emits `land.TransferWithdrawn`. */
  @Transaction()
  @Param('request', 'string', 'seller-signed withdrawal')
  @Returns('string')
  async WithdrawOffer(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.citizenDesk, 'land:WithdrawOffer');
    return canonicalString(await withdrawOffer(ctx, request));
  }

  /**
   * A registrar's approval of an accepted offer: the share moves, the deed hash is recorded,
   * the parcel version increments (voiding every other open offer).
   *
   * @param request - JSON `{ cadastralId, offerId }`
   * @throws `FAILED_PRECONDITION` (not accepted, parcel changed or disputed, mortgaged without the lender's consent, share no longer held), `NOT_FOUND`, `FORBIDDEN`.
   * Emits `land.TransferApproved`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON { cadastralId, offerId }')
  @Returns('string')
  async ApproveTransfer(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.registrar, 'land:ApproveTransfer');
    return canonicalString(await approveTransfer(ctx, request));
  }

  /** Freeze a parcel (CityMSP registrar or court): `{ cadastralId, filingHash }`. Emits `land.DisputeOpened`. */
  @Transaction()
  @Param('request', 'string', 'JSON { cadastralId, filingHash }')
  @Returns('string')
  async OpenDispute(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.disputes, 'land:OpenDispute');
    return canonicalString(await openDispute(ctx, request));
  }

  /** Unfreeze a disputed parcel (CityMSP registrar or court): `{ cadastralId, filingHash }` of the ruling. Emits `land.DisputeResolved`. */
  @Transaction()
  @Param('request', 'string', 'JSON { cadastralId, filingHash }')
  @Returns('string')
  async ResolveDispute(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.disputes, 'land:ResolveDispute');
    return canonicalString(await resolveDispute(ctx, request));
  }

  /**
   * Register a mortgage held by the caller's org (lender role), with every owner's signed
   * `land:ConsentMortgage` `{ cadastralId, parcelVersion, lender: <MSP ID> }`.
   *
   * @throws `FAILED_PRECONDITION` (an owner's consent missing, parcel not active), `INVALID_SIGNATURE`, `INVALID_ARGUMENT`, `FORBIDDEN`.
   * Emits `land.EncumbranceRegistered`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON { cadastralId, description, consents }')
  @Returns('string')
  async RegisterMortgage(ctx: Context, request: string): Promise<string> {
    const caller = authorize(ctx, ACCESS.lender, 'land:RegisterMortgage');
    return canonicalString(await registerMortgage(ctx, request, caller.mspId));
  }

  /**
   * The mortgage holder's consent to one transfer of the mortgaged parcel (lender role of the holder's org):
   * `{ cadastralId, offerId, encumbranceId }`. With it the registrar may approve that offer; the mortgage stays on the parcel.
   *
   * @throws `FORBIDDEN` (not the holder), `NOT_FOUND`, `FAILED_PRECONDITION` (offer closed or void). Emits `land.TransferConsented`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON { cadastralId, offerId, encumbranceId }')
  @Returns('string')
  async ConsentToTransfer(ctx: Context, request: string): Promise<string> {
    const caller = authorize(ctx, ACCESS.lender, 'land:ConsentToTransfer');
    return canonicalString(
      await consentToTransfer(
        ctx,
        request,
        caller.mspId,
        (id) => loadParcel(ctx, id),
        (id, offerId) => loadOffer(ctx, id, offerId),
      ),
    );
  }

  /** Register an easement held by the caller's utility (UtilitiesMSP engineer): `{ cadastralId, description }`. Emits `land.EncumbranceRegistered`. */
  @Transaction()
  @Param('request', 'string', 'JSON { cadastralId, description }')
  @Returns('string')
  async RegisterEasement(ctx: Context, request: string): Promise<string> {
    const caller = authorize(ctx, ACCESS.utility, 'land:RegisterEasement');
    return canonicalString(await registerEasement(ctx, request, caller.mspId));
  }

  /** Release an encumbrance held by the caller's org: `{ cadastralId, encumbranceId }`. Emits `land.EncumbranceReleased`. */
  @Transaction()
  @Param('request', 'string', 'JSON { cadastralId, encumbranceId }')
  @Returns('string')
  async ReleaseEncumbrance(ctx: Context, request: string): Promise<string> {
    const caller = authorize(ctx, ACCESS.holder, 'land:ReleaseEncumbrance');
    return canonicalString(await releaseEncumbrance(ctx, request, caller.mspId));
  }

  /**
   * Subdivide a parcel (CityMSP registrar): `{ cadastralId, children: [{ cadastralId, areaM2, location }] }`; the
   * children's areas must sum exactly to the parent's; owners and encumbrances carry over; the parent is retired.
   *
   * @returns JSON array of the children. @throws `INVALID_ARGUMENT` (areas), `ALREADY_EXISTS`, `FAILED_PRECONDITION`, `FORBIDDEN`.
   * Emits `land.ParcelSplit`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON SplitParcel request')
  @Returns('string')
  async SplitParcel(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.registrar, 'land:SplitParcel');
    return canonicalString(await splitParcel(ctx, request));
  }

  /**
   * Merge parcels with identical ownership (CityMSP registrar): `{ cadastralIds, merged: { cadastralId, location } }`;
   * the area is the exact sum; encumbrances carry over; the parents are retired.
   *
   * @throws `FAILED_PRECONDITION` (different owners, not active), `ALREADY_EXISTS`, `INVALID_ARGUMENT`, `FORBIDDEN`. Emits `land.ParcelsMerged`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON MergeParcels request')
  @Returns('string')
  async MergeParcels(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.registrar, 'land:MergeParcels');
    return canonicalString(await mergeParcels(ctx, request));
  }

  /** A DID's active parcels, a page at a time: `{ owner, cadastralIds, bookmark }`. @throws `INVALID_ARGUMENT` */
  @Transaction(false)
  @Param('did', 'string', 'owner DID')
  @Param('pageSize', 'string', 'page size, 1-100')
  @Param('bookmark', 'string', 'bookmark from the previous page, or empty')
  @Returns('string')
  async ListParcelsByOwner(ctx: Context, did: string, pageSize: string, bookmark: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'land:ListParcelsByOwner');
    return canonicalString(await listParcelsByOwner(ctx, did, pageSize, bookmark));
  }

  /**
   * Full provenance of a parcel: every committed version (tx id, timestamp, state) since first
   * registration, and recursively the parcels it was split or merged from.
   *
   * @throws `INVALID_ARGUMENT`, `NOT_FOUND`
   */
  @Transaction(false)
  @Param('cadastralId', 'string', 'cadastral parcel id')
  @Returns('string')
  async GetParcelHistory(ctx: Context, cadastralId: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'land:GetParcelHistory');
    return canonicalString(await parcelHistory(ctx, cadastralId));
  }
}
