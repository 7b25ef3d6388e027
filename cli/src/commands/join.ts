import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { common, msp } from '@hyperledger/fabric-protos';
import { Command, Option } from 'commander';
import { applicationAdminApproval, checkSignatures, readConfigUpdate } from '../channel/config-update';
import { action, type CommandContext, type Runtime } from '../context';
import { CheckFailed, UsageError } from '../errors';
import { readWalletIdentity } from '../gateway/wallet';
import { channelConfigOf, type ChannelConfig } from '../ledger/channel-config';
import { validateIdentity } from '../ledger/msp';
import { describeEndorsementPolicy } from '../network/policy';
import { orgMspId } from '../options';
import { runNetworkScript } from './network';

/** The channel's latest config, fetched by the --org's admin from its orderer. */
async function currentConfig(ctx: CommandContext, runtime: Runtime): Promise<ChannelConfig> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-config-'));
  try {
    const file = path.join(dir, 'config.block');
    await runNetworkScript(ctx, runtime, ['channel-fetch-config', ctx.options.org, file], true);
    const config = channelConfigOf(common.Block.deserializeBinary(readFileSync(file)));
    if (config === undefined) {
      throw new UsageError('the block the orderer returned as the latest config block is not a config block');
    }
    return config;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const absolute = (file: string): string => path.resolve(file);

/**
 * `civic org init | join | approve`: a new org, on its own host (a CIVIC_NETWORK_HOME of its
 * own), sets itself up, hands over its definition, joins its peer and approves the chaincode.
 */
export function orgCommand(runtime: Runtime): Command {
  const org = new Command('org').description("an org joining the running channel from its own host (in a CIVIC_NETWORK_HOME of the org's own)");
  org
    .command('init')
    .description(
      "create the org's Fabric CA, admin, staff and peer identities, and write its org definition (MSP with public certificates, anchor peer) to hand over",
    )
    .requiredOption('--name <name>', 'the org short name, e.g. harbour (MSP ID HarbourMSP)')
    .option('--out <file>', 'where to write the org definition (default ./<name>.json)')
    .addHelpText('after', '\nExample:\n  CIVIC_NETWORK_HOME=~/harbour CIVIC_BASE_PORT=27060 civic org init --name harbour --out harbour.json')
    .action(
      action(runtime, async (ctx, opts: { name: string; out?: string }) => {
        const out = absolute(opts.out ?? `${opts.name}.json`);
        const result = JSON.parse(await runNetworkScript(ctx, runtime, ['org-init', opts.name, out], true)) as Record<string, string>;
        ctx.printer.result(result, () => `${result.mspId ?? ''}: CA, identities and definition ready; hand ${out} to a member's admin`);
      }),
    );
  org
    .command('join')
    .description("start the org's peer and join it to the channel from the block a member handed over ('civic channel genesis')")
    .requiredOption('--block <file>', "the channel's genesis block")
    .action(
      action(runtime, async (ctx, opts: { block: string }) => {
        await runNetworkScript(ctx, runtime, ['org-join', absolute(opts.block)], false);
        ctx.printer.result({ joined: true }, () => 'peer joined the channel; it now pulls the blocks from the orderers');
      }),
    );
  org
    .command('approve')
    .description("install the chaincode on the org's peer and approve the committed chaincode definition (its version, sequence and endorsement policy)")
    .action(
      action(runtime, async (ctx) => {
        const committed = JSON.parse(await runNetworkScript(ctx, runtime, ['org-committed'], true)) as {
          sequence?: number;
          version?: string;
          validation_parameter?: string;
        };
        if (committed.sequence === undefined || committed.version === undefined || committed.validation_parameter === undefined) {
          throw new UsageError("the org's peer knows no committed chaincode definition yet (has it caught up with the channel?)");
        }
        const policy = describeEndorsementPolicy(committed.validation_parameter);
        await runNetworkScript(ctx, runtime, ['org-approve', committed.version, String(committed.sequence), policy], false);
        const result = { version: committed.version, sequence: committed.sequence, endorsementPolicy: policy };
        ctx.printer.result(result, () => `approved version ${result.version} sequence ${String(result.sequence)} (endorsement: ${policy})`);
      }),
    );
  return org;
}

/**
 * `civic channel genesis | add-org | sign | submit`: what a member org's admin (--org) does to let
 * an org join: compute the config update, sign it, and submit it once a majority of the member
 * orgs' admins signed (/Channel/Application/Admins).
 */
export function channelCommand(runtime: Runtime): Command {
  const channel = new Command('channel').description("change the channel's membership, as a member org's admin (--org)");
  channel
    .command('genesis')
    .description("fetch block 0 of the channel from the org's orderer, for a joining org's peer")
    .requiredOption('--out <file>', 'where to write the block')
    .action(
      action(runtime, async (ctx, opts: { out: string }) => {
        await runNetworkScript(ctx, runtime, ['channel-genesis', ctx.options.org, absolute(opts.out)], false);
        ctx.printer.result({ block: absolute(opts.out) }, () => `genesis block written to ${absolute(opts.out)}`);
      }),
    );
  channel
    .command('add-org')
    .description('compute the config update that adds an org (its definition from `civic org init`) to the channel, unsigned')
    .requiredOption('--definition <file>', "the joining org's definition")
    .option('--out <file>', 'where to write the update (default ./<MSP ID>.update.pb)')
    .action(
      action(runtime, async (ctx, opts: { definition: string; out?: string }) => {
        const definition = absolute(opts.definition);
        let mspId: unknown;
        try {
          const parsed = JSON.parse(readFileSync(definition, 'utf8')) as { values?: { MSP?: { value?: { config?: { name?: unknown } } } } };
          mspId = parsed.values?.MSP?.value?.config?.name;
        } catch (error) {
          throw new UsageError(`--definition ${definition} is not an org definition: ${(error as Error).message}`);
        }
        if (typeof mspId !== 'string' || mspId === '') {
          throw new UsageError(`--definition ${definition} is not an org definition: it names no MSP (values.MSP.value.config.name)`);
        }
        const out = absolute(opts.out ?? `${mspId}.update.pb`);
        const result = JSON.parse(await runNetworkScript(ctx, runtime, ['channel-add-org', ctx.options.org, definition, out], true)) as Record<string, unknown>;
        ctx.printer.result(
          result,
          () => `config update adding ${String(result.mspId)} written to ${out}; member admins sign it with 'civic channel sign --update ${out}'`,
        );
      }),
    );
  channel
    .command('sign')
    .description("add the --org admin's signature to a config update")
    .requiredOption('--update <file>', 'the config update')
    .action(
      action(runtime, async (ctx, opts: { update: string }) => {
        const file = absolute(opts.update);
        readConfigUpdate(file);
        await runNetworkScript(ctx, runtime, ['channel-sign', ctx.options.org, file], false);
        const signers = readConfigUpdate(file).signatures.map((s) => signerMspId(s));
        ctx.printer.result({ update: file, signedBy: signers }, () => `signed; signatures now from ${signers.join(', ')}`);
      }),
    );
  channel
    .command('submit')
    .description("submit a config update through the --org's orderer once the admins of a majority of member orgs signed it (the submitter signs too)")
    .requiredOption('--update <file>', 'the config update')
    .addOption(new Option('--no-check', 'skip the signature check and let the orderer decide'))
    .action(
      action(runtime, async (ctx, opts: { update: string; check: boolean }) => {
        const file = absolute(opts.update);
        const update = readConfigUpdate(file);
        if (opts.check) {
          const config = await currentConfig(ctx, runtime);
          const { checked, valid } = checkSignatures(update, config);
          // peer channel update adds the submitting admin's signature.
          const admin = readWalletIdentity(ctx.connection().walletDir, 'admin');
          const serialized = new msp.SerializedIdentity();
          serialized.setMspid(orgMspId(ctx.options.org));
          serialized.setIdBytes(admin.certificate);
          const submitter = validateIdentity(serialized.serializeBinary(), config.msps);
          const identities = 'rejected' in submitter || valid.some((v) => v.certificate.raw.equals(submitter.certificate.raw)) ? valid : [...valid, submitter];
          const approval = applicationAdminApproval(config, identities);
          if (!approval.satisfied) {
            throw new CheckFailed(
              'SIGNATURES_MISSING',
              `the update needs ${String(approval.moreNeeded)} more member org admin signature(s), from any of: ${approval.unsigned.join(', ')} ` +
                `(signed: ${approval.signed.join(', ') || 'none'}; ${approval.policy})`,
              { ...approval, signatures: checked },
            );
          }
        }
        const verdict = JSON.parse(await runNetworkScript(ctx, runtime, ['channel-submit', ctx.options.org, file], true)) as {
          accepted: boolean;
          status?: string;
          reason?: string;
        };
        if (!verdict.accepted) {
          // The orderer answered: the update is not allowed (a refusal, not a network failure).
          throw new CheckFailed('UPDATE_REFUSED', `the orderer refused the config update: ${verdict.status ?? '?'} -- ${verdict.reason ?? '?'}`, {
            update: file,
            status: verdict.status,
            reason: verdict.reason,
          });
        }
        ctx.printer.result({ submitted: true, update: file }, () => 'config update accepted by the orderer');
      }),
    );
  return channel;
}

function signerMspId(signature: common.ConfigSignature): string {
  const header = common.SignatureHeader.deserializeBinary(signature.getSignatureHeader_asU8());
  return msp.SerializedIdentity.deserializeBinary(header.getCreator_asU8()).getMspid();
}
