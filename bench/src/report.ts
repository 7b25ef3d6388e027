import type { RunResult } from './driver';

/** One workload run, as it goes in the results file. */
export interface WorkloadRun {
  readonly workload: string;
  readonly transaction: string;
  readonly orgs: string;
  /** Load average (1 min) when the run started. */
  readonly loadAverage1m: number;
  readonly run: RunResult;
}

/**
 * One line about a run, for the terminal.
 *
 * @returns e.g. `put @ 100 TPS: 99.8 TPS VALID 3000/3000, p50 210 ms p95 380 ms p99 520 ms (load 1.2)`
 */
export function runLine(r: WorkloadRun): string {
  const { run } = r;
  const codes = Object.entries(run.byCode)
    .filter(([code]) => code !== 'VALID')
    .map(([code, n]) => `${code} ${String(n)}`)
    .join(', ');
  const lat =
    run.latencyMs === null ? 'no VALID' : `p50 ${String(run.latencyMs.p50)} ms p95 ${String(run.latencyMs.p95)} ms p99 ${String(run.latencyMs.p99)} ms`;
  return (
    `${r.workload} @ ${String(run.offeredTps)} TPS: ${String(run.achievedTps)} TPS, VALID ${String(run.byCode.VALID ?? 0)}/${String(run.scheduled)}` +
    `${run.shed > 0 ? `, shed ${String(run.shed)}` : ''}${codes === '' ? '' : `, ${codes}`}, ${lat} (load ${String(r.loadAverage1m)})`
  );
}

/**
 * Whether a smoke run shows a runner that submits: every workload had VALID transactions and
 * nothing else. No time is checked.
 *
 * @returns the problems found (empty: the smoke passed)
 */
export function smokeProblems(runs: readonly WorkloadRun[]): string[] {
  return runs.flatMap((r) => {
    const valid = r.run.byCode.VALID ?? 0;
    const other = r.run.sent - valid;
    const problems: string[] = [];
    if (valid === 0) {
      problems.push(`${r.workload}: no transaction committed VALID`);
    }
    if (other > 0) {
      const first = Object.entries(r.run.errors)[0];
      problems.push(`${r.workload}: ${String(other)} not VALID (${JSON.stringify(r.run.byCode)})${first === undefined ? '' : `; ${first[0]}: ${first[1]}`}`);
    }
    return problems;
  });
}
