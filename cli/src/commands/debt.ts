import { Command } from 'commander';
import type { DebtRecord } from '@civic-ledger/chaincode/dist/debt/client';
import { action, type CommandContext, type Runtime } from '../context';
import { UsageError } from '../errors';
import { evaluate } from '../gateway/transactions';
import { submitAndReport, withContract } from '../gateway/with-contract';
import { parseEuroCents } from '../land/arguments';
import { ownCollectionEndorsers } from '../debt/endorsers';
import { debtTable } from '../debt/render';
import { euros } from '../output/money';
import { addConsentCommands } from './debt-consent';
import { addPlanCommands } from './debt-plans';

/** The caller's own org's records of a subject, from a peer of its own org. */
async function ownRecords(ctx: CommandContext, subject: string): Promise<DebtRecord[]> {
  return JSON.parse(
    await withContract(ctx, 'debt', (c) => evaluate(c, 'ListDebts', [subject], { endorsingOrganizations: [ctx.connection().mspId] })),
  ) as DebtRecord[];
}

function recordCommands(debt: Command, runtime: Runtime): void {
  debt
    .command('record')
    .description("record a debt in your org's private data collection, endorsed by your own org's peer only (creditor role)")
    .requiredOption('--subject <did>', "the debtor's DID")
    .requiredOption('--reference <ref>', 'your file or invoice reference')
    .requiredOption('--amount <euros>', 'the amount owed, e.g. 1250.00')
    .requiredOption('--origin <text>', 'what it is for, e.g. "energy bill 2026-Q2"')
    .requiredOption('--since <date>', 'owed since, YYYY-MM-DD')
    .addHelpText(
      'after',
      '\nExample:\n  civic --org utilities --user creditor debt record --subject did:civic:… --reference EN-99812 --amount 312.40 --origin "energy 2026-Q2" --since 2026-07-01',
    )
    .action(
      action(runtime, async (ctx, opts: { subject: string; reference: string; amount: string; origin: string; since: string }) => {
        const debt_ = {
          subject: opts.subject,
          creditorReference: opts.reference,
          amountCents: parseEuroCents(opts.amount, '--amount'),
          origin: opts.origin,
          since: opts.since,
        };
        if (debt_.amountCents <= 0) {
          throw new UsageError('--amount: a debt must be more than €0.00');
        }
        await withContract(ctx, 'debt', (c) =>
          submitAndReport(
            ctx,
            c,
            'RecordDebt',
            [],
            (r: { debtId: string; creditor: string }) => `recorded debt ${r.debtId} of ${r.creditor}: ${euros(debt_.amountCents)} (private to ${r.creditor})`,
            { transient: { debt: JSON.stringify(debt_) }, endorsingOrganizations: ownCollectionEndorsers(ctx.connection().mspId) },
          ),
        );
      }),
    );
  debt
    .command('list')
    .description("your org's debts of one subject (creditor role; read from your own org's peer)")
    .requiredOption('--subject <did>', "the debtor's DID")
    .action(
      action(runtime, async (ctx, opts: { subject: string }) => {
        const records = await ownRecords(ctx, opts.subject);
        ctx.printer.result(records, () => (records.length === 0 ? `no debts of ${opts.subject} recorded by ${ctx.connection().mspId}` : debtTable(records)));
      }),
    );
  for (const [verb, fn, what] of [
    ['settle', 'SettleDebt', 'mark one of your debts settled'],
    ['purge', 'PurgeDebt', "erase one of your debts' private data for good (PurgePrivateData), on the subject's request or at the end of retention"],
  ] as const) {
    debt
      .command(verb)
      .description(`${what} (creditor role)`)
      .requiredOption('--subject <did>', "the debtor's DID")
      .requiredOption('--debt <id>', 'the debt id (see debt list; a unique prefix will do)')
      .action(
        action(runtime, async (ctx, opts: { subject: string; debt: string }) => {
          const matches = (await ownRecords(ctx, opts.subject)).filter((r) => r.debtId.startsWith(opts.debt));
          if (matches.length !== 1) {
            throw new UsageError(
              `--debt: ${matches.length === 0 ? 'no' : 'more than one'} debt of ${opts.subject} at ${ctx.connection().mspId} starts with '${opts.debt}'`,
            );
          }
          const current = JSON.stringify({ record: matches[0] });
          await withContract(ctx, 'debt', (c) =>
            submitAndReport(ctx, c, fn, [], (r: { debtId: string; status: string }) => `debt ${r.debtId}: ${r.status}`, {
              transient: { current },
              endorsingOrganizations: ownCollectionEndorsers(ctx.connection().mspId),
            }),
          );
        }),
      );
  }
}

/** `civic debt …`: debt-sharing among agencies */
export function debtCommand(runtime: Runtime): Command {
  const debt = new Command('debt').description('debt-sharing: private records per creditor, citizen consent, pro-rata repayment plans');
  recordCommands(debt, runtime);
  addConsentCommands(debt, runtime);
  addPlanCommands(debt, runtime);
  return debt;
}
