import { z } from 'zod';
import { didSchema } from '../identity/did';
import { MSP_IDS } from '../shared/access';

/** Composite-key object types of the allocation contract. */
export const ROUND_OBJECT_TYPE = 'civic.allocation.round';
export const APPLICATION_OBJECT_TYPE = 'civic.allocation.application';
export const ATTESTATION_OBJECT_TYPE = 'civic.allocation.priority';
export const SHARE_OBJECT_TYPE = 'civic.allocation.share';

export const roundIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'must be 3-64 lower-case letters, digits and dashes');
const siteIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/, 'must be a site id of letters, digits and dashes');
const nameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a lower-case name');
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hash, 64 lower-case hex digits');

/** A round as opened by the City. */
export const roundSpecSchema = z
  .object({
    roundId: roundIdSchema,
    title: z.string().min(1).max(120),
    sites: z
      .array(z.object({ id: siteIdSchema, category: nameSchema }).strict())
      .min(1)
      .max(10_000)
      .refine((sites) => new Set(sites.map((s) => s.id)).size === sites.length, 'site ids must be unique'),
    quotas: z.record(nameSchema, z.number().int().nonnegative()),
    priorityGroups: z.array(nameSchema).max(8),
    /** Applications are accepted until the round is closed, and not after this time (ISO 8601 UTC). */
    closes: z.iso.datetime(),
  })
  .strict();
export type RoundSpecInput = z.infer<typeof roundSpecSchema>;

/**
 * One org's contribution to a round's randomness: its commitment (recorded while the round is
 * open) and, once the round is closed, the revealed share that must match it.
 */
export const shareRecordSchema = z
  .object({
    roundId: roundIdSchema,
    mspId: z.enum(MSP_IDS),
    /** SHA-256 (hex) over the domain label, round id, MSP ID and share (allocation/draw.ts `shareCommitment`). */
    commitment: hex64,
    commitTxId: z.string(),
    share: z.string().nullable(),
    revealTxId: z.string().nullable(),
  })
  .strict();
export type ShareRecord = z.infer<typeof shareRecordSchema>;

/** A secret share: 16-256 characters (the CLI makes 256 random bits, base64url). */
export const shareSchema = z.string().min(16, 'must be at least 16 characters').max(256);

/** A placement in the stored result. */
const placementSchema = z.object({ applicant: didSchema, position: z.number().int().positive(), site: z.string().nullable() }).strict();

export const roundRecordSchema = roundSpecSchema
  .extend({
    /** `open` (applications, attestations and share commitments), `closed` (frozen; shares revealed), `drawn`. */
    status: z.enum(['open', 'closed', 'drawn']),
    opened: z.iso.datetime(),
    /** When the officer closed the round (transaction time); null while open. */
    closedAt: z.iso.datetime().nullable(),
    /** The draw's seed, derived from every org's revealed share (allocation/draw.ts `seedFromShares`); null until drawn. */
    seed: z.string().nullable(),
    /** Every org's share as revealed, in {@link MSP_IDS} order; null until drawn. */
    shares: z.array(shareRecordSchema).nullable(),
    result: z
      .object({
        randomness: hex64,
        order: z.array(placementSchema),
        assignments: z.record(z.string(), didSchema),
        waitingList: z.array(didSchema),
        /**
         * SHA-256 of the applications the draw ran on (allocation/draw.ts `inputsDigest`); absent only
         * in rounds drawn by a chaincode version before it was recorded.
         */
        inputsDigest: hex64.optional(),
        drawTxId: z.string(),
        /** Every change after the draw (withdrawals, no-shows), in commit order. */
        changes: z.array(
          z
            .object({ site: z.string(), released: didSchema, promoted: didSchema.nullable(), txId: z.string(), reason: z.enum(['withdrawn', 'no-show']) })
            .strict(),
        ),
      })
      .strict()
      .nullable(),
  })
  .strict();
export type RoundRecord = z.infer<typeof roundRecordSchema>;

/** An application on the ledger (the applicant's signed preferences; its tx id is the receipt). */
export const applicationSchema = z
  .object({
    roundId: roundIdSchema,
    applicant: didSchema,
    preferences: z.array(siteIdSchema).min(1).max(50),
    group: nameSchema.nullable(),
    status: z.enum(['active', 'withdrawn']),
    txId: z.string(),
    submitted: z.iso.datetime(),
  })
  .strict();
export type ApplicationRecord = z.infer<typeof applicationSchema>;

/** The City's attestation that an applicant belongs to a priority group (credential checked off-chain). */
export const attestationSchema = z.object({ roundId: roundIdSchema, applicant: didSchema, group: nameSchema, evidenceHash: hex64, txId: z.string() }).strict();
