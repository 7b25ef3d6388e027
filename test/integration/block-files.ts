/**
 * A peer's or orderer's block files, read from disk as an outsider with a copy of them would
 * read them. Each file is a run of blocks in Fabric's block storage format
 * (common/ledger/blkstorage/block_serialization.go): the block's length as a varint, then the
 * header (number as a varint; data hash and previous hash as length-prefixed bytes), the
 * envelopes (a count, then each length-prefixed) and the metadata entries (a count, then each
 * length-prefixed). Envelopes and metadata are decoded with Fabric's own protobuf definitions
 * (@hyperledger/fabric-protos): the stored format with the CLI's reader (cli/src/ledger/block-store.ts),
 * envelopes with the CLI's own walk (cli/src/ledger/transaction.ts).
 */
import { common, ledger, msp, peer } from '@hyperledger/fabric-protos';
import { blockFilesOf, decodeStoredBlock, rawBlocks as rawStoredBlocks } from '../../cli/src/ledger/block-store';
import { endorserAction, envelopeHeaders } from '../../cli/src/ledger/transaction';

export { blockFilesOf };

/** One endorser transaction of a block, as the block holds it. */
export interface BlockTransaction {
  readonly blockNumber: number;
  readonly txId: string;
  /** The invoked function, e.g. `debt:RecordDebt` (first chaincode argument). */
  readonly fn: string;
  /** The MSP IDs of the endorsing peers, in the order the envelope lists them. */
  readonly endorsers: string[];
  /** The validation code the committing peer recorded (`peer.TxValidationCode`, 0 = VALID). */
  readonly validationCode: number;
  /** The transaction's envelope as the block holds it. */
  readonly envelope: Buffer;
  /** The invoked chaincode's name. */
  readonly chaincode: string;
  /** The one proposal response payload (read/write set, events, result) every endorser signed. */
  readonly responsePayload: Buffer;
  /** Each endorsement: the endorser's serialized identity and its signature over payload + identity. */
  readonly endorsements: { readonly endorser: Buffer; readonly signature: Buffer }[];
}

/** The raw bytes of each block in one block file (a block still being written at the end is left out). */
export function rawBlocks(file: string): Buffer[] {
  return rawStoredBlocks(file).map((b) => Buffer.from(b.bytes));
}

/** The endorser transactions of a block. */
export function transactionsOf(raw: Buffer): BlockTransaction[] {
  const block = decodeStoredBlock(raw);
  const blockNumber = block.getHeader()?.getNumber() ?? -1;
  const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
  return block
    .getData()!
    .getDataList_asU8()
    .flatMap((envelopeBytes, index) => {
      const { payload, channelHeader } = envelopeHeaders(envelopeBytes);
      if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) {
        return [];
      }
      const { chaincode, args, endorsed } = endorserAction(payload);
      return [
        {
          blockNumber,
          txId: channelHeader.getTxId(),
          fn: Buffer.from(args[0] ?? new Uint8Array()).toString('utf8'),
          endorsers: endorsed.getEndorsementsList().map((e) => msp.SerializedIdentity.deserializeBinary(e.getEndorser_asU8()).getMspid()),
          validationCode: filter[index] ?? -1,
          envelope: Buffer.from(envelopeBytes),
          chaincode,
          responsePayload: Buffer.from(endorsed.getProposalResponsePayload_asU8()),
          endorsements: endorsed
            .getEndorsementsList()
            .map((e) => ({ endorser: Buffer.from(e.getEndorser_asU8()), signature: Buffer.from(e.getSignature_asU8()) })),
        },
      ];
    });
}

/** One key hash of a private data collection, as a transaction's hashed read/write set holds it. */
export interface PrivateKeyHash {
  /** The chaincode namespace, e.g. `civic`. */
  readonly namespace: string;
  readonly collection: string;
  /** `read`, `write` (a purge too) or `metadata` (a metadata write). */
  readonly kind: 'read' | 'write' | 'metadata';
  /** SHA-256 of the private key, lower-case hex: what every peer of the channel holds of it. */
  readonly keyHash: string;
}

/**
 * Every private data key hash in a transaction's read/write set (`TxReadWriteSet` →
 * `NsReadWriteSet.collection_hashed_rwset` → `HashedRWSet`): what a block says about private
 * data. Fabric hashes each private key with SHA-256 and no salt (core/ledger/util.ComputeStringHash).
 */
export function privateKeyHashesOf(tx: BlockTransaction): PrivateKeyHash[] {
  const extension = peer.ProposalResponsePayload.deserializeBinary(tx.responsePayload).getExtension_asU8();
  const results = peer.ChaincodeAction.deserializeBinary(extension).getResults_asU8();
  const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
  return ledger.rwset.TxReadWriteSet.deserializeBinary(results)
    .getNsRwsetList()
    .flatMap((ns) =>
      ns.getCollectionHashedRwsetList().flatMap((coll) => {
        const set = ledger.rwset.kvrwset.HashedRWSet.deserializeBinary(coll.getHashedRwset_asU8());
        const at = { namespace: ns.getNamespace(), collection: coll.getCollectionName() };
        return [
          ...set.getHashedReadsList().map((r) => ({ ...at, kind: 'read' as const, keyHash: hex(r.getKeyHash_asU8()) })),
          ...set.getHashedWritesList().map((w) => ({ ...at, kind: 'write' as const, keyHash: hex(w.getKeyHash_asU8()) })),
          ...set.getMetadataWritesList().map((m) => ({ ...at, kind: 'metadata' as const, keyHash: hex(m.getKeyHash_asU8()) })),
        ];
      }),
    );
}
