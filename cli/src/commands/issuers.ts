import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { action, type Runtime } from '../context';
import { UsageError } from '../errors';
import { ORG_MSP_IDS, parseOptions } from '../options';
import { evaluate, submit } from '../gateway/transactions';
import { withContract } from '../gateway/with-contract';

const registerSchema = z.object({
  did: z.string(),
  name: z.string().min(2, "must be the issuing body's name"),
  issuerOrg: z.enum(['city', 'agencies', 'utilities'], { error: 'must be city, agencies or utilities' }),
  types: z.string().min(1),
});

/** `identity issuer-register | issuer-status | issuer-show | schema-register`: City governance of trusted issuers. */
export function addIssuerCommands(identity: Command, runtime: Runtime): void {
  identity
    .command('issuer-register')
    .description('register an agency or utility DID as a trusted issuer of credential types (City admin)')
    .requiredOption('--did <did>', "the issuer's registered DID")
    .requiredOption('--name <name>', 'the issuing body, e.g. "Youth Services"')
    .requiredOption('--issuer-org <org>', 'the org whose staff act for it: city, agencies or utilities')
    .requiredOption('--types <types>', 'comma-separated credential types, e.g. AgeCredential,ResidenceCredential')
    .addHelpText(
      'after',
      '\nExample:\n  civic --org city --user admin identity issuer-register --did did:civic:… --name "Youth Services" --issuer-org agencies --types AgeCredential',
    )
    .action(
      action(runtime, async (ctx, raw: unknown) => {
        const opts = parseOptions(registerSchema, raw);
        const request = { did: opts.did, name: opts.name, mspId: ORG_MSP_IDS[opts.issuerOrg], credentialTypes: opts.types.split(',').map((t) => t.trim()) };
        const committed = await withContract(ctx, 'identity', (c) => submit(c, 'RegisterIssuer', [JSON.stringify(request)]));
        ctx.printer.result(
          { issuer: JSON.parse(committed.result) as unknown, transactionId: committed.transactionId },
          () => `registered issuer ${opts.name} (${opts.did})\n  tx ${committed.transactionId} in block ${committed.blockNumber}`,
        );
      }),
    );
  identity
    .command('issuer-status')
    .description('suspend, reinstate or retire a trusted issuer (City admin)')
    .requiredOption('--did <did>', 'the issuer DID')
    .requiredOption('--status <status>', 'active, suspended or retired')
    .action(
      action(runtime, async (ctx, opts: { did: string; status: string }) => {
        const committed = await withContract(ctx, 'identity', (c) => submit(c, 'SetIssuerStatus', [JSON.stringify({ did: opts.did, status: opts.status })]));
        ctx.printer.result(
          { issuer: JSON.parse(committed.result) as unknown, transactionId: committed.transactionId },
          () => `issuer ${opts.did} is now ${opts.status}\n  tx ${committed.transactionId}`,
        );
      }),
    );
  identity
    .command('issuer-show')
    .description("a trusted issuer's record")
    .argument('<did>', 'the issuer DID')
    .action(
      action(runtime, async (ctx, did: string) => {
        const issuer = JSON.parse(await withContract(ctx, 'identity', (c) => evaluate(c, 'ResolveIssuer', [did]))) as unknown;
        ctx.printer.result(issuer, () => JSON.stringify(issuer, null, 2));
      }),
    );
  identity
    .command('schema-register')
    .description('register a credential schema from a JSON file {type, version, claims:[{name,type}]} (City admin)')
    .requiredOption('--file <file>', 'the schema file')
    .action(
      action(runtime, async (ctx, opts: { file: string }) => {
        let text: string;
        try {
          text = readFileSync(opts.file, 'utf8');
        } catch (e) {
          throw new UsageError(`schema file ${opts.file} cannot be read: ${(e as Error).message}`);
        }
        const committed = await withContract(ctx, 'identity', (c) => submit(c, 'RegisterCredentialSchema', [text]));
        ctx.printer.result(
          { schema: JSON.parse(committed.result) as unknown, transactionId: committed.transactionId },
          () => `registered schema from ${opts.file}\n  tx ${committed.transactionId}`,
        );
      }),
    );
}
