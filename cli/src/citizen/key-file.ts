import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { deriveDid, publicKeyJwkSchema, signingBytes, type IdentityPayload, type PublicKeyJwk } from '@civic-ledger/chaincode/dist/identity/client';
import { UsageError } from '../errors';

/**
 * A citizen's key file: the Ed25519 key pair a citizen generates on their own
 * device (RFC 8037 JWKs) and the DID it controls. The private key never leaves
 * this file; the CLI only sends signatures.
 */
const keyFileSchema = z
  .object({
    did: z.string(),
    publicKeyJwk: publicKeyJwkSchema,
    privateKeyJwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), d: z.string() }).strict(),
  })
  .strict();
export type CitizenKeyFile = z.infer<typeof keyFileSchema>;

/** Generate a new Ed25519 key pair; the DID is `did:civic:<RFC 7638 thumbprint>`. */
export function generateCitizenKey(): CitizenKeyFile {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const publicKeyJwk: PublicKeyJwk = { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x) };
  return { did: deriveDid(publicKeyJwk), publicKeyJwk, privateKeyJwk: { ...publicKeyJwk, d: String(jwk.d) } };
}

/**
 * Write a key file readable by its owner only; refuses to overwrite.
 *
 * @throws UsageError when the file exists or cannot be written
 */
export function saveCitizenKey(file: string, key: CitizenKeyFile): void {
  try {
    writeFileSync(file, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'already exists; refusing to overwrite a key' : (e as Error).message;
    throw new UsageError(`key file ${file} ${reason}`);
  }
}

/**
 * Read and check a key file: the public key must match the private key.
 *
 * @throws UsageError naming the file and what is wrong
 */
export function loadCitizenKey(file: string): CitizenKeyFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`key file ${file} cannot be read: ${(e as Error).message}`);
  }
  const parsed = keyFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`key file ${file} is not a citizen key: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`);
  }
  return parsed.data;
}

/**
 * Sign an identity payload (RFC 8785 canonical bytes) with a key file's private key.
 *
 * @returns the Ed25519 signature, base64url
 */
export function signWithKey(key: CitizenKeyFile, payload: IdentityPayload): string {
  const privateKey = createPrivateKey({ key: key.privateKeyJwk, format: 'jwk' });
  return sign(null, signingBytes(payload), privateKey).toString('base64url');
}
