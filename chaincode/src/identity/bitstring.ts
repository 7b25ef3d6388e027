import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * W3C Bitstring Status List v1.0 bitstrings: bit i is the i-th bit from the left
 * (byte i>>3, mask 0x80>>(i&7)); `encodedList` is Multibase base64url (prefix `u`)
 * of the GZIP-compressed bitstring. Shared by the chaincode and verifiers.
 */

/** Entries per status list (the W3C minimum, 16 KiB), so one index hides among many. */
export const STATUS_LIST_SIZE = 131_072;

/** Read bit `index` of a bitstring. */
export function getBit(bits: Uint8Array, index: number): boolean {
  return ((bits[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0;
}

/** A copy of `bits` with bit `index` set to `value`. */
export function withBit(bits: Uint8Array, index: number, value: boolean): Uint8Array {
  const copy = Uint8Array.from(bits);
  const mask = 0x80 >> (index & 7);
  copy[index >> 3] = value ? (copy[index >> 3] ?? 0) | mask : (copy[index >> 3] ?? 0) & ~mask;
  return copy;
}

/** W3C `encodedList`: Multibase base64url (prefix `u`) of the GZIP-compressed bitstring. */
export function encodeList(bits: Uint8Array): string {
  return `u${gzipSync(bits).toString('base64url')}`;
}

/** Decode a W3C `encodedList`. @throws Error when it is not multibase base64url GZIP */
export function decodeList(encoded: string): Uint8Array {
  if (!encoded.startsWith('u')) {
    throw new Error('encodedList must be multibase base64url (prefix u)');
  }
  return new Uint8Array(gunzipSync(Buffer.from(encoded.slice(1), 'base64url')));
}
