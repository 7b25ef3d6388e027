import type { ChaincodeEvent, Checkpointer, CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import { followEvents, STOP_SIGNALS, stopOnSignals, type FollowInput } from './follow';
import { OutputClosed, type LineSink } from './line-sink';

const event = (n: number, eventName = 'identity.DIDRegistered'): ChaincodeEvent => ({
  blockNumber: BigInt(10 + n),
  transactionId: `tx${String(n)}`,
  chaincodeName: 'civic',
  eventName,
  payload: new Uint8Array(),
});

/** A gateway event stream the test feeds; closing it fails a pending read as gRPC's cancel does. */
class FakeStream implements CloseableAsyncIterable<ChaincodeEvent> {
  readonly #queue: ChaincodeEvent[] = [];
  #pending: { resolve: (r: IteratorResult<ChaincodeEvent>) => void; reject: (e: Error) => void } | undefined;
  #ended = false;
  closed = false;

  constructor(events: ChaincodeEvent[] = []) {
    this.#queue.push(...events);
  }

  push(e: ChaincodeEvent): void {
    if (this.#pending === undefined) {
      this.#queue.push(e);
    } else {
      this.#pending.resolve({ done: false, value: e });
      this.#pending = undefined;
    }
  }

  end(): void {
    this.#ended = true;
    this.#pending?.resolve({ done: true, value: undefined });
  }

  fail(error: Error): void {
    this.#pending?.reject(error);
  }

  get waiting(): boolean {
    return this.#pending !== undefined;
  }

  close(): void {
    this.closed = true;
    this.#pending?.reject(new Error('14 CANCELLED: Cancelled on client'));
    this.#pending = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<ChaincodeEvent> {
    return {
      next: () => {
        const e = this.#queue.shift();
        if (e !== undefined) {
          return Promise.resolve({ done: false, value: e });
        }
        if (this.#ended) {
          return Promise.resolve({ done: true, value: undefined });
        }
        return new Promise((resolve, reject) => {
          this.#pending = { resolve, reject };
        });
      },
    };
  }
}

/** The order of what was written and checkpointed. */
function recorder(): { log: string[]; checkpointer: Checkpointer; sink: LineSink } {
  const log: string[] = [];
  const record = (entry: string): Promise<void> => {
    log.push(entry);
    return Promise.resolve();
  };
  const checkpointer: Checkpointer = {
    getBlockNumber: () => undefined,
    getTransactionId: () => undefined,
    checkpointBlock: (b) => record(`block ${String(b)}`),
    checkpointTransaction: (_block, tx) => record(`checkpoint ${tx}`),
    checkpointChaincodeEvent: (e) => record(`checkpoint ${e.transactionId}`),
  };
  return { log, checkpointer, sink: { writeLine: (line) => record(`write ${line}`), release: () => undefined } };
}

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) {
    await new Promise((r) => setImmediate(r));
  }
};

function input(stream: FakeStream, parts: Partial<FollowInput> & Pick<FollowInput, 'checkpointer' | 'sink'>): FollowInput {
  return { events: stream, keep: () => true, format: (e) => e.transactionId, stop: new AbortController().signal, ...parts };
}

