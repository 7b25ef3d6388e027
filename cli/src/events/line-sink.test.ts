import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { ioLineSink, OutputClosed, streamLineSink } from './line-sink';

/** A stream whose writes complete only when the test says so. */
function heldStream(): { stream: Writable; chunks: string[]; complete: () => void } {
  const chunks: string[] = [];
  let complete = (): void => undefined;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      complete = () => {
        callback();
      };
    },
  });
  return {
    stream,
    chunks,
    complete: () => {
      complete();
    },
  };
}

describe('line sinks', () => {
  it("resolve a line only once the stream's write callback says it was handed on", async () => {
    const { stream, chunks, complete } = heldStream();
    const sink = streamLineSink(stream);
    let done = false;
    const writing = sink.writeLine('{"a":1}').then(() => {
      done = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(chunks).toEqual(['{"a":1}\n']);
    expect(done).toBe(false);
    complete();
    await writing;
    expect(done).toBe(true);
    sink.release();
    expect(stream.listenerCount('error')).toBe(0);
  });

  it('turn a closed pipe (EPIPE) into OutputClosed, for this and every later line, without an unhandled error', async () => {
    const reader = spawn(process.execPath, ['-e', ''], { stdio: ['pipe', 'ignore', 'ignore'] });
    await once(reader, 'exit');
    const sink = streamLineSink(reader.stdin);
    await expect(sink.writeLine('first')).rejects.toBeInstanceOf(OutputClosed);
    await expect(sink.writeLine('second')).rejects.toBeInstanceOf(OutputClosed);
    sink.release();
    // The error listener stays after a failure, so that a late 'error' event is not thrown.
    expect(reader.stdin.listenerCount('error')).toBeGreaterThan(0);
  });

  it('pass on other write errors as they are', async () => {
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
      },
    });
    const sink = streamLineSink(stream);
    const failure = sink.writeLine('x');
    await expect(failure).rejects.toThrow('ENOSPC');
    await expect(failure).rejects.not.toBeInstanceOf(OutputClosed);
  });

  it("write to an Io's out when it has no stream (a test's capture)", async () => {
    const out: string[] = [];
    const sink = ioLineSink({ out: (t) => out.push(t), err: () => undefined });
    await sink.writeLine('one');
    await sink.writeLine('two');
    expect(out).toEqual(['one', 'two']);
  });
});
