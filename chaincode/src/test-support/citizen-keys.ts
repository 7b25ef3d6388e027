import { createPublicKey, createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
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

/** DER prefix of an Ed25519 private key in PKCS #8 (RFC 8410 §7): the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Generate a fresh citizen key pair and its DID, from a random 32-byte seed as the CLI does (not
 * `generateKeyPairSync`, whose keys can deadlock a JWK export on Node 20.20; see the CLI's
 * `newEd25519PrivateKey`).
 */
export function newCitizenKey(): CitizenKey {
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, randomBytes(32)]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
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
