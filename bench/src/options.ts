import { Command, InvalidArgumentError } from 'commander';
import path from 'node:path';

/** The runner's settings, from its command line. */
export interface BenchOptions {
  readonly smoke: boolean;
  readonly workloads: readonly string[];
  readonly rateTps: number;
  readonly durationS: number;
  readonly inFlight: number;
  readonly dids: number;
  readonly parcels: number;
  readonly sweep: readonly string[];
  readonly sweepRates: readonly number[];
  readonly sweepDurationS: number;
  readonly out: string;
  readonly chart: string;
  readonly networkUp: boolean;
  /** Offered rate of the sustained put run (TPS); 0: no sustained run. */
  readonly sustainedRateTps: number;
  /** Seconds of the sustained put run. */
  readonly sustainedDurationS: number;
  /** Size of the chaincode-level figures (draw of N applications, import of N/2 parcels, audit of N signatures); 0: none. */
  readonly figures: number;
}

const RESULTS = path.resolve(__dirname, '../results');

function positive(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError('must be a positive number');
  }
  return n;
}

function whole(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError('must be a whole number ≥ 0');
  }
  return n;
}

const list = (text: string): string[] => text.split(',').filter((s) => s !== '');
const rates = (text: string): number[] => list(text).map(positive);

/**
 * Parse the runner's arguments (`npm run bench -- …`).
 *
 * @param argv - the arguments after the script name
 * @param known - the workload names
 * @returns the settings; `--smoke` replaces the load settings with a 10-second check (no preload,
 *   sweep, sustained run or figures)
 * @throws CommanderError on a malformed argument or an unknown workload (the message says which)
 */
export function parseOptions(argv: readonly string[], known: readonly string[]): BenchOptions {
  const program = new Command('bench')
    .exitOverride()
    .description('Civic Ledger load runner: open-loop load through every org’s Fabric Gateway')
    .option('--smoke', 'a 10-second check that the runner submits and commits (CI); measures nothing worth keeping', false)
    .option('--workloads <names>', `comma-separated, of: ${known.join(', ')}`, list, [...known])
    .option('--rate <tps>', 'offered rate of each workload run, TPS', positive, 100)
    .option('--duration <s>', 'seconds of load per workload run', positive, 30)
    .option('--in-flight <n>', 'most transactions in flight at once, over the three gateways', whole, 400)
    .option('--dids <n>', 'DIDs to preload', whole, 10_000)
    .option('--parcels <n>', 'parcels to preload (land import)', whole, 10_000)
    .option('--sweep <names>', 'workloads to sweep for saturation (empty: no sweep)', list, ['put', 'did'])
    .option('--sweep-rates <list>', 'offered rates of the sweep, rising, TPS', rates, [25, 50, 100, 150, 200, 300, 400, 500, 600])
    .option('--sweep-duration <s>', 'seconds per sweep step', positive, 20)
    .option('--sustained-rate <tps>', 'offered rate of the sustained put run, after the sweeps, TPS (0: none)', whole, 400)
    .option('--sustained-duration <s>', 'seconds of the sustained put run', positive, 120)
    .option('--out <file>', 'results JSON', path.join(RESULTS, 'latest.json'))
    .option('--chart <file>', 'latency-against-load SVG', path.join(RESULTS, 'latest.svg'))
    .option('--figures <n>', 'chaincode-level figures: draw of n applications, import of n/2 parcels, audit of n signatures (0: none)', whole, 0)
    .option('--no-network-up', 'never run `civic network up`: fail unless the network answers');
  program.parse([...argv], { from: 'user' });
  const o = program.opts<{
    smoke: boolean;
    workloads: string[];
    rate: number;
    duration: number;
    inFlight: number;
    dids: number;
    parcels: number;
    sweep: string[];
    sweepRates: number[];
    sweepDuration: number;
    sustainedRate: number;
    sustainedDuration: number;
    out: string;
    chart: string;
    networkUp: boolean;
    figures: number;
  }>();
  for (const name of [...o.workloads, ...o.sweep]) {
    if (!known.includes(name)) {
      program.error(`unknown workload '${name}' (known: ${known.join(', ')})`);
    }
  }
  const base = {
    inFlight: o.inFlight,
    out: path.resolve(o.out),
    chart: path.resolve(o.chart),
    networkUp: o.networkUp,
    sweepRates: o.sweepRates,
    sweepDurationS: o.sweepDuration,
    sustainedDurationS: o.sustainedDuration,
  };
  if (o.smoke) {
    return { ...base, smoke: true, workloads: ['put', 'did'], rateTps: 10, durationS: 5, dids: 0, parcels: 0, sweep: [], sustainedRateTps: 0, figures: 0 };
  }
  return {
    ...base,
    smoke: false,
    workloads: o.workloads,
    rateTps: o.rate,
    durationS: o.duration,
    dids: o.dids,
    parcels: o.parcels,
    sweep: o.sweep,
    sustainedRateTps: o.sustainedRate,
    figures: o.figures,
  };
}
