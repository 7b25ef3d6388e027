import { createHash } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { verifyCitizenSignature } from '../identity/citizen-signature';
import { ChaincodeError } from '../shared/errors';
import { collect } from '../shared/iterators';
import { readPage, type Page } from '../shared/pages';
import { emitEvent, readExisting, readRecord, writeRecord } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { parseJsonArgument, validate } from '../shared/validation';
import {
  BUCKET_COUNT,
  PETITION_OBJECT_TYPE,
  PROPOSAL_OBJECT_TYPE,
  SIGNATURE_OBJECT_TYPE,
  TOKEN_SUITE,
  bucketName,
  petitionIdSchema,
  petitionRecordSchema,
  petitionSpecSchema,
  proposalRecordSchema,
  proposalSpecSchema,
  signatureRecordSchema,
  type PetitionRecord,
  type ProposalRecord,
  type SignatureRecord,
} from './model';
import { addCounts, emptyCounts, publish, type RawCounts, type Tally } from './tally';

export const petitionKey = (ctx: Context, id: string): string => ctx.stub.createCompositeKey(PETITION_OBJECT_TYPE, [id]);
const proposalKey = (ctx: Context, id: string): string => ctx.stub.createCompositeKey(PROPOSAL_OBJECT_TYPE, [id]);

/**
 * Load a petition, with its status as of this transaction: `closed` from the closing time on,
 * even before `ClosePetition` has stored it, so the change happens by itself.
 *
 * @throws `INVALID_ARGUMENT` (malformed id), `NOT_FOUND`
 */
export async function loadPetition(ctx: Context, petitionId: string): Promise<PetitionRecord> {
  const id = validate(petitionIdSchema, petitionId, 'petitionId');
  const petition = await readExisting(ctx, petitionKey(ctx, id), petitionRecordSchema, `petition ${id}`);
  return petition.status === 'open' && txTimestamp(ctx) >= petition.closes ? { ...petition, status: 'closed' } : petition;
}

/** @throws `FAILED_PRECONDITION` naming why the petition no longer takes tokens or signatures */
export function requireOpen(petition: PetitionRecord): void {
  if (petition.final !== null) {
    throw new ChaincodeError('FAILED_PRECONDITION', `petition ${petition.petitionId} was closed at ${petition.final.closedAt} (${petition.final.reason})`);
  }
  if (petition.tally !== undefined) {
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      `petition ${petition.petitionId} is closed (${petition.tally.reason}) and its signatures are being counted`,
    );
  }
  if (petition.status !== 'open') {
    throw new ChaincodeError('FAILED_PRECONDITION', `petition ${petition.petitionId} closed at ${petition.closes}`);
  }
}

/** The signatures of one bucket of a petition (one partial-key range, in token id order). */
async function bucketSignatures(ctx: Context, petitionId: string, bucket: number): Promise<SignatureRecord[]> {
  const results = await collect(await ctx.stub.getStateByPartialCompositeKey(SIGNATURE_OBJECT_TYPE, [petitionId, bucketName(bucket)]));
  return results.map((r) => signatureRecordSchema.parse(JSON.parse(Buffer.from(r.value).toString('utf8'))));
}

/**
 * Raw counts of every recorded signature, read page by page (each page its own query, so the
 * peer's `totalQueryLimit` never cuts the count short). Paginated queries are refused in
 * transactions that write: query transactions only.
 */
async function countAll(ctx: Context, petition: PetitionRecord): Promise<RawCounts> {
  let raw = emptyCounts(petition);
  let bookmark = '';
  do {
    const page = await readPage(ctx, SIGNATURE_OBJECT_TYPE, [petition.petitionId], String(COUNT_PAGE_SIZE), bookmark, signatureRecordSchema);
    raw = addCounts(raw, page.records);
    // An empty page ends the count even if it comes with a bookmark, so a count always ends.
    bookmark = page.records.length === 0 ? '' : page.bookmark;
  } while (bookmark !== '');
  return raw;
}

const COUNT_PAGE_SIZE = 1000;

/** Body of `petition:ProposePetition`: a citizen's signed proposal, for the City to accept or reject. */
export async function proposePetition(ctx: Context, request: string): Promise<ProposalRecord> {
  const payload = await verifyCitizenSignature(ctx, parseJsonArgument(z.unknown(), request, 'request'), 'petition:ProposePetition', 'request');
  const envelope = new Set(['action', 'channel', 'did', 'nonce']);
  const spec = validate(proposalSpecSchema, Object.fromEntries(Object.entries(payload).filter(([k]) => !envelope.has(k))), 'request.payload');
  const did = payload.did;
  if ((await readRecord(ctx, proposalKey(ctx, spec.proposalId), proposalRecordSchema)) !== undefined) {
    throw new ChaincodeError('ALREADY_EXISTS', `proposal ${spec.proposalId} already exists`);
  }
  const proposal: ProposalRecord = { ...spec, proposer: did, status: 'proposed', submitted: txTimestamp(ctx), txId: ctx.stub.getTxID(), decision: null };
  await writeRecord(ctx, proposalKey(ctx, spec.proposalId), proposalRecordSchema, proposal);
  emitEvent(ctx, 'petition.Proposed', { proposalId: spec.proposalId, kind: spec.kind, textHash: spec.textHash });
  return proposal;
}

