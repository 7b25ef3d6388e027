import type { RunResult } from './driver';

/** One point of the latency-against-load chart. */
export interface ChartPoint {
  readonly workload: string;
  readonly offeredTps: number;
  readonly achievedTps: number;
  readonly percentile: 'p50' | 'p95' | 'p99';
  readonly latencyMs: number;
}

/**
 * The chart's points: p50, p95 and p99 of each run that had VALID transactions.
 *
 * @param runs - runs with the workload each measured
 */
export function chartPoints(runs: readonly { workload: string; run: RunResult }[]): ChartPoint[] {
  return runs.flatMap(({ workload, run }) =>
    run.latencyMs === null
      ? []
      : (['p50', 'p95', 'p99'] as const).map((p) => ({
          workload,
          offeredTps: run.offeredTps,
          achievedTps: run.achievedTps,
          percentile: p,
          latencyMs: run.latencyMs?.[p] ?? 0,
        })),
  );
}

/**
 * Render latency (submit → commit status) against achieved throughput as SVG, one line per
 * workload and percentile, with vega-lite compiled to vega and rendered headless (no canvas).
 *
 * @param points - from {@link chartPoints}
 * @param title - the chart title (conditions)
 * @returns the SVG document
 */
export async function renderChart(points: readonly ChartPoint[], title: string): Promise<string> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const spec = vl.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 640,
    height: 360,
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'achievedTps', type: 'quantitative', title: 'achieved throughput (VALID TPS)' },
      y: { field: 'latencyMs', type: 'quantitative', title: 'latency submit → commit status (ms)', scale: { type: 'log' } },
      color: { field: 'workload', type: 'nominal' },
      strokeDash: { field: 'percentile', type: 'nominal' },
      order: { field: 'offeredTps', type: 'quantitative' },
      tooltip: [{ field: 'offeredTps' }, { field: 'achievedTps' }, { field: 'latencyMs' }],
    },
  }).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  return view.toSVG();
}
