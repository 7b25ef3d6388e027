import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/**
 * X.509 enrolment certificates for the unit-test fakes, shaped as a Fabric CA issues them: an
 * ECDSA P-256 certificate whose subject is `OU=client, CN=<enrollment ID>`, carrying the
 * identity's attributes as JSON `{"attrs":{…}}` in the extension 1.2.3.4.5.6.7.8.1 (Fabric CA
 * adds `hf.EnrollmentID`, `hf.Type` and `hf.Affiliation` by default, and every attribute
 * registered with `ecert=true`, such as `civic.role`). fabric-shim's `ClientIdentity` reads the
 * ID and the attributes from that certificate; the fakes hand it these, so `ctx.clientIdentity`
 * is fabric-shim's own code reading a real certificate. Node has no API to create certificates,
 * so the DER is written here.
 */

/** The Fabric CA attribute extension (fabric-shim `FABRIC_CERT_ATTR_OID`). */
export const FABRIC_CERT_ATTR_OID = '1.2.3.4.5.6.7.8.1';

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  if (n < 0x80) {
    return Buffer.concat([Buffer.from([tag, n]), content]);
  }
  const len: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) {
    len.unshift(rest % 256);
  }
  return Buffer.concat([Buffer.from([tag, 0x80 | len.length, ...len]), content]);
}

const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const integer = (n: number): Buffer => tlv(0x02, Buffer.from([n & 0x7f]));
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const utcTime = (d: Date): Buffer => tlv(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`, 'ascii'));
const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 + n, inner);

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) {
      chunk.unshift(0x80 | (v & 0x7f));
    }
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

const ECDSA_WITH_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const OU = '2.5.4.11';
const CN = '2.5.4.3';
const name = (...rdns: [string, string][]): Buffer => seq(...rdns.map(([type, value]) => set(seq(oid(type), utf8(value)))));

/** One CA key per process, lazily (each org's CA signs with it; nothing verifies the signature). */
let caKey: KeyObject | undefined;
let serial = 0;
const issued = new Map<string, string>();

/**
 * A PEM enrolment certificate for `enrollmentId` of the CA `ca.<msp in lower case>`, with the
 * given extra attributes (for example `{ 'civic.role': 'clerk' }`). Cached per identity.
 */
export function enrolmentCertificate(mspId: string, enrollmentId: string, attrs: Readonly<Record<string, string>>): string {
  const cacheKey = JSON.stringify([mspId, enrollmentId, attrs]);
  const cached = issued.get(cacheKey);
  if (cached !== undefined) {
    return cached;
  }
  caKey ??= generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  serial = (serial % 100) + 1;
  const subjectKey = createPublicKey(caKey).export({ format: 'der', type: 'spki' });
  const attributes = { 'hf.Affiliation': '', 'hf.EnrollmentID': enrollmentId, 'hf.Type': 'client', ...attrs };
  const tbs = seq(
    explicit(0, integer(2)),
    integer(serial),
    ECDSA_WITH_SHA256,
    name([CN, `ca.${mspId.toLowerCase()}`]),
    seq(utcTime(new Date('2026-01-01T00:00:00Z')), utcTime(new Date('2036-01-01T00:00:00Z'))),
    name([OU, 'client'], [CN, enrollmentId]),
    subjectKey,
    explicit(3, seq(seq(oid(FABRIC_CERT_ATTR_OID), tlv(0x04, Buffer.from(JSON.stringify({ attrs: attributes }), 'utf8'))))),
  );
  const signature = sign('sha256', tbs, caKey);
  const der = seq(tbs, ECDSA_WITH_SHA256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const pem = `-----BEGIN CERTIFICATE-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;
  issued.set(cacheKey, pem);
  return pem;
}
