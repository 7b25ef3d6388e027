import { CommanderError } from 'commander';
import { parseOptions } from './options';

const KNOWN = ['put', 'did', 'land'];

/** Commander writes its usage errors to stderr; the tests read them from the thrown error. */
function parseQuietly(argv: readonly string[]): ReturnType<typeof parseOptions> {
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = () => true;
  try {
    return parseOptions(argv, KNOWN);
  } finally {
    process.stderr.write = write;
  }
}

describe('parseOptions', () => {
  it('runs the sustained put at 400 TPS for 2 minutes unless told otherwise', () => {
    const o = parseQuietly([]);
    expect([o.sustainedRateTps, o.sustainedDurationS]).toEqual([400, 120]);
    expect(o.workloads).toEqual(KNOWN);
  });

  it('takes another sustained rate and duration, and 0 for none', () => {
    expect(parseQuietly(['--sustained-rate', '300', '--sustained-duration', '60'])).toMatchObject({ sustainedRateTps: 300, sustainedDurationS: 60 });
    expect(parseQuietly(['--sustained-rate', '0']).sustainedRateTps).toBe(0);
  });

  it('has no sustained run, sweep, preload or figures in a smoke run', () => {
    expect(parseQuietly(['--smoke', '--sustained-rate', '300', '--figures', '100'])).toMatchObject({
      smoke: true,
      sustainedRateTps: 0,
      sweep: [],
      dids: 0,
      parcels: 0,
      figures: 0,
    });
  });

  it.each([
    [['--sustained-rate', '-1'], /--sustained-rate.*must be a whole number/],
    [['--sustained-rate', '2.5'], /--sustained-rate.*must be a whole number/],
    [['--sustained-duration', '0'], /--sustained-duration.*must be a positive number/],
    [['--workloads', 'put,nope'], /unknown workload 'nope' \(known: put, did, land\)/],
  ])('refuses %j, naming what is wrong', (argv, message) => {
    let error: unknown;
    try {
      parseQuietly(argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).message).toMatch(message);
  });
});
