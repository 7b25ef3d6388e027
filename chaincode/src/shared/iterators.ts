/** The iterator shape fabric-shim returns for range, partial-key and history queries. */
interface ShimIterator<T> {
  next(): Promise<{ value?: T; done?: boolean }>;
  close(): Promise<void>;
}

/**
 * The iterator itself from what a fabric-shim query resolved to. fabric-shim 2.5's
 * `getPrivateDataByRange` and `getPrivateDataByPartialCompositeKey` resolve to
 * `{ iterator, metadata? }`, not to the iterator their typings promise (their `getStateBy…`
 * counterparts unwrap it); calling `next()` on the wrapper fails on a live peer with
 * "iterator.next is not a function".
 *
 * @param result - what the query's promise resolved to
 */
export function unwrapIterator<T>(result: ShimIterator<T> | { iterator: ShimIterator<T> }): ShimIterator<T> {
  return 'iterator' in result ? result.iterator : result;
}

/**
 * Drain a fabric-shim iterator into an array (in the order the peer returns it,
 * which is key byte order for range queries and newest first for history), closing it.
 *
 * @param iterator - the iterator from `getStateBy…` or `getHistoryForKey`
 * @param limit - stop after this many results
 */
export async function collect<T>(iterator: ShimIterator<T>, limit = Number.MAX_SAFE_INTEGER): Promise<T[]> {
  const out: T[] = [];
  try {
    while (out.length < limit) {
      const { value, done } = await iterator.next();
      if (value !== undefined) {
        out.push(value);
      }
      if (done === true) {
        break;
      }
    }
  } finally {
    await iterator.close();
  }
  return out;
}
