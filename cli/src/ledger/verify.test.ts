import { createVerify, X509Certificate } from 'node:crypto';
import { common, msp } from '@hyperledger/fabric-protos';
import { realChain } from '../test-support/ledger-fixtures';
import { blockDataHash, blockHeaderBytes, blockHeaderHash } from './block-hash';
import { ChainVerifier, signatureVerifies } from './verify';

/** Feed blocks in order; the first problem, or the summaries when there is none. */
function verify(blocks: common.Block[]): ReturnType<ChainVerifier['check']>[] {
  const verifier = new ChainVerifier('civic');
  const results: ReturnType<ChainVerifier['check']>[] = [];
  for (const block of blocks) {
    const result = verifier.check(block);
    results.push(result);
    if (result.problem !== undefined) {
      break;
    }
  }
  return results;
}

const problemOf = (blocks: common.Block[]): { block: number; reason: string } | undefined => verify(blocks).find((r) => r.problem !== undefined)?.problem;

function signaturesOf(block: common.Block): common.Metadata {
  return common.Metadata.deserializeBinary(block.getMetadata()!.getMetadataList_asU8()[common.BlockMetadataIndex.SIGNATURES]!);
}

function setSignatures(block: common.Block, metadata: common.Metadata): void {
  const list = block.getMetadata()!.getMetadataList_asU8().slice();
  list[common.BlockMetadataIndex.SIGNATURES] = metadata.serializeBinary();
  block.getMetadata()!.setMetadataList(list);
}

