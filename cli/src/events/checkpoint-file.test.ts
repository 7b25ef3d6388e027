import { checkpointers, type ChaincodeEvent } from '@hyperledger/fabric-gateway';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors';
import { FileCheckpointer } from './checkpoint-file';

/** Every file-system call the checkpointer makes, in order (the calls themselves are the real ones). */
const mockFsCalls: string[] = [];
jest.mock('node:fs/promises', () => {
  const actual = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
  const name = (p: unknown): string => path.basename(String(p));
  return {
    ...actual,
    open: async (file: string, flags: string) => {
      const handle = await actual.open(file, flags);
      mockFsCalls.push(`open ${name(file)} ${flags}`);
      return {
        writeFile: async (data: string, encoding: BufferEncoding) => {
          mockFsCalls.push(`write ${name(file)}`);
          await handle.writeFile(data, encoding);
        },
        sync: async () => {
          mockFsCalls.push(`fsync ${name(file)}`);
          await handle.sync();
        },
        close: async () => {
          mockFsCalls.push(`close ${name(file)}`);
          await handle.close();
        },
      };
    },
    rename: async (from: string, to: string) => {
      mockFsCalls.push(`rename ${name(from)} ${name(to)}`);
      await actual.rename(from, to);
    },
  };
});

const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-checkpoint-'));
let n = 0;
const fresh = (): string => path.join(dir, `c${String((n += 1))}.json`);

const TX_A = 'a'.repeat(64);
const TX_B = 'b'.repeat(64);
const event = (blockNumber: bigint, transactionId: string): ChaincodeEvent => ({
  blockNumber,
  transactionId,
  chaincodeName: 'civic',
  eventName: 'identity.DIDRegistered',
  payload: new Uint8Array(),
});

