import { tearDownNetwork } from '../../integration/setup/live-network';
import { writeReport } from '../support/report';
import { RELIABILITY_NETWORK, reportFile, SUITE_COMMAND } from './network';

/** Render the report from the run's results, then delete the run's network (unless it was named). */
export default function tearDownReliabilityRun(): void {
  const results = process.env.CIVIC_REL_RESULTS;
  try {
    if (results !== undefined && writeReport(results, reportFile(), SUITE_COMMAND)) {
      process.stderr.write(`\nreliability report written to ${reportFile()} (results: ${results})\n`);
    }
  } finally {
    tearDownNetwork(RELIABILITY_NETWORK);
  }
}
