import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { SDJwtInstance } from '@sd-jwt/core';
import { digest } from '@sd-jwt/crypto-nodejs';
import type { SdJwtPayload } from '@sd-jwt/core';
import type { PublicKeyJwk } from '@civic-ledger/chaincode/dist/identity/client';
import type { CitizenKeyFile } from '../citizen/key-file';

/** JWS algorithm of every civic credential and key-binding JWT: EdDSA with Ed25519 (RFC 8037). */
export const SIGN_ALG = 'EdDSA';

/** Credential payload: registered JWT claims plus the credential's own claims. */
export interface CredentialPayload extends SdJwtPayload {
  iss: string;
  sub: string;
  vct: string;
  iat: number;
  nbf?: number;
  exp: number;
  cnf: { jwk: PublicKeyJwk };
  credentialStatus: CredentialStatusEntry;
  [claim: string]: unknown;
}

/** W3C Bitstring Status List entry pointing at the issuer's list on the ledger. */
export interface CredentialStatusEntry {
  type: 'BitstringStatusListEntry';
  statusPurpose: 'revocation';
  statusListIndex: string;
  /** `ledger:civic/identity/<issuer DID>/revocation`: the list `identity:GetStatusList` returns. */
  statusListCredential: string;
}

/**
 * A disclosure salt of `bytes` random bytes, base64url. The library asks for 16 and its own
 * generator returns 16 hex characters (64 bits); RFC 9901 asks for at least 128 bits, so that an
 * undisclosed low-entropy claim (a birth date) cannot be recovered from its digest.
 */
function salt(bytes: number): string {
  return randomBytes(Math.max(bytes, 16)).toString('base64url');
}

function ed25519Signer(key: CitizenKeyFile): (data: string) => string {
  const privateKey = createPrivateKey({ key: key.privateKeyJwk, format: 'jwk' });
  return (data) => sign(null, Buffer.from(data), privateKey).toString('base64url');
}

/** Verify an EdDSA JWS signature (base64url) over `data` with an Ed25519 JWK. */
export function verifyEd25519Jws(jwk: PublicKeyJwk, data: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(data), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

/**
 * An SD-JWT (RFC 9901, Selective Disclosure for JWTs) instance wired for civic:
 * EdDSA signatures, SHA-256 disclosure digests with 128-bit salts, key binding
 * to the holder key in `cnf.jwk`.
 *
 * @param keys - the issuer key (to issue), holder key (to present), or the issuer's
 *   current public key (to verify); pass what the operation needs
 */
export function civicSdJwt(keys: { issuer?: CitizenKeyFile; holder?: CitizenKeyFile; issuerPublicKey?: PublicKeyJwk }): SDJwtInstance<CredentialPayload> {
  const issuerPublicKey = keys.issuerPublicKey;
  return new SDJwtInstance<CredentialPayload>({
    hasher: digest,
    hashAlg: 'sha-256',
    saltGenerator: salt,
    signAlg: SIGN_ALG,
    kbSignAlg: SIGN_ALG,
    ...(keys.issuer === undefined ? {} : { signer: ed25519Signer(keys.issuer) }),
    ...(keys.holder === undefined ? {} : { kbSigner: ed25519Signer(keys.holder) }),
    ...(issuerPublicKey === undefined
      ? {}
      : {
          verifier: (data: string, signature: string) => verifyEd25519Jws(issuerPublicKey, data, signature),
          kbVerifier: (data: string, signature: string, payload: Record<string, unknown>) => {
            const cnf = payload.cnf as { jwk?: PublicKeyJwk } | undefined;
            return cnf?.jwk !== undefined && verifyEd25519Jws(cnf.jwk, data, signature);
          },
        }),
  });
}
