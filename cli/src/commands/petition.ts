import { Command } from 'commander';
import type { PetitionRecord, SignatureRecord } from '@civic-ledger/chaincode/dist/petition/client';
import type { Contract } from '@hyperledger/fabric-gateway';
import { action, type CommandContext, type Runtime } from '../context';
import { CheckFailed } from '../errors';
import { evaluate, submit } from '../gateway/transactions';
import { submitAndReport, withContract } from '../gateway/with-contract';
import { parseSignerBands } from '../petition/arguments';
import { auditPetition } from '../petition/audit';
import { readPetitionFile, tokenFileSchema } from '../petition/files';
import { PAGE_SIZE, allPages, petitionWithResults, withPetitionLedger } from '../petition/ledger';
import { auditText, petitionDetails, petitionsTable, resultsText } from '../petition/render';
import { addProposalCommands, createCommand } from './petition-create';
import { petitionTokenCommand } from './petition-token';

function readCommands(petition: Command, runtime: Runtime): void {
  petition
    .command('show')
    .description('a petition: text hash, options, eligibility rule, threshold, bands, status (any org member)')
    .argument('<petition>', 'petition id')
    .action(
      action(runtime, async (ctx, id: string) => {
        const [p, r] = await petitionWithResults(ctx, id);
        ctx.printer.result({ ...p, live: { total: r.total, thresholdReached: r.thresholdReached } }, () => petitionDetails(p, r));
      }),
    );
  petition
    .command('list')
    .description('every petition and poll with its status (any org member)')
    .action(
      action(runtime, async (ctx) => {
        const all = await withContract(ctx, 'petition', (c) =>
          allPages(
            async (bookmark) =>
              JSON.parse(await evaluate(c, 'ListPetitions', [String(PAGE_SIZE), bookmark])) as { records: PetitionRecord[]; bookmark: string },
          ),
        );
        ctx.printer.result(all, () => petitionsTable(all));
      }),
    );
  petition
    .command('results')
    .description('live counts per option and per attribute band; a band is shown only from k signatures (any org member)')
    .argument('<petition>', 'petition id')
    .action(
      action(runtime, async (ctx, id: string) => {
        const [p, r] = await petitionWithResults(ctx, id);
        ctx.printer.result(r, () => resultsText(r, p.options));
      }),
    );
  petition
    .command('audit')
    .description('list every recorded token, re-verify every signature with the petition key, and recount from the ledger (exit 1 on any discrepancy)')
    .argument('<petition>', 'petition id')
    .action(
      action(runtime, async (ctx, id: string) => {
        const data = await withPetitionLedger(ctx, async (ledger) => {
          const [petitionRecord, signatures, issuances, results] = await Promise.all([
            ledger.petition(id),
            ledger.signatures(id),
            ledger.issuances(id),
            ledger.results(id),
          ]);
          return { petition: petitionRecord, signatures, issuances, results };
        });
        const audit = auditPetition(data);
        if (audit.findings.length > 0) {
          throw new CheckFailed('AUDIT_FAILED', `petition ${id}: ${audit.findings.join('; ')}`, audit);
        }
        ctx.printer.result(audit, () => auditText(audit));
      }),
    );
}

/**
 * Submit `petition:ClosePetition` until it stores the final counts (each call counts a page of
 * signature buckets), reporting progress with `--verbose` and the final petition as the result.
 */
async function closeFully(ctx: CommandContext, contract: Contract, petitionId: string, withdraw: boolean, maxSignatures: number): Promise<void> {
  const request = JSON.stringify({ petitionId, withdraw, maxSignatures });
  for (;;) {
    const committed = await submit(contract, 'ClosePetition', [request], (m) => {
      ctx.printer.verbose(m);
    });
    const p = JSON.parse(committed.result) as PetitionRecord;
    if (p.final !== null) {
      ctx.printer.result({ result: p, transactionId: committed.transactionId, blockNumber: committed.blockNumber.toString() }, () =>
        [petitionDetails(p), `  tx ${committed.transactionId} in block ${committed.blockNumber.toString()}`].join('\n'),
      );
      return;
    }
    ctx.printer.verbose(`counted ${String(p.tally?.total ?? 0)} signatures so far (bucket ${String(p.tally?.nextBucket ?? 0)}), tx ${committed.transactionId}`);
  }
}

/** `civic petition …`: petitions and polls with anonymous, eligible, one-per-person signing */
export function petitionCommand(runtime: Runtime): Command {
  const petition = new Command('petition').description(
    'petitions and polls: RFC 9474 blind-signature tokens, one anonymous signature per eligible person, auditable counts',
  );
  petition.addCommand(createCommand(runtime));
  addProposalCommands(petition, runtime);
  readCommands(petition, runtime);
  petition.addCommand(petitionTokenCommand(runtime));
  petition
    .command('sign')
    .description("sign with a token through this org's gateway (any org: choose one other than the City's to hide the network path too)")
    .requiredOption('--token <file>', 'the token from petition token finalize')
    .requiredOption('--option <option>', 'your choice, e.g. Yes')
    .option('--band <name=value...>', 'coarse attributes to be counted, e.g. age_band=25-44 district=North')
    .action(
      action(runtime, async (ctx, opts: { token: string; option: string; band?: string[] }) => {
        const token = readPetitionFile(tokenFileSchema, opts.token, '--token');
        const request = { ...token, option: opts.option, attributes: parseSignerBands(opts.band ?? []) };
        await withContract(ctx, 'petition', (c) =>
          submitAndReport(
            ctx,
            c,
            'SignPetition',
            [JSON.stringify(request)],
            (s: SignatureRecord) => `signed ${s.petitionId}: ${s.option}; token ${s.tokenId} is now spent`,
          ),
        );
      }),
    );
  petition
    .command('close')
    .description(
      'count every signature and store the final counts, in as many transactions as it takes (CityMSP admin or clerk): once the closing time has passed, or earlier with --withdraw',
    )
    .argument('<petition>', 'petition id')
    .option('--withdraw', 'the City withdraws the petition before its closing time (CityMSP admin or clerk)')
    .option('--max-signatures <n>', 'signatures counted per transaction (1-100000)', '10000')
    .action(
      action(runtime, async (ctx, id: string, opts: { withdraw?: boolean; maxSignatures: string }) => {
        await withContract(ctx, 'petition', (c) => closeFully(ctx, c, id, opts.withdraw === true, Number(opts.maxSignatures)));
      }),
    );
  return petition;
}
