import type { RunResult } from './driver';
import { runLine, smokeProblems, type WorkloadRun } from './report';

function run(byCode: Record<string, number>, errors: Record<string, string> = {}): WorkloadRun {
  const sent = Object.values(byCode).reduce((a, b) => a + b, 0);
  const result: RunResult = {
    offeredTps: 10,
    scheduled: 50,
    sent,
    shed: 50 - sent,
    achievedTps: 9.5,
    byCode,
    latencyMs: byCode.VALID === undefined ? null : { p50: 210, p95: 380, p99: 520, mean: 230, max: 600 },
    allLatencyMs: null,
    durationMs: 5000,
    maxInFlight: 400,
    peakInFlight: 7,
    errors,
  };
  return { workload: 'put', transaction: 'bench:Put (clerk)', orgs: 'city', loadAverage1m: 1.25, run: result };
}

describe('runLine', () => {
  it('says offered and achieved TPS, outcomes other than VALID, percentiles and the load', () => {
    expect(runLine(run({ VALID: 48, MVCC_READ_CONFLICT: 1 }))).toBe(
      'put @ 10 TPS: 9.5 TPS, VALID 48/50, shed 1, MVCC_READ_CONFLICT 1, p50 210 ms p95 380 ms p99 520 ms (load 1.25)',
    );
    expect(runLine(run({ ENDORSE_ERROR: 50 }))).toBe('put @ 10 TPS: 9.5 TPS, VALID 0/50, ENDORSE_ERROR 50, no VALID (load 1.25)');
  });
});

describe('smokeProblems', () => {
  it('passes a run where every sent transaction is VALID, however slow', () => {
    expect(smokeProblems([run({ VALID: 50 })])).toEqual([]);
  });

  it('fails a run with nothing VALID, and one with any other outcome, naming the first error', () => {
    expect(smokeProblems([run({ ENDORSE_ERROR: 50 }, { ENDORSE_ERROR: 'no peers available' })])).toEqual([
      'put: no transaction committed VALID',
      'put: 50 not VALID ({"ENDORSE_ERROR":50}); ENDORSE_ERROR: no peers available',
    ]);
    expect(smokeProblems([run({ VALID: 49, MVCC_READ_CONFLICT: 1 })])).toEqual(['put: 1 not VALID ({"VALID":49,"MVCC_READ_CONFLICT":1})']);
  });
});
