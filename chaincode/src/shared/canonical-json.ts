import canonicalize from 'canonicalize';

/**
 * Serialise a JSON value canonically (RFC 8785, JSON Canonicalization Scheme):
 * sorted keys, no insignificant whitespace, ECMAScript number formatting. Every
 * endorser therefore writes identical bytes, and signatures over payloads are
 * reproducible by any client.
 *
 * @param value - a JSON-compatible value (no `undefined`, functions or cycles)
 * @returns the canonical UTF-8 bytes
 * @throws Error when the value cannot be represented as JSON
 */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalString(value), 'utf8');
}

/**
 * The RFC 8785 canonical JSON text of a value.
 *
 * @param value - a JSON-compatible value
 * @returns the canonical JSON string
 * @throws Error when the value cannot be represented as JSON
 */
export function canonicalString(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) {
    throw new Error('value cannot be represented as canonical JSON');
  }
  return text;
}
