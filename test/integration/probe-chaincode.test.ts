/**
 * The test-only probe chaincode (test/chaincode/probe) on the live network, deployed by the
 * network scripts next to the civic chaincode (same majority endorsement policy, no collections):
 *
 * - a non-deterministic transaction (`PutClock`: Date.now() and Math.random()) is refused by the
 *   gateway because the endorsing peers' results differ, and nothing reaches the ledger;
 * - the ledger read semantics a chaincode sees on a real peer are the ones the chaincode unit
 *   tests' fake gives (chaincode/src/test-support/fake-context.ts): one probe sequence run on both;
 * - a chaincode process SIGKILLed mid-invoke fails that submit, writes nothing, and the peer
 *   launches the chaincode again for the next one, leaving the civic chaincode's processes alone.
 */
// First: it quiets fabric-contract-api's logging before the probe contract is loaded.
import { ORGS, alive, cpuTicks, deployProbe, peerChaincodes, probeContract, probeSession, type ChaincodeProcess } from './probe-support';
import { EndorseError, GatewayError } from '@hyperledger/fabric-gateway';
import { randomBytes } from 'node:crypto';
import { FakeLedger } from '../../chaincode/src/test-support/fake-context';
import { fromFabricError } from '../../cli/src/gateway/fabric-errors';
import { loadOrgConnection, type OrgConnection } from '../../cli/src/gateway/profile';
import type { OrgName } from '../../cli/src/options';
import { civicPaths } from '../../cli/src/paths';
import { EMPTY_SUFFIX, ProbeContract, SEED_SUFFIXES, type Observations, type ScanResult } from '../chaincode/probe/src/probe-contract';
import { liveNetworkEnv, settledHeights } from '../support/test-network';

const env = liveNetworkEnv();
const home = String(env.CIVIC_NETWORK_HOME);
const RUN = randomBytes(3).toString('hex');
const utf8 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/** `Slow` iterations taking about 3-5 s of CPU on the test machine (400M took 0.8 s). */
const SLOW_ITERATIONS = '2000000000';

/** An org's connection profile on the test network. */
const connectionOf = (org: OrgName): OrgConnection => loadOrgConnection(civicPaths({ ...process.env, ...env }), org);
const mspOf = (org: OrgName): string => connectionOf(org).mspId;

/** The probe's value under `key` as each org's own peer reads it (an evaluate through its gateway). */
async function readEverywhere(key: string): Promise<Record<string, string>> {
  const seen: Record<string, string> = {};
  for (const org of ORGS) {
    const session = probeSession(env, org);
    try {
      seen[org] = utf8(await probeContract(session).evaluateTransaction('Get', key));
    } finally {
      session.close();
    }
  }
  return seen;
}

/** Submit through `org`'s gateway; resolves to the result as UTF-8. */
async function submit(org: OrgName, name: string, ...args: string[]): Promise<string> {
  const session = probeSession(env, org);
  try {
    return utf8(await probeContract(session).submitTransaction(name, ...args));
  } finally {
    session.close();
  }
}

