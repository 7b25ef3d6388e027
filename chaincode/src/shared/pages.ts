import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { collect } from './iterators';
import { validate } from './validation';

/** One page of records and the bookmark of the next (empty when there is none). */
export interface Page<T> {
  readonly records: T[];
  readonly bookmark: string;
}

/**
 * Read one page of the records under a partial composite key, for query transactions only
 * (Fabric refuses paginated range queries in transactions that write).
 *
 * @param pageSize - records per page as the transaction argument, 1 to 1000
 * @param bookmark - the previous page's bookmark, or empty for the first page
 * @throws ChaincodeError `INVALID_ARGUMENT` for a page size outside 1–1000
 */
export async function readPage<S extends z.ZodType>(
  ctx: Context,
  objectType: string,
  attributes: string[],
  pageSize: string,
  bookmark: string,
  schema: S,
): Promise<Page<z.infer<S>>> {
  const size = validate(z.coerce.number().int().min(1).max(1000), pageSize, 'pageSize');
  const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(objectType, attributes, size, bookmark);
  const records = (await collect(iterator)).map((kv) => schema.parse(JSON.parse(Buffer.from(kv.value).toString('utf8'))));
  return { records, bookmark: nextBookmark(metadata) };
}

/**
 * The bookmark of the next page from a paginated query's metadata. A peer sends no metadata
 * at all for a page without results (nothing under the key, or a bookmark past the end),
 * although fabric-shim's typings promise it; that page has no next one.
 *
 * @param metadata - the query's `metadata`, as the peer sent it
 * @returns the bookmark, or empty when there is no next page
 */
export function nextBookmark(metadata: { bookmark: string } | undefined): string {
  return metadata?.bookmark ?? '';
}
