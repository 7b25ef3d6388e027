import { common, msp } from '@hyperledger/fabric-protos';
import { realChain } from '../test-support/ledger-fixtures';
import { channelConfigOf } from './channel-config';
import { validateIdentity } from './msp';

/** Blocks 0 and 1 of a real `civic` channel (testdata/chain-0-4.bin). */
function firstBlocks(): [common.Block, common.Block] {
  const [genesis, block1] = realChain();
  return [genesis!, block1!];
}

/** The serialized identity of the orderer that signed block 1. */
function ordererIdentity(block: common.Block): msp.SerializedIdentity {
  const metadata = common.Metadata.deserializeBinary(block.getMetadata()!.getMetadataList_asU8()[common.BlockMetadataIndex.SIGNATURES]!);
  const header = common.SignatureHeader.deserializeBinary(metadata.getSignaturesList()[0]!.getSignatureHeader_asU8());
  return msp.SerializedIdentity.deserializeBinary(header.getCreator_asU8());
}

describe('validateIdentity against the channel MSPs', () => {
  const [genesis, block1] = firstBlocks();
  const msps = channelConfigOf(genesis)!.msps;

  it('accepts the orderer that signed a block, with the orderer role from its NodeOU', () => {
    const identity = ordererIdentity(block1);
    const valid = validateIdentity(identity.serializeBinary(), msps);
    expect('rejected' in valid).toBe(false);
    if (!('rejected' in valid)) {
      expect(valid.mspId).toBe(identity.getMspid());
      expect([...valid.roles].sort()).toEqual(['member', 'orderer']);
    }
  });

  it("refuses the same certificate claimed for another org's MSP", () => {
    const identity = ordererIdentity(block1);
    const other = [...msps.keys()].find((id) => id !== identity.getMspid())!;
    identity.setMspid(other);
    expect(validateIdentity(identity.serializeBinary(), msps)).toEqual({ rejected: expect.stringContaining(`was not issued by ${other}'s CA`) as unknown });
  });

  it('refuses bytes that are not a certificate', () => {
    const identity = new msp.SerializedIdentity();
    identity.setMspid('CityMSP');
    identity.setIdBytes(Buffer.from('not a certificate'));
    expect(validateIdentity(identity.serializeBinary(), msps)).toEqual({ rejected: expect.stringContaining('not a serialized X.509 identity') as unknown });
  });
});