/** The rejection of `promise` (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

beforeAll(async () => {
  await deployProbe(env);
}, 300_000);

describe('a non-deterministic transaction', () => {
  it('is refused by the gateway (the endorsing peers returned different results) and writes nothing on any peer', async () => {
    const key = `clock-${RUN}`;
    const before = await settledHeights(env);
    const error = await rejection(submit('city', 'PutClock', key));
    expect(error).toBeInstanceOf(EndorseError);
    const refused = error as EndorseError;
    expect(refused.message).toBe('10 ABORTED: failed to collect enough transaction endorsements, see attached details for more info');
    expect(refused.details.length).toBeGreaterThan(0);
    for (const d of refused.details) {
      expect(d.message).toBe('ProposalResponsePayloads do not match');
    }
    const mapped = fromFabricError(error);
    expect(mapped).toMatchObject({ code: 'ENDORSEMENTS_DIFFER', exitCode: 1, transactionId: refused.transactionId });
    expect(mapped.message).toMatch(/^ENDORSEMENTS_DIFFER: the endorsing peers returned different results \(the chaincode is not deterministic: /);
    expect(await readEverywhere(key)).toEqual({ city: '', agencies: '', utilities: '' });
    expect(await settledHeights(env)).toEqual(before);
  }, 60_000);
});

describe('ledger semantics: the unit tests fake and a live peer', () => {
  it('give the same observations for the same probe sequence', async () => {
    const prefix = `sem-${RUN}`;
    expect(await submit('agencies', 'Seed', prefix)).toBe(String(SEED_SUFFIXES.length + 7));
    const peer = JSON.parse(await submit('agencies', 'Observe', prefix)) as Observations;
    const session = probeSession(env, 'utilities');
    let peerAfter: ScanResult;
    try {
      peerAfter = JSON.parse(utf8(await probeContract(session).evaluateTransaction('Scan', prefix))) as ScanResult;
    } finally {
      session.close();
    }

    const ledger = new FakeLedger();
    const probe = new ProbeContract();
    const clerk = { mspId: 'AgenciesMSP', role: 'clerk' };
    await ledger.tx(clerk, (ctx) => probe.Seed(ctx, prefix));
    const fake = JSON.parse(await ledger.tx(clerk, (ctx) => probe.Observe(ctx, prefix))) as Observations;
    const fakeAfter = JSON.parse(await ledger.tx(clerk, (ctx) => probe.Scan(ctx, prefix))) as ScanResult;

    expect(fake).toEqual(peer);
    expect(fakeAfter).toEqual(peerAfter);

    // The facts, stated independently of the probe's own code.
    const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
    const seeded = SEED_SUFFIXES.map((s) => `${prefix}/${s}`);
    const rangeKeys = peer.range.map((e) => e.key);
    expect(rangeKeys).toEqual([...seeded].sort(byBytes));
    expect(rangeKeys).not.toEqual([...seeded].sort()); // JavaScript's UTF-16 order puts U+1F600 before U+FF5A
    expect(rangeKeys.indexOf(`${prefix}/ｚ`)).toBeLessThan(rangeKeys.indexOf(`${prefix}/😀`));
    expect(rangeKeys).not.toContain(`${prefix}/${EMPTY_SUFFIX}`); // an empty write is a delete
    expect(peer.halfOpenRange.map((e) => e.key)).toEqual([`${prefix}/A`, `${prefix}/B`]);
    expect(peer.readOwnNewWrite).toEqual({ key: `${prefix}/new`, value: '', bytes: 0 });
    expect(peer.readOwnUpdate).toEqual({ key: `${prefix}/upd`, value: 'seeded:upd', bytes: 10 });
    expect(rangeKeys).not.toContain(`${prefix}/new`);
    expect(peer.readAfterDelete).toEqual({ key: `${prefix}/del`, value: 'seeded:del', bytes: 10 });
    expect(peer.missing).toEqual({ key: `${prefix}/missing`, value: '', bytes: 0 });
    expect(peer.partialComposite).toEqual([['a'], ['a', '10'], ['a', '2']]);
    // Once committed: the new key and the update are there, the deleted key is gone.
    const after = new Map(peerAfter.range.map((e) => [e.key, e.value]));
    expect([after.get(`${prefix}/new`), after.get(`${prefix}/upd`), after.has(`${prefix}/del`)]).toEqual(['written:new', 'written:upd', false]);
    expect(peerAfter.composites).toEqual([['A', '1'], ['a'], ['a', '10'], ['a', '2'], ['b'], ['ä']]);
  }, 60_000);
});

describe('a chaincode process killed mid-invoke', () => {
  it('fails that submit, writes nothing, and the peer launches the chaincode again; the civic chaincode is untouched', async () => {
    // The gateway's own org endorses first; with one peer in that org there is no other to retry on.
    const org = ORGS.find((o) => connectionOf(o).peers.length === 1);
    if (org === undefined) {
      throw new Error('every org has several peers: no endorser to kill without the gateway retrying another');
    }
    const peerNode = `peer-${org}`;
    const civicBefore = ORGS.map((o) => peerChaincodes(home, `peer-${o}`).filter((p) => p.packageId.startsWith('civic_')));
    const probeOf = (): ChaincodeProcess | undefined => peerChaincodes(home, peerNode).find((p) => p.packageId.startsWith('probe_'));
    const probeBefore = probeOf();
    if (probeBefore === undefined) {
      throw new Error(`${peerNode} runs no probe chaincode process after the deploy's evaluate`);
    }
    const startTicks = cpuTicks(probeBefore.pid) ?? 0;
    const key = `slow-${RUN}`;
    const outcome = rejection(submit(org, 'Slow', key, SLOW_ITERATIONS));

    // Mid-invoke: once the probe process has spun 0.3 s of CPU on this proposal.
    const deadline = Date.now() + 20_000;
    while ((cpuTicks(probeBefore.pid) ?? 0) - startTicks < 30) {
      if (Date.now() > deadline) {
        throw new Error(`the probe process ${String(probeBefore.pid)} on ${peerNode} did not start the Slow invoke within 20 s`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(probeBefore.pid, 'SIGKILL');

    const error = await outcome;
    expect(error).toBeInstanceOf(GatewayError);
    const failed = error as GatewayError;
    expect(failed.message).toBe('10 ABORTED: failed to endorse transaction, see attached details for more info');
    // e.g. "error in simulation: failed to execute transaction 9c7b…: error sending: chaincode stream terminated"
    expect(failed.details).toEqual([
      expect.objectContaining({
        mspId: mspOf(org),
        message: expect.stringMatching(
          /^error in simulation: failed to execute transaction [0-9a-f]{64}: error sending: chaincode stream terminated$/,
        ) as unknown,
      }),
    ]);
    expect(fromFabricError(error)).toMatchObject({ code: 'CHAINCODE_TERMINATED', exitCode: 2 });
    // Gone (or a zombie) once the peer has noticed; the peer reaps it.
    for (let i = 0; i < 50 && alive(probeBefore.pid); i += 1) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(alive(probeBefore.pid)).toBe(false);
    expect(await readEverywhere(key)).toEqual({ city: '', agencies: '', utilities: '' });

    // The next invoke: the peer launches the probe again and the write lands on every peer.
    const next = `slow-${RUN}-next`;
    const value = await submit(org, 'Slow', next, '1000');
    const relaunched = probeOf();
    expect(relaunched).toBeDefined();
    expect(relaunched?.pid).not.toBe(probeBefore.pid);
    const until = Date.now() + 15_000;
    let everywhere = await readEverywhere(next);
    while (Object.values(everywhere).some((v) => v !== value) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 500));
      everywhere = await readEverywhere(next);
    }
    expect(everywhere).toEqual({ city: value, agencies: value, utilities: value });

    const civicAfter = ORGS.map((o) => peerChaincodes(home, `peer-${o}`).filter((p) => p.packageId.startsWith('civic_')));
    expect(civicAfter).toEqual(civicBefore);
    expect(civicBefore.every((list) => list.length === 1)).toBe(true);
  }, 90_000);
});
