import { Command } from 'commander';
import { checkpointers, type Checkpointer } from '@hyperledger/fabric-gateway';
import { action, type CommandContext, type Runtime } from '../context';
import { Printer } from '../output/printer';
import { CHAINCODE, CHANNEL, type Session } from '../gateway/connect';
import { blockNumberOfTransaction } from '../gateway/qscc';
import { peerHeight } from '../ledger/block-source';
import { withSession } from '../gateway/with-contract';
import { fromFabricError } from '../gateway/fabric-errors';
import { NetworkError, UsageError } from '../errors';
import { FileCheckpointer } from '../events/checkpoint-file';
import { CONTRACT_NAMES, eventNameFilter } from '../events/contracts';
import { followEvents, stopOnSignals } from '../events/follow';
import { ioLineSink } from '../events/line-sink';
import { humanLine, jsonLine } from '../events/lines';
import { parseFollowOptions, type FollowOptions } from '../events/options';

const FOLLOW_HELP = `
Each event is printed, and the write handed to the OS, before it is checkpointed; filtered-out
events are checkpointed too. The checkpoint file is replaced atomically (temp file, fsync,
rename): a missing file means "no checkpoint yet", a corrupt one is refused, never overwritten,
and so is one whose last transaction the ledger does not hold (another network's checkpoint).

Where it starts: at the checkpoint when the file holds one (--since is then ignored, with a
notice on stderr); else at --since BLOCK; else at the next block to be committed. Without a
checkpoint yet, the start block is written to the file at once, so a restart resumes there.

Stopping: SIGINT (Ctrl-C), SIGTERM or SIGHUP finish the event in hand (line and checkpoint),
close the stream and exit 0; so does a closed stdout (e.g. | head), at the next event. A restart
with the same --checkpoint then prints every later event exactly once. SIGKILL cannot be caught:
killed between an event's line and its checkpoint, the restart prints that one event again; no
event is ever lost, since no event is checkpointed before its line was written.

Output: one line per event on stdout; progress on stderr. Errors go to stderr as one line, also
with --json, so that stdout stays one JSON object per line:
  {"blockNumber":"12","transactionId":"…","chaincode":"civic","eventName":"identity.DIDRegistered",
   "payload":{…},"payloadEncoding":"json"}
(payloadEncoding "base64" when the payload is not JSON: payload is then its bytes in base64).
One follower per checkpoint file.

Examples:
  civic --org utilities --user auditor events follow --checkpoint events.ckpt
  civic --user auditor events follow --contract identity --since 0 --json --checkpoint id.ckpt | jq .eventName`;

/** `civic events follow`: the civic chaincode's events through the gateway, resumable with a checkpoint file. */
export function eventsCommand(runtime: Runtime): Command {
  const events = new Command('events').description("the civic chaincode's events, as they are committed");
  events
    .command('follow')
    .description('print chaincode events as they are committed, until stopped; with --checkpoint a restart resumes where it stopped')
    .option('--contract <name>', `only this contract's events: ${CONTRACT_NAMES.join(', ')}`)
    .option('--since <block>', 'start at this block number when there is no checkpoint yet (default: the next block)')
    .option('--checkpoint <file>', 'read the position from, and record every event done in, this file')
    .addHelpText('after', FOLLOW_HELP)
    .action(
      action(runtime, async (ctx, raw: { contract?: string; since?: string; checkpoint?: string }) => {
        // A stream keeps stdout to event lines: errors go to stderr as one line, also with --json.
        const errors = new Printer(runtime.io, { json: false, verbose: ctx.options.verbose });
        const stop = stopOnSignals((signal) => {
          ctx.printer.info(`${signal}: stopping after the event in hand`);
        });
        try {
          await follow(ctx, runtime, parseFollowOptions(raw), stop.signal);
        } catch (error) {
          process.exitCode = errors.error(error);
        } finally {
          stop.release();
        }
      }),
    );
  return events;
}

