import { spawn } from 'node:child_process';
import { Command, Option } from 'commander';
import { action, type CommandContext, type Runtime } from '../context';
import { NetworkError } from '../errors';
import { describeEndorsementPolicy } from '../network/policy';
import { pingOrg } from '../network/ping';
import { ORG_MSP_IDS, type OrgName } from '../options';
import { renderTable } from '../output/printer';

/** Run network/network.sh with a verb; progress goes to stderr. Returns stdout. */
export function runNetworkScript(ctx: CommandContext, runtime: Runtime, args: string[], capture: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [ctx.paths.networkScript, ...args], {
      env: { ...runtime.env, CIVIC_NETWORK_HOME: ctx.paths.networkHome },
      stdio: ['ignore', capture ? 'pipe' : 'inherit', ctx.options.json ? 'pipe' : 'inherit'],
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) {
        resolve(out);
      } else {
        const lastError = err
          .split('\n')
          .filter((l) => l.startsWith('error:'))
          .pop();
        reject(
          new NetworkError(`network ${args[0] ?? ''} failed${lastError === undefined ? '' : `: ${lastError.slice(7)}`}`, {
            code: 'NETWORK_SCRIPT',
            detail: err,
          }),
        );
      }
    });
  });
}

/** One node's row of `civic network status --json`. */
export interface NodeStatus {
  name: string;
  org: string;
  kind: string;
  host: string;
  port: number;
  operationsPort: number;
  pid: number | null;
  running: boolean;
  healthy: boolean;
  height?: number | null;
  raftLeader?: boolean;
}
interface BinaryStatus {
  installed: boolean;
  version?: string;
  pinned: string;
  source?: string;
  path?: string;
}
interface NetworkStatus {
  created: boolean;
  home: string;
  basePort?: number;
  fabric: BinaryStatus & { commit: string; moduleVersion: string };
  fabricCa: BinaryStatus;
  nodes: NodeStatus[];
  channel?: { name: string; raftLeader: string | null; heights: Record<string, number | null> };
  chaincode?: {
    name: string;
    version: string;
    sequence: number;
    validationParameter: string;
    endorsementPolicy?: string;
    collections: string[];
    approvals: Record<string, boolean>;
  } | null;
}
interface Check {
  check: string;
  ok: boolean;
  detail: string;
  fix: string | null;
}