describe('following events', () => {
  it('writes each line before checkpointing its event, one event at a time', async () => {
    const { log, checkpointer, sink } = recorder();
    const stream = new FakeStream([event(1), event(2), event(3)]);
    stream.end();
    const result = await followEvents(input(stream, { checkpointer, sink }));
    expect(log).toEqual(['write tx1', 'checkpoint tx1', 'write tx2', 'checkpoint tx2', 'write tx3', 'checkpoint tx3']);
    expect(result).toEqual({ reason: 'stream ended', printed: 3, skipped: 0 });
    expect(stream.closed).toBe(true);
  });

  it('checkpoints filtered-out events without a line', async () => {
    const { log, checkpointer, sink } = recorder();
    const stream = new FakeStream([event(1, 'land.ParcelRegistered'), event(2), event(3, 'debt.DebtRecorded')]);
    stream.end();
    const result = await followEvents(input(stream, { checkpointer, sink, keep: (name) => name.startsWith('identity.') }));
    expect(log).toEqual(['checkpoint tx1', 'write tx2', 'checkpoint tx2', 'checkpoint tx3']);
    expect(result).toEqual({ reason: 'stream ended', printed: 1, skipped: 2 });
  });

  it('on stop, finishes the event in hand (line and checkpoint), leaves the next one for the next run and closes the stream', async () => {
    const { log, checkpointer } = recorder();
    const stop = new AbortController();
    let release = (): void => undefined;
    const sink: LineSink = {
      writeLine: (line) =>
        new Promise<void>((resolve) => {
          log.push(`writing ${line}`);
          release = () => {
            log.push(`written ${line}`);
            resolve();
          };
        }),
      release: () => undefined,
    };
    const stream = new FakeStream([event(1), event(2)]);
    const following = followEvents(input(stream, { checkpointer, sink, stop: stop.signal }));
    await until(() => log.length === 1);
    stop.abort();
    expect(stream.closed).toBe(true);
    release();
    expect(await following).toEqual({ reason: 'stopped', printed: 1, skipped: 0 });
    expect(log).toEqual(['writing tx1', 'written tx1', 'checkpoint tx1']);
  });

  it('on stop while waiting for the next event, closes the stream and ends without an error', async () => {
    const { log, checkpointer, sink } = recorder();
    const stop = new AbortController();
    const stream = new FakeStream([event(1)]);
    const following = followEvents(input(stream, { checkpointer, sink, stop: stop.signal }));
    await until(() => stream.waiting);
    stop.abort();
    expect(await following).toEqual({ reason: 'stopped', printed: 1, skipped: 0 });
    expect(log).toEqual(['write tx1', 'checkpoint tx1']);
    expect(stream.closed).toBe(true);
  });

  it('reads nothing when stopped before it starts', async () => {
    const { log, checkpointer, sink } = recorder();
    const stop = new AbortController();
    stop.abort();
    const stream = new FakeStream([event(1)]);
    expect(await followEvents(input(stream, { checkpointer, sink, stop: stop.signal }))).toEqual({ reason: 'stopped', printed: 0, skipped: 0 });
    expect(log).toEqual([]);
    expect(stream.closed).toBe(true);
  });

  it('stops when the output is closed, without checkpointing the event it could not print', async () => {
    const { log, checkpointer } = recorder();
    const sink: LineSink = {
      writeLine: (line) => {
        if (line === 'tx2') {
          return Promise.reject(new OutputClosed(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
        }
        log.push(`write ${line}`);
        return Promise.resolve();
      },
      release: () => undefined,
    };
    const stream = new FakeStream([event(1), event(2), event(3)]);
    expect(await followEvents(input(stream, { checkpointer, sink }))).toEqual({ reason: 'output closed', printed: 1, skipped: 0 });
    expect(log).toEqual(['write tx1', 'checkpoint tx1']);
    expect(stream.closed).toBe(true);
  });

  it("throws the stream's error when not stopping, after closing it", async () => {
    const { checkpointer, sink } = recorder();
    const stream = new FakeStream();
    const following = followEvents(input(stream, { checkpointer, sink }));
    await until(() => stream.waiting);
    stream.fail(new Error('14 UNAVAILABLE: No connection established'));
    await expect(following).rejects.toThrow('14 UNAVAILABLE');
    expect(stream.closed).toBe(true);
  });

  it("throws a checkpoint's failure, even while stopping: the event is not recorded as done", async () => {
    const { sink } = recorder();
    const stop = new AbortController();
    const checkpointer: Checkpointer = {
      ...recorder().checkpointer,
      checkpointChaincodeEvent: () => {
        stop.abort();
        return Promise.reject(new Error('cannot write checkpoint file x: ENOSPC'));
      },
    };
    const stream = new FakeStream([event(1)]);
    await expect(followEvents(input(stream, { checkpointer, sink, stop: stop.signal }))).rejects.toThrow('ENOSPC');
    expect(stream.closed).toBe(true);
  });
});

describe('stop signals', () => {
  it('turn the first SIGINT, SIGTERM or SIGHUP into an abort, ignore the next ones, and are released', () => {
    for (const name of STOP_SIGNALS) {
      const before = process.listenerCount(name);
      const seen: string[] = [];
      const stop = stopOnSignals((signal) => seen.push(signal));
      expect(process.listenerCount(name)).toBe(before + 1);
      process.emit(name, name);
      process.emit(name, name);
      expect(stop.signal.aborted).toBe(true);
      expect(seen).toEqual([name]);
      stop.release();
      expect(process.listenerCount(name)).toBe(before);
    }
  });
});
