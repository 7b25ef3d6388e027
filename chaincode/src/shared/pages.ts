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
  return { records, bookmark: metadata.bookmark };
}
