/**
 * Latency percentiles and per-run aggregation of the load runner's samples.
 */

/** One request's outcome. */
export interface Sample {
  /** When it was submitted (endorsement requested), in milliseconds on the run's monotonic clock. */
  readonly startMs: number;
  /** When its commit status (or its error) arrived, same clock. */
  readonly endMs: number;
  /**
   * The commit status code name (`VALID`, `MVCC_READ_CONFLICT`, … as fabric-gateway's
   * `StatusCode`), or for a request that never got one, the stage that failed:
   * `ENDORSE_ERROR`, `SUBMIT_ERROR`, `COMMIT_STATUS_ERROR`, `CLIENT_ERROR`.
   */
  readonly code: string;
}

/** Latency figures in milliseconds. */
export interface Latency {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
}

/** What one open-loop run at one offered rate gave. */
export interface RunSummary {
  /** The offered rate, TPS. */
  readonly offeredTps: number;
  /** Requests that were scheduled. */
  readonly scheduled: number;
  /** Requests sent. */
  readonly sent: number;
  /** Requests not sent because the in-flight bound was reached at their send time. */
  readonly shed: number;
  /** Committed `VALID` transactions per second over the run: VALID count / (last completion − first send). */
  readonly achievedTps: number;
  /** Outcome counts by code name (see {@link Sample.code}). */
  readonly byCode: Readonly<Record<string, number>>;
  /** Latency from submit to commit status of the `VALID` transactions; null when there were none. */
  readonly latencyMs: Latency | null;
  /** Latency of every sent request, whatever its outcome; null when none was sent. */
  readonly allLatencyMs: Latency | null;
}

/**
 * The nearest-rank percentile of ascending values.
 *
 * @param sorted - values in ascending order
 * @param p - the percentile, 0 < p ≤ 100
 * @returns the smallest value with at least p % of the values at or below it
 * @throws RangeError for an empty list or p outside (0, 100]
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) {
    throw new RangeError('no values to take a percentile of');
  }
  if (!(p > 0 && p <= 100)) {
    throw new RangeError(`a percentile is in (0, 100], not ${String(p)}`);
  }
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/**
 * p50, p95, p99, mean and max of a set of latencies.
 *
 * @param values - latencies in milliseconds, any order
 * @returns the figures rounded to 0.1 ms, or null for no values
 */
export function latencyOf(values: readonly number[]): Latency | null {
  if (values.length === 0) {
    return null;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number): number => Math.round(v * 10) / 10;
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    mean: round(sum / sorted.length),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

/**
 * Aggregate one run's samples.
 *
 * @param offeredTps - the rate the run offered
 * @param scheduled - how many requests it scheduled
 * @param samples - one per sent request
 * @returns the run summary; `achievedTps` is 0 when nothing was VALID
 */
export function summarize(offeredTps: number, scheduled: number, samples: readonly Sample[]): RunSummary {
  const byCode: Record<string, number> = {};
  for (const s of samples) {
    byCode[s.code] = (byCode[s.code] ?? 0) + 1;
  }
  const valid = samples.filter((s) => s.code === 'VALID');
  let achievedTps = 0;
  if (valid.length > 0) {
    const first = Math.min(...samples.map((s) => s.startMs));
    const last = Math.max(...valid.map((s) => s.endMs));
    achievedTps = last > first ? Math.round((valid.length / ((last - first) / 1000)) * 10) / 10 : 0;
  }
  return {
    offeredTps,
    scheduled,
    sent: samples.length,
    shed: scheduled - samples.length,
    achievedTps,
    byCode,
    latencyMs: latencyOf(valid.map((s) => s.endMs - s.startMs)),
    allLatencyMs: latencyOf(samples.map((s) => s.endMs - s.startMs)),
  };
}

/**
 * Where a saturation sweep stopped growing: the first step whose achieved TPS is less than
 * `gain` times the best achieved so far before it.
 *
 * @param achieved - achieved TPS of each step, in rising order of offered rate
 * @param gain - the least growth that counts as growing (default 1.05: 5 %)
 * @returns the index of that step, or -1 while throughput still grows
 */
export function saturationIndex(achieved: readonly number[], gain = 1.05): number {
  let best = 0;
  for (let i = 0; i < achieved.length; i += 1) {
    const a = achieved[i] ?? 0;
    if (i > 0 && a < best * gain) {
      return i;
    }
    best = Math.max(best, a);
  }
  return -1;
}
