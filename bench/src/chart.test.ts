import { chartPoints } from './chart';
import type { RunResult } from './driver';

describe('chartPoints', () => {
  it('gives p50, p95 and p99 of each run with VALID transactions, and skips runs without', () => {
    const base = { scheduled: 10, sent: 10, shed: 0, byCode: {}, allLatencyMs: null, durationMs: 1000, maxInFlight: 10, peakInFlight: 3, errors: {} };
    const ok: RunResult = { ...base, offeredTps: 10, achievedTps: 9.8, latencyMs: { p50: 100, p95: 200, p99: 300, mean: 120, max: 400 } };
    const none: RunResult = { ...base, offeredTps: 20, achievedTps: 0, latencyMs: null };
    expect(
      chartPoints([
        { workload: 'put', run: ok },
        { workload: 'did', run: none },
      ]),
    ).toEqual([
      { workload: 'put', offeredTps: 10, achievedTps: 9.8, percentile: 'p50', latencyMs: 100 },
      { workload: 'put', offeredTps: 10, achievedTps: 9.8, percentile: 'p95', latencyMs: 200 },
      { workload: 'put', offeredTps: 10, achievedTps: 9.8, percentile: 'p99', latencyMs: 300 },
    ]);
  });
});
