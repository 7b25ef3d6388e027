import type { ChaincodeEvent, Checkpointer } from '@hyperledger/fabric-gateway';
import { open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors';

/**
 * What the file holds, as JSON: the same shape as the Fabric Gateway library's own file
 * checkpointer writes (`{}` before any checkpoint), so either can read the other's file.
 * `blockNumber` is the block to read from (decimal string); `transactionId`, when set, is the
 * last event already processed in that block.
 */
const stateSchema = z
  .strictObject({
    blockNumber: z.string().regex(/^\d{1,20}$/),
    transactionId: z.string().min(1).optional(),
  })
  .or(z.strictObject({}));

interface State {
  readonly blockNumber: bigint | undefined;
  readonly transactionId: string | undefined;
}

/**
 * A Fabric Gateway {@link Checkpointer} kept in a file, replaced atomically on every checkpoint:
 * the new state goes to `<file>.tmp`, is fsynced, renamed over the file and the directory fsynced.
 * A kill at any moment leaves either the previous or the new state, never a partial file (the
 * library's `checkpointers.file()` rewrites the file in place, so a kill during its write can
 * leave it empty or cut short, and it reads an empty or unreadable file as "start over").
 *
 * One follower per file: two processes checkpointing to the same file would overwrite each other.
 */
export class FileCheckpointer implements Checkpointer {
  /** The checkpoint file's path, as given. */
  readonly file: string;
  #state: State;
  #saving: Promise<void> = Promise.resolve();

  private constructor(file: string, state: State) {
    this.file = file;
    this.#state = state;
  }

  /**
   * Read the checkpoint file. A missing file is "no checkpoint yet" (nothing is written until the
   * first checkpoint); anything else that is not a checkpoint is refused, never overwritten.
   *
   * @param file - the checkpoint file's path
   * @returns the checkpointer, with the file's state or none
   * @throws UsageError naming the file when it cannot be read, is empty, is not JSON or not a checkpoint
   */
  static async open(file: string): Promise<FileCheckpointer> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return new FileCheckpointer(file, { blockNumber: undefined, transactionId: undefined });
      }
      throw new UsageError(`cannot read checkpoint file ${file}: ${(error as Error).message}`);
    }
    return new FileCheckpointer(file, parseState(file, text));
  }

  /** The block to read from (the checkpointed block, or the one after it), or undefined before any checkpoint. */
  getBlockNumber(): bigint | undefined {
    return this.#state.blockNumber;
  }

  /** The last event's transaction already processed in block {@link getBlockNumber}, if any. */
  getTransactionId(): string | undefined {
    return this.#state.transactionId;
  }

  /**
   * Record where to start when there is no checkpoint yet: block `blockNumber`, from its first event.
   *
   * @throws UsageError naming the file when it cannot be written
   */
  async checkpointStartBlock(blockNumber: bigint): Promise<void> {
    await this.#save({ blockNumber, transactionId: undefined });
  }

  /**
   * Record block `blockNumber` as fully processed (the next read starts at the block after it).
   *
   * @throws UsageError naming the file when it cannot be written
   */
  async checkpointBlock(blockNumber: bigint): Promise<void> {
    await this.#save({ blockNumber: blockNumber + 1n, transactionId: undefined });
  }

  /**
   * Record transaction `transactionId` of block `blockNumber` as processed.
   *
   * @throws UsageError naming the file when it cannot be written
   */
  async checkpointTransaction(blockNumber: bigint, transactionId: string): Promise<void> {
    await this.#save({ blockNumber, transactionId });
  }

  /**
   * Record a chaincode event as processed (its block and transaction).
   *
   * @throws UsageError naming the file when it cannot be written
   */
  async checkpointChaincodeEvent(event: ChaincodeEvent): Promise<void> {
    await this.checkpointTransaction(event.blockNumber, event.transactionId);
  }

  /** Saves run one after another, each with the state of its own call; the in-memory state moves only once saved. */
  #save(state: State): Promise<void> {
    const saved = this.#saving.then(async () => {
      await replaceFileDurably(this.file, `${JSON.stringify(serialise(state))}\n`);
      this.#state = state;
    });
    this.#saving = saved.catch(() => undefined);
    return saved;
  }
}

function serialise(state: State): Record<string, string> {
  return {
    ...(state.blockNumber === undefined ? {} : { blockNumber: state.blockNumber.toString() }),
    ...(state.transactionId === undefined ? {} : { transactionId: state.transactionId }),
  };
}

function parseState(file: string, text: string): State {
  const corrupt = (why: string): UsageError =>
    new UsageError(`checkpoint file ${file} is corrupt (${why}); it is left as it is: restore it, or delete it to start over`);
  if (text.trim() === '') {
    throw corrupt('empty');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw corrupt(`not JSON: ${(error as Error).message}`);
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    throw corrupt('expected {"blockNumber": "<decimal>", "transactionId"?: "<id>"}');
  }
  const state = parsed.data as { blockNumber?: string; transactionId?: string };
  return { blockNumber: state.blockNumber === undefined ? undefined : BigInt(state.blockNumber), transactionId: state.transactionId };
}

/**
 * Replace `file` with `text` so that a crash leaves the old or the new content, whole: write
 * `<file>.tmp`, fsync it, rename it over `file`, fsync the directory (so the rename itself
 * survives a power loss).
 *
 * @throws UsageError naming the file when any step fails
 */
async function replaceFileDurably(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp`;
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    await syncDirectory(path.dirname(file));
  } catch (error) {
    throw new UsageError(`cannot write checkpoint file ${file}: ${(error as Error).message}`);
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems cannot fsync a directory; the rename is then as durable as they make it.
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') {
      throw error;
    }
  } finally {
    await handle.close();
  }
}
