import { CommitError, GatewayError } from '@hyperledger/fabric-gateway';
import { CliError, ContractError, NetworkError } from '../errors';
import { ENDORSERS_UNAVAILABLE, type EndorsementShortage } from './endorsers-down';
import { statusName } from './status-names';

/** A chaincode error message: `CODE: detail` (see chaincode/src/shared/errors.ts). */
/** gRPC status codes (https://grpc.io/docs/guides/status-codes/) with a message a clerk can act on. */
const GRPC_MESSAGES = new Map<number, readonly [string, string]>([
  [4, ['DEADLINE_EXCEEDED', 'the gateway peer did not answer in time']],
  [14, ['UNAVAILABLE', 'cannot reach the gateway peer: is the network up? (civic network status)']],
]);

const CHAINCODE_MESSAGE = /\b([A-Z][A-Z_]{2,}): (.+)$/s;

/**
 * The gateway peer's report that no orderer took a submitted transaction (Fabric
 * internal/pkg/gateway `Submit`): every orderer refused or was unreachable, e.g. with the Raft
 * majority down. The gateway peer itself answered, so "cannot reach the gateway peer" would
 * blame the wrong node.
 */
const NO_ORDERER = /no orderers could successfully process transaction/;

/**
 * The gateway's report that an endorser's proposal response differs from the first endorser's
 * (Fabric internal/pkg/gateway/endorsement.go `processEndorsement`): the peers ran the same
 * proposal and got different read/write sets or results, so no endorsement policy can be met.
 * The error is `failed to collect enough transaction endorsements`, one detail per differing peer.
 */
const PAYLOADS_DIFFER = /ProposalResponsePayloads do not match/;

/**
 * A peer's report that the chaincode process it was running the proposal in went away mid-call
 * (Fabric core/chaincode/handler.go: `error sending: chaincode stream terminated`): it crashed or
 * was killed. The peer launches it again for the next proposal.
 */
const CHAINCODE_TERMINATED = /chaincode stream terminated/;

/**
 * The gateway peer's report that the peers it knows as alive cannot satisfy the chaincode's
 * endorsement policy (Fabric internal/pkg/gateway, from its discovery-based endorsement plan).
 * It names no org: `explainEndorserShortage` finds which are down.
 */
const NO_ENDORSEMENT_PLAN = /no combination of peers can be derived which satisfy the endorsement policy/;

/**
 * The gateway peer's report that endorsers it planned on failed (Fabric internal/pkg/gateway
 * `Endorse`): right after peers stop, its gossip still lists them, it dials them, and each detail
 * says it could not connect (`rpc error: code = Unavailable ...`).
 */
const NOT_ENOUGH_ENDORSEMENTS = /failed to collect enough transaction endorsements/;
const UNREACHABLE_ENDORSER = /code = (?:Unavailable|DeadlineExceeded|Canceled)\b/;

/**
 * The gateway peer's report that an org the proposal named as endorser (`endorsingOrganizations`,
 * e.g. a debt collection's own org) has no alive peer; Fabric answers it with gRPC UNAVAILABLE,
 * which would otherwise read as the gateway peer itself being unreachable.
 */
const NO_ORG_ENDORSERS = /failed to find any endorsing peers for org\(s\): (.+)$/s;

/**
 * The gateway peer's report that no peer can evaluate a query, e.g. one asked of a named org (a
 * debt collection's own) none of whose peers is alive. It names no org; the caller knows which it asked.
 */
const NO_EVALUATOR = /no peers available to evaluate chaincode/;

/** A peer's refusal of the proposal's creator before any chaincode runs (not a channel member's, or not valid). */
const ACCESS_DENIED = /(access denied: .+)$/s;

/**
 * A peer's refusal of a proposal whose creator's certificate is past its notAfter: the peer's
 * proposal filter (Fabric core/handlers/auth/filter/expiration.go), before the endorser runs.
 */
const IDENTITY_EXPIRED = /proposal client identity expired/;

/**
 * A peer's own refusal of a proposal stamped too far from its clock (Fabric core.yaml
 * `peer.authentication.timewindow`, 15 min by default), before any chaincode runs.
 */
const PEER_TIME_WINDOW = /incorrect timestamp (\S+), peer time (\S+), peer\.authentication\.timewindow (\S+)/;

/**
 * The peer's time-window refusal as the chaincode words its own, stricter one (FAILED_PRECONDITION).
 *
 * @returns the error, or undefined when `message` is not that refusal
 */
function fromTimeWindow(message: string, endorser: string, tx: string, transactionId: string | undefined, detail: string): ContractError | undefined {
  const match = PEER_TIME_WINDOW.exec(message);
  if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) {
    return undefined;
  }
  const off = Math.round((Date.parse(match[1]) - Date.parse(match[2])) / 1000);
  const text =
    `FAILED_PRECONDITION: the proposal's timestamp ${match[1]} is ${Math.abs(off)} s ${off > 0 ? 'ahead of' : 'behind'} the peer's clock ` +
    `(limit ${match[3]}, peer.authentication.timewindow); check the client's clock (NTP)`;
  return new ContractError('FAILED_PRECONDITION', `${text} (endorser ${endorser.split(' ')[0] ?? endorser}${tx})`, { transactionId, endorser, detail });
}

