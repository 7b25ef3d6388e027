import { canonicalBytes } from '../shared/canonical-json';
import type { PublicKeyJwk } from './did';

/**
 * The payloads a citizen signs for the DID registry. The chaincode and the CLI
 * build them with these functions and sign or verify their RFC 8785 canonical
 * bytes, so the two sides can never disagree on what was signed.
 *
 * Replay protection: every payload names its action and channel; rotation and
 * deactivation also carry the DID's current `sequence`, which each accepted
 * operation increments, so a signature is good for exactly one operation.
 */

/** Proof of possession for `RegisterDID`: signed by the key being registered. */
export interface RegisterPayload {
  readonly action: 'identity:RegisterDID';
  readonly channel: string;
  readonly did: string;
  readonly publicKeyJwk: PublicKeyJwk;
}

/** Authorisation for `RotateKey`: signed by the current key and, as proof of possession, by the new key. */
export interface RotatePayload {
  readonly action: 'identity:RotateKey';
  readonly channel: string;
  readonly did: string;
  readonly newPublicKeyJwk: PublicKeyJwk;
  readonly sequence: number;
}

/** Authorisation for `DeactivateDID`: signed by the current key. */
export interface DeactivatePayload {
  readonly action: 'identity:DeactivateDID';
  readonly channel: string;
  readonly did: string;
  readonly sequence: number;
}

export type IdentityPayload = RegisterPayload | RotatePayload | DeactivatePayload;

/** @returns the payload a `RegisterDID` proof of possession signs */
export function registerPayload(channel: string, did: string, publicKeyJwk: PublicKeyJwk): RegisterPayload {
  return { action: 'identity:RegisterDID', channel, did, publicKeyJwk };
}

/** @returns the payload a `RotateKey` authorisation signs; `sequence` is the DID's current sequence */
export function rotatePayload(channel: string, did: string, newPublicKeyJwk: PublicKeyJwk, sequence: number): RotatePayload {
  return { action: 'identity:RotateKey', channel, did, newPublicKeyJwk, sequence };
}

/** @returns the payload a `DeactivateDID` authorisation signs; `sequence` is the DID's current sequence */
export function deactivatePayload(channel: string, did: string, sequence: number): DeactivatePayload {
  return { action: 'identity:DeactivateDID', channel, did, sequence };
}

/**
 * The bytes that are signed: RFC 8785 canonical JSON of the payload.
 *
 * @param payload - one of the identity payloads
 * @returns UTF-8 bytes to sign or verify
 */
export function signingBytes(payload: IdentityPayload): Buffer {
  return canonicalBytes(payload);
}