describe('the checkpoint file', () => {
  it('reads a missing file as "no checkpoint yet" and writes nothing until the first checkpoint', async () => {
    const file = fresh();
    const checkpointer = await FileCheckpointer.open(file);
    expect(checkpointer.getBlockNumber()).toBeUndefined();
    expect(checkpointer.getTransactionId()).toBeUndefined();
    expect(existsSync(file)).toBe(false);
  });

  it('keeps the last event, a finished block and a start block across a reopen', async () => {
    const file = fresh();
    const checkpointer = await FileCheckpointer.open(file);
    await checkpointer.checkpointStartBlock(7n);
    expect([(await FileCheckpointer.open(file)).getBlockNumber(), (await FileCheckpointer.open(file)).getTransactionId()]).toEqual([7n, undefined]);
    await checkpointer.checkpointChaincodeEvent(event(12n, TX_A));
    const reopened = await FileCheckpointer.open(file);
    expect([reopened.getBlockNumber(), reopened.getTransactionId()]).toEqual([12n, TX_A]);
    await checkpointer.checkpointBlock(12n);
    expect([checkpointer.getBlockNumber(), checkpointer.getTransactionId()]).toEqual([13n, undefined]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ blockNumber: '13' });
  });

  it("reads and writes the same file format as the gateway library's own file checkpointer", async () => {
    const file = fresh();
    const library = await checkpointers.file(file);
    await library.checkpointTransaction(5n, TX_A);
    const ours = await FileCheckpointer.open(file);
    expect([ours.getBlockNumber(), ours.getTransactionId()]).toEqual([5n, TX_A]);
    await ours.checkpointTransaction(9n, TX_B);
    const back = await checkpointers.file(file);
    expect([back.getBlockNumber(), back.getTransactionId()]).toEqual([9n, TX_B]);
    // The library's file before its first checkpoint: `{}`, no position yet.
    const empty = fresh();
    await checkpointers.file(empty);
    expect((await FileCheckpointer.open(empty)).getBlockNumber()).toBeUndefined();
  });

  it('replaces the file by writing a temp file, fsyncing it, renaming it over the file and fsyncing the directory', async () => {
    const file = fresh();
    const checkpointer = await FileCheckpointer.open(file);
    mockFsCalls.length = 0;
    await checkpointer.checkpointTransaction(3n, TX_A);
    const base = path.basename(file);
    expect(mockFsCalls).toEqual([
      `open ${base}.tmp w`,
      `write ${base}.tmp`,
      `fsync ${base}.tmp`,
      `close ${base}.tmp`,
      `rename ${base}.tmp ${base}`,
      `open ${path.basename(dir)} r`,
      `fsync ${path.basename(dir)}`,
      `close ${path.basename(dir)}`,
    ]);
  });

  it('never rewrites the file in place: a hard link to it keeps the previous checkpoint whole', async () => {
    const file = fresh();
    const checkpointer = await FileCheckpointer.open(file);
    await checkpointer.checkpointTransaction(3n, TX_A);
    const before = readFileSync(file, 'utf8');
    linkSync(file, `${file}.old`);
    await checkpointer.checkpointTransaction(4n, TX_B);
    expect(readFileSync(`${file}.old`, 'utf8')).toBe(before);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ blockNumber: '4', transactionId: TX_B });
  });

  it('keeps the previous checkpoint when a write fails, and says which file', async () => {
    const file = fresh();
    const checkpointer = await FileCheckpointer.open(file);
    await checkpointer.checkpointTransaction(3n, TX_A);
    mkdirSync(`${file}.tmp`); // the temp file cannot be created
    await expect(checkpointer.checkpointTransaction(4n, TX_B)).rejects.toThrow(
      new UsageError(`cannot write checkpoint file ${file}: EISDIR: illegal operation on a directory, open '${file}.tmp'`),
    );
    expect([checkpointer.getBlockNumber(), checkpointer.getTransactionId()]).toEqual([3n, TX_A]);
    const reopened = await FileCheckpointer.open(file);
    expect([reopened.getBlockNumber(), reopened.getTransactionId()]).toEqual([3n, TX_A]);
  });

  it('ignores a partial temp file left by a kill during a write, and replaces it at the next checkpoint', async () => {
    const file = fresh();
    const checkpointer = await FileCheckpointer.open(file);
    await checkpointer.checkpointTransaction(3n, TX_A);
    writeFileSync(`${file}.tmp`, '{"blockNumber":"4","transac');
    const reopened = await FileCheckpointer.open(file);
    expect([reopened.getBlockNumber(), reopened.getTransactionId()]).toEqual([3n, TX_A]);
    await reopened.checkpointTransaction(4n, TX_B);
    expect(existsSync(`${file}.tmp`)).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ blockNumber: '4', transactionId: TX_B });
  });

  it.each([
    ['empty', '', /\(empty\)/],
    ['blank', ' \n', /\(empty\)/],
    ['cut short', '{"blockNumber":"4","transac', /\(not JSON: /],
    ['another JSON file', '{"did":"did:civic:x","publicKeyJwk":{}}', /\(expected \{"blockNumber"/],
    ['a transaction without its block', `{"transactionId":"${TX_A}"}`, /\(expected \{"blockNumber"/],
    ['a block that is not a number', '{"blockNumber":"-1"}', /\(expected \{"blockNumber"/],
    ['a block as a JSON number', '{"blockNumber":4}', /\(expected \{"blockNumber"/],
  ])('refuses a checkpoint file that is %s, naming it, and leaves it as it is', async (_what, text, why) => {
    const file = fresh();
    writeFileSync(file, text);
    const opened = FileCheckpointer.open(file);
    await expect(opened).rejects.toThrow(UsageError);
    await expect(opened).rejects.toThrow(`checkpoint file ${file} is corrupt`);
    await expect(opened).rejects.toThrow(why);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('refuses a checkpoint path it cannot read (a directory), naming it', async () => {
    const file = fresh();
    mkdirSync(file);
    await expect(FileCheckpointer.open(file)).rejects.toThrow(
      new UsageError(`cannot read checkpoint file ${file}: EISDIR: illegal operation on a directory, read`),
    );
  });
});
