import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
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
  if (path.extname(file).toLowerCase() === '.csv') {
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

/** Where an org keeps its secret share of a round until it reveals it: `<org wallet>/allocation-shares/<round>.share`. */
export function defaultShareFile(walletDir: string, roundId: string): string {
  return path.join(walletDir, 'allocation-shares', `${roundId}.share`);
}

/**
 * The org's secret share of a round: read from `file` when it exists (so a commit that failed
 * can be retried with the same share), otherwise 256 fresh random bits (base64url) written to a
 * new owner-only file in an owner-only folder. A share file is never overwritten.
 *
 * @returns the share, and whether it was made now
 * @throws UsageError when the file cannot be read or created, or does not hold a share
 */
export async function shareForCommit(file: string): Promise<{ share: string; created: boolean }> {
  if (existsSync(file)) {
    return { share: readShare(file), created: false };
  }
  const share = randomBytes(32).toString('base64url');
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, `${share}\n`, { flag: 'wx', mode: 0o600 });
  } catch (e) {
    throw new UsageError(
      `--share-file: cannot create ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)} (an existing share file is never overwritten)`,
    );
  }
  return { share, created: true };
}

/** Read a share file written by {@link shareForCommit}. @throws UsageError when it is missing or holds no share */
export function readShare(file: string): string {
  const share = readInput(file, '--share-file').toString('utf8').trim();
  if (!/^[A-Za-z0-9_-]{16,256}$/.test(share)) {
    throw new UsageError(`--share-file ${file}: does not hold a share (16-256 base64url characters)`);
  }
  return share;
}
