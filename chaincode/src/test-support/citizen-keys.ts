import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { PublicKeyJwk } from '../identity/did';
import { deriveDid } from '../identity/did';
import { signingBytes, type IdentityPayload } from '../identity/proofs';
import { canonicalBytes } from '../shared/canonical-json';

/** A citizen's Ed25519 key pair, as a wallet app on their device would hold it (tests only). */
export interface CitizenKey {
  readonly privateKey: KeyObject;
  readonly publicKeyJwk: PublicKeyJwk;
  readonly did: string;
}

/** Generate a fresh citizen key pair and its DID. */
export function newCitizenKey(): CitizenKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  const publicKeyJwk: PublicKeyJwk = { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x) };
  return { privateKey, publicKeyJwk, did: deriveDid(publicKeyJwk) };
}

/** Sign an identity payload's canonical bytes; returns base64url. */
export function signPayload(key: CitizenKey, payload: IdentityPayload): string {
  return sign(null, signingBytes(payload), key.privateKey).toString('base64url');
}

let nonceCounter = 0;

/**
 * A citizen-signed authorisation `{ did, payload, signature }` for `action`, as
 * verifyCitizenSignature expects it; a fresh nonce unless one is given.
 */
export function signAction(
  key: CitizenKey,
  action: string,
  fields: Record<string, unknown>,
  nonce?: string,
): { did: string; payload: Record<string, unknown>; signature: string } {
  nonceCounter += 1;
  const payload = { action, channel: 'civic', did: key.did, nonce: nonce ?? `nonce-${String(nonceCounter).padStart(10, '0')}`, ...fields };
  return { did: key.did, payload, signature: sign(null, canonicalBytes(payload), key.privateKey).toString('base64url') };
}
