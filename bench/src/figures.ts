import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { civic } from './civic-cli';
import { petitionWorkload } from './petition-workload';
import { sha256, stepOnly, submitAllClosedLoop, type PreloadStep } from './preload';
import { ORGS } from './sessions';
import { allocationWorkload, type WorkloadContext } from './workloads';

/** One chaincode-level figure: a large single operation, timed from the client, with what it took to set up. */
export interface Figure {
  readonly what: string;
  /** Wall-clock seconds of the timed command (endorsement by two peers, ordering, commit). */
  readonly seconds: number;
  readonly setup: readonly PreloadStep[];
  readonly loadAverage1m: number;
}

const seconds = (since: number): number => Math.round((performance.now() - since) / 100) / 10;

function timed(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  civic(args, env);
  return seconds(started);
}

/**
 * `civic land import` of a generated `count`-parcel CSV extract (batches of 200), owned by the preloaded citizens.
 *
 * @returns seconds for the whole import
 */
function importFigure(ctx: WorkloadContext, count: number): number {
  const { citizens, runId } = ctx.world;
  const lines = ['cadastral_id,area_m2,land_use,owners,deed_hash,longitude,latitude'];
  for (let i = 0; i < count; i += 1) {
    const owner = citizens[i % citizens.length]?.did ?? '';
    lines.push([`IM-${runId.toUpperCase()}-${String(i)}`, String(50 + i), 'residential', `${owner}=1/1`, sha256(`imp ${String(i)}`), '4.9', '52.37'].join(','));
  }
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'civic-bench-import-')), 'cadastre.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return timed(['--org', 'city', '--user', 'registrar', 'land', 'import', file, '--batch-size', '200'], ctx.env);
}

/**
 * A round with `count` applications (preloaded citizens), every org's share committed and
 * revealed, then `civic allocation draw` timed: one transaction that draws every application.
 */
async function drawFigure(ctx: WorkloadContext, count: number, setup: PreloadStep[]): Promise<number> {
  const label = `draw${String(count)}`;
  const applications = await allocationWorkload.prepare(ctx, count, label);
  setup.push(stepOnly(await submitAllClosedLoop(ctx.sessions, `${String(count)} applications`, applications, ctx.inFlight)));
  const round = ['--round', `bench-${ctx.world.runId}-${label}`.toLowerCase()];
  const officer = (org: string): string[] => ['--org', org, '--user', 'allocation-officer', 'allocation'];
  for (const org of ORGS) {
    civic([...officer(org), 'commit', ...round], ctx.env);
  }
  civic([...officer('city'), 'close', ...round], ctx.env);
  for (const org of ORGS) {
    civic([...officer(org), 'reveal', ...round], ctx.env);
  }
  return timed([...officer('city'), 'draw', ...round], ctx.env);
}

/** A petition with `count` signatures (preloaded citizens), then `civic petition audit` timed. */
async function auditFigure(ctx: WorkloadContext, count: number, setup: PreloadStep[]): Promise<number> {
  const label = `audit${String(count)}`;
  const signatures = await petitionWorkload.prepare(ctx, count, label);
  setup.push(stepOnly(await submitAllClosedLoop(ctx.sessions, `${String(count)} signatures`, signatures, ctx.inFlight)));
  return timed(['--org', 'agencies', '--user', 'auditor', 'petition', 'audit', `bench-${ctx.world.runId}-${label}`.toLowerCase()], ctx.env);
}

/**
 * The chaincode-level figures: the allocation draw of `size` applications, an import of
 * `size / 2` parcels, and the audit of a petition with `size` signatures, each timed and logged.
 * Needs `size` preloaded DIDs.
 *
 * @param log - one line per figure
 * @throws Error (from the CLI) when a step fails
 */
export async function chaincodeFigures(ctx: WorkloadContext, size: number, log: (line: string) => void): Promise<Figure[]> {
  const load = (): number => Math.round((loadavg()[0] ?? 0) * 100) / 100;
  const figures: Figure[] = [];
  const half = Math.floor(size / 2);
  const add = (what: string, secs: number, setup: PreloadStep[]): void => {
    const f = { what, seconds: secs, setup, loadAverage1m: load() };
    figures.push(f);
    log(`figure: ${what}: ${String(secs)} s (load ${String(f.loadAverage1m)})`);
  };
  add(`land import of ${String(half)} parcels (civic land import, 200 per transaction)`, importFigure(ctx, half), []);
  const drawSetup: PreloadStep[] = [];
  add(`allocation draw of ${String(size)} applications (civic allocation draw, one transaction)`, await drawFigure(ctx, size, drawSetup), drawSetup);
  const auditSetup: PreloadStep[] = [];
  add(`audit of a petition with ${String(size)} signatures (civic petition audit)`, await auditFigure(ctx, size, auditSetup), auditSetup);
  return figures;
}
