import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { ChaincodeError } from '../shared/errors';
import { collect } from '../shared/iterators';
import { MSP_IDS } from '../shared/access';
import { emitEvent, readExisting, readRecord, writeRecord } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { parseJsonArgument, validate } from '../shared/validation';
import { verifyCitizenSignature } from '../identity/citizen-signature';
import { didSchema } from '../identity/did';
import { promote, runDraw, seedFromShares, type Application } from './draw';
import {
  APPLICATION_OBJECT_TYPE,
  ATTESTATION_OBJECT_TYPE,
  applicationSchema,
  attestationSchema,
  roundIdSchema,
  roundRecordSchema,
  roundSpecSchema,
  type ApplicationRecord,
  type RoundRecord,
  type ShareRecord,
} from './round';
import { loadRound, roundKey } from './round-store';
import { missingCommitments, sharesOf } from './shares';

const applicationKey = (ctx: Context, id: string, did: string): string => ctx.stub.createCompositeKey(APPLICATION_OBJECT_TYPE, [id, did]);
const attestationKey = (ctx: Context, id: string, did: string): string => ctx.stub.createCompositeKey(ATTESTATION_OBJECT_TYPE, [id, did]);

/**
 * Refuse a change to a round's inputs (applications, withdrawals, attestations) once the round is
 * frozen: closed by the officer, or past its closing time.
 *
 * @throws ChaincodeError `FAILED_PRECONDITION` naming the round and why it is frozen
 */
function requireOpen(ctx: Context, round: RoundRecord): void {
  if (round.status !== 'open') {
    throw new ChaincodeError('FAILED_PRECONDITION', `round ${round.roundId} is closed`);
  }
  if (txTimestamp(ctx) > round.closes) {
    throw new ChaincodeError('FAILED_PRECONDITION', `round ${round.roundId} closed for applications at ${round.closes}`);
  }
}

/** Body of `allocation:OpenRound`. */
export async function openRound(ctx: Context, request: string): Promise<RoundRecord> {
  const spec = parseJsonArgument(roundSpecSchema, request, 'request');
  const categories = new Set(spec.sites.map((s) => s.category));
  const unknown = Object.keys(spec.quotas).find((c) => !categories.has(c));
  if (unknown !== undefined) {
    throw new ChaincodeError('INVALID_ARGUMENT', `request.quotas.${unknown}: no site has that category`);
  }
  if ((await readRecord(ctx, roundKey(ctx, spec.roundId), roundRecordSchema)) !== undefined) {
    throw new ChaincodeError('ALREADY_EXISTS', `round ${spec.roundId} already exists`);
  }
  const round: RoundRecord = { ...spec, status: 'open', opened: txTimestamp(ctx), closedAt: null, seed: null, shares: null, result: null };
  await writeRecord(ctx, roundKey(ctx, spec.roundId), roundRecordSchema, round);
  emitEvent(ctx, 'allocation.RoundOpened', { roundId: spec.roundId, sites: spec.sites.length, closes: spec.closes });
  return round;
}

const applyPayloadSchema = z
  .object({ roundId: roundIdSchema, preferences: z.array(z.string()).min(1).max(50), group: z.string().nullable().default(null) })
  .loose();

/** Body of `allocation:Apply`: the applicant's signed, ranked preferences; one per DID per round. */
export async function apply(ctx: Context, request: string): Promise<ApplicationRecord> {
  const payload = await verifyCitizenSignature(ctx, parseJsonArgument(z.unknown(), request, 'request'), 'allocation:Apply', 'request');
  const p = validate(applyPayloadSchema, payload, 'request.payload');
  const round = await loadRound(ctx, p.roundId);
  requireOpen(ctx, round);
  const siteIds = new Set(round.sites.map((s) => s.id));
  const bad = p.preferences.find((id) => !siteIds.has(id));
  if (bad !== undefined || new Set(p.preferences).size !== p.preferences.length) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      bad === undefined
        ? 'request.payload.preferences: each site may be listed once'
        : `request.payload.preferences: ${bad} is not a site of round ${round.roundId}`,
    );
  }
  if (p.group !== null && !round.priorityGroups.includes(p.group)) {
    throw new ChaincodeError('INVALID_ARGUMENT', `request.payload.group: ${p.group} is not a priority group of round ${round.roundId}`);
  }
  const existing = await readRecord(ctx, applicationKey(ctx, round.roundId, payload.did), applicationSchema);
  if (existing?.status === 'active') {
    throw new ChaincodeError('ALREADY_EXISTS', `${payload.did} has already applied to round ${round.roundId} (tx ${existing.txId})`);
  }
  const application: ApplicationRecord = {
    roundId: round.roundId,
    applicant: payload.did,
    preferences: p.preferences,
    group: p.group,
    status: 'active',
    txId: ctx.stub.getTxID(),
    submitted: txTimestamp(ctx),
  };
  await writeRecord(ctx, applicationKey(ctx, round.roundId, payload.did), applicationSchema, application);
  emitEvent(ctx, 'allocation.Applied', { roundId: round.roundId, txId: application.txId });
  return application;
}

