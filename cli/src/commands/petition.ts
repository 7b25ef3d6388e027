import { createHash } from 'node:crypto';
import { Command, Option } from 'commander';
import type { PetitionRecord, PetitionSpecInput, SignatureRecord } from '@civic-ledger/chaincode/dist/petition/client';
import { action, type Runtime } from '../context';
import { CheckFailed, UsageError } from '../errors';
import { evaluate } from '../gateway/transactions';
import { submitAndReport, withContract, withSession } from '../gateway/with-contract';
import { readInput } from '../input';
import { parseBandOptions, parseRequirements, parseSignerBands } from '../petition/arguments';
import { auditPetition } from '../petition/audit';
import { DEFAULT_SUITE, generateTokenKeys } from '../petition/blind-rsa';
import { readPetitionFile, tokenFileSchema, writePetitionFile } from '../petition/files';
import { gatewayPetitionLedger } from '../petition/ledger';
import { auditText, petitionDetails, petitionsTable, resultsText } from '../petition/render';
import { petitionTokenCommand } from './petition-token';

function positiveInt(v: string, option: string): number {
  if (!/^\d{1,9}$/.test(v) || Number(v) < 1) {
    throw new UsageError(`${option}: '${v}' is not a positive whole number`);
  }
  return Number(v);
}

interface CreateOptions {
  id: string;
  kind: 'petition' | 'poll';
  title: string;
  textFile: string;
  option?: string[];
  threshold?: string;
  closes: string;
  credentialType: string;
  require: string[];
  attribute?: string[];
  k: string;
  proposal?: string;
  keyOut: string;
  keyBits: string;
}

function createCommand(runtime: Runtime): Command {
  return new Command('create')
    .description("create a petition (Yes/No, threshold) or poll (several options) with a fresh RSA token key; the private key goes to an owner-only file for the City's issuing service (CityMSP admin or clerk)")
    .requiredOption('--id <id>', 'petition id, e.g. riverside-sundays')
    .addOption(new Option('--kind <kind>', 'petition or poll').choices(['petition', 'poll']).default('petition'))
    .requiredOption('--title <text>', 'the title')
    .requiredOption('--text-file <file>', 'the full text (UTF-8); the ledger keeps its SHA-256, the creation event carries it')
    .option('--option <options...>', 'poll options (a petition is always Yes, No)')
    .option('--threshold <n>', 'signatures needed (petition)')
    .requiredOption('--closes <iso>', 'closing time, ISO 8601 UTC')
    .requiredOption('--credential-type <vct>', 'the credential type signers must present, e.g. ResidencyCredential')
    .requiredOption('--require <claim=value...>', 'disclosed claims the credential must show, e.g. resident_of=Civitas age_over_16=true')
    .option('--attribute <name=bands...>', 'coarse bands a signer may attach, e.g. age_band=16-24,25-44,45-64,65+')
    .option('--k <n>', 'publish a band only from k signatures', '10')
    .option('--proposal <id>', "the citizen's proposal this petition accepts")
    .requiredOption('--key-out <file>', 'where to write the token private key (owner-only, never overwritten)')
    .option('--key-bits <bits>', 'RSA modulus length', '2048')
    .addHelpText('after', '\nExample:\n  civic --org city --user clerk1 petition create --id riverside-sundays --title "Open Riverside library on Sundays" \\\n    --text-file petition.txt --threshold 500 --closes 2027-01-31T23:00:00Z --credential-type ResidencyCredential \\\n    --require resident_of=Civitas age_over_16=true --attribute age_band=16-24,25-44,45-64,65+ --key-out riverside-sundays.token-key.json')
    .action(
      action(runtime, async (ctx, opts: CreateOptions) => {
        const threshold = opts.threshold === undefined ? null : positiveInt(opts.threshold, '--threshold');
        const k = positiveInt(opts.k, '--k');
        const keyBits = positiveInt(opts.keyBits, '--key-bits');
        if (![2048, 3072, 4096].includes(keyBits)) {
          throw new UsageError('--key-bits: must be 2048, 3072 or 4096');
        }
        if ((opts.kind === 'petition') !== (threshold !== null) || (opts.kind === 'poll' && (opts.option ?? []).length < 2)) {
          throw new UsageError(opts.kind === 'petition' ? '--threshold is required for a petition (and only for a petition)' : 'a poll needs --option with at least two options, and no --threshold');
        }
        const text = readInput(opts.textFile, '--text-file').toString('utf8');
        const { publicKey, privateKey } = await generateTokenKeys(keyBits);
        const spec: PetitionSpecInput = {
          petitionId: opts.id,
          kind: opts.kind,
          title: opts.title,
          text,
          textHash: createHash('sha256').update(text, 'utf8').digest('hex'),
          options: opts.kind === 'petition' ? ['Yes', 'No'] : (opts.option ?? []),
          eligibility: { credentialType: opts.credentialType, claims: parseRequirements(opts.require) },
          threshold,
          closes: opts.closes,
          publicKey,
          attributes: parseBandOptions(opts.attribute ?? []),
          k,
          ...(opts.proposal === undefined ? {} : { proposalId: opts.proposal }),
        };
        await writePetitionFile(opts.keyOut, { petitionId: opts.id, suite: DEFAULT_SUITE, publicKey, privateKey }, '--key-out', true);
        await withContract(ctx, 'petition', (c) =>
          submitAndReport(ctx, c, 'CreatePetition', [JSON.stringify(spec)], (p: PetitionRecord) => `created ${p.kind} ${p.petitionId}, open until ${p.closes}; token key in ${opts.keyOut} (give it to the issuing service only)`),
        );
      }),
    );
}

