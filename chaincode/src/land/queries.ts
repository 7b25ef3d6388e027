import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { collect } from '../shared/iterators';
import { nextBookmark } from '../shared/pages';
import { validate } from '../shared/validation';
import { didSchema } from '../identity/did';
import { OWNER_INDEX_OBJECT_TYPE, cadastralIdSchema, parcelSchema, type Parcel } from './parcel';
import { loadParcel, parcelKey } from './parcels';

/** A page of a DID's active parcels, from the owner~parcel composite-key index. */
export interface OwnerPage {
  readonly owner: string;
  readonly cadastralIds: string[];
  /** Pass back to get the next page; empty when there is none. */
  readonly bookmark: string;
}

/** Body of `land:ListParcelsByOwner`: `pageSize` 1–100. */
export async function listParcelsByOwner(ctx: Context, did: string, pageSize: string, bookmark: string): Promise<OwnerPage> {
  const owner = validate(didSchema, did, 'did');
  const size = validate(z.coerce.number().int().min(1).max(100), pageSize, 'pageSize');
  const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(OWNER_INDEX_OBJECT_TYPE, [owner], size, bookmark);
  const entries = await collect(iterator);
  return {
    owner,
    cadastralIds: entries.map((kv) => ctx.stub.splitCompositeKey(kv.key).attributes[1] ?? ''),
    // A DID that owns nothing, or a bookmark past the end: the peer sends no metadata.
    bookmark: nextBookmark(metadata),
  };
}

/** One committed version of a parcel, from the peer's history database. */
export interface ParcelVersion {
  readonly txId: string;
  /** Transaction timestamp, ISO 8601 UTC. */
  readonly timestamp: string;
  readonly parcel: Parcel;
}

/** A parcel's own history and, through its parents, the history it came from. */
export interface Provenance {
  readonly cadastralId: string;
  /** Oldest first (version 1 first). */
  readonly versions: ParcelVersion[];
  readonly parents: Provenance[];
}

const MAX_LINEAGE_DEPTH = 32;

async function provenanceOf(ctx: Context, cadastralId: string, depth: number): Promise<Provenance> {
  const iterator = await ctx.stub.getHistoryForKey(parcelKey(ctx, cadastralId));
  // A peer returns a key's history newest first; every version is listed oldest first, by the
  // parcel's own version number, whatever order the peer's history database used.
  const versions = (await collect(iterator))
    .filter((m) => !m.isDelete)
    .map((m) => ({
      txId: m.txId,
      timestamp: new Date(Number(m.timestamp.seconds.toString()) * 1000 + Math.floor(m.timestamp.nanos / 1e6)).toISOString(),
      parcel: parcelSchema.parse(JSON.parse(Buffer.from(m.value).toString('utf8'))),
    }))
    .sort((a, b) => a.parcel.version - b.parcel.version);
  const first = versions[0]?.parcel ?? (await loadParcel(ctx, cadastralId));
  const parents: Provenance[] = [];
  // One query at a time: the shim serves a chaincode's requests to its peer in order.
  for (const parent of depth >= MAX_LINEAGE_DEPTH ? [] : first.parents) {
    parents.push(await provenanceOf(ctx, parent, depth + 1));
  }
  return { cadastralId, versions, parents };
}

/** Body of `land:GetParcelHistory`: every version since first registration, through splits and merges. */
export async function parcelHistory(ctx: Context, cadastralId: string): Promise<Provenance> {
  const id = validate(cadastralIdSchema, cadastralId, 'cadastralId');
  await loadParcel(ctx, id);
  return provenanceOf(ctx, id, 0);
}
