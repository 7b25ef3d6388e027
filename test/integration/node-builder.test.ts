import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../support/civic-cli';

/**
 * The node external builder (network/builders/node/bin) driven the way a peer
 * drives it (Fabric "External Builders and Launchers"): detect, build and release
 * on the staged civic chaincode package, then run with the chaincode.json a peer writes.
 */
const bin = path.join(REPO, 'network', 'builders', 'node', 'bin');
const work = mkdtempSync(path.join(os.tmpdir(), 'civic-builder-'));
const dirs = {
  source: path.join(work, 'source'),
  metadata: path.join(work, 'metadata'),
  build: path.join(work, 'build'),
  release: path.join(work, 'release'),
  run: path.join(work, 'run'),
};

function step(name: string, args: string[]): { code: number; stderr: string } {
  const r = spawnSync(path.join(bin, name), args, { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status ?? -1, stderr: r.stderr };
}

beforeAll(() => {
  Object.values(dirs).forEach((d) => mkdirSync(d, { recursive: true }));
  // `peer lifecycle chaincode package --lang node` stores the files under src/.
  execFileSync('bash', ['-c', `source network/lib/common.sh && source network/lib/chaincode.sh && stage_chaincode_source '${dirs.source}/src'`], {
    cwd: REPO,
    env: { ...process.env, CIVIC_NETWORK_HOME: work },
  });
  writeFileSync(path.join(dirs.metadata, 'metadata.json'), JSON.stringify({ type: 'node', label: 'civic_1', path: '' }));
}, 300_000);

describe('node external builder', () => {
  it('detects node packages and declines others', () => {
    expect(step('detect', [dirs.source, dirs.metadata]).code).toBe(0);
    const golang = path.join(work, 'golang-metadata');
    mkdirSync(golang);
    writeFileSync(path.join(golang, 'metadata.json'), JSON.stringify({ type: 'golang', label: 'x_1', path: '' }));
    expect(step('detect', [dirs.source, golang]).code).not.toBe(0);
  });

  it('builds the package with its locked runtime dependencies only', () => {
    const r = step('build', [dirs.source, dirs.metadata, dirs.build]);
    expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(existsSync(path.join(dirs.build, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(path.join(dirs.build, 'node_modules', 'fabric-shim', 'cli.js'))).toBe(true);
    expect(existsSync(path.join(dirs.build, 'node_modules', 'typescript'))).toBe(false);
  }, 300_000);

  it('releases nothing for LevelDB (no statedb indexes)', () => {
    expect(step('release', [dirs.build, dirs.release]).code).toBe(0);
    expect(readdirSync(dirs.release)).toEqual([]);
  });

  it('runs the chaincode as a local process that dials the peer with the given TLS material', async () => {
    const port = await freePort();
    const keyFile = path.join(work, 'client.key');
    const certFile = path.join(work, 'client.crt');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/CN=peer0',
        '-days',
        '1',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(certFile, 'utf8');
    writeFileSync(
      path.join(dirs.run, 'chaincode.json'),
      JSON.stringify({
        chaincode_id: 'civic_1:abc123',
        peer_address: `127.0.0.1:${port}`,
        client_cert: cert,
        client_key: readFileSync(keyFile, 'utf8'),
        root_cert: cert,
        mspid: 'CityMSP',
      }),
    );
    const child = spawn(path.join(bin, 'run'), [dirs.build, dirs.run], { env: { ...process.env, CORE_CHAINCODE_LOGGING_LEVEL: 'info' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!output.includes('Registering with peer') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    expect(output).toContain(`Registering with peer 127.0.0.1:${port} as chaincode "civic_1:abc123"`);
  }, 60_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  });
}
