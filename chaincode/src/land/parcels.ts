import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { ChaincodeError } from '../shared/errors';
import { compare, reduced, sumsToOne } from '../shared/fraction';
import { emitEvent, readExisting, readRecord, writeRecord } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { parseJsonArgument, validate } from '../shared/validation';
import { loadActiveDid } from '../identity/did-registry';
import { OWNER_INDEX_OBJECT_TYPE, byDid, PARCEL_OBJECT_TYPE, cadastralIdSchema, documentHashSchema, landUseSchema, locationSchema, ownerSchema, parcelSchema, type Owner, type Parcel } from './parcel';

const registerParcelSchema = z
  .object({
    cadastralId: cadastralIdSchema,
    areaM2: z.number().int().positive('must be a positive whole number of m²'),
    location: locationSchema,
    landUse: landUseSchema,
    owners: z.array(ownerSchema).min(1).max(64),
    deedHash: documentHashSchema,
  })
  .strict();

export function parcelKey(ctx: Context, cadastralId: string): string {
  return ctx.stub.createCompositeKey(PARCEL_OBJECT_TYPE, [cadastralId]);
}

/** Read a parcel that must exist. @throws `NOT_FOUND` */
export async function loadParcel(ctx: Context, cadastralId: string): Promise<Parcel> {
  return readExisting(ctx, parcelKey(ctx, cadastralId), parcelSchema, `parcel ${cadastralId}`);
}

/** Owners normalised: shares reduced, sorted by DID (deterministic bytes), each DID once. */
export function normaliseOwners(owners: readonly Owner[], field: string): Owner[] {
  const dids = owners.map((o) => o.did);
  if (new Set(dids).size !== dids.length) {
    throw new ChaincodeError('INVALID_ARGUMENT', `${field}: each owner DID may appear once`);
  }
  if (!sumsToOne(owners.map((o) => o.share))) {
    throw new ChaincodeError('INVALID_ARGUMENT', `${field}: shares must sum to exactly 1`);
  }
  return owners.map((o) => ({ did: o.did, share: reduced(o.share) })).sort(byDid);
}

/** @throws `NOT_FOUND` / `FAILED_PRECONDITION` unless every DID is registered and active */
export async function requireActiveDids(ctx: Context, dids: readonly string[]): Promise<void> {
  for (const did of dids) {
    await loadActiveDid(ctx, did);
  }
}

/**
 * Store a parcel and keep the by-owner index (composite key owner~parcel) in step;
 * retired parcels leave the index. `previousOwners` are those indexed before.
 */
export async function saveParcel(ctx: Context, parcel: Parcel, previousOwners: readonly Owner[]): Promise<void> {
  await writeRecord(ctx, parcelKey(ctx, parcel.cadastralId), parcel);
  const indexed = parcel.status === 'retired' ? [] : parcel.owners;
  const now = new Set(indexed.map((o) => o.did));
  for (const old of previousOwners) {
    if (!now.has(old.did)) {
      await ctx.stub.deleteState(ctx.stub.createCompositeKey(OWNER_INDEX_OBJECT_TYPE, [old.did, parcel.cadastralId]));
    }
  }
  const before = new Set(previousOwners.map((o) => o.did));
  for (const owner of indexed) {
    if (!before.has(owner.did)) {
      await ctx.stub.putState(ctx.stub.createCompositeKey(OWNER_INDEX_OBJECT_TYPE, [owner.did, parcel.cadastralId]), Buffer.from([0]));
    }
  }
}

/** Body of `land:RegisterParcel`. */
export async function registerParcel(ctx: Context, request: string): Promise<Parcel> {
  const req = parseJsonArgument(registerParcelSchema, request, 'request');
  const owners = normaliseOwners(req.owners, 'request.owners');
  if ((await readRecord(ctx, parcelKey(ctx, req.cadastralId), parcelSchema)) !== undefined) {
    throw new ChaincodeError('ALREADY_EXISTS', `parcel ${req.cadastralId} is already registered`);
  }
  await requireActiveDids(ctx, owners.map((o) => o.did));
  const now = txTimestamp(ctx);
  const parcel: Parcel = { ...req, owners, encumbrances: [], status: 'active', parents: [], children: [], version: 1, registered: now, updated: now, lastTxId: ctx.stub.getTxID() };
  await saveParcel(ctx, parcel, []);
  emitEvent(ctx, 'land.ParcelRegistered', { cadastralId: parcel.cadastralId, areaM2: parcel.areaM2, version: 1 });
  return parcel;
}

/** Body of `land:GetParcel`. */
export async function getParcel(ctx: Context, cadastralId: string): Promise<Parcel> {
  return loadParcel(ctx, validate(cadastralIdSchema, cadastralId, 'cadastralId'));
}

/** The share a DID holds in a parcel, or undefined. */
export function shareOf(parcel: Parcel, did: string): Owner['share'] | undefined {
  return parcel.owners.find((o) => o.did === did)?.share;
}

/** @throws `FAILED_PRECONDITION` when `did` holds less than `share` of the parcel */
export function requireHolding(parcel: Parcel, did: string, share: Owner['share'], field: string): void {
  const held = shareOf(parcel, did);
  if (held === undefined || compare(held, share) < 0) {
    throw new ChaincodeError('FAILED_PRECONDITION', `${field}: ${did} does not own ${share.num}/${share.den} of parcel ${parcel.cadastralId}`);
  }
}
