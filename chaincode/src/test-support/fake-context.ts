import type { Context } from 'fabric-contract-api';
import { fakeIterator } from './fake-iterator';
import { FakePrivateData, type FakeCollection } from './fake-private-data';

/**
 * A hand-written typed fake of the parts of the Fabric transaction context the
 * contracts use, for unit tests of chaincode logic only (integration tests use a
 * live network). World state is a sorted map that survives across transactions;
 * each `tx()` starts a new transaction whose writes land only if it resolves, as
 * on a peer when a transaction is endorsed, ordered and validated. As on a peer,
 * reads see committed state only, never the transaction's own pending writes.
 */
export class FakeLedger {
  readonly state = new Map<string, Buffer>();
  readonly events: { name: string; payload: unknown }[] = [];
  /** Every committed write per key, oldest first (what the peer's history database keeps). */
  readonly history = new Map<string, { txId: string; seconds: number; value: Buffer | null }[]>();
  /** Private data collections (none unless given). */
  readonly privateData: FakePrivateData;
  #txCounter = 0;

  constructor(collections: Readonly<Record<string, FakeCollection>> = {}) {
    this.privateData = new FakePrivateData(collections);
  }

  /**
   * Run a transaction body against the ledger.
   *
   * @param identity - the caller's MSP ID and `civic.role` attribute
   * @param body - the contract call
   * @param seconds - transaction timestamp in seconds since the epoch
   * @param options - transient data (values as strings) and the MSP ID of the peer that executes it (default: the caller's org)
   * @returns what the body returned; on a throw nothing is written
   */
  async tx<T>(identity: FakeIdentity, body: (ctx: Context) => Promise<T>, seconds = 1_790_000_000, options: FakeTxOptions = {}): Promise<T> {
    this.#txCounter += 1;
    const writes = new Map<string, Buffer | null>();
    let event: { name: string; payload: unknown } | undefined;
    const txId = `tx${String(this.#txCounter).padStart(4, '0')}`;
    const privateData = this.privateData.forTransaction(identity.mspId, options.peerMspId ?? identity.mspId);
    const transient = new Map(Object.entries(options.transient ?? {}).map(([k, v]) => [k, Buffer.from(v, 'utf8')]));
    const stub = {
      ...privateData.stub,
      getTransient: () => transient,
      getMspID: () => options.peerMspId ?? identity.mspId,
      getState: (key: string): Promise<Uint8Array> => Promise.resolve(this.state.get(key) ?? Buffer.alloc(0)),
      deleteState: (key: string): Promise<void> => {
        writes.set(key, null);
        return Promise.resolve();
      },
      putState: (key: string, value: Uint8Array): Promise<void> => {
        writes.set(key, Buffer.from(value));
        return Promise.resolve();
      },
      createCompositeKey: (type: string, attrs: string[]): string => `\u0000${[type, ...attrs].join('\u0000')}\u0000`,
      getTxTimestamp: () => ({ seconds: { toString: () => String(seconds) }, nanos: 0 }),
      getTxID: () => txId,
      getChannelID: () => 'civic',
      splitCompositeKey: (key: string) => {
        const [objectType = '', ...attributes] = key.split('\u0000').slice(1, -1);
        return { objectType, attributes };
      },
      getStateByPartialCompositeKeyWithPagination: (type: string, attrs: string[], pageSize: number, bookmark = '') => {
        const prefix = `\u0000${[type, ...attrs].join('\u0000')}\u0000`;
        const keys = [...this.state.keys()].filter((k) => k.startsWith(prefix) && k >= bookmark).sort();
        const page = keys.slice(0, pageSize);
        const results = page.map((key) => ({ namespace: 'civic', key, value: this.state.get(key) ?? Buffer.alloc(0) }));
        return Promise.resolve({ iterator: fakeIterator(results), metadata: { fetchedRecordsCount: page.length, bookmark: keys[pageSize] ?? '' } });
      },
      getStateByPartialCompositeKey: (type: string, attrs: string[]) => {
        const prefix = `\u0000${[type, ...attrs].join('\u0000')}\u0000`;
        const keys = [...this.state.keys()].filter((k) => k.startsWith(prefix)).sort();
        return Promise.resolve(fakeIterator(keys.map((key) => ({ namespace: 'civic', key, value: this.state.get(key) ?? Buffer.alloc(0) }))));
      },
      getHistoryForKey: (key: string) =>
        Promise.resolve(
          fakeIterator(
            (this.history.get(key) ?? []).map((h) => ({ txId: h.txId, isDelete: h.value === null, value: h.value ?? Buffer.alloc(0), timestamp: { seconds: { toString: () => String(h.seconds) }, nanos: 0 } })),
          ),
        ),
      setEvent: (name: string, payload: Uint8Array): void => {
        event = { name, payload: JSON.parse(Buffer.from(payload).toString('utf8')) as unknown };
      },
    };
    const clientIdentity = {
      getMSPID: () => identity.mspId,
      getID: () => `x509::/OU=client/CN=${identity.name ?? identity.role ?? 'user'}::/CN=ca.${identity.mspId.toLowerCase()}`,
      getAttributeValue: (name: string): string | null => (name === 'civic.role' ? (identity.role ?? null) : null),
    };
    const result = await body({ stub, clientIdentity } as unknown as Context);
    privateData.commit();
    for (const [key, value] of writes) {
      this.history.set(key, [...(this.history.get(key) ?? []), { txId, seconds, value }]);
      if (value === null) {
        this.state.delete(key);
      } else {
        this.state.set(key, value);
      }
    }
    if (event !== undefined) {
      this.events.push(event);
    }
    return result;
  }

  /** A copy of world state and private data as strings, to assert that a refusal changed nothing. */
  snapshot(): Map<string, string> {
    const privateEntries = [...this.privateData.state].flatMap(([collection, data]) => [...data].map(([k, v]): [string, string] => [`${collection}::${k}`, v.toString('utf8')]));
    return new Map([...[...this.state].map(([k, v]): [string, string] => [k, v.toString('utf8')]), ...privateEntries]);
  }
}

/** Per-transaction options of the fake: transient data and the executing peer's org. */
export interface FakeTxOptions {
  readonly transient?: Readonly<Record<string, string>>;
  readonly peerMspId?: string;
}

/** The submitting identity of a fake transaction. */
export interface FakeIdentity {
  readonly mspId: string;
  readonly role?: string;
  /** The certificate's common name (the enrollment ID); defaults to the role. */
  readonly name?: string;
}
