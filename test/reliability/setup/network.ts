/**
 * The reliability project's live network and results: its own network on
 * `CIVIC_TEST_BASE_PORT` + 700 (default 29700; or the one named by `CIVIC_REL_NETWORK_HOME` and
 * `CIVIC_REL_BASE_PORT`, which is resumed and left running), a fresh results file per run
 * (`CIVIC_REL_RESULTS`, JSON Lines, one scenario a line), and the report rendered from it when the
 * run ends (`CIVIC_REL_REPORT`, default docs/reliability.md).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectNetworkEnv } from '../../support/test-network';
import type { LiveNetworkVars } from '../../integration/setup/live-network';

export const RELIABILITY_NETWORK: LiveNetworkVars = {
  home: 'CIVIC_REL_NETWORK_HOME',
  base: 'CIVIC_REL_BASE_PORT',
  reused: 'CIVIC_REL_REUSED',
  offset: 700,
  prefix: 'rel-civic-',
};

/** The command that runs the suite, as the report names it. */
export const SUITE_COMMAND = 'npm run test:reliability';

/** Where the report goes: `CIVIC_REL_REPORT`, else docs/reliability.md in the repository. */
export function reportFile(): string {
  return process.env.CIVIC_REL_REPORT ?? path.resolve(__dirname, '../../../docs/reliability.md');
}

/** Name a fresh results file for this run (in a new temporary folder) and publish it in `CIVIC_REL_RESULTS`. */
export function newResultsFile(): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'rel-results-')), 'results.jsonl');
  process.env.CIVIC_REL_RESULTS = file;
  return file;
}

/**
 * The network and results file of this run, for a suite of the reliability project.
 *
 * @throws Error when the suite runs outside the reliability project
 */
export function reliabilityRun(): { env: NodeJS.ProcessEnv; results: string } {
  const env = projectNetworkEnv(RELIABILITY_NETWORK.home, RELIABILITY_NETWORK.base, 'reliability');
  const results = process.env.CIVIC_REL_RESULTS;
  if (results === undefined) {
    throw new Error('no results file: run this suite in the jest reliability project (its global setup names one)');
  }
  return { env, results };
}
