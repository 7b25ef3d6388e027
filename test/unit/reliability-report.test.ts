import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { failureSummary, tally, type Attempt } from '../reliability/support/records';
import { elsewhereSection } from '../reliability/support/elsewhere';
import { appendResult, readResults, renderReport, writeReport, type ScenarioResult } from '../reliability/support/report';

/**
 * The reliability suite's bookkeeping (test/reliability/support): how a scenario's attempts are
 * counted and how docs/reliability.md is rendered from the results file. No network.
 */
const tx = (n: number): string => n.toString(16).padStart(64, '0');

function attempt(write: number, n: number, outcome: Attempt['outcome'], endedAt: number, extra: Partial<Attempt> = {}): Attempt {
  return { write, key: `did:civic:k${String(write)}`, attempt: n, org: 'city', txId: tx(write * 10 + n), startedAt: endedAt - 100, endedAt, outcome, ...extra };
}

const attempts: Attempt[] = [
  attempt(0, 1, 'committed', 1_000, { blockNumber: '5' }),
  attempt(1, 1, 'failed', 2_000, { stage: 'endorse', error: 'UNAVAILABLE: cannot reach the gateway peer' }),
  attempt(1, 2, 'committed', 3_500, { blockNumber: '7' }),
  attempt(2, 1, 'failed', 2_100, { stage: 'commit-status', error: 'deadline exceeded' }),
  attempt(2, 2, 'refused-duplicate', 4_000, { error: 'ALREADY_EXISTS: DID did:civic:k2 is already registered' }),
  attempt(3, 1, 'failed', 2_200, { stage: 'endorse', error: `UNAVAILABLE: cannot reach the gateway peer (tx ${tx(31)})` }),
  attempt(3, 2, 'failed', 2_300, { stage: 'submit', error: 'no Raft leader' }),
];

describe('counting a scenario’s attempts', () => {
  it('counts writes, attempts, outcomes, retries, abandoned writes and commits inside the fault window', () => {
    expect(tally(attempts, { from: 1_500, to: 3_600 })).toEqual({
      writes: 4,
      submitted: 7,
      committed: 2,
      failed: 4,
      retried: 3,
      refusedDuplicate: 1,
      abandoned: 1,
      committedDuringFault: 1,
    });
  });

  it('lists failure reasons, most frequent first', () => {
    expect(failureSummary(attempts)).toEqual([
      '2 × endorse: UNAVAILABLE: cannot reach the gateway peer',
      '1 × commit-status: deadline exceeded',
      '1 × submit: no Raft leader',
    ]);
  });
});

const result: ScenarioResult = {
  id: 'a',
  title: 'Peer crash and catch-up',
  injected: ['SIGKILL to peer-utilities (pid 4242, from its pid file)', 'restarted | in 31.0 s'],
  checks: [
    { name: 'every peer reaches the same height', ok: true, detail: 'height 40 on all 3 peers', lost: 0 },
    { name: 'state identical', ok: false, detail: 'did:civic:k1: city registered, agencies absent', lost: 1 },
  ],
  figures: { ...tally(attempts, { from: 1_500, to: 3_600 }), lost: 1, validAfterFailure: 1 },
  load: { ratePerSecond: 4, seconds: 30, skippedTicks: 0 },
  failures: failureSummary(attempts),
  startedAt: '2026-12-01T08:30:00.000Z',
};

describe('docs/reliability.md', () => {
  it('renders per scenario what was injected, the figures in one row and each check with its result', () => {
    const text = renderReport([result], { finishedAt: '2026-12-01T08:40:00.000Z', command: 'npm run test:reliability' });
    expect(text).toContain('## (a) Peer crash and catch-up: FAILED');
    expect(text).toContain('| restarted \\| in 31.0 s |');
    expect(text).toContain('| 4 | 7 | 2 | 4 | 3 | 1 | 1 | 1 | 1 | 1 |');
    expect(text).toContain('| state identical | FAILED | did:civic:k1: city registered, agencies absent |');
    expect(text).toContain('- 2 × endorse: UNAVAILABLE: cannot reach the gateway peer');
    expect(text).toContain('ended 2026-12-01T08:40:00.000Z');
  });

  it('closes with the properties other suites prove, each with its test files, and refuses to name a file that does not exist', () => {
    const text = renderReport([result], { finishedAt: 'x', command: 'c' });
    expect(text).toContain('## Proven by other suites');
    expect(text).toContain('`test/integration/probe-chaincode.test.ts`');
    expect(text.indexOf('## Proven by other suites')).toBeGreaterThan(text.indexOf('## (a)'));
    expect(() => elsewhereSection(path.join(os.tmpdir(), 'no-such-repo'))).toThrow(/names test files that do not exist: test\/integration\/contention.test.ts/);
  });

  it('says passed only when every check passed and nothing was lost', () => {
    const passed = { ...result, checks: result.checks.map((c) => ({ ...c, ok: true, lost: 0 })), figures: { ...result.figures, lost: 0 } };
    expect(renderReport([passed], { finishedAt: 'x', command: 'c' })).toContain('## (a) Peer crash and catch-up: passed');
  });

  it('round-trips results through the results file and writes no report for a run without results', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rel-report-'));
    const results = path.join(dir, 'results.jsonl');
    const report = path.join(dir, 'reliability.md');
    expect(writeReport(results, report, 'c')).toBe(false);
    appendResult(results, result);
    appendResult(results, { ...result, id: 'b', title: 'Raft leader killed under load' });
    expect(readResults(results).map((r) => r.id)).toEqual(['a', 'b']);
    expect(writeReport(results, report, 'c')).toBe(true);
    expect(readFileSync(report, 'utf8')).toMatch(/## \(a\)[\s\S]*## \(b\) Raft leader killed under load/);
    rmSync(dir, { recursive: true, force: true });
  });
});
