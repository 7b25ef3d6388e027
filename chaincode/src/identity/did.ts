import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalString } from '../shared/canonical-json';
import { ChaincodeError } from '../shared/errors';

/** DID method name of Civic Ledger DIDs: `did:civic:<id>`. */
export const DID_METHOD = 'civic';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * A citizen's public key as a JSON Web Key (RFC 8037 OKP, Ed25519). Only public
 * members are accepted: a JWK carrying the private `d` member is refused.
 */
export const publicKeyJwkSchema = z
  .object({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: z.string().regex(BASE64URL, 'must be base64url').length(43, 'must encode 32 bytes (43 base64url characters)'),
  })
  .strict();
export type PublicKeyJwk = z.infer<typeof publicKeyJwkSchema>;

/** `did:civic:` followed by the 43-character base64url RFC 7638 thumbprint of the first key. */
export const didSchema = z.string().regex(/^did:civic:[A-Za-z0-9_-]{43}$/, 'must be a DID of the form did:civic:<43 base64url characters>');

/** A detached Ed25519 signature, base64url without padding (86 characters). */
export const signatureSchema = z.string().regex(BASE64URL, 'must be base64url').length(86, 'must encode a 64-byte Ed25519 signature (86 base64url characters)');

/**
 * The RFC 7638 JWK thumbprint (SHA-256, base64url) of an Ed25519 public key.
 *
 * @param jwk - the public key
 * @returns 43-character base64url thumbprint
 */
export function jwkThumbprint(jwk: PublicKeyJwk): string {
  const members = canonicalString({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash('sha256').update(members, 'utf8').digest('base64url');
}

/**
 * Derive the DID a citizen's first public key controls: `did:civic:<RFC 7638 thumbprint>`.
 * The DID stays the same when the key is later rotated.
 *
 * @param jwk - the citizen's initial public key
 * @returns the DID string
 */
export function deriveDid(jwk: PublicKeyJwk): string {
  return `did:${DID_METHOD}:${jwkThumbprint(jwk)}`;
}

function toKeyObject(jwk: PublicKeyJwk): KeyObject {
  try {
    return createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
  } catch {
    throw new ChaincodeError('INVALID_ARGUMENT', 'publicKeyJwk is not a valid Ed25519 public key');
  }
}

/**
 * Verify a detached Ed25519 signature (RFC 8032) over bytes.
 *
 * @param jwk - the signer's public key
 * @param message - the signed bytes (a canonical payload)
 * @param signature - base64url signature
 * @returns true when the signature is valid for the key and message
 * @throws ChaincodeError `INVALID_ARGUMENT` when the key is not a valid Ed25519 key
 */
export function verifyEd25519(jwk: PublicKeyJwk, message: Uint8Array, signature: string): boolean {
  const sig = Buffer.from(signature, 'base64url');
  if (sig.length !== 64) {
    return false;
  }
  return verify(null, message, toKeyObject(jwk), sig);
}
