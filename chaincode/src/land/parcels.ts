import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { ChaincodeError } from '../shared/errors';
import { compare, reduced, sumsToOne } from '../shared/fraction';
import { emitEvent, readExisting, readRecord, writeRecord } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { parseJsonArgument, validate } from '../shared/validation';
import { loadActiveDid } from '../identity/did-registry';
import {
  OWNER_INDEX_OBJECT_TYPE,
  byDid,
  PARCEL_OBJECT_TYPE,
  cadastralIdSchema,
  parcelSchema,
  registerParcelSchema,
  type Owner,
  type Parcel,
  type RegisterParcelRequest,
  IMPORT_BATCH_MAX,
  type ImportResult,
} from './parcel';

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
  await writeRecord(ctx, parcelKey(ctx, parcel.cadastralId), parcelSchema, parcel);
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

/** Validate and store one new parcel; nothing is written unless every check passes. */
async function registerOne(ctx: Context, req: RegisterParcelRequest, field: string): Promise<Parcel> {
  const owners = normaliseOwners(req.owners, `${field}.owners`);
  if ((await readRecord(ctx, parcelKey(ctx, req.cadastralId), parcelSchema)) !== undefined) {
    throw new ChaincodeError('ALREADY_EXISTS', `parcel ${req.cadastralId} is already registered`);
  }
  await requireActiveDids(
    ctx,
    owners.map((o) => o.did),
  );
  const now = txTimestamp(ctx);
  const parcel: Parcel = {
    ...req,
    owners,
    encumbrances: [],
    status: 'active',
    parents: [],
    children: [],
    version: 1,
    registered: now,
    updated: now,
    lastTxId: ctx.stub.getTxID(),
  };
  await saveParcel(ctx, parcel, []);
  return parcel;
}

/** Body of `land:RegisterParcel`. */
export async function registerParcel(ctx: Context, request: string): Promise<Parcel> {
  const parcel = await registerOne(ctx, parseJsonArgument(registerParcelSchema, request, 'request'), 'request');
  emitEvent(ctx, 'land.ParcelRegistered', { cadastralId: parcel.cadastralId, areaM2: parcel.areaM2, version: 1 });
  return parcel;
}

const importSchema = z.object({ parcels: z.array(z.unknown()).min(1).max(IMPORT_BATCH_MAX) }).strict();

function rejection(index: number, cadastralId: string | null, error: unknown): ImportResult['rejected'][number] {
  if (error instanceof ChaincodeError) {
    return { index, cadastralId, code: error.code, message: error.message.slice(error.code.length + 2) };
  }
  throw error;
}

/**
 * Body of `land:ImportParcels`: register a batch of parcels (a bulk cadastre import).
 * Each parcel is validated and registered on its own terms, exactly as `RegisterParcel`
 * would; a parcel that fails any check is left out whole and reported, and the rest commit
 * together in this one transaction. Ids repeated within the batch are rejected after the first.
 *
 * @param request - JSON `{ parcels: RegisterParcel[] }`, 1–{@link IMPORT_BATCH_MAX} items
 * @returns which parcels were registered and, for the others, index, id, error code and message
 * @throws `INVALID_ARGUMENT` when the batch itself is malformed (nothing is registered)
 */
export async function importParcels(ctx: Context, request: string): Promise<ImportResult> {
  const { parcels } = parseJsonArgument(importSchema, request, 'request');
  const result: ImportResult = { registered: [], rejected: [] };
  const seen = new Set<string>();
  for (const [index, item] of parcels.entries()) {
    const field = `request.parcels[${String(index)}]`;
    const id = cadastralIdSchema.safeParse((item as { cadastralId?: unknown } | null)?.cadastralId);
    const cadastralId = id.success ? id.data : null;
    try {
      const req = validate(registerParcelSchema, item, field);
      if (seen.has(req.cadastralId)) {
        throw new ChaincodeError('ALREADY_EXISTS', `${field}: parcel ${req.cadastralId} appears earlier in this batch`);
      }
      seen.add(req.cadastralId);
      await registerOne(ctx, req, field);
      result.registered.push(req.cadastralId);
    } catch (error) {
      result.rejected.push(rejection(index, cadastralId, error));
    }
  }
  if (result.registered.length > 0) {
    emitEvent(ctx, 'land.ParcelsImported', { count: result.registered.length, first: result.registered[0], last: result.registered.at(-1) });
  }
  return result;
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
