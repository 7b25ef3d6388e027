import { common } from '@hyperledger/fabric-protos';
import type { Gateway } from '@hyperledger/fabric-gateway';
import { CheckFailed, ContractError, UsageError } from '../errors';
import { CHANNEL } from '../gateway/connect';
import { fromFabricError } from '../gateway/fabric-errors';
import { isTransactionNotFound } from '../gateway/qscc';
import { decodeProcessedTransaction, envelopeHeaders, MalformedEnvelope, type DecodedTransaction } from './transaction';

/** A transaction id as Fabric makes it: SHA-256 of nonce + creator, 64 lower-case hex digits (protoutil.ComputeTxID). */
const TX_ID = /^[0-9a-f]{64}$/;

/**
 * Check a transaction id given on the command line, before anything is asked of a peer.
 *
 * @param id - the id as typed (hex digits in either case)
 * @returns the id in lower case, as Fabric writes it
 * @throws UsageError when it is not 64 hex digits
 */
export function parseTransactionId(id: string): string {
  const lower = id.trim().toLowerCase();
  if (!TX_ID.test(lower)) {
    throw new UsageError(`'${id}' is not a transaction id (64 hex digits, as printed with "tx … in block …")`);
  }
  return lower;
}

/** A transaction on a peer's ledger: decoded, with where it is. */
export type LedgerTransaction = DecodedTransaction & {
  /** The number of the block that holds it (decimal string, as the CLI prints block numbers of receipts). */
  readonly blockNumber: string;
  /** Its position among the block's transactions, from 0. */
  readonly indexInBlock: number;
};

/** Evaluate a `qscc` function on the peers of one org only; "no such transaction" becomes NOT_FOUND. */
async function qscc(gateway: Gateway, fn: string, txId: string, mspId: string): Promise<Uint8Array> {
  try {
    return await gateway
      .getNetwork(CHANNEL)
      .getContract('qscc')
      .evaluate(fn, { arguments: [CHANNEL, txId], endorsingOrganizations: [mspId] });
  } catch (error) {
    if (isTransactionNotFound(error)) {
      throw new ContractError('NOT_FOUND', `no transaction ${txId} on channel ${CHANNEL} (asked ${mspId}'s peer)`, { transactionId: txId });
    }
    throw fromFabricError(error);
  }
}

/**
 * Read one transaction from the ledger of an org's peer: `qscc GetTransactionByID` (the
 * envelope and its validation code, a `peer.ProcessedTransaction`) and `qscc GetBlockByTxID`
 * (the `common.Block` that holds it; core/scc/qscc/query.go), decoded with Fabric's protobufs.
 *
 * @param gateway - a gateway connected to a peer of `mspId`, as any channel member
 * @param txId - the transaction id, checked with {@link parseTransactionId}
 * @param mspId - the org whose peer answers (the evaluation is pinned to it)
 * @returns the decoded transaction, its block number and position
 * @throws ContractError `NOT_FOUND` (exit 1) naming the id when the peer's ledger has no such
 *   transaction; CheckFailed `UNDECODABLE_TRANSACTION` (exit 1) when its envelope lacks a part
 *   Fabric requires; NetworkError when the peer cannot be reached
 */
export async function readTransaction(gateway: Gateway, txId: string, mspId: string): Promise<LedgerTransaction> {
  const processed = await qscc(gateway, 'GetTransactionByID', txId, mspId);
  let decoded: DecodedTransaction;
  try {
    decoded = decodeProcessedTransaction(processed);
  } catch (error) {
    const reason = error instanceof MalformedEnvelope ? error.message : `not a Fabric transaction: ${(error as Error).message}`;
    throw new CheckFailed('UNDECODABLE_TRANSACTION', `transaction ${txId} cannot be decoded: ${reason}`, { transactionId: txId });
  }
  const block = common.Block.deserializeBinary(await qscc(gateway, 'GetBlockByTxID', txId, mspId));
  const indexInBlock = (block.getData()?.getDataList_asU8() ?? []).findIndex((envelope) => {
    try {
      return envelopeHeaders(envelope).channelHeader.getTxId() === txId;
    } catch {
      return false;
    }
  });
  return { ...decoded, blockNumber: String(block.getHeader()?.getNumber() ?? ''), indexInBlock };
}
