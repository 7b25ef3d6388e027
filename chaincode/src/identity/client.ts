/**
 * What a client (the `civic` CLI, a wallet app) needs to talk to the DID
 * registry, without the contract itself: DID derivation and the payloads to sign.
 * Import as `@civic-ledger/chaincode/dist/identity/client`.
 */
export { DID_METHOD, deriveDid, didSchema, jwkThumbprint, publicKeyJwkSchema, verifyEd25519, type PublicKeyJwk } from './did';
export { deactivatePayload, registerPayload, rotatePayload, signingBytes, type IdentityPayload } from './proofs';
export type { DidResolutionResult } from './did-record';
export type { IssuerRecord } from './issuers';
export { STATUS_LIST_SIZE, countSet, decodeList, encodeList, getBit, pickUnusedIndex, statusListFullMessage } from './bitstring';
