import { deriveDid, jwkThumbprint, verifyEd25519, type PublicKeyJwk } from './did';

/**
 * Known-answer vectors from the standards the DID method follows:
 * RFC 8032 §7.1 TEST 1 (Ed25519, empty message) and RFC 8037 Appendix A.3
 * (RFC 7638 JWK thumbprint of that Ed25519 public key).
 */
const rfc8037Key: PublicKeyJwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };

describe('did:civic cryptography (known-answer vectors)', () => {
  it('encodes the RFC 8032 TEST 1 public key as the RFC 8037 JWK', () => {
    expect(Buffer.from(rfc8037Key.x, 'base64url').toString('hex')).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  });

  it('computes the RFC 8037 A.3 thumbprint, which is the DID method-specific id', () => {
    expect(jwkThumbprint(rfc8037Key)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
    expect(deriveDid(rfc8037Key)).toBe('did:civic:kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('verifies the RFC 8032 TEST 1 signature and rejects it for any other message', () => {
    const signature = Buffer.from(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      'hex',
    ).toString('base64url');
    expect(verifyEd25519(rfc8037Key, new Uint8Array(0), signature)).toBe(true);
    expect(verifyEd25519(rfc8037Key, Buffer.from('x'), signature)).toBe(false);
  });
});
