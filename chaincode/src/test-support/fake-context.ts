import type { Context } from 'fabric-contract-api';
import { fakeIterator, shimQuery } from './fake-iterator';
import { ClientIdentity, type ChaincodeStub } from 'fabric-shim';
import { ROLE_ATTRIBUTE } from '../shared/access';
import { enrolmentCertificate } from './fake-certificate';
import {
  FakePrivateData,
  SimulationGuard,
  byteCompare,
  shimStub,
  heightString,
  peerError,
  type FakeCollection,
  type FakeHeight,
  type HashedRead,
} from './fake-private-data';

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
  /** Every committed write per key, oldest first (what the peer's history database keeps; queries return it newest first). */
  readonly history = new Map<string, { txId: string; seconds: number; value: Buffer | null }[]>();
  /** Private data collections (none unless given). */
  readonly privateData: FakePrivateData;
  /** The peer's `ledger.state.totalQueryLimit`: results per range query (core.yaml default 100,000). */
  readonly totalQueryLimit: number;
  #txCounter = 0;
  /** The version of each key: the height of its last committed write (absent: never written, or deleted). */
  readonly #versions = new Map<string, FakeHeight>();
  #blockNum = 0;

  constructor(collections: Readonly<Record<string, FakeCollection>> = {}, options: FakeLedgerOptions = {}) {
    this.privateData = new FakePrivateData(collections);
    this.totalQueryLimit = options.totalQueryLimit ?? 100_000;
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
    this.#blockNum += 1;
    this.#commit(endorsed, { blockNum: this.#blockNum, txNum: 0 });
    return endorsed.result;
  }

  /**
   * Endorse several transactions against the same committed state, as peers do for the
   * proposals of one block, then validate and commit them in order with Fabric's MVCC rules
   * (core/ledger/kvledger/txmgmt/validation/validator.go `validateTx`): a transaction is invalid
   * (`MVCC_READ_CONFLICT`) when a key it read, public or private (the hashed read set of
   * `getPrivateData` / `getPrivateDataHash`), was written since it read it, by an earlier valid
   * transaction of the block; or (`PHANTOM_READ_CONFLICT`) when a range it read has changed.
   *
   * @param proposals - the transactions, in the order the orderer puts them in the block
   * @returns one outcome per proposal: `VALID` with the result, the conflict, or the endorsement error
   */
  async block<T>(proposals: readonly FakeProposal<T>[]): Promise<BlockOutcome<T>[]> {
    const endorsed = await Promise.all(proposals.map((p) => this.#endorse(p.identity, p.body, p.seconds ?? 1_790_000_000, p.options ?? {})));
    this.#blockNum += 1;
    return endorsed.map((e, txNum): BlockOutcome<T> => {
      if ('error' in e) {
        return { status: 'ENDORSEMENT_FAILURE', error: e.error };
      }
      if ([...e.reads].some(([key, version]) => !sameHeight(this.#versions.get(key), version))) {
        return { status: 'MVCC_READ_CONFLICT', txId: e.txId };
      }
      if (e.ranges.some((r) => JSON.stringify(this.#rangeRead(r.start, r.end, r.limit)) !== JSON.stringify(r.seen))) {
        return { status: 'PHANTOM_READ_CONFLICT', txId: e.txId };
      }
      if (e.privateReads.some((r) => !sameHeight(this.privateData.version(r.collection, r.key), r.version))) {
        return { status: 'MVCC_READ_CONFLICT', txId: e.txId };
      }
      this.#commit(e, { blockNum: this.#blockNum, txNum });
      return { status: 'VALID', txId: e.txId, result: e.result };
    });
  }

  /**
   * The keys in [start, end) in LevelDB (byte) order with their versions, at most `limit` of them
   * (the peer stops a query silently at its total query limit).
   */
  #rangeRead(start: string, end: string, limit: number): [string, string][] {
    return [...this.state.keys()]
      .filter((k) => byteCompare(k, start) >= 0 && (end === '' || byteCompare(k, end) < 0))
      .sort(byteCompare)
      .slice(0, limit)
      .map((k) => [k, heightString(this.#versions.get(k))]);
  }

  async #endorse<T>(
    identity: FakeIdentity,
    body: (ctx: Context) => Promise<T>,
    seconds: number,
    options: FakeTxOptions,
  ): Promise<Endorsed<T> | { error: unknown }> {
    this.#txCounter += 1;
    const writes = new Map<string, Buffer | null>();
    const reads = new Map<string, FakeHeight | undefined>();
    const ranges: RangeRead[] = [];
    let event: { name: string; payload: unknown } | undefined;
    const txId = `tx${String(this.#txCounter).padStart(4, '0')}`;
    const guard = new SimulationGuard(txId);
    const privateData = this.privateData.forTransaction(identity.mspId, options.peerMspId ?? identity.mspId, txId, guard);
    const transient = new Map(Object.entries(options.transient ?? {}).map(([k, v]) => [k, Buffer.from(v, 'utf8')]));
    const kv = (key: string): { key: string; value: Buffer } => ({ key, value: this.state.get(key) ?? Buffer.alloc(0) });
    // A range read as the peer records it for phantom-read validation (rwsetutil RangeQueryInfo).
    const scan = (start: string, end: string, limit = this.totalQueryLimit): string[] => {
      const seen = this.#rangeRead(start, end, limit);
      ranges.push({ start, end, limit, seen });
      return seen.map(([k]) => k);
    };
    const compositeRange = (type: string, attrs: string[]): [string, string] => {
      const partial = shimStub.createCompositeKey(type, attrs);
      return [partial, `${partial}${MAX_UNICODE_RUNE_VALUE}`];
    };
    const stub = {
      ...privateData.stub,
      getTransient: () => transient,
      getMspID: () => options.peerMspId ?? identity.mspId,
      getState: (key: string): Promise<Uint8Array> => {
        reads.set(key, this.#versions.get(key));
        return Promise.resolve(this.state.get(key) ?? Buffer.alloc(0));
      },
      deleteState: async (key: string): Promise<void> => {
        await Promise.resolve();
        guard.beforeWrite('DEL_STATE');
        writes.set(key, null);
      },
      // As on a peer (core/ledger/kvledger/txmgmt/rwsetutil/rwset_proto_util.go newKVWrite:
      // `IsDelete: len(value) == 0`), writing an empty value deletes the key.
      putState: async (key: string, value: Uint8Array): Promise<void> => {
        await Promise.resolve();
        guard.beforeWrite('PUT_STATE');
        writes.set(key, value.length === 0 ? null : Buffer.from(value));
      },
      // fabric-shim's own composite key code (lib/stub.js), so that its validation is the shim's.
      createCompositeKey: (type: string, attrs: string[]): string => shimStub.createCompositeKey(type, attrs),
      splitCompositeKey: (key: string) => shimStub.splitCompositeKey(key),
      getTxTimestamp: () => ({ seconds: { toString: () => String(seconds) }, nanos: 0 }),
      getTxID: () => txId,
      getChannelID: () => 'civic',
      // fabric-shim lib/stub.js getStateByRange: an empty start key becomes 0x01, so that a simple
      // key range never includes composite keys (which start with 0x00); such keys are refused.
      getStateByRange: (startKey: string, endKey: string) => {
        for (const k of [startKey, endKey]) {
          if (k.startsWith(COMPOSITEKEY_NS)) {
            return shimQuery(Promise.reject(new Error(`first character of the key [${k}] contains a null character which is not allowed`)));
          }
        }
        return shimQuery(Promise.resolve(fakeIterator(scan(startKey === '' ? EMPTY_KEY_SUBSTITUTE : startKey, endKey).map(kv))));
      },
      getStateByPartialCompositeKeyWithPagination: (type: string, attrs: string[], pageSize: number, bookmark = '') => {
        const [start, end] = compositeRange(type, attrs);
        try {
          guard.beforePaginatedQuery('GET_STATE_BY_RANGE');
        } catch (error) {
          return shimQuery(Promise.reject(error instanceof Error ? error : new Error(String(error))));
        }
        // core/chaincode/handler.go calculateTotalReturnLimit: the page size, capped at totalQueryLimit.
        const limit = Math.min(pageSize > 0 ? pageSize : this.totalQueryLimit, this.totalQueryLimit);
        const keys = this.#rangeRead(bookmark === '' ? start : bookmark, end, limit + 1).map(([k]) => k);
        const page = keys.slice(0, limit);
        // As on a peer: a page without results comes with no metadata at all.
        const metadata = page.length === 0 ? undefined : { fetchedRecordsCount: page.length, bookmark: keys[limit] ?? '' };
        return shimQuery(Promise.resolve({ iterator: fakeIterator(page.map(kv)), metadata }));
      },
      // fabric-shim builds the partial key synchronously, so a bad attribute throws, not rejects.
      getStateByPartialCompositeKey: (type: string, attrs: string[]) => shimQuery(Promise.resolve(fakeIterator(scan(...compositeRange(type, attrs)).map(kv)))),
      // core/ledger/kvledger/txmgmt/statedb/stateleveldb/stateleveldb.go: no rich queries on LevelDB.
      getQueryResult: () => Promise.reject(peerError('GET_QUERY_RESULT', txId, 'ExecuteQuery not supported for leveldb')),
      getQueryResultWithPagination: () => Promise.reject(peerError('GET_QUERY_RESULT', txId, 'ExecuteQueryWithMetadata not supported for leveldb')),
      // core/ledger/kvledger/history/query_executer.go: the history database is read newest first.
      getHistoryForKey: (key: string) =>
        shimQuery(
          Promise.resolve(
            fakeIterator(
              [...(this.history.get(key) ?? [])]
                .reverse()
                .slice(0, this.totalQueryLimit)
                .map((h) => ({
                  txId: h.txId,
                  isDelete: h.value === null,
                  value: h.value ?? Buffer.alloc(0),
                  timestamp: { seconds: h.seconds, nanos: 0 },
                })),
            ),
          ),
        ),
      // fabric-shim lib/stub.js setEvent: one event per transaction, the last one set.
      setEvent: (name: string, payload: Uint8Array): void => {
        if (typeof name !== 'string' || name === '') {
          throw new Error('Event name must be a non-empty string');
        }
        event = { name, payload: JSON.parse(Buffer.from(payload).toString('utf8')) as unknown };
      },
    };
    const certificate = enrolmentCertificate(
      identity.mspId,
      identity.name ?? identity.role ?? 'user',
      identity.role === undefined ? {} : { [ROLE_ATTRIBUTE]: identity.role },
    );
    // fabric-shim's ClientIdentity, reading the creator's certificate as the contract API does.
    const clientIdentity = new ClientIdentity({
      getChannelID: () => 'civic',
      getTxID: () => txId,
      getCreator: () => ({ mspid: identity.mspId, idBytes: Buffer.from(certificate, 'utf8') }),
    } as unknown as ChaincodeStub);
    try {
      const result = await body({ stub, clientIdentity } as unknown as Context);
      return { result, txId, seconds, reads, ranges, writes, event, commitPrivate: privateData.commit, privateReads: privateData.reads };
    } catch (error) {
      return { error };
    }
  }

  #commit(e: Endorsed<unknown>, height: FakeHeight): void {
    e.commitPrivate(height);
    for (const [key, value] of e.writes) {
      this.history.set(key, [...(this.history.get(key) ?? []), { txId: e.txId, seconds: e.seconds, value }]);
      if (value === null) {
        this.#versions.delete(key);
        this.state.delete(key);
      } else {
        this.#versions.set(key, height);
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

/** Options of the whole fake ledger, as the peer's configuration. */
export interface FakeLedgerOptions {
  /** core.yaml `ledger.state.totalQueryLimit` (default 100,000). */
  readonly totalQueryLimit?: number;
}

const sameHeight = (a: FakeHeight | undefined, b: FakeHeight | undefined): boolean => heightString(a) === heightString(b);

/** fabric-shim lib/stub.js constants. */
const COMPOSITEKEY_NS = '\u0000';
const EMPTY_KEY_SUBSTITUTE = '\u0001';
const MAX_UNICODE_RUNE_VALUE = '\u{10ffff}';

interface RangeRead {
  readonly start: string;
  readonly end: string;
  readonly limit: number;
  readonly seen: [string, string][];
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
  readonly reads: ReadonlyMap<string, FakeHeight | undefined>;
  readonly ranges: readonly RangeRead[];
  readonly privateReads: readonly HashedRead[];
  readonly writes: ReadonlyMap<string, Buffer | null>;
  readonly event: { name: string; payload: unknown } | undefined;
  readonly commitPrivate: (height: FakeHeight) => void;
}
