import { readFileSync } from 'node:fs';
import path from 'node:path';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import { envelopeHeaders } from '../ledger/transaction';

interface Captured {
  readonly txId: string;
  readonly processedTransaction: string;
}
interface QsccAnswers {
  readonly registerDid: Captured;
  readonly recordDebt: Captured;
  readonly chainInfo: { readonly blockchainInfo: string };
}

const answers = JSON.parse(readFileSync(path.join(__dirname, '..', 'ledger', 'testdata', 'qscc-answers.json'), 'utf8')) as QsccAnswers;

/** Real qscc answers captured from a live network (ledger/testdata/qscc-answers.json), as bytes. */
export const captured = {
  registerDid: { txId: answers.registerDid.txId, bytes: Buffer.from(answers.registerDid.processedTransaction, 'base64') },
  recordDebt: { txId: answers.recordDebt.txId, bytes: Buffer.from(answers.recordDebt.processedTransaction, 'base64') },
  chainInfo: Buffer.from(answers.chainInfo.blockchainInfo, 'base64'),
};

/** The creator's serialized identity (MSP ID + PEM certificate) of the captured DID registration. */
export function capturedCreator(): msp.SerializedIdentity {
  const envelope = peer.ProcessedTransaction.deserializeBinary(captured.registerDid.bytes).getTransactionenvelope();
  if (envelope === undefined) {
    throw new Error('the fixture holds no envelope');
  }
  return msp.SerializedIdentity.deserializeBinary(envelopeHeaders(envelope).signatureHeader.getCreator_asU8());
}

/**
 * Blocks 0-4 of a real `civic` channel (ledger/testdata/chain-0-4.bin: each a serialized
 * `common.Block` after a 4-byte big-endian length), fresh objects on every call.
 */
export function realChain(): common.Block[] {
  const bytes = readFileSync(path.join(__dirname, '..', 'ledger', 'testdata', 'chain-0-4.bin'));
  const blocks: common.Block[] = [];
  for (let at = 0; at < bytes.length; at += 4 + bytes.readUInt32BE(at)) {
    blocks.push(common.Block.deserializeBinary(bytes.subarray(at + 4, at + 4 + bytes.readUInt32BE(at))));
  }
  return blocks;
}
