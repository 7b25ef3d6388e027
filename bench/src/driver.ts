import { InFlightLimit, sendOffsets, sleepUntil } from './pacing';
import type { Sessions } from './sessions';
import { summarize, type RunSummary } from './stats';
import { submitOnce, type Outcome, type TxSpec } from './submit';

/** One open-loop run's settings. */
export interface RunSettings {
  /** Offered rate, TPS. */
  readonly rateTps: number;
  /** How long requests are sent, milliseconds (the run then waits for those in flight). */
  readonly durationMs: number;
  /** Most requests in flight at once, over all orgs. */
  readonly maxInFlight: number;
}

/** A run's summary with the first few error messages, by code. */
export interface RunResult extends RunSummary {
  readonly durationMs: number;
  readonly maxInFlight: number;
  readonly peakInFlight: number;
  readonly errors: Readonly<Record<string, string>>;
}

/** How many requests a run at these settings schedules. */
export function scheduledCount(settings: Pick<RunSettings, 'rateTps' | 'durationMs'>): number {
  return sendOffsets(settings.rateTps, settings.durationMs).length;
}

/**
 * Drive prepared transactions open-loop at the offered rate: the i-th is sent at
 * `i / rateTps` seconds unless `maxInFlight` are in flight then (it is shed, see InFlightLimit).
 *
 * @param sessions - the gateway sessions
 * @param txs - at least {@link scheduledCount} prepared transactions; the i-th is sent i-th
 * @param settings - rate, duration, in-flight bound
 * @returns the summary: offered and achieved TPS, outcomes by code, latency submit → commit status
 * @throws RangeError when fewer transactions were prepared than the run schedules
 */
export async function runOpenLoop(sessions: Sessions, txs: readonly TxSpec[], settings: RunSettings): Promise<RunResult> {
  const offsets = sendOffsets(settings.rateTps, settings.durationMs);
  if (txs.length < offsets.length) {
    throw new RangeError(`${String(offsets.length)} transactions scheduled but only ${String(txs.length)} prepared`);
  }
  const limit = new InFlightLimit(settings.maxInFlight);
  const pending: Promise<Outcome>[] = [];
  const start = performance.now();
  for (const [i, offset] of offsets.entries()) {
    await sleepUntil(start + offset);
    if (limit.admit() === 'shed') {
      continue;
    }
    const tx = txs[i] as TxSpec;
    pending.push(
      submitOnce(sessions, tx).finally(() => {
        limit.done();
      }),
    );
  }
  const outcomes = await Promise.all(pending);
  const errors: Record<string, string> = {};
  for (const o of outcomes) {
    if (o.message !== undefined) {
      errors[o.code] ??= o.message;
    }
  }
  return {
    ...summarize(settings.rateTps, offsets.length, outcomes),
    durationMs: settings.durationMs,
    maxInFlight: settings.maxInFlight,
    peakInFlight: limit.peak,
    errors,
  };
}
