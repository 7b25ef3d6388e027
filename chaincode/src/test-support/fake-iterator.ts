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
