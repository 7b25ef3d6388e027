import { createHash } from 'node:crypto';
import { common } from '@hyperledger/fabric-protos';
import { realChain } from '../test-support/ledger-fixtures';
import { blockDataHash, blockHeaderBytes, blockHeaderHash } from './block-hash';

function header(n: number, previous: Buffer, data: Buffer): common.BlockHeader {
  const h = new common.BlockHeader();
  h.setNumber(n);
  h.setPreviousHash(previous);
  h.setDataHash(data);
  return h;
}

describe('block header bytes (Fabric protoutil.BlockHeaderBytes)', () => {
  // Expected bytes printed by Go's encoding/asn1.Marshal of Fabric's asn1Header struct.
  it('matches Go for a number that needs a sign byte (200)', () => {
    expect(blockHeaderBytes(header(200, Buffer.alloc(32, 1), Buffer.alloc(32, 2))).toString('hex')).toBe(
      '3048020200c8042001010101010101010101010101010101010101010101010101010101010101010420' + '02'.repeat(32),
    );
  });

  it('matches Go for the genesis block (number 0, empty previous hash)', () => {
    expect(blockHeaderBytes(header(0, Buffer.alloc(0), Buffer.alloc(32, 2))).toString('hex')).toBe('302702010004000420' + '02'.repeat(32));
  });

  it("hashes a real block's header to the previous hash its successor carries", () => {
    const blocks = realChain();
    for (let n = 1; n < blocks.length; n += 1) {
      expect(blockHeaderHash(blocks[n - 1]!.getHeader()!).toString('hex')).toBe(Buffer.from(blocks[n]!.getHeader()!.getPreviousHash_asU8()).toString('hex'));
    }
  });
});

describe('block data hash (Fabric protoutil.ComputeBlockDataHash)', () => {
  it('is SHA-256 of the envelopes concatenated in order', () => {
    const data = new common.BlockData();
    data.setDataList([Buffer.from('ab'), Buffer.from('cd')]);
    expect(blockDataHash(data).toString('hex')).toBe(createHash('sha256').update('abcd').digest('hex'));
    data.setDataList([Buffer.from('cd'), Buffer.from('ab')]);
    expect(blockDataHash(data).toString('hex')).not.toBe(createHash('sha256').update('abcd').digest('hex'));
  });
});
