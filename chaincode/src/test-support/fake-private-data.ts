import { createHash } from 'node:crypto';
import { ChaincodeStub } from 'fabric-shim';
import { fakeIterator, shimQuery } from './fake-iterator';

/** A private data collection's membership and access flags, as in collections_config.json. */
export interface FakeCollection {
  readonly members: readonly string[];
  readonly memberOnlyRead: boolean;
  readonly memberOnlyWrite: boolean;
}

/** The chaincode name the peer's errors name (the chaincode definition's name on the channel). */
export const FAKE_CHAINCODE_NAME = 'civic';

/** A key version as Fabric's `version.Height`: the block and the transaction's position in it. */
export interface FakeHeight {
  readonly blockNum: number;
  readonly txNum: number;
}

/** `version.Height.String()` in core/ledger/internal/version/version.go. */
export const heightString = (h: FakeHeight | undefined): string => (h === undefined ? '<nil>' : `{BlockNum: ${h.blockNum}, TxNum: ${h.txNum}}`);

/** How the peer's chaincode handler reports a failed request (core/chaincode/handler.go `HandleTransaction`). */
export const peerError = (messageType: string, txId: string, cause: string): Error => new Error(`${messageType} failed: transaction ID: ${txId}: ${cause}`);

/**
 * The peer's transaction simulator rules on mixing queries and writes
 * (core/ledger/kvledger/txmgmt/txmgr/tx_simulator.go): queries on private data and paginated
 * queries are allowed only in a transaction that writes nothing, before or after them.
 */
export class SimulationGuard {
  #writePerformed = false;
  #pvtdataQueriesPerformed = false;
  #paginatedQueriesPerformed = false;
  readonly #txId: string;

  constructor(txId: string) {
    this.#txId = txId;
  }

  /** `checkWritePrecondition`, for a write request of `messageType` (e.g. `PUT_STATE`). */
  beforeWrite(messageType: string): void {
    if (this.#pvtdataQueriesPerformed) {
      throw this.#refusal(messageType, 'Transaction has already performed queries on pvt data. Writes are not allowed');
    }
    if (this.#paginatedQueriesPerformed) {
      throw this.#refusal(messageType, 'Transaction has already performed a paginated query. Writes are not allowed');
    }
    this.#writePerformed = true;
  }

  /** `checkBeforePvtdataQueries`. */
  beforePvtdataQuery(messageType: string): void {
    if (this.#writePerformed) {
      throw this.#refusal(messageType, 'Queries on pvt data is supported only in a read-only transaction');
    }
    this.#pvtdataQueriesPerformed = true;
  }

  /** `checkBeforePaginatedQueries`. */
  beforePaginatedQuery(messageType: string): void {
    if (this.#writePerformed) {
      throw this.#refusal(messageType, 'Paginated queries are supported only in a read-only transaction');
    }
    this.#paginatedQueriesPerformed = true;
  }

  #refusal(messageType: string, detail: string): Error {
    return peerError(messageType, this.#txId, `txid [${this.#txId}]: unsuppored transaction. ${detail}`);
  }
}

/** A private key read recorded in the transaction's hashed read set, with the version seen. */
export interface HashedRead {
  readonly collection: string;
  readonly key: string;
  readonly version: FakeHeight | undefined;
}

/**
 * Private data collections for the unit-test ledger fake, with Fabric's rules: a client of a
 * non-member org is refused reads (`memberOnlyRead`) and writes (`memberOnlyWrite`); a peer of a
 * non-member org holds no private data, only hashes and their versions (`getPrivateDataHash`
 * works everywhere); reads see committed data only and are versioned (the hashed read set);
 * writes land when the transaction does.
 */
export class FakePrivateData {
  readonly collections: Readonly<Record<string, FakeCollection>>;
  /** Committed private data: collection → key → value. */
  readonly state = new Map<string, Map<string, Buffer>>();
  /** The version of each committed key hash (every peer keeps these): `collection\u0000key` → height. */
  readonly #versions = new Map<string, FakeHeight>();

  constructor(collections: Readonly<Record<string, FakeCollection>>) {
    this.collections = collections;
  }

  /** The committed version of a private key's hash, or `undefined` when absent. */
  version(collection: string, key: string): FakeHeight | undefined {
    return this.#versions.get(`${collection}\u0000${key}`);
  }

