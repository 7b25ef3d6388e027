import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tlsServerName } from './connect';
import { endpointHost, loadOrgConnection } from './profile';

function profileWith(url: string, grpcOptions?: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-profile-'));
  const root = path.join(dir, 'ca.pem');
  writeFileSync(root, 'not read as a certificate here');
  const file = path.join(dir, 'harbour.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'civic-harbour',
      client: { organization: 'HarbourMSP' },
      organizations: { HarbourMSP: { mspid: 'HarbourMSP', peers: ['peer0.harbour'] } },
      peers: { 'peer0.harbour': { url, tlsCACerts: { path: root }, ...(grpcOptions === undefined ? {} : { grpcOptions }) } },
    }),
  );
  return file;
}

const paths = { profiles: os.tmpdir(), wallet: os.tmpdir() } as Parameters<typeof loadOrgConnection>[0];

describe('peer TLS name', () => {
  it("is the profile's ssl-target-name-override", () => {
    const org = loadOrgConnection(paths, 'harbour', profileWith('grpcs://10.77.5.2:29562', { 'ssl-target-name-override': '10.77.5.2' }));
    expect(org).toMatchObject({ peerEndpoint: '10.77.5.2:29562', peerHostAlias: '10.77.5.2' });
  });

  it('is the host of the peer endpoint when the profile names none (not localhost)', () => {
    expect(loadOrgConnection(paths, 'harbour', profileWith('grpcs://10.77.5.2:29562')).peerHostAlias).toBe('10.77.5.2');
    expect(loadOrgConnection(paths, 'harbour', profileWith('grpcs://peer0.harbour.example:7051')).peerHostAlias).toBe('peer0.harbour.example');
  });

  it('takes the host out of host:port endpoints', () => {
    expect(endpointHost('127.0.0.1:27002')).toBe('127.0.0.1');
    expect(endpointHost('[::1]:27002')).toBe('::1');
    expect(endpointHost('peer0.city.example')).toBe('peer0.city.example');
  });

  it('sends a DNS name as the TLS server name, never an IP address (RFC 6066)', () => {
    expect(tlsServerName('peer0.harbour.example')).toBe('peer0.harbour.example');
    expect(tlsServerName('10.77.5.2')).toBe('localhost');
    expect(tlsServerName('::1')).toBe('localhost');
  });
});