/**
 * Turn an error from the Fabric Gateway client into one line a clerk understands:
 * the chaincode's own message, the endorsing org and the transaction id, with
 * the gateway's full detail kept for `--verbose`.
 *
 * @param error - anything thrown while evaluating or submitting
 * @param askedOrgs - the orgs the proposal named to endorse or answer (`endorsingOrganizations`), if any
 * @returns a ContractError (the chaincode refused: exit 1) or NetworkError (exit 2)
 */
export function fromFabricError(error: unknown, askedOrgs: readonly string[] = []): CliError {
  if (error instanceof CliError) {
    return error;
  }
  if (error instanceof CommitError) {
    const name = statusName(error.code);
    return new ContractError(name, `transaction ${error.transactionId} was not committed: ${name}`, {
      transactionId: error.transactionId,
      detail: error.message,
    });
  }
  if (error instanceof GatewayError) {
    return fromGatewayError(error, askedOrgs);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new NetworkError(message, { detail: error instanceof Error ? error.stack : undefined });
}

/**
 * One endorser's refusal as a clerk should read it: the peer's time window, the peer's refusal of
 * an expired certificate, or of an identity that is not of a channel member (Fabric core/endorser/msgvalidation.go,
 * `access denied: channel [...] creator org ...`), or the chaincode's own `CODE: detail`.
 *
 * @returns the error, or undefined when the message is none of those
 */
function fromEndorserMessage(d: GatewayError['details'][number], tx: string, transactionId: string | undefined, detail: string): ContractError | undefined {
  const endorser = `${d.mspId} ${d.address}`;
  const skewed = fromTimeWindow(d.message, endorser, tx, transactionId, detail);
  if (skewed !== undefined) {
    return skewed;
  }
  if (IDENTITY_EXPIRED.test(d.message)) {
    const text = `ACCESS_DENIED: ${d.mspId}'s peer refused the caller's identity: proposal client identity expired (its certificate's validity has ended; enroll again)`;
    return new ContractError('ACCESS_DENIED', `${text} (endorser ${d.mspId}${tx})`, { transactionId, endorser, detail });
  }
  const denied = ACCESS_DENIED.exec(d.message);
  if (denied?.[1] !== undefined) {
    const text = `ACCESS_DENIED: ${d.mspId}'s peer refused the caller's identity: ${denied[1]} (is the caller's org on the channel, and its certificate valid?)`;
    return new ContractError('ACCESS_DENIED', `${text} (endorser ${d.mspId}${tx})`, { transactionId, endorser, detail });
  }
  const match = CHAINCODE_MESSAGE.exec(d.message);
  if (match?.[1] !== undefined && match[2] !== undefined) {
    return new ContractError(match[1], `${match[1]}: ${match[2]} (endorser ${d.mspId}${tx})`, { transactionId, endorser, detail });
  }
  return undefined;
}

/**
 * Endorsements that failed for the chaincode's sake, not the caller's: a chaincode process that
 * stopped mid-call ({@link CHAINCODE_TERMINATED}), as `CHAINCODE_TERMINATED` (exit 2), or
 * endorsers whose results differed from the first endorser's ({@link PAYLOADS_DIFFER}), as one
 * `ENDORSEMENTS_DIFFER` (exit 1) naming their orgs: the chaincode is not deterministic.
 *
 * @returns the error, or undefined when no detail reports either
 */
function fromFailedEndorsements(details: GatewayError['details'], tx: string, transactionId: string | undefined, detail: string): CliError | undefined {
  const crashed = details.find((d) => CHAINCODE_TERMINATED.test(d.message));
  if (crashed !== undefined) {
    const text =
      `the chaincode process on ${crashed.mspId}'s peer (${crashed.address}) stopped while it ran the transaction (chaincode stream terminated); ` +
      'nothing was written: retry, the peer starts the chaincode again';
    return new NetworkError(`${text}${tx === '' ? '' : ` (${tx.slice(2)})`}`, { code: 'CHAINCODE_TERMINATED', detail });
  }
  const differing = details.filter((d) => PAYLOADS_DIFFER.test(d.message));
  if (differing.length === 0) {
    return undefined;
  }
  const text =
    `the endorsing peers returned different results (the chaincode is not deterministic: ${differing.map((d) => d.mspId).join(', ')} ` +
    'disagreed with the first endorser), so the transaction was not submitted and nothing was written';
  return new ContractError('ENDORSEMENTS_DIFFER', `ENDORSEMENTS_DIFFER: ${text}${tx === '' ? '' : ` (${tx.slice(2)})`}`, { transactionId, detail });
}

/**
 * What the endorsers' own messages say, first one endorser's refusal ({@link fromEndorserMessage}),
 * else endorsements that failed for the chaincode's sake ({@link fromFailedEndorsements}).
 *
 * @returns the error, or undefined when no detail says either
 */
function fromEndorsements(details: GatewayError['details'], tx: string, transactionId: string | undefined, detail: string): CliError | undefined {
  for (const d of details) {
    const refused = fromEndorserMessage(d, tx, transactionId, detail);
    if (refused !== undefined) {
      return refused;
    }
  }
  return fromFailedEndorsements(details, tx, transactionId, detail);
}

function fromGatewayError(error: GatewayError, askedOrgs: readonly string[]): CliError {
  // EndorseError, SubmitError and CommitStatusError carry the transaction id.
  const transactionId = 'transactionId' in error && typeof error.transactionId === 'string' ? error.transactionId : undefined;
  const tx = transactionId === undefined ? '' : `, tx ${transactionId}`;
  const detail = [error.message, ...error.details.map((d) => `  ${d.mspId} ${d.address}: ${d.message}`)].join('\n');
  const endorsed = fromEndorsements(error.details, tx, transactionId, detail);
  if (endorsed !== undefined) {
    return endorsed;
  }
  const shortage = endorserShortage(error, askedOrgs, tx, detail);
  if (shortage !== undefined) {
    return shortage;
  }
  if (NO_ORDERER.test(error.message)) {
    const text = 'the orderers did not take the transaction: none answered or accepted it (is a majority of the orderers up? civic network status)';
    return new NetworkError(`${text}${tx === '' ? '' : ` (${tx.slice(2)})`}`, { code: 'ORDERERS_UNAVAILABLE', detail });
  }
  const known = GRPC_MESSAGES.get(error.code);
  if (known !== undefined) {
    return new NetworkError(`${known[1]}${tx === '' ? '' : ` (${tx.slice(2)})`}`, { code: known[0], detail });
  }
  return new NetworkError(`${error.message}${tx === '' ? '' : ` (${tx.slice(2)})`}`, { code: `GRPC_${error.code}`, detail });
}

/**
 * The gateway's report that too few orgs have a peer up to endorse, as a NetworkError of code
 * `ENDORSERS_UNAVAILABLE` whose `data` (an `EndorsementShortage`) lets `explainEndorserShortage`
 * name the missing orgs; when the gateway named them itself (orgs the proposal asked for), the
 * message names them already.
 *
 * @returns the error, or undefined when `error` is no such report
 */
function endorserShortage(error: GatewayError, askedOrgs: readonly string[], tx: string, detail: string): NetworkError | undefined {
  const txNote = tx === '' ? '' : ` (${tx.slice(2)})`;
  const failed = error.details.filter((d) => UNREACHABLE_ENDORSER.test(d.message)).map((d) => ({ mspId: d.mspId, address: d.address }));
  const missing = missingAskedOrgs(error.message, askedOrgs);
  if (missing !== undefined) {
    const text = missing.named
      ? `the orgs that must endorse this transaction are not all up: no peer of ${missing.orgs.join(', ')} answered (civic network status)`
      : `no peer of ${missing.orgs.join(', ')}, the org(s) this query must be answered by, is up (civic network status)`;
    const result = new NetworkError(`${text}${txNote}`, { code: ENDORSERS_UNAVAILABLE, detail });
    result.data = { failed, missingOrgs: missing.orgs };
    return result;
  }
  if (NO_ENDORSEMENT_PLAN.test(error.message) || (NOT_ENOUGH_ENDORSEMENTS.test(error.message) && failed.length > 0)) {
    const text = "not enough orgs' peers are up to satisfy the chaincode's endorsement policy (civic network status)";
    const result = new NetworkError(`${text}${txNote}`, { code: ENDORSERS_UNAVAILABLE, detail, transactionId: transactionIdOf(error) });
    const data: EndorsementShortage = { failed };
    result.data = data;
    return result;
  }
  return undefined;
}

/**
 * The orgs a proposal named (`endorsingOrganizations`) that have no peer up: as the gateway names
 * them for an endorsement, or all the orgs asked when it says no peer can evaluate a query.
 *
 * @returns the orgs and whether the gateway named them, or undefined for any other message
 */
function missingAskedOrgs(message: string, askedOrgs: readonly string[]): { orgs: string[]; named: boolean } | undefined {
  const named = NO_ORG_ENDORSERS.exec(message)?.[1];
  if (named !== undefined) {
    return {
      orgs: named
        .trim()
        .split(/[\s,]+/)
        .filter((m) => m !== ''),
      named: true,
    };
  }
  return askedOrgs.length > 0 && NO_EVALUATOR.test(message) ? { orgs: [...askedOrgs], named: false } : undefined;
}

function transactionIdOf(error: GatewayError): string | undefined {
  return 'transactionId' in error && typeof error.transactionId === 'string' ? error.transactionId : undefined;
}
