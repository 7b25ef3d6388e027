import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { z } from 'zod';
import { debtRecordSchema, shareProRata, type Plan, type PlanShare } from '@civic-ledger/chaincode/dist/debt/client';
import { action, type CommandContext, type Runtime } from '../context';
import { ContractError, UsageError } from '../errors';
import { evaluate, submitUnlessAnswered } from '../gateway/transactions';
import { submitAndReport, withContract } from '../gateway/with-contract';
import { parseJson, parseWith, readInput } from '../input';
import { parseEuroCents } from '../land/arguments';
import { mspIdOf } from '../options';
import { readConsent } from '../debt/consent-file';
import { ownCollectionEndorsers, planEndorsers } from '../debt/endorsers';
import { euros } from '../output/money';

/** The caller's own share of a plan, from a peer of its own org; undefined when it has none. */
async function ownShare(ctx: CommandContext, planId: string): Promise<PlanShare | undefined> {
  try {
    return JSON.parse(
      await withContract(ctx, 'debt', (c) => evaluate(c, 'GetPlanShare', [planId], { endorsingOrganizations: [ctx.connection().mspId] })),
    ) as PlanShare;
  } catch (e) {
    if (e instanceof ContractError && (e.code === 'NOT_FOUND' || e.code === 'FORBIDDEN')) {
      return undefined;
    }
    throw e;
  }
}

function proposeCommand(plan: Command, runtime: Runtime): void {
  plan
    .command('propose')
    .description("share the citizen's monthly repayment capacity among the creditors pro rata to what each is owed (debt-counsellor role)")
    .requiredOption('--consent <file>', 'the consent file')
    .requiredOption('--overview <file>', 'the records saved by debt overview --out')
    .requiredOption('--capacity <euros>', 'the monthly repayment capacity, e.g. 250.00')
    .option('--preferential <orgs>', 'creditors weighted double, comma-separated (e.g. agencies, for the tax office)')
    .option(
      '--plan-id <hex>',
      'the id to propose it under (32 to 64 lower-case hex digits); by default a new random one, printed before submitting: give it again to retry safely',
    )
    .action(
      action(runtime, async (ctx, opts: { consent: string; overview: string; capacity: string; preferential?: string; planId?: string }) => {
        const planId = opts.planId ?? randomBytes(16).toString('hex');
        if (!/^[0-9a-f]{32,64}$/.test(planId)) {
          throw new UsageError('--plan-id: must be 32 to 64 lower-case hex digits, as printed by an earlier `debt plan propose`');
        }
        const consent = readConsent(opts.consent);
        const records = parseWith(
          z.array(debtRecordSchema),
          parseJson(readInput(opts.overview, '--overview').toString('utf8'), `--overview ${opts.overview}`),
          `--overview ${opts.overview}`,
        ).filter((r) => r.status === 'open');
        const capacityCents = parseEuroCents(opts.capacity, '--capacity');
        if (capacityCents === 0) {
          throw new UsageError('--capacity: a plan needs a repayment capacity above €0.00');
        }
        const preferential = (opts.preferential ?? '')
          .split(',')
          .filter((o) => o.trim() !== '')
          .map((o) => {
            const msp = mspIdOf(o);
            if (msp === undefined) {
              throw new UsageError(`--preferential: '${o}' is not an org (city, agencies, utilities)`);
            }
            return msp;
          });
        const owed = new Map<string, number>();
        for (const r of records) {
          owed.set(r.creditor, (owed.get(r.creditor) ?? 0) + r.outstandingCents);
        }
        const shares = shareProRata(
          capacityCents,
          [...owed].map(([creditorId, owedCents]) => ({ creditorId, owedCents, preferential: preferential.includes(creditorId) })),
          preferential.length > 0 ? 2 : 1,
        );
        const transient = { plan: JSON.stringify({ planId, consent, capacityCents, preferential, records }) };
        ctx.printer.notice(`plan id ${planId}: if the outcome is not known, retry with --plan-id ${planId} (never proposes it twice)`);
        const outcome = await withContract(ctx, 'debt', (c) =>
          submitUnlessAnswered(
            c,
            'ProposePlan',
            [],
            (r) => (JSON.parse(r) as { status?: string }).status === 'already proposed',
            (m) => {
              ctx.printer.verbose(m);
            },
            5,
            {
              transient,
              endorsingOrganizations: planEndorsers(
                ctx.connection().mspId,
                shares.map((s) => s.creditorId),
              ),
            },
          ),
        );
        const result = JSON.parse(outcome.result) as { planId: string; creditors: string[]; status: string };
        if (!('blockNumber' in outcome)) {
          ctx.printer.result({ result }, () => `plan ${planId} is already proposed, with these details: nothing submitted`);
          return;
        }
        ctx.printer.result({ result, transactionId: outcome.transactionId, blockNumber: outcome.blockNumber.toString() }, () =>
          [
            `proposed plan ${planId}: ${euros(capacityCents)} a month`,
            ...shares.map((s) => `  ${s.creditorId}: ${euros(s.cents)} a month of ${euros(owed.get(s.creditorId) ?? 0)} owed`),
            `  tx ${outcome.transactionId} in block ${outcome.blockNumber.toString()}`,
          ].join('\n'),
        );
      }),
    );
}

