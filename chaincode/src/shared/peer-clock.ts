/**
 * The one place chaincode reads the peer's own clock: to refuse endorsing a proposal whose
 * client-set timestamp is too far from it. This decides only whether this peer endorses; what a
 * transaction writes depends on the proposal's timestamp alone (`txTimestamp`), never on this clock.
 * The determinism lint exempts this file, and only this file.
 */
import type { Context } from 'fabric-contract-api';
import { ChaincodeError } from './errors';
import { txMillis } from './tx-time';

/** Environment variable of the chaincode process: the largest accepted skew, in whole seconds. */
export const CLOCK_SKEW_ENV = 'CIVIC_MAX_CLOCK_SKEW_SECONDS';

/** The skew accepted when {@link CLOCK_SKEW_ENV} is unset: 300 s, as Kerberos allows by default. */
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 300;

/** A clock: milliseconds since the Unix epoch. */
export type PeerClock = () => number;

const systemClock: PeerClock = () => Date.now();
let peerClock: PeerClock = systemClock;

/**
 * Replace the peer clock (unit tests, whose proposals carry fixed timestamps); `undefined`
 * restores the system clock.
 *
 * @param clock - returns milliseconds since the Unix epoch
 */
export function setPeerClock(clock: PeerClock | undefined): void {
  peerClock = clock ?? systemClock;
}

/**
 * The largest accepted difference between a proposal's timestamp and the peer's clock.
 *
 * @param env - the process environment
 * @returns seconds: {@link CLOCK_SKEW_ENV} when set, else {@link DEFAULT_MAX_CLOCK_SKEW_SECONDS}
 * @throws ChaincodeError `FAILED_PRECONDITION` when the variable is set but not a positive whole number of seconds
 */
export function maxClockSkewSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[CLOCK_SKEW_ENV];
  if (raw === undefined || raw === '') {
    return DEFAULT_MAX_CLOCK_SKEW_SECONDS;
  }
  if (!/^[1-9][0-9]{0,8}$/.test(raw)) {
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      `${CLOCK_SKEW_ENV} of this peer's chaincode is ${JSON.stringify(raw)}; expected a whole number of seconds, at least 1`,
    );
  }
  return Number(raw);
}

/**
 * Refuse a proposal whose timestamp (set by the client, trusted by every contract through
 * `txTimestamp`) is off this peer's clock by more than {@link maxClockSkewSeconds}. Writes nothing.
 *
 * @param ctx - the transaction context
 * @throws ChaincodeError `FAILED_PRECONDITION` naming the timestamp, how far and which way it is off, and the limit
 */
export function checkProposalTime(ctx: Context): void {
  const limit = maxClockSkewSeconds();
  const proposal = txMillis(ctx);
  const offMillis = proposal - peerClock();
  if (Math.abs(offMillis) > limit * 1000) {
    const seconds = Math.round(Math.abs(offMillis) / 1000);
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      `the proposal's timestamp ${new Date(proposal).toISOString()} is ${seconds} s ${offMillis > 0 ? 'ahead of' : 'behind'} this peer's clock (limit ${limit} s); check the client's clock (NTP)`,
    );
  }
}
