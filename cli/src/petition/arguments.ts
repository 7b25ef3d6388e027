import { UsageError } from '../errors';

/* Parsing the petition commands' name=value options. Errors name the option and the value. */

function pairs(raw: readonly string[], option: string): [string, string][] {
  const out = raw.map((item): [string, string] => {
    const at = item.indexOf('=');
    if (at <= 0 || at === item.length - 1) {
      throw new UsageError(`${option}: '${item}' is not name=value`);
    }
    return [item.slice(0, at), item.slice(at + 1)];
  });
  const names = out.map(([n]) => n);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) {
    throw new UsageError(`${option}: ${twice} is given twice`);
  }
  return out;
}

/**
 * `--require claim=value`: the claims a credential must disclose. `true`/`false` become booleans and
 * plain integers numbers, as credential claims carry them (e.g. `age_over_16=true`).
 */
export function parseRequirements(raw: readonly string[]): Record<string, string | number | boolean> {
  return Object.fromEntries(
    pairs(raw, '--require').map(([claim, v]) => [claim, v === 'true' ? true : v === 'false' ? false : /^-?\d{1,15}$/.test(v) ? Number(v) : v]),
  );
}

/** `--attribute name=band1,band2,…`: the coarse bands a signer may attach. */
export function parseBandOptions(raw: readonly string[]): Record<string, string[]> {
  return Object.fromEntries(pairs(raw, '--attribute').map(([name, list]) => [name, list.split(',').map((b) => b.trim())]));
}

/** `--band name=value`: the bands a signer attaches. */
export function parseSignerBands(raw: readonly string[]): Record<string, string> {
  return Object.fromEntries(pairs(raw, '--band'));
}
