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

/** Set bits per byte value, so that counting a whole list is one lookup per byte. */
const BITS_IN_BYTE = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let v = b; v !== 0; v &= v - 1) {
    n += 1;
  }
  return n;
});

/** How many bits of `bits` are set. */
export function countSet(bits: Uint8Array): number {
  let n = 0;
  for (const byte of bits) {
    n += BITS_IN_BYTE[byte] ?? 0;
  }
  return n;
}

/** The message for an issuer whose every status index is allocated. */
export function statusListFullMessage(issuer: string): string {
  return `the status list of ${issuer} is full: all ${STATUS_LIST_SIZE} indexes are allocated`;
}

/** Random probes before {@link pickUnusedIndex} falls back to counting the free indexes. */
const PROBES = 32;

/**
 * Pick an unallocated index of a {@link STATUS_LIST_SIZE}-bit allocation bitmap (bit set =
 * allocated), uniformly at random among the unallocated ones, so that an index's value says
 * nothing about to whom it was issued (its reservation on the ledger shows when). A few random probes first; when they all hit allocated
 * indexes, the free ones are counted and the `r`-th free one is taken. Pure: all randomness
 * comes from `randomBelow` (the CLI passes `crypto.randomInt`; the chaincode never calls this).
 *
 * @param allocated - the issuer's allocation bitmap, {@link STATUS_LIST_SIZE} / 8 bytes
 * @param randomBelow - a uniform random integer in [0, n) for a given n ≥ 1
 * @param issuer - the issuer DID, for the error message
 * @returns an index in [0, {@link STATUS_LIST_SIZE}) whose bit is clear
 * @throws Error with {@link statusListFullMessage} when every index is allocated
 */
export function pickUnusedIndex(allocated: Uint8Array, randomBelow: (n: number) => number, issuer: string): number {
  for (let probe = 0; probe < PROBES; probe++) {
    const index = randomBelow(STATUS_LIST_SIZE);
    if (!getBit(allocated, index)) {
      return index;
    }
  }
  const free = STATUS_LIST_SIZE - countSet(allocated);
  if (free <= 0) {
    throw new Error(statusListFullMessage(issuer));
  }
  let skip = randomBelow(free);
  for (let byte = 0; byte < STATUS_LIST_SIZE / 8; byte++) {
    const clear = 8 - (BITS_IN_BYTE[allocated[byte] ?? 0xff] ?? 8);
    if (skip >= clear) {
      skip -= clear;
      continue;
    }
    for (let index = byte * 8; ; index++) {
      if (!getBit(allocated, index) && skip-- === 0) {
        return index;
      }
    }
  }
  throw new Error(statusListFullMessage(issuer));
}
