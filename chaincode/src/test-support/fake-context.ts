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
  /** The version of each key: the sequence number of its last committed write (absent: 0). */
  readonly #versions = new Map<string, number>();
  #writeSeq = 0;

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
    const endorsed = await this.#endorse(identity, body, seconds, options);
    if ('error' in endorsed) {
      throw endorsed.error;
    }
    this.#commit(endorsed);
    return endorsed.result;
  }

  /**
   * Endorse several transactions against the same committed state, as peers do for the
   * proposals of one block, then validate and commit them in order with Fabric's MVCC rules:
   * a transaction is invalid (`MVCC_READ_CONFLICT`) when a key it read was written by an
   * earlier valid transaction of the block, or (`PHANTOM_READ_CONFLICT`) when a range it
   * read has changed. Private data reads are not versioned here.
   *
   * @param proposals - the transactions, in the order the orderer puts them in the block
   * @returns one outcome per proposal: `VALID` with the result, the conflict, or the endorsement error
   */
  async block<T>(proposals: readonly FakeProposal<T>[]): Promise<BlockOutcome<T>[]> {
    const endorsed = await Promise.all(proposals.map((p) => this.#endorse(p.identity, p.body, p.seconds ?? 1_790_000_000, p.options ?? {})));
    return endorsed.map((e): BlockOutcome<T> => {
      if ('error' in e) {
        return { status: 'ENDORSEMENT_FAILURE', error: e.error };
      }
      if ([...e.reads].some(([key, version]) => this.#version(key) !== version)) {
        return { status: 'MVCC_READ_CONFLICT', txId: e.txId };
      }
      if (e.ranges.some((r) => JSON.stringify(this.#rangeVersions(r.prefix)) !== JSON.stringify(r.seen))) {
        return { status: 'PHANTOM_READ_CONFLICT', txId: e.txId };
      }
      this.#commit(e);
      return { status: 'VALID', txId: e.txId, result: e.result };
    });
  }

  #version(key: string): number {
    return this.#versions.get(key) ?? 0;
  }

  #rangeVersions(prefix: string): [string, number][] {
    return [...this.state.keys()]
      .filter((k) => k.startsWith(prefix))
      .sort()
      .map((k) => [k, this.#version(k)]);
  }

  async #endorse<T>(
    identity: FakeIdentity,
    body: (ctx: Context) => Promise<T>,
    seconds: number,
    options: FakeTxOptions,
  ): Promise<Endorsed<T> | { error: unknown }> {
    this.#txCounter += 1;
    const writes = new Map<string, Buffer | null>();
    const reads = new Map<string, number>();
    const ranges: { prefix: string; seen: [string, number][] }[] = [];
    let event: { name: string; payload: unknown } | undefined;
    const txId = `tx${String(this.#txCounter).padStart(4, '0')}`;
    const privateData = this.privateData.forTransaction(identity.mspId, options.peerMspId ?? identity.mspId);
    const transient = new Map(Object.entries(options.transient ?? {}).map(([k, v]) => [k, Buffer.from(v, 'utf8')]));
    const rangeOf = (type: string, attrs: string[]): string[] => {
      const prefix = `\u0000${[type, ...attrs].join('\u0000')}\u0000`;
      const seen = this.#rangeVersions(prefix);
      ranges.push({ prefix, seen });
      return seen.map(([k]) => k);
    };
    const stub = {
      ...privateData.stub,
      getTransient: () => transient,
      getMspID: () => options.peerMspId ?? identity.mspId,
      getState: (key: string): Promise<Uint8Array> => {
        reads.set(key, this.#version(key));
        return Promise.resolve(this.state.get(key) ?? Buffer.alloc(0));
      },
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
        const keys = rangeOf(type, attrs).filter((k) => k >= bookmark);
        const page = keys.slice(0, pageSize);
        const results = page.map((key) => ({ namespace: 'civic', key, value: this.state.get(key) ?? Buffer.alloc(0) }));
        // As on a peer: a page without results comes with no metadata at all.
        const metadata = page.length === 0 ? undefined : { fetchedRecordsCount: page.length, bookmark: keys[pageSize] ?? '' };
        return Promise.resolve({ iterator: fakeIterator(results), metadata });
      },
      getStateByPartialCompositeKey: (type: string, attrs: string[]) =>
        Promise.resolve(fakeIterator(rangeOf(type, attrs).map((key) => ({ namespace: 'civic', key, value: this.state.get(key) ?? Buffer.alloc(0) })))),
      getHistoryForKey: (key: string) =>
        Promise.resolve(
          fakeIterator(
            (this.history.get(key) ?? []).map((h) => ({
              txId: h.txId,
              isDelete: h.value === null,
              value: h.value ?? Buffer.alloc(0),
              timestamp: { seconds: { toString: () => String(h.seconds) }, nanos: 0 },
            })),
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
    try {
      const result = await body({ stub, clientIdentity } as unknown as Context);
      return { result, txId, seconds, reads, ranges, writes, event, commitPrivate: privateData.commit };
    } catch (error) {
      return { error };
    }
  }

  #commit(e: Endorsed<unknown>): void {
    e.commitPrivate();
    for (const [key, value] of e.writes) {
      this.#writeSeq += 1;
      this.#versions.set(key, this.#writeSeq);
      this.history.set(key, [...(this.history.get(key) ?? []), { txId: e.txId, seconds: e.seconds, value }]);
      if (value === null) {
        this.state.delete(key);
      } else {
        this.state.set(key, value);
      }
    }
    if (e.event !== undefined) {
      this.events.push(e.event);
    }
  }

  /** A copy of world state and private data as strings, to assert that a refusal changed nothing. */
  snapshot(): Map<string, string> {
    const privateEntries = [...this.privateData.state].flatMap(([collection, data]) =>
      [...data].map(([k, v]): [string, string] => [`${collection}::${k}`, v.toString('utf8')]),
    );
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

/** One proposal of a {@link FakeLedger.block}. */
export interface FakeProposal<T> {
  readonly identity: FakeIdentity;
  readonly body: (ctx: Context) => Promise<T>;
  readonly seconds?: number;
  readonly options?: FakeTxOptions;
}

/** How a transaction of a block ended, as a peer's validation reports it. */
export type BlockOutcome<T> =
  | { readonly status: 'VALID'; readonly txId: string; readonly result: T }
  | { readonly status: 'MVCC_READ_CONFLICT' | 'PHANTOM_READ_CONFLICT'; readonly txId: string }
  | { readonly status: 'ENDORSEMENT_FAILURE'; readonly error: unknown };

interface Endorsed<T> {
  readonly result: T;
  readonly txId: string;
  readonly seconds: number;
  readonly reads: ReadonlyMap<string, number>;
  readonly ranges: readonly { prefix: string; seen: [string, number][] }[];
  readonly writes: ReadonlyMap<string, Buffer | null>;
  readonly event: { name: string; payload: unknown } | undefined;
  readonly commitPrivate: () => void;
}