  /**
   * Stub methods for one transaction by `clientMsp` executing on a peer of `peerMsp`; `commit`
   * applies its writes at `height`; `reads` is the hashed read set.
   */
  forTransaction(
    clientMsp: string,
    peerMsp: string,
    txId: string,
    guard: SimulationGuard,
  ): { stub: Record<string, unknown>; commit: (height: FakeHeight) => void; reads: HashedRead[] } {
    const writes: { collection: string; key: string; value: Buffer | null }[] = [];
    const reads: HashedRead[] = [];
    const config = (name: string): FakeCollection => {
      const c = this.collections[name];
      if (c === undefined) {
        throw new Error(`collection ${name} could not be found`);
      }
      return c;
    };
    // core/chaincode/handler.go errorIfCreatorHasNoReadPermission / ...WritePermission.
    const checkRead = (messageType: string, name: string): FakeCollection => {
      const c = config(name);
      if (c.memberOnlyRead && !c.members.includes(clientMsp)) {
        throw peerError(
          messageType,
          txId,
          `tx creator does not have read access permission on privatedata in chaincodeName:${FAKE_CHAINCODE_NAME} collectionName: ${name}`,
        );
      }
      return c;
    };
    const held = (c: FakeCollection, name: string): Map<string, Buffer> =>
      c.members.includes(peerMsp) ? (this.state.get(name) ?? new Map<string, Buffer>()) : new Map<string, Buffer>();
    const write = (messageType: string, name: string, key: string, value: Buffer | null): Promise<void> => {
      const c = config(name);
      if (c.memberOnlyWrite && !c.members.includes(clientMsp)) {
        return Promise.reject(
          peerError(
            messageType,
            txId,
            `tx creator does not have write access permission on privatedata in chaincodeName:${FAKE_CHAINCODE_NAME} collectionName: ${name}`,
          ),
        );
      }
      try {
        guard.beforeWrite(messageType);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      writes.push({ collection: name, key, value });
      return Promise.resolve();
    };
    const stub = {
      // Errors the peer returns reject the shim's promise (async), as over the chaincode stream.
      getPrivateData: async (name: string, key: string): Promise<Uint8Array> => {
        await Promise.resolve();
        const value = held(checkRead('GET_STATE', name), name).get(key);
        const hashVersion = this.version(name, key);
        // core/ledger/kvledger/txmgmt/txmgr/query_executor.go GetPrivateData: a peer without the
        // value (not a member, so it has only the hash) refuses a key whose hash exists.
        if (value === undefined && hashVersion !== undefined) {
          throw peerError(
            'GET_STATE',
            txId,
            `private data matching public hash version is not available. Public hash version = ${heightString(hashVersion)}, Private data version = <nil>`,
          );
        }
        reads.push({ collection: name, key, version: hashVersion });
        return value ?? Buffer.alloc(0);
      },
      getPrivateDataHash: async (name: string, key: string): Promise<Uint8Array> => {
        await Promise.resolve();
        config(name);
        const value = this.state.get(name)?.get(key);
        reads.push({ collection: name, key, version: this.version(name, key) });
        return value === undefined ? Buffer.alloc(0) : createHash('sha256').update(value).digest();
      },
      putPrivateData: (name: string, key: string, value: Uint8Array) => write('PUT_STATE', name, key, Buffer.from(value)),
      deletePrivateData: (name: string, key: string) => write('DEL_STATE', name, key, null),
      purgePrivateData: (name: string, key: string) => write('PURGE_PRIVATE_DATA', name, key, null),
      getPrivateDataByPartialCompositeKey: (name: string, type: string, attrs: string[]) => {
        // fabric-shim builds the partial key synchronously: a bad attribute throws, not rejects.
        const prefix = shimStub.createCompositeKey(type, attrs);
        const end = `${prefix}\u{10ffff}`;
        const query = async () => {
          await Promise.resolve();
          const c = checkRead('GET_STATE_BY_RANGE', name);
          guard.beforePvtdataQuery('GET_STATE_BY_RANGE');
          const data = held(c, name);
          const keys = [...data.keys()].filter((k) => byteCompare(k, prefix) >= 0 && byteCompare(k, end) < 0).sort(byteCompare);
          // As fabric-shim 2.5 does on a live peer: the iterator wrapped in `{ iterator }`, despite its typings.
          return { iterator: fakeIterator(keys.map((key) => ({ key, value: data.get(key) ?? Buffer.alloc(0) }))) };
        };
        return shimQuery(query());
      },
    };
    const commit = (height: FakeHeight): void => {
      for (const w of writes) {
        const data = this.state.get(w.collection) ?? new Map<string, Buffer>();
        if (w.value === null) {
          data.delete(w.key);
          this.#versions.delete(`${w.collection}\u0000${w.key}`);
        } else {
          data.set(w.key, w.value);
          this.#versions.set(`${w.collection}\u0000${w.key}`, height);
        }
        this.state.set(w.collection, data);
      }
    };
    return { stub, commit, reads };
  }
}

/** LevelDB key order: the keys' UTF-8 bytes compared (not JavaScript's UTF-16 string order). */
export function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** fabric-shim's ChaincodeStub, for its composite key methods (lib/stub.js; they use no stub state). */
export const shimStub = Object.create(ChaincodeStub.prototype) as ChaincodeStub;
