import { common, msp, peer } from '@hyperledger/fabric-protos';

const ROLE_NAMES: Record<number, string> = { 0: 'member', 1: 'admin', 2: 'client', 3: 'peer', 4: 'orderer' };

/**
 * Render a chaincode definition's validation parameter (a serialized `protos.ApplicationPolicy`,
 * base64 as `peer lifecycle chaincode querycommitted --output json` prints it) in the syntax of
 * `--signature-policy`, e.g. `OutOf(2, 'CityMSP.peer', 'AgenciesMSP.peer', 'UtilitiesMSP.peer')`,
 * or as the channel policy it references (`/Channel/Application/Endorsement`).
 *
 * @param base64 - the validation parameter
 * @returns the policy as text
 * @throws Error when the bytes are not an ApplicationPolicy
 */
export function describeEndorsementPolicy(base64: string): string {
  const policy = peer.ApplicationPolicy.deserializeBinary(Buffer.from(base64, 'base64'));
  if (policy.hasChannelConfigPolicyReference()) {
    return `channel policy ${policy.getChannelConfigPolicyReference()}`;
  }
  const envelope = policy.getSignaturePolicy();
  const rule = envelope?.getRule();
  if (envelope === undefined || rule === undefined) {
    throw new Error('validation parameter holds no endorsement policy');
  }
  const principals = envelope.getIdentitiesList().map(describePrincipal);
  return describeRule(rule, principals);
}

function describePrincipal(principal: msp.MSPPrincipal): string {
  if (principal.getPrincipalClassification() !== msp.MSPPrincipal.Classification.ROLE) {
    return `<principal classification ${String(principal.getPrincipalClassification())}>`;
  }
  const role = msp.MSPRole.deserializeBinary(principal.getPrincipal_asU8());
  return `'${role.getMspIdentifier()}.${ROLE_NAMES[role.getRole()] ?? String(role.getRole())}'`;
}

function describeRule(rule: common.SignaturePolicy, principals: readonly string[]): string {
  if (rule.hasSignedBy()) {
    return principals[rule.getSignedBy()] ?? `<identity ${String(rule.getSignedBy())}>`;
  }
  const nOutOf = rule.getNOutOf();
  const parts = (nOutOf?.getRulesList() ?? []).map((r) => describeRule(r, principals));
  const n = nOutOf?.getN() ?? 0;
  if (n === parts.length && n > 1) {
    return `AND(${parts.join(', ')})`;
  }
  if (n === 1 && parts.length > 1) {
    return `OR(${parts.join(', ')})`;
  }
  return `OutOf(${String(n)}, ${parts.join(', ')})`;
}

/** An endorsement policy of the form `OutOf(n, 'A.peer', 'B.peer', ...)`: how many of which orgs. */
export interface OrgQuorum {
  /** How many distinct orgs must endorse. */
  readonly n: number;
  /** The orgs (MSP IDs) any `n` of which satisfy the policy, in the policy's order. */
  readonly mspIds: readonly string[];
}

/**
 * The org quorum of a chaincode definition's validation parameter, when the policy is a single
 * `OutOf(n, ...)` (AND and OR included) over one role principal per org, as network/lib/chaincode.sh
 * commits it; `undefined` for any other policy (a channel policy reference, a nested rule).
 *
 * @param validationParameter - a serialized `protos.ApplicationPolicy`
 * @returns n and the orgs, or undefined
 * @throws Error when the bytes are not an ApplicationPolicy
 */
export function orgQuorum(validationParameter: Uint8Array): OrgQuorum | undefined {
  const policy = peer.ApplicationPolicy.deserializeBinary(validationParameter);
  const envelope = policy.getSignaturePolicy();
  const nOutOf = envelope?.getRule()?.getNOutOf();
  if (envelope === undefined || nOutOf === undefined) {
    return undefined;
  }
  const principals = envelope.getIdentitiesList();
  const mspIds: string[] = [];
  for (const rule of nOutOf.getRulesList()) {
    const principal = rule.hasSignedBy() ? principals[rule.getSignedBy()] : undefined;
    if (principal?.getPrincipalClassification() !== msp.MSPPrincipal.Classification.ROLE) {
      return undefined;
    }
    mspIds.push(msp.MSPRole.deserializeBinary(principal.getPrincipal_asU8()).getMspIdentifier());
  }
  return new Set(mspIds).size === mspIds.length ? { n: nOutOf.getN(), mspIds } : undefined;
}