async function follow(ctx: CommandContext, runtime: Runtime, options: FollowOptions, stop: AbortSignal): Promise<void> {
  const file = options.checkpoint === undefined ? undefined : await FileCheckpointer.open(options.checkpoint);
  const checkpointer: Checkpointer = file ?? checkpointers.inMemory();
  await withSession(ctx, async (session) => {
    await settleStart(ctx, session, options, file);
    ctx.printer.info(startMessage(checkpointer, options, file?.file));
    const sink = ioLineSink(runtime.io);
    try {
      const result = await session.gateway
        .getNetwork(CHANNEL)
        .getChaincodeEvents(CHAINCODE, { checkpoint: checkpointer, startBlock: options.since })
        .then((events) =>
          followEvents({ events, checkpointer, keep: eventNameFilter(options.contract), format: ctx.options.json ? jsonLine : humanLine, sink, stop }),
        )
        .catch((error: unknown) => {
          throw fromFabricError(error);
        });
      const counts = `${String(result.printed)} events printed${options.contract === undefined ? '' : `, ${String(result.skipped)} of other contracts skipped`}`;
      if (result.reason === 'stream ended') {
        throw new NetworkError(`the gateway peer ended the event stream (${counts}); run the command again to resume from the checkpoint`);
      }
      ctx.printer.info(`${result.reason}: ${counts}${positionOf(checkpointer)}`);
    } finally {
      sink.release();
    }
  });
}

/**
 * Settle where to start. A checkpoint wins over `--since` (said on stderr). Without a checkpoint
 * yet, the start (`--since`, else the channel's height: the next block) is written to the file
 * at once, so that a restart before the first event still resumes there.
 */
async function settleStart(ctx: CommandContext, session: Session, options: FollowOptions, file: FileCheckpointer | undefined): Promise<void> {
  if (file === undefined) {
    return;
  }
  const resumeAt = file.getBlockNumber();
  if (resumeAt !== undefined) {
    if (options.since !== undefined) {
      ctx.printer.notice(`--since ${options.since.toString()} ignored: checkpoint file ${file.file} resumes at block ${resumeAt.toString()}`);
    }
    await checkResumePoint(session, file, resumeAt, ctx.connection().mspId);
    return;
  }
  await file.checkpointStartBlock(options.since ?? BigInt(await peerHeight(session.gateway, ctx.connection().mspId)));
}

/**
 * The peer skips every event until it meets the checkpoint's transaction: one that the ledger
 * does not hold in that block (a checkpoint of another network, or a ledger made anew) would
 * silence the follower for good, so it is refused.
 *
 * @throws UsageError naming the file when the ledger does not hold the transaction in the checkpoint's block,
 *   or has not reached a checkpoint's start block
 */
async function checkResumePoint(session: Session, file: FileCheckpointer, resumeAt: bigint, peerMspId: string): Promise<void> {
  const tx = file.getTransactionId();
  if (tx === undefined) {
    // A start block alone: the ledger must have reached the block before it (the start is at most its height).
    const height = BigInt(await peerHeight(session.gateway, peerMspId));
    if (resumeAt > height) {
      throw new UsageError(
        `checkpoint file ${file.file} starts at block ${resumeAt.toString()}, but the channel's ledger has only ${height.toString()} blocks ` +
          '(a checkpoint of another network?); it is left as it is: delete it, or use another file, to start over',
      );
    }
    return;
  }
  const block = await blockNumberOfTransaction(session.gateway, tx);
  if (block !== resumeAt) {
    const found = block === undefined ? 'has no such transaction' : `holds it in block ${block.toString()}`;
    throw new UsageError(
      `checkpoint file ${file.file} resumes after transaction ${tx} in block ${resumeAt.toString()}, but the channel's ledger ${found} ` +
        '(a checkpoint of another network?); it is left as it is: delete it, or use another file, to start over',
    );
  }
}

function startMessage(checkpointer: Checkpointer, options: FollowOptions, file: string | undefined): string {
  const block = checkpointer.getBlockNumber() ?? options.since;
  const tx = checkpointer.getTransactionId();
  const from = block === undefined ? 'from the next block' : `${tx === undefined ? 'from' : `after tx ${tx} in`} block ${block.toString()}`;
  return `following ${CHAINCODE} events${options.contract === undefined ? '' : ` of ${options.contract}`} ${from}${file === undefined ? '' : ` (checkpoint ${file})`}`;
}

function positionOf(checkpointer: Checkpointer): string {
  const block = checkpointer.getBlockNumber();
  const tx = checkpointer.getTransactionId();
  return block === undefined ? '' : `; at block ${block.toString()}${tx === undefined ? '' : ` after tx ${tx}`}`;
}
