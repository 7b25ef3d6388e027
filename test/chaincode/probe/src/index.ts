/**
 * The probe chaincode (test only): launched by `fabric-chaincode-node start` like the civic
 * chaincode, deployed by `network.sh deploy-chaincode probe test/chaincode/probe`.
 */
import { ProbeContract } from './probe-contract';

export { ProbeContract } from './probe-contract';

/** Contracts registered with fabric-contract-api. */
export const contracts = [ProbeContract];
