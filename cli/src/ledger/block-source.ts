import type { Gateway } from '@hyperledger/fabric-gateway';
import type { common } from '@hyperledger/fabric-protos';
import { CHANNEL } from '../gateway/connect';
import { fromFabricError } from '../gateway/fabric-errors';
import { findChainDir, storedBlocks } from './block-store';
import { evaluateChainInfo } from './chain-info';

/** A block; why the bytes where the next block should be could not be read as one; or a warning. */
export type BlockOrError = { readonly block: common.Block } | { readonly error: string; readonly number: number } | { readonly warning: string };

/**
 * The gateway peer's channel height (number of blocks), from its query system chaincode
 * (`qscc` GetChainInfo), with the evaluation pinned to the peer's own org so that no other
 * org's peer answers (see chain-info.ts).
 *
 * @param gateway - a gateway connected to the peer
 * @param peerMspId - the MSP ID of the peer's org
 * @throws NetworkError when the peer cannot be reached
 */
export async function peerHeight(gateway: Gateway, peerMspId: string): Promise<number> {
  try {
    return (await evaluateChainInfo(gateway, peerMspId)).height;
  } catch (error) {
    throw fromFabricError(error);
  }
}

/**
 * Blocks `from`…`to` (inclusive) of the gateway peer's ledger, in order, from its block event
 * service (the gateway's Deliver stream, full blocks as the peer stores them, with the
 * validation flags it wrote).
 *
 * @throws NetworkError when the stream fails
 */
export async function* peerBlocks(gateway: Gateway, from: number, to: number): AsyncGenerator<BlockOrError> {
  if (to < from) {
    return;
  }
  const events = await gateway.getNetwork(CHANNEL).getBlockEvents({ startBlock: BigInt(from) });
  try {
    for await (const block of events) {
      yield { block };
      if ((block.getHeader()?.getNumber() ?? -1) >= to) {
        return;
      }
    }
  } catch (error) {
    throw fromFabricError(error);
  } finally {
    events.close();
  }
}

/**
 * The blocks of a copy of a ledger's block files (no network involved), in order; after a block
 * whose bytes cannot be decoded, that one error and nothing more.
 *
 * @param dir - a peer's or orderer's ledger folder, or a copy of one
 * @throws UsageError when `dir` holds no block files of the channel
 */
export function* ledgerDirBlocks(dir: string): Generator<BlockOrError> {
  let number = 0;
  for (const stored of storedBlocks(findChainDir(dir, CHANNEL))) {
    if ('warning' in stored) {
      yield stored;
    } else if ('error' in stored) {
      const where = stored.at === undefined ? '' : ` (${stored.at.file} at byte ${String(stored.at.offset)})`;
      yield { error: `${stored.error}${where}`, number };
      return;
    } else {
      number = (stored.block.getHeader()?.getNumber() ?? number) + 1;
      yield { block: stored.block };
    }
  }
}
