import { CommitStatusError, EndorseError, GatewayError } from '@hyperledger/fabric-gateway';
import { statusName } from '@civic-ledger/cli/dist/gateway/status-names';
import type { OrgName } from '@civic-ledger/cli/dist/options';
import type { Sessions } from './sessions';
import type { Sample } from './stats';

/** One transaction to submit: who submits it where, and what it calls. */
export interface TxSpec {
  /** The org whose gateway (and whose staff member) submits it. */
  readonly org: OrgName;
  /** The staff user (a role name in the network's wallet). */
  readonly user: string;
  readonly contract: string;
  readonly fn: string;
  readonly args: readonly string[];
  /** Private input (UTF-8 strings), sent to the endorsers only. */
  readonly transient?: Readonly<Record<string, string>>;
  /** The MSP IDs whose peers must endorse (private data); by default the gateway chooses. */
  readonly endorsingOrganizations?: readonly string[];
}

/**
 * The failure stage of an error thrown by fabric-gateway before a commit status was had.
 *
 * @returns `ENDORSE_ERROR`, `SUBMIT_ERROR`, `COMMIT_STATUS_ERROR` or `CLIENT_ERROR`
 */
export function errorCode(error: unknown): string {
  if (error instanceof EndorseError) {
    return 'ENDORSE_ERROR';
  }
  if (error instanceof CommitStatusError) {
    return 'COMMIT_STATUS_ERROR';
  }
  // SubmitError, the one other GatewayError, is exported as a type only.
  if (error instanceof GatewayError) {
    return 'SUBMIT_ERROR';
  }
  return 'CLIENT_ERROR';
}

/** A sample with the first error message seen, for the report. */
export interface Outcome extends Sample {
  /** The transaction id, once a proposal was made. */
  readonly transactionId?: string;
  readonly message?: string;
}

/**
 * Submit one transaction with the gateway's endorse → submit → commit-status flow, once (no
 * retries: a conflict or a refusal is an outcome to count), and time it.
 *
 * @param sessions - the gateway sessions
 * @param tx - the transaction
 * @param now - the monotonic clock, milliseconds
 * @returns its outcome: the commit status code name, or the failing stage and its message
 */
export async function submitOnce(sessions: Sessions, tx: TxSpec, now: () => number = () => performance.now()): Promise<Outcome> {
  const startMs = now();
  let transactionId: string | undefined;
  try {
    const contract = sessions.of(tx.org, tx.user).contract(tx.contract);
    const proposal = contract.newProposal(tx.fn, {
      arguments: [...tx.args],
      ...(tx.transient === undefined ? {} : { transientData: Object.fromEntries(Object.entries(tx.transient).map(([k, v]) => [k, Buffer.from(v, 'utf8')])) }),
      ...(tx.endorsingOrganizations === undefined ? {} : { endorsingOrganizations: [...tx.endorsingOrganizations] }),
    });
    transactionId = proposal.getTransactionId();
    const transaction = await proposal.endorse();
    const submitted = await transaction.submit();
    const status = await submitted.getStatus();
    return { startMs, endMs: now(), code: statusName(status.code), transactionId };
  } catch (error) {
    return { startMs, endMs: now(), code: errorCode(error), message: messageOf(error), ...(transactionId === undefined ? {} : { transactionId }) };
  }
}

function messageOf(error: unknown): string {
  const e = error as { message?: unknown; details?: { message?: unknown }[] };
  const details = (e.details ?? []).map((d) => String(d.message)).join('; ');
  return `${String(e.message)}${details === '' ? '' : ` (${details})`}`.slice(0, 500);
}
