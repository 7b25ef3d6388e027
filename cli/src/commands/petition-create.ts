import { createHash } from 'node:crypto';
import { Command, Option } from 'commander';
import type { PetitionRecord, PetitionSpecInput, ProposalRecord } from '@civic-ledger/chaincode/dist/petition/client';
import { openCitizenKey } from '../citizen/open-key';
import { signAuthorisation, type CitizenKeyFile } from '../citizen/key-file';
import { action, type Runtime } from '../context';
import { UsageError } from '../errors';
import { CHANNEL } from '../gateway/connect';
import { evaluate } from '../gateway/transactions';
import { submitAndReport, withContract } from '../gateway/with-contract';
import { readInput } from '../input';
import { parseBandOptions, parseRequirements } from '../petition/arguments';
import { DEFAULT_SUITE, generateTokenKeys } from '../petition/blind-rsa';
import { writePetitionFile } from '../petition/files';

function positiveInt(v: string, option: string): number {
  if (!/^\d{1,9}$/.test(v) || Number(v) < 1) {
    throw new UsageError(`${option}: '${v}' is not a positive whole number`);
  }
  return Number(v);
}

/** The options a petition and a citizen's proposal share. */
export interface TextOptions {
  id: string;
  kind: 'petition' | 'poll';
  title: string;
  textFile: string;
  option?: string[];
  threshold?: string;
  closes: string;
  credentialType: string;
  require: string[];
}

function withTextOptions(command: Command, idHelp: string): Command {
  return command
    .requiredOption('--id <id>', idHelp)
    .addOption(new Option('--kind <kind>', 'petition or poll').choices(['petition', 'poll']).default('petition'))
    .requiredOption('--title <text>', 'the title')
    .requiredOption('--text-file <file>', 'the full text (UTF-8); the ledger keeps its SHA-256')
    .option('--option <options...>', 'poll options (a petition is always Yes, No)')
    .option('--threshold <n>', 'signatures needed (petition)')
    .requiredOption('--closes <iso>', 'closing time, ISO 8601 UTC')
    .requiredOption('--credential-type <vct>', 'the credential type signers must present, e.g. ResidencyCredential')
    .requiredOption('--require <claim=value...>', 'disclosed claims the credential must show, e.g. resident_of=Civitas age_over_16=true');
}

/** The fields of a petition or proposal from the shared options. @throws UsageError naming the option */
function textFields(opts: TextOptions): {
  text: string;
  fields: Omit<PetitionSpecInput, 'petitionId' | 'text' | 'publicKey' | 'attributes' | 'k' | 'proposalId'>;
} {
  const threshold = opts.threshold === undefined ? null : positiveInt(opts.threshold, '--threshold');
  if ((opts.kind === 'petition') !== (threshold !== null) || (opts.kind === 'poll' && (opts.option ?? []).length < 2)) {
    throw new UsageError(
      opts.kind === 'petition'
        ? '--threshold is required for a petition (and only for a petition)'
        : 'a poll needs --option with at least two options, and no --threshold',
    );
  }
  const text = readInput(opts.textFile, '--text-file').toString('utf8');
  return {
    text,
    fields: {
      kind: opts.kind,
      title: opts.title,
      textHash: createHash('sha256').update(text, 'utf8').digest('hex'),
      options: opts.kind === 'petition' ? ['Yes', 'No'] : (opts.option ?? []),
      eligibility: { credentialType: opts.credentialType, claims: parseRequirements(opts.require) },
      threshold,
      closes: opts.closes,
    },
  };
}

interface CreateOptions extends TextOptions {
  attribute?: string[];
  k: string;
  proposal?: string;
  keyOut: string;
  keyBits: string;
}

