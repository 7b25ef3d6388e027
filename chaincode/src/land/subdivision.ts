import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { canonicalString } from '../shared/canonical-json';
import { ChaincodeError } from '../shared/errors';
import { emitEvent, readRecord } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { parseJsonArgument } from '../shared/validation';
import { requireActive } from './encumbrances';
import { cadastralIdSchema, locationSchema, parcelSchema, type Parcel } from './parcel';
import { loadParcel, parcelKey, saveParcel } from './parcels';

/**
 * Subdivision and merge conserve area exactly (integer m²). Children inherit the
 * owners, shares and encumbrances; the parents are retired and link to the children
 * (and the children back), so provenance can be followed either way.
 */
const childSchema = z.object({ cadastralId: cadastralIdSchema, areaM2: z.number().int().positive(), location: locationSchema }).strict();
const splitSchema = z.object({ cadastralId: cadastralIdSchema, children: z.array(childSchema).min(2).max(100) }).strict();
const mergeSchema = z
  .object({ cadastralIds: z.array(cadastralIdSchema).min(2).max(100), merged: z.object({ cadastralId: cadastralIdSchema, location: locationSchema }).strict() })
  .strict();

async function requireNew(ctx: Context, ids: readonly string[], field: string): Promise<void> {
  if (new Set(ids).size !== ids.length) {
    throw new ChaincodeError('INVALID_ARGUMENT', `${field}: cadastral ids must be distinct`);
  }
  for (const id of ids) {
    if ((await readRecord(ctx, parcelKey(ctx, id), parcelSchema)) !== undefined) {
      throw new ChaincodeError('ALREADY_EXISTS', `${field}: parcel ${id} already exists`);
    }
  }
}

function retire(ctx: Context, parcel: Parcel, children: string[], now: string): Parcel {
  return { ...parcel, status: 'retired', children, version: parcel.version + 1, updated: now, lastTxId: ctx.stub.getTxID() };
}

/** Body of `land:SplitParcel`: children's areas must sum to the parent's area. */
export async function splitParcel(ctx: Context, request: string): Promise<Parcel[]> {
  const req = parseJsonArgument(splitSchema, request, 'request');
  const parent = await loadParcel(ctx, req.cadastralId);
  requireActive(parent);
  const total = req.children.reduce((sum, c) => sum + c.areaM2, 0);
  if (total !== parent.areaM2) {
    throw new ChaincodeError('INVALID_ARGUMENT', `request.children: areas sum to ${total} m², not the parent's ${parent.areaM2} m²`);
  }
  const ids = req.children.map((c) => c.cadastralId);
  await requireNew(ctx, ids, 'request.children');
  const now = txTimestamp(ctx);
  const children: Parcel[] = req.children.map((c) => ({
    ...parent,
    ...c,
    status: 'active',
    parents: [parent.cadastralId],
    children: [],
    version: 1,
    registered: now,
    updated: now,
    lastTxId: ctx.stub.getTxID(),
  }));
  for (const child of children) {
    await saveParcel(ctx, child, []);
  }
  await saveParcel(ctx, retire(ctx, parent, ids, now), parent.owners);
  emitEvent(ctx, 'land.ParcelSplit', { cadastralId: parent.cadastralId, children: ids });
  return children;
}

/** Body of `land:MergeParcels`: the parcels must be active and have exactly the same owners and shares. */
export async function mergeParcels(ctx: Context, request: string): Promise<Parcel> {
  const req = parseJsonArgument(mergeSchema, request, 'request');
  if (new Set(req.cadastralIds).size !== req.cadastralIds.length) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'request.cadastralIds: must be distinct');
  }
  const parents: Parcel[] = [];
  for (const id of req.cadastralIds) {
    const p = await loadParcel(ctx, id);
    requireActive(p);
    parents.push(p);
  }
  const [first] = parents;
  if (first === undefined || parents.some((p) => canonicalString(p.owners) !== canonicalString(first.owners))) {
    throw new ChaincodeError('FAILED_PRECONDITION', 'parcels can be merged only when they have exactly the same owners and shares');
  }
  await requireNew(ctx, [req.merged.cadastralId], 'request.merged');
  const now = txTimestamp(ctx);
  const encumbrances = [...new Map(parents.flatMap((p) => p.encumbrances).map((e) => [e.id, e])).values()];
  const merged: Parcel = {
    ...first,
    cadastralId: req.merged.cadastralId,
    location: req.merged.location,
    areaM2: parents.reduce((sum, p) => sum + p.areaM2, 0),
    encumbrances,
    status: 'active',
    parents: req.cadastralIds,
    children: [],
    version: 1,
    registered: now,
    updated: now,
    lastTxId: ctx.stub.getTxID(),
  };
  await saveParcel(ctx, merged, []);
  for (const p of parents) {
    await saveParcel(ctx, retire(ctx, p, [merged.cadastralId], now), p.owners);
  }
  emitEvent(ctx, 'land.ParcelsMerged', { cadastralIds: req.cadastralIds, merged: merged.cadastralId });
  return merged;
}
