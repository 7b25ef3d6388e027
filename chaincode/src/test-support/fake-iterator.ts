/** A fabric-shim style iterator (`next()`, `close()`) over fixed results. */
export function fakeIterator<T>(results: T[]): { next(): Promise<{ value: T | undefined; done: boolean }>; close(): Promise<void> } {
  let i = 0;
  return {
    next: () => {
      const value = results[i];
      i += 1;
      return Promise.resolve({ value, done: value === undefined });
    },
    close: () => Promise.resolve(),
  };
}

type FakeIterator<T> = ReturnType<typeof fakeIterator<T>>;

/**
 * A query's promise made `for await`-able as fabric-shim makes it (lib/stub.js
 * `convertToAsyncIterator`): the promise resolves to the iterator, or to `{ iterator, metadata }`
 * for paginated and private data queries, and iterating it walks that iterator, closing it at the
 * end or when the loop is left early. A contract may `await` the query or `for await` over it.
 *
 * @param promise - what the query resolves to
 * @returns the same promise, with `Symbol.asyncIterator`
 */
export function shimQuery<T, R extends FakeIterator<T> | { iterator: FakeIterator<T> }>(promise: Promise<R>): Promise<R> & AsyncIterable<T> {
  const iterable = promise as Promise<R> & AsyncIterable<T>;
  iterable[Symbol.asyncIterator] = () => {
    let iterator: FakeIterator<T> | undefined;
    return {
      next: async () => {
        if (iterator === undefined) {
          const response = await promise;
          iterator = 'iterator' in response ? response.iterator : response;
        }
        const next = await iterator.next();
        if (next.done) {
          await iterator.close();
        }
        return next as IteratorResult<T>;
      },
      return: async () => {
        await iterator?.close();
        return { done: true, value: undefined };
      },
    };
  };
  return iterable;
}
