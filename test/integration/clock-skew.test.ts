/**
 * A client's clock on the live network. The gateway stamps each proposal with the client's clock
 * (@hyperledger/fabric-gateway's proposal builder: `Timestamp.fromDate(new Date())`), and the
 * chaincode decides by that time (a petition closes, a consent expires, a round ends). Each peer
 * refuses to endorse a proposal stamped more than 300 s off its own clock. Shown with real `civic`
 * processes whose clock alone is shifted (test/support/shift-clock.js, preloaded through
 * NODE_OPTIONS):
 *  - a City clerk whose clock runs 12 minutes ahead cannot close a petition that is still open (it
 *    would close "after its closing time"), nor anyone read it as closed; 12 minutes behind is
 *    refused too; an hour off is refused by Fabric's own check (peer.authentication.timewindow,
 *    15 min), which the CLI names as clearly; each refusal is one line, and no block is added;
 *  - a clock within the skew, and a correct clock, work as before.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PetitionRecord } from '@civic-ledger/chaincode/dist/petition/client';
import { REPO, civic, civicJson, type CivicRun } from '../support/civic-cli';
import { liveNetworkEnv, settledHeights } from '../support/test-network';

const env = liveNetworkEnv();
const work = mkdtempSync(path.join(os.tmpdir(), 'civic-it-clock-'));
const RUN = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const ID = `clock-${RUN}`;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Beyond the chaincode's 300 s, within the 15 min Fabric's own peer check (peer.authentication.timewindow) lets through. */
const SKEW = 12 * MINUTE;
const SHIFT_CLOCK = path.join(REPO, 'test', 'support', 'shift-clock.js');
const CITY_CLERK = ['--org', 'city', '--user', 'clerk'];

/** The network's environment for a `civic` run whose clock is `offsetMs` off the real one. */
function shiftedBy(offsetMs: number): NodeJS.ProcessEnv {
  return { ...env, NODE_OPTIONS: `--require ${SHIFT_CLOCK}`, CIVIC_TEST_CLOCK_OFFSET_MS: String(offsetMs) };
}

/**
 * A refusal for clock skew: exit 1, nothing on stdout, one line naming how far and which way the proposal's time is off
 * and the limit: the chaincode's 300 s, or beyond the peer's own `peer.authentication.timewindow` (15 min), that one.
 */
function expectSkewRefused(run: CivicRun, way: 'ahead of' | 'behind', offsetSeconds: number, limit = '300 s'): void {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '' });
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  const match = new RegExp(
    `^error: .*FAILED_PRECONDITION: the proposal's timestamp \\S+ is (\\d+) s ${way} (?:this|the) peer's clock \\(limit ${limit}[^)]*\\); check the client's clock \\(NTP\\)`,
  ).exec(lines[0] ?? '');
  expect({ line: lines[0], matched: match !== null }).toEqual({ line: lines[0], matched: true });
  // The peer measured the shift (give or take the run's own seconds).
  expect(Math.abs(Number(match?.[1]) - offsetSeconds)).toBeLessThanOrEqual(30);
}

/** The petition `civic --json petition show` printed. */
const shown = (run: CivicRun): PetitionRecord => (JSON.parse(run.stdout) as { result: PetitionRecord }).result;
/** The petition `civic --json petition close` committed. */
const committed = (run: CivicRun): PetitionRecord => (JSON.parse(run.stdout) as { result: { result: PetitionRecord } }).result.result;

describe('a client clock off the peers’ clocks', () => {
  let heights: number[];

  beforeAll(async () => {
    const textFile = path.join(work, 'petition.txt');
    writeFileSync(textFile, `The people of Civitas ask that ${ID} be decided on time.\n`);
    const closes = new Date(Math.ceil((Date.now() + 8 * MINUTE) / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // A correct clock: the City creates a petition that closes in eight minutes (a 12-minute-fast clock would be past it).
    const created = civicJson<{ result: PetitionRecord }>(
      [
        ...CITY_CLERK,
        'petition',
        'create',
        '--id',
        ID,
        '--title',
        `Clock ${ID}`,
        '--text-file',
        textFile,
        '--threshold',
        '10',
        '--closes',
        closes,
        '--credential-type',
        `Residency${RUN}`,
        '--require',
        'resident_of=Civitas',
        '--key-out',
        path.join(work, `${ID}.token-key.json`),
      ],
      env,
    );
    expect(created.result).toMatchObject({ petitionId: ID, status: 'open', final: null });
    heights = await settledHeights(env);
  }, 180_000);

  it('refuses a City clerk whose clock is 12 minutes ahead: the open petition is neither closed early nor read as closed, and no block is added', async () => {
    expectSkewRefused(civic([...CITY_CLERK, 'petition', 'close', ID], shiftedBy(SKEW)), 'ahead of', SKEW / 1000);
    expectSkewRefused(civic(['--org', 'utilities', 'petition', 'show', ID], shiftedBy(SKEW)), 'ahead of', SKEW / 1000);
    expect(await settledHeights(env)).toEqual(heights);
    expect(shown(civic(['--json', 'petition', 'show', ID], env))).toMatchObject({ status: 'open', final: null });
  }, 180_000);

  it('refuses a City clerk whose clock is 12 minutes behind, even to withdraw, and no block is added', async () => {
    expectSkewRefused(civic([...CITY_CLERK, 'petition', 'close', ID, '--withdraw'], shiftedBy(-SKEW)), 'behind', SKEW / 1000);
    expect(await settledHeights(env)).toEqual(heights);
    expect(shown(civic(['--json', 'petition', 'show', ID], env))).toMatchObject({ status: 'open', final: null });
  }, 180_000);

  it("refuses a clock an hour ahead or behind with the peer's own check, named as clearly, and no block is added", async () => {
    expectSkewRefused(civic([...CITY_CLERK, 'petition', 'close', ID], shiftedBy(HOUR)), 'ahead of', 3600, '15m0s');
    expectSkewRefused(civic([...CITY_CLERK, 'petition', 'close', ID, '--withdraw'], shiftedBy(-HOUR)), 'behind', 3600, '15m0s');
    expect(await settledHeights(env)).toEqual(heights);
  }, 180_000);

  it('serves a clock within the skew (two minutes ahead) and a correct one: the City withdraws the petition at the real time', async () => {
    expect(shown(civic(['--json', '--org', 'agencies', 'petition', 'show', ID], shiftedBy(120_000)))).toMatchObject({ status: 'open', final: null });
    const before = Date.now();
    const withdrawn = committed(civic(['--json', ...CITY_CLERK, 'petition', 'close', ID, '--withdraw'], env));
    expect(withdrawn).toMatchObject({ status: 'closed', final: { reason: 'withdrawn' } });
    const closedAt = Date.parse((withdrawn.final as NonNullable<PetitionRecord['final']>).closedAt);
    expect(closedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(closedAt).toBeLessThanOrEqual(Date.now() + 1000);
    const after = await settledHeights(env);
    expect(after.map((h, i) => h - (heights[i] ?? 0))).toEqual(heights.map(() => 1));
  }, 180_000);
});
