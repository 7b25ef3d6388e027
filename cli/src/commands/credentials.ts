import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { DidResolutionResult } from '@civic-ledger/chaincode/dist/identity/client';
import { signAuthorisation } from '../citizen/key-file';
import { openCitizenKey } from '../citizen/open-key';
import { action, type CommandContext, type Runtime } from '../context';
import { parseClaims, type SchemaClaims } from '../credentials/claims';
import { gatewayLedgerReader } from '../credentials/gateway-ledger-reader';
import { issueCredential } from '../credentials/issue';
import { reserveStatusIndex } from '../credentials/reserve-index';
import { presentCredential } from '../credentials/present';
import { verifyPresentation } from '../credentials/verify';
import { UsageError } from '../errors';
import { CHANNEL } from '../gateway/connect';
import { evaluate, submit } from '../gateway/transactions';
import { withContract } from '../gateway/with-contract';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new UsageError(`${what} ${file} cannot be read: ${(e as Error).message}`);
  }
}

function output(ctx: CommandContext, text: string, out: string | undefined, what: string, extra: Record<string, unknown> = {}): void {
  if (out === undefined) {
    ctx.printer.result({ [what]: text, ...extra }, () => text);
    return;
  }
  writeFileSync(out, `${text}\n`, { mode: 0o600 });
  ctx.printer.result({ file: out, ...extra }, () => `${what} written to ${out}`);
}

