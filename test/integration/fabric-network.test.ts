import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { civic, civicJson, type CivicRun } from '../support/civic-cli';
import { liveNetworkEnv, settledHeights } from '../support/test-network';

/**
 * The live Fabric network of this test run (three orgs, etcdraft, TLS, the civic chaincode),
 * driven through the built `civic` CLI: the DID registry across the three orgs' gateways,
 * refusals that leave the ledger as it was, a chaincode upgrade and a full restart.
 */
const env = { ...liveNetworkEnv(), CIVIC_KEY_PASSPHRASE: 'integration test passphrase' };
const keys = mkdtempSync(path.join(os.tmpdir(), 'civic-it-keys-'));
const ORGS = ['city', 'agencies', 'utilities'] as const;

interface Status {
  fabric: { version: string; source: string };
  fabricCa: { version: string };
  nodes: { name: string; kind: string; running: boolean; healthy: boolean; height?: number | null }[];
  channel: { raftLeader: string | null; heights: Record<string, number | null> };
  chaincode: { name: string; version: string; sequence: number; endorsementPolicy: string; collections: string[] } | null;
}
interface Resolution {
  didDocument: { id: string; verificationMethod: { publicKeyJwk: { x: string } }[] };
  didDocumentMetadata: { sequence: number; deactivated: boolean };
}

const status = (): Status => civicJson<Status>(['network', 'status'], env);

function keygen(name: string): { file: string; did: string; x: string } {
  const file = path.join(keys, `${name}.key.json`);
  const key = civicJson<{ did: string; publicKeyJwk: { x: string } }>(['identity', 'keygen', '--out', file], env);
  return { file, did: key.did, x: key.publicKeyJwk.x };
}

/** A refusal: non-zero exit and one line on stderr matching `message`. */
function expectRefused(run: CivicRun, message: RegExp): void {
  expect(run.code).toBe(1);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(message);
}

const resolveThrough = (org: string, did: string): Resolution => civicJson<Resolution>(['--org', org, '--user', 'auditor', 'identity', 'resolve', did], env);

const alice = keygen('alice');

beforeAll(() => {
  const run = civic(['--org', 'city', '--user', 'clerk', 'identity', 'register', '--key', alice.file], env);
  if (run.code !== 0) {
    throw new Error(`registering alice failed: ${run.stderr}`);
  }
});

describe('the network', () => {
  it('runs every node healthy, with a Raft leader, Fabric 3.1.1 built from the pinned module, and the chaincode committed with a majority endorsement policy', () => {
    const s = status();
    expect(s.nodes).toHaveLength(9);
    expect(s.nodes.filter((n) => !(n.running && n.healthy)).map((n) => n.name)).toEqual([]);
    expect(s.channel.raftLeader).toMatch(/^orderer-(city|agencies|utilities)$/);
    expect(s.fabric.version).toBe('3.1.1');
    expect(s.fabric.source).toMatch(/v1\.4\.0-rc1\.0\.20250510200036-435a7f1a780a/);
    expect(s.fabricCa.version).toBe('1.5.21');
    expect(s.chaincode?.endorsementPolicy).toBe("OutOf(2, 'CityMSP.peer', 'AgenciesMSP.peer', 'UtilitiesMSP.peer')");
    expect(s.chaincode?.collections).toEqual(['debtCityMSP', 'debtAgenciesMSP', 'debtUtilitiesMSP']);
  });

  it("doctor passes every check and names each binary's version and where it came from", () => {
    const checks = civicJson<{ check: string; ok: boolean; detail: string }[]>(['network', 'doctor'], env);
    expect(checks.filter((c) => !c.ok).map((c) => c.check)).toEqual([]);
    const detail = (check: string): string | undefined => checks.find((c) => c.check === check)?.detail;
    expect(detail('binary peer')).toMatch(/version 3\.1\.1; go build of github\.com\/hyperledger\/fabric@v1\.4\.0-rc1\.0\.20250510200036-435a7f1a780a/);
    expect(detail('binary configtxgen')).toMatch(/version 3\.1\.1;/);
    expect(detail('binary fabric-ca-server')).toMatch(/version 1\.5\.21;/);
  });

  it('answers an evaluate through every org gateway', () => {
    const ping = civicJson<{ org: string; contracts: string[] }[]>(['network', 'ping'], env);
    expect(ping.map((p) => p.org)).toEqual([...ORGS]);
    for (const p of ping) {
      expect(p.contracts).toEqual(expect.arrayContaining(['identity', 'land', 'allocation', 'debt', 'petition']));
    }
  });
});

