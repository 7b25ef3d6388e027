import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeBookmark, documentHash, encodeBookmark, parseEuroCents, parseLocation, parseOwner, parseShare } from './arguments';

const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-land-args-'));

describe('land command-line arguments', () => {
  it('reads shares as exact fractions and refuses anything else by name', () => {
    expect(parseShare('1/3', '--share')).toEqual({ num: 1, den: 3 });
    expect(parseShare('1', '--share')).toEqual({ num: 1, den: 1 });
    for (const bad of ['0', '0/4', '3/2', '0.5', '-1/2', '1/0', 'half']) {
      expect(() => parseShare(bad, '--share')).toThrow(/^--share: '.*' is not a share such as 1\/3/);
    }
  });

  it('reads owners as DID=share', () => {
    expect(parseOwner('did:civic:abc=2/5', '--owner')).toEqual({ did: 'did:civic:abc', share: { num: 2, den: 5 } });
    expect(() => parseOwner('did:civic:abc', '--owner')).toThrow(/^--owner: 'did:civic:abc' is not an owner written DID=share/);
  });

  it('reads euros into integer cents from the digits, never through floating point', () => {
    expect(parseEuroCents('325000', '--price')).toBe(32_500_000);
    expect(parseEuroCents('0.5', '--price')).toBe(50);
    expect(parseEuroCents('1.05', '--price')).toBe(105);
    expect(parseEuroCents('0.29', '--price')).toBe(29); // 0.29 * 100 = 28.999999999999996 in floating point
    for (const bad of ['1.234', '-5', '1e6', '€5', '']) {
      expect(() => parseEuroCents(bad, '--price')).toThrow(/^--price: '.*' is not an amount in euros/);
    }
  });

  it('hashes a document file, or takes a given hash, but not both or neither', () => {
    const deed = path.join(dir, 'deed.txt');
    writeFileSync(deed, 'abc');
    // SHA-256("abc"), FIPS 180-2 appendix B.1
    expect(documentHash(deed, undefined, 'deed')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(documentHash(undefined, 'AB'.repeat(32), 'deed')).toBe('ab'.repeat(32));
    expect(() => documentHash(undefined, undefined, 'deed')).toThrow('give exactly one of --deed <file> or --deed-hash <sha256>');
    expect(() => documentHash(deed, 'ab'.repeat(32), 'deed')).toThrow('give exactly one of');
    expect(() => documentHash(undefined, 'abc', 'deed')).toThrow(/^--deed-hash: must be a SHA-256 hash/);
    expect(() => documentHash(path.join(dir, 'missing.pdf'), undefined, 'deed')).toThrow(/^--deed: cannot read .*missing\.pdf: ENOENT$/);
  });

  it('reads a location as lon,lat or a GeoJSON geometry or Feature file', () => {
    expect(parseLocation('4.9,52.37', '--location')).toEqual({ type: 'Point', coordinates: [4.9, 52.37] });
    const polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [4.9, 52.3],
          [4.91, 52.3],
          [4.91, 52.31],
          [4.9, 52.3],
        ],
      ],
    };
    const file = path.join(dir, 'parcel.geojson');
    writeFileSync(file, JSON.stringify({ type: 'Feature', geometry: polygon, properties: {} }));
    expect(parseLocation(file, '--location')).toEqual(polygon);
    expect(() => parseLocation('200,52', '--location')).toThrow(/^--location: coordinates\.0: /);
    writeFileSync(file, '{ not json');
    expect(() => parseLocation(file, '--location')).toThrow(/^--location: not valid JSON/);
  });

  it('prints ledger bookmarks (composite keys, with NUL characters) in a form a command line can carry back', () => {
    const raw = '\u0000civic.land.owner\u0000did:civic:abc\u0000AM-K-12\u0000';
    const printed = encodeBookmark(raw);
    expect(printed).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeBookmark(printed, '--bookmark')).toBe(raw);
    expect(encodeBookmark('')).toBe('');
    for (const bad of ['civic.land.owner did:civic:abc', 'a+b/c=', 'AB']) {
      expect(() => decodeBookmark(bad, '--bookmark')).toThrow(/^--bookmark: '.*' is not a bookmark printed by a previous page$/);
    }
  });
});
