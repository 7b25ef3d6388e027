/**
 * The parts of an X.509 certificate and CRL that Fabric's MSP reads and Node's X509Certificate
 * does not give structured: the subject's organizational units (each attribute exactly, not
 * from a printed subject line), whether it is a CA (basicConstraints), and revocation (RFC 5280
 * CRLs). Parsed with pkijs / asn1js.
 */
import { fromBER } from 'asn1js';
import { Certificate, CertificateRevocationList, type RelativeDistinguishedNames } from 'pkijs';

const OU = '2.5.4.11';
const BASIC_CONSTRAINTS = '2.5.29.19';

/** A parsed certificate or CRL; throws naming what is not DER. */
function parse<T>(der: Uint8Array, what: string, make: (schema: unknown) => T): T {
  const asn1 = fromBER(Uint8Array.from(der).buffer);
  if (asn1.offset === -1) {
    throw new Error(`${what} is not DER`);
  }
  return make(asn1.result);
}

/** A certificate's structured view. */
export function certificateFields(der: Uint8Array): Certificate {
  return parse(der, 'the certificate', (schema) => new Certificate({ schema }));
}

/** Every organizationalUnitName (2.5.4.11) value of a name, in order. */
function unitsOf(name: RelativeDistinguishedNames): string[] {
  return name.typesAndValues.filter((tv) => tv.type === OU).map((tv) => String((tv.value as { valueBlock: { value: unknown } }).valueBlock.value));
}

/** The organizational units of a certificate's subject, each exactly as encoded. */
export function subjectOrganizationalUnits(cert: Certificate): string[] {
  return unitsOf(cert.subject);
}

/** True when the certificate's basicConstraints say it is a CA. */
export function isCertificateAuthority(cert: Certificate): boolean {
  const extension = cert.extensions?.find((e) => e.extnID === BASIC_CONSTRAINTS);
  const parsed = extension?.parsedValue as { cA?: boolean } | undefined;
  return parsed?.cA === true;
}

/** A CRL of an MSP: who issued it and the serial numbers it revokes (hex). */
export interface RevocationList {
  readonly issuer: string;
  readonly revokedSerials: ReadonlySet<string>;
}

const nameKey = (name: RelativeDistinguishedNames): string => Buffer.from(name.toSchema().toBER(false)).toString('hex');
const serialHex = (serial: { valueBlock: { valueHexView: Uint8Array } }): string =>
  Buffer.from(serial.valueBlock.valueHexView)
    .toString('hex')
    .replace(/^(00)+/, '');

/** Parse a PEM or DER CRL from an MSP config's revocation list. */
export function revocationListFrom(pemOrDer: Uint8Array): RevocationList {
  const text = Buffer.from(pemOrDer).toString('latin1');
  const body = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(text)?.[1];
  const der = body === undefined ? pemOrDer : Buffer.from(body.replace(/\s+/g, ''), 'base64');
  const crl = parse(der, 'a revocation list', (schema) => new CertificateRevocationList({ schema }));
  return { issuer: nameKey(crl.issuer), revokedSerials: new Set((crl.revokedCertificates ?? []).map((r) => serialHex(r.userCertificate))) };
}

/** True when one of the lists, issued by the certificate's issuer, revokes it. */
export function isRevoked(cert: Certificate, lists: readonly RevocationList[]): boolean {
  const issuer = nameKey(cert.issuer);
  const serial = serialHex(cert.serialNumber);
  return lists.some((list) => list.issuer === issuer && list.revokedSerials.has(serial));
}
