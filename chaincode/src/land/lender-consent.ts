import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { ChaincodeError } from '../shared/errors';
import { emitEvent, readRecord, writeRecord } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { parseJsonArgument } from '../shared/validation';
import { LENDER_CONSENT_OBJECT_TYPE, cadastralIdSchema, type Offer, type Parcel } from './parcel';

/**
 * A lender's consent to one transfer of a mortgaged parcel (a mortgaged parcel transfers only
 * with the lender's release or consent). With consent the mortgage stays on the parcel
 * through the transfer, as encumbrances do; without it, the registrar's approval is refused.
 * A consent names one offer, so it cannot be reused for another sale.
 */
const consentSchema = z.object({ cadastralId: cadastralIdSchema, offerId: z.string().min(1), encumbranceId: z.string().min(1) }).strict();

const consentRecordSchema = z
  .object({ cadastralId: z.string(), offerId: z.string(), encumbranceId: z.string(), lender: z.string(), txId: z.string(), at: z.string() })
  .strict();
export type LenderConsent = z.infer<typeof consentRecordSchema>;

function consentKey(ctx: Context, cadastralId: string, offerId: string, encumbranceId: string): string {
  return ctx.stub.createCompositeKey(LENDER_CONSENT_OBJECT_TYPE, [cadastralId, offerId, encumbranceId]);
}

/**
 * Body of `land:ConsentToTransfer`, submitted by the mortgage holder's org (lender role).
 *
 * @param loadOffer - reads the offer (kept in transfers.ts)
 * @throws `INVALID_ARGUMENT`, `NOT_FOUND` (offer, encumbrance), `FORBIDDEN` (not the holder),
 *   `FAILED_PRECONDITION` (offer closed, or made on another parcel version)
 */
export async function consentToTransfer(
  ctx: Context,
  request: string,
  callerMspId: string,
  parcel: (id: string) => Promise<Parcel>,
  loadOffer: (cadastralId: string, offerId: string) => Promise<Offer>,
): Promise<LenderConsent> {
  const req = parseJsonArgument(consentSchema, request, 'request');
  const offer = await loadOffer(req.cadastralId, req.offerId);
  if (offer.status !== 'offered' && offer.status !== 'accepted') {
    throw new ChaincodeError('FAILED_PRECONDITION', `offer ${offer.offerId} is ${offer.status}; only an open offer can be consented to`);
  }
  const p = await parcel(req.cadastralId);
  if (p.version !== offer.parcelVersion) {
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      `parcel ${p.cadastralId} changed since the offer (version ${String(offer.parcelVersion)}, now ${String(p.version)}); the offer is void`,
    );
  }
  const mortgage = p.encumbrances.find((e) => e.id === req.encumbranceId && e.kind === 'mortgage');
  if (mortgage === undefined) {
    throw new ChaincodeError('NOT_FOUND', `mortgage ${req.encumbranceId} is not on parcel ${p.cadastralId}`);
  }
  if (mortgage.holder !== callerMspId) {
    throw new ChaincodeError('FORBIDDEN', `only ${mortgage.holder}, the holder of mortgage ${mortgage.id}, may consent to its transfer`);
  }
  const consent: LenderConsent = { ...req, lender: callerMspId, txId: ctx.stub.getTxID(), at: txTimestamp(ctx) };
  await writeRecord(ctx, consentKey(ctx, req.cadastralId, req.offerId, req.encumbranceId), consentRecordSchema, consent);
  emitEvent(ctx, 'land.TransferConsented', { cadastralId: req.cadastralId, offerId: req.offerId, encumbranceId: req.encumbranceId, lender: callerMspId });
  return consent;
}

/** @throws `FAILED_PRECONDITION` naming the first mortgage on the parcel whose holder neither released it nor consented to this offer */
export async function requireLenderConsents(ctx: Context, parcel: Parcel, offerId: string): Promise<void> {
  for (const mortgage of parcel.encumbrances.filter((e) => e.kind === 'mortgage')) {
    const consent = await readRecord(ctx, consentKey(ctx, parcel.cadastralId, offerId, mortgage.id), consentRecordSchema);
    if (consent === undefined) {
      throw new ChaincodeError(
        'FAILED_PRECONDITION',
        `parcel ${parcel.cadastralId} is mortgaged to ${mortgage.holder} (${mortgage.id}); the lender must release it or consent to this transfer first`,
      );
    }
  }
}
