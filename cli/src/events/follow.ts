import type { ChaincodeEvent, Checkpointer, CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import { OutputClosed, type LineSink } from './line-sink';

/** What {@link followEvents} works on; each part is replaceable in tests. */
export interface FollowInput {
  /** The gateway's chaincode event stream, opened from `checkpointer`'s position. */
  readonly events: CloseableAsyncIterable<ChaincodeEvent>;
  /** Where each event is recorded as done, after its line was written. */
  readonly checkpointer: Checkpointer;
  /** Which events to print (by name); the others are checkpointed without a line. */
  readonly keep: (eventName: string) => boolean;
  /** The line of an event (no newline). */
  readonly format: (event: ChaincodeEvent) => string;
  readonly sink: LineSink;
  /** Aborted to stop: the event in hand is finished (line and checkpoint), then the stream is closed. */
  readonly stop: AbortSignal;
}

/** How a follower ended, and what it did: `printed` lines, `skipped` events filtered out. */
export interface FollowResult {
  readonly reason: 'stopped' | 'output closed' | 'stream ended';
  readonly printed: number;
  readonly skipped: number;
}

/**
 * Follow chaincode events until stopped: for each event, write its line and wait until the
 * write has been handed to the OS, then checkpoint it (filtered-out events are checkpointed
 * too). Output comes before the checkpoint, so a process killed outright (SIGKILL) between the
 * two repeats that one event on restart and never loses one; stopped through `stop`, it repeats
 * none. An event whose line could not be written (closed output) is not checkpointed.
 *
 * @returns why it ended and how many events it printed and skipped
 * @throws the event stream's error (e.g. a `GatewayError` when the peer goes away) unless stopping;
 *   the checkpointer's or sink's error (other than a closed output)
 */
export async function followEvents(input: FollowInput): Promise<FollowResult> {
  const { events, checkpointer, keep, format, sink, stop } = input;
  let printed = 0;
  let skipped = 0;
  const result = (reason: FollowResult['reason']): FollowResult => ({ reason, printed, skipped });
  const close = (): void => {
    events.close();
  };
  // A function, not the property: the signal is aborted from outside while this awaits.
  const stopped = (): boolean => stop.aborted;
  stop.addEventListener('abort', close, { once: true });
  const iterator = events[Symbol.asyncIterator]();
  try {
    while (!stopped()) {
      let next: IteratorResult<ChaincodeEvent>;
      try {
        next = await iterator.next();
      } catch (error) {
        // Closing the stream to stop ends the pending read with a CANCELLED error: that is the stop.
        if (stopped()) {
          break;
        }
        throw error;
      }
      // Closing the stream may still let an event through: left for the next run, unprinted and unrecorded.
      if (next.done === true || stopped()) {
        break;
      }
      const event = next.value;
      if (keep(event.eventName)) {
        try {
          await sink.writeLine(format(event));
        } catch (error) {
          if (error instanceof OutputClosed) {
            return result('output closed');
          }
          throw error;
        }
        printed += 1;
      } else {
        skipped += 1;
      }
      await checkpointer.checkpointChaincodeEvent(event);
    }
  } finally {
    stop.removeEventListener('abort', close);
    events.close();
  }
  return result(stopped() ? 'stopped' : 'stream ended');
}

/** The signals that stop a follower cleanly. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/**
 * Turn SIGINT, SIGTERM and SIGHUP into an abort, instead of their default of ending the process
 * at once. Later signals while stopping are ignored (the current event takes milliseconds).
 *
 * @param onFirst - called with the first signal's name (to tell the user)
 * @returns the signal to pass as `stop`, and `release()` to restore the default handling
 */
export function stopOnSignals(onFirst: (signal: StopSignal) => void): { readonly signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const handler = (signal: StopSignal): void => {
    if (!controller.signal.aborted) {
      onFirst(signal);
      controller.abort();
    }
  };
  for (const name of STOP_SIGNALS) {
    process.on(name, handler);
  }
  return {
    signal: controller.signal,
    release: () => {
      for (const name of STOP_SIGNALS) {
        process.off(name, handler);
      }
    },
  };
}
