import { z } from 'zod';
import { didSchema } from '../identity/did';

/** Composite-key object types of the petition contract. */
export const PETITION_OBJECT_TYPE = 'civic.petition.petition';
export const PROPOSAL_OBJECT_TYPE = 'civic.petition.proposal';
/** One key per (petition, DID) that received its token: the only issuance record. */
export const ISSUANCE_OBJECT_TYPE = 'civic.petition.issuance';
/**
 * One key per (petition, bucket, token id): the signature itself, and the spent-token mark. The
 * bucket is the token id's first {@link BUCKET_HEX_DIGITS} hex digits, so that `ClosePetition`
 * can count a petition's signatures bucket by bucket, each bucket one partial-key range that the
 * peer's `ledger.state.totalQueryLimit` (a limit per range query) does not cut short unless a
 * single bucket holds more signatures than the limit: 256 buckets, about 25.6 million
 * signatures with the default limit of 100,000. Key order is still token id order.
 */
export const SIGNATURE_OBJECT_TYPE = 'civic.petition.signature';
export const BUCKET_HEX_DIGITS = 2;
export const BUCKET_COUNT = 16 ** BUCKET_HEX_DIGITS;
/** The bucket (`00` to `ff`) of a token id, or of bucket number `n`. */
export const bucketOf = (tokenId: string): string => tokenId.slice(0, BUCKET_HEX_DIGITS);
export const bucketName = (n: number): string => n.toString(16).padStart(BUCKET_HEX_DIGITS, '0');

/** The one RFC 9474 variant petitions use (RFC 9474 §5: the recommended randomized PSS suite). */
export const TOKEN_SUITE = 'RSABSSA-SHA384-PSS-Randomized';

export const petitionIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'must be 3-64 lower-case letters, digits and dashes');
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hash, 64 lower-case hex digits');
const labelSchema = z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N} .,'()/+-]{0,39}$/u, 'must be 1-40 letters, digits, spaces and simple punctuation');
const attributeNameSchema = z.string().regex(/^[a-z][a-z0-9_]{0,23}$/, 'must be a lower-case attribute name');

/**
 * Who may receive a token: a credential of `credentialType` whose presentation discloses each of
 * `claims` with exactly that value (for example `{ resident_of: "Civitas", age_over_16: true }`).
 * The City's issuing service checks it (`civic petition token`); the ledger stores the rule so that
 * anyone can see what was required.
 */
export const eligibilitySchema = z
  .object({
    credentialType: z.string().min(1).max(200),
    claims: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a claim name'), z.union([z.string().max(100), z.number(), z.boolean()])),
  })
  .strict();

/** An RSA public key as a JWK (RFC 7517), modulus 2048 to 4096 bits, for this petition's tokens. */
export const rsaPublicKeyJwkSchema = z
  .object({
    kty: z.literal('RSA'),
    n: z.string().regex(/^[A-Za-z0-9_-]{342,683}$/, 'must be a base64url modulus of 2048 to 4096 bits'),
    e: z.string().regex(/^[A-Za-z0-9_-]{2,8}$/, 'must be a base64url public exponent'),
  })
  .strip();
export type RsaPublicKeyJwk = z.infer<typeof rsaPublicKeyJwkSchema>;

const textFields = {
  kind: z.enum(['petition', 'poll']),
  title: z.string().min(1).max(200),
  /** SHA-256 (hex) of the full text in UTF-8; the text itself is published off-ledger and in the creation event. */
  textHash: hex64,
  /** Yes/No for a petition; 2-20 distinct options for a poll. */
  options: z.array(labelSchema).min(2).max(20),
  eligibility: eligibilitySchema,
  /** Signatures needed for the petition to succeed; `null` for a poll. */
  threshold: z.number().int().positive().max(100_000_000).nullable(),
  /** Signing is refused from this time (ISO 8601 UTC). */
  closes: z.iso.datetime(),
};

/** A citizen's proposal of a petition, as signed (`petition:ProposePetition`). */
export const proposalSpecSchema = z.object({ proposalId: petitionIdSchema, ...textFields }).strict();

/** Coarse attributes a signer may attach: attribute → the allowed bands (e.g. `age_band: ["16-24", "25-44", …]`). */
const attributeBandsSchema = z
  .record(attributeNameSchema, z.array(labelSchema).min(2).max(50))
  .refine((r) => Object.keys(r).length <= 4, 'at most 4 attributes');

