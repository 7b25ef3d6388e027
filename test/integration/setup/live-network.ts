/**
 * Jest global setup and teardown of the integration project: one live Fabric network per test
 * run (CAs, three etcdraft orderers, three peers, the civic channel and chaincode), brought up
 * through the built `civic` CLI on its own state folder and base port
 * (`CIVIC_TEST_BASE_PORT` + 200, default 29200), so a demo network on the default ports is
 * never touched. Suites read it from `CIVIC_IT_NETWORK_HOME` / `CIVIC_IT_BASE_PORT`
 * (test/support/test-network.ts `liveNetworkEnv`). `CIVIC_KEEP_TEST_NETWORK=1` stops it
 * after the run instead of deleting it, so its logs and ledgers can be looked at.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');
const CIVIC = path.join(REPO, 'cli', 'bin', 'civic.js');

function civic(args: string[]): SpawnSyncReturns<string> {
  const env = { ...process.env, CIVIC_NETWORK_HOME: process.env.CIVIC_IT_NETWORK_HOME, CIVIC_BASE_PORT: process.env.CIVIC_IT_BASE_PORT };
  return spawnSync(process.execPath, [CIVIC, ...args], { cwd: REPO, env, encoding: 'utf8', timeout: 1_800_000 });
}

/**
 * Bring the test run's network up; throws with the CLI's output when it does not come up.
 * With `CIVIC_IT_NETWORK_HOME` and `CIVIC_IT_BASE_PORT` already set, that network is used
 * (brought up or resumed, never deleted): quicker when writing a suite.
 */
export function setUpLiveNetwork(): void {
  const reused = process.env.CIVIC_IT_NETWORK_HOME !== undefined && process.env.CIVIC_IT_BASE_PORT !== undefined;
  // Teardown runs in this process: it leaves a network that the caller named.
  process.env.CIVIC_IT_REUSED = reused ? '1' : '0';
  const base = reused ? Number(process.env.CIVIC_IT_BASE_PORT) : Number(process.env.CIVIC_TEST_BASE_PORT ?? 29000) + 200;
  process.env.CIVIC_IT_NETWORK_HOME ??= mkdtempSync(path.join(os.tmpdir(), 'civic-it-live-'));
  process.env.CIVIC_IT_BASE_PORT = String(base);
  const started = Date.now();
  const up = civic(['network', 'up']);
  if (up.status !== 0) {
    if (!reused) {
      civic(['network', 'down']);
    }
    throw new Error(`live test network did not come up (exit ${String(up.status)}):\n${up.stderr}`);
  }
  process.stderr.write(
    `\nlive test network up in ${String(Math.round((Date.now() - started) / 1000))} s at ${process.env.CIVIC_IT_NETWORK_HOME} (base port ${String(base)})\n`,
  );
}

/** Delete the test run's network (or only stop it with CIVIC_KEEP_TEST_NETWORK=1). */
export function tearDownLiveNetwork(): void {
  if (process.env.CIVIC_IT_NETWORK_HOME !== undefined && process.env.CIVIC_IT_REUSED !== '1') {
    civic(['network', process.env.CIVIC_KEEP_TEST_NETWORK === '1' ? 'down' : 'clean']);
  }
}
