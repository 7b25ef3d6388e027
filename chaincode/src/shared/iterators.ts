/** The iterator shape fabric-shim returns for range, partial-key and history queries. */
interface ShimIterator<T> {
  next(): Promise<{ value?: T; done?: boolean }>;
  close(): Promise<void>;
}

/**
 * Drain a fabric-shim iterator into an array (in the order the peer returns it,
 * which is key order for range queries and commit order for history), closing it.
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
