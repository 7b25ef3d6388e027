import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { z } from 'zod';
import { action, type CommandContext, type Runtime } from '../context';
import { CheckFailed, ContractError, NetworkError, UsageError } from '../errors';
import { findFabricTool } from '../fabric-tools';
import { orgMspId, parseOptions } from '../options';
import { runNetworkScript } from './network';

const run = promisify(execFile);

/** Fabric CA refusals that are the user's to fix (exit 1), by the CA's error code. */
const CA_REFUSALS: readonly (readonly [RegExp, string, string])[] = [
  [/Error Code: 20 /, 'CA_AUTHENTICATION', 'unknown enrollment id or wrong secret'],
  [/Error Code: 71 /, 'CA_AUTHORIZATION', 'this identity may not register staff (use the org admin)'],
  [/Error Code: 10 - Identity \S+ was not found/, 'CA_UNKNOWN_IDENTITY', 'no staff member of that name is registered'],
  [/Error Code: 74 |is already registered/, 'CA_ALREADY_REGISTERED', 'that name is already registered'],
];

const nameSchema = z.string().regex(/^[a-z][a-z0-9._-]{1,63}$/, 'must be 2-64 lower-case letters, digits, dot, dash or underscore, starting with a letter');
const registerSchema = z.object({
  name: nameSchema,
  role: z.string().regex(/^[a-z][a-z-]{1,31}$/, 'must be a role name such as clerk, auditor or registrar'),
  secret: z.string().min(8, 'must be at least 8 characters').optional(),
});
const enrollSchema = z.object({ name: nameSchema, secret: z.string().min(1, 'is required') });
/** RFC 5280 CRLReason names as fabric-ca-client revoke --revoke.reason takes them. */
const REVOKE_REASONS = [
  'unspecified',
  'keycompromise',
  'cacompromise',
  'affiliationchange',
  'superseded',
  'cessationofoperation',
  'certificatehold',
  'removefromcrl',
  'privilegewithdrawn',
  'aacompromise',
] as const;
const revokeSchema = z.object({ name: nameSchema, reason: z.enum(REVOKE_REASONS).default('unspecified') });

/**
 * Run fabric-ca-client against the selected org's CA; errors become one line.
 *
 * @param verb - what the identity was doing, for a refusal for want of authority (`register`, `revoke`)
 * @throws ContractError for the CA's refusals in CA_REFUSALS (exit 1), NetworkError otherwise
 */
async function caClient(ctx: CommandContext, runtime: Runtime, home: string, url: string, args: string[], verb = 'register'): Promise<void> {
  const conn = ctx.connection();
  if (conn.ca === undefined) {
    throw new UsageError(`connection profile ${conn.profilePath} names no certificate authority`);
  }
  const tool = findFabricTool(ctx.paths, runtime.env, 'fabric-ca-client');
  const full = [...args, '-H', home, '-u', url, '--caname', conn.ca.caName, '--tls.certfiles', conn.ca.tlsRootCertPath, '--loglevel', 'warning'];
  ctx.printer.verbose(`$ fabric-ca-client ${full.map((a) => a.replace(/\/\/[^@/]*@/, '//***@')).join(' ')}`);
  try {
    await run(tool, full, { env: runtime.env });
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr ?? '';
    const reason = /Error: (.*)/.exec(stderr)?.[1] ?? (e as Error).message;
    const refusal = CA_REFUSALS.find(([pattern]) => pattern.test(reason));
    if (refusal !== undefined) {
      throw new ContractError(refusal[1], `${conn.ca.caName} refused: ${refusal[2].replace('register staff', `${verb} staff`)}`, { detail: stderr });
    }
    throw new NetworkError(`${conn.ca.caName}: ${reason}`, { code: 'CA', detail: stderr });
  }
}

/** What `staff revoke` reports. */
interface Revoked {
  readonly org: string;
  readonly mspId: string;
  readonly name: string;
  readonly reason: string;
  /** The CA's CRL after the revocation (PEM), as fabric-ca-client wrote it. */
  readonly crl: string;
  /** The config block that holds the CRL in the org's MSP. */
  readonly configBlock: number;
  /** The channel config groups whose definition of the org's MSP now holds the CRL. */
  readonly groups: readonly string[];
  /** False when the channel config already held this CRL. */
  readonly changed: boolean;
}

/**
 * Revoke a staff member as Fabric does it (Fabric CA user's guide, "Revoking a certificate or
 * identity" and "Generating a CRL": the MSPs in the channel configuration must be updated too):
 * the org's CA revokes every certificate of the enrollment id and signs a new CRL
 * (fabric-ca-client revoke --gencrl, RFC 5280 reasons); the org's admin then sets the org MSP's
 * revocation_list in the channel config to that CRL by a config update (network.sh
 * channel-set-crl), after which every peer refuses those certificates. Running it again after a
 * failed config update retries it: the CA revokes nothing twice and writes the CRL again.
 *
 * @throws ContractError CA_AUTHORIZATION when the identity may not revoke (not the org admin),
 *   CA_UNKNOWN_IDENTITY when no one of that name is registered, UPDATE_REFUSED (CheckFailed)
 *   when the orderer refuses the config update
 */
