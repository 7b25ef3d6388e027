import { Command } from 'commander';
import path from 'node:path';
import { action, type CommandContext, type Runtime } from '../context';
import { CheckFailed, UsageError } from '../errors';
import { CHANNEL } from '../gateway/connect';
import { ledgerDirBlocks, peerBlocks, peerHeight } from '../ledger/block-source';
import { auditChain, compareCopies, type ChainReport, type Disagreement, type Fingerprints } from '../ledger/chain-audit';
import { memberOrgPeers } from '../ledger/org-peers';
import { openPeerSession } from '../ledger/peer-session';

/** What `ledger verify` found. */
export interface VerifyResult {
  readonly channel: string;
  readonly ok: boolean;
  readonly copies: readonly ChainReport[];
  /** Blocks every copy holds and was compared on. */
  readonly compared: number;
  readonly disagreement: Disagreement | undefined;
}

async function verifyPeers(ctx: CommandContext): Promise<{ reports: ChainReport[]; copies: Map<string, Fingerprints> }> {
  const copies = new Map<string, Fingerprints>();
  const reports = await Promise.all(
    memberOrgPeers(ctx.paths).map(async (peer) => {
      const source = `${peer.org} peer ${peer.connection.peerEndpoint}`;
      const session = openPeerSession(ctx, peer);
      try {
        const height = await peerHeight(session.gateway, peer.connection.mspId);
        ctx.printer.info(`${peer.org}: verifying ${String(height)} blocks from ${peer.connection.peerEndpoint}`);
        const { report, fingerprints } = await auditChain(source, peerBlocks(session.gateway, 0, height - 1), CHANNEL);
        copies.set(source, fingerprints);
        return report;
      } finally {
        session.close();
      }
    }),
  );
  return { reports, copies };
}

async function verifyLedgerDirs(ctx: CommandContext, dirs: readonly string[]): Promise<{ reports: ChainReport[]; copies: Map<string, Fingerprints> }> {
  const copies = new Map<string, Fingerprints>();
  const reports: ChainReport[] = [];
  for (const dir of dirs) {
    const source = path.resolve(dir);
    ctx.printer.info(`verifying the block files under ${source}`);
    const { report, fingerprints } = await auditChain(source, ledgerDirBlocks(dir), CHANNEL);
    copies.set(source, fingerprints);
    reports.push(report);
  }
  return { reports, copies };
}

function render(result: VerifyResult): string {
  const lines = result.copies.flatMap((c) => c.warnings.map((w) => `! ${c.source}: ${w}`));
  lines.push(
    ...result.copies.map((c) => {
      const head = `${c.source}: ${String(c.blocks)} blocks, ${String(c.signaturesChecked)} orderer signatures, config blocks ${c.configBlocks.join(', ') || 'none'}`;
      return c.problem === undefined
        ? `✔ ${head}; last hash ${c.lastHash ?? '-'}`
        : `✘ ${c.source}: block ${String(c.problem.block)}: ${c.problem.reason} (the ${String(c.blocks)} blocks before it verified)`;
    }),
  );
  if (result.copies.length > 1) {
    lines.push(
      result.disagreement === undefined
        ? `✔ the ${String(result.copies.length)} copies agree on all ${String(result.compared)} blocks that each of them verified (genesis ${result.copies[0]?.genesisHash ?? '-'})`
        : `✘ block ${String(result.disagreement.block)}: ${result.disagreement.reason}\n${Object.entries(result.disagreement.copies)
            .map(([k, v]) => `    ${k}: ${v ?? '(missing)'}`)
            .join('\n')}`,
    );
  }
  return lines.join('\n');
}

/** `--expect-genesis`: 64 hex digits, lower-cased. */
function genesisOption(raw: string | undefined): string | undefined {
  if (raw === undefined) {
    return undefined;
  }
  if (!/^[0-9a-fA-F]{64}$/.test(raw)) {
    throw new UsageError(`--expect-genesis: '${raw}' is not a block hash (64 hex digits)`);
  }
  return raw.toLowerCase();
}

/** A copy whose genesis block is not the expected one fails at block 0, whatever else verified. */
function withGenesisCheck(report: ChainReport, expected: string | undefined): ChainReport {
  if (expected === undefined || report.genesisHash === undefined || report.genesisHash === expected) {
    return report;
  }
  return { ...report, problem: { block: 0, reason: `the genesis block hashes to ${report.genesisHash}, not the expected ${expected}` } };
}

/** `civic ledger verify`: recompute and check the whole chain on one peer of every org, or in copies of block files. */
export function ledgerVerifyCommand(runtime: Runtime): Command {
  return new Command('verify')
    .description(
      "recompute every block's header hash and data hash, check the previous-hash chain back to the genesis block and each block's orderer signatures against the channel config in force, and compare the chain across one peer of every org",
    )
    .option('--expect-genesis <hash>', 'the genesis block hash the orgs agreed on when the channel was created (hex): a copy whose genesis differs fails')
    .option(
      '--ledger-dir <dir...>',
      "verify copies of ledgers' block files instead (a peer's or orderer's ledger folder, e.g. …/ledgersData/chains); offline, no network",
    )
    .addHelpText(
      'after',
      '\nExit status 1 names the first block where anything is wrong, and why.\nExamples:\n  civic --org utilities --user auditor ledger verify\n  civic ledger verify --ledger-dir /backups/peer0.city/ledgersData',
    )
    .action(
      action(runtime, async (ctx, opts: { ledgerDir?: string[]; expectGenesis?: string }) => {
        const expected = genesisOption(opts.expectGenesis);
        const found = opts.ledgerDir === undefined ? await verifyPeers(ctx) : await verifyLedgerDirs(ctx, opts.ledgerDir);
        const { copies } = found;
        const reports = found.reports.map((r) => withGenesisCheck(r, expected));
        const disagreement = compareCopies(copies);
        const result: VerifyResult = {
          channel: CHANNEL,
          ok: disagreement === undefined && reports.every((r) => r.problem === undefined),
          copies: reports,
          compared: Math.min(...[...copies.values()].map((f) => f.size)),
          disagreement,
        };
        if (!result.ok) {
          const first = reports.find((r) => r.problem !== undefined);
          const where =
            first?.problem !== undefined
              ? `${first.source}: block ${String(first.problem.block)}: ${first.problem.reason}`
              : `block ${String(disagreement?.block)}: ${disagreement?.reason ?? ''}`;
          ctx.printer.info(render(result));
          throw new CheckFailed('LEDGER_NOT_VERIFIED', `ledger verification failed at ${where}`, result);
        }
        ctx.printer.result(result, () => render(result));
      }),
    );
}
