/**
 * Evaluate a channel config policy against a set of signing identities whose signatures have
 * already been checked, the way Fabric does: signature policies as cauthdsl compiles them (each
 * identity satisfies at most one principal of an N-out-of gate) and implicit meta policies over
 * the sub-groups (common/policies/implicitmeta.go: ANY needs one, ALL all, MAJORITY more than
 * half; with no sub-groups, none).
 */
import { common, msp } from '@hyperledger/fabric-protos';
import { groupAt } from './channel-config';
import { principalRefusal, type ValidIdentity } from './msp';

/** Why a policy is or is not satisfied, for people. */
export interface PolicyOutcome {
  readonly satisfied: boolean;
  readonly explanation: string;
}

function signaturePolicy(rule: common.SignaturePolicy, principals: msp.MSPPrincipal[], identities: readonly ValidIdentity[], used: boolean[]): boolean {
  if (rule.hasSignedBy()) {
    const principal = principals[rule.getSignedBy()];
    if (principal === undefined) {
      return false;
    }
    const index = identities.findIndex((identity, i) => used[i] !== true && principalRefusal(identity, principal) === undefined);
    if (index < 0) {
      return false;
    }
    used[index] = true;
    return true;
  }
  const gate = rule.getNOutOf();
  if (gate === undefined) {
    return false;
  }
  let verified = 0;
  for (const sub of gate.getRulesList()) {
    const trial = [...used];
    if (signaturePolicy(sub, principals, identities, trial)) {
      verified += 1;
      trial.forEach((u, i) => {
        used[i] = u;
      });
    }
  }
  return verified >= gate.getN();
}

function principalName(principal: msp.MSPPrincipal): string {
  if (principal.getPrincipalClassification() === msp.MSPPrincipal.Classification.ROLE) {
    const role = msp.MSPRole.deserializeBinary(principal.getPrincipal_asU8());
    return `'${role.getMspIdentifier()}.${['member', 'admin', 'client', 'peer', 'orderer'][role.getRole()] ?? String(role.getRole())}'`;
  }
  return 'an identity';
}

function describeRule(rule: common.SignaturePolicy, principals: msp.MSPPrincipal[]): string {
  if (rule.hasSignedBy()) {
    const principal = principals[rule.getSignedBy()];
    return principal === undefined ? '?' : principalName(principal);
  }
  const gate = rule.getNOutOf();
  const subs = gate?.getRulesList().map((r) => describeRule(r, principals)) ?? [];
  return `OutOf(${String(gate?.getN() ?? 0)}, ${subs.join(', ')})`;
}

/** How many of `count` sub-groups an implicit meta rule needs (Fabric: none when there are none). */
function thresholdOf(rule: number, count: number): number {
  if (count === 0) {
    return 0;
  }
  if (rule === common.ImplicitMetaPolicy.Rule.ANY) {
    return 1;
  }
  return rule === common.ImplicitMetaPolicy.Rule.ALL ? count : Math.floor(count / 2) + 1;
}

function implicitMeta(
  root: common.ConfigGroup,
  groupPath: readonly string[],
  group: common.ConfigGroup,
  meta: common.ImplicitMetaPolicy,
  identities: readonly ValidIdentity[],
  where: string,
): PolicyOutcome {
  const children = [...group.getGroupsMap().keys()];
  const met = children.filter((child) => evaluatePolicy(root, [...groupPath, child], meta.getSubPolicy(), identities).satisfied);
  const ruleName = ['ANY', 'ALL', 'MAJORITY'][meta.getRule()] ?? String(meta.getRule());
  return {
    satisfied: met.length >= thresholdOf(meta.getRule(), children.length),
    explanation: `${where} = ${ruleName} ${meta.getSubPolicy()} (${String(met.length)} of ${String(children.length)} groups met it: ${met.join(', ') || 'none'})`,
  };
}

/**
 * Evaluate the policy `name` of the config group at `groupPath` (e.g. `['Orderer']`,
 * `BlockValidation`).
 *
 * @param root - the channel's root config group
 * @param identities - distinct identities whose signatures are valid
 * @returns whether it is satisfied, and the policy's rule for the report
 */
export function evaluatePolicy(root: common.ConfigGroup, groupPath: readonly string[], name: string, identities: readonly ValidIdentity[]): PolicyOutcome {
  const where = `/Channel/${[...groupPath, name].join('/')}`;
  const group = groupAt(root, groupPath);
  const policy = group?.getPoliciesMap().get(name)?.getPolicy();
  if (group === undefined || policy === undefined) {
    return { satisfied: false, explanation: `${where} does not exist` };
  }
  if (policy.getType() === common.Policy.PolicyType.SIGNATURE) {
    const envelope = common.SignaturePolicyEnvelope.deserializeBinary(policy.getValue_asU8());
    const rule = envelope.getRule();
    const principals = envelope.getIdentitiesList();
    const satisfied =
      rule !== undefined &&
      signaturePolicy(
        rule,
        principals,
        identities,
        identities.map(() => false),
      );
    return { satisfied, explanation: `${where} = ${rule === undefined ? '(empty)' : describeRule(rule, principals)}` };
  }
  if (policy.getType() === common.Policy.PolicyType.IMPLICIT_META) {
    return implicitMeta(root, groupPath, group, common.ImplicitMetaPolicy.deserializeBinary(policy.getValue_asU8()), identities, where);
  }
  return { satisfied: false, explanation: `${where} has policy type ${String(policy.getType())}, which this verifier does not evaluate` };
}