/** Body of `petition:CreatePetition` (City): a new petition or poll, accepting a proposal when `proposalId` is given. */
export async function createPetition(ctx: Context, request: string, createdBy: string): Promise<PetitionRecord> {
  const spec = parseJsonArgument(petitionSpecSchema, request, 'request');
  const textHash = createHash('sha256').update(spec.text, 'utf8').digest('hex');
  if (textHash !== spec.textHash) {
    throw new ChaincodeError('INVALID_ARGUMENT', `request.textHash is not the SHA-256 of request.text (${textHash})`);
  }
  // Stored with milliseconds, like txTimestamp, so that the two compare as strings.
  const closes = new Date(spec.closes).toISOString();
  if (closes <= txTimestamp(ctx)) {
    throw new ChaincodeError('INVALID_ARGUMENT', `request.closes ${spec.closes} is not in the future`);
  }
  if ((await readRecord(ctx, petitionKey(ctx, spec.petitionId), petitionRecordSchema)) !== undefined) {
    throw new ChaincodeError('ALREADY_EXISTS', `petition ${spec.petitionId} already exists`);
  }
  if (spec.proposalId !== undefined) {
    await decideProposal(ctx, spec.proposalId, createdBy, { petitionId: spec.petitionId, reason: null }, spec);
  }
  const { text, proposalId, ...fields } = spec;
  const petition: PetitionRecord = {
    ...fields,
    closes,
    suite: TOKEN_SUITE,
    proposalId: proposalId ?? null,
    status: 'open',
    created: txTimestamp(ctx),
    createdBy,
    final: null,
  };
  await writeRecord(ctx, petitionKey(ctx, spec.petitionId), petitionRecordSchema, petition);
  emitEvent(ctx, 'petition.Created', { petitionId: spec.petitionId, kind: spec.kind, title: spec.title, text, textHash, closes });
  return petition;
}

/** Body of `petition:RejectProposal` (City): `{ proposalId, reason }`. */
export async function rejectProposal(ctx: Context, request: string, by: string): Promise<ProposalRecord> {
  const req = parseJsonArgument(z.object({ proposalId: petitionIdSchema, reason: z.string().min(1).max(500) }).strict(), request, 'request');
  const proposal = await decideProposal(ctx, req.proposalId, by, { petitionId: null, reason: req.reason });
  emitEvent(ctx, 'petition.ProposalRejected', { proposalId: req.proposalId });
  return proposal;
}

async function decideProposal(
  ctx: Context,
  proposalId: string,
  by: string,
  decision: { petitionId: string | null; reason: string | null },
  accepted?: { textHash: string; kind: string },
): Promise<ProposalRecord> {
  const proposal = await readExisting(ctx, proposalKey(ctx, proposalId), proposalRecordSchema, `proposal ${proposalId}`);
  if (proposal.status !== 'proposed') {
    throw new ChaincodeError('FAILED_PRECONDITION', `proposal ${proposalId} was already ${proposal.status}`);
  }
  if (accepted !== undefined && (accepted.textHash !== proposal.textHash || accepted.kind !== proposal.kind)) {
    throw new ChaincodeError('INVALID_ARGUMENT', `request.text differs from the text of proposal ${proposalId} (its textHash is ${proposal.textHash})`);
  }
  const decided: ProposalRecord = {
    ...proposal,
    status: accepted === undefined ? 'rejected' : 'accepted',
    decision: { by, at: txTimestamp(ctx), ...decision },
  };
  await writeRecord(ctx, proposalKey(ctx, proposalId), proposalRecordSchema, decided);
  return decided;
}

const closeRequestSchema = z
  .object({
    petitionId: petitionIdSchema,
    withdraw: z.boolean().default(false),
    /** Stop counting buckets in this transaction once this many signatures are counted (at least one bucket is). */
    maxSignatures: z.number().int().min(1).max(100_000).default(10_000),
  })
  .strict();

/**
 * Body of `petition:ClosePetition`: count the signatures and store the final counts, over as many
 * calls as it takes. The contract lets only the City's petition staff call it (see
 * `ClosePetition`): once the closing time has passed, or before it to withdraw the petition
 * (`withdraw: true`).
 *
 * The first call stores the petition as closed (no signature is accepted after it, and one
 * endorsed before it but ordered after it fails MVCC validation on the petition record) and
 * starts the count. Each call counts whole buckets of signature keys, from where the last one
 * stopped, until it has counted `maxSignatures` (default 10,000), and stores the running raw
 * counts in `tally`; any later call continues the count. The call that counts the last bucket stores
 * `final`. A bucket is one partial-key range read in full, so the peer re-checks it at
 * validation: a bucket that changed meanwhile invalidates the call (`PHANTOM_READ_CONFLICT`),
 * and nothing is lost or counted twice.
 *
 * @param request - JSON `{ petitionId, withdraw?, maxSignatures? (1-100,000) }`
 * @returns the petition: `final` set when the count is complete, else `tally` shows the progress
 * @throws `FAILED_PRECONDITION` (already closed, or still open and not withdrawn by the City),
 *   `INVALID_ARGUMENT`, `NOT_FOUND`
 */