describe('ChainVerifier on a real chain', () => {
  it('verifies every block: hashes, links and the orderers’ signatures under the genesis config', () => {
    const blocks = realChain();
    const results = verify(blocks);
    expect(results.map((r) => r.problem)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    const summaries = results.map((r) => r.summary!);
    expect(summaries.map((s) => s.number)).toEqual([0, 1, 2, 3, 4]);
    expect(summaries[0]!.config).toBe(true);
    for (let n = 1; n < summaries.length; n += 1) {
      expect(summaries[n]!.previousHash).toBe(summaries[n - 1]!.hash);
      // Blocks after the genesis block carry one orderer's signature, of an orderer org.
      expect(summaries[n]!.signers).toHaveLength(1);
      expect(['CityMSP', 'AgenciesMSP', 'UtilitiesMSP']).toContain(summaries[n]!.signers[0]);
    }
    expect(summaries[4]!.hash).toBe(Buffer.from(blockHeaderHash(blocks[4]!.getHeader()!)).toString('hex'));
  });

  it('names the block whose envelope has one byte changed (data hash)', () => {
    const blocks = realChain();
    const envelope = Buffer.from(blocks[2]!.getData()!.getDataList_asU8()[0]!);
    envelope[Math.floor(envelope.length / 2)]! ^= 0x01;
    blocks[2]!.getData()!.setDataList([envelope]);
    expect(problemOf(blocks)).toEqual({
      block: 2,
      reason: expect.stringMatching(/^data hash mismatch: the header says [0-9a-f]{64}, the envelopes hash to [0-9a-f]{64}$/) as unknown,
    });
  });

  it('names a block whose header was rewritten to match its changed data: its orderer signature no longer verifies', () => {
    const blocks = realChain();
    const envelope = Buffer.from(blocks[2]!.getData()!.getDataList_asU8()[0]!);
    envelope[Math.floor(envelope.length / 2)]! ^= 0x01;
    blocks[2]!.getData()!.setDataList([envelope]);
    blocks[2]!.getHeader()!.setDataHash(blockDataHash(blocks[2]!.getData()!));
    const problem = problemOf(blocks);
    expect(problem?.block).toBe(2);
    expect(problem?.reason).toMatch(/do not satisfy the block validation policy .*: 1 signatures, 0 valid; the signature of \w+MSP .* does not verify/);
  });

  it('and a forger who also rewrote the next block’s previous hash is caught there too', () => {
    const blocks = realChain();
    blocks[2]!.getHeader()!.setDataHash(Buffer.alloc(32, 9));
    blocks[3]!.getHeader()!.setPreviousHash(blockHeaderHash(blocks[2]!.getHeader()!));
    const verifier = new ChainVerifier('civic');
    verifier.check(blocks[0]!);
    verifier.check(blocks[1]!);
    // Block 2 already fails on its own data hash; block 3, checked after a good block 2, would fail
    // on its signature, since the orderer signed the original previous hash.
    expect(verifier.check(blocks[2]!).problem?.reason).toMatch(/^data hash mismatch/);
    const fresh = realChain();
    const v2 = new ChainVerifier('civic');
    fresh.slice(0, 3).forEach((b) => v2.check(b));
    fresh[3]!.getHeader()!.setPreviousHash(blocks[3]!.getHeader()!.getPreviousHash_asU8());
    expect(v2.check(fresh[3]!).problem?.reason).toMatch(/^previous hash mismatch/);
  });

  it('accepts a low-S ECDSA signature and refuses the same signature with a high S, as Fabric does', () => {
    const blocks = realChain();
    const metadata = signaturesOf(blocks[1]!);
    const signature = metadata.getSignaturesList()[0]!;
    const creator = msp.SerializedIdentity.deserializeBinary(common.SignatureHeader.deserializeBinary(signature.getSignatureHeader_asU8()).getCreator_asU8());
    const key = new X509Certificate(Buffer.from(creator.getIdBytes_asU8())).publicKey;
    const signed = Buffer.concat([metadata.getValue_asU8(), signature.getSignatureHeader_asU8(), blockHeaderBytes(blocks[1]!.getHeader()!)]);
    const der = Buffer.from(signature.getSignature_asU8());
    expect(signatureVerifies(key, signed, der)).toBe(true);
    // (r, n - s) is the same signature mathematically: valid for plain ECDSA, malleable, refused.
    const { r, s } = { r: BigInt(`0x${der.subarray(4, 4 + der[3]!).toString('hex')}`), s: BigInt(`0x${der.subarray(6 + der[3]!).toString('hex')}`) };
    const n = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');
    const int = (v: bigint): Buffer => {
      const h = v.toString(16).padStart(64, '0');
      const b = Buffer.from(h, 'hex');
      return (b[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), b]) : b;
    };
    const high = Buffer.concat([Buffer.from([0x02, int(r).length]), int(r), Buffer.from([0x02, int(n - s).length]), int(n - s)]);
    const highDer = Buffer.concat([Buffer.from([0x30, high.length]), high]);
    expect(createVerify('sha256').update(signed).verify(key, highDer)).toBe(true);
    expect(signatureVerifies(key, signed, highDer)).toBe(false);
  });

  it('names the block whose previous hash does not link to the block before', () => {
    const blocks = realChain();
    blocks[3]!.getHeader()!.setPreviousHash(Buffer.alloc(32, 7));
    expect(problemOf(blocks)).toEqual({ block: 3, reason: expect.stringContaining('previous hash mismatch: the header says 0707') as unknown });
  });

  it('names a gap in the numbering', () => {
    const blocks = realChain();
    expect(problemOf([blocks[0]!, blocks[1]!, blocks[3]!])).toEqual({ block: 2, reason: "block 2 expected, but the block's header says 3" });
  });

  it('refuses a block whose orderer signature does not verify', () => {
    const blocks = realChain();
    const metadata = signaturesOf(blocks[1]!);
    const signature = metadata.getSignaturesList()[0]!;
    const bytes = Buffer.from(signature.getSignature_asU8());
    bytes[bytes.length - 3]! ^= 0x01;
    signature.setSignature(bytes);
    setSignatures(blocks[1]!, metadata);
    const problem = problemOf(blocks);
    expect(problem?.block).toBe(1);
    expect(problem?.reason).toMatch(
      /do not satisfy the block validation policy of the config in block 0 .*\/Channel\/Orderer\/BlockValidation = OutOf\(1, 'CityMSP.orderer', 'AgenciesMSP.orderer', 'UtilitiesMSP.orderer'\).*does not verify/,
    );
  });

  it('refuses a signature moved from another block', () => {
    const blocks = realChain();
    setSignatures(blocks[2]!, signaturesOf(blocks[3]!));
    expect(problemOf(blocks)?.reason).toMatch(/does not verify/);
    expect(problemOf(blocks)?.block).toBe(2);
  });

  it('refuses a block with no signatures, and one whose signer names an MSP outside the channel', () => {
    const blocks = realChain();
    const empty = new common.Metadata();
    empty.setValue(signaturesOf(blocks[1]!).getValue_asU8());
    setSignatures(blocks[1]!, empty);
    expect(problemOf(blocks)).toEqual({ block: 1, reason: expect.stringMatching(/BlockValidation = .*\): 0 signatures, 0 valid$/) as unknown });

    const others = realChain();
    const metadata = signaturesOf(others[1]!);
    const signature = metadata.getSignaturesList()[0]!;
    const header = common.SignatureHeader.deserializeBinary(signature.getSignatureHeader_asU8());
    const creator = msp.SerializedIdentity.deserializeBinary(header.getCreator_asU8());
    creator.setMspid('HarbourMSP');
    header.setCreator(creator.serializeBinary());
    signature.setSignatureHeader(header.serializeBinary());
    setSignatures(others[1]!, metadata);
    expect(problemOf(others)?.reason).toMatch(/its MSP HarbourMSP is not in the channel config/);
  });

  it('refuses metadata that names the wrong last config block', () => {
    const blocks = realChain();
    const metadata = signaturesOf(blocks[1]!);
    const value = common.OrdererBlockMetadata.deserializeBinary(metadata.getValue_asU8());
    const last = new common.LastConfig();
    last.setIndex(1);
    value.setLastConfig(last);
    metadata.setValue(value.serializeBinary());
    setSignatures(blocks[1]!, metadata);
    expect(problemOf(blocks)).toEqual({ block: 1, reason: 'its orderer metadata names block 1 as the last config block, but that is block 0' });
  });

  it('refuses validation flags that do not cover every transaction', () => {
    const blocks = realChain();
    const list = blocks[4]!.getMetadata()!.getMetadataList_asU8().slice();
    list[common.BlockMetadataIndex.TRANSACTIONS_FILTER] = new Uint8Array(2);
    blocks[4]!.getMetadata()!.setMetadataList(list);
    expect(problemOf(blocks)).toEqual({ block: 4, reason: 'its validation flags cover 2 transactions, but it holds 1' });
  });

  it('refuses a config block that does not move the config sequence on by one (a replayed config)', () => {
    const blocks = realChain();
    blocks[1]!.getData()!.setDataList(blocks[0]!.getData()!.getDataList_asU8());
    blocks[1]!.getHeader()!.setDataHash(blockDataHash(blocks[1]!.getData()!));
    expect(problemOf(blocks)).toEqual({ block: 1, reason: 'its channel config has sequence 0, but the config in force (block 0) has 0' });
  });

  it('refuses a chain that starts anywhere but a genesis config block', () => {
    expect(problemOf(realChain().slice(1))).toEqual({ block: 0, reason: "block 0 expected, but the block's header says 1" });
  });
});
