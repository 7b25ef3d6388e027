import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Parcel } from '@civic-ledger/chaincode/dist/land/client';
import { action, type CommandContext, type Runtime } from '../context';
import { CheckFailed } from '../errors';
import { CHANNEL, type Session } from '../gateway/connect';
import { blockNumberOfTransaction } from '../gateway/qscc';
import { evaluate } from '../gateway/transactions';
import { withSession } from '../gateway/with-contract';
import { parseJson, readInput } from '../input';
import { issueCertificate, verifyCertificate, type LandLedgerReader } from '../land/certificate';
import { renderCertificate } from '../land/render';

/** A LandLedgerReader over the land contract and the peer's qscc, through an org's gateway peer. */
function gatewayLandReader(session: Session): LandLedgerReader {
  const land = session.contract('land');
  return {
    parcel: async (id) => JSON.parse(await evaluate(land, 'GetParcel', [id])) as Parcel,
    blockNumberOf: (txId) => blockNumberOfTransaction(session.gateway, txId),
  };
}

async function certificateAction(ctx: CommandContext, id: string, out: string | undefined): Promise<void> {
  const mspId = ctx.connection().mspId;
  const certificate = await withSession(ctx, (s) => issueCertificate(gatewayLandReader(s), CHANNEL, id, { at: new Date(), mspId }));
  if (out !== undefined) {
    await writeFile(out, `${JSON.stringify(certificate, null, 2)}\n`, { flag: 'wx' });
  }
  ctx.printer.result(
    certificate,
    () => `${renderCertificate(certificate)}${out === undefined ? '' : `\n  written to ${out}; check it with: civic land verify-certificate ${out}`}`,
  );
}

/** `land certificate | verify-certificate`: title certificates anyone can check against the ledger. */
export function addCertificateCommands(land: Command, runtime: Runtime): void {
  land
    .command('certificate')
    .description('a title certificate: owners, shares, encumbrances, and the transaction and block that last changed the parcel')
    .argument('<parcel>', 'cadastral parcel id')
    .option('--out <file>', 'also write the certificate (JSON) to this file')
    .addHelpText('after', '\nExample:\n  civic --org agencies --user clerk land certificate AM-K-1234 --out AM-K-1234.title.json')
    .action(action(runtime, (ctx, id: string, opts: { out?: string }) => certificateAction(ctx, id, opts.out)));
  land
    .command('verify-certificate')
    .description("check a title certificate: unaltered, still the parcel's current title, last change in the stated block")
    .argument('<file>', 'the certificate file')
    .addHelpText('after', '\nExit status 0 when valid, 1 when not (each check says why).')
    .action(
      action(runtime, async (ctx, file: string) => {
        const document = parseJson(readInput(file, 'certificate').toString('utf8'), `certificate ${file}`);
        const verdict = await withSession(ctx, (s) => verifyCertificate(gatewayLandReader(s), document));
        if (!verdict.valid) {
          const failed = verdict.checks.filter((c) => !c.ok);
          throw new CheckFailed('CERTIFICATE_INVALID', `certificate ${file} is not valid: ${failed.map((c) => `${c.check}: ${c.detail}`).join('; ')}`, verdict);
        }
        ctx.printer.result(verdict, () =>
          [`certificate for ${verdict.cadastralId ?? '?'} is valid`, ...verdict.checks.map((c) => `  ✓ ${c.check}: ${c.detail}`)].join('\n'),
        );
      }),
    );
}
