import { verifyToken, tokenMessage } from '@civic-ledger/chaincode/dist/petition/client';
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blindSign, blindToken, finalizeToken, generateTokenKeys, type RsaPrivateKeyJwk, type TokenSuite } from './blind-rsa';

interface Vector {
  readonly name: string;
  readonly msg_prefix: string;
  readonly salt: string;
  readonly blinded_msg: string;
  readonly blind_sig: string;
  readonly sig: string;
}
/** RFC 9474 Appendix A: one 4096-bit key, one message and blinding inverse, a vector per randomized suite. */
const vectors = JSON.parse(readFileSync(join(__dirname, 'testdata', 'rfc9474-vectors.json'), 'utf8')) as {
  p: string;
  q: string;
  n: string;
  e: string;
  msg: string;
  inv: string;
  vectors: Vector[];
};

const big = (hex: string): bigint => BigInt(hex.startsWith('0x') ? hex : `0x${hex}`);
const bytes = (n: bigint, length: number): Buffer => Buffer.from(n.toString(16).padStart(length * 2, '0'), 'hex');
const b64 = (n: bigint): string => {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex').toString('base64url');
};

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

/** The RFC's key as JWKs; d and the CRT values are derived from p, q and e. */
function vectorKeys(): { publicKey: { kty: 'RSA'; n: string; e: string }; privateKey: RsaPrivateKeyJwk } {
  const [p, q, e] = [big(vectors.p), big(vectors.q), big(vectors.e)];
  const n = p * q;
  const d = modInverse(e, (p - 1n) * (q - 1n));
  const publicKey = { kty: 'RSA' as const, n: b64(n), e: b64(e) };
  return { publicKey, privateKey: { ...publicKey, d: b64(d), p: b64(p), q: b64(q), dp: b64(d % (p - 1n)), dq: b64(d % (q - 1n)), qi: b64(modInverse(q, p)) } };
}

describe('RFC 9474 test vectors through our wrapper', () => {
  const { publicKey, privateKey } = vectorKeys();
  const kLen = 512;

  afterEach(() => jest.restoreAllMocks());

  it("derives the vectors' modulus from p and q", () => {
    expect(Buffer.from(publicKey.n, 'base64url').toString('hex')).toBe(vectors.n.slice(2));
  });

  it.each(vectors.vectors)(
    '$name: prepare, blind, blind-sign and finalize give the published values',
    async (v: Vector) => {
      // The library draws, in order: the message prefix, the PSS salt, and the blinding factor r = inv⁻¹ mod n.
      const r = modInverse(big(vectors.inv), big(vectors.n));
      const draws = [Buffer.from(v.msg_prefix, 'hex'), Buffer.from(v.salt, 'hex'), bytes(r, kLen)];
      jest.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
        const next = draws.shift();
        if (array === null || next === undefined || next.length !== array.byteLength) {
          throw new Error(`unexpected draw of ${String(array?.byteLength)} bytes`);
        }
        new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(next);
        return array;
      });
      const suiteName = v.name as TokenSuite;
      const blinding = await blindToken(publicKey, Buffer.from(vectors.msg, 'hex'), suiteName);
      expect(blinding.prepared.toString('hex')).toBe(v.msg_prefix + vectors.msg);
      expect(blinding.blindedMsg.toString('hex')).toBe(v.blinded_msg);
      expect(blinding.inv.toString('hex')).toBe(vectors.inv.slice(2));
      const blindSig = await blindSign(privateKey, blinding.blindedMsg);
      expect(blindSig.toString('hex')).toBe(v.blind_sig);
      const sig = await finalizeToken(publicKey, blinding, blindSig, suiteName);
      expect(sig.toString('hex')).toBe(v.sig);
      expect(draws).toEqual([]);
      // 4096-bit RSA in pure JavaScript: seconds on a small machine, more when it is busy.
    },
    60_000,
  );

  it('refuses to finalize a blind signature the issuer did not make over this blinded message', async () => {
    const blinding = await blindToken(publicKey, Buffer.from('another message'));
    await expect(finalizeToken(publicKey, blinding, Buffer.from(vectors.vectors[0]?.blind_sig ?? '', 'hex'))).rejects.toThrow('invalid signature');
  });
});

describe('a petition token end to end', () => {
  it('finalizes to a signature the chaincode accepts, on a prepared message that shares nothing with the blinded one', async () => {
    const { publicKey, privateKey } = await generateTokenKeys(2048);
    const message = tokenMessage('riverside-sundays', Buffer.alloc(32, 7).toString('base64url'));
    const blinding = await blindToken(publicKey, message);
    const signature = await finalizeToken(publicKey, blinding, await blindSign(privateKey, blinding.blindedMsg));
    expect(verifyToken('riverside-sundays', publicKey, blinding.prepared.toString('base64url'), signature.toString('base64url'))).toMatch(/^[0-9a-f]{64}$/);
    expect(blinding.blindedMsg.includes(message)).toBe(false);
    expect(blinding.blindedMsg.equals(signature)).toBe(false);
  });
});

describe('the issuer’s BlindSign in OpenSSL', () => {
  it('gives the same bytes as the library’s own BlindSign, for both suites', async () => {
    const { publicKey, privateKey } = await generateTokenKeys(2048);
    for (const suiteName of ['RSABSSA-SHA384-PSS-Randomized', 'RSABSSA-SHA384-PSSZERO-Randomized'] as const) {
      const blinding = await blindToken(publicKey, Buffer.from(`message for ${suiteName}`), suiteName);
      const library = suiteName === 'RSABSSA-SHA384-PSS-Randomized' ? RSABSSA.SHA384.PSS.Randomized() : RSABSSA.SHA384.PSSZero.Randomized();
      const key = await webcrypto.subtle.importKey('jwk', { ...privateKey }, { name: 'RSA-PSS', hash: 'SHA-384' }, true, ['sign']);
      const expected = Buffer.from(await library.blindSign(key, blinding.blindedMsg));
      expect((await blindSign(privateKey, blinding.blindedMsg)).equals(expected)).toBe(true);
    }
  }, 60_000);

  it('refuses a blinded message of the wrong length or not below the modulus, naming why', async () => {
    const { privateKey } = await generateTokenKeys(2048);
    await expect(blindSign(privateKey, Buffer.alloc(255, 1))).rejects.toThrow("the blinded message is 255 bytes; the key's modulus is 256 bytes");
    await expect(blindSign(privateKey, Buffer.alloc(256, 0xff))).rejects.toThrow('message representative out of range');
  });
});
