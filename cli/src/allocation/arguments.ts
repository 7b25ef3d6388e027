import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { UsageError } from '../errors';
import { parseJson, parseWith, readInput } from '../input';

const sitesSchema = z.array(z.object({ id: z.string(), category: z.string() }).strict()).min(1);

/**
 * The sites of a round from a file: a JSON array `[{ id, category }]`, or CSV with header `id,category`.
 *
 * @throws UsageError naming the file and what is wrong
 */
export function readSites(file: string): z.infer<typeof sitesSchema> {
  const text = readInput(file, '--sites').toString('utf8');
  if (extname(file).toLowerCase() === '.csv') {
    try {
      return parseWith(sitesSchema, parse<Record<string, string>>(text, { columns: true, skip_empty_lines: true, trim: true }), `--sites ${file}`);
    } catch (e) {
      throw e instanceof UsageError ? e : new UsageError(`--sites ${file}: not valid CSV (${(e as Error).message})`);
    }
  }
  return parseWith(sitesSchema, parseJson(text, `--sites ${file}`), `--sites ${file}`);
}

/**
 * Quotas written `category=n`, e.g. `food=10`.
 *
 * @throws UsageError naming the malformed entry
 */
export function parseQuotas(entries: readonly string[]): Record<string, number> {
  const quotas: Record<string, number> = {};
  for (const entry of entries) {
    const match = /^([a-z][a-z0-9-]*)=(\d+)$/.exec(entry);
    if (!match?.[1] || match[2] === undefined) {
      throw new UsageError(`--quota: '${entry}' is not written category=n, such as food=10`);
    }
    quotas[match[1]] = Number(match[2]);
  }
  return quotas;
}

/**
 * A fresh secret seed (256 bits, base64url) written to a new owner-only file; it is revealed
 * only at close, so nobody can compute the draw order before the applications are in.
 *
 * @throws UsageError when the file exists (a seed is never overwritten)
 */
export async function newSeedFile(file: string): Promise<string> {
  const seed = randomBytes(32).toString('base64url');
  try {
    await writeFile(file, `${seed}\n`, { flag: 'wx', mode: 0o600 });
  } catch (e) {
    throw new UsageError(`--seed-out: cannot create ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)} (an existing seed file is never overwritten)`);
  }
  return seed;
}

/** Read a seed file written by {@link newSeedFile}. @throws UsageError */
export function readSeed(file: string): string {
  return readInput(file, '--seed-file').toString('utf8').trim();
}
