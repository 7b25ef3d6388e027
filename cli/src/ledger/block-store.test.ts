import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { common } from '@hyperledger/fabric-protos';
import { realChain } from '../test-support/ledger-fixtures';
import { storedBlocks, type StoredBlock } from './block-store';

const varint = (n: number): Buffer => {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
};
const prefixed = (b: Uint8Array): Buffer => Buffer.concat([varint(b.length), b]);

/** A block in Fabric's block storage format (blkstorage/block_serialization.go), with its length prefix. */
function stored(block: common.Block): Buffer {
  const header = block.getHeader()!;
  const body = Buffer.concat([
    varint(header.getNumber()),
    prefixed(header.getDataHash_asU8()),
    prefixed(header.getPreviousHash_asU8()),
    varint(block.getData()!.getDataList_asU8().length),
    ...block.getData()!.getDataList_asU8().map(prefixed),
    varint(block.getMetadata()!.getMetadataList_asU8().length),
    ...block.getMetadata()!.getMetadataList_asU8().map(prefixed),
  ]);
  return prefixed(body);
}

const numbers = (items: StoredBlock[]): (number | string)[] =>
  items.map((i) => ('block' in i ? i.block.getHeader()!.getNumber() : 'error' in i ? `error: ${i.error}` : `warning: ${i.warning}`));

describe('storedBlocks: reading a copy of block files', () => {
  const blocks = realChain();

  it('reads blocks across files in numeric file order, each equal to the block the peer delivered', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-blockstore-'));
    writeFileSync(path.join(dir, 'blockfile_000002'), Buffer.concat(blocks.slice(0, 2).map(stored)));
    writeFileSync(path.join(dir, 'blockfile_000010'), Buffer.concat(blocks.slice(2).map(stored)));
    writeFileSync(path.join(dir, 'blockfile_000001.bak'), Buffer.from('not a block file'));
    const read = [...storedBlocks(dir)];
    expect(numbers(read)).toEqual([0, 1, 2, 3, 4]);
    read.forEach((item, n) => {
      expect('block' in item && Buffer.from(item.block.serializeBinary()).equals(Buffer.from(blocks[n]!.serializeBinary()))).toBe(true);
    });
  });

  it('warns of a partly written block at the end of the last file, and refuses one inside an earlier file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-blockstore-'));
    const partial = stored(blocks[2]!).subarray(0, 100);
    writeFileSync(path.join(dir, 'blockfile_000000'), Buffer.concat([stored(blocks[0]!), stored(blocks[1]!), partial]));
    expect(numbers([...storedBlocks(dir)])).toEqual([
      0,
      1,
      expect.stringMatching(/^warning: 100 bytes after the last whole block of .*blockfile_000000 \(from byte \d+\) are not a block/),
    ]);
    writeFileSync(path.join(dir, 'blockfile_000001'), stored(blocks[2]!));
    expect(numbers([...storedBlocks(dir)])).toEqual([
      0,
      1,
      expect.stringMatching(/^error: 100 bytes after .* only the last block file may end with a partly written block$/),
    ]);
  });

  it('stops with the reason at a block whose envelope count was changed', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-blockstore-'));
    const bad = stored(blocks[1]!);
    // After the length prefix (2 bytes for this size): number (1), data hash (33), previous hash (33), then the count.
    const countAt = 2 + 1 + 33 + 33;
    expect(bad[countAt]).toBe(1);
    bad[countAt] = 0x7f;
    writeFileSync(path.join(dir, 'blockfile_000000'), Buffer.concat([stored(blocks[0]!), bad, stored(blocks[2]!)]));
    expect(numbers([...storedBlocks(dir)])).toEqual([0, expect.stringMatching(/^error: the stored block('s| has) /)]);
  });
});
