import { Command } from 'commander';
import { action, type Runtime } from '../context';
import { CheckFailed, NetworkError } from '../errors';
import { agreementText, chainInfoText } from '../ledger/chain-info-text';
import { memberChainInfo } from '../ledger/chain-info';
import { memberOrgPeers } from '../ledger/org-peers';

/**
 * `civic ledger info`: the channel's height, current and previous block hash on one peer of
 * every member org, asked as the caller, and whether they agree. Exit 2 when a peer does not
 * answer, 1 when the peers' hashes do not fit one chain; heights that differ for a moment
 * (a block still being committed) are reported, not an error.
 */
export function ledgerInfoCommand(runtime: Runtime): Command {
  return new Command('info')
    .description("each member org's peer's height, current and previous block hash (qscc GetChainInfo), and whether they agree")
    .addHelpText('after', '\nExamples:\n  civic --org city --user auditor ledger info\n  civic --json ledger info | jq .peers')
    .action(
      action(runtime, async (ctx) => {
        const report = await memberChainInfo(memberOrgPeers(ctx.paths), { identity: ctx.identity(), mspId: ctx.connection().mspId });
        const failure = !report.hashesConsistent
          ? new CheckFailed('LEDGER_DIVERGED', agreementText(report), report)
          : !report.allAnswered
            ? Object.assign(new NetworkError(agreementText(report), { code: 'PEER_UNREACHABLE' }), { data: report })
            : undefined;
        if (failure === undefined || !ctx.options.json) {
          ctx.printer.result(report, () => chainInfoText(report));
        }
        if (failure !== undefined) {
          throw failure;
        }
      }),
    );
}
