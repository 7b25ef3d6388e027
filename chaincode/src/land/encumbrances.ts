import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { ChaincodeError } from '../shared/errors';
import { emitEvent } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { parseJsonArgument, validate } from '../shared/validation';
import { verifyCitizenSignature } from '../identity/citizen-signature';
import { cadastralIdSchema, documentHashSchema, type Parcel } from './parcel';
import { loadParcel, saveParcel } from './parcels';

/**
 * Disputes and encumbrances. A dispute freezes a parcel: every change is refused
 * until it is resolved (and open offers are void, since the version moves on).
 * Mortgages need every owner's signed consent and name the lending org as holder;
 * only that lender releases them. Utilities' easements survive transfers.
 */

/** @throws `FAILED_PRECONDITION` unless the parcel is active (not disputed or retired) */
export function requireActive(parcel: Parcel): void {
  if (parcel.status !== 'active') {
    throw new ChaincodeError('FAILED_PRECONDITION', `parcel ${parcel.cadastralId} is ${parcel.status}; it cannot change until it is active`);
  }
}

async function update(ctx: Context, parcel: Parcel, changes: Partial<Parcel>, event: string, detail: Record<string, unknown>): Promise<Parcel> {
  const updated: Parcel = { ...parcel, ...changes, version: parcel.version + 1, updated: txTimestamp(ctx), lastTxId: ctx.stub.getTxID() };
  await saveParcel(ctx, updated, parcel.owners);
  emitEvent(ctx, event, { cadastralId: parcel.cadastralId, version: updated.version, ...detail });
  return updated;
}

const disputeSchema = z.object({ cadastralId: cadastralIdSchema, filingHash: documentHashSchema }).strict();

/** Body of `land:OpenDispute`: freeze the parcel; the filing is anchored by its hash. */
export async function openDispute(ctx: Context, request: string): Promise<Parcel> {
  const req = parseJsonArgument(disputeSchema, request, 'request');
  const parcel = await loadParcel(ctx, req.cadastralId);
  requireActive(parcel);
  return update(ctx, parcel, { status: 'disputed' }, 'land.DisputeOpened', { filingHash: req.filingHash });
}

/** Body of `land:ResolveDispute`: unfreeze the parcel; the ruling is anchored by its hash. */
export async function resolveDispute(ctx: Context, request: string): Promise<Parcel> {
  const req = parseJsonArgument(disputeSchema, request, 'request');
  const parcel = await loadParcel(ctx, req.cadastralId);
  if (parcel.status !== 'disputed') {
    throw new ChaincodeError('FAILED_PRECONDITION', `parcel ${parcel.cadastralId} is not disputed`);
  }
  return update(ctx, parcel, { status: 'active' }, 'land.DisputeResolved', { filingHash: req.filingHash });
}

const mortgageSchema = z
  .object({
    cadastralId: cadastralIdSchema,
    description: z.string().min(1).max(200),
    /** One signed `land:ConsentMortgage` per owner, payload `{ cadastralId, parcelVersion, lender }`. */
    consents: z.array(z.unknown()).min(1).max(64),
  })
  .strict();
const consentPayloadSchema = z.object({ cadastralId: cadastralIdSchema, parcelVersion: z.number().int(), lender: z.string() }).loose();

/** Body of `land:RegisterMortgage`, submitted by the lender (its MSP ID becomes the holder). */
export async function registerMortgage(ctx: Context, request: string, lenderMspId: string): Promise<Parcel> {
  const req = parseJsonArgument(mortgageSchema, request, 'request');
  const parcel = await loadParcel(ctx, req.cadastralId);
  requireActive(parcel);
  const consenting = new Set<string>();
  for (const [i, consent] of req.consents.entries()) {
    const payload = await verifyCitizenSignature(ctx, consent, 'land:ConsentMortgage', `request.consents.${i}`);
    const c = validate(consentPayloadSchema, payload, `request.consents.${i}.payload`);
    if (c.cadastralId !== parcel.cadastralId || c.parcelVersion !== parcel.version || c.lender !== lenderMspId) {
      throw new ChaincodeError(
        'INVALID_ARGUMENT',
        `request.consents.${i} is for ${c.cadastralId} v${c.parcelVersion} and lender ${c.lender}, not ${parcel.cadastralId} v${parcel.version} and ${lenderMspId}`,
      );
    }
    consenting.add(payload.did);
  }
  const missing = parcel.owners.filter((o) => !consenting.has(o.did)).map((o) => o.did);
  if (missing.length > 0) {
    throw new ChaincodeError('FAILED_PRECONDITION', `a mortgage needs the consent of every owner; missing: ${missing.join(', ')}`);
  }
  const mortgage = {
    id: ctx.stub.getTxID(),
    kind: 'mortgage' as const,
    holder: lenderMspId,
    description: req.description,
    registered: txTimestamp(ctx),
    txId: ctx.stub.getTxID(),
  };
  return update(ctx, parcel, { encumbrances: [...parcel.encumbrances, mortgage] }, 'land.EncumbranceRegistered', {
    id: mortgage.id,
    kind: 'mortgage',
    holder: lenderMspId,
  });
}

const easementSchema = z.object({ cadastralId: cadastralIdSchema, description: z.string().min(1).max(200) }).strict();

/** Body of `land:RegisterEasement`, submitted by a utility (its MSP ID becomes the holder). */
export async function registerEasement(ctx: Context, request: string, utilityMspId: string): Promise<Parcel> {
  const req = parseJsonArgument(easementSchema, request, 'request');
  const parcel = await loadParcel(ctx, req.cadastralId);
  requireActive(parcel);
  const easement = {
    id: ctx.stub.getTxID(),
    kind: 'easement' as const,
    holder: utilityMspId,
    description: req.description,
    registered: txTimestamp(ctx),
    txId: ctx.stub.getTxID(),
  };
  return update(ctx, parcel, { encumbrances: [...parcel.encumbrances, easement] }, 'land.EncumbranceRegistered', {
    id: easement.id,
    kind: 'easement',
    holder: utilityMspId,
  });
}

const releaseSchema = z.object({ cadastralId: cadastralIdSchema, encumbranceId: z.string().min(1) }).strict();

/** Body of `land:ReleaseEncumbrance`: only the holder's org releases what it holds. */
export async function releaseEncumbrance(ctx: Context, request: string, callerMspId: string): Promise<Parcel> {
  const req = parseJsonArgument(releaseSchema, request, 'request');
  const parcel = await loadParcel(ctx, req.cadastralId);
  requireActive(parcel);
  const encumbrance = parcel.encumbrances.find((e) => e.id === req.encumbranceId);
  if (encumbrance === undefined) {
    throw new ChaincodeError('NOT_FOUND', `encumbrance ${req.encumbranceId} is not on parcel ${parcel.cadastralId}`);
  }
  if (encumbrance.holder !== callerMspId) {
    throw new ChaincodeError('FORBIDDEN', `only ${encumbrance.holder}, the holder, may release encumbrance ${encumbrance.id}`);
  }
  return update(ctx, parcel, { encumbrances: parcel.encumbrances.filter((e) => e.id !== encumbrance.id) }, 'land.EncumbranceReleased', {
    id: encumbrance.id,
    kind: encumbrance.kind,
  });
}
