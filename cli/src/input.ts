import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { UsageError } from './errors';

/* Reading and checking what the user hands the CLI: files, JSON, schemas. Errors name the option. */

/** Read a file given on the command line. @throws UsageError naming the option and the file */
export function readInput(file: string, option: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UsageError(`${option}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** Parse JSON text. @throws UsageError naming where it came from */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${where}: not valid JSON (${(e as Error).message})`);
  }
}

/** Validate with a schema. @throws UsageError naming the option and the first problem */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, option: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = (issue?.path ?? []).map(String).join('.');
    throw new UsageError(`${option}: ${path === '' ? '' : `${path}: `}${issue?.message ?? 'invalid value'}`);
  }
  return result.data;
}
