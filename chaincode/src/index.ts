/**
 * The civic chaincode: the contracts the peer exposes, as `contract:Function`.
 * Launched by `fabric-chaincode-node start` (see package.json `start`).
 */
import { DidRegistryContract } from './identity/did-registry-contract';

export { DidRegistryContract } from './identity/did-registry-contract';
export { ChaincodeError, type ErrorCode } from './shared/errors';
export { deriveDid, jwkThumbprint, type PublicKeyJwk } from './identity/did';
export * from './identity/proofs';

/** Contracts registered with fabric-contract-api; the first is the default. */
export const contracts = [DidRegistryContract];
