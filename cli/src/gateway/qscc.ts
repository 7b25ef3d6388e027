import { common } from '@hyperledger/fabric-protos';
import { GatewayError, type Gateway } from '@hyperledger/fabric-gateway';
import { CHANNEL } from './connect';
import { fromFabricError } from './fabric-errors';

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
    // The peer answers "… entry not found in index" (blkstorage) when no block holds the id.
    const messages = error instanceof GatewayError ? [error.message, ...error.details.map((d) => d.message)] : [];
    if (messages.some((m) => /not found in index|no such transaction/i.test(m))) {
      return undefined;
    }
    throw fromFabricError(error);
  }
}

/**
 * The channel's height on the gateway's peer (its number of blocks, so also the number of the
 * next block to be committed), from `qscc` GetChainInfo (a serialized `common.BlockchainInfo`).
 *
 * @param gateway - an open gateway connection
 * @throws NetworkError when the peer cannot be reached; ContractError when it refuses the caller
 */
export async function channelHeight(gateway: Gateway): Promise<bigint> {
  const qscc = gateway.getNetwork(CHANNEL).getContract('qscc');
  try {
    const bytes = await qscc.evaluateTransaction('GetChainInfo', CHANNEL);
    return BigInt(common.BlockchainInfo.deserializeBinary(bytes).getHeight());
  } catch (error) {
    throw fromFabricError(error);
  }
}
