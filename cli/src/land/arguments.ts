import { createHash } from 'node:crypto';
import { documentHashSchema, fractionSchema, locationSchema, type Fraction, type Owner } from '@civic-ledger/chaincode/dist/land/client';
import type { z } from 'zod';
import { UsageError } from '../errors';
import { parseJson, parseWith, readInput } from '../input';

/**
 * Parse an exact share written `num/den` (or `1`), e.g. `1/3`.
 *
 * @throws UsageError naming the option when it is not a positive fraction of whole numbers
 */
export function parseShare(text: string, option: string): Fraction {
  const match = /^(\d+)(?:\/(\d+))?$/.exec(text.trim());
  const share = fractionSchema.safeParse(match ? { num: Number(match[1]), den: Number(match[2] ?? '1') } : undefined);
  if (!share.success || share.data.num <= 0 || share.data.num > share.data.den) {
    throw new UsageError(`${option}: '${text}' is not a share such as 1/3 (a fraction of whole numbers, above 0 and at most 1)`);
  }
  return share.data;
}

/**
 * Parse an owner written `DID=num/den`, e.g. `did:civic:3yq…=1/2`.
 *
 * @throws UsageError naming the option
 */
export function parseOwner(text: string, option: string): Owner {
  const at = text.lastIndexOf('=');
  if (at <= 0) {
    throw new UsageError(`${option}: '${text}' is not an owner written DID=share, such as did:civic:3yq…=1/2`);
  }
  return { did: text.slice(0, at), share: parseShare(text.slice(at + 1), option) };
}

/**
 * Parse an amount of euros, e.g. `325000` or `325000.50`, into integer cents exactly
 * (no floating point: the digits are read as text).
 *
 * @throws UsageError naming the option
 */
export function parseEuroCents(text: string, option: string): number {
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) {
    throw new UsageError(`${option}: '${text}' is not an amount in euros such as 325000 or 325000.50`);
  }
  return Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
}

/**
 * A document's SHA-256 (the hash the ledger anchors): from `--<name> <file>` or `--<name>-hash <hex>`.
 *
 * @throws UsageError when neither or both are given, the file cannot be read, or the hash is malformed
 */
export function documentHash(file: string | undefined, hash: string | undefined, name: string): string {
  if ((file === undefined) === (hash === undefined)) {
    throw new UsageError(`give exactly one of --${name} <file> or --${name}-hash <sha256>`);
  }
  if (hash !== undefined) {
    return parseWith(documentHashSchema, hash.toLowerCase(), `--${name}-hash`);
  }
  return createHash('sha256')
    .update(readInput(file ?? '', `--${name}`))
    .digest('hex');
}

/**
 * A parcel location: `lon,lat` (a GeoJSON Point) or a file holding a GeoJSON Point or
 * Polygon geometry, or a Feature whose geometry is one (RFC 7946, WGS 84 degrees).
 *
 * @throws UsageError naming the option and what is wrong
 */
export function parseLocation(text: string, option: string): z.infer<typeof locationSchema> {
  const point = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (point) {
    return parseWith(locationSchema, { type: 'Point', coordinates: [Number(point[1]), Number(point[2])] }, option);
  }
  const json = parseJson(readInput(text, option).toString('utf8'), option) as { type?: unknown; geometry?: unknown };
  return parseWith(locationSchema, json.type === 'Feature' ? json.geometry : json, option);
}

/**
 * A ledger bookmark as a user can copy it onto a command line. A peer's bookmark is a composite
 * key, which holds NUL characters: no shell or process argument can carry those, so the CLI
 * prints bookmarks as base64url and reads `--bookmark` back the same way.
 */
export function encodeBookmark(bookmark: string): string {
  return Buffer.from(bookmark, 'utf8').toString('base64url');
}

/**
 * Read a `--bookmark` that {@link encodeBookmark} printed.
 *
 * @throws UsageError naming the option when it is not such a bookmark
 */
export function decodeBookmark(text: string, option: string): string {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9_-]*$/.test(trimmed) || Buffer.from(trimmed, 'base64url').toString('base64url') !== trimmed) {
    throw new UsageError(`${option}: '${text}' is not a bookmark printed by a previous page`);
  }
  return Buffer.from(trimmed, 'base64url').toString('utf8');
}
