import { createHash } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import type { MspId } from '../shared/access';
import { canonicalBytes } from '../shared/canonical-json';
import { ChaincodeError } from '../shared/errors';
import { emitEvent, readExisting, readRecord, writeRecord } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { keyAttribute } from '../shared/validation';
import {
  PLAN_OBJECT_TYPE,
  SHARE_OBJECT_TYPE,
  debtCollection,
  debtRecordSchema,
  mspIdSchema,
  planIdSchema,
  planSchema,
  planShareSchema,
  signedConsentSchema,
  type DebtRecord,
  type Plan,
  type PlanShare,
} from './model';
import { requireUsableConsent } from './consent';
import { putPrivate, requireStored, transientJson } from './private-data';
import { shareProRata } from './pro-rata';
import { recordKey } from './records';

/**
 * Repayment plans: the counsellor shares the citizen's monthly capacity among the
 * creditors pro rata (pro-rata.ts); each creditor's share goes into its own collection, so each
 * sees only its own; the public plan says who takes part and who accepted, with no amounts.
 */

const proposalSchema = z
  .object({
    /** Chosen by the counsellor's client; the same proposal again under it is answered, not repeated. */
    planId: planIdSchema,
    consent: signedConsentSchema,
    /** The citizen's monthly repayment capacity, integer cents. */
    capacityCents: z.number().int('must be whole cents').positive('must be more than zero: there is nothing to share'),
    /** Creditors weighted double (e.g. the tax office), by MSP ID. */
    preferential: z.array(mspIdSchema).max(3).default([]),
    /** The subject's open debts, as the overview returned them (verified here against the ledger's hashes). */
    records: z.array(debtRecordSchema).min(1).max(500),
  })
  .strict();

const shareKey = (ctx: Context, planId: string): string => ctx.stub.createCompositeKey(SHARE_OBJECT_TYPE, [keyAttribute(planId, 'planId')]);
const planKey = (ctx: Context, planId: string): string => ctx.stub.createCompositeKey(PLAN_OBJECT_TYPE, [keyAttribute(planId, 'planId')]);

async function verifiedOpenDebts(ctx: Context, records: readonly DebtRecord[], subject: string): Promise<Map<MspId, number>> {
  const owed = new Map<MspId, number>();
  const seen = new Set<string>();
  for (const [i, r] of records.entries()) {
    if (r.subject !== subject || seen.has(r.debtId) || r.status !== 'open') {
      throw new ChaincodeError(
        'INVALID_ARGUMENT',
        `transient.plan.records.${String(i)}: debt ${r.debtId} is not an open debt of the consenting subject, listed once`,
      );
    }
    seen.add(r.debtId);
    await requireStored(ctx, debtCollection(r.creditor), recordKey(ctx, r.debtId), r, `debt ${r.debtId} of ${r.creditor}`);
    owed.set(r.creditor, (owed.get(r.creditor) ?? 0) + r.outstandingCents);
  }
  return owed;
}

/** SHA-256 (hex) over a domain label and the RFC 8785 canonical proposal. */
const proposalHashOf = (proposal: z.infer<typeof proposalSchema>): string =>
  createHash('sha256')
    .update('civic.debt.plan-proposal.v1\u0000')
    .update(canonicalBytes({ ...proposal, preferential: [...new Set(proposal.preferential)].sort() }))
    .digest('hex');

type ProposalOutcome = { planId: string; creditors: MspId[]; status: 'proposed' | 'already proposed' };

/**
 * Body of `debt:ProposePlan` (the consent's counsellor). Transient `plan`: `{ planId, consent,
 * capacityCents, preferential, records }`, `planId` chosen by the client (128 to 256 random bits).
 *
 * Idempotent under the plan id: the same proposal again (a retry after a commit status that
 * stayed unknown) writes nothing and answers `already proposed`; another proposal under that id
 * is refused. The public plan keeps the proposal's hash to tell the two apart; the hash covers
 * the signed consent and the private records, so it cannot be matched against guesses.
 *
 * @returns `{ planId, creditors, status }` (no amounts: the result is in the block)
 * @throws `INVALID_ARGUMENT` (zero capacity, records of someone else), `FAILED_PRECONDITION` (consent
 *   revoked, expired or out of scope; a record altered or stale), `ALREADY_EXISTS` (another
 *   proposal under this plan id), `NOT_FOUND`, `FORBIDDEN`
 */
