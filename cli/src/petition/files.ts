import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { petitionIdSchema } from '@civic-ledger/chaincode/dist/petition/client';
import { UsageError } from '../errors';
import { parseJson, parseWith, readInput } from '../input';

/*
 * The files that carry a petition token between the citizen and the City's issuing service.
 * Secret ones (the token private key, the citizen's blinding state, the finished token) are
 * written owner-only (0600) and never overwritten.
 */

const b64url = z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');
const rsaPublic = z.object({ kty: z.literal('RSA'), n: b64url, e: b64url }).strict();
const suite = z.enum(['RSABSSA-SHA384-PSS-Randomized', 'RSABSSA-SHA384-PSSZERO-Randomized']);

/** The City's token key for one petition (issuing service only). */
export const tokenKeyFileSchema = z
  .object({
    petitionId: petitionIdSchema,
    suite,
    publicKey: rsaPublic,
    privateKey: rsaPublic.extend({ d: b64url, p: b64url, q: b64url, dp: b64url, dq: b64url, qi: b64url }).strict(),
  })
  .strict();
export type TokenKeyFile = z.infer<typeof tokenKeyFileSchema>;

/** What the citizen hands the issuing service: the signed request and the blinded message. */
export const tokenRequestFileSchema = z
  .object({
    petitionId: petitionIdSchema,
    /** `{ did, payload, signature }` for `petition:RequestToken` (payload `petitionId`). */
    authorisation: z.object({ did: z.string(), payload: z.record(z.string(), z.unknown()), signature: z.string() }).strict(),
    blindedMsg: b64url,
  })
  .strict();
export type TokenRequestFile = z.infer<typeof tokenRequestFileSchema>;

/** What the citizen keeps secret until the blind signature comes back (`inv` would unblind). */
export const blindingStateFileSchema = z
  .object({ petitionId: petitionIdSchema, suite, publicKey: rsaPublic, prepared: b64url, blindedMsg: b64url, inv: b64url })
  .strict();
export type BlindingStateFile = z.infer<typeof blindingStateFileSchema>;

/** What the issuing service hands back. */
export const blindSignatureFileSchema = z.object({ petitionId: petitionIdSchema, did: z.string(), blindSignature: b64url, issuanceTxId: z.string() }).strict();
export type BlindSignatureFile = z.infer<typeof blindSignatureFileSchema>;

/** The citizen's finished token: enough to sign once, from any org's gateway, unlinkable to the DID. */
export const tokenFileSchema = z.object({ petitionId: petitionIdSchema, token: b64url, signature: b64url }).strict();
export type TokenFile = z.infer<typeof tokenFileSchema>;

/**
 * Read and validate one of the files above.
 *
 * @throws UsageError naming the option, the file and the first problem
 */
export function readPetitionFile<S extends z.ZodType>(schema: S, file: string, option: string): z.infer<S> {
  return parseWith(schema, parseJson(readInput(file, option).toString('utf8'), `${option} ${file}`), `${option} ${file}`);
}

/**
 * Write a file, never overwriting one; `secret` files are owner-only (0600).
 *
 * @throws UsageError when the file exists or cannot be written
 */
export async function writePetitionFile(file: string, value: unknown, option: string, secret: boolean): Promise<void> {
  try {
    await writeFile(file, `${JSON.stringify(value, null, 2)}\n`, { flag: 'wx', mode: secret ? 0o600 : 0o644 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'EEXIST' ? `${option}: ${file} already exists; choose a new file` : `${option}: cannot write ${file}: ${code ?? String(e)}`);
  }
}
