import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NodeStatus } from '../../cli/src/commands/network';
import { civic, civicJson, type CivicRun } from '../support/civic-cli';
import { metricSample } from '../support/http-get';
import { testNetworkEnv } from '../support/test-network';

/**
 * A second peer of an org: `civic peer add --org city` starts peer1.city with its own identity
 * and ports; it joins the channel from the genesis block, catches up with City's first peer and
 * gets the chaincode package City approved. City's gateway sessions spread over both peers (both
 * endorse), and when City's first peer is killed City's staff still submit and read through
 * City's gateway (the CLI fails over to peer1.city); `network up` brings the first peer back and
 * it catches up.
 *
 * A peer added for good changes the network, so this suite stands up a network of its own
 * (suite index 6: ports 29600..29659) and deletes it at the end.
 */
jest.setTimeout(15 * 60_000);

const env: NodeJS.ProcessEnv = { ...testNetworkEnv(6), CIVIC_KEY_PASSPHRASE: 'peer-add integration passphrase' };
const files = mkdtempSync(path.join(os.tmpdir(), 'civic-it-peer-'));

type PeerNode = NodeStatus;

function ok(run: CivicRun, what: string): CivicRun {
  if (run.code !== 0) {
    throw new Error(`${what} failed (exit ${String(run.code)}): ${run.stderr}`);
  }
  return run;
}

function cityPeers(): PeerNode[] {
  return civicJson<{ nodes: PeerNode[] }>(['network', 'status'], env).nodes.filter((n) => n.kind === 'peer' && n.org === 'city');
}

