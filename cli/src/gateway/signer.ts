import { sign, type KeyObject } from 'node:crypto';
import { hash, signers, type Hash, type Signer } from '@hyperledger/fabric-gateway';
import { p256 } from '@noble/curves/nist';

/** How a gateway connection signs: the signer and the digest it expects (fabric-gateway's `connect` options). */
export interface SigningOptions {
  readonly signer: Signer;
  readonly hash: Hash;
}

/**
 * The signing options for a staff identity's private key.
 *
 * For a P-256 key (what every org's Fabric CA issues) the message is hashed and signed by Node's
 * OpenSSL (`crypto.sign('sha256', …)`, ECDSA with SHA-256 as Fabric's MSPs verify it), with the
 * gateway told not to hash (`hash.none`: the signer gets the whole message). fabric-gateway's own
 * `signers.newPrivateKeySigner` signs the digest in pure JavaScript (@noble/curves), which a
 * profile of the load runner showed taking more CPU than anything else on the client side. The
 * signature is then normalised to the lower of its two S values: Fabric refuses an ECDSA signature
 * whose S is above half the curve order (as Bitcoin's BIP 62 does), and OpenSSL produces one about
 * every other time. Any other key type keeps fabric-gateway's signer and SHA-256 digest.
 *
 * @param key - the identity's private key
 * @returns the `signer` and `hash` to pass to fabric-gateway's `connect`
 */
export function signingOptions(key: KeyObject): SigningOptions {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return { signer: (message) => Promise.resolve(lowS(sign('sha256', message, key))), hash: hash.none };
  }
  return { signer: signers.newPrivateKeySigner(key), hash: hash.sha256 };
}

/** A DER-encoded P-256 ECDSA signature with S replaced by n − S when S > n/2 (same signature, other form). */
export function lowS(der: Uint8Array): Uint8Array {
  const signature = p256.Signature.fromBytes(der, 'der');
  if (!signature.hasHighS()) {
    return der;
  }
  return new p256.Signature(signature.r, p256.Point.CURVE().n - signature.s).toBytes('der');
}
