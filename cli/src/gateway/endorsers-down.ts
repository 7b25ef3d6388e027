import { peer } from '@hyperledger/fabric-protos';
import { NetworkError } from '../errors';
import { describeEndorsementPolicy, orgQuorum, type OrgQuorum } from '../network/policy';
import { CHAINCODE, CHANNEL, type Session } from './connect';
import type { AlivePeer } from './discovery';

/** The CLI's code for a transaction that too few orgs' peers are up to endorse. */
export const ENDORSERS_UNAVAILABLE = 'ENDORSERS_UNAVAILABLE';

/**
 * What the gateway said when it could not gather the endorsements a transaction needs, kept in
 * the error's `data`: the endorsers it tried that failed (their org and address).
 */
export interface EndorsementShortage {
  readonly failed: readonly { readonly mspId: string; readonly address: string }[];
}

/** The committed endorsement policy of the chaincode: its quorum when it is one, and its text. */
export interface CommittedPolicy {
  readonly quorum: OrgQuorum | undefined;
  readonly text: string;
}

/**
 * The orgs the transaction needs that have no peer up, and the sentence that says so.
 *
 * An org is up when the gateway peer's gossip knows a peer of it on the channel with the chaincode
 * (`alive`) that is not one of the endorsers the gateway just failed to reach (`shortage.failed`).
 * The orgs needed are those of the chaincode's `OutOf(n, ...)` policy (with any other policy,
 * every org seen alive or failing).
 *
 * @param policy - the committed chaincode endorsement policy
 * @param alive - the alive peers of the channel, from the gateway peer's discovery service
 * @param shortage - what the gateway reported
 * @returns the missing orgs (MSP IDs, in the policy's order) and a one-line message;
 *   `missing` is empty when every needed org has a peer up (the shortage has another cause)
 */
export function describeShortage(policy: CommittedPolicy, alive: readonly AlivePeer[], shortage: EndorsementShortage): { missing: string[]; message: string } {
  const failed = new Set(shortage.failed.map((f) => f.address));
  const up = new Set(alive.filter((p) => !failed.has(p.endpoint)).map((p) => p.mspId));
  const needed = policy.quorum?.mspIds ?? [...new Set(alive.map((p) => p.mspId).concat(shortage.failed.map((f) => f.mspId)))];
  const missing = needed.filter((m) => !up.has(m));
  const needs = policy.quorum === undefined ? policy.text : `${String(policy.quorum.n)} of ${policy.quorum.mspIds.join(', ')}`;
  return {
    missing,
    message: `not enough orgs' peers are up to endorse: the endorsement policy needs ${needs}; no peer of ${missing.join(', ')} answered (civic network status)`,
  };
}

/**
 * The civic chaincode's committed endorsement policy, asked of the gateway peer
 * (`_lifecycle` `QueryChaincodeDefinition`, which the channel's Readers may call).
 *
 * @throws Error (from the gateway) when the definition cannot be read
 */
export async function committedPolicy(session: Session): Promise<CommittedPolicy> {
  const args = new peer.lifecycle.QueryChaincodeDefinitionArgs();
  args.setName(CHAINCODE);
  const bytes = await session.gateway.getNetwork(CHANNEL).getContract('_lifecycle').evaluateTransaction('QueryChaincodeDefinition', args.serializeBinary());
  const parameter = peer.lifecycle.QueryChaincodeDefinitionResult.deserializeBinary(bytes).getValidationParameter_asU8();
  return { quorum: orgQuorum(parameter), text: describeEndorsementPolicy(Buffer.from(parameter).toString('base64')) };
}

/**
 * Turn the gateway's "cannot gather the endorsements" error into one that names the orgs with no
 * peer up (code {@link ENDORSERS_UNAVAILABLE}), from the committed policy and the gateway peer's
 * discovery service. Any other error, or one whose cause this cannot find, is returned unchanged
 * (with what went wrong in asking added to its `--verbose` detail).
 *
 * @param session - the open session on which the transaction failed
 * @param error - the error the transaction failed with
 * @returns the error to report
 */
export async function explainEndorserShortage(session: Session, error: unknown): Promise<unknown> {
  if (!(error instanceof NetworkError) || error.code !== ENDORSERS_UNAVAILABLE || !isShortage(error.data) || 'missingOrgs' in error.data) {
    return error;
  }
  try {
    const [policy, alive] = await Promise.all([committedPolicy(session), session.alivePeers()]);
    const { missing, message } = describeShortage(policy, alive, error.data);
    if (missing.length === 0) {
      return error;
    }
    const tx = error.transactionId === undefined ? '' : ` (tx ${error.transactionId})`;
    const explained = new NetworkError(`${message}${tx}`, { code: ENDORSERS_UNAVAILABLE, detail: error.detail, transactionId: error.transactionId });
    explained.data = { ...error.data, missingOrgs: missing, endorsementPolicy: policy.text };
    return explained;
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    return new NetworkError(error.message, {
      code: error.code,
      detail: `${error.detail ?? ''}\n(could not find which orgs are down: ${why})`,
      transactionId: error.transactionId,
    });
  }
}

function isShortage(data: unknown): data is EndorsementShortage {
  return typeof data === 'object' && data !== null && Array.isArray((data as EndorsementShortage).failed);
}
