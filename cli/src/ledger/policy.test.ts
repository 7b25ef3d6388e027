import { X509Certificate } from 'node:crypto';
import { common, msp } from '@hyperledger/fabric-protos';
import { realChain } from '../test-support/ledger-fixtures';
import { channelConfigOf } from './channel-config';
import type { MspRoleName, ValidIdentity } from './msp';
import { evaluatePolicy } from './policy';

/** The genesis config of a real `civic` channel (testdata/chain-0-4.bin, first block). */
function genesisConfig(): ReturnType<typeof channelConfigOf> {
  return channelConfigOf(realChain()[0]!);
}

const anyCert = (): X509Certificate => [...genesisConfig()!.msps.values()][0]!.rootCerts[0]!;
const who = (mspId: string, ...roles: MspRoleName[]): ValidIdentity => ({ mspId, certificate: anyCert(), roles: new Set<MspRoleName>(['member', ...roles]) });

describe('evaluatePolicy on the channel config', () => {
  const config = genesisConfig()!;

  it('reads the consenter set and every org MSP from the genesis block', () => {
    expect([...config.msps.keys()].sort()).toEqual(['AgenciesMSP', 'CityMSP', 'UtilitiesMSP']);
    expect(config.consensusType).toBe('etcdraft');
    expect(config.consenters.map((c) => c.mspId).sort()).toEqual(['AgenciesMSP', 'CityMSP', 'UtilitiesMSP']);
  });

  it('BlockValidation: an orderer node of any org, never a peer or a client', () => {
    expect(evaluatePolicy(config.root, ['Orderer'], 'BlockValidation', [who('AgenciesMSP', 'orderer')]).satisfied).toBe(true);
    expect(evaluatePolicy(config.root, ['Orderer'], 'BlockValidation', [who('AgenciesMSP', 'peer'), who('CityMSP', 'client')]).satisfied).toBe(false);
  });

  it('MAJORITY Admins of the Application group needs admins of two of the three orgs', () => {
    const one = evaluatePolicy(config.root, ['Application'], 'Admins', [who('CityMSP', 'admin'), who('CityMSP', 'admin')]);
    expect(one).toEqual({ satisfied: false, explanation: expect.stringMatching(/MAJORITY Admins \(1 of 3 groups met it: CityMSP\)/) as unknown });
    expect(evaluatePolicy(config.root, ['Application'], 'Admins', [who('CityMSP', 'admin'), who('UtilitiesMSP', 'admin')]).satisfied).toBe(true);
    expect(evaluatePolicy(config.root, ['Application'], 'Admins', [who('CityMSP', 'orderer'), who('UtilitiesMSP', 'peer')]).satisfied).toBe(false);
  });

  it('counts each identity once in an N-out-of gate, as cauthdsl does', () => {
    const role = (mspId: string): msp.MSPPrincipal => {
      const r = new msp.MSPRole();
      r.setMspIdentifier(mspId);
      r.setRole(msp.MSPRole.MSPRoleType.MEMBER);
      const p = new msp.MSPPrincipal();
      p.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
      p.setPrincipal(r.serializeBinary());
      return p;
    };
    const signedBy = (i: number): common.SignaturePolicy => {
      const rule = new common.SignaturePolicy();
      rule.setSignedBy(i);
      return rule;
    };
    const gate = new common.SignaturePolicy.NOutOf();
    gate.setN(2);
    gate.setRulesList([signedBy(0), signedBy(1)]);
    const rule = new common.SignaturePolicy();
    rule.setNOutOf(gate);
    const envelope = new common.SignaturePolicyEnvelope();
    envelope.setRule(rule);
    envelope.setIdentitiesList([role('CityMSP'), role('CityMSP')]);
    const policy = new common.Policy();
    policy.setType(common.Policy.PolicyType.SIGNATURE);
    policy.setValue(envelope.serializeBinary());
    const configPolicy = new common.ConfigPolicy();
    configPolicy.setPolicy(policy);
    const root = new common.ConfigGroup();
    root.getPoliciesMap().set('TwoCity', configPolicy);
    expect(evaluatePolicy(root, [], 'TwoCity', [who('CityMSP')])).toEqual({
      satisfied: false,
      explanation: "/Channel/TwoCity = OutOf(2, 'CityMSP.member', 'CityMSP.member')",
    });
    expect(evaluatePolicy(root, [], 'TwoCity', [who('CityMSP'), who('CityMSP', 'peer')]).satisfied).toBe(true);
    expect(evaluatePolicy(root, [], 'Missing', [who('CityMSP')])).toEqual({ satisfied: false, explanation: '/Channel/Missing does not exist' });
  });
});
