import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { civicInProcess as civic } from '../../../test/support/civic-in-process';
import { capturedCreator } from '../test-support/ledger-fixtures';

/** A port nothing listens on: one the OS just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A network home with the three orgs' connection profiles, each naming a peer at a closed port,
 * and a city auditor in the wallet (a real certificate from the fixture, a fresh key).
 */
async function homeWithDownPeers(): Promise<NodeJS.ProcessEnv> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'civic-ledger-'));
  const certificate = Buffer.from(capturedCreator().getIdBytes_asU8());
  const tlsRoot = path.join(home, 'tls-root.pem');
  writeFileSync(tlsRoot, certificate);
  for (const [org, mspid] of [
    ['city', 'CityMSP'],
    ['agencies', 'AgenciesMSP'],
    ['utilities', 'UtilitiesMSP'],
  ] as const) {
    const port = await closedPort();
    mkdirSync(path.join(home, 'connection-profiles'), { recursive: true });
    const profile = {
      name: `civic-${org}`,
      client: { organization: mspid },
      organizations: { [mspid]: { mspid, peers: [`peer0.${org}`] } },
      peers: { [`peer0.${org}`]: { url: `grpcs://127.0.0.1:${String(port)}`, tlsCACerts: { path: tlsRoot } } },
    };
    writeFileSync(path.join(home, 'connection-profiles', `${org}.json`), JSON.stringify(profile));
  }
  const msp = path.join(home, 'wallet', 'city', 'auditor', 'msp');
  mkdirSync(path.join(msp, 'signcerts'), { recursive: true });
  mkdirSync(path.join(msp, 'keystore'), { recursive: true });
  writeFileSync(path.join(msp, 'signcerts', 'cert.pem'), certificate);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(path.join(msp, 'keystore', 'key_sk'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { CIVIC_NETWORK_HOME: home };
}

describe('civic ledger info', () => {
  it('reports each peer that does not answer in its row and exits 2', async () => {
    const env = await homeWithDownPeers();
    const run = await civic(['--org', 'city', '--user', 'auditor', 'ledger', 'info'], env);
    expect(run.code).toBe(2);
    for (const org of ['city', 'agencies', 'utilities']) {
      expect(run.out).toMatch(new RegExp(`│ ${org} +│ 127\\.0\\.0\\.1:\\d+ +│ - +│ no answer: cannot reach the gateway peer`));
    }
    expect(run.err).toBe('error: no peer answered');
  });

  it('under --json, one error envelope carrying every row', async () => {
    const env = await homeWithDownPeers();
    const run = await civic(['--json', '--org', 'city', '--user', 'auditor', 'ledger', 'info'], env);
    expect(run.code).toBe(2);
    const envelope = JSON.parse(run.out) as { status: string; error: { code: string; data: { peers: { org: string; chain: unknown; error: string }[] } } };
    expect(envelope.status).toBe('error');
    expect(envelope.error.code).toBe('PEER_UNREACHABLE');
    expect(envelope.error.data.peers.map((p) => [p.org, p.chain])).toEqual([
      ['city', null],
      ['agencies', null],
      ['utilities', null],
    ]);
  });
});

describe('civic ledger tx', () => {
  it('refuses a malformed transaction id before contacting any peer (no network here)', async () => {
    const run = await civic(['ledger', 'tx', 'not-a-tx-id'], { CIVIC_NETWORK_HOME: mkdtempSync(path.join(os.tmpdir(), 'civic-ledger-')) });
    expect(run.code).toBe(1);
    expect(run.err).toBe(`error: 'not-a-tx-id' is not a transaction id (64 hex digits, as printed with "tx … in block …")`);
  });
});
