import type { Context } from 'fabric-contract-api';

/**
 * The transaction's timestamp, as set by the submitting client in the proposal
 * and identical on every endorser: the only clock chaincode may read.
 *
 * @param ctx - the transaction context
 * @returns ISO 8601 UTC timestamp with millisecond precision, e.g. `2026-11-21T10:00:00.000Z`
 */
export function txTimestamp(ctx: Context): string {
  const ts = ctx.stub.getTxTimestamp();
  const millis = Number(ts.seconds.toString()) * 1000 + Math.floor(ts.nanos / 1_000_000);
  return new Date(millis).toISOString();
}