/** Body of `allocation:WithdrawApplication`: the applicant's signed withdrawal before the draw. */
export async function withdrawApplication(ctx: Context, request: string): Promise<ApplicationRecord> {
  const payload = await verifyCitizenSignature(ctx, parseJsonArgument(z.unknown(), request, 'request'), 'allocation:WithdrawApplication', 'request');
  const { roundId } = validate(z.object({ roundId: roundIdSchema }).loose(), payload, 'request.payload');
  const round = await loadRound(ctx, roundId);
  requireOpen(ctx, round);
  const application = await readExisting(
    ctx,
    applicationKey(ctx, roundId, payload.did),
    applicationSchema,
    `application of ${payload.did} to round ${roundId}`,
  );
  if (application.status === 'withdrawn') {
    throw new ChaincodeError('FAILED_PRECONDITION', `the application of ${payload.did} to round ${roundId} is already withdrawn`);
  }
  const withdrawn: ApplicationRecord = { ...application, status: 'withdrawn' };
  await writeRecord(ctx, applicationKey(ctx, roundId, payload.did), applicationSchema, withdrawn);
  emitEvent(ctx, 'allocation.Withdrawn', { roundId });
  return withdrawn;
}

const attestSchema = z.object({ roundId: roundIdSchema, applicant: didSchema, group: z.string(), evidenceHash: z.string() }).strict();

/** Body of `allocation:AttestPriority`: the City records that it verified an applicant's group credential. */
export async function attestPriority(ctx: Context, request: string): Promise<z.infer<typeof attestationSchema>> {
  const req = parseJsonArgument(attestSchema, request, 'request');
  const round = await loadRound(ctx, req.roundId);
  requireOpen(ctx, round);
  if (!round.priorityGroups.includes(req.group)) {
    throw new ChaincodeError('INVALID_ARGUMENT', `request.group: ${req.group} is not a priority group of round ${round.roundId}`);
  }
  const attestation = validate(attestationSchema, { ...req, txId: ctx.stub.getTxID() }, 'request');
  await writeRecord(ctx, attestationKey(ctx, req.roundId, req.applicant), attestationSchema, attestation);
  emitEvent(ctx, 'allocation.PriorityAttested', { roundId: req.roundId, group: req.group });
  return attestation;
}

/**
 * The applications the draw uses: active ones, each with its group only when the City
 * attested that group (an unproven claim is drawn without priority). The round's attestations
 * are read with one range query, not one read per applicant: a draw of 10,000 applications
 * would otherwise make 10,000 round trips to the peer and put 10,000 reads of absent keys
 * (about 1 MB) into the transaction's read set.
 */
export async function drawInputs(ctx: Context, roundId: string): Promise<Application[]> {
  const applications = (await collect(await ctx.stub.getStateByPartialCompositeKey(APPLICATION_OBJECT_TYPE, [roundId])))
    .map((kv) => applicationSchema.parse(JSON.parse(Buffer.from(kv.value).toString('utf8'))))
    .filter((a) => a.status === 'active');
  const attested = new Map(
    (await collect(await ctx.stub.getStateByPartialCompositeKey(ATTESTATION_OBJECT_TYPE, [roundId])))
      .map((kv) => attestationSchema.parse(JSON.parse(Buffer.from(kv.value).toString('utf8'))))
      .map((a) => [a.applicant, a.group]),
  );
  return applications.map((a) => ({
    applicant: a.applicant,
    preferences: a.preferences,
    group: a.group !== null && attested.get(a.applicant) === a.group ? a.group : undefined,
  }));
}

/**
 * What `allocation:DrawRound` returns: the draw in figures. The whole result (every applicant's
 * position) is in the round (`GetRound`); echoing it in the response would put it into the
 * transaction twice, which for 10,000 applications passes the 4 MB a gRPC client accepts by default.
 */
export interface DrawSummary {
  readonly roundId: string;
  readonly status: 'drawn';
  readonly seed: string;
  readonly randomness: string;
  readonly inputsDigest: string;
  readonly drawTxId: string;
  readonly applications: number;
  readonly assigned: number;
  readonly waiting: number;
}

/**
 * Body of `allocation:CloseRound`: freeze the round. From this transaction on, Apply,
 * WithdrawApplication and AttestPriority are refused, and the orgs may reveal their shares.
 * Every org must have committed to a share first (otherwise an org could commit after seeing
 * the others' reveals and choose the seed).
 *
 * @throws ChaincodeError `FAILED_PRECONDITION` (not open, or an org has not committed)
 */
