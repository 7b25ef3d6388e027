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

export function recordKey(ctx: Context, subject: string, debtId: string): string {
  return ctx.stub.createCompositeKey(RECORD_OBJECT_TYPE, [subject, debtId]);
}

/**
 * Body of `debt:RecordDebt`: the caller's org records a debt in its own collection. Transient
 * `debt`: `{ subject, creditorReference, amountCents, origin, since }`. The DID is not
 * looked up (that read would name it in the block); the creditor knows its debtor. Nothing is
 * written to public state, so the creditor's own peer endorses it alone (the collection's
 * endorsement policy) and no other org sees the debt.
 *
 * @returns `{ debtId, creditor }` only (the result is in the block too)
 * @throws `INVALID_ARGUMENT` (missing or malformed transient data)
 */
export async function recordDebt(ctx: Context, creditor: MspId): Promise<{ debtId: string; creditor: MspId }> {
  const debt = transientJson(ctx, 'debt', newDebtSchema);
  const now = txTimestamp(ctx);
  const debtId = ctx.stub.getTxID();
  const record: DebtRecord = { ...debt, debtId, creditor, outstandingCents: debt.amountCents, status: 'open', recorded: now, updated: now };
  await putPrivate(ctx, debtCollection(creditor), recordKey(ctx, debt.subject, debtId), debtRecordSchema, record);
  emitEvent(ctx, 'debt.DebtRecorded', { creditor, debtId });
  return { debtId, creditor };
}

const currentRecordSchema = z.object({ record: debtRecordSchema }).strict();

/** The creditor's current record from transient `current` (`{ record }`), verified against the ledger's hash. */
async function currentRecord(ctx: Context, creditor: MspId): Promise<DebtRecord> {
  const { record } = transientJson(ctx, 'current', currentRecordSchema);
  if (record.creditor !== creditor) {
    throw new ChaincodeError('FORBIDDEN', `debt ${record.debtId} is held by ${record.creditor}, not ${creditor}`);
  }
  await requireStored(ctx, debtCollection(creditor), recordKey(ctx, record.subject, record.debtId), record, `debt ${record.debtId} of ${creditor}`);
  return record;
}

/**
 * Body of `debt:SettleDebt`: the creditor marks its debt settled (outstanding 0). Transient `current`.
 *
 * @throws `NOT_FOUND`, `FAILED_PRECONDITION` (stale record, already settled), `FORBIDDEN` (another creditor's debt)
 */
export async function settleDebt(ctx: Context, creditor: MspId): Promise<{ debtId: string; status: 'settled' }> {
  const record = await currentRecord(ctx, creditor);
  if (record.status === 'settled') {
    throw new ChaincodeError('FAILED_PRECONDITION', `debt ${record.debtId} is already settled`);
  }
  const now = txTimestamp(ctx);
  await putPrivate(ctx, debtCollection(creditor), recordKey(ctx, record.subject, record.debtId), debtRecordSchema, {
    ...record,
    status: 'settled',
    outstandingCents: 0,
    updated: now,
  });
  emitEvent(ctx, 'debt.DebtSettled', { creditor, debtId: record.debtId });
  return { debtId: record.debtId, status: 'settled' };
}

/**
 * Body of `debt:PurgeDebt`: erase a debt's private data for good (Fabric `PurgePrivateData`: gone
 * from every member peer, history included), on the subject's request or when retention ends.
 * What stays is the hash of the record's key in the blocks that wrote it.
 *
 * @throws as {@link settleDebt}
 */
export async function purgeDebt(ctx: Context, creditor: MspId): Promise<{ debtId: string; status: 'purged' }> {
  const record = await currentRecord(ctx, creditor);
  await ctx.stub.purgePrivateData(debtCollection(creditor), recordKey(ctx, record.subject, record.debtId));
  emitEvent(ctx, 'debt.DebtPurged', { creditor, debtId: record.debtId });
  return { debtId: record.debtId, status: 'purged' };
}

/**
 * The debts of one subject held by the org of the peer this runs on (a query, on a peer of
 * that org: only member peers hold the records).
 */
export async function debtsOfSubject(ctx: Context, creditor: MspId, subject: string): Promise<DebtRecord[]> {
  return privateRecords(ctx, debtCollection(creditor), RECORD_OBJECT_TYPE, [validate(didSchema, subject, 'subject')], debtRecordSchema);
}
