import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { registerParcelSchema, type Owner, type RegisterParcelRequest } from '@civic-ledger/chaincode/dist/land/client';
import { UsageError } from '../errors';
import { parseJson, readInput } from '../input';
import { parseOwner } from './arguments';

/** One record of an import file: where it came from and either a valid request or why it is not one. */
export type ImportRecord = { readonly source: string } & (
  { readonly request: RegisterParcelRequest; readonly error?: undefined } | { readonly request?: undefined; readonly error: string }
);

/** The CSV header an import file must have (one parcel per line; a Point location). */
export const CSV_COLUMNS = ['cadastral_id', 'area_m2', 'land_use', 'owners', 'deed_hash', 'longitude', 'latitude'] as const;

function checked(source: string, candidate: unknown): ImportRecord {
  const result = registerParcelSchema.safeParse(candidate);
  if (result.success) {
    return { source, request: result.data };
  }
  const issue = result.error.issues[0];
  return { source, error: `${(issue?.path ?? []).map(String).join('.') || 'parcel'}: ${issue?.message ?? 'invalid value'}` };
}

/** `did=1/2;did=1/2` as owners; a malformed entry becomes an error for its record. */
function owners(text: string): Owner[] {
  return text
    .split(';')
    .filter((part) => part.trim() !== '')
    .map((part) => parseOwner(part.trim(), 'owners'));
}

function numberOrText(text: string | undefined): number | string | undefined {
  return text !== undefined && /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text;
}

/**
 * Parse a CSV cadastre extract: header {@link CSV_COLUMNS}, owners as `DID=share` joined by `;`,
 * location as WGS 84 longitude and latitude (a GeoJSON Point).
 *
 * @returns one record per data line, `source` = `line N` (1-based, counting the header)
 * @throws UsageError when the text is not CSV with those columns
 */
export function parseCsv(text: string): ImportRecord[] {
  let rows: Record<string, string>[];
  try {
    rows = parse<Record<string, string>>(text, { columns: true, skip_empty_lines: true, trim: true });
  } catch (e) {
    throw new UsageError(`import file: not valid CSV (${(e as Error).message})`);
  }
  const header = rows[0] === undefined ? [] : Object.keys(rows[0]);
  const missing = CSV_COLUMNS.filter((c) => !header.includes(c));
  if (rows.length > 0 && missing.length > 0) {
    throw new UsageError(`import file: the CSV header lacks ${missing.join(', ')} (expected ${CSV_COLUMNS.join(',')})`);
  }
  return rows.map((row, i) => {
    const source = `line ${String(i + 2)}`;
    try {
      const candidate = {
        cadastralId: row.cadastral_id,
        areaM2: numberOrText(row.area_m2),
        landUse: row.land_use,
        owners: owners(row.owners ?? ''),
        deedHash: row.deed_hash,
        location: { type: 'Point', coordinates: [numberOrText(row.longitude), numberOrText(row.latitude)] },
      };
      return checked(source, candidate);
    } catch (e) {
      return { source, error: (e as Error).message };
    }
  });
}

/**
 * Parse a GeoJSON FeatureCollection (RFC 7946): one Feature per parcel, its geometry a Point or
 * Polygon, its properties `cadastralId`, `areaM2`, `landUse`, `deedHash` and `owners` (an array of
 * `{ did, share: { num, den } }`, or the CSV form `DID=share;…`).
 *
 * @returns one record per feature, `source` = `feature N` (0-based, as in the file's array)
 * @throws UsageError when the document is not a FeatureCollection
 */
export function parseGeoJson(text: string): ImportRecord[] {
  const doc = parseJson(text, 'import file') as { type?: unknown; features?: unknown };
  if (doc.type !== 'FeatureCollection' || !Array.isArray(doc.features)) {
    throw new UsageError('import file: a GeoJSON import must be a FeatureCollection with a features array');
  }
  return (doc.features as unknown[]).map((feature, i) => {
    const source = `feature ${String(i)}`;
    const f = (feature ?? {}) as { geometry?: unknown; properties?: Record<string, unknown> | null };
    const props = f.properties ?? {};
    try {
      const owned = typeof props.owners === 'string' ? owners(props.owners) : props.owners;
      return checked(source, {
        cadastralId: props.cadastralId,
        areaM2: props.areaM2,
        landUse: props.landUse,
        owners: owned,
        deedHash: props.deedHash,
        location: f.geometry,
      });
    } catch (e) {
      return { source, error: (e as Error).message };
    }
  });
}

/**
 * Read an import file, choosing the format by extension (`.csv`, `.geojson` or `.json`).
 *
 * @throws UsageError when the file cannot be read, has another extension or is malformed as a whole
 */
export function readImportFile(file: string): ImportRecord[] {
  const ext = extname(file).toLowerCase();
  const text = readInput(file, 'import file').toString('utf8');
  if (ext === '.csv') {
    return parseCsv(text);
  }
  if (ext === '.geojson' || ext === '.json') {
    return parseGeoJson(text);
  }
  throw new UsageError(`import file: ${file} must end in .csv, .geojson or .json`);
}