function node(name: string): PeerNode {
  const found = cityPeers().find((n) => n.name === name);
  if (found === undefined) {
    throw new Error(`network status shows no ${name}`);
  }
  return found;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Both City peers' heights once they are equal (polling, no time assertion); the last seen otherwise. */
async function sameHeight(): Promise<{ first: number; second: number }> {
  let last = { first: -1, second: -2 };
  for (let i = 0; i < 120; i += 1) {
    last = { first: node('peer-city').height ?? -1, second: node('peer1-city').height ?? -2 };
    if (last.first === last.second && last.first > 0) {
      return last;
    }
    await sleep(1000);
  }
  return last;
}

/** A peer's count of successfully endorsed proposals, from its Prometheus metrics. */
async function endorsed(peer: PeerNode): Promise<number> {
  return metricSample(`http://${peer.host}:${String(peer.operationsPort)}`, 'endorser_successful_proposals');
}

let serial = 0;
/** The DIDs registered through City in this suite. */
const registered: string[] = [];
/** A fresh citizen key, registered through City's gateway by City's clerk; returns its DID. */
function registerThroughCity(extraEnv: NodeJS.ProcessEnv = {}): { did: string; run: CivicRun } {
  serial += 1;
  const key = path.join(files, `citizen-${String(serial)}.key.json`);
  const did = civicJson<{ did: string }>(['identity', 'keygen', '--out', key], env).did;
  const run = civic(['--verbose', '--org', 'city', '--user', 'clerk', 'identity', 'register', '--key', key], { ...env, ...extraEnv });
  ok(run, `register ${did} through City`);
  registered.push(did);
  return { did, run };
}

function resolveThroughCity(did: string, extraEnv: NodeJS.ProcessEnv = {}): CivicRun {
  return civic(['--verbose', '--json', '--org', 'city', '--user', 'auditor', 'identity', 'resolve', did], { ...env, ...extraEnv });
}

beforeAll(() => {
  ok(civic(['network', 'up'], env, 14 * 60_000), 'network up');
});

afterAll(() => {
  if (process.env.CIVIC_KEEP_TEST_NETWORK !== '1') {
    civic(['network', 'clean'], env);
  }
});

describe('a second peer of an org', () => {
  it('refuses an org the network does not have, naming it', () => {
    const run = civic(['peer', 'add', '--org', 'harbour'], env);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/unknown --org 'harbour'/);
  });

  it('adds peer1.city: its own identity and ports, joined to civic, the approved package, at the height of the first peer', async () => {
    const added = civicJson<{ peer: string; node: string; endpoint: string; packageId: string | null; gossipBootstrap: string[] }>(
      ['peer', 'add', '--org', 'city'],
      env,
    );
    const base = Number(env.CIVIC_BASE_PORT);
    expect(added).toMatchObject({ peer: 'peer1.city', node: 'peer1-city', endpoint: `127.0.0.1:${String(base + 8)}` });
    expect(added.gossipBootstrap).toEqual([`127.0.0.1:${String(base + 2)}`]);
    expect(added.packageId).toMatch(/^civic_[^:]+:[0-9a-f]{64}$/);

    const ports = JSON.parse(readFileSync(path.join(env.CIVIC_NETWORK_HOME ?? '', 'ports.json'), 'utf8')) as { orgs: Record<string, Record<string, number>> };
    expect(ports.orgs.city).toMatchObject({ peer: base + 2, peer_ops: base + 4, peer1: base + 8, peer1_chaincode: base + 9, peer1_ops: base + 10 });
    expect(ports.orgs.agencies).toMatchObject({ ca: base + 20, peer: base + 22 });

    const profile = JSON.parse(readFileSync(path.join(env.CIVIC_NETWORK_HOME ?? '', 'connection-profiles', 'city.json'), 'utf8')) as {
      organizations: Record<string, { peers: string[] }>;
      peers: Record<string, { url: string }>;
    };
    expect(profile.organizations.CityMSP?.peers).toEqual(['peer0.city', 'peer1.city']);
    expect(profile.peers['peer1.city']?.url).toBe(`grpcs://127.0.0.1:${String(base + 8)}`);

    const second = node('peer1-city');
    expect(second).toMatchObject({ running: true, healthy: true, port: base + 8, operationsPort: base + 10 });
    const heights = await sameHeight();
    expect(heights.second).toBe(heights.first);
  });

  it("spreads City's gateway sessions over both City peers: both endorse", async () => {
    const [first, second] = [node('peer-city'), node('peer1-city')];
    const before = { first: await endorsed(first), second: await endorsed(second) };
    let after = { ...before };
    // Each command starts at a peer drawn at random, so both are used after a few submits.
    for (let i = 0; i < 12 && !(after.first > before.first && after.second > before.second); i += 1) {
      registerThroughCity();
      after = { first: await endorsed(first), second: await endorsed(second) };
    }
    expect(after.first).toBeGreaterThan(before.first);
    expect(after.second).toBeGreaterThan(before.second);
  });

  it("keeps City's staff submitting and reading through City's gateway while City's first peer is down", async () => {
    const pidFile = path.join(env.CIVIC_NETWORK_HOME ?? '', 'pids', 'peer-city.pid');
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(node('peer-city').pid).toBe(pid);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && node('peer-city').running; i += 1) {
      await sleep(200);
    }
    expect(node('peer-city').running).toBe(false);

    // Told to try the first peer first, the CLI finds it does not answer and goes on to peer1.city.
    const { did, run } = registerThroughCity({ CIVIC_GATEWAY_PEER: 'peer0.city' });
    expect(run.stderr).toMatch(/gateway peer peer0\.city at 127\.0\.0\.1:\d+ did not answer .*; trying the next/);
    const resolved = resolveThroughCity(did, { CIVIC_GATEWAY_PEER: 'peer0.city' });
    expect(resolved.code).toBe(0);
    expect((JSON.parse(resolved.stdout) as { result: { didDocument: { id: string } } }).result.didDocument.id).toBe(did);
    // And without a preference, whichever peer a command starts at.
    for (let i = 0; i < 3; i += 1) {
      const again = resolveThroughCity(did);
      expect(again.code).toBe(0);
    }
    const other = registerThroughCity();
    expect(resolveThroughCity(other.did).code).toBe(0);
  });

  it('brings the first peer back with network up; it catches up with peer1.city', async () => {
    const before = node('peer1-city').height ?? 0;
    ok(civic(['network', 'up'], env, 10 * 60_000), 'network up');
    expect(node('peer-city')).toMatchObject({ running: true, healthy: true });
    const heights = await sameHeight();
    expect(heights.first).toBe(heights.second);
    expect(heights.first).toBeGreaterThanOrEqual(before);
  });

  it("names every endpoint tried when none of the org's peers answers", () => {
    ok(civic(['network', 'down'], env), 'network down');
    const run = civic(['--org', 'city', '--user', 'auditor', 'identity', 'resolve', registered[0] ?? 'no DID registered'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no gateway peer of CityMSP answered; tried peer[01]\.city at 127\.0\.0\.1:\d+ \(.*\); peer[01]\.city at 127\.0\.0\.1:\d+/);
    expect(cityPeers().every((n) => !n.running)).toBe(true);
  });
});
