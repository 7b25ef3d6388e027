import { createHash } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { verifyCitizenSignature } from '../identity/citizen-signature';
import { ChaincodeError } from '../shared/errors';
import { collect } from '../shared/iterators';
import { emitEvent, readExisting, readRecord, writeRecord } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { parseJsonArgument, validate } from '../shared/validation';
import {
  PETITION_OBJECT_TYPE,
  PROPOSAL_OBJECT_TYPE,
  SIGNATURE_OBJECT_TYPE,
  TOKEN_SUITE,
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
import { tally, type Tally } from './tally';

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
  if (petition.status !== 'open') {
    throw new ChaincodeError('FAILED_PRECONDITION', `petition ${petition.petitionId} closed at ${petition.closes}`);
  }
}

/** Every recorded signature of a petition, in key (token id) order. */
export async function signaturesOf(ctx: Context, petitionId: string): Promise<SignatureRecord[]> {
  const results = await collect(await ctx.stub.getStateByPartialCompositeKey(SIGNATURE_OBJECT_TYPE, [petitionId]));
  return results.map((r) => signatureRecordSchema.parse(JSON.parse(Buffer.from(r.value).toString('utf8'))));
}

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

/**
 * Body of `petition:ClosePetition`: store the final counts. Anyone may close once the closing time
 * has passed; before it, only the City (withdrawing the petition, with `withdraw: true`).
 *
 * @throws `FAILED_PRECONDITION` (already closed, or still open and not withdrawn by the City)
 */
export async function closePetition(ctx: Context, request: string, isCity: boolean): Promise<PetitionRecord> {
  const req = parseJsonArgument(z.object({ petitionId: petitionIdSchema, withdraw: z.boolean().default(false) }).strict(), request, 'request');
  const petition = await loadPetition(ctx, req.petitionId);
  if (petition.final !== null) {
    throw new ChaincodeError('FAILED_PRECONDITION', `petition ${petition.petitionId} was already closed at ${petition.final.closedAt}`);
  }
  const timeUp = petition.status === 'closed';
  if (!timeUp && !(req.withdraw && isCity)) {
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      `petition ${petition.petitionId} is open until ${petition.closes}; only the City can close it earlier, with withdraw: true`,
    );
  }
  const t = tally(petition, await signaturesOf(ctx, petition.petitionId));
  const closed: PetitionRecord = {
    ...petition,
    status: 'closed',
    final: {
      closedAt: txTimestamp(ctx),
      txId: ctx.stub.getTxID(),
      total: t.total,
      counts: { ...t.counts },
      thresholdReached: t.thresholdReached,
      reason: timeUp ? 'closing-time' : 'withdrawn',
    },
  };
  await writeRecord(ctx, petitionKey(ctx, petition.petitionId), petitionRecordSchema, closed);
  emitEvent(ctx, 'petition.Closed', { petitionId: petition.petitionId, ...closed.final });
  return closed;
}

/** Body of `petition:GetResults`: live counts as of this transaction, bands under the k rule. */
export async function getResults(ctx: Context, petitionId: string): Promise<Tally & { petitionId: string; status: string }> {
  const petition = await loadPetition(ctx, petitionId);
  return { petitionId: petition.petitionId, status: petition.status, ...tally(petition, await signaturesOf(ctx, petition.petitionId)) };
}

/** Body of `petition:ListPetitions`: every petition and poll, with its status as of this transaction. */
export async function listPetitions(ctx: Context): Promise<PetitionRecord[]> {
  const results = await collect(await ctx.stub.getStateByPartialCompositeKey(PETITION_OBJECT_TYPE, []));
  const now = txTimestamp(ctx);
  return results
    .map((r) => petitionRecordSchema.parse(JSON.parse(Buffer.from(r.value).toString('utf8'))))
    .map((p) => (p.status === 'open' && now >= p.closes ? { ...p, status: 'closed' as const } : p));
}

/** Body of `petition:GetProposal`. @throws `NOT_FOUND` */
export async function getProposal(ctx: Context, proposalId: string): Promise<ProposalRecord> {
  return readExisting(ctx, proposalKey(ctx, validate(petitionIdSchema, proposalId, 'proposalId')), proposalRecordSchema, `proposal ${proposalId}`);
}