/** `petition create`: a petition or poll with a fresh RSA token key (CityMSP admin or clerk). */
export function createCommand(runtime: Runtime): Command {
  return withTextOptions(
    new Command('create').description(
      "create a petition (Yes/No, threshold) or poll (several options) with a fresh RSA token key; the private key goes to an owner-only file for the City's issuing service (CityMSP admin or clerk)",
    ),
    'petition id, e.g. riverside-sundays',
  )
    .option('--attribute <name=bands...>', 'coarse bands a signer may attach, e.g. age_band=16-24,25-44,45-64,65+')
    .option('--k <n>', 'publish a band only from k signatures', '10')
    .option('--proposal <id>', "the citizen's proposal this petition accepts (same text and kind)")
    .requiredOption('--key-out <file>', 'where to write the token private key (owner-only, never overwritten)')
    .option('--key-bits <bits>', 'RSA modulus length', '2048')
    .addHelpText(
      'after',
      '\nExample:\n  civic --org city --user clerk1 petition create --id riverside-sundays --title "Open Riverside library on Sundays" \\\n    --text-file petition.txt --threshold 500 --closes 2027-01-31T23:00:00Z --credential-type ResidencyCredential \\\n    --require resident_of=Civitas age_over_16=true --attribute age_band=16-24,25-44,45-64,65+ --key-out riverside-sundays.token-key.json',
    )
    .action(
      action(runtime, async (ctx, opts: CreateOptions) => {
        const k = positiveInt(opts.k, '--k');
        const keyBits = positiveInt(opts.keyBits, '--key-bits');
        if (![2048, 3072, 4096].includes(keyBits)) {
          throw new UsageError('--key-bits: must be 2048, 3072 or 4096');
        }
        const { text, fields } = textFields(opts);
        const { publicKey, privateKey } = await generateTokenKeys(keyBits);
        const spec: PetitionSpecInput = {
          petitionId: opts.id,
          ...fields,
          text,
          publicKey,
          attributes: parseBandOptions(opts.attribute ?? []),
          k,
          ...(opts.proposal === undefined ? {} : { proposalId: opts.proposal }),
        };
        await writePetitionFile(opts.keyOut, { petitionId: opts.id, suite: DEFAULT_SUITE, publicKey, privateKey }, '--key-out', true);
        await withContract(ctx, 'petition', (c) =>
          submitAndReport(
            ctx,
            c,
            'CreatePetition',
            [JSON.stringify(spec)],
            (p: PetitionRecord) =>
              `created ${p.kind} ${p.petitionId}, open until ${p.closes}; token key in ${opts.keyOut} (give it to the issuing service only)`,
          ),
        );
      }),
    );
}

/**
 * A citizen's signed proposal (`petition:ProposePetition`) from the `propose` options: the text's
 * SHA-256, never the text, goes to the ledger.
 *
 * @throws UsageError naming the option at fault
 */
export function proposalRequest(key: CitizenKeyFile, opts: TextOptions): ReturnType<typeof signAuthorisation> {
  return signAuthorisation(key, 'petition:ProposePetition', CHANNEL, { proposalId: opts.id, ...textFields(opts).fields });
}

/** `petition propose | proposal | reject-proposal`: a citizen's proposal and the City's decision. */
export function addProposalCommands(petition: Command, runtime: Runtime): void {
  withTextOptions(
    petition
      .command('propose')
      .description('a citizen proposes a petition or poll, signed with their key (front desk: clerk); the City accepts it with petition create --proposal'),
    'proposal id, e.g. library-sundays',
  )
    .requiredOption('--key <file>', "the citizen's key file")
    .action(
      action(runtime, async (ctx, opts: TextOptions & { key: string }) => {
        textFields(opts); // refuse bad options before asking for the passphrase
        const signed = proposalRequest(await openCitizenKey(runtime.env, opts.key), opts);
        await withContract(ctx, 'petition', (c) =>
          submitAndReport(
            ctx,
            c,
            'ProposePetition',
            [JSON.stringify(signed)],
            (p: ProposalRecord) => `proposal ${p.proposalId} by ${p.proposer} recorded; the City decides`,
          ),
        );
      }),
    );
  petition
    .command('proposal')
    .description("a citizen's proposal and the City's decision (any org member)")
    .argument('<proposal>', 'proposal id')
    .action(
      action(runtime, async (ctx, id: string) => {
        const p = JSON.parse(await withContract(ctx, 'petition', (c) => evaluate(c, 'GetProposal', [id]))) as ProposalRecord;
        ctx.printer.result(
          p,
          () =>
            `proposal ${p.proposalId} (${p.kind}): ${p.title}\n  by ${p.proposer}, ${p.submitted}\n  ${p.status}${p.decision === null ? '' : ` by ${p.decision.by} at ${p.decision.at}${p.decision.petitionId === null ? '' : ` as petition ${p.decision.petitionId}`}${p.decision.reason === null ? '' : `: ${p.decision.reason}`}`}`,
        );
      }),
    );
  petition
    .command('reject-proposal')
    .description("reject a citizen's proposal, with the reason they will see (CityMSP admin or clerk)")
    .argument('<proposal>', 'proposal id')
    .requiredOption('--reason <text>', 'why')
    .action(
      action(runtime, async (ctx, id: string, opts: { reason: string }) => {
        await withContract(ctx, 'petition', (c) =>
          submitAndReport(
            ctx,
            c,
            'RejectProposal',
            [JSON.stringify({ proposalId: id, reason: opts.reason })],
            (p: ProposalRecord) => `proposal ${p.proposalId} rejected: ${opts.reason}`,
          ),
        );
      }),
    );
}