export async function closeRound(ctx: Context, request: string): Promise<RoundRecord> {
  const req = parseJsonArgument(z.object({ roundId: roundIdSchema }).strict(), request, 'request');
  const round = await loadRound(ctx, req.roundId);
  if (round.status !== 'open') {
    throw new ChaincodeError('FAILED_PRECONDITION', `round ${round.roundId} is already ${round.status}`);
  }
  const missing = await missingCommitments(ctx, round);
  if (missing.length > 0) {
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      `round ${round.roundId} cannot close before every org committed to a share; missing: ${missing.join(', ')}`,
    );
  }
  const closed: RoundRecord = { ...round, status: 'closed', closedAt: txTimestamp(ctx) };
  await writeRecord(ctx, roundKey(ctx, round.roundId), roundRecordSchema, closed);
  emitEvent(ctx, 'allocation.RoundClosed', { roundId: round.roundId, closedAt: closed.closedAt });
  return closed;
}

/**
 * Body of `allocation:DrawRound`: once every org has revealed its share, derive the seed
 * (allocation/draw.ts `seedFromShares`, shares in `MSP_IDS` order), run the draw, and record the
 * seed, the shares and the result in the round.
 *
 * @throws ChaincodeError `FAILED_PRECONDITION` (not closed, already drawn, or a share not revealed, naming the orgs)
 */
export async function drawRound(ctx: Context, request: string): Promise<DrawSummary> {
  const req = parseJsonArgument(z.object({ roundId: roundIdSchema }).strict(), request, 'request');
  const round = await loadRound(ctx, req.roundId);
  if (round.status !== 'closed') {
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      round.status === 'open' ? `round ${round.roundId} is still open; close it first` : `round ${round.roundId} has already been drawn`,
    );
  }
  const records = await sharesOf(ctx, round.roundId);
  const unrevealed = MSP_IDS.filter((_, i) => records[i]?.share == null);
  if (unrevealed.length > 0) {
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      `round ${round.roundId} cannot be drawn before every org revealed its share; not revealed: ${unrevealed.join(', ')}`,
    );
  }
  const shares = records as ShareRecord[];
  const seed = seedFromShares(
    round.roundId,
    shares.map((s) => ({ mspId: s.mspId, share: s.share ?? '' })),
  );
  const result = runDraw(round, await drawInputs(ctx, round.roundId), seed);
  const drawn: RoundRecord = { ...round, status: 'drawn', seed, shares, result: { ...result, drawTxId: ctx.stub.getTxID(), changes: [] } };
  await writeRecord(ctx, roundKey(ctx, round.roundId), roundRecordSchema, drawn);
  const summary: DrawSummary = {
    roundId: round.roundId,
    status: 'drawn',
    seed,
    randomness: result.randomness,
    inputsDigest: result.inputsDigest,
    drawTxId: ctx.stub.getTxID(),
    applications: result.order.length,
    assigned: Object.keys(result.assignments).length,
    waiting: result.waitingList.length,
  };
  emitEvent(ctx, 'allocation.RoundDrawn', {
    roundId: round.roundId,
    randomness: result.randomness,
    inputsDigest: result.inputsDigest,
    assigned: summary.assigned,
    waiting: summary.waiting,
  });
  return summary;
}

/** What `allocation:ReleaseSite` and `MarkNoShow` return: the change, as recorded in the round's result. */
export type SiteChange = NonNullable<RoundRecord['result']>['changes'][number] & { readonly roundId: string };

/** Body of `allocation:ReleaseSite`: a winner's withdrawal (signed) or a no-show (officer) promotes the waiting list. */
export async function releaseSite(ctx: Context, roundId: string, site: string, holder: string, reason: 'withdrawn' | 'no-show'): Promise<SiteChange> {
  const round = await loadRound(ctx, roundId);
  if (round.result === null) {
    throw new ChaincodeError('FAILED_PRECONDITION', `round ${roundId} has not been drawn`);
  }
  if (round.result.assignments[site] !== holder) {
    throw new ChaincodeError('FAILED_PRECONDITION', `site ${site} of round ${roundId} is not held by ${holder}`);
  }
  const promoted = promote(round.result, await drawInputs(ctx, roundId), site);
  const next = promoted.assignments[site] ?? null;
  const change = { site, released: holder, promoted: next, txId: ctx.stub.getTxID(), reason };
  const updated: RoundRecord = { ...round, result: { ...promoted, drawTxId: round.result.drawTxId, changes: [...round.result.changes, change] } };
  await writeRecord(ctx, roundKey(ctx, roundId), roundRecordSchema, updated);
  emitEvent(ctx, 'allocation.SiteReleased', { roundId, site, reason, promoted: next !== null });
  return { roundId, ...change };
}

/** Body of `allocation:GetRound`. */
export async function getRound(ctx: Context, roundId: string): Promise<RoundRecord> {
  return loadRound(ctx, roundId);
}

/** Body of `allocation:GetApplications`: every application (active and withdrawn), for audit. */
export async function getApplications(ctx: Context, roundId: string): Promise<ApplicationRecord[]> {
  const round = await loadRound(ctx, roundId);
  return (await collect(await ctx.stub.getStateByPartialCompositeKey(APPLICATION_OBJECT_TYPE, [round.roundId]))).map((kv) =>
    applicationSchema.parse(JSON.parse(Buffer.from(kv.value).toString('utf8'))),
  );
}