export async function closePetition(ctx: Context, request: string): Promise<PetitionRecord> {
  const req = parseJsonArgument(closeRequestSchema, request, 'request');
  const petition = await loadPetition(ctx, req.petitionId);
  if (petition.final !== null) {
    throw new ChaincodeError('FAILED_PRECONDITION', `petition ${petition.petitionId} was already closed at ${petition.final.closedAt}`);
  }
  const timeUp = petition.status === 'closed';
  if (petition.tally === undefined && !timeUp && !req.withdraw) {
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      `petition ${petition.petitionId} is open until ${petition.closes}; only the City can close it earlier, with withdraw: true`,
    );
  }
  const progress = petition.tally ?? { reason: timeUp ? ('closing-time' as const) : ('withdrawn' as const), nextBucket: 0, ...emptyCounts(petition) };
  const tallied = await countBuckets(ctx, petition, progress, req.maxSignatures);
  const bucket = tallied.nextBucket;
  const closed: PetitionRecord = {
    ...petition,
    status: 'closed',
    tally: tallied,
    final:
      bucket === BUCKET_COUNT
        ? {
            closedAt: txTimestamp(ctx),
            txId: ctx.stub.getTxID(),
            total: tallied.total,
            counts: { ...publish(petition, tallied).counts },
            thresholdReached: petition.threshold === null ? null : tallied.total >= petition.threshold,
            reason: progress.reason,
          }
        : null,
  };
  await writeRecord(ctx, petitionKey(ctx, petition.petitionId), petitionRecordSchema, closed);
  if (closed.final === null) {
    emitEvent(ctx, 'petition.Tallied', { petitionId: petition.petitionId, nextBucket: bucket, buckets: BUCKET_COUNT, total: tallied.total });
  } else {
    emitEvent(ctx, 'petition.Closed', { petitionId: petition.petitionId, ...closed.final });
  }
  return closed;
}

type TallyProgress = NonNullable<PetitionRecord['tally']>;

/** Count whole buckets from `progress.nextBucket` on, until `maxSignatures` more are counted or none is left (at least one bucket). */
async function countBuckets(ctx: Context, petition: PetitionRecord, progress: TallyProgress, maxSignatures: number): Promise<TallyProgress> {
  let raw: RawCounts = progress;
  let bucket = progress.nextBucket;
  const stopAt = progress.total + maxSignatures;
  do {
    raw = addCounts(raw, await bucketSignatures(ctx, petition.petitionId, bucket));
    bucket += 1;
  } while (bucket < BUCKET_COUNT && raw.total < stopAt);
  return { reason: progress.reason, nextBucket: bucket, total: raw.total, counts: { ...raw.counts }, bands: raw.bands };
}

/**
 * Body of `petition:GetResults` (a query): counts as of this transaction, bands under the k rule.
 * Once `ClosePetition` has counted every bucket, the stored count; before, a live count read
 * page by page.
 */
export async function getResults(ctx: Context, petitionId: string): Promise<Tally & { petitionId: string; status: string }> {
  const petition = await loadPetition(ctx, petitionId);
  const raw = petition.final !== null && petition.tally !== undefined ? petition.tally : await countAll(ctx, petition);
  return { petitionId: petition.petitionId, status: petition.status, ...publish(petition, raw) };
}

/**
 * Body of `petition:ListPetitions` (a query): one page of petitions and polls, each with its
 * status as of this transaction.
 *
 * @param pageSize - records per page, 1 to 1000
 * @param bookmark - the previous page's bookmark, or empty for the first page
 * @returns `{ records, bookmark }`; the bookmark is empty after the last page
 * @throws `INVALID_ARGUMENT` (page size)
 */
export async function listPetitions(ctx: Context, pageSize: string, bookmark: string): Promise<Page<PetitionRecord>> {
  const page = await readPage(ctx, PETITION_OBJECT_TYPE, [], pageSize, bookmark, petitionRecordSchema);
  const now = txTimestamp(ctx);
  return { records: page.records.map((p) => (p.status === 'open' && now >= p.closes ? { ...p, status: 'closed' as const } : p)), bookmark: page.bookmark };
}

/** Body of `petition:GetProposal`. @throws `NOT_FOUND` */
export async function getProposal(ctx: Context, proposalId: string): Promise<ProposalRecord> {
  return readExisting(ctx, proposalKey(ctx, validate(petitionIdSchema, proposalId, 'proposalId')), proposalRecordSchema, `proposal ${proposalId}`);
}
