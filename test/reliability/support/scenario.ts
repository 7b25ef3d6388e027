import { committedOnEveryPeer, noDuplicateWrites, stateAgrees } from './checks';
import { DEFAULT_LOAD, LoadGenerator, type LoadOptions } from './load-generator';
import { PeerReaders, waitConverged } from './peers';
import { failureSummary, tally, type Attempt, type CheckResult, type FaultWindow } from './records';
import { appendResult, type ScenarioResult } from './report';

/** What a scenario's fault did: when it was in force, each step in words, and its own checks. */
export interface Injection {
  readonly window: FaultWindow;
  readonly injected: readonly string[];
  readonly checks: readonly CheckResult[];
  /** More lines for `injected`, from every attempt once the load has stopped (e.g. how the writes in flight at the fault ended). */
  readonly summarise?: (attempts: readonly Attempt[]) => string[];
}

/** A fault scenario: how to inject the fault under load and recover from it. */
export interface Scenario {
  readonly id: string;
  readonly title: string;
  /**
   * Inject the fault while `load` runs, and recover; the load keeps running throughout.
   *
   * @throws Error when a step cannot be done (the scenario then fails with that error)
   */
  inject(load: LoadGenerator): Promise<Injection>;
}

/** How long the load runs before the fault and after the recovery, in milliseconds. */
export interface Phases {
  readonly warmupMs: number;
  readonly afterMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A check that could not be made (the peers did not answer): failed, with the reason. */
const unmade = (name: string, error: unknown): CheckResult => ({
  name,
  ok: false,
  detail: `could not be checked: ${error instanceof Error ? error.message : String(error)}`,
  lost: 0,
});

/** The load resumed after the recovery: some attempt started after it committed. */
function committedAfterRecovery(attempts: readonly Attempt[], window: FaultWindow): CheckResult {
  const after = attempts.filter((a) => a.startedAt > window.to);
  const committed = after.filter((a) => a.outcome === 'committed').length;
  return {
    name: 'writes started after the recovery commit',
    ok: committed > 0,
    detail: `${String(committed)} of ${String(after.length)} attempts started after the recovery committed`,
    lost: 0,
  };
}

/** The checks on the peers once the load has stopped: convergence, every committed transaction, no double write, the same state. */
async function ledgerChecks(env: NodeJS.ProcessEnv, attempts: readonly Attempt[]): Promise<{ checks: CheckResult[]; validAfterFailure: number }> {
  const readers = new PeerReaders(env);
  try {
    const convergedName = 'every peer reaches the same height, with hashes that fit one chain (qscc GetChainInfo on each peer)';
    try {
      const converged = await waitConverged(readers);
      const checks: CheckResult[] = [
        { name: convergedName, ok: true, detail: `height ${String(converged.height)} on all 3 peers after ${String(converged.waitedMs)} ms`, lost: 0 },
      ];
      checks.push(await committedOnEveryPeer(readers, attempts));
      const writes = await noDuplicateWrites(readers, attempts);
      checks.push(writes.check, await stateAgrees(readers, writes.keys));
      return { checks, validAfterFailure: writes.validAfterFailure };
    } catch (error) {
      return {
        checks: [unmade(`${convergedName}; then every committed transaction, no double write and the same state on every peer`, error)],
        validAfterFailure: 0,
      };
    }
  } finally {
    readers.close();
  }
}

/**
 * Run a scenario: start the load, let it run `warmupMs`, inject the fault and recover, let the
 * load run `afterMs` more, stop it (waiting for writes in flight), then check the peers, and
 * append the result to `resultsFile`.
 *
 * @param env - the network's environment (`CIVIC_NETWORK_HOME`, `CIVIC_BASE_PORT`)
 * @returns the result (its checks say whether it passed)
 */
export async function runScenario(
  scenario: Scenario,
  env: NodeJS.ProcessEnv,
  resultsFile: string,
  phases: Phases = { warmupMs: 6_000, afterMs: 6_000 },
  options: LoadOptions = DEFAULT_LOAD,
): Promise<ScenarioResult> {
  const startedAt = new Date();
  const load = new LoadGenerator(env, options);
  load.start();
  let injection: Injection;
  try {
    await sleep(phases.warmupMs);
    injection = await scenario.inject(load);
    await sleep(phases.afterMs);
  } finally {
    await load.stop();
  }
  const attempts = load.records();
  const seconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
  const ledger = await ledgerChecks(env, attempts);
  const checks = [...injection.checks, committedAfterRecovery(attempts, injection.window), ...ledger.checks];
  const result: ScenarioResult = {
    id: scenario.id,
    title: scenario.title,
    injected: [...injection.injected, ...(injection.summarise?.(attempts) ?? [])],
    checks,
    figures: { ...tally(attempts, injection.window), lost: checks.reduce((n, c) => n + c.lost, 0), validAfterFailure: ledger.validAfterFailure },
    load: { ratePerSecond: options.ratePerSecond, seconds, skippedTicks: load.skipped },
    failures: failureSummary(attempts),
    startedAt: startedAt.toISOString(),
  };
  appendResult(resultsFile, result);
  return result;
}
