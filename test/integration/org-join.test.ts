import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killNode, nodePid as nodePidOf, waitFor } from '../reliability/support/faults';
import { civic, civicJson, type CivicRun } from '../support/civic-cli';
import { createNetns, inNetns, netNamespaceOf, netnsExists, netnsFor, nodePid, removeNetns, tcpAnswers } from '../support/netns';
import { testNetworkEnv } from '../support/test-network';

/**
 * A fourth org joins a running three-org network from another host: Harbour sets itself up in
 * a network home of its own and hands over its definition; the channel update adding it is
 * refused with one member admin's signature and accepted with a majority; Harbour's peer joins
 * from the genesis block, catches up and approves the chaincode; the members commit the next
 * sequence with a majority-of-four endorsement policy; Harbour's staff register a DID that
 * City resolves.
 *
 * "Another host" is a Linux network namespace of the test's own (test/support/netns.ts): a veth
 * pair on 10.77.N.0/24 (N = base port / 100 mod 256), the founding network's nodes on 10.77.N.1
 * in the root namespace (not on 127.0.0.1), and every Harbour command, so its CA, peer,
 * chaincode and CLI, run with `ip netns exec` on 10.77.N.2, reaching the others only over that
 * link. The namespace has no route out, so the chaincode build must use npm's cache.
 *
 * Needs root (CAP_NET_ADMIN, for `ip netns` and veth links); CI runs as root. Run it with
 *   sudo npx jest --selectProjects integration --runTestsByPath test/integration/org-join.test.ts
 * (with CIVIC_TEST_BASE_PORT to move its ports, and CIVIC_IT_NETWORK_HOME / CIVIC_IT_BASE_PORT
 * to point the integration project's global setup at a running network).
 *
 * Adding an org changes the channel for good, so this suite stands up a network of its own
 * (suite index 5: ports 29500..29559, Harbour's 29560..) and deletes it, the namespace and the
 * veth pair at the end, also when a test failed.
 */
jest.setTimeout(15 * 60_000);

const members = testNetworkEnv(5);
const link = netnsFor(Number(members.CIVIC_BASE_PORT));
const harbour: NodeJS.ProcessEnv = {
  CIVIC_NETWORK_HOME: mkdtempSync(path.join(os.tmpdir(), 'civic-it-harbour-')),
  CIVIC_BASE_PORT: String(Number(members.CIVIC_BASE_PORT) + 60),
  CIVIC_KEY_PASSPHRASE: 'integration test passphrase',
};
const harbourPeerPort = Number(harbour.CIVIC_BASE_PORT) + 2;
const cityPeerPort = Number(members.CIVIC_BASE_PORT) + 2;

/** `civic ...` as Harbour's operator runs it: inside Harbour's namespace. */
function atHarbour(args: readonly string[], env: NodeJS.ProcessEnv = harbour, timeoutMs?: number): CivicRun {
  return civic(args, env, timeoutMs, inNetns(link));
}

