import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';

/** DER prefix of an Ed25519 private key in PKCS #8 (RFC 8410 §7): the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A new Ed25519 private key: 32 bytes from the system CSPRNG as the RFC 8032 §5.1.5 seed.
 *
 * Not `generateKeyPairSync('ed25519')`: on Node 20.20 a key from it, exported as a JWK, can
 * deadlock the process when a garbage collection during the export finalizes the key's own
 * generation job (it takes the mutex the export holds). A long-lived process that makes many keys
 * (a test run, a batch enrolment) hangs within a few thousand keys; a key built from its seed has
 * no generation job and cannot.
 *
 * @returns the private key (its public half via `createPublicKey` or a JWK export)
 */
export function newEd25519PrivateKey(): KeyObject {
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, randomBytes(32)]), format: 'der', type: 'pkcs8' });
}
