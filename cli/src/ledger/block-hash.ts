import { createHash } from 'node:crypto';
import type { common } from '@hyperledger/fabric-protos';
import { Integer, OctetString, Sequence } from 'asn1js';

/**
 * The bytes a block header is hashed and signed as: the DER encoding of
 * `SEQUENCE { number INTEGER, previousHash OCTET STRING, dataHash OCTET STRING }`
 * (Fabric protoutil.BlockHeaderBytes, which marshals its `asn1Header` with Go's encoding/asn1).
 *
 * @param header - the block header
 * @returns DER bytes
 */
export function blockHeaderBytes(header: common.BlockHeader): Buffer {
  const der = new Sequence({
    value: [
      Integer.fromBigInt(BigInt(header.getNumber())),
      new OctetString({ valueHex: header.getPreviousHash_asU8() }),
      new OctetString({ valueHex: header.getDataHash_asU8() }),
    ],
  }).toBER(false);
  return Buffer.from(der);
}

/**
 * A block's hash: SHA-256 of its header bytes (Fabric protoutil.BlockHeaderHash). The next
 * block's header carries it as its previous hash.
 */
export function blockHeaderHash(header: common.BlockHeader): Buffer {
  return createHash('sha256').update(blockHeaderBytes(header)).digest();
}

/**
 * The hash a block's header must carry as its data hash: SHA-256 of the block's envelopes
 * concatenated in order (Fabric protoutil.ComputeBlockDataHash).
 */
export function blockDataHash(data: common.BlockData): Buffer {
  const hash = createHash('sha256');
  for (const envelope of data.getDataList_asU8()) {
    hash.update(envelope);
  }
  return hash.digest();
}
