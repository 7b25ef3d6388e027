import { common, msp, peer } from '@hyperledger/fabric-protos';
import { orgQuorum } from '../network/policy';
import { describeShortage, type CommittedPolicy } from './endorsers-down';

/** A serialized ApplicationPolicy `OutOf(n, 'A.peer', ...)` as `peer lifecycle ... --signature-policy` commits it. */
function outOf(n: number, mspIds: readonly string[]): Uint8Array {
  const identities = mspIds.map((id) => {
    const role = new msp.MSPRole();
    role.setMspIdentifier(id);
    role.setRole(msp.MSPRole.MSPRoleType.PEER);
    const principal = new msp.MSPPrincipal();
    principal.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
    principal.setPrincipal(role.serializeBinary());
    return principal;
  });
  const rules = mspIds.map((_, i) => {
    const rule = new common.SignaturePolicy();
    rule.setSignedBy(i);
    return rule;
  });
  const nOutOf = new common.SignaturePolicy.NOutOf();
  nOutOf.setN(n);
  nOutOf.setRulesList(rules);
  const rule = new common.SignaturePolicy();
  rule.setNOutOf(nOutOf);
  const envelope = new common.SignaturePolicyEnvelope();
  envelope.setRule(rule);
  envelope.setIdentitiesList(identities);
  const policy = new peer.ApplicationPolicy();
  policy.setSignaturePolicy(envelope);
  return policy.serializeBinary();
}

const FOUNDERS = ['CityMSP', 'AgenciesMSP', 'UtilitiesMSP'];

describe('orgQuorum', () => {
  it("reads n and the orgs of the committed OutOf policy, a joined org's too", () => {
    expect(orgQuorum(outOf(2, FOUNDERS))).toEqual({ n: 2, mspIds: FOUNDERS });
    expect(orgQuorum(outOf(3, [...FOUNDERS, 'HarbourMSP']))).toEqual({ n: 3, mspIds: [...FOUNDERS, 'HarbourMSP'] });
  });

  it('gives undefined for a channel policy reference', () => {
    const policy = new peer.ApplicationPolicy();
    policy.setChannelConfigPolicyReference('/Channel/Application/Endorsement');
    expect(orgQuorum(policy.serializeBinary())).toBeUndefined();
  });
});

describe('describeShortage', () => {
  const policy: CommittedPolicy = { quorum: { n: 2, mspIds: FOUNDERS }, text: "OutOf(2, 'CityMSP.peer', ...)" };

  it('names the policy orgs with no alive peer', () => {
    const { missing, message } = describeShortage(policy, [{ mspId: 'CityMSP', endpoint: '127.0.0.1:24602' }], { failed: [] });
    expect(missing).toEqual(['AgenciesMSP', 'UtilitiesMSP']);
    expect(message).toBe(
      "not enough orgs' peers are up to endorse: the endorsement policy needs 2 of CityMSP, AgenciesMSP, UtilitiesMSP; no peer of AgenciesMSP, UtilitiesMSP answered (civic network status)",
    );
  });

  it('counts a peer gossip still lists but the gateway failed to reach as down, and another peer of its org as up', () => {
    const alive = [
      { mspId: 'CityMSP', endpoint: 'c:1' },
      { mspId: 'AgenciesMSP', endpoint: 'a:1' },
      { mspId: 'UtilitiesMSP', endpoint: 'u:1' },
      { mspId: 'UtilitiesMSP', endpoint: 'u:2' },
    ];
    const failed = [
      { mspId: 'AgenciesMSP', address: 'a:1' },
      { mspId: 'UtilitiesMSP', address: 'u:1' },
    ];
    expect(describeShortage(policy, alive, { failed }).missing).toEqual(['AgenciesMSP']);
  });

  it('finds nothing missing when every org has a peer up (the shortage has another cause)', () => {
    const alive = FOUNDERS.map((mspId) => ({ mspId, endpoint: mspId }));
    expect(describeShortage(policy, alive, { failed: [] }).missing).toEqual([]);
  });

  it('with a policy that is not an org quorum, quotes it and checks every org seen', () => {
    const other: CommittedPolicy = { quorum: undefined, text: 'channel policy /Channel/Application/Endorsement' };
    const { missing, message } = describeShortage(other, [{ mspId: 'CityMSP', endpoint: 'c' }], { failed: [{ mspId: 'AgenciesMSP', address: 'a' }] });
    expect(missing).toEqual(['AgenciesMSP']);
    expect(message).toContain('needs channel policy /Channel/Application/Endorsement; no peer of AgenciesMSP answered');
  });
});
