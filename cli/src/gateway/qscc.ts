import { common } from '@hyperledger/fabric-protos';
import { GatewayError, type Gateway } from '@hyperledger/fabric-gateway';
import { CHANNEL } from './connect';
import { fromFabricError } from './fabric-errors';

/**
 * Whether an error from a `qscc` call is the peer saying that its block index has no such
 * transaction: blkstorage answers `no such transaction ID [<id>] in index`
 * (common/ledger/blkstorage/blockindex.go), older peers `entry not found in index`; qscc
 * wraps it in `Failed to get transaction with id …` / `Failed to get block for txID …`
 * (core/scc/qscc/query.go).
 *
 * @param error - anything a qscc evaluate threw
 * @returns true when the peer did answer, and the answer was "no such transaction"
 */
export function isTransactionNotFound(error: unknown): boolean {
  const messages = error instanceof GatewayError ? [error.message, ...error.details.map((d) => d.message)] : [];
  return messages.some((m) => /not found in index|no such transaction/i.test(m));
}

/**
 * The number of the block that holds a transaction, from the peer's query system
 * chaincode (`qscc` GetBlockByTxID, which returns the serialized `common.Block`).
 *
 * @param gateway - an open gateway connection
 * @param transactionId - the transaction id
 * @returns the block number, or `undefined` when the peer's ledger has no such transaction
 * @throws NetworkError when the peer cannot be reached
 */
export async function blockNumberOfTransaction(gateway: Gateway, transactionId: string): Promise<bigint | undefined> {
  const qscc = gateway.getNetwork(CHANNEL).getContract('qscc');
  try {
    const bytes = await qscc.evaluateTransaction('GetBlockByTxID', CHANNEL, transactionId);
    const header = common.Block.deserializeBinary(bytes).getHeader();
    return header === undefined ? undefined : BigInt(header.getNumber());
  } catch (error) {
    if (isTransactionNotFound(error)) {
      return undefined;
    }
    throw fromFabricError(error);
  }
}