function readCommands(petition: Command, runtime: Runtime): void {
  petition
    .command('show')
    .description('a petition: text hash, options, eligibility rule, threshold, bands, status (any org member)')
    .argument('<petition>', 'petition id')
    .action(
      action(runtime, async (ctx, id: string) => {
        const p = JSON.parse(await withContract(ctx, 'petition', (c) => evaluate(c, 'GetPetition', [id]))) as PetitionRecord;
        ctx.printer.result(p, () => petitionDetails(p));
      }),
    );
  petition
    .command('list')
    .description('every petition and poll with its status (any org member)')
    .action(
      action(runtime, async (ctx) => {
        const all = JSON.parse(await withContract(ctx, 'petition', (c) => evaluate(c, 'ListPetitions', []))) as PetitionRecord[];
        ctx.printer.result(all, () => petitionsTable(all));
      }),
    );
  petition
    .command('results')
    .description('live counts per option and per attribute band; a band is shown only from k signatures (any org member)')
    .argument('<petition>', 'petition id')
    .action(
      action(runtime, async (ctx, id: string) => {
        const [p, r] = await withSession(ctx, async (s) => {
          const ledger = gatewayPetitionLedger(s.contract('petition'));
          return Promise.all([ledger.petition(id), ledger.results(id)]);
        });
        ctx.printer.result(r, () => resultsText(r, p.options));
      }),
    );
  petition
    .command('audit')
    .description('list every recorded token, re-verify every signature with the petition key, and recount from the ledger (exit 1 on any discrepancy)')
    .argument('<petition>', 'petition id')
    .action(
      action(runtime, async (ctx, id: string) => {
        const data = await withSession(ctx, async (s) => {
          const ledger = gatewayPetitionLedger(s.contract('petition'));
          const [petitionRecord, signatures, issuances, results] = await Promise.all([ledger.petition(id), ledger.signatures(id), ledger.issuances(id), ledger.results(id)]);
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

/** `civic petition …`: petitions and polls with anonymous, eligible, one-per-person signing (DESIGN.md §3 petition; issue 7). */
export function petitionCommand(runtime: Runtime): Command {
  const petition = new Command('petition').description('petitions and polls: RFC 9474 blind-signature tokens, one anonymous signature per eligible person, auditable counts');
  petition.addCommand(createCommand(runtime));
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
        await withContract(ctx, 'petition', (c) => submitAndReport(ctx, c, 'SignPetition', [JSON.stringify(request)], (s: SignatureRecord) => `signed ${s.petitionId}: ${s.option}; token ${s.tokenId} is now spent`));
      }),
    );
  petition
    .command('close')
    .description('store the final counts: anyone once the closing time has passed; the City earlier with --withdraw')
    .argument('<petition>', 'petition id')
    .option('--withdraw', 'the City withdraws the petition before its closing time (CityMSP admin or clerk)')
    .action(
      action(runtime, async (ctx, id: string, opts: { withdraw?: boolean }) => {
        const request = JSON.stringify({ petitionId: id, withdraw: opts.withdraw === true });
        await withContract(ctx, 'petition', (c) => submitAndReport(ctx, c, 'ClosePetition', [request], (p: PetitionRecord) => petitionDetails(p)));
      }),
    );
  return petition;
}
