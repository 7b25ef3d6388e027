/**
 * Open-loop pacing: requests are sent at the offered rate whatever the system under test does,
 * so a slow system shows as latency and lost throughput, not as a lower offered rate
 * (closed-loop clients slow down with the system and hide its limits).
 */

/**
 * The send times of an open-loop run, evenly spaced.
 *
 * @param rateTps - offered rate in transactions per second; must be > 0
 * @param durationMs - length of the run in milliseconds; must be ≥ 0
 * @returns offsets in milliseconds from the run's start, ascending: `i * 1000 / rateTps` for
 *   every `i` with an offset below `durationMs` (so `ceil(rateTps * durationMs / 1000)` of them)
 * @throws RangeError for a rate that is not a positive finite number or a negative duration
 */
export function sendOffsets(rateTps: number, durationMs: number): number[] {
  if (!Number.isFinite(rateTps) || rateTps <= 0) {
    throw new RangeError(`the offered rate must be a positive number of TPS, not ${String(rateTps)}`);
  }
  if (!Number.isFinite(durationMs) || durationMs < 0) {
    throw new RangeError(`the duration must be a non-negative number of milliseconds, not ${String(durationMs)}`);
  }
  const interval = 1000 / rateTps;
  const count = Math.ceil((durationMs * rateTps) / 1000 - 1e-9);
  return Array.from({ length: Math.max(0, count) }, (_, i) => i * interval);
}

/** What the pacer decides for one scheduled request. */
export type Admission = 'send' | 'shed';

/**
 * A bound on in-flight requests. At each scheduled send time the request is sent when fewer
 * than `limit` are in flight, and otherwise shed (counted, never sent late): a request sent late
 * would make the offered rate a fiction and its latency a measure of the client's queue.
 */
export class InFlightLimit {
  #inFlight = 0;
  #peak = 0;

  /**
   * @param limit - most requests in flight at once; a positive whole number
   * @throws RangeError for a limit below 1
   */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`the in-flight limit must be a whole number ≥ 1, not ${String(limit)}`);
    }
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Most requests that were in flight at once so far. */
  get peak(): number {
    return this.#peak;
  }

  /** Admit a request: `send` (and count it in flight until {@link done}) or `shed`. */
  admit(): Admission {
    if (this.#inFlight >= this.limit) {
      return 'shed';
    }
    this.#inFlight += 1;
    this.#peak = Math.max(this.#peak, this.#inFlight);
    return 'send';
  }

  /** A request admitted with `send` has finished. */
  done(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
  }
}

/**
 * Sleep until a point on a monotonic clock.
 *
 * @param atMs - the target, in milliseconds of `now()`
 * @param now - the clock (default `performance.now`)
 */
export async function sleepUntil(atMs: number, now: () => number = () => performance.now()): Promise<void> {
  const wait = atMs - now();
  if (wait > 0) {
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