async function revokeStaff(ctx: CommandContext, runtime: Runtime, opts: z.infer<typeof revokeSchema>): Promise<Revoked> {
  const conn = ctx.connection();
  const revoker = ctx.identity();
  await caClient(
    ctx,
    runtime,
    path.dirname(revoker.mspDir),
    conn.ca?.url ?? '',
    ['revoke', '--revoke.name', opts.name, '--revoke.reason', opts.reason, '--gencrl'],
    'revoke',
  );
  const crl = path.join(revoker.mspDir, 'crls', 'crl.pem');
  if (!existsSync(crl)) {
    throw new NetworkError(`${conn.ca?.caName ?? 'the CA'} revoked ${opts.name} but wrote no CRL to ${crl}`, { code: 'CA' });
  }
  const set = JSON.parse(await runNetworkScript(ctx, runtime, ['channel-set-crl', ctx.options.org, crl], true)) as {
    accepted: boolean;
    status?: string;
    reason?: string;
    groups?: string[];
    configBlock?: number;
    changed?: boolean;
  };
  if (!set.accepted) {
    throw new CheckFailed(
      'UPDATE_REFUSED',
      `${opts.name} is revoked at the CA, but the orderer refused the config update carrying the CRL: ${set.status ?? '?'} -- ${set.reason ?? '?'} (run the same command again to retry)`,
      { crl, status: set.status, reason: set.reason },
    );
  }
  return {
    org: ctx.options.org,
    mspId: orgMspId(ctx.options.org),
    name: opts.name,
    reason: opts.reason,
    crl,
    configBlock: set.configBlock ?? -1,
    groups: set.groups ?? [],
    changed: set.changed ?? true,
  };
}

/** `civic staff register | enroll | revoke`: staff identities from the org's Fabric CA. */
export function staffCommand(runtime: Runtime): Command {
  const staff = new Command('staff').description('add staff to an org through its Fabric CA, with their role as a certificate attribute');
  staff
    .command('register')
    .description('register a staff member with a role (run as the org admin); prints their one-time enrollment secret')
    .requiredOption('--name <name>', "the staff member's enrollment id")
    .requiredOption('--role <role>', 'their role, set as the certificate attribute civic.role')
    .option('--secret <secret>', 'enrollment secret (default: generated)')
    .addHelpText(
      'after',
      '\nExamples:\n  civic --org agencies staff register --name jan --role clerk\n  civic --org city --user admin staff register --name eva --role auditor --json',
    )
    .action(
      action(runtime, async (ctx, raw: unknown) => {
        const opts = parseOptions(registerSchema, raw);
        const conn = ctx.connection();
        const registrar = ctx.identity();
        const secret = opts.secret ?? randomBytes(12).toString('hex');
        await caClient(ctx, runtime, path.dirname(registrar.mspDir), conn.ca?.url ?? '', [
          'register',
          '--id.name',
          opts.name,
          '--id.secret',
          secret,
          '--id.type',
          'client',
          '--id.attrs',
          `civic.role=${opts.role}:ecert`,
        ]);
        const result = { org: ctx.options.org, mspId: orgMspId(ctx.options.org), name: opts.name, role: opts.role, secret };
        ctx.printer.result(
          result,
          () =>
            `registered ${opts.name} (${opts.role}) with ${conn.ca?.caName ?? ''}; enrollment secret: ${secret}\nnext: civic --org ${ctx.options.org} staff enroll --name ${opts.name} --secret ${secret}`,
        );
      }),
    );
  staff
    .command('enroll')
    .description('enroll a registered staff member into the local wallet')
    .requiredOption('--name <name>', 'enrollment id')
    .requiredOption('--secret <secret>', 'enrollment secret from `staff register`')
    .addHelpText('after', '\nExample:\n  civic --org agencies staff enroll --name jan --secret 9f2c...')
    .action(
      action(runtime, async (ctx, raw: unknown) => {
        const opts = parseOptions(enrollSchema, raw);
        const conn = ctx.connection();
        const home = path.join(conn.walletDir, opts.name);
        if (existsSync(path.join(home, 'msp', 'signcerts', 'cert.pem'))) {
          throw new UsageError(`${opts.name} is already enrolled in ${conn.walletDir}`);
        }
        const url = (conn.ca?.url ?? '').replace('://', `://${encodeURIComponent(opts.name)}:${encodeURIComponent(opts.secret)}@`);
        const mspId = orgMspId(ctx.options.org);
        await caClient(ctx, runtime, home, url, ['enroll', '--csr.names', `C=NL,L=Civic Ledger,O=${mspId}`]);
        ctx.printer.result({ org: ctx.options.org, mspId, name: opts.name, wallet: home }, () => `enrolled ${opts.name} of ${mspId} into ${home}`);
      }),
    );
  staff
    .command('revoke')
    .description(
      "revoke a staff member's certificates at the org's CA and put the CA's new CRL into the org's MSP in the channel config (run as the org admin): every peer then refuses them",
    )
    .requiredOption('--name <name>', "the staff member's enrollment id")
    .option('--reason <reason>', `RFC 5280 reason: ${REVOKE_REASONS.join(', ')}`, 'unspecified')
    .addHelpText('after', '\nExample:\n  civic --org city staff revoke --name jan --reason keycompromise')
    .action(
      action(runtime, async (ctx, raw: unknown) => {
        const result = await revokeStaff(ctx, runtime, parseOptions(revokeSchema, raw));
        ctx.printer.result(
          result,
          () =>
            `revoked ${result.name} (${result.reason}) at ${ctx.connection().ca?.caName ?? 'the CA'}; ` +
            (result.changed ? `CRL in config block ${String(result.configBlock)} (${result.groups.join(', ')})` : 'the channel config already held this CRL'),
        );
      }),
    );
  return staff;
}
