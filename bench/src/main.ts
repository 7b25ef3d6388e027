import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CommanderError } from 'commander';
import { civicPaths } from '@civic-ledger/cli/dist/paths';
import { chartPoints, renderChart } from './chart';
import { civic } from './civic-cli';
import { chaincodeFigures, type Figure } from './figures';
import { recordConditions } from './conditions';
import { runOpenLoop, scheduledCount } from './driver';
import { parseOptions, type BenchOptions } from './options';
import { preload, submitAllClosedLoop, type PreloadStep } from './preload';
import { runLine, smokeProblems, type WorkloadRun } from './report';
import { Sessions } from './sessions';
import { saturationIndex } from './stats';
import { WORKLOADS } from './registry';
import type { Workload, WorkloadContext } from './workloads';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/**
 * Make sure the network answers: `civic network ping`, else `civic network up`. With
 * `--no-network-up` nothing is checked: the runner submits, and what fails shows in its results.
 */
function ensureNetwork(options: BenchOptions): void {
  if (!options.networkUp) {
    return;
  }
  try {
    civic(['network', 'ping']);
  } catch {
    log('bench: the network does not answer; civic network up …');
    civic(['network', 'up']);
  }
}

/** Transactions sent one at a time before each measured run (per org: connections, chaincode paths warm). */
const WARM_UP = 6;

async function measure(ctx: WorkloadContext, w: Workload, rateTps: number, durationS: number, inFlight: number, label: string): Promise<WorkloadRun> {
  const count = scheduledCount({ rateTps, durationMs: durationS * 1000 });
  const prepared = await w.prepare(ctx, WARM_UP + count, label);
  await submitAllClosedLoop(ctx.sessions, 'warm-up', prepared.slice(0, WARM_UP), 1);
  const txs = prepared.slice(WARM_UP);
  const loadAverage1m = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
  const run = await runOpenLoop(ctx.sessions, txs, { rateTps, durationMs: durationS * 1000, maxInFlight: inFlight });
  const result = { workload: w.name, transaction: w.transaction, orgs: w.orgs, loadAverage1m, run };
  log(`bench: ${runLine(result)}`);
  return result;
}

/** Rising offered rates until achieved throughput stops growing (one step past the knee). */
async function sweep(ctx: WorkloadContext, w: Workload, options: BenchOptions): Promise<WorkloadRun[]> {
  const steps: WorkloadRun[] = [];
  for (const rate of options.sweepRates) {
    steps.push(await measure(ctx, w, rate, options.sweepDurationS, options.inFlight, `sweep${String(rate)}`));
    if (saturationIndex(steps.map((s) => s.run.achievedTps)) >= 0) {
      break;
    }
  }
  return steps;
}

function workload(name: string): Workload {
  const w = WORKLOADS[name];
  if (w === undefined) {
    throw new Error(`unknown workload ${name}`);
  }
  return w;
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** The latency-against-throughput chart of every run, titled with the machine and the block cutting. */
async function writeChart(file: string, before: ReturnType<typeof recordConditions>, all: readonly WorkloadRun[]): Promise<void> {
  const bc = before.blockCutting;
  const title = `${String(before.machine.cores)} cores, load ${String(before.machine.loadAverage[0])}; batch ${bc?.batchTimeout ?? '?'} / ${String(bc?.maxMessageCount ?? '?')} tx`;
  write(file, await renderChart(chartPoints(all), title));
  log(`bench: chart in ${file}`);
}

async function bench(options: BenchOptions): Promise<number> {
  ensureNetwork(options);
  const networkHome = civicPaths().networkHome;
  const before = recordConditions(networkHome);
  const sessions = new Sessions();
  try {
    const runId = Date.now().toString(36);
    const world = await preload(sessions, runId, { dids: options.dids, parcels: options.parcels }, Math.min(100, options.inFlight), log);
    const setup: PreloadStep[] = [];
    const ctx: WorkloadContext = { sessions, world, env: process.env, inFlight: Math.min(100, options.inFlight), parcelsUsed: 0, setup };
    const runs: WorkloadRun[] = [];
    const sweeps: Record<string, WorkloadRun[]> = {};
    let sustained: WorkloadRun | null = null;
    const figures: Figure[] = [];
    // Written after every run, so that a long run stopped part-way keeps what it measured.
    const save = (): void => {
      const results = {
        kind: options.smoke ? 'smoke' : 'bench',
        at: new Date().toISOString(),
        runId,
        conditions: { ...before, loadAverageAfter: os.loadavg().map((l) => Math.round(l * 100) / 100) },
        settings: { ...options },
        preload: world.steps,
        setup,
        runs,
        sweeps,
        sustained,
        figures,
      };
      write(options.out, `${JSON.stringify(results, null, 2)}\n`);
    };
    for (const name of options.workloads) {
      runs.push(await measure(ctx, workload(name), options.rateTps, options.durationS, options.inFlight, 'run'));
      save();
    }
    for (const name of options.sweep) {
      sweeps[name] = await sweep(ctx, workload(name), options);
      save();
    }
    if (options.sustainedRateTps > 0) {
      sustained = await measure(ctx, workload('put'), options.sustainedRateTps, options.sustainedDurationS, options.inFlight, 'sustained');
      save();
    }
    if (options.figures > 0) {
      figures.push(...(await chaincodeFigures(ctx, options.figures, log)));
    }
    save();
    log(`bench: results in ${options.out}`);
    if (options.smoke) {
      const problems = smokeProblems(runs);
      for (const p of problems) {
        log(`bench smoke: ${p}`);
      }
      return problems.length === 0 ? 0 : 1;
    }
    await writeChart(options.chart, before, [
      ...runs,
      ...Object.values(sweeps).flat(),
      ...(sustained === null ? [] : [{ ...sustained, workload: 'put (sustained)' }]),
    ]);
    return 0;
  } finally {
    sessions.close();
  }
}

/**
 * The runner's entry point (`npm run bench -- [options]`, see bench/README.md).
 *
 * @param argv - the arguments after the script name
 * @returns the exit code: 0 done (a smoke run: every transaction VALID), 1 a failed smoke or an error, 2 bad arguments
 */
export async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(argv, Object.keys(WORKLOADS));
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : 2;
    }
    throw e;
  }
  try {
    return await bench(options);
  } catch (e) {
    log(`bench: error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