/** `civic network up | down | clean | deploy | status | doctor`. */
export function networkCommand(runtime: Runtime): Command {
  const network = new Command('network').description('bring the Fabric network up, stop it, inspect it');
  const stages = ['binaries', 'ports', 'cas', 'identities', 'orderers', 'peers', 'channel', 'chaincode'];
  network
    .command('up')
    .description('bring the network up, or resume a stopped one with its ledgers (idempotent)')
    .addOption(new Option('--until <stage>', 'stop after this stage').choices(stages))
    .addHelpText(
      'after',
      '\nExamples:\n  civic network up\n  CIVIC_BASE_PORT=31000 civic network up\n  civic network up --until identities   # CAs and crypto material only',
    )
    .action(
      action(runtime, async (ctx, opts: { until?: string }) => {
        await runNetworkScript(ctx, runtime, ['up', ...(opts.until === undefined ? [] : ['--until', opts.until])], false);
        ctx.printer.result({ up: true, until: opts.until ?? 'chaincode', home: ctx.paths.networkHome }, () => `network up (${ctx.paths.networkHome})`);
      }),
    );
  for (const [verb, description] of [
    ['down', 'stop every node; ledgers and crypto material are kept'],
    ['clean', 'stop every node and delete the network state'],
    ['deploy', 'install, approve and commit the civic chaincode on every peer, or upgrade it (next sequence)'],
  ] as const) {
    network
      .command(verb)
      .description(description)
      .action(
        action(runtime, async (ctx) => {
          await runNetworkScript(ctx, runtime, [verb], false);
          ctx.printer.result({ [verb]: true }, () => `network ${verb}: done`);
        }),
      );
  }
  network
    .command('status')
    .description('every node (pid, port, health), block height per peer, Raft leader, committed chaincode, Fabric versions')
    .addHelpText('after', '\nExamples:\n  civic network status\n  civic network status --json | jq .channel.heights')
    .action(
      action(runtime, async (ctx) => {
        const status = JSON.parse(await runNetworkScript(ctx, runtime, ['status'], true)) as NetworkStatus;
        if (status.chaincode) {
          status.chaincode.endorsementPolicy = describeEndorsementPolicy(status.chaincode.validationParameter);
        }
        ctx.printer.result(status, () => renderStatus(status));
      }),
    );
  network
    .command('ping')
    .description("evaluate the chaincode's metadata through each org's gateway (is every org able to answer?)")
    .action(
      action(runtime, async (ctx) => {
        const results = await Promise.all((Object.keys(ORG_MSP_IDS) as OrgName[]).map((org) => pingOrg(ctx.paths, org, ctx.options.user)));
        ctx.printer.result(results, () => ({
          head: ['org', 'MSP ID', 'contracts', 'ms'],
          rows: results.map((r) => [r.org, r.mspId, r.contracts.join(' '), r.ms]),
        }));
      }),
    );
  network
    .command('doctor')
    .description('check binaries, versions, ports and the chaincode builder, and say what to fix')
    .action(
      action(runtime, async (ctx) => {
        const out = await runNetworkScript(ctx, runtime, ['doctor'], true);
        const checks = out
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Check);
        const table = {
          head: ['check', 'ok', 'detail / fix'],
          rows: checks.map((c) => [c.check, c.ok ? 'ok' : 'FAIL', c.ok ? c.detail : `${c.detail}\n→ ${c.fix ?? ''}`]),
        };
        const failed = checks.filter((c) => !c.ok);
        if (failed.length === 0) {
          ctx.printer.result(checks, () => table);
          return;
        }
        ctx.printer.info(renderTable(table));
        const error = new NetworkError(`${failed.length} check(s) failed: ${failed.map((c) => c.check).join(', ')}`, { code: 'DOCTOR' });
        error.data = checks;
        throw error;
      }),
    );
  return network;
}

/** The human view of `network status`: versions, a node table, channel and chaincode lines. */
function renderStatus(status: NetworkStatus): string {
  const version = (b: BinaryStatus): string =>
    b.installed ? `${b.version ?? '?'} (pinned ${b.pinned}; ${b.source ?? 'unknown source'})` : `not installed (pinned ${b.pinned})`;
  const lines = [`Fabric ${version(status.fabric)}`, `Fabric CA ${version(status.fabricCa)}`];
  if (!status.created) {
    return [...lines, `no network at ${status.home} (run \`civic network up\`)`].join('\n');
  }
  const health = (n: NodeStatus): string => (n.running ? (n.healthy ? 'healthy' : 'unhealthy') : 'stopped');
  const detail = (n: NodeStatus): string =>
    n.kind === 'peer' ? `height ${n.height === undefined || n.height === null ? '-' : String(n.height)}` : n.raftLeader === true ? 'Raft leader' : '';
  lines.push(
    renderTable({
      head: ['node', 'org', 'address', 'ops port', 'pid', 'health', 'ledger'],
      rows: status.nodes.map((n) => [n.name, n.org, `${n.host}:${String(n.port)}`, n.operationsPort, n.pid, health(n), detail(n)]),
    }),
  );
  if (status.channel) {
    lines.push(`channel ${status.channel.name}: Raft leader ${status.channel.raftLeader ?? 'none'}`);
  }
  const cc = status.chaincode;
  lines.push(
    cc
      ? `chaincode ${cc.name} version ${cc.version} sequence ${String(cc.sequence)}; endorsement ${cc.endorsementPolicy ?? '?'}; collections ${cc.collections.join(', ')}`
      : 'chaincode: no definition committed (or no peer running)',
  );
  lines.push(`state: ${status.home}`);
  return lines.join('\n');
}
