import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { hash } from '@hyperledger/fabric-gateway';
import { p256 } from '@noble/curves/nist';
import { lowS, signingOptions } from './signer';

describe('the gateway signer', () => {
  const p256Keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

  it('signs the whole message with P-256 ECDSA over SHA-256, low S every time, verifiable by Node and by @noble/curves', async () => {
    const { signer, hash: digest } = signingOptions(p256Keys.privateKey);
    expect(digest).toBe(hash.none);
    const publicKey = p256Keys.publicKey.export({ format: 'der', type: 'spki' });
    for (let i = 0; i < 64; i += 1) {
      const message = Buffer.from(`proposal ${String(i)}`);
      const signature = await signer(message);
      expect(verify('sha256', message, p256Keys.publicKey, signature)).toBe(true);
      const parsed = p256.Signature.fromBytes(signature, 'der');
      expect(parsed.hasHighS()).toBe(false);
      // What fabric-gateway's own signer would sign: the SHA-256 digest, checked by the curve library.
      const digestOf = createHash('sha256').update(message).digest();
      expect(p256.verify(signature, digestOf, publicKey.subarray(-65), { lowS: true })).toBe(true);
    }
  });

  it('turns a high-S signature into the low-S form of the same signature and leaves a low-S one as it is', () => {
    const message = Buffer.from('transaction');
    const digest = createHash('sha256').update(message).digest();
    const secret = p256.utils.randomSecretKey();
    const low = p256.sign(digest, secret, { lowS: true });
    const high = new p256.Signature(low.r, p256.Point.CURVE().n - low.s);
    expect(high.hasHighS()).toBe(true);
    expect(Buffer.from(lowS(high.toBytes('der')))).toEqual(Buffer.from(low.toBytes('der')));
    expect(Buffer.from(lowS(low.toBytes('der')))).toEqual(Buffer.from(low.toBytes('der')));
  });

  it("keeps fabric-gateway's signer and a SHA-256 digest for keys other than P-256", () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    expect(signingOptions(p384.privateKey).hash).toBe(hash.sha256);
  });
});
