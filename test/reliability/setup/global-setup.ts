import { setUpNetwork } from '../../integration/setup/live-network';
import { newResultsFile, RELIABILITY_NETWORK } from './network';

/** Bring the reliability run's network up and name its results file. */
export default function setUpReliabilityRun(): void {
  newResultsFile();
  setUpNetwork(RELIABILITY_NETWORK);
}
