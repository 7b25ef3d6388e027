import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The repo root and the built `civic` command. */
export const REPO = path.resolve(__dirname, '../..');
const CIVIC_BIN = path.join(REPO, 'cli', 'bin', 'civic.js');

/** Result of one `civic` run. */
export interface CivicRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run the built `civic` CLI as a user would, against the network in `env.CIVIC_NETWORK_HOME`.
 *
 * @param args - command-line arguments
 * @param env - environment additions (network home, base port)
 * @param timeoutMs - kill the command after this long
 * @param launcher - words to run node under, e.g. `ip netns exec NAME` (test/support/netns.ts)
 */
export function civic(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 180_000, launcher: readonly string[] = []): CivicRun {
  const [command = process.execPath, ...argv] = [...launcher, process.execPath, CIVIC_BIN, ...args];
  const result = spawnSync(command, argv, {
    cwd: REPO,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
    // Results of large rounds and imports run to megabytes (the default is 1 MiB).
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Start the built `civic` CLI as a child process (spawn, not spawnSync) and resolve when it
 * exits, so that several can run at the same moment.
 *
 * @param args - command-line arguments
 * @param env - environment additions (network home, base port)
 * @param timeoutMs - kill the command after this long
 */
export function civicAsync(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<CivicRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CIVIC_BIN, ...args], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/**
 * Start the built `civic` CLI as a long-running child process (e.g. `events follow`) that the
 * test reads from while it runs and stops with a signal of its choice; stdin is closed at once.
 *
 * @param args - command-line arguments
 * @param env - environment additions (network home, base port)
 */
export function spawnCivic(args: readonly string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [CIVIC_BIN, ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: 'pipe' });
  child.stdin.end();
  return child;
}

/**
 * Run `civic --json ...` (under `launcher`, as {@link civic}) and parse the envelope's result
 * (typed by the caller); throws with stderr when it failed.
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the result shape
export function civicJson<T>(args: readonly string[], env: NodeJS.ProcessEnv, launcher: readonly string[] = []): T {
  const run = civic(['--json', ...args], env, 180_000, launcher);
  if (run.code !== 0) {
    throw new Error(`civic ${args.join(' ')} exited ${run.code}: ${run.stdout}${run.stderr}`);
  }
  return (JSON.parse(run.stdout) as { result: T }).result;
}

/** The `civic.role` attribute and subject of an enrolled identity's certificate. */
export function certificateOf(mspDir: string): { roleAttribute: string | undefined; pem: string } {
  const pem = readFileSync(path.join(mspDir, 'signcerts', 'cert.pem'), 'utf8');
  const cert = new X509Certificate(pem);
  // Fabric CA puts attributes in extension 1.2.3.4.5.6.7.8.1 as JSON; it is in the DER as plain text.
  const der = cert.raw.toString('latin1');
  const attrs = /\{"attrs":\{[^}]*\}\}/.exec(der)?.[0];
  const role = attrs === undefined ? undefined : (JSON.parse(attrs) as { attrs: Record<string, string> }).attrs['civic.role'];
  return { roleAttribute: role, pem };
}