/** `identity issue | present | verify | set-status`: verifiable credentials, held off-chain. */
export function addCredentialCommands(identity: Command, runtime: Runtime): void {
  identity
    .command('issue')
    .description(
      "issue an SD-JWT credential to a holder DID, each claim selectively disclosable, at a status index reserved on the ledger for it alone (the issuer org's issuer staff)",
    )
    .requiredOption('--issuer-key <file>', "the issuer DID's key file")
    .requiredOption('--holder <did>', 'the holder DID (its current key is read from the ledger)')
    .requiredOption('--type <type>', 'credential type registered on the ledger, e.g. AgeCredential')
    .option('--schema-version <n>', 'credential schema version', '1')
    .option('--claim <name=value...>', 'a claim (repeatable)', [])
    .option('--valid-days <days>', 'validity in days', '365')
    .option('--out <file>', 'write the credential to this file')
    .addHelpText(
      'after',
      '\nExample:\n  civic --org agencies --user issuer identity issue --issuer-key youth.key.json --holder did:civic:… \\\n    --type AgeCredential --claim age_over_18=true --claim resident_district=Centrum --out alice.age.sd-jwt',
    )
    .action(
      action(
        runtime,
        async (ctx, opts: { issuerKey: string; holder: string; type: string; schemaVersion: string; claim: string[]; validDays: string; out?: string }) => {
          const days = Number(opts.validDays);
          if (!Number.isInteger(days) || days < 1 || days > 3650) {
            throw new UsageError('--valid-days must be a whole number of days from 1 to 3650');
          }
          const issuer = await openCitizenKey(runtime.env, opts.issuerKey);
          const { holderDoc, schema } = await withContract(ctx, 'identity', async (c) => ({
            holderDoc: JSON.parse(await evaluate(c, 'ResolveDID', [opts.holder])) as DidResolutionResult,
            schema: JSON.parse(await evaluate(c, 'GetCredentialSchema', [opts.type, opts.schemaVersion])) as SchemaClaims,
          }));
          const holderKey = holderDoc.didDocument.verificationMethod[0]?.publicKeyJwk;
          if (holderKey === undefined) {
            throw new UsageError(`holder ${opts.holder} is deactivated`);
          }
          const claims = parseClaims(opts.claim, schema);
          // The index is taken on the ledger first, so no other credential of this issuer ever gets it.
          const reserved = await withContract(ctx, 'identity', (c) =>
            reserveStatusIndex(c, issuer, (m) => {
              ctx.printer.verbose(m);
            }),
          );
          const now = nowSeconds();
          const { credential, statusIndex } = await issueCredential({
            issuer,
            holder: { did: opts.holder, publicKeyJwk: holderKey },
            type: opts.type,
            claims,
            issuedAt: now,
            expiresAt: now + days * 86_400,
            statusIndex: reserved.index,
          });
          ctx.printer.info(
            `revocation index ${statusIndex} reserved in tx ${reserved.transactionId} (block ${reserved.blockNumber}); keep it with the issuance record`,
          );
          // Under --json the info line is silent, so the index is in the result too.
          output(ctx, credential, opts.out, 'credential', { statusIndex });
        },
      ),
    );
  identity
    .command('present')
    .description("present chosen claims of a credential to a verifier, signed over the verifier's challenge (holder's device; offline)")
    .requiredOption('--key <file>', "the holder's key file")
    .requiredOption('--credential <file>', 'the credential file')
    .requiredOption('--disclose <claims>', 'comma-separated claim names to reveal')
    .requiredOption('--audience <aud>', "the verifier's identifier (from its challenge)")
    .requiredOption('--nonce <nonce>', "the verifier's nonce (from its challenge)")
    .option('--out <file>', 'write the presentation to this file')
    .addHelpText(
      'after',
      '\nExample:\n  civic identity present --key alice.key.json --credential alice.age.sd-jwt --disclose age_over_18 \\\n    --audience https://youth-centre.example --nonce 5f2a… --out proof.txt',
    )
    .action(
      action(runtime, async (ctx, opts: { key: string; credential: string; disclose: string; audience: string; nonce: string; out?: string }) => {
        const holder = await openCitizenKey(runtime.env, opts.key);
        const claims = opts.disclose
          .split(',')
          .map((c) => c.trim())
          .filter((c) => c !== '');
        const presentation = await presentCredential(
          readText(opts.credential, 'credential'),
          holder,
          claims,
          { audience: opts.audience, nonce: opts.nonce },
          nowSeconds(),
        );
        output(ctx, presentation, opts.out, 'presentation');
      }),
    );
  identity
    .command('challenge')
    .description('make a fresh verifier challenge (a random nonce) to hand to a holder')
    .action(
      action(runtime, async (ctx) => {
        const nonce = randomBytes(16).toString('base64url');
        ctx.printer.result({ nonce }, () => nonce);
        return Promise.resolve();
      }),
    );
  identity
    .command('verify')
    .description('verify a presentation against the ledger: trusted issuer, signatures, disclosures, holder binding, expiry, revocation')
    .requiredOption('--presentation <file>', 'the presentation file')
    .requiredOption('--audience <aud>', 'your verifier identifier')
    .requiredOption('--nonce <nonce>', 'the nonce you gave the holder')
    .addHelpText(
      'after',
      '\nExample:\n  civic --org utilities --user auditor identity verify --presentation proof.txt --audience https://youth-centre.example --nonce 5f2a…',
    )
    .action(
      action(runtime, async (ctx, opts: { presentation: string; audience: string; nonce: string }) => {
        const presentation = readText(opts.presentation, 'presentation');
        const verified = await withContract(ctx, 'identity', (c) =>
          verifyPresentation(presentation, gatewayLedgerReader(c), { audience: opts.audience, nonce: opts.nonce }, nowSeconds()),
        );
        ctx.printer.result(verified, () =>
          [
            `valid ${verified.type} from ${verified.issuerName} for ${verified.holder}`,
            ...Object.entries(verified.claims).map(([k, v]) => `  ${k}: ${String(v)}`),
          ].join('\n'),
        );
      }),
    );
  identity
    .command('set-status')
    .description('revoke, suspend or reinstate a credential by its status index, signed by the issuer DID (issuer role)')
    .requiredOption('--issuer-key <file>', "the issuer DID's key file")
    .requiredOption('--index <n>', 'the credential status index')
    .option('--suspend', 'suspend instead of revoke')
    .option('--reinstate', 'lift a suspension')
    .action(
      action(runtime, async (ctx, opts: { issuerKey: string; index: string; suspend?: boolean; reinstate?: boolean }) => {
        const issuer = await openCitizenKey(runtime.env, opts.issuerKey);
        const purpose = opts.suspend === true || opts.reinstate === true ? 'suspension' : 'revocation';
        const index = Number(opts.index);
        const value = opts.reinstate !== true;
        const signed = signAuthorisation(issuer, 'identity:SetCredentialStatus', CHANNEL, { purpose, index, value });
        const committed = await withContract(ctx, 'identity', (c) => submit(c, 'SetCredentialStatus', [JSON.stringify(signed)]));
        ctx.printer.result(
          { purpose, index, value, transactionId: committed.transactionId, blockNumber: committed.blockNumber.toString() },
          () => `${purpose} index ${index} set to ${String(value)}\n  tx ${committed.transactionId} in block ${committed.blockNumber}`,
        );
      }),
    );
}
