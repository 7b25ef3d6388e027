import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { civic, civicJson, type CivicRun } from '../support/civic-cli';
import { testNetworkEnv } from '../support/test-network';

/**
 * A fourth org joins a running three-org network: Harbour sets itself up in a network home of
 * its own and hands over its definition; the channel update adding it is refused with one
 * member admin's signature and accepted with a majority; Harbour's peer joins from the genesis
 * block, catches up and approves the chaincode; the members commit the next sequence with a
 * majority-of-four endorsement policy; Harbour's staff register a DID that City resolves.
 *
 * Adding an org changes the channel for good, so this suite stands up a network of its own
 * (suite index 5: ports 29500..29559, Harbour's 29560..) and deletes it at the end.
 */
jest.setTimeout(15 * 60_000);

const members = testNetworkEnv(5);
const harbour: NodeJS.ProcessEnv = {
  CIVIC_NETWORK_HOME: mkdtempSync(path.join(os.tmpdir(), 'civic-it-harbour-')),
  CIVIC_BASE_PORT: String(Number(members.CIVIC_BASE_PORT) + 60),
  CIVIC_KEY_PASSPHRASE: 'integration test passphrase',
};
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

function peerHeight(env: NodeJS.ProcessEnv, peer: string): number | null | undefined {
  return civicJson<Status>(['network', 'status'], env).nodes.find((n) => n.name === peer)?.height;
}

/** Wait (polling, no time assertion) until Harbour's peer has City's height. */
async function caughtUp(): Promise<{ city: number; harbour: number }> {
  let last = { city: -1, harbour: -2 };
  for (let i = 0; i < 120; i += 1) {
    last = { city: peerHeight(members, 'peer-city') ?? -1, harbour: peerHeight(harbour, 'peer-harbour') ?? -2 };
    if (last.city === last.harbour) {
      return last;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  return last;
}

beforeAll(() => {
  ok(civic(['network', 'up'], members, 14 * 60_000), 'network up');
});

afterAll(() => {
  civic(['network', 'clean'], harbour);
  if (process.env.CIVIC_KEEP_TEST_NETWORK !== '1') {
    civic(['network', 'clean'], members);
  }
});

describe('a fourth org joining the running channel', () => {
  it("sets Harbour up on its own host: CA, identities, and a definition with its MSP's public certificates and anchor peer", () => {
    const init = civicJson<{ mspId: string; anchorPeer: string }>(['org', 'init', '--name', 'harbour', '--out', definition], harbour);
    expect(init).toMatchObject({ mspId: 'HarbourMSP', anchorPeer: `127.0.0.1:${String(Number(harbour.CIVIC_BASE_PORT) + 2)}` });
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
    expect(def.values.AnchorPeers.value.anchor_peers).toEqual([{ host: '127.0.0.1', port: Number(harbour.CIVIC_BASE_PORT) + 2 }]);
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
    ok(civic(['org', 'join', '--block', genesis], harbour), 'org join');
    const heights = await caughtUp();
    expect(heights.harbour).toBe(heights.city);
    const approved = civicJson<{ sequence: number; endorsementPolicy: string }>(['org', 'approve'], harbour);
    expect(approved).toMatchObject({ sequence: 1, endorsementPolicy: "OutOf(2, 'CityMSP.peer', 'AgenciesMSP.peer', 'UtilitiesMSP.peer')" });
  });

  it('commits the next sequence with a majority-of-four endorsement policy, and Harbour approves it', () => {
    ok(civic(['network', 'deploy'], members, 10 * 60_000), 'deploy');
    const chaincode = civicJson<Status>(['network', 'status'], members).chaincode;
    expect(chaincode).toMatchObject({ sequence: 2, endorsementPolicy: "OutOf(3, 'CityMSP.peer', 'AgenciesMSP.peer', 'UtilitiesMSP.peer', 'HarbourMSP.peer')" });
    expect(civicJson<{ sequence: number }>(['org', 'approve'], harbour).sequence).toBe(2);
  });

  it("registers a DID through Harbour's gateway that City's gateway resolves, and Harbour reads the others' data", async () => {
    const key = path.join(files, 'harbour-citizen.key.json');
    const did = civicJson<{ did: string }>(['identity', 'keygen', '--out', key], harbour).did;
    ok(civic(['--org', 'harbour', '--user', 'clerk', 'identity', 'register', '--key', key], harbour), 'register through Harbour');
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
    const seen = civicJson<{ didDocument: { id: string } }>(['--org', 'harbour', '--user', 'auditor', 'identity', 'resolve', cityDid], harbour);
    expect(seen.didDocument.id).toBe(cityDid);
    const heights = await caughtUp();
    expect(heights.harbour).toBe(heights.city);
  });
});
