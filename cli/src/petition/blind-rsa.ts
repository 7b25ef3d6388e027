import { RSABSSA, type BlindRSA } from '@cloudflare/blindrsa-ts';
import type { RsaPublicKeyJwk } from '@civic-ledger/chaincode/dist/petition/client';
import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, webcrypto } from 'node:crypto';

/**
 * RSA blind signatures (RFC 9474) for petition tokens, through Cloudflare's maintained
 * `@cloudflare/blindrsa-ts`. Only the randomized suites are offered: RFC 9474 §5 recommends them,
 * and the prefix they add makes each prepared message unique even for the same token message.
 * Roles (RFC 9474 §4): the citizen calls {@link blindToken} then {@link finalizeToken}; the City's
 * issuing service calls {@link blindSign}. The chaincode verifies the final signature with
 * `node:crypto` as an ordinary RSASSA-PSS signature.
 */
export type TokenSuite = 'RSABSSA-SHA384-PSS-Randomized' | 'RSABSSA-SHA384-PSSZERO-Randomized';
export const DEFAULT_SUITE: TokenSuite = 'RSABSSA-SHA384-PSS-Randomized';

/** An RSA private key as a JWK (RFC 7517 §6.3.2), with its CRT parameters. */
export interface RsaPrivateKeyJwk extends RsaPublicKeyJwk {
  readonly d: string;
  readonly p: string;
  readonly q: string;
  readonly dp: string;
  readonly dq: string;
  readonly qi: string;
}

/** What the citizen keeps between blinding and finalizing; `inv` is secret (it would unblind). */
export interface BlindingResult {
  /** The prepared message (random prefix ‖ token message): what is finally signed and submitted. */
  readonly prepared: Buffer;
  /** Sent to the issuer; statistically independent of `prepared` (RFC 9474 §7.3). */
  readonly blindedMsg: Buffer;
  readonly inv: Buffer;
}

const ALGORITHM = { name: 'RSA-PSS', hash: 'SHA-384' } as const;

function suite(name: TokenSuite): BlindRSA {
  return name === 'RSABSSA-SHA384-PSS-Randomized' ? RSABSSA.SHA384.PSS.Randomized() : RSABSSA.SHA384.PSSZero.Randomized();
}

function importPublicKey(jwk: RsaPublicKeyJwk): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('jwk', { ...jwk, kty: 'RSA' }, ALGORITHM, true, ['verify']);
}

/**
 * Generate a petition's token key pair.
 *
 * @param modulusBits - RSA modulus length in bits, 2048 to 4096 (RFC 9474 §7.1)
 * @returns the public key for the petition record and the private key for the issuing service
 */
export async function generateTokenKeys(modulusBits = 2048): Promise<{ publicKey: RsaPublicKeyJwk; privateKey: RsaPrivateKeyJwk }> {
  const pair = (await suite(DEFAULT_SUITE).generateKey({ modulusLength: modulusBits, publicExponent: new Uint8Array([1, 0, 1]) })) as webcrypto.CryptoKeyPair;
  const [pub, priv] = await Promise.all([webcrypto.subtle.exportKey('jwk', pair.publicKey), webcrypto.subtle.exportKey('jwk', pair.privateKey)]);
  const field = (jwk: webcrypto.JsonWebKey, name: 'n' | 'e' | 'd' | 'p' | 'q' | 'dp' | 'dq' | 'qi'): string => {
    const value = jwk[name];
    if (value === undefined) {
      throw new Error(`the generated key has no JWK member ${name}`);
    }
    return value;
  };
  return {
    publicKey: { kty: 'RSA', n: field(pub, 'n'), e: field(pub, 'e') },
    privateKey: {
      kty: 'RSA',
      n: field(priv, 'n'),
      e: field(priv, 'e'),
      d: field(priv, 'd'),
      p: field(priv, 'p'),
      q: field(priv, 'q'),
      dp: field(priv, 'dp'),
      dq: field(priv, 'dq'),
      qi: field(priv, 'qi'),
    },
  };
}

/**
 * Citizen: Prepare and Blind (RFC 9474 §4.1, §4.2).
 *
 * @param publicKey - the petition's token key
 * @param message - the token message (see `tokenMessage` in the chaincode's petition client)
 * @throws Error from the library when the key is not an RSA key of the suite
 */
export async function blindToken(publicKey: RsaPublicKeyJwk, message: Uint8Array, suiteName: TokenSuite = DEFAULT_SUITE): Promise<BlindingResult> {
  const s = suite(suiteName);
  const prepared = s.prepare(message);
  const { blindedMsg, inv } = await s.blind(await importPublicKey(publicKey), prepared);
  return { prepared: Buffer.from(prepared), blindedMsg: Buffer.from(blindedMsg), inv: Buffer.from(inv) };
}

/**
 * Issuer: BlindSign (RFC 9474 §4.3), which also checks its own result before releasing it.
 *
 * The steps are the RFC's: m = bytes_to_int(blind_msg), s = RSASP1(sk, m), m' = RSAVP1(pk, s),
 * "signing failure" unless m' = m, blind_sig = int_to_bytes(s, kLen). The two RSA primitives run
 * in Node's OpenSSL (raw RSA, no padding, with the key's CRT parameters) rather than in the
 * library's pure-JavaScript big numbers, which take a few hundred milliseconds per signature on a
 * small machine; the result is the same bytes (RFC 9474's test vectors are checked in the tests).
 *
 * @param privateKey - the petition's token private key (JWK with its CRT parameters)
 * @param blindedMsg - the citizen's blinded message, exactly kLen bytes (the modulus length)
 * @returns the blind signature, kLen bytes
 * @throws Error naming the size when `blindedMsg` is not kLen bytes, `message representative out
 *   of range` when it is not below the modulus, `signing failure` (RFC 9474 §4.3) when the check fails
 */
export function blindSign(privateKey: RsaPrivateKeyJwk, blindedMsg: Uint8Array): Promise<Buffer> {
  return Promise.resolve().then(() => {
    const key = createPrivateKey({ key: { ...privateKey, kty: 'RSA' }, format: 'jwk' });
    const modulus = Buffer.from(privateKey.n, 'base64url');
    const n = modulus[0] === 0 ? modulus.subarray(1) : modulus;
    const m = Buffer.from(blindedMsg);
    if (m.length !== n.length) {
      throw new Error(`the blinded message is ${String(m.length)} bytes; the key's modulus is ${String(n.length)} bytes`);
    }
    if (Buffer.compare(m, n) >= 0) {
      throw new Error('message representative out of range');
    }
    const signature = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, m);
    const check = publicEncrypt({ key: createPublicKey(key), padding: constants.RSA_NO_PADDING }, signature);
    if (!check.equals(m)) {
      throw new Error('signing failure');
    }
    return signature;
  });
}

/**
 * Citizen: Finalize (RFC 9474 §4.4): unblind and check the signature.
 *
 * @returns the RSASSA-PSS signature on `prepared`
 * @throws Error `invalid signature` when the issuer's blind signature does not finalize to a valid one
 */
export async function finalizeToken(
  publicKey: RsaPublicKeyJwk,
  blinding: BlindingResult,
  blindSig: Uint8Array,
  suiteName: TokenSuite = DEFAULT_SUITE,
): Promise<Buffer> {
  return Buffer.from(await suite(suiteName).finalize(await importPublicKey(publicKey), blinding.prepared, blindSig, blinding.inv));
}
