import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** The built `civic` CLI of this repository. */
export const CIVIC_JS = path.resolve(__dirname, '../../cli/bin/civic.js');

/**
 * Run the `civic` CLI (set-up steps the load does not measure, e.g. opening an allocation round).
 *
 * @param args - the CLI's arguments
 * @param env - the environment naming the network
 * @returns its standard output (up to 256 MiB: an audit of 10,000 signatures prints about 7 MB)
 * @throws Error with the CLI's exit code or signal, the reason it was stopped (time limit of
 *   10 minutes, output limit) and its standard error when it fails
 */
export function civic(args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(process.execPath, [CIVIC_JS, ...args], { env, encoding: 'utf8', timeout: 600_000, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) {
    const how = r.status === null ? `signal ${String(r.signal)}${r.error ? `, ${r.error.message}` : ''}` : `exit ${String(r.status)}`;
    throw new Error(`civic ${args.join(' ')} failed (${how}): ${r.stderr.trim().slice(0, 800)}`);
  }
  return r.stdout;
}
