import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { PublicKeyJwk } from '../identity/did';
import { deriveDid } from '../identity/did';
import { signingBytes, type IdentityPayload } from '../identity/proofs';

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
