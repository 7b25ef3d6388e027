import { Command } from 'commander';
import { action, type Runtime } from '../context';
import { UsageError } from '../errors';
import { CHANNEL } from '../gateway/connect';
import { withSession } from '../gateway/with-contract';
import { peerBlocks, peerHeight } from '../ledger/block-source';
import { summarizeBlock, type BlockSummary } from '../ledger/verify';

function blockNumber(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) {
    return undefined;
  }
  if (!/^\d{1,15}$/.test(raw)) {
    throw new UsageError(`${name}: '${raw}' is not a block number (a whole number from 0)`);
  }
  return Number(raw);
}

/** The first 16 hex digits of a hash, for tables (`--json` gives them whole). */
const short = (hash: string): string => (hash === '' ? '-' : `${hash.slice(0, 16)}…`);

/** `civic ledger blocks`: the blocks of the selected org's peer, each checked as it is read. */
export function ledgerBlocksCommand(runtime: Runtime): Command {
  return new Command('blocks')
    .description("the channel's blocks on the org's peer: number, hash, data hash, previous hash, transactions and timestamp")
    .option('--from <n>', 'first block (default: 20 blocks before the last)')
    .option('--to <n>', 'last block (default: the last block)')
    .addHelpText(
      'after',
      '\nThe table shows the first 16 hex digits of each hash; --json gives them whole.\nExamples:\n  civic --user auditor ledger blocks --from 0 --to 9\n  civic --json ledger blocks --from 120',
    )
    .action(
      action(runtime, async (ctx, opts: { from?: string; to?: string }) => {
        const from = blockNumber('--from', opts.from);
        const to = blockNumber('--to', opts.to);
        const blocks = await withSession(ctx, async (session) => {
          const height = await peerHeight(session.gateway, ctx.connection().mspId);
          const last = to ?? height - 1;
          const first = from ?? Math.max(0, last - 19);
          if (last >= height) {
            throw new UsageError(`--to ${String(last)}: the peer's ledger ends at block ${String(height - 1)}`);
          }
          if (first > last) {
            throw new UsageError(`--from ${String(first)} is after --to ${String(last)}`);
          }
          const summaries: BlockSummary[] = [];
          for await (const item of peerBlocks(session.gateway, first, last)) {
            if ('block' in item) {
              summaries.push(summarizeBlock(item.block));
            }
          }
          return summaries;
        });
        ctx.printer.result({ channel: CHANNEL, blocks }, () => ({
          head: ['block', 'hash', 'data hash', 'previous hash', 'txs', 'timestamp'],
          rows: blocks.map((b) => [
            b.number,
            short(b.hash),
            short(b.dataHash),
            short(b.previousHash),
            b.config ? `${String(b.transactions)} (config)` : b.transactions,
            b.timestamp ?? '',
          ]),
        }));
      }),
    );
}
