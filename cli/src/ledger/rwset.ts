import { ledger } from '@hyperledger/fabric-protos';

/**
 * A version of a key as a transaction read it: `<block>:<tx>`, the block number and the
 * transaction's index in that block of the write that made the value read; `null` when the
 * key did not exist when it was read.
 */
export type KeyVersion = string | null;

/** A public key a transaction read. */
export interface PublicRead {
  /** The key as the chaincode wrote it (composite keys hold U+0000 separators). */
  readonly key: string;
  readonly version: KeyVersion;
}

/** A public key a transaction wrote: never its value, only the value's size. */
export interface PublicWrite {
  readonly key: string;
  /** True when the transaction deleted the key. */
  readonly delete: boolean;
  /** Size of the written value in bytes (0 for a delete). */
  readonly valueBytes: number;
}

/** A key-level metadata write (e.g. a key-level endorsement policy): the entries' names only. */
export interface MetadataWrite {
  readonly key: string;
  /** Names of the metadata entries written, e.g. `VALIDATION_PARAMETER`. */
  readonly entries: readonly string[];
}

/** A range query a transaction ran, replayed by the committing peers to detect phantom reads. */
export interface RangeQuery {
  readonly startKey: string;
  readonly endKey: string;
  /** True when the chaincode read the range to its end. */
  readonly exhausted: boolean;
  /** The keys the range returned with their versions; `null` when the block holds only a Merkle summary of them. */
  readonly reads: readonly PublicRead[] | null;
}

/** A private data key a transaction read, as every peer of the channel sees it: a hash. */
export interface PrivateRead {
  /** SHA-256 of the key, lower-case hex. */
  readonly keyHash: string;
  readonly version: KeyVersion;
}

/** A private data key a transaction wrote, as hashes: never the key or the value. */
export interface PrivateWrite {
  /** SHA-256 of the key, lower-case hex. */
  readonly keyHash: string;
  readonly delete: boolean;
  /** True when the write purges the key's private data (PurgePrivateData) besides deleting it. */
  readonly purge: boolean;
  /** SHA-256 of the value, lower-case hex; `null` for a delete or purge. */
  readonly valueHash: string | null;
}

/** What a transaction did in one private data collection, in hashes. */
export interface CollectionHashes {
  readonly collection: string;
  readonly reads: readonly PrivateRead[];
  readonly writes: readonly PrivateWrite[];
  /** Key-level metadata writes: the key hash (hex) and the entries' names. */
  readonly metadataWrites: readonly { readonly keyHash: string; readonly entries: readonly string[] }[];
  /** SHA-256 of the collection's private read/write set, hex: what the peers holding the private data check it against. */
  readonly privateRwsetHash: string;
}

/** What a transaction read and wrote in one chaincode namespace. */
export interface NamespaceReadWrites {
  /** The chaincode namespace, e.g. `civic` (or `_lifecycle` for a lifecycle transaction). */
  readonly namespace: string;
  readonly reads: readonly PublicRead[];
  readonly rangeQueries: readonly RangeQuery[];
  readonly writes: readonly PublicWrite[];
  readonly metadataWrites: readonly MetadataWrite[];
  /** Private data collections, in hashes only. */
  readonly collections: readonly CollectionHashes[];
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function versionOf(version: ledger.rwset.kvrwset.Version | undefined): KeyVersion {
  return version === undefined ? null : `${String(version.getBlockNum())}:${String(version.getTxNum())}`;
}

function readOf(read: ledger.rwset.kvrwset.KVRead): PublicRead {
  return { key: read.getKey(), version: versionOf(read.getVersion()) };
}

function rangeQueryOf(query: ledger.rwset.kvrwset.RangeQueryInfo): RangeQuery {
  const raw = query.getRawReads();
  return {
    startKey: query.getStartKey(),
    endKey: query.getEndKey(),
    exhausted: query.getItrExhausted(),
    reads: raw === undefined ? null : raw.getKvReadsList().map(readOf),
  };
}

function collectionOf(collection: ledger.rwset.CollectionHashedReadWriteSet): CollectionHashes {
  const set = ledger.rwset.kvrwset.HashedRWSet.deserializeBinary(collection.getHashedRwset_asU8());
  return {
    collection: collection.getCollectionName(),
    reads: set.getHashedReadsList().map((r) => ({ keyHash: hex(r.getKeyHash_asU8()), version: versionOf(r.getVersion()) })),
    writes: set.getHashedWritesList().map((w) => {
      const valueHash = w.getValueHash_asU8();
      return {
        keyHash: hex(w.getKeyHash_asU8()),
        delete: w.getIsDelete(),
        purge: w.getIsPurge(),
        valueHash: w.getIsDelete() || valueHash.length === 0 ? null : hex(valueHash),
      };
    }),
    metadataWrites: set.getMetadataWritesList().map((m) => ({ keyHash: hex(m.getKeyHash_asU8()), entries: m.getEntriesList().map((e) => e.getName()) })),
    privateRwsetHash: hex(collection.getPvtRwsetHash_asU8()),
  };
}

/**
 * Decode a transaction's read/write set as a chaincode action's `results` holds it
 * (`ledger.rwset.TxReadWriteSet`, data model KV: each namespace's `rwset` is a
 * `kvrwset.KVRWSet`, each collection's `hashed_rwset` a `kvrwset.HashedRWSet`;
 * fabric-protos ledger/rwset/rwset.proto and kvrwset/kv_rwset.proto, as
 * core/ledger/kvledger/txmgmt/rwsetutil/rwset_proto_util.go reads them).
 *
 * Public values are reduced to their size; private data appears as the hashes the block holds.
 *
 * @param results - the serialized TxReadWriteSet (empty for a transaction that touched nothing)
 * @returns one entry per namespace, in the order of the set
 * @throws Error when the bytes are not a TxReadWriteSet
 */
export function decodeReadWriteSet(results: Uint8Array): NamespaceReadWrites[] {
  if (results.length === 0) {
    return [];
  }
  return ledger.rwset.TxReadWriteSet.deserializeBinary(results)
    .getNsRwsetList()
    .map((ns) => {
      const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      return {
        namespace: ns.getNamespace(),
        reads: kv.getReadsList().map(readOf),
        rangeQueries: kv.getRangeQueriesInfoList().map(rangeQueryOf),
        writes: kv.getWritesList().map((w) => ({ key: w.getKey(), delete: w.getIsDelete(), valueBytes: w.getValue_asU8().length })),
        metadataWrites: kv.getMetadataWritesList().map((m) => ({ key: m.getKey(), entries: m.getEntriesList().map((e) => e.getName()) })),
        collections: ns.getCollectionHashedRwsetList().map(collectionOf),
      };
    });
}
