import { Jwt } from '@sd-jwt/core';
import { getBit, publicKeyJwkSchema } from '@civic-ledger/chaincode/dist/identity/client';
import { z } from 'zod';
import { CliError } from '../errors';
import type { LedgerReader } from './ledger-reader';
import type { Challenge } from './present';
import { civicSdJwt, verifyEd25519Jws } from './sd-jwt';

/** Why a presentation was refused; each check has its own reason. */
export type RejectionReason =
  | 'MALFORMED'
  | 'UNTRUSTED_ISSUER'
  | 'ISSUER_SUSPENDED'
  | 'TYPE_NOT_ALLOWED'
  | 'BAD_SIGNATURE'
  | 'BAD_DISCLOSURE'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'WRONG_CHALLENGE'
  | 'STALE_PRESENTATION'
  | 'HOLDER_MISMATCH'
  | 'REVOKED'
  | 'SUSPENDED';

/** A presentation that failed verification (exit 1), with the reason as its code. */
export class CredentialRejected extends CliError {
  readonly exitCode = 1;
  readonly code: RejectionReason;

  constructor(reason: RejectionReason, message: string, detail?: string) {
    super(`${reason}: ${message}`, detail);
    this.code = reason;
  }
}

/** What a verifier learns: issuer, holder, type and only the disclosed claims. */
export interface VerifiedPresentation {
  readonly issuer: string;
  readonly issuerName: string;
  readonly holder: string;
  readonly type: string;
  readonly claims: Record<string, unknown>;
}

const REGISTERED = ['iss', 'sub', 'vct', 'iat', 'nbf', 'exp', 'cnf', 'credentialStatus', '_sd', '_sd_alg'];

const issuerJwtSchema = z.object({
  iss: z.string(),
  sub: z.string(),
  vct: z.string(),
  nbf: z.number().optional(),
  exp: z.number(),
  cnf: z.object({ jwk: publicKeyJwkSchema }),
  credentialStatus: z
    .object({ type: z.literal('BitstringStatusListEntry'), statusPurpose: z.literal('revocation'), statusListIndex: z.string().regex(/^\d+$/) })
    .loose(),
});
type IssuerJwt = z.infer<typeof issuerJwtSchema>;

/**
 * Library errors (RFC 9901 checks) by what they mean, each with the reason told in words (the
 * library's own text goes into the detail that `--verbose` shows). The issuer signature is
 * checked before the library runs, so a signature failure inside it is the key-binding JWT's.
 */
const LIBRARY_FAILURES: readonly (readonly [RegExp, RejectionReason, (header: IssuerJwt) => string])[] = [
  [/Invalid Nonce/, 'WRONG_CHALLENGE', () => 'the presentation was signed for another challenge: its nonce is not the one given'],
  [/sd_hash/, 'BAD_DISCLOSURE', () => 'the disclosures are not the ones the holder signed (changed after the key-binding signature)'],
  [/is expired/, 'EXPIRED', (h) => `the credential expired at ${isoSeconds(h.exp)}`],
  [/not yet valid/, 'NOT_YET_VALID', (h) => `the credential is not valid before ${h.nbf === undefined ? 'its start date' : isoSeconds(h.nbf)}`],
  [/Key Binding|Invalid JWT Signature/, 'HOLDER_MISMATCH', (h) => `the key-binding signature is not by the key the credential binds to ${h.sub}`],
];

const isoSeconds = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

function reject(reason: RejectionReason, message: string, detail?: string): never {
  throw new CredentialRejected(reason, message, detail);
}

async function trustedIssuerKey(ledger: LedgerReader, iss: string, type: string): Promise<{ name: string; key: z.infer<typeof publicKeyJwkSchema> }> {
  const issuer = await ledger.resolveIssuer(iss);
  if (issuer === undefined || issuer.status === 'retired') {
    reject('UNTRUSTED_ISSUER', `${iss} is not a trusted issuer on the ledger`);
  }
  if (issuer.status === 'suspended') {
    reject('ISSUER_SUSPENDED', `issuer ${issuer.name} (${iss}) is suspended`);
  }
  if (!issuer.credentialTypes.includes(type)) {
    reject('TYPE_NOT_ALLOWED', `issuer ${issuer.name} may not issue ${type}`);
  }
  const key = (await ledger.resolveDid(iss)).didDocument.verificationMethod[0]?.publicKeyJwk;
  if (key === undefined) {
    reject('UNTRUSTED_ISSUER', `issuer DID ${iss} is deactivated`);
  }
  return { name: issuer.name, key };
}

