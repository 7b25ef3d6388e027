import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors';
import { civicPaths } from '../paths';
import { loadOrgConnection } from './profile';

const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-profile-test-'));
const tlsRoot = path.join(dir, 'ca-cert.pem');
writeFileSync(tlsRoot, 'root certificate');
const paths = civicPaths({ CIVIC_NETWORK_HOME: dir });

const peerEntry = (url: string, alias?: string): Record<string, unknown> => ({
  url,
  tlsCACerts: { path: tlsRoot },
  grpcOptions: alias === undefined ? {} : { 'ssl-target-name-override': alias },
});

function writeProfile(name: string, peers: string[], entries: Record<string, unknown>): string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      name: `civic-${name}`,
      'x-civic-wallet': path.join(dir, 'wallet', name),
      client: { organization: 'CityMSP' },
      organizations: { CityMSP: { mspid: 'CityMSP', peers, certificateAuthorities: ['ca-city'] } },
      peers: entries,
      certificateAuthorities: { 'ca-city': { url: 'https://127.0.0.1:37200', caName: 'ca-city', tlsCACerts: { path: [tlsRoot] } } },
    }),
  );
  return file;
}

describe('loadOrgConnection', () => {
  it("reads every peer of the org in the profile's order (its TLS name the override, else its address), and the first one as the pinned peer", () => {
    const file = writeProfile('two-peers', ['peer0.city', 'peer1.city'], {
      'peer0.city': peerEntry('grpcs://127.0.0.1:37202', 'localhost'),
      'peer1.city': peerEntry('grpcs://10.0.0.7:37208'),
    });
    const connection = loadOrgConnection(paths, 'city', file);
    expect(connection.mspId).toBe('CityMSP');
    expect(connection.peers.map((p) => [p.name, p.endpoint, p.hostAlias, p.tlsRootCert.toString()])).toEqual([
      ['peer0.city', '127.0.0.1:37202', 'localhost', 'root certificate'],
      ['peer1.city', '10.0.0.7:37208', '10.0.0.7', 'root certificate'],
    ]);
    expect(connection.peerEndpoint).toBe('127.0.0.1:37202');
    expect(connection.ca).toEqual({ url: 'https://127.0.0.1:37200', caName: 'ca-city', tlsRootCertPath: tlsRoot });
    expect(connection.walletDir).toBe(path.join(dir, 'wallet', 'two-peers'));
  });

  it('reads a profile with one peer as before', () => {
    const file = writeProfile('one-peer', ['peer0.city'], { 'peer0.city': peerEntry('grpc://127.0.0.1:37202') });
    const connection = loadOrgConnection(paths, 'city', file);
    expect(connection.peers).toHaveLength(1);
    expect(connection.peerEndpoint).toBe('127.0.0.1:37202');
  });

  it('names a listed peer that the profile does not describe', () => {
    const file = writeProfile('missing-entry', ['peer0.city', 'peer1.city'], { 'peer0.city': peerEntry('grpcs://127.0.0.1:37202') });
    expect(() => loadOrgConnection(paths, 'city', file)).toThrow(UsageError);
    expect(() => loadOrgConnection(paths, 'city', file)).toThrow(/lists peer 'peer1.city' for CityMSP but has no entry for it under "peers"/);
  });

  it('refuses an org with no peers, and a profile that does not exist', () => {
    const file = writeProfile('no-peers', [], {});
    expect(() => loadOrgConnection(paths, 'city', file)).toThrow(/not a valid common connection profile/);
    expect(() => loadOrgConnection(paths, 'city', path.join(dir, 'absent.json'))).toThrow(/does not exist \(run `civic network up` first\)/);
  });
});