/** `debt plan propose | accept | reject | show` and `debt pay`. */
export function addPlanCommands(debt: Command, runtime: Runtime): void {
  const plan = debt.command('plan').description('repayment plans: pro-rata shares, each creditor sees only its own');
  proposeCommand(plan, runtime);
  for (const [verb, decision] of [
    ['accept', 'accepted'],
    ['reject', 'rejected'],
  ] as const) {
    plan
      .command(verb)
      .description(`${verb} your org's share of a plan (creditor role); the plan is active once every creditor accepts`)
      .argument('<plan>', 'plan id')
      .action(
        action(runtime, async (ctx, planId: string) => {
          await withContract(ctx, 'debt', (c) =>
            submitAndReport(
              ctx,
              c,
              'DecidePlan',
              [planId, decision],
              (p: Plan) => `${ctx.connection().mspId} ${decision} plan ${planId}; the plan is ${p.status}`,
            ),
          );
        }),
      );
  }
  plan
    .command('show')
    .description("a plan: creditors and their decisions (public), and your org's own share if it has one")
    .argument('<plan>', 'plan id')
    .action(
      action(runtime, async (ctx, planId: string) => {
        const p = JSON.parse(await withContract(ctx, 'debt', (c) => evaluate(c, 'GetPlan', [planId]))) as Plan;
        const share = await ownShare(ctx, planId);
        ctx.printer.result({ plan: p, share: share ?? null }, () =>
          [
            `plan ${p.planId}: ${p.status} (proposed ${p.proposed})`,
            ...p.creditors.map((c) => `  ${c.creditor}: ${c.decision}`),
            ...(share === undefined
              ? []
              : [
                  `  your share: ${euros(share.monthlyCents)} a month; ${euros(share.paidCents)} paid, ${euros(share.outstandingCents)} outstanding of ${euros(share.claimCents)}`,
                ]),
          ].join('\n'),
        );
      }),
    );
  debt
    .command('pay')
    .description('record a payment received under an active plan; your outstanding amount falls (creditor role)')
    .requiredOption('--plan <id>', 'plan id')
    .requiredOption('--amount <euros>', 'the amount received, e.g. 46.88')
    .action(
      action(runtime, async (ctx, opts: { plan: string; amount: string }) => {
        const amountCents = parseEuroCents(opts.amount, '--amount');
        const share = await ownShare(ctx, opts.plan);
        if (share === undefined) {
          throw new UsageError(`${ctx.connection().mspId} has no share in plan ${opts.plan}`);
        }
        const transient = { payment: JSON.stringify({ share, amountCents }) };
        await withContract(ctx, 'debt', (c) =>
          submitAndReport(
            ctx,
            c,
            'RecordPayment',
            [],
            () => `payment of ${euros(amountCents)} recorded; ${euros(share.outstandingCents - amountCents)} outstanding`,
            { transient, endorsingOrganizations: ownCollectionEndorsers(ctx.connection().mspId) },
          ),
        );
      }),
    );
}
