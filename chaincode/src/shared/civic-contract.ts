import { Contract, type Context } from 'fabric-contract-api';
import { checkProposalTime } from './peer-clock';

/**
 * The base of every civic contract: before each transaction (submit or evaluate), the peer
 * refuses a proposal whose client-set timestamp is off its own clock beyond the allowed skew.
 */
export abstract class CivicContract extends Contract {
  /**
   * Called by fabric-contract-api before the transaction function.
   *
   * @param ctx - the transaction context
   * @throws ChaincodeError `FAILED_PRECONDITION` when the proposal's timestamp is too far off this peer's clock
   */
  override beforeTransaction(ctx: Context): Promise<void> {
    return new Promise((resolve) => {
      checkProposalTime(ctx);
      resolve();
    });
  }
}
