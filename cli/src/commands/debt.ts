import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import type { DebtRecord } from '@civic-ledger/chaincode/dist/debt/client';
import { action, type CommandContext, type Runtime } from '../context';
import { UsageError } from '../errors';
import { evaluate, submitUnlessAnswered } from '../gateway/transactions';
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

/** A debt id as the chaincode takes it: 128 to 256 random bits, lower-case hex. */
const DEBT_ID = /^[0-9a-f]{32,64}$/;

interface RecordOptions {
  subject: string;
  reference: string;
  amount: string;
  origin: string;
  since: string;
  debtId?: string;
}

/**
 * `debt record`: the debt goes under an id chosen here (128 random bits, or `--debt-id` to retry
 * an earlier attempt), printed before anything is submitted. The chaincode answers the same debt
 * under the same id with `already recorded` at endorsement, and then nothing is sent to the
 * orderers; another debt under that id is refused (ALREADY_EXISTS).
 */
async function recordDebt(ctx: CommandContext, opts: RecordOptions): Promise<void> {
  const debtId = opts.debtId ?? randomBytes(16).toString('hex');
  if (!DEBT_ID.test(debtId)) {
    throw new UsageError('--debt-id: must be 32 to 64 lower-case hex digits, as printed by an earlier `debt record`');
  }
  const debt_ = {
    debtId,
    subject: opts.subject,
    creditorReference: opts.reference,
    amountCents: parseEuroCents(opts.amount, '--amount'),
    origin: opts.origin,
    since: opts.since,
  };
  if (debt_.amountCents <= 0) {
    throw new UsageError('--amount: a debt must be more than €0.00');
  }
  ctx.printer.notice(`debt id ${debtId}: if the outcome is not known, retry with --debt-id ${debtId} (never records it twice)`);
  const outcome = await withContract(ctx, 'debt', (c) =>
    submitUnlessAnswered(
      c,
      'RecordDebt',
      [],
      (r) => (JSON.parse(r) as { status?: string }).status === 'already recorded',
      (m) => {
        ctx.printer.verbose(m);
      },
      5,
      { transient: { debt: JSON.stringify(debt_) }, endorsingOrganizations: ownCollectionEndorsers(ctx.connection().mspId) },
    ),
  );
  const result = { debtId, ...(JSON.parse(outcome.result) as { creditor: string; status: string }) };
  if (!('blockNumber' in outcome)) {
    ctx.printer.result({ result }, () => `debt ${debtId} of ${result.creditor} is already recorded, with these details: nothing submitted`);
    return;
  }
  ctx.printer.result(
    { result, transactionId: outcome.transactionId, blockNumber: outcome.blockNumber.toString() },
    () =>
      `recorded debt ${debtId} of ${result.creditor}: ${euros(debt_.amountCents)} (private to ${result.creditor})\n  tx ${outcome.transactionId} in block ${outcome.blockNumber.toString()}`,
  );
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
    .option(
      '--debt-id <hex>',
      'the id to record it under (32 to 64 lower-case hex digits); by default a new random one, printed before submitting: give it again to retry safely',
    )
    .addHelpText(
      'after',
      '\nExample:\n  civic --org utilities --user creditor debt record --subject did:civic:… --reference EN-99812 --amount 312.40 --origin "energy 2026-Q2" --since 2026-07-01',
    )
    .action(action(runtime, (ctx, opts: RecordOptions) => recordDebt(ctx, opts)));
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
            submitAndReport(
              ctx,
              c,
              fn,
              [],
              (r: { creditor: string; status: string }) => `debt ${matches[0]?.debtId ?? opts.debt} of ${r.creditor}: ${r.status}`,
              {
                transient: { current },
                endorsingOrganizations: ownCollectionEndorsers(ctx.connection().mspId),
              },
            ),
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
