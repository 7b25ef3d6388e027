import { mkdtempSync } from 'node:fs';
import { civicJson } from './civic-cli';
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

/**
 * The live network the integration project's global setup brought up for this test run
 * (test/integration/setup/live-network.ts).
 *
 * @throws Error when the suite runs outside the integration project
 */
export function liveNetworkEnv(): NodeJS.ProcessEnv {
  return projectNetworkEnv('CIVIC_IT_NETWORK_HOME', 'CIVIC_IT_BASE_PORT', 'integration');
}

/**
 * The live network a jest project's global setup brought up, from the environment variables
 * that setup set (test/integration/setup/live-network.ts `setUpNetwork`).
 *
 * @param homeVar - the variable holding its state folder, e.g. `CIVIC_REL_NETWORK_HOME`
 * @param baseVar - the variable holding its base port
 * @param project - the jest project, named in the error
 * @throws Error when either variable is unset (the suite runs outside that project)
 */
export function projectNetworkEnv(homeVar: string, baseVar: string, project: string): NodeJS.ProcessEnv {
  const home = process.env[homeVar];
  const base = process.env[baseVar];
  if (home === undefined || base === undefined) {
    throw new Error(`no live test network: run this suite in the jest ${project} project (its global setup starts one)`);
  }
  return { CIVIC_NETWORK_HOME: home, CIVIC_BASE_PORT: base };
}

/**
 * The block heights of the network's peers (from `civic network status`) once they all agree
 * and stay put for a second: what to compare before and after an action.
 *
 * @param env - the network's environment (e.g. from {@link liveNetworkEnv})
 * @returns one height per peer, in status order
 * @throws Error when they do not settle within a minute
 */
export async function settledHeights(env: NodeJS.ProcessEnv): Promise<number[]> {
  let last = '';
  for (let i = 0; i < 60; i += 1) {
    const heights = Object.values(civicJson<{ channel: { heights: Record<string, number | null> } }>(['network', 'status'], env).channel.heights);
    const now = JSON.stringify(heights);
    if (heights.every((h) => h !== null && h === heights[0]) && now === last) {
      return heights as number[];
    }
    last = now;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`peer heights did not settle: ${last}`);
}
