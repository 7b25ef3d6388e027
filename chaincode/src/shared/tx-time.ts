import type { Context } from 'fabric-contract-api';

/**
 * The transaction's timestamp in milliseconds since the Unix epoch, as set by the submitting
 * client in the proposal's channel header and identical on every endorser.
 *
 * @param ctx - the transaction context
 * @returns milliseconds since 1970-01-01T00:00:00Z (the proposal's nanoseconds truncated)
 */
export function txMillis(ctx: Context): number {
  const ts = ctx.stub.getTxTimestamp();
  return Number(ts.seconds.toString()) * 1000 + Math.floor(ts.nanos / 1_000_000);
}

/**
 * The transaction's timestamp, as set by the submitting client in the proposal
 * and identical on every endorser: the only clock chaincode may read. Peers refuse to endorse
 * a proposal whose timestamp is far off their own clock (see `peer-clock.ts`).
 *
 * @param ctx - the transaction context
 * @returns ISO 8601 UTC timestamp with millisecond precision, e.g. `2026-11-21T10:00:00.000Z`
 */
export function txTimestamp(ctx: Context): string {
  return new Date(txMillis(ctx)).toISOString();
}
