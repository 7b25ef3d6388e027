/**
 * Jest global setup and teardown of a project's live Fabric network: one per test run (CAs,
 * three etcdraft orderers, three peers, the civic channel and chaincode), brought up through the
 * built `civic` CLI on its own state folder and base port, so a demo network on the default ports
 * is never touched. The integration project's network is on `CIVIC_TEST_BASE_PORT` + 200
 * (default 29200) and suites read it from `CIVIC_IT_NETWORK_HOME` / `CIVIC_IT_BASE_PORT`
 * (test/support/test-network.ts `liveNetworkEnv`); the reliability project's is on
 * `CIVIC_TEST_BASE_PORT` + 700 under `CIVIC_REL_*` (test/reliability/setup).
 * `CIVIC_KEEP_TEST_NETWORK=1` stops it after the run instead of deleting it, so its logs and
 * ledgers can be looked at.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');
const CIVIC = path.join(REPO, 'cli', 'bin', 'civic.js');

/** Which environment variables name a project's network, and where a fresh one goes. */
export interface LiveNetworkVars {
  /** Holds the network's state folder, e.g. `CIVIC_IT_NETWORK_HOME`. */
  readonly home: string;
  /** Holds the network's base port, e.g. `CIVIC_IT_BASE_PORT`. */
  readonly base: string;
  /** Set by setup to `1` when the caller named the network (teardown then leaves it). */
  readonly reused: string;
  /** Ports above `CIVIC_TEST_BASE_PORT` (default 29000) for a fresh network. */
  readonly offset: number;
  /** Prefix of a fresh network's state folder under the system's temporary folder. */
  readonly prefix: string;
}

/** The integration project's network. */
export const INTEGRATION_NETWORK: LiveNetworkVars = {
  home: 'CIVIC_IT_NETWORK_HOME',
  base: 'CIVIC_IT_BASE_PORT',
  reused: 'CIVIC_IT_REUSED',
  offset: 200,
  prefix: 'civic-it-live-',
};

function civicOn(vars: LiveNetworkVars, args: string[]): SpawnSyncReturns<string> {
  const env = { ...process.env, CIVIC_NETWORK_HOME: process.env[vars.home], CIVIC_BASE_PORT: process.env[vars.base] };
  return spawnSync(process.execPath, [CIVIC, ...args], { cwd: REPO, env, encoding: 'utf8', timeout: 1_800_000 });
}

/**
 * Bring a project's network up; throws with the CLI's output when it does not come up. With
 * `vars.home` and `vars.base` already set, that network is used (brought up or resumed, never
 * deleted): quicker when writing a suite.
 */
export function setUpNetwork(vars: LiveNetworkVars): void {
  const reused = process.env[vars.home] !== undefined && process.env[vars.base] !== undefined;
  // Teardown runs in this process: it leaves a network that the caller named.
  process.env[vars.reused] = reused ? '1' : '0';
  const base = reused ? Number(process.env[vars.base]) : Number(process.env.CIVIC_TEST_BASE_PORT ?? 29000) + vars.offset;
  process.env[vars.home] ??= mkdtempSync(path.join(os.tmpdir(), vars.prefix));
  process.env[vars.base] = String(base);
  const started = Date.now();
  const up = civicOn(vars, ['network', 'up']);
  if (up.status !== 0) {
    if (!reused) {
      civicOn(vars, ['network', 'down']);
    }
    throw new Error(`live test network did not come up (exit ${String(up.status)}):\n${up.stderr}`);
  }
  process.stderr.write(
    `\nlive test network up in ${String(Math.round((Date.now() - started) / 1000))} s at ${String(process.env[vars.home])} (base port ${String(base)})\n`,
  );
}

/** Delete a project's network (or only stop it with CIVIC_KEEP_TEST_NETWORK=1), unless the caller named it. */
export function tearDownNetwork(vars: LiveNetworkVars): void {
  if (process.env[vars.home] !== undefined && process.env[vars.reused] !== '1') {
    civicOn(vars, ['network', process.env.CIVIC_KEEP_TEST_NETWORK === '1' ? 'down' : 'clean']);
  }
}

/** The integration project's network up (see {@link setUpNetwork}). */
export function setUpLiveNetwork(): void {
  setUpNetwork(INTEGRATION_NETWORK);
}

/** The integration project's network deleted (see {@link tearDownNetwork}). */
export function tearDownLiveNetwork(): void {
  tearDownNetwork(INTEGRATION_NETWORK);
}
