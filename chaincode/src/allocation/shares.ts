import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { MSP_IDS, type MspId } from '../shared/access';
import { ChaincodeError } from '../shared/errors';
import { emitEvent, readRecord, writeRecord } from '../shared/state';
import { parseJsonArgument } from '../shared/validation';
import { shareCommitment } from './draw';
import { roundIdSchema, shareRecordSchema, shareSchema, type RoundRecord, type ShareRecord } from './round';
import { loadRound, shareKey } from './round-store';

/**
 * The round's randomness, shared by the three orgs (commit-reveal): while a round is open each
 * org's allocation officer commits to a secret share; after the officer of the City closes the
 * round (freezing applications and attestations) each org reveals its share, checked against
 * its commitment; the draw's seed is a hash of all three (allocation/draw.ts `seedFromShares`).
 */

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hash, 64 lower-case hex digits');

/**
 * Body of `allocation:CommitShare`: the caller's org commits to its share, once, until the City
 * closes the round, also after its closing time: applications and attestations are frozen from
 * then on, and no share is revealed before the close, so a late commitment can still not steer
 * the draw, while a refusal would leave the round unable to close for good.
 */
export async function commitShare(ctx: Context, mspId: MspId, request: string): Promise<ShareRecord> {
  const req = parseJsonArgument(z.object({ roundId: roundIdSchema, commitment: hex64 }).strict(), request, 'request');
  const round = await loadRound(ctx, req.roundId);
  if (round.status !== 'open') {
    throw new ChaincodeError('FAILED_PRECONDITION', `round ${round.roundId} is ${round.status}; shares are committed only until it is closed`);
  }
  const existing = await readRecord(ctx, shareKey(ctx, round.roundId, mspId), shareRecordSchema);
  if (existing !== undefined) {
    throw new ChaincodeError('ALREADY_EXISTS', `${mspId} has already committed to a share for round ${round.roundId} (tx ${existing.commitTxId})`);
  }
  const record: ShareRecord = { roundId: round.roundId, mspId, commitment: req.commitment, commitTxId: ctx.stub.getTxID(), share: null, revealTxId: null };
  await writeRecord(ctx, shareKey(ctx, round.roundId, mspId), shareRecordSchema, record);
  emitEvent(ctx, 'allocation.ShareCommitted', { roundId: round.roundId, mspId, commitment: req.commitment });
  return record;
}

/** Every org's share record of a round, in {@link MSP_IDS} order; `undefined` where an org has not committed. */
export async function sharesOf(ctx: Context, roundId: string): Promise<(ShareRecord | undefined)[]> {
  const out: (ShareRecord | undefined)[] = [];
  for (const mspId of MSP_IDS) {
    out.push(await readRecord(ctx, shareKey(ctx, roundId, mspId), shareRecordSchema));
  }
  return out;
}

/**
 * The orgs that have not committed to a share of the round (the round cannot close until all have).
 */
export async function missingCommitments(ctx: Context, round: RoundRecord): Promise<MspId[]> {
  const shares = await sharesOf(ctx, round.roundId);
  return MSP_IDS.filter((_, i) => shares[i] === undefined);
}

/** Body of `allocation:RevealShare`: the caller's org reveals its share after the round closed; it must match the commitment. */
export async function revealShare(ctx: Context, mspId: MspId, request: string): Promise<ShareRecord> {
  const req = parseJsonArgument(z.object({ roundId: roundIdSchema, share: shareSchema }).strict(), request, 'request');
  const round = await loadRound(ctx, req.roundId);
  if (round.status !== 'closed') {
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      round.status === 'open'
        ? `round ${round.roundId} is still open; shares are revealed only after it is closed`
        : `round ${round.roundId} has already been drawn`,
    );
  }
  const existing = await readRecord(ctx, shareKey(ctx, round.roundId, mspId), shareRecordSchema);
  if (existing === undefined) {
    throw new ChaincodeError('NOT_FOUND', `${mspId} committed to no share for round ${round.roundId}`);
  }
  if (existing.share !== null) {
    throw new ChaincodeError('ALREADY_EXISTS', `${mspId} has already revealed its share for round ${round.roundId} (tx ${existing.revealTxId ?? ''})`);
  }
  if (shareCommitment(round.roundId, mspId, req.share) !== existing.commitment) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      `request.share does not match the commitment ${mspId} made for round ${round.roundId} (tx ${existing.commitTxId})`,
    );
  }
  const revealed: ShareRecord = { ...existing, share: req.share, revealTxId: ctx.stub.getTxID() };
  await writeRecord(ctx, shareKey(ctx, round.roundId, mspId), shareRecordSchema, revealed);
  emitEvent(ctx, 'allocation.ShareRevealed', { roundId: round.roundId, mspId });
  return revealed;
}
