/**
 * A peer's or orderer's block files read from disk, as an auditor holding a copy of them reads
 * them (no Fabric process involved). Each file is a run of blocks in Fabric's block storage
 * format (common/ledger/blkstorage/block_serialization.go): the block's length as a varint, then
 * the header (number as a varint; data hash and previous hash as length-prefixed bytes), the
 * envelopes (a count, then each length-prefixed) and the metadata entries (a count, then each
 * length-prefixed). The result is Fabric's own `common.Block` (@hyperledger/fabric-protos).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { common } from '@hyperledger/fabric-protos';
import { UsageError } from '../errors';

/** The block files of a ledger folder (`…/chains/<channel>`), in order. */
export function blockFilesOf(chainDir: string): string[] {
  return readdirSync(chainDir)
    .filter((f) => /^blockfile_\d+$/.test(f))
    .sort((a, b) => Number(a.slice(10)) - Number(b.slice(10)))
    .map((f) => path.join(chainDir, f));
}

/**
 * The folder holding a channel's block files under `dir`: `dir` itself, or the channel's
 * folder in a peer's or orderer's ledger tree (`…/chains/<channel>`), searched for below `dir`.
 *
 * @param dir - a ledger folder or a copy of one
 * @param channel - the channel's name
 * @throws UsageError when `dir` does not exist or holds no block files of `channel`
 */
export function findChainDir(dir: string, channel: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`--ledger-dir ${dir}: no such folder`);
  }
  const found: string[] = [];
  const walk = (at: string, depth: number): void => {
    const entries = readdirSync(at, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && /^blockfile_\d+$/.test(e.name)) && (at === dir || path.basename(at) === channel)) {
      found.push(at);
      return;
    }
    if (depth < 6) {
      entries
        .filter((e) => e.isDirectory())
        .forEach((e) => {
          walk(path.join(at, e.name), depth + 1);
        });
    }
  };
  walk(dir, 0);
  if (found.length !== 1) {
    const why = found.length === 0 ? 'holds no block files' : `holds block files of '${channel}' in ${String(found.length)} places (${found.join(', ')})`;
    throw new UsageError(`--ledger-dir ${dir} ${why} of channel '${channel}'; name the folder that holds its blockfile_000000`);
  }
  return found[0] ?? dir;
}

/** Read a protobuf varint at `offset`; `undefined` when the bytes end inside it. */
function varint(bytes: Uint8Array, offset: number): { value: number; next: number } | undefined {
  let value = 0;
  let shift = 0;
  for (let at = offset; at < bytes.length && shift < 64; at += 1) {
    const byte = bytes[at] ?? 0;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) {
      return { value, next: at + 1 };
    }
    shift += 7;
  }
  return undefined;
}

/** One stored block: its bytes as the file holds them and where. */
export interface StoredBlockBytes {
  readonly file: string;
  /** Offset of the block's bytes (after its length prefix) in the file, in bytes. */
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/**
 * The raw bytes of each block in one block file, in order. A block still being written at the
 * end of the file (its length runs past the end) is left out, as Fabric's own scanner does.
 */
export function rawBlocks(file: string): StoredBlockBytes[] {
  const bytes = readFileSync(file);
  const blocks: StoredBlockBytes[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const length = varint(bytes, offset);
    if (length === undefined || length.value === 0 || length.next + length.value > bytes.length) {
      break;
    }
    blocks.push({ file, offset: length.next, bytes: bytes.subarray(length.next, length.next + length.value) });
    offset = length.next + length.value;
  }
  return blocks;
}

/**
 * A block in block storage format, as the `common.Block` it stores.
 *
 * @throws Error naming what could not be read when the bytes are not a stored block
 */
export function decodeStoredBlock(raw: Uint8Array): common.Block {
  let at = 0;
  const next = (what: string): number => {
    const v = varint(raw, at);
    if (v === undefined) {
      throw new Error(`the stored block ends inside its ${what}`);
    }
    at = v.next;
    return v.value;
  };
  const count = (what: string): number => {
    const n = next(what);
    if (n > raw.length - at) {
      throw new Error(`the stored block's ${what} (${String(n)}) exceeds the ${String(raw.length - at)} bytes left in it`);
    }
    return n;
  };
  const bytes = (what: string): Uint8Array => {
    const length = next(`${what} length`);
    if (at + length > raw.length) {
      throw new Error(`the stored block's ${what} runs past its end (${String(length)} bytes at ${String(at)} of ${String(raw.length)})`);
    }
    at += length;
    return raw.subarray(at - length, at);
  };
  const header = new common.BlockHeader();
  header.setNumber(next('number'));
  header.setDataHash(bytes('data hash'));
  header.setPreviousHash(bytes('previous hash'));
  const data = new common.BlockData();
  data.setDataList(Array.from({ length: count('envelope count') }, () => bytes('envelope')));
  const metadata = new common.BlockMetadata();
  metadata.setMetadataList(Array.from({ length: count('metadata count') }, () => bytes('metadata')));
  if (at !== raw.length) {
    throw new Error(`the stored block has ${String(raw.length - at)} bytes after its metadata`);
  }
  const block = new common.Block();
  block.setHeader(header);
  block.setData(data);
  block.setMetadata(metadata);
  return block;
}

/**
 * A block read from a block file; why the bytes where the next block should be are not one; or a
 * warning about bytes after the last whole block.
 */
export type StoredBlock =
  | { readonly block: common.Block; readonly at: StoredBlockBytes }
  | { readonly error: string; readonly at: StoredBlockBytes | undefined }
  | { readonly warning: string };

/**
 * Every block of a channel's block files, in order; reading stops after the first block that
 * cannot be decoded (what follows it cannot be trusted to be framed right). Bytes after the last
 * whole block of a file are an error, except at the end of the last file, where Fabric leaves a
 * block it was writing when it stopped: there they are a warning.
 *
 * @param chainDir - the folder of the channel's block files (see {@link findChainDir})
 */
export function* storedBlocks(chainDir: string): Generator<StoredBlock> {
  const files = blockFilesOf(chainDir);
  for (const [index, file] of files.entries()) {
    let end = 0;
    for (const at of rawBlocks(file)) {
      try {
        yield { block: decodeStoredBlock(at.bytes), at };
      } catch (error) {
        yield { error: (error as Error).message, at };
        return;
      }
      end = at.offset + at.bytes.length;
    }
    const unread = statSync(file).size - end;
    if (unread > 0) {
      const what = `${String(unread)} bytes after the last whole block of ${file} (from byte ${String(end)}) are not a block`;
      if (index < files.length - 1) {
        yield { error: `${what}; only the last block file may end with a partly written block`, at: undefined };
        return;
      }
      yield { warning: `${what}: a block being written when the copy was made, or a truncated copy` };
    }
  }
}
