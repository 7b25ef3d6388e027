import { X509Certificate } from 'node:crypto';
import { msp } from '@hyperledger/fabric-protos';

/** Who signed something on the ledger: a client that created a transaction, or an endorsing peer. */
export interface LedgerIdentity {
  /** The MSP ID the identity claims, e.g. `AgenciesMSP`. */
  readonly mspId: string;
  /**
   * The X.509 certificate's subject, its attributes joined by `, ` in certificate order
   * (e.g. `C=NL, L=Civic Ledger, O=AgenciesMSP, OU=client, CN=clerk`), or `null` when the
   * identity bytes are not a PEM X.509 certificate (e.g. an Idemix identity).
   */
  readonly subject: string | null;
}

/**
 * Decode a `msp.SerializedIdentity` (MSP ID + PEM certificate in `id_bytes`), as Fabric puts
 * one in a SignatureHeader's `creator` and an Endorsement's `endorser`
 * (fabric-protos msp/identities.proto; msp/identities.go `newIdentity`).
 *
 * @param bytes - the serialized identity
 * @returns its MSP ID and certificate subject
 * @throws Error when the bytes are not a SerializedIdentity
 */
export function identityOf(bytes: Uint8Array): LedgerIdentity {
  const identity = msp.SerializedIdentity.deserializeBinary(bytes);
  return { mspId: identity.getMspid(), subject: certificateSubject(identity.getIdBytes_asU8()) };
}

/** The subject of a PEM (or DER) certificate as one line, or null when it is not one. */
function certificateSubject(certificate: Uint8Array): string | null {
  if (certificate.length === 0) {
    return null;
  }
  try {
    return new X509Certificate(Buffer.from(certificate)).subject.split('\n').join(', ');
  } catch {
    return null;
  }
}
