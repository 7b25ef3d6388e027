import type { Context } from 'fabric-contract-api';
import { readExisting } from '../shared/state';
import { validate } from '../shared/validation';
import { ROUND_OBJECT_TYPE, SHARE_OBJECT_TYPE, roundIdSchema, roundRecordSchema, type RoundRecord } from './round';

/** World-state key of a round. */
export const roundKey = (ctx: Context, id: string): string => ctx.stub.createCompositeKey(ROUND_OBJECT_TYPE, [id]);

/** World-state key of one org's share of a round's randomness. */
export const shareKey = (ctx: Context, id: string, mspId: string): string => ctx.stub.createCompositeKey(SHARE_OBJECT_TYPE, [id, mspId]);

/**
 * A round by id.
 *
 * @throws ChaincodeError `INVALID_ARGUMENT` (malformed id), `NOT_FOUND`
 */
export async function loadRound(ctx: Context, roundId: string): Promise<RoundRecord> {
  return readExisting(ctx, roundKey(ctx, validate(roundIdSchema, roundId, 'roundId')), roundRecordSchema, `round ${roundId}`);
}
