/**
 * A genuine Fabric CA that no channel trusts: a fabric-ca-server of the test's own (plain HTTP
 * on a free local port, its state in a temporary folder), named like an org's real CA, that
 * registers and enrolls a staff member with the org's subject names and role attribute. What
 * an org's stolen or stray CA installation would hand out.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findFabricTool } from '../../cli/src/fabric-tools';
import { civicPaths } from '../../cli/src/paths';
import { walletIdentity, type KeyPair } from './forged-certs';

const run = promisify(execFile);

/** A free TCP port on 127.0.0.1 (the OS picks it; closed again before it is returned). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  });
}

/**
 * Start a fabric-ca-server named `caName`, register `user` (type client, `civic.role=role` as
 * an ecert attribute), enroll it with the subject names `C=NL,L=Civic Ledger,O=<mspId>`, and
 * stop the server again.
 *
 * @returns the enrolled certificate and key (PEM)
 * @throws Error with the server's or client's output when a step fails
 */
export async function enrollFromStrayCa(env: NodeJS.ProcessEnv, caName: string, mspId: string, user: string, role: string): Promise<KeyPair> {
  const paths = civicPaths({ ...process.env, ...env });
  const server = findFabricTool(paths, { ...process.env, ...env }, 'fabric-ca-server');
  const client = findFabricTool(paths, { ...process.env, ...env }, 'fabric-ca-client');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-stray-ca-'));
  const port = await freePort();
  const ops = await freePort();
  const child = spawn(
    server,
    [
      'start',
      '-b',
      'stray-admin:stray-secret',
      '-H',
      path.join(dir, 'server'),
      '--port',
      String(port),
      '--address',
      '127.0.0.1',
      '--ca.name',
      caName,
      '--csr.cn',
      caName,
    ],
    { env: { ...process.env, FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS: `127.0.0.1:${ops}` }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    log += chunk;
  });
  const ca = (args: string[], home: string, url: string): Promise<unknown> =>
    run(client, [...args, '-H', home, '-u', url, '--caname', caName, '--loglevel', 'warning']).catch((e: unknown) => {
      throw new Error(`fabric-ca-client ${args[0] ?? ''}: ${(e as { stderr?: string }).stderr ?? String(e)}\nserver: ${log.slice(-2000)}`);
    });
  try {
    for (let i = 0; !log.includes('Listening on') && i < 100; i += 1) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const base = `http://127.0.0.1:${port}`;
    const admin = path.join(dir, 'admin');
    await ca(['enroll'], admin, base.replace('://', '://stray-admin:stray-secret@'));
    await ca(['register', '--id.name', user, '--id.secret', 'stray-user-secret', '--id.type', 'client', '--id.attrs', `civic.role=${role}:ecert`], admin, base);
    const home = path.join(dir, 'wallet');
    await ca(
      ['enroll', '-M', path.join(home, user, 'msp'), '--csr.names', `C=NL,L=Civic Ledger,O=${mspId}`],
      home,
      base.replace('://', `://${user}:stray-user-secret@`),
    );
    // walletIdentity reads <dir>/wallet/<org>/<user>/msp; the org folder is left out here.
    return walletIdentity(dir, '', user);
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
