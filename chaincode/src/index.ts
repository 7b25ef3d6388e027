/**
 * The civic chaincode: the contracts the peer exposes, as `contract:Function`.
 * Launched by `fabric-chaincode-node start` (see package.json `start`).
 */
import { AllocationContract } from './allocation/allocation-contract';
import { BenchContract } from './bench/bench-contract';
import { DebtContract } from './debt/debt-contract';
import { IdentityContract } from './identity/identity-contract';
import { LandContract } from './land/land-contract';
import { PetitionContract } from './petition/petition-contract';

export { AllocationContract } from './allocation/allocation-contract';
export { IdentityContract } from './identity/identity-contract';
export { LandContract } from './land/land-contract';
export { DebtContract } from './debt/debt-contract';
export { PetitionContract } from './petition/petition-contract';
export { BenchContract } from './bench/bench-contract';
export { ChaincodeError, type ErrorCode } from './shared/errors';

/** Contracts registered with fabric-contract-api; the first is the default. */
export const contracts = [IdentityContract, LandContract, AllocationContract, DebtContract, PetitionContract, BenchContract];
