import type { Io } from '../output/printer';

/** Where a follower writes its lines: one event per line, each awaited before its checkpoint. */
export interface LineSink {
  /**
   * Write one line (a newline is added).
   *
   * @returns a promise that resolves once the line has been handed to the operating system
   * @throws OutputClosed when the reader has gone (EPIPE: a closed pipe); the stream's error otherwise
   */
  writeLine(line: string): Promise<void>;
  /** Stop watching the stream's errors (after the last line). */
  release(): void;
}

/** The output's reader has gone (a closed pipe): the follower stops, as `tail -f | head` would. */
export class OutputClosed extends Error {
  constructor(cause: Error) {
    super(`output closed: ${cause.message}`, { cause });
    this.name = 'OutputClosed';
  }
}

const CLOSED_CODES = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

/**
 * Lines written to a stream (the process's stdout), each resolved by the stream's write callback,
 * which runs once the data has been handed to the OS (or failed). The stream's `error` events are
 * listened to so that a closed pipe ends the follower instead of crashing the process.
 *
 * @param stream - a writable stream, e.g. `process.stdout`
 */
export function streamLineSink(stream: NodeJS.WritableStream): LineSink {
  let failure: Error | undefined;
  const onError = (error: Error): void => {
    failure ??= error;
  };
  stream.on('error', onError);
  const asFailure = (error: Error): Error => (CLOSED_CODES.has((error as NodeJS.ErrnoException).code ?? '') ? new OutputClosed(error) : error);
  return {
    writeLine: (line) =>
      new Promise<void>((resolve, reject) => {
        if (failure !== undefined) {
          reject(asFailure(failure));
          return;
        }
        stream.write(`${line}\n`, (error) => {
          if (error) {
            failure ??= error;
            reject(asFailure(error));
          } else {
            resolve();
          }
        });
      }),
    release: () => {
      // After a failure the stream may still emit it: the listener stays so that it is not thrown.
      if (failure === undefined) {
        stream.off('error', onError);
      }
    },
  };
}

/**
 * Lines given to the CLI's {@link Io}: to its stdout stream when it has one (see
 * {@link streamLineSink}), else to `io.out`, done when it returns (a test's capture).
 */
export function ioLineSink(io: Io): LineSink {
  if (io.stdout !== undefined) {
    return streamLineSink(io.stdout);
  }
  return {
    writeLine: (line) => {
      io.out(line);
      return Promise.resolve();
    },
    release: () => undefined,
  };
}
