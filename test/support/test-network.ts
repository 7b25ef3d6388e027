import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A network of the test run's own: its own state folder and base port, so a
 * demo network left running on the default ports is never touched.
 * `CIVIC_TEST_BASE_PORT` moves it (default 29000); each suite takes a block of 100.
 */
export function testNetworkEnv(suiteIndex: number): NodeJS.ProcessEnv {
  const base = Number(process.env.CIVIC_TEST_BASE_PORT ?? 29000) + 100 * suiteIndex;
  return {
    CIVIC_NETWORK_HOME: mkdtempSync(path.join(os.tmpdir(), `civic-it-${suiteIndex}-`)),
    CIVIC_BASE_PORT: String(base),
  };
}
