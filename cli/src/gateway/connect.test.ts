import * as grpc from '@grpc/grpc-js';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { NetworkError } from '../errors';
import { openGatewaySession } from './connect';
import type { OrgConnection, PeerConnection } from './profile';
import type { WalletIdentity } from './wallet';

/** A self-signed TLS server certificate for localhost / 127.0.0.1 (openssl, as the network scripts use). */
function tlsPair(): { cert: Buffer; key: Buffer } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-connect-test-'));
  const [cert, key] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
  const run = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) {
    throw new Error(`openssl failed: ${run.stderr}`);
  }
  return { cert: readFileSync(cert), key: readFileSync(key) };
}

/** A TLS gRPC server on 127.0.0.1 with no services: enough for a channel to become ready. */
function startServer(pair: { cert: Buffer; key: Buffer }): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createSsl(null, [{ private_key: pair.key, cert_chain: pair.cert }]), (error, port) => {
      if (error === null) {
        resolve({ server, port });
      } else {
        reject(error);
      }
    });
  });
}

/** A port on 127.0.0.1 that nothing listens on (bound once, then released). */
function closedPort(): Promise<number> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => {
        resolve(port);
      });
    });
  });
}

const pair = tlsPair();
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const identity: WalletIdentity = {
  user: 'clerk',
  certificate: Buffer.from('not checked before a call'),
  privateKeyPem: Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' })),
  mspDir: '/nowhere',
};
const peer = (name: string, port: number): PeerConnection => ({ name, endpoint: `127.0.0.1:${String(port)}`, tlsRootCert: pair.cert, hostAlias: 'localhost' });
const org = (peers: PeerConnection[]): OrgConnection => ({
  profilePath: `/profiles/${peers.map((p) => p.endpoint).join('+')}.json`,
  mspId: 'CityMSP',
  peers,
  peerEndpoint: peers[0]?.endpoint ?? '',
  peerTlsRootCert: pair.cert,
  peerHostAlias: 'localhost',
  ca: undefined,
  walletDir: '/nowhere',
});

const servers: grpc.Server[] = [];
afterAll(() => {
  for (const s of servers) {
    s.forceShutdown();
  }
});

describe('openGatewaySession on real gRPC servers', () => {
  it('connects to the peer it starts at when that one answers', async () => {
    const a = await startServer(pair);
    const b = await startServer(pair);
    servers.push(a.server, b.server);
    const peers = [peer('peer0.city', a.port), peer('peer1.city', b.port)];
    for (const [start, name] of [
      [0, 'peer0.city'],
      [1, 'peer1.city'],
    ] as const) {
      const session = await openGatewaySession(org(peers), identity, undefined, { start, readyMs: 2000 });
      expect(session.peer.name).toBe(name);
      session.close();
    }
  });

  it('fails over to the next peer when the first does not answer, and says which one it skipped', async () => {
    const live = await startServer(pair);
    servers.push(live.server);
    const dead = await closedPort();
    const skipped: string[] = [];
    const session = await openGatewaySession(org([peer('peer0.city', dead), peer('peer1.city', live.port)]), identity, undefined, {
      start: 0,
      readyMs: 1000,
      onFailover: (f) => skipped.push(`${f.name} ${f.endpoint}`),
    });
    expect(session.peer.name).toBe('peer1.city');
    expect(skipped).toEqual([`peer0.city 127.0.0.1:${String(dead)}`]);
    session.close();
  });

  it('wraps round from a later start to the peers before it', async () => {
    const live = await startServer(pair);
    servers.push(live.server);
    const dead = await closedPort();
    const session = await openGatewaySession(org([peer('peer0.city', live.port), peer('peer1.city', dead)]), identity, undefined, { start: 1, readyMs: 1000 });
    expect(session.peer.name).toBe('peer0.city');
    session.close();
  });

  it('starts at the peer named first, and refuses a name that is not a peer of the org', async () => {
    const a = await startServer(pair);
    const b = await startServer(pair);
    servers.push(a.server, b.server);
    const connection = org([peer('peer0.city', a.port), peer('peer1.city', b.port)]);
    const session = await openGatewaySession(connection, identity, undefined, { first: 'peer1.city', start: 0, readyMs: 2000 });
    expect(session.peer.name).toBe('peer1.city');
    session.close();
    await expect(openGatewaySession(connection, identity, undefined, { first: 'peer7.city' })).rejects.toThrow(
      "gateway peer 'peer7.city' is not a peer of CityMSP (its peers: peer0.city, peer1.city)",
    );
  });

  it('names every endpoint tried when no peer answers within the deadline', async () => {
    const [p0, p1] = [await closedPort(), await closedPort()];
    const error = await openGatewaySession(org([peer('peer0.city', p0), peer('peer1.city', p1)]), identity, undefined, { start: 0, readyMs: 500 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NetworkError);
    const message = (error as NetworkError).message;
    expect(message).toMatch(/^no gateway peer of CityMSP answered; tried peer0\.city at 127\.0\.0\.1:\d+ \(not ready within 500 ms: .*\); peer1\.city at/);
    expect(message).toContain(`127.0.0.1:${String(p0)}`);
    expect(message).toContain(`127.0.0.1:${String(p1)}`);
  });

  it('does not take a server whose certificate does not match the TLS root for a peer that answers', async () => {
    const stranger = await startServer(tlsPair());
    const live = await startServer(pair);
    servers.push(stranger.server, live.server);
    const session = await openGatewaySession(org([peer('peer0.city', stranger.port), peer('peer1.city', live.port)]), identity, undefined, {
      start: 0,
      readyMs: 1000,
    });
    expect(session.peer.name).toBe('peer1.city');
    session.close();
  });
});