async function checkSignatures(
  presentation: string,
  credential: IssuerJwt,
  issuerKey: z.infer<typeof publicKeyJwkSchema>,
  challenge: Challenge,
  now: number,
): Promise<{ payload: Record<string, unknown>; kb: { iat: number; aud: string } }> {
  const [jwt = ''] = presentation.split('~');
  const [header = '', body = '', signature = ''] = jwt.split('.');
  if (!verifyEd25519Jws(issuerKey, `${header}.${body}`, signature)) {
    reject('BAD_SIGNATURE', "the issuer signature does not verify with the issuer DID's current key");
  }
  try {
    const result = await civicSdJwt({ issuerPublicKey: issuerKey }).verify(presentation, { currentDate: now, keyBindingNonce: challenge.nonce });
    if (result.kb === undefined) {
      reject('HOLDER_MISMATCH', 'the presentation has no key-binding signature by the holder');
    }
    return { payload: result.payload as Record<string, unknown>, kb: result.kb.payload };
  } catch (e) {
    if (e instanceof CredentialRejected) {
      throw e;
    }
    const message = (e as Error).message;
    const failure = LIBRARY_FAILURES.find(([pattern]) => pattern.test(message));
    return failure === undefined ? reject('MALFORMED', message) : reject(failure[1], failure[2](credential), message);
  }
}

/** The credential is bound to the holder DID's current key, and is neither revoked nor suspended. */
async function checkHolderAndStatus(ledger: LedgerReader, header: IssuerJwt, issuerName: string): Promise<void> {
  const holder = await ledger.resolveDid(header.sub);
  if (holder.didDocumentMetadata.deactivated) {
    reject('HOLDER_MISMATCH', `the holder's DID ${header.sub} is deactivated; it holds no key any more`);
  }
  const holderKey = holder.didDocument.verificationMethod[0]?.publicKeyJwk;
  if (holderKey?.x !== header.cnf.jwk.x) {
    reject('HOLDER_MISMATCH', `the credential is bound to a key that is not the current key of ${header.sub}`);
  }
  const index = Number(header.credentialStatus.statusListIndex);
  if (getBit(await ledger.statusList(header.iss, 'revocation'), index)) {
    reject('REVOKED', `the credential was revoked by ${issuerName}`);
  }
  if (getBit(await ledger.statusList(header.iss, 'suspension'), index)) {
    reject('SUSPENDED', `the credential is suspended by ${issuerName}`);
  }
}

/**
 * Verify a selective-disclosure presentation against the ledger: the issuer is
 * trusted for this credential type and not suspended; the issuer's signature
 * (with the issuer DID's current key), every disclosure digest, validity period,
 * the holder's key-binding signature over this verifier's challenge, the holder
 * binding to the holder DID's current key, and the revocation and suspension bits.
 *
 * @param presentation - compact SD-JWT+KB (`<jwt>~<disclosures>~<kb-jwt>`)
 * @param ledger - reads DIDs, issuers and status lists
 * @param challenge - the audience and nonce this verifier issued
 * @param now - verification time, seconds since the epoch
 * @param maxAgeSeconds - how old the key-binding JWT may be
 * @returns issuer, holder, type and the disclosed claims only
 * @throws CredentialRejected with the reason of the first failed check
 */
export async function verifyPresentation(
  presentation: string,
  ledger: LedgerReader,
  challenge: Challenge,
  now: number,
  maxAgeSeconds = 300,
): Promise<VerifiedPresentation> {
  let header: IssuerJwt;
  try {
    header = issuerJwtSchema.parse(Jwt.decodeJWT(presentation.split('~')[0] ?? '').payload);
  } catch (e) {
    return reject('MALFORMED', 'not a civic SD-JWT credential presentation', (e as Error).message);
  }
  const issuer = await trustedIssuerKey(ledger, header.iss, header.vct);
  const { payload, kb } = await checkSignatures(presentation, header, issuer.key, challenge, now);
  if (kb.aud !== challenge.audience) {
    reject('WRONG_CHALLENGE', `the presentation was made for ${kb.aud}, not ${challenge.audience}`);
  }
  if (kb.iat > now + 60 || kb.iat < now - maxAgeSeconds) {
    reject('STALE_PRESENTATION', `the key-binding signature is from ${new Date(kb.iat * 1000).toISOString()}`);
  }
  await checkHolderAndStatus(ledger, header, issuer.name);
  const claims = Object.fromEntries(Object.entries(payload).filter(([k]) => !REGISTERED.includes(k)));
  const presented = presentation
    .split('~')
    .slice(1, -1)
    .filter((d) => d !== '').length;
  if (presented !== Object.keys(claims).length) {
    reject('BAD_DISCLOSURE', `${presented - Object.keys(claims).length} presented disclosure(s) match no digest the issuer signed`);
  }
  return { issuer: header.iss, issuerName: issuer.name, holder: header.sub, type: header.vct, claims };
}
