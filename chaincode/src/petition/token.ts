import { constants, createHash, createPublicKey, verify } from 'node:crypto';
import { ChaincodeError } from '../shared/errors';
import type { RsaPublicKeyJwk } from './model';

/** Length of the random prefix RFC 9474 §4.1 (Prepare, randomized variant) puts before the message. */
export const PREFIX_BYTES = 32;
/** SHA-384 output length: the PSS salt length of RSABSSA-SHA384-PSS-* (RFC 9474 §5). */
const SALT_BYTES = 48;
const TOKEN_MESSAGE = /^civic-petition-token\/v1\/([a-z0-9][a-z0-9-]{2,63})\/([A-Za-z0-9_-]{43})$/;

/**
 * The message a citizen blinds for a petition: `civic-petition-token/v1/<petitionId>/<nonce>`
 * in UTF-8, the nonce being 32 random bytes in base64url (43 characters). Naming the petition
 * lets a token meant for another petition be refused by name, before its signature is checked.
 *
 * @param petitionId - the petition
 * @param nonce - 43 base64url characters chosen at random by the citizen
 */
export function tokenMessage(petitionId: string, nonce: string): Buffer {
  return Buffer.from(`civic-petition-token/v1/${petitionId}/${nonce}`, 'utf8');
}

/**
 * The spent-token mark: SHA-256 (hex) of the prepared message (prefix ‖ token message). One
 * blind signature finalizes to a signature on exactly one prepared message, so one token id.
 */
export function tokenIdOf(prepared: Buffer): string {
  return createHash('sha256').update(prepared).digest('hex');
}

/**
 * Check a token and its signature for a petition. Inside chaincode the unblinded RFC 9474
 * signature is an ordinary RSASSA-PSS signature (RFC 8017 §8.1) with SHA-384, MGF1-SHA-384 and a
 * 48-byte salt over the prepared message, so `node:crypto` verifies it.
 *
 * @param petitionId - the petition being signed
 * @param publicKey - the petition's token key
 * @param token - the prepared message, base64url (32-byte prefix ‖ {@link tokenMessage})
 * @param signature - the unblinded signature, base64url
 * @returns the token id ({@link tokenIdOf})
 * @throws ChaincodeError `INVALID_ARGUMENT` when the token is not a petition token, or is for another
 *   petition; `INVALID_SIGNATURE` when the signature does not verify under the petition's key
 */
export function verifyToken(petitionId: string, publicKey: RsaPublicKeyJwk, token: string, signature: string): string {
  const prepared = Buffer.from(token, 'base64url');
  const match = TOKEN_MESSAGE.exec(prepared.subarray(PREFIX_BYTES).toString('utf8'));
  if (prepared.length <= PREFIX_BYTES || match === null) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      'request.token is not a civic petition token (32-byte prefix, then civic-petition-token/v1/<petition>/<nonce>)',
    );
  }
  if (match[1] !== petitionId) {
    throw new ChaincodeError('INVALID_ARGUMENT', `request.token was issued for petition ${match[1] ?? ''}, not ${petitionId}`);
  }
  const key = createPublicKey({ key: { kty: 'RSA', n: publicKey.n, e: publicKey.e }, format: 'jwk' });
  const sig = Buffer.from(signature, 'base64url');
  const ok = verify('sha384', prepared, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: SALT_BYTES }, sig);
  if (!ok) {
    throw new ChaincodeError('INVALID_SIGNATURE', `request.signature is not a valid token signature under the key of petition ${petitionId}`);
  }
  return tokenIdOf(prepared);
}
