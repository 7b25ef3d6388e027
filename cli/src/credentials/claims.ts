import { UsageError } from '../errors';

/** A registered credential schema, as `identity:GetCredentialSchema` returns it. */
export interface SchemaClaims {
  readonly type: string;
  readonly version: number;
  readonly claims: readonly { readonly name: string; readonly type: 'string' | 'boolean' | 'integer' | 'date' }[];
}

const PARSERS: Record<SchemaClaims['claims'][number]['type'], (raw: string) => string | number | boolean | undefined> = {
  string: (raw) => raw,
  boolean: (raw) => (raw === 'true' ? true : raw === 'false' ? false : undefined),
  integer: (raw) => (/^-?\d+$/.test(raw) ? Number(raw) : undefined),
  date: (raw) => (/^\d{4}-\d{2}-\d{2}$/.test(raw) && !Number.isNaN(Date.parse(raw)) ? raw : undefined),
};

/**
 * Parse `--claim name=value` options against the credential schema registered on the ledger.
 *
 * @param raw - `name=value` strings
 * @param schema - the registered schema
 * @returns typed claims (booleans, integers, ISO 8601 dates as strings)
 * @throws UsageError naming an unknown claim, a malformed option or a value of the wrong type
 */
export function parseClaims(raw: readonly string[], schema: SchemaClaims): Record<string, string | number | boolean> {
  const claims: Record<string, string | number | boolean> = {};
  for (const option of raw) {
    const eq = option.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(`--claim '${option}' must be name=value`);
    }
    const name = option.slice(0, eq);
    const spec = schema.claims.find((c) => c.name === name);
    if (spec === undefined) {
      throw new UsageError(`${schema.type} v${schema.version} has no claim '${name}' (claims: ${schema.claims.map((c) => c.name).join(', ')})`);
    }
    const value = PARSERS[spec.type](option.slice(eq + 1));
    if (value === undefined) {
      throw new UsageError(`--claim ${name} must be ${spec.type === 'integer' ? 'an' : 'a'} ${spec.type}${spec.type === 'date' ? ' (YYYY-MM-DD)' : ''}`);
    }
    claims[name] = value;
  }
  return claims;
}
