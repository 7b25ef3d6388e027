import { z } from 'zod';
import { MSP_IDS, type MspId } from '../shared/access';
import { didSchema, publicKeyJwkSchema, signatureSchema } from '../identity/did';

/**
 * Debt-sharing among agencies: record shapes. Personal data (the
 * subject's DID, amounts, references) lives only in each creditor's private data collection;
 * the public ledger holds pseudonymous references and statuses.
 */

/** Public-state object types. */
export const CONSENT_OBJECT_TYPE = 'civic.debt.consent';
export const PLAN_OBJECT_TYPE = 'civic.debt.plan';
/** Private-data object types (keys inside a creditor's collection). */
export const RECORD_OBJECT_TYPE = 'civic.debt.record';
export const SHARE_OBJECT_TYPE = 'civic.debt.planshare';

/** The private data collection of a creditor org: `debt<MSP ID>`, e.g. `debtAgenciesMSP` (collections_config.json). */
export function debtCollection(msp: MspId): string {
  return `debt${msp}`;
}

export const mspIdSchema = z.enum(MSP_IDS);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');
const cents = z.number().int('must be whole cents').positive('must be a positive number of cents').max(Number.MAX_SAFE_INTEGER);

/**
 * A debt id: 128 to 256 random bits as lower-case hex, chosen by the creditor's client (never a
 * transaction id or anything else public). It is the only attribute of the record's private key,
 * so the key's hash in the blocks can be neither guessed nor linked to the subject.
 */
export const debtIdSchema = z.string().regex(/^[0-9a-f]{32,64}$/, 'must be 32 to 64 lower-case hex digits (128 to 256 random bits)');
/** A plan id, chosen by the counsellor's client like a debt id, so that a retried proposal is recognised. */
export const planIdSchema = z.string().regex(/^[0-9a-f]{32,64}$/, 'must be 32 to 64 lower-case hex digits (128 to 256 random bits)');

/** A debt as its creditor records it (transient `debt` of `debt:RecordDebt`), under the id its client chose. */
export const newDebtSchema = z
  .object({
    debtId: debtIdSchema,
    subject: didSchema,
    /** The creditor's own file or invoice reference. */
    creditorReference: z.string().min(1).max(64),
    amountCents: cents,
    /** What the debt is for, e.g. "energy bill 2026-Q2". */
    origin: z.string().min(1).max(200),
    /** Since when it is owed, ISO 8601 date. */
    since: z.iso.date(),
  })
  .strict();

/** A debt record in the creditor's collection. Amounts in integer euro cents. */
export const debtRecordSchema = newDebtSchema
  .extend({
    creditor: mspIdSchema,
    outstandingCents: z.number().int().nonnegative(),
    status: z.enum(['open', 'settled']),
    recorded: z.iso.datetime(),
    updated: z.iso.datetime(),
  })
  .strict();
export type DebtRecord = z.infer<typeof debtRecordSchema>;

/**
 * The payload a citizen signs to consent (`debt:Consent`): which counsellor (`<MSP ID>/<enrollment ID>`)
 * may see the debts held by which creditors (`*` = all) until when. `subjectSalt` (32 random bytes,
 * hex) salts the consent's public subject reference.
 */
export const consentPayloadSchema = z
  .object({
    action: z.literal('debt:Consent'),
    channel: z.string(),
    did: didSchema,
    nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
    counsellor: z.string().regex(/^CityMSP\/[A-Za-z0-9._@-]{1,64}$/, 'must name a City debt counsellor as CityMSP/<enrollment id>'),
    creditors: z.union([z.tuple([z.literal('*')]), z.array(mspIdSchema).min(1).max(MSP_IDS.length)]),
    expires: z.iso.datetime(),
    subjectSalt: hex64,
  })
  .strict();

/** A signed consent as the counsellor holds it: the payload, the signature and the key that made it. */
export const signedConsentSchema = z
  .object({ did: didSchema, payload: consentPayloadSchema, signature: signatureSchema, publicKeyJwk: publicKeyJwkSchema })
  .strict();
export type SignedConsent = z.infer<typeof signedConsentSchema>;

/** The public consent record: its id (SHA-256 of the signed consent), scope and status; no personal data. */
export const consentRecordSchema = z
  .object({
    consentId: hex64,
    subjectRef: hex64,
    /** SHA-256(label, subjectSalt, key thumbprint): lets the same key revoke without naming it. */
    keyRef: hex64,
    counsellor: z.string(),
    creditors: z.array(z.string()),
    expires: z.iso.datetime(),
    status: z.enum(['active', 'revoked']),
    recorded: z.iso.datetime(),
    txId: z.string(),
  })
  .strict();
export type ConsentRecord = z.infer<typeof consentRecordSchema>;

/** One creditor's part of a plan, kept in that creditor's collection. Amounts in integer cents. */
export const planShareSchema = z
  .object({
    planId: z.string(),
    creditor: mspIdSchema,
    /** What it is owed at proposal (sum of its open debts of the subject). */
    claimCents: z.number().int().positive(),
    /** Its share of the monthly capacity. */
    monthlyCents: z.number().int().nonnegative(),
    preferential: z.boolean(),
    paidCents: z.number().int().nonnegative(),
    outstandingCents: z.number().int().nonnegative(),
    payments: z.array(z.object({ amountCents: z.number().int().positive(), txId: z.string(), at: z.iso.datetime() }).strict()),
  })
  .strict();
export type PlanShare = z.infer<typeof planShareSchema>;

/** The public plan: who takes part and who has accepted; no amounts. */
export const planSchema = z
  .object({
    planId: planIdSchema,
    /** SHA-256 (hex) of the proposal as the counsellor sent it: a retry under the same plan id must match it. */
    proposalHash: hex64,
    consentId: hex64,
    creditors: z.array(z.object({ creditor: mspIdSchema, decision: z.enum(['pending', 'accepted', 'rejected']), txId: z.string().nullable() }).strict()),
    status: z.enum(['proposed', 'active', 'rejected']),
    proposed: z.iso.datetime(),
    txId: z.string(),
  })
  .strict();
export type Plan = z.infer<typeof planSchema>;
