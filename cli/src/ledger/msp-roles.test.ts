import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { msp } from '@hyperledger/fabric-protos';
import { channelMspFrom, validateIdentity, type ChannelMsp } from './msp';

const pem = (name: string): Buffer => readFileSync(path.join(__dirname, 'testdata', 'msp', `${name}.pem`));

/** An MSP with NodeOUs over the test CA, as a channel config would carry it. */
function testMsp(): ChannelMsp {
  const ou = (name: string): msp.FabricOUIdentifier => {
    const id = new msp.FabricOUIdentifier();
    id.setOrganizationalUnitIdentifier(name);
    return id;
  };
  const nodeOUs = new msp.FabricNodeOUs();
  nodeOUs.setEnable(true);
  nodeOUs.setClientOuIdentifier(ou('client'));
  nodeOUs.setPeerOuIdentifier(ou('peer'));
  nodeOUs.setAdminOuIdentifier(ou('admin'));
  nodeOUs.setOrdererOuIdentifier(ou('orderer'));
  const fabric = new msp.FabricMSPConfig();
  fabric.setName('TestMSP');
  fabric.setRootCertsList([pem('ca')]);
  fabric.setFabricNodeOus(nodeOUs);
  const config = new msp.MSPConfig();
  config.setType(0);
  config.setConfig(fabric.serializeBinary());
  return channelMspFrom(config)!;
}

function identity(name: string): Uint8Array {
  const id = new msp.SerializedIdentity();
  id.setMspid('TestMSP');
  id.setIdBytes(pem(name));
  return id.serializeBinary();
}

describe('validateIdentity: node OUs and CA certificates, as Fabric MSP checks them', () => {
  const msps = new Map([['TestMSP', testMsp()]]);

  it('gives an orderer certificate the orderer role', () => {
    const valid = validateIdentity(identity('orderer'), msps);
    expect('rejected' in valid ? valid.rejected : [...valid.roles].sort()).toEqual(['member', 'orderer']);
  });

  it('refuses a certificate with two node OUs (client and orderer)', () => {
    expect(validateIdentity(identity('both'), msps)).toEqual({
      rejected: expect.stringContaining('must carry exactly one node OU of TestMSP (client, peer, admin or orderer), but carries 2') as unknown,
    });
  });

  it('reads OUs from the certificate, not from its printed subject: a common name reading "x+OU=orderer" stays a client', () => {
    expect(new X509Certificate(pem('plus')).subject).toContain('OU=orderer');
    const valid = validateIdentity(identity('plus'), msps);
    expect('rejected' in valid ? valid.rejected : [...valid.roles].sort()).toEqual(['client', 'member']);
  });

  it('refuses the CA certificate itself as a signing identity', () => {
    expect(validateIdentity(identity('ca'), msps)).toEqual({ rejected: expect.stringContaining('was not issued by TestMSP') as unknown });
  });
});
