import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NodeStatus } from '../../cli/src/commands/network';
import { DEADLINES } from '../../cli/src/gateway/connect';
import { chaincodeProcesses, killNode, networkUp, nodePid, waitFor } from '../reliability/support/faults';
import { civic, civicJson, type CivicRun } from '../support/civic-cli';
import { metricSample } from '../support/http-get';
import { liveNetworkEnv } from '../support/test-network';

/**
 * Two orgs' peers down under the chaincode's majority policy (2 of 3 orgs): a clerk of the third
 * org who submits is refused within the CLI's endorsement deadline with `ENDORSERS_UNAVAILABLE`
 * naming the two orgs with no peer up, and no block is added; a repayment plan whose creditor's
 * collection needs that creditor's own peer is refused naming that creditor. `civic network up`
 * brings the peers back and the same submit then commits.
 *
 * The first refusal comes right after the peers stop, while City's gateway may still count them
 * as channel members and dial them; the plan is proposed once City's peer has dropped them from
 * its gossip membership, so that the gateway plans the collection's endorsement without them and
 * names the org it cannot find, whatever the timing of the machine.
 *
 * This suite stops peers of the shared integration network (by their pid files, never by name),
 * so it restores the network before it ends, also when a check fails, for the suites that follow.
 */
jest.setTimeout(10 * 60_000);

const env: NodeJS.ProcessEnv = { ...liveNetworkEnv(), CIVIC_KEY_PASSPHRASE: 'endorsers-down integration passphrase' };
const home = env.CIVIC_NETWORK_HOME ?? '';
const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-it-down-'));
const file = (name: string): string => path.join(dir, name);
const RUN = randomBytes(3).toString('hex').toUpperCase();
const STOPPED = ['peer-agencies', 'peer-utilities'] as const;
const PEERS = ['peer-city', ...STOPPED] as const;

function ok(run: CivicRun, what: string): CivicRun {
  if (run.code !== 0) {
    throw new Error(`${what} failed (exit ${String(run.code)}): ${run.stdout}${run.stderr}`);
  }
  return run;
}

/** `civic --json` as an org's user; the parsed `result`. */
function as(org: string, user: string, args: readonly string[]): unknown {
  return (JSON.parse(ok(civic(['--json', '--org', org, '--user', user, ...args], env), args.join(' ')).stdout) as { result: unknown }).result;
}

/** City's peer's block height, from `civic network status`. */
function cityHeight(): number {
  return civicJson<{ channel: { heights: Record<string, number | null> } }>(['network', 'status'], env).channel.heights['peer-city'] ?? -1;
}

/** City's peer's operations endpoint (`/metrics`), from `civic network status`. */
function cityOperationsUrl(): string {
  const city = civicJson<{ nodes: NodeStatus[] }>(['network', 'status'], env).nodes.find((n) => n.name === 'peer-city');
  if (city === undefined) {
    throw new Error('civic network status lists no peer-city');
  }
  return `http://${city.host}:${String(city.operationsPort)}`;
}

/** A refused `civic --json` run: its exit code, its error envelope, and how long it took (ms). */
function refused(org: string, user: string, args: readonly string[]): { code: number; error: { code: string; message: string }; ms: number } {
  const started = Date.now();
  const run = civic(['--json', '--org', org, '--user', user, ...args], env);
  const ms = Date.now() - started;
  const envelope = JSON.parse(run.stdout) as { status: string; error?: { code: string; message: string } };
  if (envelope.error === undefined) {
    throw new Error(`civic ${args.join(' ')} was not refused: ${run.stdout}`);
  }
  return { code: run.code, error: envelope.error, ms };
}

/** `civic network up` until every peer runs again and the CLI commits through City once more. */
async function restore(): Promise<void> {
  if (PEERS.every((p) => nodePid(home, p) !== undefined)) {
    return;
  }
  await networkUp(env);
}

let citizenKey = '';

beforeAll(() => {
  citizenKey = file('dora.key.json');
  ok(civic(['identity', 'keygen', '--out', citizenKey], env), 'keygen');
  as('city', 'clerk', ['identity', 'register', '--key', citizenKey]);
  const { did } = JSON.parse(readFileSync(citizenKey, 'utf8')) as { did: string };
  as('agencies', 'creditor', [
    'debt',
    'record',
    '--subject',
    did,
    '--reference',
    `AG-${RUN}-DOWN`,
    '--amount',
    '120.00',
    '--origin',
    `fee ${RUN}`,
    '--since',
    '2026-03-01',
  ]);
  as('city', 'debt-counsellor', ['debt', 'consent', '--key', citizenKey, '--creditors', 'agencies', '--out', file('consent.json')]);
  as('city', 'debt-counsellor', ['debt', 'overview', '--consent', file('consent.json'), '--out', file('overview.json')]);
}, 5 * 60_000);

afterAll(async () => {
  await restore();
}, 10 * 60_000);

describe('endorsing orgs down', () => {
  it('names the two orgs with no peer up, adds no block, and commits again once they are back', async () => {
    const before = cityHeight();
    const cityChaincode = chaincodeProcesses(nodePid(home, 'peer-city') ?? -1);
    for (const node of STOPPED) {
      killNode(home, node);
    }
    await waitFor('the two peers to exit', () => STOPPED.every((n) => nodePid(home, n) === undefined), 30_000);

    const keyB = file('emil.key.json');
    ok(civic(['identity', 'keygen', '--out', keyB], env), 'keygen');
    const down = refused('city', 'clerk', ['identity', 'register', '--key', keyB]);
    expect(down.code).toBe(2);
    expect(down.error.message).toMatch(
      /^not enough orgs' peers are up to endorse: the endorsement policy needs 2 of CityMSP, AgenciesMSP, UtilitiesMSP; no peer of AgenciesMSP, UtilitiesMSP answered \(civic network status\)/,
    );
    expect(down.error).toMatchObject({ code: 'ENDORSERS_UNAVAILABLE' });
    expect(down.ms).toBeLessThan(DEADLINES.endorse);

    // A plan's share is written in its creditor's collection, whose policy is that creditor's peer.
    const cityOps = cityOperationsUrl();
    await waitFor(
      "City's peer to drop the stopped peers from the channel's members",
      async () => (await metricSample(cityOps, 'gossip_membership_total_peers_known{channel="civic"}')) === 0,
      90_000,
      1000,
    );
    const plan = refused('city', 'debt-counsellor', [
      'debt',
      'plan',
      'propose',
      '--consent',
      file('consent.json'),
      '--overview',
      file('overview.json'),
      '--capacity',
      '50.00',
    ]);
    expect(plan.error.message).toMatch(/^the orgs that must endorse this transaction are not all up: no peer of AgenciesMSP answered/);
    expect(plan.error).toMatchObject({ code: 'ENDORSERS_UNAVAILABLE' });
    expect(plan.ms).toBeLessThan(DEADLINES.endorse);

    expect(cityHeight()).toBe(before);
    expect(chaincodeProcesses(nodePid(home, 'peer-city') ?? -1)).toEqual(cityChaincode);

    await restore();
    expect(PEERS.map((p) => nodePid(home, p) !== undefined)).toEqual([true, true, true]);
    const back = as('city', 'clerk', ['identity', 'register', '--key', keyB]) as { did: string };
    expect(back.did).toMatch(/^did:civic:/);
    expect(cityHeight()).toBeGreaterThan(before);
  });
});