/** A petition or poll as the City creates it (`petition:CreatePetition`). */
export const petitionSpecSchema = z
  .object({
    petitionId: petitionIdSchema,
    ...textFields,
    /** The full text; only its hash is stored, the text goes out in the creation event. */
    text: z.string().min(1).max(20_000),
    publicKey: rsaPublicKeyJwkSchema,
    attributes: attributeBandsSchema.default({}),
    /** A band is published only once it holds at least k signatures. */
    k: z.number().int().min(2).max(1000).default(10),
    /** The citizen proposal this petition accepts, if any. */
    proposalId: petitionIdSchema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (new Set(p.options).size !== p.options.length) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'options must be distinct' });
    }
    if (p.kind === 'petition' && (p.threshold === null || p.options.join('|') !== 'Yes|No')) {
      ctx.addIssue({
        code: 'custom',
        path: [p.threshold === null ? 'threshold' : 'options'],
        message: 'a petition has options ["Yes", "No"] and a signature threshold',
      });
    }
    if (p.kind === 'poll' && p.threshold !== null) {
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'a poll has no threshold (null)' });
    }
  });
export type PetitionSpecInput = z.input<typeof petitionSpecSchema>;

export const petitionStatusSchema = z.enum(['open', 'closed']);

export const petitionRecordSchema = z
  .object({
    petitionId: petitionIdSchema,
    ...textFields,
    publicKey: rsaPublicKeyJwkSchema,
    suite: z.literal(TOKEN_SUITE),
    attributes: z.record(z.string(), z.array(z.string())),
    k: z.number().int(),
    proposalId: petitionIdSchema.nullable(),
    /** The stored status; a query reports `closed` from the closing time even before `ClosePetition` stores it. */
    status: petitionStatusSchema,
    created: z.iso.datetime(),
    createdBy: z.string(),
    /**
     * The count in progress, from the first `ClosePetition` on (the petition then takes no more
     * signatures): raw counts (total, per option, per attribute band per option) of the buckets
     * before `nextBucket`. Anyone can check it against `GetSignatures`. Absent before closing.
     */
    tally: z
      .object({
        reason: z.enum(['closing-time', 'withdrawn']),
        nextBucket: z.number().int().min(0).max(BUCKET_COUNT),
        total: z.number().int().min(0),
        counts: z.record(z.string(), z.number().int().min(0)),
        bands: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.number().int().min(0)))),
      })
      .strict()
      .optional(),
    /** Set by `ClosePetition` once every bucket is counted: the final counts and whether the threshold was reached. */
    final: z
      .object({
        closedAt: z.iso.datetime(),
        txId: z.string(),
        total: z.number().int(),
        counts: z.record(z.string(), z.number().int()),
        thresholdReached: z.boolean().nullable(),
        reason: z.enum(['closing-time', 'withdrawn']),
      })
      .strict()
      .nullable(),
  })
  .strict();
export type PetitionRecord = z.infer<typeof petitionRecordSchema>;

export const proposalRecordSchema = proposalSpecSchema
  .extend({
    proposer: didSchema,
    status: z.enum(['proposed', 'accepted', 'rejected']),
    submitted: z.iso.datetime(),
    txId: z.string(),
    decision: z.object({ by: z.string(), at: z.iso.datetime(), petitionId: petitionIdSchema.nullable(), reason: z.string().nullable() }).strict().nullable(),
  })
  .strict();
export type ProposalRecord = z.infer<typeof proposalRecordSchema>;

/** That `did` received its one token for `petitionId`: nothing about the token itself. */
export const issuanceRecordSchema = z.object({ petitionId: petitionIdSchema, did: didSchema, txId: z.string(), issued: z.iso.datetime() }).strict();
export type IssuanceRecord = z.infer<typeof issuanceRecordSchema>;

/** A signature as submitted (`petition:SignPetition`). */
export const signRequestSchema = z
  .object({
    petitionId: petitionIdSchema,
    /** The RFC 9474 prepared message (32-byte random prefix ‖ token message), base64url. */
    token: z.string().regex(/^[A-Za-z0-9_-]{60,400}$/, 'must be the base64url prepared token message'),
    /** The unblinded RFC 9474 signature (an RSASSA-PSS signature), base64url. */
    signature: z.string().regex(/^[A-Za-z0-9_-]{342,683}$/, 'must be a base64url RSA signature of 2048 to 4096 bits'),
    option: z.string().min(1).max(40),
    attributes: z.record(z.string(), z.string()).default({}),
  })
  .strict();

/** A recorded signature: public, unlinkable to the DID that obtained the token. */
export const signatureRecordSchema = z
  .object({
    petitionId: petitionIdSchema,
    /** SHA-256 (hex) of the prepared token message: the spent-token mark. */
    tokenId: hex64,
    token: z.string(),
    signature: z.string(),
    option: z.string(),
    attributes: z.record(z.string(), z.string()),
    txId: z.string(),
    signed: z.iso.datetime(),
  })
  .strict();
export type SignatureRecord = z.infer<typeof signatureRecordSchema>;
