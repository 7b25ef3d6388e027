import { CommitStatusError, StatusCode, type Contract, type Status, type SubmittedTransaction } from '@hyperledger/fabric-gateway';
import { ContractError, NetworkError } from '../errors';
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
  /**
   * Called with the transaction id once a proposal is endorsed and before it is sent to the
   * orderers (again for each attempt), so that a caller can note it durably first: whatever then
   * fails, the transaction may commit under that id.
   */
  readonly beforeSubmit?: (transactionId: string) => Promise<void>;
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

/** How many times the commit status of one submitted transaction is asked for before it is reported unknown. */
export const COMMIT_STATUS_ASKS = 5;

/**
 * The commit status of a submitted transaction. A `CommitStatusError` (the gateway peer did not
 * answer in time, or was unreachable) does not mean the transaction failed: it was sent to the
 * orderers and may well commit. So the same transaction id is asked about again, with backoff,
 * instead of submitting the work a second time.
 *
 * @throws NetworkError `COMMIT_STATUS_UNKNOWN` naming the transaction id after {@link COMMIT_STATUS_ASKS} failed asks
 */
async function commitStatusOf(submitted: SubmittedTransaction, onRetry: (message: string) => void, pauseMs: number): Promise<Status> {
  for (let ask = 1; ; ask++) {
    try {
      return await submitted.getStatus();
    } catch (error) {
      if (!(error instanceof CommitStatusError)) {
        throw error;
      }
      if (ask >= COMMIT_STATUS_ASKS) {
        throw new NetworkError(
          `transaction ${error.transactionId} was submitted, but its commit status is still unknown after ${String(ask)} asks; it may yet commit, so look it up before submitting the same work again`,
          { code: 'COMMIT_STATUS_UNKNOWN', detail: error.message, transactionId: error.transactionId },
        );
      }
      onRetry(`commit status of ${error.transactionId} not known yet (${error.message}); asking again (${String(ask + 1)} of ${String(COMMIT_STATUS_ASKS)})`);
      await new Promise((resolve) => setTimeout(resolve, pauseMs * 2 ** ask));
    }
  }
}

/**
 * A transaction answered at endorsement and never sent to the orderers: its result said that
 * committing it would change nothing (an idempotent retry of work already on the ledger).
 */
export interface AnsweredAtEndorsement {
  readonly result: string;
  /** The id of the endorsed proposal, which was not submitted and so is in no block. */
  readonly transactionId: string;
}

/**
 * Submit a transaction with the gateway's endorse → submit → commit-status flow.
 * MVCC_READ_CONFLICT / PHANTOM_READ_CONFLICT are retried (with a fresh proposal)
 * up to `maxAttempts` times with exponential backoff; nothing else is resubmitted. When the commit
 * status cannot be had, the same transaction's status is asked for again (never a second submit).
 *
 * @param contract - the contract, from a session
 * @param name - transaction name within the contract, e.g. `RegisterDID`
 * @param args - string arguments
 * @param onRetry - told of each retry (for `--verbose`)
 * @param maxAttempts - attempts before an MVCC conflict is reported
 * @param extras - transient data and endorsing orgs
 * @param statusPauseMs - base pause between commit-status asks (doubled each time)
 * @returns the committed result with transaction id and block number
 * @throws ContractError when the chaincode refuses or the transaction is invalidated; NetworkError
 *   (`COMMIT_STATUS_UNKNOWN` when its fate stays unknown) otherwise
 */
export async function submit(
  contract: Contract,
  name: string,
  args: readonly string[],
  onRetry: (message: string) => void = () => undefined,
  maxAttempts = 5,
  extras: ProposalExtras = {},
  statusPauseMs = 250,
): Promise<Committed> {
  return (await submitUnlessAnswered(contract, name, args, () => false, onRetry, maxAttempts, extras, statusPauseMs)) as Committed;
}

/**
 * As {@link submit}, but each endorsed result is first shown to `answered`: when it says the
 * transaction would change nothing (e.g. the chaincode found the same record already stored
 * under a client-chosen id), the transaction is not sent to the orderers and the endorsed result
 * is returned as it is. A transaction that writes nothing would in any case not be valid under
 * a one-org collection endorsement (Fabric then checks the chaincode-wide policy).
 *
 * @param answered - true for an endorsed result (UTF-8) that needs no commit
 * @returns the committed transaction, or the answer at endorsement (no `blockNumber`)
 * @throws as {@link submit}
 */
export async function submitUnlessAnswered(
  contract: Contract,
  name: string,
  args: readonly string[],
  answered: (result: string) => boolean,
  onRetry: (message: string) => void = () => undefined,
  maxAttempts = 5,
  extras: ProposalExtras = {},
  statusPauseMs = 250,
): Promise<Committed | AnsweredAtEndorsement> {
  for (let attempt = 1; ; attempt++) {
    try {
      const proposal = contract.newProposal(name, proposalOptions(args, extras));
      const transaction = await proposal.endorse();
      const endorsed = Buffer.from(transaction.getResult()).toString('utf8');
      if (answered(endorsed)) {
        return { result: endorsed, transactionId: transaction.getTransactionId() };
      }
      await extras.beforeSubmit?.(transaction.getTransactionId());
      const submitted = await transaction.submit();
      const status = await commitStatusOf(submitted, onRetry, statusPauseMs);
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
      throw fromFabricError(error, extras.endorsingOrganizations);
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
    throw fromFabricError(error, extras.endorsingOrganizations);
  }
}