export async function proposePlan(ctx: Context): Promise<ProposalOutcome> {
  const p = transientJson(ctx, 'plan', proposalSchema);
  const proposalHash = proposalHashOf(p);
  const existing = await readRecord(ctx, planKey(ctx, p.planId), planSchema);
  if (existing !== undefined) {
    if (existing.proposalHash !== proposalHash) {
      throw new ChaincodeError('ALREADY_EXISTS', `plan ${p.planId} was already proposed (tx ${existing.txId}) with other details`);
    }
    return { planId: p.planId, creditors: existing.creditors.map((c) => c.creditor), status: 'already proposed' };
  }
  const owed = await verifiedOpenDebts(ctx, p.records, p.consent.did);
  let consentId = '';
  for (const creditor of owed.keys()) {
    consentId = (await requireUsableConsent(ctx, p.consent, creditor, false)).consentId;
  }
  const preferential = new Set(p.preferential);
  const shares = shareProRata(
    p.capacityCents,
    [...owed].map(([creditorId, owedCents]) => ({ creditorId, owedCents, preferential: preferential.has(creditorId) })),
    preferential.size > 0 ? 2 : 1,
  );
  const planId = p.planId;
  for (const s of shares) {
    const creditor = s.creditorId as MspId;
    const claimCents = owed.get(creditor) ?? 0;
    const share: PlanShare = {
      planId,
      creditor,
      claimCents,
      monthlyCents: s.cents,
      preferential: preferential.has(creditor),
      paidCents: 0,
      outstandingCents: claimCents,
      payments: [],
    };
    await putPrivate(ctx, debtCollection(creditor), shareKey(ctx, planId), planShareSchema, share);
  }
  const creditors = shares.map((s) => s.creditorId as MspId);
  const plan: Plan = {
    planId,
    proposalHash,
    consentId,
    creditors: creditors.map((creditor) => ({ creditor, decision: 'pending', txId: null })),
    status: 'proposed',
    proposed: txTimestamp(ctx),
    txId: ctx.stub.getTxID(),
  };
  await writeRecord(ctx, planKey(ctx, planId), planSchema, plan);
  emitEvent(ctx, 'debt.PlanProposed', { planId, creditors });
  return { planId, creditors, status: 'proposed' };
}

/** A plan by id (public: no amounts). @throws `NOT_FOUND` */
export async function getPlan(ctx: Context, planId: string): Promise<Plan> {
  return readExisting(ctx, planKey(ctx, planId), planSchema, `plan ${planId}`);
}

/**
 * Body of `debt:DecidePlan`: a creditor accepts or rejects its share. The plan becomes active when
 * every creditor has accepted, rejected when any rejects.
 *
 * @throws `NOT_FOUND`, `FORBIDDEN` (not a creditor of the plan), `FAILED_PRECONDITION` (already decided, plan closed)
 */
export async function decidePlan(ctx: Context, planId: string, creditor: MspId, decision: 'accepted' | 'rejected'): Promise<Plan> {
  const plan = await getPlan(ctx, planId);
  const mine = plan.creditors.find((c) => c.creditor === creditor);
  if (mine === undefined) {
    throw new ChaincodeError('FORBIDDEN', `${creditor} is not a creditor in plan ${planId}`);
  }
  if (plan.status !== 'proposed' || mine.decision !== 'pending') {
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      `plan ${planId} is ${plan.status} and ${creditor} has ${mine.decision === 'pending' ? 'not decided' : mine.decision}`,
    );
  }
  const creditors = plan.creditors.map((c) => (c.creditor === creditor ? { ...c, decision, txId: ctx.stub.getTxID() } : c));
  const status = decision === 'rejected' ? 'rejected' : creditors.every((c) => c.decision === 'accepted') ? 'active' : 'proposed';
  const updated: Plan = { ...plan, creditors, status };
  await writeRecord(ctx, planKey(ctx, planId), planSchema, updated);
  emitEvent(ctx, 'debt.PlanDecided', { planId, creditor, decision, status });
  return updated;
}

const paymentSchema = z
  .object({ share: planShareSchema, amountCents: z.number().int('must be whole cents').positive('must be a positive number of cents') })
  .strict();

/**
 * Body of `debt:RecordPayment`: the creditor records a payment received under an active plan.
 * Transient `payment`: `{ share (its current share record), amountCents }`.
 *
 * @returns `{ planId, creditor }` (amounts stay private)
 * @throws `FAILED_PRECONDITION` (plan not active, share stale, payment above what is outstanding), `FORBIDDEN`, `NOT_FOUND`
 */
export async function recordPayment(ctx: Context, creditor: MspId): Promise<{ planId: string; creditor: MspId }> {
  const { share, amountCents } = transientJson(ctx, 'payment', paymentSchema);
  if (share.creditor !== creditor) {
    throw new ChaincodeError('FORBIDDEN', `that share of plan ${share.planId} belongs to ${share.creditor}, not ${creditor}`);
  }
  const plan = await getPlan(ctx, share.planId);
  if (plan.status !== 'active') {
    throw new ChaincodeError('FAILED_PRECONDITION', `plan ${plan.planId} is ${plan.status}, not active`);
  }
  await requireStored(ctx, debtCollection(creditor), shareKey(ctx, share.planId), share, `the share of ${creditor} in plan ${share.planId}`);
  if (amountCents > share.outstandingCents) {
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      `transient.payment.amountCents: ${String(amountCents)} is more than the ${String(share.outstandingCents)} cents outstanding`,
    );
  }
  const updated: PlanShare = {
    ...share,
    paidCents: share.paidCents + amountCents,
    outstandingCents: share.outstandingCents - amountCents,
    payments: [...share.payments, { amountCents, txId: ctx.stub.getTxID(), at: txTimestamp(ctx) }],
  };
  await putPrivate(ctx, debtCollection(creditor), shareKey(ctx, share.planId), planShareSchema, updated);
  emitEvent(ctx, 'debt.PaymentRecorded', { planId: share.planId, creditor });
  return { planId: share.planId, creditor };
}

/** A creditor's own share of a plan, read on a peer of its own org. @throws `NOT_FOUND` */
export async function ownShare(ctx: Context, creditor: MspId, planId: string): Promise<PlanShare> {
  const bytes = await ctx.stub.getPrivateData(debtCollection(creditor), shareKey(ctx, planId));
  if (bytes.length === 0) {
    throw new ChaincodeError('NOT_FOUND', `${creditor} has no share in plan ${planId}`);
  }
  return planShareSchema.parse(JSON.parse(Buffer.from(bytes).toString('utf8')));
}
