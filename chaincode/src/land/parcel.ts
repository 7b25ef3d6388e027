import { z } from 'zod';
import { fractionSchema } from '../shared/fraction';
import { didSchema } from '../identity/did';

/** Composite-key object types of the land registry. */
export const PARCEL_OBJECT_TYPE = 'civic.land.parcel';
export const OWNER_INDEX_OBJECT_TYPE = 'civic.land.owner';
export const OFFER_OBJECT_TYPE = 'civic.land.offer';
export const LENDER_CONSENT_OBJECT_TYPE = 'civic.land.lenderconsent';

/** A cadastral parcel id: two-letter municipality code, dash, 1–30 of A–Z, 0–9 and dashes, e.g. `AM-K-1234-56`. */
export const cadastralIdSchema = z.string().regex(/^[A-Z]{2}-[0-9A-Z][0-9A-Z-]{0,29}$/, 'must be a cadastral id such as AM-K-1234-56');

/** SHA-256 of an off-chain document (the deed), lower-case hex. */
export const documentHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hash, 64 lower-case hex digits');

const position = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);

/** Parcel location as GeoJSON (RFC 7946): a Point or a Polygon of closed linear rings. */
export const locationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Point'), coordinates: position }).strict(),
  z
    .object({ type: z.literal('Polygon'), coordinates: z.array(z.array(position).min(4)).min(1).max(16) })
    .strict()
    .refine((p) => p.coordinates.every((ring) => JSON.stringify(ring[0]) === JSON.stringify(ring[ring.length - 1])), 'each polygon ring must be closed'),
]);

export const landUseSchema = z.enum(['residential', 'commercial', 'industrial', 'agricultural', 'public', 'mixed']);

/** One owner: a DID and an exact fractional share. */
export const ownerSchema = z.object({ did: didSchema, share: fractionSchema }).strict();
export type Owner = z.infer<typeof ownerSchema>;

/** Owners are kept sorted by DID so every endorser writes the same bytes. */
export function byDid(a: Owner, b: Owner): number {
  return a.did < b.did ? -1 : a.did > b.did ? 1 : 0;
}

/** What registering a parcel takes (`land:RegisterParcel`, each item of `land:ImportParcels`). */
export const registerParcelSchema = z
  .object({
    cadastralId: cadastralIdSchema,
    areaM2: z.number().int().positive('must be a positive whole number of m²'),
    location: locationSchema,
    landUse: landUseSchema,
    owners: z.array(ownerSchema).min(1).max(64),
    deedHash: documentHashSchema,
  })
  .strict();
export type RegisterParcelRequest = z.infer<typeof registerParcelSchema>;

/** Most parcels one `land:ImportParcels` transaction takes (keeps the write set well under Fabric's message limits). */
export const IMPORT_BATCH_MAX = 200;

/** What one import batch did: each parcel is either registered whole or rejected with its reason. */
export interface ImportResult {
  readonly registered: string[];
  readonly rejected: { index: number; cadastralId: string | null; code: string; message: string }[];
}

/** A charge on a parcel that survives changes of ownership until released. */
export const encumbranceSchema = z
  .object({
    id: z.string().min(1),
    kind: z.enum(['mortgage', 'easement', 'lien']),
    holder: z.string().min(1),
    description: z.string().max(200),
    registered: z.iso.datetime(),
    txId: z.string(),
  })
  .strict();

/** A cadastral parcel as the ledger stores it; areas in m², shares exact, owners sorted by DID. */
export const parcelSchema = z
  .object({
    cadastralId: cadastralIdSchema,
    areaM2: z.number().int().positive(),
    location: locationSchema,
    landUse: landUseSchema,
    owners: z.array(ownerSchema).min(1).max(64),
    encumbrances: z.array(encumbranceSchema),
    status: z.enum(['active', 'disputed', 'retired']),
    deedHash: documentHashSchema,
    /** Lineage: the parcels this one was split or merged from, and those it became. */
    parents: z.array(cadastralIdSchema).default([]),
    children: z.array(cadastralIdSchema).default([]),
    /** Increments on every change; an offer names the version it was made on. */
    version: z.number().int().positive(),
    registered: z.iso.datetime(),
    updated: z.iso.datetime(),
    lastTxId: z.string(),
  })
  .strict();
export type Parcel = z.infer<typeof parcelSchema>;

/** A transfer offer: seller's share to buyer, at a price, on one parcel version. */
export const offerSchema = z
  .object({
    offerId: z.string(),
    cadastralId: cadastralIdSchema,
    parcelVersion: z.number().int().positive(),
    seller: didSchema,
    buyer: didSchema,
    share: fractionSchema,
    /** Price in integer euro cents. */
    priceCents: z.number().int().nonnegative(),
    deedHash: documentHashSchema,
    status: z.enum(['offered', 'accepted', 'withdrawn', 'approved']),
    created: z.iso.datetime(),
    updated: z.iso.datetime(),
  })
  .strict();
export type Offer = z.infer<typeof offerSchema>;
