import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import canonicalize from 'canonicalize';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { z } from 'zod';
import { deriveDid, didSchema, publicKeyJwkSchema, signingBytes, type IdentityPayload, type PublicKeyJwk } from '@civic-ledger/chaincode/dist/identity/client';
import { UsageError } from '../errors';
import { newEd25519PrivateKey } from './ed25519-key';

const privateKeyJwkSchema = z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), d: z.string() }).strict();

/** A citizen's key pair in memory: the Ed25519 keys (RFC 8037 JWKs) and the DID they control. */
export interface CitizenKeyFile {
  readonly did: string;
  readonly publicKeyJwk: PublicKeyJwk;
  readonly privateKeyJwk: z.infer<typeof privateKeyJwkSchema>;
}

/** How a key became the current key of a DID it was not generated for: the rotation that made it so. */
const rotationSchema = z.object({ txId: z.string().regex(/^[0-9a-f]{64}$/), sequence: z.number().int().min(1) }).strict();

/**
 * A citizen's key file on their own device: the DID and public key in clear, the
 * private key as a compact JWE (RFC 7516) encrypted under the citizen's passphrase
 * with PBES2-HS512+A256KW / A256GCM (RFC 7518 §4.8, {@link PBES2_ITERATIONS}
 * PBKDF2 iterations). The private key never leaves the file unencrypted; the CLI
 * only sends signatures. `did` is the DID the key signs for: the one derived from the key
 * itself, or, once `identity rotate` made it another DID's current key, that DID (and
 * `rotation` says which transaction did it).
 */
const storedKeyFileSchema = z
  .object({
    did: z.string(),
    publicKeyJwk: publicKeyJwkSchema,
    encryptedPrivateKey: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){4}$/, 'must be a compact JWE'),
    rotation: rotationSchema.optional(),
  })
  .strict()
  .refine((f) => f.rotation === undefined || didSchema.safeParse(f.did).success, { path: ['did'], message: 'must be a did:civic DID' });

/** A key file signs for the DID derived from its key, unless a rotation made the key another DID's. */
const signsForItsDid = (f: z.infer<typeof storedKeyFileSchema>): boolean => f.rotation !== undefined || deriveDid(f.publicKeyJwk) === f.did;

/** PBKDF2-SHA512 iterations for the key-file passphrase (OWASP 2023 recommendation). */
export const PBES2_ITERATIONS = 210_000;
const KEY_ALG = 'PBES2-HS512+A256KW';

/** Generate a new Ed25519 key pair; the DID is `did:civic:<RFC 7638 thumbprint>`. */
export function generateCitizenKey(): CitizenKeyFile {
  const jwk = newEd25519PrivateKey().export({ format: 'jwk' });
  const publicKeyJwk: PublicKeyJwk = { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x) };
  return { did: deriveDid(publicKeyJwk), publicKeyJwk, privateKeyJwk: { ...publicKeyJwk, d: String(jwk.d) } };
}

/**
 * Write a key file readable by its owner only, its private key encrypted under `passphrase`;
 * refuses to overwrite.
 *
 * @throws UsageError when the file exists or cannot be written
 */
export async function saveCitizenKey(file: string, key: CitizenKeyFile, passphrase: string): Promise<void> {
  const encryptedPrivateKey = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(key.privateKeyJwk)))
    .setProtectedHeader({ alg: KEY_ALG, enc: 'A256GCM', cty: 'jwk+json' })
    // jose marks p2c as for test vectors only, but its default (2,048) is far too weak for a
    // key file that may be stolen and attacked offline; RFC 7518 §4.8.1.2 leaves it to us.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    .setKeyManagementParameters({ p2c: PBES2_ITERATIONS })
    .encrypt(new TextEncoder().encode(passphrase));
  try {
    writeFileSync(file, `${JSON.stringify({ did: key.did, publicKeyJwk: key.publicKeyJwk, encryptedPrivateKey }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'already exists; refusing to overwrite a key' : (e as Error).message;
    throw new UsageError(`key file ${file} ${reason}`);
  }
}

/**
 * Read a key file and decrypt its private key; the keys must match each other and the DID
 * (derived from the key, or the DID a recorded rotation bound it to).
 *
 * @throws UsageError naming the file and what is wrong (unreadable, malformed, wrong passphrase, mismatched keys)
 */
export async function loadCitizenKey(file: string, passphrase: string): Promise<CitizenKeyFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`key file ${file} cannot be read: ${(e as Error).message}`);
  }
  const parsed = storedKeyFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`key file ${file} is not a citizen key: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`);
  }
  const stored = parsed.data;
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(stored.encryptedPrivateKey, new TextEncoder().encode(passphrase), {
      keyManagementAlgorithms: [KEY_ALG],
      contentEncryptionAlgorithms: ['A256GCM'],
      maxPBES2Count: PBES2_ITERATIONS,
    }));
  } catch {
    throw new UsageError(`wrong passphrase for key file ${file} (or the file is damaged)`);
  }
  const privateKeyJwk = privateKeyJwkSchema.parse(JSON.parse(new TextDecoder().decode(plaintext)));
  if (privateKeyJwk.x !== stored.publicKeyJwk.x || !signsForItsDid(stored)) {
    throw new UsageError(`key file ${file} is inconsistent: its keys do not match its DID`);
  }
  return { did: stored.did, publicKeyJwk: stored.publicKeyJwk, privateKeyJwk };
}

/**
 * After `identity rotate` committed, make a key file sign for the DID whose current key it now
 * is: its `did` becomes that DID and `rotation` records the transaction. Without this the file
 * would go on signing for the DID derived from its own key, which was never registered, and the
 * rotated DID could not be used, deactivated or rotated again. The private key is untouched.
 *
 * @throws UsageError when the file cannot be read or replaced
 */
export function bindRotatedKey(file: string, did: string, rotation: z.infer<typeof rotationSchema>): void {
  let stored: z.infer<typeof storedKeyFileSchema>;
  try {
    stored = storedKeyFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (e) {
    throw new UsageError(`key file ${file} cannot be read: ${(e as Error).message}`);
  }
  const next = { did, publicKeyJwk: stored.publicKeyJwk, encryptedPrivateKey: stored.encryptedPrivateKey, rotation };
  const temporary = `${file}.${String(process.pid)}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, file);
  } catch (e) {
    throw new UsageError(`key file ${file} cannot be updated to sign for ${did}: ${(e as Error).message}`);
  }
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

/**
 * A citizen's (or issuer's) authorisation of one transaction, in the format every
 * contract accepts (chaincode/src/identity/citizen-signature.ts): the payload names
 * the action, channel, DID and a fresh random nonce; the signature is Ed25519 over
 * its RFC 8785 canonical bytes.
 *
 * @param key - the signer's key
 * @param action - `contract:Function`
 * @param channel - the channel name
 * @param fields - the action's own fields
 * @returns `{ did, payload, signature }`
 */
export function signAuthorisation(
  key: CitizenKeyFile,
  action: string,
  channel: string,
  fields: Record<string, unknown>,
): { did: string; payload: Record<string, unknown>; signature: string } {
  const payload = { ...fields, action, channel, did: key.did, nonce: randomBytes(18).toString('base64url') };
  const text = canonicalize(payload);
  if (text === undefined) {
    throw new UsageError('the authorisation payload cannot be represented as JSON');
  }
  const signature = sign(null, Buffer.from(text, 'utf8'), createPrivateKey({ key: key.privateKeyJwk, format: 'jwk' })).toString('base64url');
  return { did: key.did, payload, signature };
}