describe('the DID registry across the three orgs', () => {
  it('resolves a DID registered through City identically through Agencies and Utilities', () => {
    const [city, agencies, utilities] = ORGS.map((org) => resolveThrough(org, alice.did));
    expect(city?.didDocument.id).toBe(alice.did);
    expect(agencies).toEqual(city);
    expect(utilities).toEqual(city);
  });

  it('refuses bad input with one clear line and a non-zero exit, and adds no block', async () => {
    const alice2 = keygen('alice-2');
    const rotated = civic(['--org', 'agencies', '--user', 'clerk', 'identity', 'rotate', '--key', alice.file, '--new-key', alice2.file], env);
    expect(rotated.code).toBe(0);
    const before = await settledHeights(env);

    expectRefused(civic(['--org', 'utilities', 'identity', 'resolve', 'did:civic:not*a*thumbprint'], env), /not a did:civic DID/);
    expectRefused(civic(['--org', 'harbour', 'identity', 'resolve', alice.did], env), /unknown --org 'harbour'/);
    // Registered already (as alice, now with her rotated key).
    expectRefused(civic(['--org', 'city', '--user', 'clerk', 'identity', 'register', '--key', alice.file], env), /already/i);
    // Rotating with the key that is no longer alice's current key.
    const alice3 = keygen('alice-3');
    expectRefused(civic(['--org', 'city', '--user', 'clerk', 'identity', 'rotate', '--key', alice.file, '--new-key', alice3.file], env), /signature|proof/i);
    // A registration request whose proof of possession was made by another key.
    const bob = keygen('bob');
    const mallory = keygen('mallory');
    const bobRequest = path.join(keys, 'bob.registration.json');
    const malloryRequest = path.join(keys, 'mallory.registration.json');
    civicJson(['identity', 'registration-request', '--key', bob.file, '--out', bobRequest], env);
    civicJson(['identity', 'registration-request', '--key', mallory.file, '--out', malloryRequest], env);
    const forged = {
      ...(JSON.parse(readFileSync(bobRequest, 'utf8')) as object),
      proof: (JSON.parse(readFileSync(malloryRequest, 'utf8')) as { proof: string }).proof,
    };
    const forgedFile = path.join(keys, 'bob.forged.json');
    writeFileSync(forgedFile, JSON.stringify(forged));
    expectRefused(civic(['--org', 'agencies', '--user', 'clerk', 'identity', 'register', '--request', forgedFile], env), /proof/i);

    expect(await settledHeights(env)).toEqual(before);
    // Bob's own request still registers: the refusal changed nothing.
    expect(civic(['--org', 'agencies', '--user', 'clerk', 'identity', 'register', '--request', bobRequest], env).code).toBe(0);
    expect(resolveThrough('utilities', bob.did).didDocument.id).toBe(bob.did);
    // Alice's key is the one she rotated to; the refused rotation left it as it was.
    const current = resolveThrough('city', alice.did);
    expect(current.didDocument.verificationMethod[0]?.publicKeyJwk.x).toBe(alice2.x);
    expect(current.didDocumentMetadata.sequence).toBe(1);
  }, 180_000);

  it('refuses a staff user without the clerk role in the chaincode, naming the endorsing org', () => {
    const carol = keygen('carol');
    const run = civic(['--org', 'utilities', '--user', 'auditor', 'identity', 'register', '--key', carol.file], env);
    expectRefused(run, /FORBIDDEN: identity:RegisterDID requires role clerk; caller from UtilitiesMSP has role auditor \(endorser \w+MSP, tx [0-9a-f]{64}\)/);
    expect(civic(['--org', 'city', 'identity', 'resolve', carol.did], env).code).toBe(1);
  });
});

describe('operating the running network', () => {
  it('upgrades the chaincode to the next sequence and keeps state; status shows the new definition', async () => {
    const before = status().chaincode;
    const deployed = civic(['network', 'deploy'], env, 600_000);
    expect({ code: deployed.code, stderr: deployed.code === 0 ? '' : deployed.stderr }).toEqual({ code: 0, stderr: '' });
    const after = status().chaincode;
    expect(after?.sequence).toBe((before?.sequence ?? 0) + 1);
    expect(after?.endorsementPolicy).toBe(before?.endorsementPolicy);
    expect(resolveThrough('agencies', alice.did).didDocument.id).toBe(alice.did);
    await settledHeights(env);
  }, 600_000);

  it('network down then up keeps the ledgers (after naming a node that dies at start and the fix): the DID resolves and the three peers reach the same height', async () => {
    const before = await settledHeights(env);
    expect(civic(['network', 'down'], env).code).toBe(0);
    expect(
      status()
        .nodes.filter((n) => n.running)
        .map((n) => n.name),
    ).toEqual([]);
    // A node that dies at start: City's peer port is taken by another process.
    const peerPort = Number(liveNetworkEnv().CIVIC_BASE_PORT) + 2;
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(peerPort, '127.0.0.1', resolve));
    try {
      const failed = civic(['network', 'up'], env, 600_000);
      expect(failed.code).toBe(2);
      expect(failed.stderr).toMatch(/peer-city exited at start; last log lines/);
      expect(failed.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${String(peerPort)}: bind: address already in use`));
      expect(failed.stderr).toMatch(new RegExp(`fix: port ${String(peerPort)} is taken by another process`));
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    const up = civic(['network', 'up'], env, 600_000);
    expect({ code: up.code, stderr: up.code === 0 ? '' : up.stderr }).toEqual({ code: 0, stderr: '' });
    expect(up.stderr).toMatch(/every peer counts the other 2 among the gossip members of channel 'civic'/);
    for (const org of ORGS) {
      expect(resolveThrough(org, alice.did).didDocument.id).toBe(alice.did);
    }
    // Once `up` returns, each org's gateway gathers endorsements of another org at the first try:
    // it waited until the restarted peers' gossip found one another.
    const submitted = ORGS.map((org) => {
      const citizen = keygen(`after-restart-${org}`);
      const run = civic(['--org', org, '--user', 'clerk', 'identity', 'register', '--key', citizen.file], env);
      return { org, code: run.code, stderr: run.code === 0 ? '' : run.stderr };
    });
    expect(submitted).toEqual(ORGS.map((org) => ({ org, code: 0, stderr: '' })));
    const after = await settledHeights(env);
    expect(after[0]).toBeGreaterThanOrEqual(before[0] ?? Infinity);
  }, 600_000);
});
