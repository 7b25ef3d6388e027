import { createHash } from 'node:crypto';
import { fakeIterator } from './fake-iterator';

/** A private data collection's membership and access flags, as in collections_config.json. */
export interface FakeCollection {
  readonly members: readonly string[];
  readonly memberOnlyRead: boolean;
  readonly memberOnlyWrite: boolean;
}

/**
 * Private data collections for the unit-test ledger fake, with Fabric's rules: a client of a
 * non-member org is refused reads (`memberOnlyRead`) and writes (`memberOnlyWrite`); a peer of a
 * non-member org holds no private data, only hashes (`getPrivateDataHash` works everywhere);
 * reads see committed data only; writes land when the transaction does.
 */
export class FakePrivateData {
  readonly collections: Readonly<Record<string, FakeCollection>>;
  /** Committed private data: collection → key → value. */
  readonly state = new Map<string, Map<string, Buffer>>();

  constructor(collections: Readonly<Record<string, FakeCollection>>) {
    this.collections = collections;
  }

  /** Stub methods for one transaction by `clientMsp` executing on a peer of `peerMsp`; `commit` applies its writes. */
  forTransaction(clientMsp: string, peerMsp: string): { stub: Record<string, unknown>; commit: () => void } {
    const writes: { collection: string; key: string; value: Buffer | null }[] = [];
    const config = (name: string): FakeCollection => {
      const c = this.collections[name];
      if (c === undefined) {
        throw new Error(`collection ${name} could not be found`);
      }
      return c;
    };
    const readable = (name: string): Map<string, Buffer> => {
      const c = config(name);
      if (c.memberOnlyRead && !c.members.includes(clientMsp)) {
        throw new Error(`tx from ${clientMsp} does not have read access to collection ${name}`);
      }
      return c.members.includes(peerMsp) ? (this.state.get(name) ?? new Map<string, Buffer>()) : new Map<string, Buffer>();
    };
    const write = (name: string, key: string, value: Buffer | null): Promise<void> => {
      const c = config(name);
      if (c.memberOnlyWrite && !c.members.includes(clientMsp)) {
        return Promise.reject(new Error(`tx from ${clientMsp} does not have write access to collection ${name}`));
      }
      writes.push({ collection: name, key, value });
      return Promise.resolve();
    };
    const stub = {
      getPrivateData: (name: string, key: string): Promise<Uint8Array> => Promise.resolve(readable(name).get(key) ?? Buffer.alloc(0)),
      getPrivateDataHash: (name: string, key: string): Promise<Uint8Array> => {
        config(name);
        const value = this.state.get(name)?.get(key);
        return Promise.resolve(value === undefined ? Buffer.alloc(0) : createHash('sha256').update(value).digest());
      },
      putPrivateData: (name: string, key: string, value: Uint8Array) => write(name, key, Buffer.from(value)),
      deletePrivateData: (name: string, key: string) => write(name, key, null),
      purgePrivateData: (name: string, key: string) => write(name, key, null),
      getPrivateDataByPartialCompositeKey: (name: string, type: string, attrs: string[]) => {
        const prefix = `\u0000${[type, ...attrs].join('\u0000')}\u0000`;
        const data = readable(name);
        const keys = [...data.keys()].filter((k) => k.startsWith(prefix)).sort();
        // As fabric-shim 2.5 does on a live peer: the iterator wrapped in `{ iterator }`, despite its typings.
        return Promise.resolve({ iterator: fakeIterator(keys.map((key) => ({ key, value: data.get(key) ?? Buffer.alloc(0) }))) });
      },
    };
    const commit = (): void => {
      for (const w of writes) {
        const data = this.state.get(w.collection) ?? new Map<string, Buffer>();
        if (w.value === null) {
          data.delete(w.key);
        } else {
          data.set(w.key, w.value);
        }
        this.state.set(w.collection, data);
      }
    };
    return { stub, commit };
  }
}
