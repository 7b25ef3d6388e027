import { StatusCode, type Contract } from '@hyperledger/fabric-gateway';
import { ContractError } from '../errors';
import { fromFabricError } from './fabric-errors';
import { statusName } from './status-names';

/** A committed transaction: its result, id and block. */
export interface Committed {
  readonly result: string;
  readonly transactionId: string;
  readonly blockNumber: bigint;
  /** How many attempts it took (MVCC conflicts are retried). */
  readonly attempts: number;
}

/**
 * What a proposal carries besides its arguments: private input in the transient map (sent to
 * the endorsing peers only, never written to a block) and the orgs whose peers must endorse or,
 * for an evaluation, answer (for private data that only those orgs' peers hold).
 */
export interface ProposalExtras {
  readonly transient?: Readonly<Record<string, string>>;
  readonly endorsingOrganizations?: readonly string[];
}

function proposalOptions(
  args: readonly string[],
  extras: ProposalExtras,
): { arguments: string[]; transientData?: Record<string, Uint8Array>; endorsingOrganizations?: string[] } {
  return {
    arguments: [...args],
    ...(extras.transient === undefined
      ? {}
      : { transientData: Object.fromEntries(Object.entries(extras.transient).map(([k, v]) => [k, Buffer.from(v, 'utf8')])) }),
    ...(extras.endorsingOrganizations === undefined ? {} : { endorsingOrganizations: [...extras.endorsingOrganizations] }),
  };
}

const RETRYABLE = new Set<number>([StatusCode.MVCC_READ_CONFLICT, StatusCode.PHANTOM_READ_CONFLICT]);

/**
 * Submit a transaction with the gateway's endorse → submit → commit-status flow.
 * MVCC_READ_CONFLICT / PHANTOM_READ_CONFLICT are retried (with a fresh proposal)
 * up to `maxAttempts` times with exponential backoff; nothing else is retried.
 *
 * @param contract - the contract, from a session
 * @param name - transaction name within the contract, e.g. `RegisterDID`
 * @param args - string arguments
 * @param onRetry - told of each retry (for `--verbose`)
 * @param maxAttempts - attempts before an MVCC conflict is reported
 * @param extras - transient data and endorsing orgs
 * @returns the committed result with transaction id and block number
 * @throws ContractError when the chaincode refuses or the transaction is invalidated; NetworkError otherwise
 */
export async function submit(
  contract: Contract,
  name: string,
  args: readonly string[],
  onRetry: (message: string) => void = () => undefined,
  maxAttempts = 5,
  extras: ProposalExtras = {},
): Promise<Committed> {
  for (let attempt = 1; ; attempt++) {
    try {
      const proposal = contract.newProposal(name, proposalOptions(args, extras));
      const transaction = await proposal.endorse();
      const submitted = await transaction.submit();
      const status = await submitted.getStatus();
      if (status.successful) {
        return {
          result: Buffer.from(submitted.getResult()).toString('utf8'),
          transactionId: status.transactionId,
          blockNumber: status.blockNumber,
          attempts: attempt,
        };
      }
      const codeName = statusName(status.code);
      if (!RETRYABLE.has(status.code) || attempt >= maxAttempts) {
        throw new ContractError(codeName, `transaction ${status.transactionId} was not committed: ${codeName} (block ${status.blockNumber})`, {
          transactionId: status.transactionId,
        });
      }
      onRetry(`${codeName} on ${status.transactionId}; retrying (attempt ${attempt + 1} of ${maxAttempts})`);
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    } catch (error) {
      throw fromFabricError(error);
    }
  }
}

/**
 * Evaluate a query transaction on the org's gateway peer.
 *
 * @returns the UTF-8 result
 * @throws ContractError / NetworkError as for {@link submit}
 */
export async function evaluate(contract: Contract, name: string, args: readonly string[], extras: ProposalExtras = {}): Promise<string> {
  try {
    return Buffer.from(await contract.newProposal(name, proposalOptions(args, extras)).evaluate()).toString('utf8');
  } catch (error) {
    throw fromFabricError(error);
  }
}
