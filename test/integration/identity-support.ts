/**
 * Helpers for the identity integration tests: taking a compact SD-JWT apart, issuing a
 * credential off the ledger (a forger's, or one whose validity period already ended), and presenting one as a holder's own software could.
 */
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadCitizenKey } from '../../cli/src/citizen/key-file';
import { issueCredential } from '../../cli/src/credentials/issue';

/**
 * The parts of a compact SD-JWT (`<jwt>~<disclosure>~…~<kb-jwt>`): the issuer JWT's payload, the
 * disclosures as `[salt, name, value]` arrays, and the key-binding JWT's payload (if any).
 */
export function sdJwtParts(compact: string): {
  issuerPayload: Record<string, unknown>;
  disclosures: [string, string, unknown][];
  kbPayload: Record<string, unknown> | undefined;
} {
  const parts = compact.trim().split('~');
  const decode = (jwt: string): Record<string, unknown> =>
    JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  const last = parts[parts.length - 1] ?? '';
  return {
    issuerPayload: decode(parts[0] ?? ''),
    disclosures: parts
      .slice(1, -1)
      .filter((d) => d !== '')
      .map((d) => JSON.parse(Buffer.from(d, 'base64url').toString('utf8')) as [string, string, unknown]),
    kbPayload: last === '' ? undefined : decode(last),
  };
}

/** The raw text of a compact SD-JWT and every segment of it base64url-decoded: all a verifier is handed. */
export function everyByteOf(compact: string): string {
  const segments = compact.split(/[~.\s]/).filter((s) => s !== '');
  return [compact, ...segments.map((s) => Buffer.from(s, 'base64url').toString('latin1'))].join('\n');
}

/**
 * A credential signed off-chain by any DID's key with the CLI's own issuing code, at an index that
 * nothing reserves: what a forger could make without `civic identity issue` (which reserves the
 * index on the ledger, so it issues only for a trusted issuer), valid from now for `validDays` days.
 */
export async function issueOffLedger(
  issuerKeyFile: string,
  passphrase: string,
  holder: { did: string; publicKeyJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string } },
  type: string,
  claims: Record<string, string | number | boolean>,
  validDays: number,
  out: string,
): Promise<void> {
  const issuer = await loadCitizenKey(issuerKeyFile, passphrase);
  const issuedAt = Math.floor(Date.now() / 1000);
  const { credential } = await issueCredential({ issuer, holder, type, claims, issuedAt, expiresAt: issuedAt + validDays * 86_400 });
  writeFileSync(out, `${credential}\n`, { mode: 0o600 });
}

/**
 * A credential whose validity period is over, issued and signed off-chain by a trusted issuer's
 * own key with the CLI's own issuing code (`civic identity issue` accepts only future expiry):
 * valid from `daysAgo` days ago for `validDays` days.
 *
 * @param issuerKeyFile - the issuer DID's key file
 * @param holder - the holder's DID and current key
 * @param out - the credential file to write
 */
export async function issueLapsedCredential(
  issuerKeyFile: string,
  passphrase: string,
  holder: { did: string; publicKeyJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string } },
  type: string,
  claims: Record<string, string | number | boolean>,
  window: { daysAgo: number; validDays: number },
  out: string,
): Promise<{ expiresAt: number }> {
  const issuer = await loadCitizenKey(issuerKeyFile, passphrase);
  const issuedAt = Math.floor(Date.now() / 1000) - window.daysAgo * 86_400;
  const expiresAt = issuedAt + window.validDays * 86_400;
  const { credential } = await issueCredential({ issuer, holder, type, claims, issuedAt, expiresAt });
  writeFileSync(out, `${credential}\n`, { mode: 0o600 });
  return { expiresAt };
}

/**
 * What a holder's own software could send instead of `civic identity present`: the credential's
 * issuer JWT with the given (possibly altered) disclosures, and a key-binding JWT (RFC 9901)
 * that the holder signs over exactly those bytes and the verifier's challenge.
 *
 * @param credential - the compact credential as issued
 * @param disclosures - the base64url disclosures to present
 */
export async function presentByHand(
  credential: string,
  disclosures: readonly string[],
  holderKeyFile: string,
  passphrase: string,
  challenge: { audience: string; nonce: string },
): Promise<string> {
  const holder = await loadCitizenKey(holderKeyFile, passphrase);
  const presented = `${credential.trim().split('~')[0] ?? ''}~${disclosures.map((d) => `${d}~`).join('')}`;
  const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${b64({ typ: 'kb+jwt', alg: 'EdDSA' })}.${b64({
    iat: Math.floor(Date.now() / 1000),
    aud: challenge.audience,
    nonce: challenge.nonce,
    sd_hash: createHash('sha256').update(presented).digest('base64url'),
  })}`;
  const signature = sign(null, Buffer.from(signingInput), createPrivateKey({ key: holder.privateKeyJwk, format: 'jwk' })).toString('base64url');
  return `${presented}${signingInput}.${signature}`;
}
