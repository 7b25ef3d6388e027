import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Parcel } from '@civic-ledger/chaincode/dist/land/client';
import { signAuthorisation } from '../citizen/key-file';
import { openCitizenKey } from '../citizen/open-key';
import { action, type Runtime } from '../context';
import { UsageError } from '../errors';
import { CHANNEL } from '../gateway/connect';
import { evaluate } from '../gateway/transactions';
import { submitAndReport, withContract } from '../gateway/with-contract';
import { mspIdOf } from '../options';
import { parseJson, readInput } from '../input';
import { documentHash } from '../land/arguments';

const summary =
  (verb: string) =>
  (p: Parcel): string =>
    `${verb} ${p.cadastralId}: ${p.status}, version ${String(p.version)}, ${String(p.encumbrances.length)} encumbrance(s)${p.encumbrances.map((e) => `\n    ${e.id} ${e.kind} held by ${e.holder}: ${e.description}`).join('')}`;

function lenderMspId(org: string): string {
  const msp = mspIdOf(org);
  if (msp === undefined) {
    throw new UsageError(`--lender: '${org}' is not an org; use city, agencies or utilities`);
  }
  return msp;
}

/** `land consent-mortgage | mortgage | consent-transfer | release | easement | dispute | resolve`. */
export function addEncumbranceCommands(land: Command, runtime: Runtime): void {
  land
    .command('consent-mortgage')
    .description("an owner's signed consent to a mortgage by a lender, written to a file for the lender to submit")
    .requiredOption('--key <file>', "the owner's key file")
    .requiredOption('--parcel <id>', 'cadastral parcel id')
    .requiredOption('--lender <org>', 'the lending org: city, agencies or utilities')
    .requiredOption('--out <file>', 'where to write the signed consent')
    .action(
      action(runtime, async (ctx, opts: { key: string; parcel: string; lender: string; out: string }) => {
        const lender = lenderMspId(opts.lender);
        const key = await openCitizenKey(runtime.env, opts.key);
        const parcel = JSON.parse(await withContract(ctx, 'land', (c) => evaluate(c, 'GetParcel', [opts.parcel]))) as Parcel;
        const consent = signAuthorisation(key, 'land:ConsentMortgage', CHANNEL, { cadastralId: parcel.cadastralId, parcelVersion: parcel.version, lender });
        await writeFile(opts.out, `${JSON.stringify(consent, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
        ctx.printer.result(
          { consent, file: opts.out },
          () => `${key.did} consents to a mortgage by ${lender} on ${parcel.cadastralId} (version ${String(parcel.version)})\n  written to ${opts.out}`,
        );
      }),
    );
  land
    .command('mortgage')
    .description("register a mortgage held by the caller's org, with every owner's consent (lender role)")
    .requiredOption('--parcel <id>', 'cadastral parcel id')
    .requiredOption('--description <text>', 'e.g. "loan 2026-0042, €250,000"')
    .requiredOption('--consent <files...>', "each owner's consent file (from land consent-mortgage)")
    .addHelpText(
      'after',
      '\nExample:\n  civic --org agencies --user lender land mortgage --parcel AM-K-1234 --description "loan 2026-0042" --consent alice.consent.json',
    )
    .action(
      action(runtime, async (ctx, opts: { parcel: string; description: string; consent: string[] }) => {
        const consents = opts.consent.map((f) => parseJson(readInput(f, '--consent').toString('utf8'), `--consent ${f}`));
        const request = JSON.stringify({ cadastralId: opts.parcel, description: opts.description, consents });
        await withContract(ctx, 'land', (c) => submitAndReport(ctx, c, 'RegisterMortgage', [request], summary('mortgaged')));
      }),
    );
  land
    .command('consent-transfer')
    .description("the mortgage holder consents to one sale of the mortgaged parcel; the mortgage stays on it (lender role of the holder's org)")
    .requiredOption('--parcel <id>', 'cadastral parcel id')
    .requiredOption('--offer <id>', 'the offer id')
    .requiredOption('--encumbrance <id>', 'the mortgage id (see land show)')
    .action(
      action(runtime, async (ctx, opts: { parcel: string; offer: string; encumbrance: string }) => {
        const request = JSON.stringify({ cadastralId: opts.parcel, offerId: opts.offer, encumbranceId: opts.encumbrance });
        await withContract(ctx, 'land', (c) =>
          submitAndReport(
            ctx,
            c,
            'ConsentToTransfer',
            [request],
            (r: { lender: string }) =>
              `${r.lender} consents to the transfer of ${opts.parcel} under offer ${opts.offer}; mortgage ${opts.encumbrance} stays on the parcel`,
          ),
        );
      }),
    );
  land
    .command('release')
    .description("release an encumbrance the caller's org holds (lender or engineer role)")
    .requiredOption('--parcel <id>', 'cadastral parcel id')
    .requiredOption('--encumbrance <id>', 'the encumbrance id (see land show)')
    .action(
      action(runtime, async (ctx, opts: { parcel: string; encumbrance: string }) => {
        const request = JSON.stringify({ cadastralId: opts.parcel, encumbranceId: opts.encumbrance });
        await withContract(ctx, 'land', (c) => submitAndReport(ctx, c, 'ReleaseEncumbrance', [request], summary('released on')));
      }),
    );
  land
    .command('easement')
    .description("register an easement (pipe, cable) held by the caller's utility; it survives transfers (UtilitiesMSP engineer)")
    .requiredOption('--parcel <id>', 'cadastral parcel id')
    .requiredOption('--description <text>', 'e.g. "water main DN300, 3 m strip along the north boundary"')
    .action(
      action(runtime, async (ctx, opts: { parcel: string; description: string }) => {
        const request = JSON.stringify({ cadastralId: opts.parcel, description: opts.description });
        await withContract(ctx, 'land', (c) => submitAndReport(ctx, c, 'RegisterEasement', [request], summary('easement on')));
      }),
    );
  for (const [verb, fn, doc, what] of [
    ['dispute', 'OpenDispute', 'filing', 'open a dispute: the parcel is frozen until resolved'],
    ['resolve', 'ResolveDispute', 'ruling', 'resolve a dispute: the parcel is unfrozen'],
  ] as const) {
    land
      .command(verb)
      .description(`${what} (CityMSP registrar or court)`)
      .requiredOption('--parcel <id>', 'cadastral parcel id')
      .option(`--${doc} <file>`, `the ${doc} document (its SHA-256 is recorded)`)
      .option(`--${doc}-hash <sha256>`, `or the ${doc}'s SHA-256, hex`)
      .action(
        action(runtime, async (ctx, opts: Record<string, string | undefined>) => {
          const filingHash = documentHash(opts[doc], opts[`${doc}Hash`], doc);
          const request = JSON.stringify({ cadastralId: opts.parcel, filingHash });
          await withContract(ctx, 'land', (c) => submitAndReport(ctx, c, fn, [request], summary(verb === 'dispute' ? 'disputed' : 'resolved')));
        }),
      );
  }
}
