import { randomBytes, X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { consentIdOf, signedConsentSchema, type SignedConsent } from '@civic-ledger/chaincode/dist/debt/client';
import { signAuthorisation, type CitizenKeyFile } from '../citizen/key-file';
import { UsageError } from '../errors';
import { parseJson, parseWith, readInput } from '../input';

/**
 * A citizen's signed consent to a debt counsellor, as a file the counsellor keeps (owner-only:
 * with its subject salt it links the citizen to the consent's public record). Format:
 * `{ did, payload, signature, publicKeyJwk }`, payload per chaincode/src/debt/model.ts.
 */

/** `<MSP ID>/<CN>` of a wallet identity's certificate: how a consent names its counsellor. */
export function counsellorName(mspId: string, certificatePem: Buffer): string {
  const cn = /CN=([^\n,]+)/.exec(new X509Certificate(certificatePem).subject)?.[1];
  if (cn === undefined) {
    throw new UsageError('the wallet certificate has no common name (CN)');
  }
  return `${mspId}/${cn}`;
}

/**
 * Sign a consent with the citizen's key.
 *
 * @param creditors - MSP IDs, or `['*']` for every creditor
 * @param validDays - whole days from now, 1–366
 */
export function signConsent(key: CitizenKeyFile, channel: string, counsellor: string, creditors: string[], validDays: number, now: Date): SignedConsent {
  const expires = new Date(now.getTime() + validDays * 86_400_000).toISOString();
  const signed = signAuthorisation(key, 'debt:Consent', channel, { counsellor, creditors, expires, subjectSalt: randomBytes(32).toString('hex') });
  return parseWith(signedConsentSchema, { ...signed, publicKeyJwk: key.publicKeyJwk }, 'consent');
}

/** Write a consent file (never overwritten, owner-only); returns the consent id. */
export async function saveConsent(file: string, consent: SignedConsent): Promise<string> {
  await writeFile(file, `${JSON.stringify(consent, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  return consentIdOf(consent);
}

/** Read a consent file. @throws UsageError naming what is wrong */
export function readConsent(file: string): SignedConsent {
  return parseWith(signedConsentSchema, parseJson(readInput(file, '--consent').toString('utf8'), `--consent ${file}`), `--consent ${file}`);
}
