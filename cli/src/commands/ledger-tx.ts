import { Command } from 'commander';
import { action, type Runtime } from '../context';
import { withSession } from '../gateway/with-contract';
import { transactionText } from '../ledger/transaction-text';
import { parseTransactionId, readTransaction } from '../ledger/tx-lookup';

/**
 * `civic ledger tx <txid>`: one transaction as the caller's org's peer holds it: creator,
 * chaincode function (never the other arguments), endorsers, validation code, block, the keys
 * read and written (public values as sizes, private data as hashes), or that it is a channel
 * configuration.
 */
export function ledgerTxCommand(runtime: Runtime): Command {
  return new Command('tx')
    .description(
      "one transaction from your org's peer: creator, function, endorsers, validation code, block, keys read and written (values never shown, private data as hashes)",
    )
    .argument('<txid>', 'the transaction id (64 hex digits)')
    .addHelpText(
      'after',
      '\nExamples:\n  civic --org city --user auditor ledger tx 3a435cc1626b3a1f9b6605c2e3188cba4764f126b001248d6ba94632073db3aa\n  civic --json ledger tx <txid>',
    )
    .action(
      action(runtime, async (ctx, id: string) => {
        const txId = parseTransactionId(id);
        const tx = await withSession(ctx, (session) => readTransaction(session.gateway, txId, ctx.connection().mspId));
        ctx.printer.result(tx, () => transactionText(tx));
      }),
    );
}