/** `civic --json ...` inside Harbour's namespace. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the result shape
function atHarbourJson<T>(args: readonly string[], env: NodeJS.ProcessEnv = harbour): T {
  return civicJson<T>(args, env, inNetns(link));
}
const files = mkdtempSync(path.join(os.tmpdir(), 'civic-it-join-'));
const definition = path.join(files, 'harbour.json');
const update = path.join(files, 'harbour.update.pb');
const genesis = path.join(files, 'civic.genesis.block');

interface Status {
  nodes: { name: string; kind: string; height?: number | null }[];
  chaincode: { sequence: number; endorsementPolicy: string } | null;
}

function ok(run: CivicRun, what: string): CivicRun {
  if (run.code !== 0) {
    throw new Error(`${what} failed (exit ${String(run.code)}): ${run.stderr}`);
  }
  return run;
}

function peerHeight(env: NodeJS.ProcessEnv, peer: string, launcher: readonly string[] = []): number | null | undefined {
  return civicJson<Status>(['network', 'status'], env, launcher).nodes.find((n) => n.name === peer)?.height;
}

/** Wait (polling, no time assertion) until Harbour's peer has City's height. */
async function caughtUp(): Promise<{ city: number; harbour: number }> {
  let last = { city: -1, harbour: -2 };
  for (let i = 0; i < 120; i += 1) {
    last = { city: peerHeight(members, 'peer-city') ?? -1, harbour: peerHeight(harbour, 'peer-harbour', inNetns(link)) ?? -2 };
    if (last.city === last.harbour) {
      return last;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  return last;
}

beforeAll(() => {
  createNetns(link);
  // The founding network is created with its nodes on the root side of the pair; the address
  // is recorded in its home, so no later command sets CIVIC_HOST again.
  ok(civic(['network', 'up'], { ...members, CIVIC_HOST: link.hostAddress }, 14 * 60_000), 'network up');
});

afterAll(() => {
  try {
    atHarbour(['network', 'clean']);
    if (process.env.CIVIC_KEEP_TEST_NETWORK !== '1') {
      civic(['network', 'clean'], members);
    }
  } finally {
    const leftovers = removeNetns(link);
    if (leftovers.length > 0) {
      process.stderr.write(`processes left in ${link.name} after 'network clean', killed: ${leftovers.join(', ')}\n`);
    }
  }
  expect(netnsExists(link)).toBe(false);
});

describe('a fourth org joining the running channel', () => {
  it("sets Harbour up on its own host: CA, identities, and a definition with its MSP's public certificates and anchor peer", () => {
    const init = atHarbourJson<{ mspId: string; anchorPeer: string }>(['org', 'init', '--name', 'harbour', '--out', definition], {
      ...harbour,
      CIVIC_HOST: link.nsAddress,
    });
    expect(init).toMatchObject({ mspId: 'HarbourMSP', anchorPeer: `${link.nsAddress}:${String(harbourPeerPort)}` });
    const def = JSON.parse(readFileSync(definition, 'utf8')) as {
      values: {
        MSP: { value: { config: { name: string; root_certs: string[]; signing_identity: unknown } } };
        AnchorPeers: { value: { anchor_peers: unknown[] } };
      };
    };
    expect(def.values.MSP.value.config.name).toBe('HarbourMSP');
    expect(def.values.MSP.value.config.root_certs).toHaveLength(1);
    expect(def.values.MSP.value.config.signing_identity).toBeNull();
    expect(JSON.stringify(def)).not.toMatch(/PRIVATE KEY/);
    expect(def.values.AnchorPeers.value.anchor_peers).toEqual([{ host: link.nsAddress, port: harbourPeerPort }]);
  });

  it("refuses Harbour's staff at a member's peer while Harbour is not on the channel", () => {
    // The chaincode admits any MSP the peer lets through; the peer lets through only channel MSPs.
    type Profile = { organizations: Record<string, { peers: string[] }>; peers: Record<string, unknown> };
    const read = (home: unknown, org: string): Profile =>
      JSON.parse(readFileSync(path.join(String(home), 'connection-profiles', `${org}.json`), 'utf8')) as Profile;
    const viaCity = read(harbour.CIVIC_NETWORK_HOME, 'harbour');
    viaCity.peers = { 'peer0.city': read(members.CIVIC_NETWORK_HOME, 'city').peers['peer0.city'] };
    for (const org of Object.values(viaCity.organizations)) {
      org.peers = ['peer0.city'];
    }
    const profile = path.join(files, 'harbour-via-city.json');
    writeFileSync(profile, JSON.stringify(viaCity));
    const key = path.join(files, 'outsider-citizen.key.json');
    atHarbourJson<{ did: string }>(['identity', 'keygen', '--out', key]);
    const refused = atHarbour(['--org', 'harbour', '--profile', profile, '--user', 'clerk', 'identity', 'register', '--key', key]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/ACCESS_DENIED: CityMSP's peer refused the caller's identity: access denied: channel \[civic\] creator org unknown/);
  });

  it('refuses the update with one member admin signature, naming the orgs still missing, and accepts it with a majority', () => {
    const added = civicJson<{ mspId: string; channel: string }>(['--org', 'city', 'channel', 'add-org', '--definition', definition, '--out', update], members);
    expect(added).toMatchObject({ mspId: 'HarbourMSP', channel: 'civic' });
    ok(civic(['--org', 'city', 'channel', 'sign', '--update', update], members), 'City signs');

    const refused = civic(['--org', 'city', 'channel', 'submit', '--update', update], members);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/needs 1 more member org admin signature\(s\), from any of: AgenciesMSP, UtilitiesMSP \(signed: CityMSP;/);
    // The orderer applies the same rule when the check is skipped.
    const unchecked = civic(['--org', 'city', 'channel', 'submit', '--update', update, '--no-check'], members);
    expect(unchecked.code).toBe(1);
    expect(unchecked.stderr).toMatch(/the orderer refused the config update: .*policy requires 2 of the 'Admins' sub-policies/);

    ok(civic(['--org', 'agencies', 'channel', 'sign', '--update', update], members), 'Agencies signs');
    ok(civic(['--org', 'city', 'channel', 'submit', '--update', update], members), 'submit');
    const again = civic(['--org', 'utilities', 'channel', 'add-org', '--definition', definition, '--out', `${update}.2`], members);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/HarbourMSP is already a member of 'civic'/);
  });

  it("joins Harbour's peer from the genesis block; it catches up with City's peer and approves the current definition", async () => {
    ok(civic(['--org', 'city', 'channel', 'genesis', '--out', genesis], members), 'genesis');
    ok(atHarbour(['org', 'join', '--block', genesis]), 'org join');
    const heights = await caughtUp();
    expect(heights.harbour).toBe(heights.city);
    const approved = atHarbourJson<{ sequence: number; endorsementPolicy: string }>(['org', 'approve']);
    expect(approved).toMatchObject({ sequence: 1, endorsementPolicy: "OutOf(2, 'CityMSP.peer', 'AgenciesMSP.peer', 'UtilitiesMSP.peer')" });
  });

  it("runs Harbour's nodes in a network namespace of their own, reached only at its address, and the founders' on theirs", async () => {
    const harbourPeer = nodePid(String(harbour.CIVIC_NETWORK_HOME), 'peer-harbour');
    const cityPeer = nodePid(String(members.CIVIC_NETWORK_HOME), 'peer-city');
    expect(netNamespaceOf(harbourPeer)).not.toBe(netNamespaceOf('self'));
    expect(netNamespaceOf(nodePid(String(harbour.CIVIC_NETWORK_HOME), 'ca-harbour'))).toBe(netNamespaceOf(harbourPeer));
    expect(netNamespaceOf(cityPeer)).toBe(netNamespaceOf('self'));

    // From the root namespace: nothing of Harbour's on loopback, its peer over the pair;
    // the founders' nodes listen on their recorded address, not on 127.0.0.1.
    expect(await tcpAnswers('127.0.0.1', harbourPeerPort)).toBe(false);
    expect(await tcpAnswers(link.nsAddress, harbourPeerPort)).toBe(true);
    expect(await tcpAnswers('127.0.0.1', cityPeerPort)).toBe(false);
    expect(await tcpAnswers(link.hostAddress, cityPeerPort)).toBe(true);

    // The addresses are the network homes' settings: profiles and port maps carry them, and a
    // command with another address is refused.
    const profile = (home: unknown, org: string): { peers: Record<string, { url: string }> } =>
      JSON.parse(readFileSync(path.join(String(home), 'connection-profiles', `${org}.json`), 'utf8')) as { peers: Record<string, { url: string }> };
    expect(profile(harbour.CIVIC_NETWORK_HOME, 'harbour').peers['peer0.harbour']?.url).toBe(`grpcs://${link.nsAddress}:${String(harbourPeerPort)}`);
    expect(profile(members.CIVIC_NETWORK_HOME, 'city').peers['peer0.city']?.url).toBe(`grpcs://${link.hostAddress}:${String(cityPeerPort)}`);
    const ports = JSON.parse(readFileSync(path.join(String(members.CIVIC_NETWORK_HOME), 'ports.json'), 'utf8')) as { host: string };
    expect(ports.host).toBe(link.hostAddress);
    const moved = civic(['network', 'status'], { ...members, CIVIC_HOST: '127.0.0.1' });
    expect(moved.code).not.toBe(0);
    expect(moved.stderr).toContain(`this network was created with CIVIC_HOST=${link.hostAddress}, not 127.0.0.1`);
  });

  it('commits the next sequence with a majority-of-four endorsement policy, and Harbour approves it', () => {
    ok(civic(['network', 'deploy'], members, 10 * 60_000), 'deploy');
    const chaincode = civicJson<Status>(['network', 'status'], members).chaincode;
    expect(chaincode).toMatchObject({ sequence: 2, endorsementPolicy: "OutOf(3, 'CityMSP.peer', 'AgenciesMSP.peer', 'UtilitiesMSP.peer', 'HarbourMSP.peer')" });
    expect(atHarbourJson<{ sequence: number }>(['org', 'approve']).sequence).toBe(2);
  });

  it("registers a DID through Harbour's gateway that City's gateway resolves, and Harbour reads the others' data", async () => {
    const key = path.join(files, 'harbour-citizen.key.json');
    const did = atHarbourJson<{ did: string }>(['identity', 'keygen', '--out', key]).did;
    ok(atHarbour(['--org', 'harbour', '--user', 'clerk', 'identity', 'register', '--key', key]), 'register through Harbour');
    const resolved = civicJson<{ didDocument: { id: string } }>(['--org', 'city', '--user', 'auditor', 'identity', 'resolve', did], members);
    expect(resolved.didDocument.id).toBe(did);

    const cityKey = path.join(files, 'city-citizen.key.json');
    const cityDid = civicJson<{ did: string }>(['identity', 'keygen', '--out', cityKey], {
      ...members,
      CIVIC_KEY_PASSPHRASE: harbour.CIVIC_KEY_PASSPHRASE,
    }).did;
    ok(
      civic(['--org', 'city', '--user', 'clerk', 'identity', 'register', '--key', cityKey], { ...members, CIVIC_KEY_PASSPHRASE: harbour.CIVIC_KEY_PASSPHRASE }),
      'register through City',
    );
    await caughtUp();
    const seen = atHarbourJson<{ didDocument: { id: string } }>(['--org', 'harbour', '--user', 'auditor', 'identity', 'resolve', cityDid]);
    expect(seen.didDocument.id).toBe(cityDid);
    const heights = await caughtUp();
    expect(heights.harbour).toBe(heights.city);
  });

  it('names Utilities and Harbour when their peers are down and the majority of four needs one of them', async () => {
    killNode(members.CIVIC_NETWORK_HOME ?? '', 'peer-utilities');
    killNode(harbour.CIVIC_NETWORK_HOME ?? '', 'peer-harbour');
    await waitFor(
      'the two peers to exit',
      () =>
        nodePidOf(members.CIVIC_NETWORK_HOME ?? '', 'peer-utilities') === undefined &&
        nodePidOf(harbour.CIVIC_NETWORK_HOME ?? '', 'peer-harbour') === undefined,
      30_000,
    );
    const env = { ...members, CIVIC_KEY_PASSPHRASE: harbour.CIVIC_KEY_PASSPHRASE };
    const key = path.join(files, 'down-citizen.key.json');
    ok(civic(['identity', 'keygen', '--out', key], env), 'keygen');
    const refused = civic(['--json', '--org', 'city', '--user', 'clerk', 'identity', 'register', '--key', key], env);
    expect(refused.code).toBe(2);
    const { error } = JSON.parse(refused.stdout) as { error: { code: string; message: string } };
    expect(error.message).toMatch(
      /^not enough orgs' peers are up to endorse: the endorsement policy needs 3 of CityMSP, AgenciesMSP, UtilitiesMSP, HarbourMSP; no peer of UtilitiesMSP, HarbourMSP answered/,
    );
    expect(error.code).toBe('ENDORSERS_UNAVAILABLE');
  });
});
