import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { consentIdOf, type DebtRecord, type SignedConsent } from '@civic-ledger/chaincode/dist/debt/client';
import { jwkThumbprint, type DidResolutionResult } from '@civic-ledger/chaincode/dist/identity/client';
import { signAuthorisation } from '../citizen/key-file';
import { openCitizenKey } from '../citizen/open-key';
import { action, type CommandContext, type Runtime } from '../context';
import { CheckFailed, CliError, UsageError } from '../errors';
import { CHANNEL } from '../gateway/connect';
import { evaluate } from '../gateway/transactions';
import { submitAndReport, withContract, withSession } from '../gateway/with-contract';
import { ORG_MSP_IDS, mspIdOf } from '../options';
import { counsellorName, readConsent, saveConsent, signConsent } from '../debt/consent-file';
import { debtTable } from '../debt/render';

function creditorList(text: string): string[] {
  if (text === 'all') {
    return ['*'];
  }
  return text.split(',').map((org) => {
    const msp = mspIdOf(org);
    if (msp === undefined) {
      throw new UsageError(`--creditors: '${org}' is not an org; use all, or some of city, agencies, utilities`);
    }
    return msp;
  });
}

/** One creditor org's answer to an overview: its records, or why it refused. */
interface CreditorAnswer {
  readonly creditor: string;
  readonly records?: DebtRecord[];
  readonly refused?: string;
}

/** Ask one peer of each creditor org in the consent's scope for its records of the subject. */
async function collectOverview(ctx: CommandContext, consent: SignedConsent): Promise<CreditorAnswer[]> {
  const scope = consent.payload.creditors[0] === '*' ? Object.values(ORG_MSP_IDS) : (consent.payload.creditors as string[]);
  const transient = { consent: JSON.stringify(consent) };
  return withContract(ctx, 'debt', async (c) => {
    const answers: CreditorAnswer[] = [];
    for (const creditor of scope) {
      try {
        const answer = JSON.parse(await evaluate(c, 'GetDebtOverview', [], { transient, endorsingOrganizations: [creditor] })) as { records: DebtRecord[] };
        answers.push({ creditor, records: answer.records });
      } catch (e) {
        if (!(e instanceof CliError) || e.exitCode === 2) {
          throw e;
        }
        answers.push({ creditor, refused: e.message });
      }
    }
    return answers;
  });
}

/** `debt consent | revoke-consent | overview`. */
export function addConsentCommands(debt: Command, runtime: Runtime): void {
  debt
    .command('consent')
    .description(
      'the citizen signs a consent for you, the City debt counsellor, to see their debts; recorded as a hash (debt-counsellor role, citizen present)',
    )
    .requiredOption('--key <file>', "the citizen's key file")
    .requiredOption('--out <file>', 'where to keep the signed consent (owner-only; you need it for overviews and plans)')
    .option('--creditors <orgs>', 'all, or a comma-separated list of city, agencies, utilities', 'all')
    .option('--valid-days <n>', 'how long the consent lasts, 1-366 days', '90')
    .addHelpText(
      'after',
      '\nExample:\n  civic --org city --user eva debt consent --key alice.key.json --creditors agencies,utilities --valid-days 60 --out alice.consent.json',
    )
    .action(
      action(runtime, async (ctx, opts: { key: string; out: string; creditors: string; validDays: string }) => {
        const days = Number(opts.validDays);
        if (!Number.isInteger(days) || days < 1 || days > 366) {
          throw new UsageError(`--valid-days: '${opts.validDays}' must be a whole number of days from 1 to 366`);
        }
        const creditors = creditorList(opts.creditors);
        const key = await openCitizenKey(runtime.env, opts.key);
        const consent = signConsent(key, CHANNEL, counsellorName(ctx.connection().mspId, ctx.identity().certificate), creditors, days, new Date());
        await withSession(ctx, async (s) => {
          const doc = JSON.parse(await evaluate(s.contract('identity'), 'ResolveDID', [key.did])) as DidResolutionResult;
          const current = doc.didDocument.verificationMethod.at(-1)?.publicKeyJwk;
          if (doc.didDocumentMetadata.deactivated || current === undefined || jwkThumbprint(current) !== jwkThumbprint(key.publicKeyJwk)) {
            throw new UsageError(`${opts.key} does not hold the current key of ${key.did}; a consent must be signed by it`);
          }
          const consentId = await saveConsent(opts.out, consent);
          await submitAndReport(
            ctx,
            s.contract('debt'),
            'RecordConsent',
            [],
            () =>
              `consent ${consentId} recorded: ${consent.payload.counsellor} may see debts held by ${creditors.join(', ')} until ${consent.payload.expires}\n  kept in ${opts.out}`,
            { transient: { consent: JSON.stringify(consent) } },
          );
        });
      }),
    );
  debt
    .command('revoke-consent')
    .description('end a consent at once: signed by the citizen (--key; any front desk), or withdrawn by its counsellor')
    .requiredOption('--consent <file>', 'the consent file')
    .option('--key <file>', "the citizen's key file (the key that gave the consent)")
    .action(
      action(runtime, async (ctx, opts: { consent: string; key?: string }) => {
        const consent = readConsent(opts.consent);
        const consentId = consentIdOf(consent);
        let transient: Record<string, string> | undefined;
        if (opts.key !== undefined) {
          const key = await openCitizenKey(runtime.env, opts.key);
          const signed = signAuthorisation(key, 'debt:RevokeConsent', CHANNEL, { consentId, subjectSalt: consent.payload.subjectSalt });
          transient = { revocation: JSON.stringify({ ...signed, publicKeyJwk: key.publicKeyJwk }) };
        }
        await withContract(ctx, 'debt', (c) =>
          submitAndReport(
            ctx,
            c,
            'RevokeConsent',
            [consentId],
            () => `consent ${consentId} revoked: no further overview or plan under it`,
            transient === undefined ? {} : { transient },
          ),
        );
      }),
    );
  debt
    .command('overview')
    .description("with a citizen's consent, ask each creditor org's peer for its own records and assemble one view (debt-counsellor role)")
    .requiredOption('--consent <file>', 'the consent file')
    .option('--out <file>', 'also save the records (for plan propose)')
    .action(
      action(runtime, async (ctx, opts: { consent: string; out?: string }) => {
        const answers = await collectOverview(ctx, readConsent(opts.consent));
        const records = answers.flatMap((a) => a.records ?? []);
        if (opts.out !== undefined) {
          await writeFile(opts.out, `${JSON.stringify(records, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
        }
        const refused = answers.filter((a) => a.refused !== undefined);
        if (refused.length === answers.length) {
          throw new CheckFailed('NO_ACCESS', `every creditor refused:\n${refused.map((a) => `  ${a.creditor}: ${a.refused ?? ''}`).join('\n')}`, answers);
        }
        ctx.printer.result(answers, () => debtTable(records));
        for (const a of refused) {
          ctx.printer.info(`${a.creditor} refused: ${a.refused ?? ''}`);
        }
      }),
    );
}
