import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import type { MspId } from '../shared/access';
import { ChaincodeError } from '../shared/errors';
import { emitEvent } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { validate } from '../shared/validation';
import { didSchema } from '../identity/did';
import { RECORD_OBJECT_TYPE, debtCollection, debtRecordSchema, newDebtSchema, type DebtRecord } from './model';
import { privateRecords, putPrivate, requireStored, transientJson } from './private-data';

/**
 * The private key of a debt record: its object type and the debt id, and nothing else. Fabric
 * writes the unsalted SHA-256 of every private key into the block; the id is random and never
 * public, so that hash links the record to no one (not even with every DID and transaction id
 * at hand). The subject is in the value only.
 */
export function recordKey(ctx: Context, debtId: string): string {
  return ctx.stub.createCompositeKey(RECORD_OBJECT_TYPE, [debtId]);
}

/** What a new debt and a stored record must agree on for the new one to be a retry of the stored one. */
const SAME_DEBT = ['subject', 'creditorReference', 'amountCents', 'origin', 'since'] as const;

/**
 * The record already stored under a debt id, if any, read on a peer of the creditor's org.
 *
 * @throws `FAILED_PRECONDITION` when the key exists but this peer holds no value (not a member peer)
 */
async function storedRecord(ctx: Context, collection: string, key: string, debtId: string): Promise<DebtRecord | undefined> {
  if (Buffer.from(await ctx.stub.getPrivateDataHash(collection, key)).length === 0) {
    return undefined;
  }
  const bytes = await ctx.stub.getPrivateData(collection, key);
  if (bytes.length === 0) {
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      `debt ${debtId} exists in ${collection}, but this peer does not hold it: endorse on a peer of its creditor`,
    );
  }
  return debtRecordSchema.parse(JSON.parse(Buffer.from(bytes).toString('utf8')));
}

/**
 * Body of `debt:RecordDebt`: the caller's org records a debt in its own collection. Transient
 * `debt`: `{ debtId, subject, creditorReference, amountCents, origin, since }`, where `debtId` is
 * 128 to 256 random bits in hex chosen by the client (see `debtIdSchema`). The DID is not looked
 * up (that read would name it in the block); the creditor knows its debtor. Nothing is written to
 * public state, so the creditor's own peer endorses it alone (the collection's endorsement
 * policy) and no other org sees the debt.
 *
 * Idempotent under the client's id: the same debt under the same id again (a retry after a
 * commit status that stayed unknown) writes nothing and answers `already recorded`; a client
 * that sees that answer at endorsement need not order the transaction at all.
 *
 * @returns `{ creditor, status }`, status `recorded` or `already recorded`; never the debt id
 *   (the result is in the block, and the id must stay private)
 * @throws `INVALID_ARGUMENT` (missing or malformed transient data), `ALREADY_EXISTS` (another
 *   debt is recorded under that id; nothing is written)
 */
export async function recordDebt(ctx: Context, creditor: MspId): Promise<{ creditor: MspId; status: 'recorded' | 'already recorded' }> {
  const debt = transientJson(ctx, 'debt', newDebtSchema);
  const collection = debtCollection(creditor);
  const key = recordKey(ctx, debt.debtId);
  const stored = await storedRecord(ctx, collection, key, debt.debtId);
  if (stored !== undefined) {
    if (SAME_DEBT.some((field) => stored[field] !== debt[field])) {
      throw new ChaincodeError('ALREADY_EXISTS', `debt ${debt.debtId} of ${creditor} is already recorded, with other details`);
    }
    return { creditor, status: 'already recorded' };
  }
  const now = txTimestamp(ctx);
  const record: DebtRecord = { ...debt, creditor, outstandingCents: debt.amountCents, status: 'open', recorded: now, updated: now };
  await putPrivate(ctx, collection, key, debtRecordSchema, record);
  emitEvent(ctx, 'debt.DebtRecorded', { creditor });
  return { creditor, status: 'recorded' };
}

const currentRecordSchema = z.object({ record: debtRecordSchema }).strict();

/** The creditor's current record from transient `current` (`{ record }`), verified against the ledger's hash. */
async function currentRecord(ctx: Context, creditor: MspId): Promise<DebtRecord> {
  const { record } = transientJson(ctx, 'current', currentRecordSchema);
  if (record.creditor !== creditor) {
    throw new ChaincodeError('FORBIDDEN', `debt ${record.debtId} is held by ${record.creditor}, not ${creditor}`);
  }
  await requireStored(ctx, debtCollection(creditor), recordKey(ctx, record.debtId), record, `debt ${record.debtId} of ${creditor}`);
  return record;
}

/**
 * Body of `debt:SettleDebt`: the creditor marks its debt settled (outstanding 0). Transient `current`.
 * The result and event name the creditor only: the debt id stays private.
 *
 * @throws `NOT_FOUND`, `FAILED_PRECONDITION` (stale record, already settled), `FORBIDDEN` (another creditor's debt)
 */
export async function settleDebt(ctx: Context, creditor: MspId): Promise<{ creditor: MspId; status: 'settled' }> {
  const record = await currentRecord(ctx, creditor);
  if (record.status === 'settled') {
    throw new ChaincodeError('FAILED_PRECONDITION', `debt ${record.debtId} is already settled`);
  }
  const now = txTimestamp(ctx);
  await putPrivate(ctx, debtCollection(creditor), recordKey(ctx, record.debtId), debtRecordSchema, {
    ...record,
    status: 'settled',
    outstandingCents: 0,
    updated: now,
  });
  emitEvent(ctx, 'debt.DebtSettled', { creditor });
  return { creditor, status: 'settled' };
}

/**
 * Body of `debt:PurgeDebt`: erase a debt's private data for good (Fabric `PurgePrivateData`: gone
 * from every member peer, history included), on the subject's request or when retention ends.
 * What stays is the hash of the record's key in the blocks that wrote it.
 *
 * @throws as {@link settleDebt}
 */
export async function purgeDebt(ctx: Context, creditor: MspId): Promise<{ creditor: MspId; status: 'purged' }> {
  const record = await currentRecord(ctx, creditor);
  await ctx.stub.purgePrivateData(debtCollection(creditor), recordKey(ctx, record.debtId));
  emitEvent(ctx, 'debt.DebtPurged', { creditor });
  return { creditor, status: 'purged' };
}

/**
 * The debts of one subject held by the org of the peer this runs on (a query, on a peer of
 * that org: only member peers hold the records). The keys do not name the subject, so this
 * scans the org's records and keeps those whose value names it.
 */
export async function debtsOfSubject(ctx: Context, creditor: MspId, subject: string): Promise<DebtRecord[]> {
  const did = validate(didSchema, subject, 'subject');
  return (await privateRecords(ctx, debtCollection(creditor), RECORD_OBJECT_TYPE, [], debtRecordSchema)).filter((r) => r.subject === did);
}
