import type { CitizenKeyFile } from '../citizen/key-file';
import { UsageError } from '../errors';
import { civicSdJwt } from './sd-jwt';

/** A verifier's challenge: who asks (`aud`) and a fresh `nonce`. */
export interface Challenge {
  readonly audience: string;
  readonly nonce: string;
}

/**
 * Present only chosen claims of a credential, with a key-binding JWT (RFC 9901 §4.3)
 * signed by the holder over the verifier's challenge; the other disclosures are left out.
 *
 * @param credential - the compact SD-JWT the holder received
 * @param holder - the holder's key (must match the credential's `cnf.jwk`)
 * @param disclose - names of the claims to reveal
 * @param challenge - the verifier's audience and nonce
 * @param now - presentation time, seconds since the epoch
 * @throws UsageError when a requested claim is not in the credential
 */
export async function presentCredential(
  credential: string,
  holder: CitizenKeyFile,
  disclose: readonly string[],
  challenge: Challenge,
  now: number,
): Promise<string> {
  const sdjwt = civicSdJwt({ holder });
  const available = new Set(await sdjwt.keys(credential));
  const missing = disclose.find((claim) => !available.has(claim));
  if (missing !== undefined) {
    throw new UsageError(`the credential has no claim '${missing}'`);
  }
  const frame = Object.fromEntries(disclose.map((claim) => [claim, true]));
  return sdjwt.present(credential, frame, { kb: { payload: { iat: now, aud: challenge.audience, nonce: challenge.nonce } } });
}
