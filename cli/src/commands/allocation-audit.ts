import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Contract } from '@hyperledger/fabric-gateway';
import { explain, type RoundRecord } from '@civic-ledger/chaincode/dist/allocation/client';
import { auditRound, roundAuditDataSchema, type RoundAuditData } from '../allocation/audit';
import { fairnessReport } from '../allocation/report';
import { action, type Runtime } from '../context';
import { CheckFailed, UsageError } from '../errors';
import { evaluate } from '../gateway/transactions';
import { withContract } from '../gateway/with-contract';
import { parseJson, parseWith, readInput } from '../input';
import type { TableData } from '../output/printer';

/** The round and the draw's exact input, read from the ledger through the org's gateway peer. */
async function readAuditData(c: Contract, roundId: string): Promise<RoundAuditData> {
  const round = JSON.parse(await evaluate(c, 'GetRound', [roundId])) as unknown;
  const inputs = JSON.parse(await evaluate(c, 'GetDrawInputs', [roundId])) as unknown;
  return parseWith(roundAuditDataSchema, { round, inputs }, `round ${roundId} as read from the ledger`);
}

function resultsTable(round: RoundRecord): TableData {
  const result = round.result;
  if (result === null) {
    return { head: ['round', 'status', 'closes', 'closed at'], rows: [[round.roundId, round.status, round.closes, round.closedAt ?? '—']] };
  }
  const assigned = round.sites.map((s) => [s.id, s.category, result.assignments[s.id] ?? '—']);
  const waiting = result.waitingList.map((did, i) => [`waiting ${String(i + 1)}`, '', did]);
  return { head: ['site', 'category', 'holder'], rows: [...assigned, ...waiting] };
}

function reportTable(report: ReturnType<typeof fairnessReport>): TableData {
  return {
    head: ['category', 'sites', 'quota', '1st choice of', 'winners', 'by group: applicants → winners'],
    rows: report.categories.map((c) => [
      c.category,
      c.sites,
      c.quota ?? '—',
      c.firstChoice,
      c.winners,
      Object.entries(c.groups)
        .map(([g, n]) => `${g}: ${String(n.applicants)} → ${String(n.winners)}`)
        .join('\n'),
    ]),
  };
}

/** `allocation results | export | verify | explain | report`: anyone's audit of a round. */
export function addAllocationAuditCommands(allocation: Command, runtime: Runtime): void {
  allocation
    .command('results')
    .description('a round: each site and its holder, then the waiting list in order (any org member)')
    .argument('<round>', 'round id')
    .action(
      action(runtime, async (ctx, roundId: string) => {
        const round = JSON.parse(await withContract(ctx, 'allocation', (c) => evaluate(c, 'GetRound', [roundId]))) as RoundRecord;
        ctx.printer.result(round, () => resultsTable(round));
      }),
    );
  allocation
    .command('export')
    .description("write a round's data (round, seed, result, changes, draw inputs) to a file, for an audit anyone can rerun offline")
    .argument('<round>', 'round id')
    .requiredOption('--out <file>', 'the file to write (never overwritten)')
    .action(
      action(runtime, async (ctx, roundId: string, opts: { out: string }) => {
        const data = await withContract(ctx, 'allocation', (c) => readAuditData(c, roundId));
        await writeFile(opts.out, `${JSON.stringify(data, null, 2)}\n`, { flag: 'wx' });
        ctx.printer.result(
          { file: opts.out, applications: data.inputs.length },
          () => `wrote round ${roundId} (${String(data.inputs.length)} applications) to ${opts.out}`,
        );
      }),
    );
  allocation
    .command('verify')
    .description('recompute the draw locally from the ledger data (or an exported copy) and report any difference; exit 1 if any')
    .argument('<round>', 'round id')
    .option('--data <file>', 'audit an exported copy instead of reading the ledger')
    .action(
      action(runtime, async (ctx, roundId: string, opts: { data?: string }) => {
        const data =
          opts.data === undefined
            ? await withContract(ctx, 'allocation', (c) => readAuditData(c, roundId))
            : parseWith(roundAuditDataSchema, parseJson(readInput(opts.data, '--data').toString('utf8'), `--data ${opts.data}`), `--data ${opts.data}`);
        if (data.round.roundId !== roundId) {
          throw new UsageError(`--data ${opts.data ?? ''} holds round ${data.round.roundId}, not ${roundId}`);
        }
        const report = auditRound(data);
        if (!report.agrees) {
          const lines = report.differences.map((d) => `  ${d.what}: ledger says ${JSON.stringify(d.stored)}, recomputed ${JSON.stringify(d.recomputed)}`);
          throw new CheckFailed(
            'ALLOCATION_MISMATCH',
            `round ${roundId} does not verify: ${String(report.differences.length)} difference(s)\n${lines.join('\n')}`,
            report,
          );
        }
        const caveat = report.applicationsChecked
          ? ''
          : ' (drawn before the ledger recorded a digest of the applications, so a change to one that leaves the outcome as it is would go unseen)';
        ctx.printer.result(
          report,
          () =>
            `round ${roundId} verifies: every org's share matches its commitment and the seed is their hash, and the draw of ${String(report.applications)} applications recomputed here, with ${String(report.changesReplayed)} later change(s) replayed, is exactly what the ledger holds${caveat}`,
        );
      }),
    );
  allocation
    .command('explain')
    .description('why an applicant got what they got: their position and what had happened to each preference by their turn')
    .argument('<round>', 'round id')
    .argument('<applicant>', "the applicant's DID")
    .action(
      action(runtime, async (ctx, roundId: string, applicant: string) => {
        const { round, inputs } = await withContract(ctx, 'allocation', (c) => readAuditData(c, roundId));
        if (round.seed === null) {
          throw new UsageError(`round ${roundId} has not been drawn yet`);
        }
        let why: ReturnType<typeof explain>;
        try {
          why = explain(
            round,
            inputs.map((a) => ({ ...a, group: a.group ?? undefined })),
            round.seed,
            applicant,
          );
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        const later = (round.result?.changes ?? []).filter((c) => c.released === applicant || c.promoted === applicant);
        ctx.printer.result({ ...why, laterChanges: later }, () =>
          [
            `${applicant}: position ${String(why.position)} of ${String(inputs.length)}${why.group === null ? '' : ` (priority group ${why.group})`} → ${why.site ?? 'waiting list'}`,
            ...why.preferences.map((p, i) => `  ${String(i + 1)}. ${p.site}: ${p.outcome}`),
            ...later.map(
              (c) => `  later: site ${c.site} ${c.released === applicant ? `released (${c.reason})` : 'promoted from the waiting list'} in tx ${c.txId}`,
            ),
          ].join('\n'),
        );
      }),
    );
  allocation
    .command('report')
    .description("fairness report: per category, applications, winners and each priority group's share")
    .argument('<round>', 'round id')
    .action(
      action(runtime, async (ctx, roundId: string) => {
        const data = await withContract(ctx, 'allocation', (c) => readAuditData(c, roundId));
        let report: ReturnType<typeof fairnessReport>;
        try {
          report = fairnessReport(data);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        ctx.printer.result(report, () => reportTable(report));
        ctx.printer.info(
          `${String(report.applications)} applications, ${String(report.assigned)} assigned, ${String(report.waiting)} waiting. Promise: ${report.promise}.`,
        );
      }),
    );
}
