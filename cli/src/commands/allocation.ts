import { createHash } from 'node:crypto';
import { Command } from 'commander';
import {
  shareCommitment,
  type ApplicationRecord,
  type DrawSummary,
  type RoundRecord,
  type ShareRecord,
  type SiteChange,
} from '@civic-ledger/chaincode/dist/allocation/client';
import { signAuthorisation } from '../citizen/key-file';
import { openCitizenKey } from '../citizen/open-key';
import { action, type Runtime } from '../context';
import { UsageError } from '../errors';
import { CHANNEL } from '../gateway/connect';
import { evaluate } from '../gateway/transactions';
import { submitAndReport, withContract, withSession } from '../gateway/with-contract';
import { gatewayLedgerReader } from '../credentials/gateway-ledger-reader';
import { verifyPresentation } from '../credentials/verify';
import { readInput } from '../input';
import { defaultShareFile, parseQuotas, readShare, readSites, shareForCommit } from '../allocation/arguments';
import { addAllocationAuditCommands } from './allocation-audit';

const drawn = (r: DrawSummary): string =>
  `round ${r.roundId} drawn: ${String(r.assigned)} site(s) assigned, ${String(r.waiting)} on the waiting list (${String(r.applications)} applications; see allocation results)`;

function roundCommands(allocation: Command, runtime: Runtime): void {
  allocation
    .command('open')
    .description('open a round: sites, quotas, priority groups and closing time; each org then commits to a share (CityMSP allocation-officer)')
    .requiredOption('--round <id>', 'round id, e.g. fairs-2027-spring')
    .requiredOption('--title <text>', 'what is being allocated')
    .requiredOption('--sites <file>', 'JSON [{id, category}] or CSV with header id,category')
    .requiredOption('--closes <iso>', 'closing time for applications, ISO 8601 UTC, e.g. 2027-03-01T12:00:00Z')
    .option('--quota <quotas...>', 'most sites per category this round, e.g. food=10')
    .option('--priority-group <groups...>', 'priority groups, highest first, e.g. local-producer')
    .addHelpText(
      'after',
      '\nExample:\n  civic --user allocation-officer allocation open --round fairs-2027 --title "Weekend fairs" --sites sites.csv \\\n    --closes 2027-03-01T12:00:00Z --quota food=40 --priority-group local-producer',
    )
    .action(
      action(runtime, async (ctx, opts: { round: string; title: string; sites: string; closes: string; quota?: string[]; priorityGroup?: string[] }) => {
        const sites = readSites(opts.sites);
        const quotas = parseQuotas(opts.quota ?? []);
        const request = {
          roundId: opts.round,
          title: opts.title,
          sites,
          quotas,
          priorityGroups: opts.priorityGroup ?? [],
          closes: opts.closes,
        };
        await withContract(ctx, 'allocation', (c) =>
          submitAndReport(
            ctx,
            c,
            'OpenRound',
            [JSON.stringify(request)],
            (r: RoundRecord) =>
              `opened round ${r.roundId}: ${String(r.sites.length)} sites, closes ${r.closes}\n  next: each org's allocation officer runs allocation commit --round ${r.roundId}`,
          ),
        );
      }),
    );
  allocation
    .command('close')
    .description('close a round: freeze applications, withdrawals and priority attestations; every org must have committed (CityMSP allocation-officer)')
    .requiredOption('--round <id>', 'round id')
    .action(
      action(runtime, async (ctx, opts: { round: string }) => {
        await withContract(ctx, 'allocation', (c) =>
          submitAndReport(
            ctx,
            c,
            'CloseRound',
            [JSON.stringify({ roundId: opts.round })],
            (r: RoundRecord) =>
              `closed round ${r.roundId} at ${r.closedAt ?? ''}: applications frozen\n  next: each org's allocation officer runs allocation reveal`,
          ),
        );
      }),
    );
  allocation
    .command('draw')
    .description('run the draw of a closed round once every org revealed its share (allocation-officer of any org)')
    .requiredOption('--round <id>', 'round id')
    .action(
      action(runtime, async (ctx, opts: { round: string }) => {
        await withContract(ctx, 'allocation', (c) => submitAndReport(ctx, c, 'DrawRound', [JSON.stringify({ roundId: opts.round })], drawn));
      }),
    );
  allocation
    .command('no-show')
    .description('record that a winner did not show; the site goes down the waiting list (CityMSP allocation-officer)')
    .requiredOption('--round <id>', 'round id')
    .requiredOption('--site <id>', 'the site')
    .requiredOption('--holder <did>', 'the DID that held it')
    .action(
      action(runtime, async (ctx, opts: { round: string; site: string; holder: string }) => {
        const request = JSON.stringify({ roundId: opts.round, site: opts.site, holder: opts.holder });
        await withContract(ctx, 'allocation', (c) =>
          submitAndReport(ctx, c, 'MarkNoShow', [request], (c: SiteChange) => `site ${opts.site}: ${c.promoted ?? 'nobody waiting wanted it'}`),
        );
      }),
    );
}

function applicantCommands(allocation: Command, runtime: Runtime): void {
  allocation
    .command('apply')
    .description("apply to a round with ranked site preferences, signed with the applicant's key (front desk: clerk)")
    .requiredOption('--key <file>', "the applicant's key file")
    .requiredOption('--round <id>', 'round id')
    .requiredOption('--prefer <sites...>', 'site ids, best first')
    .option('--group <group>', 'the priority group claimed (counts only once the City attests it)')
    .action(
      action(runtime, async (ctx, opts: { key: string; round: string; prefer: string[]; group?: string }) => {
        const key = await openCitizenKey(runtime.env, opts.key);
        const signed = signAuthorisation(key, 'allocation:Apply', CHANNEL, { roundId: opts.round, preferences: opts.prefer, group: opts.group ?? null });
        await withContract(ctx, 'allocation', (c) =>
          submitAndReport(
            ctx,
            c,
            'Apply',
            [JSON.stringify(signed)],
            (a: ApplicationRecord) => `applied to ${a.roundId} as ${a.applicant}: ${a.preferences.join(' > ')}\n  receipt: this transaction id`,
          ),
        );
      }),
    );
  for (const [verb, fn, what] of [
    ['withdraw', 'WithdrawApplication', 'withdraw an application while the round is open'],
    ['release', 'ReleaseSite', 'give back a site won in the draw; the waiting list moves up'],
  ] as const) {
    const command = allocation
      .command(verb)
      .description(`${what}, signed with the applicant's key (front desk: clerk)`)
      .requiredOption('--key <file>', "the applicant's key file")
      .requiredOption('--round <id>', 'round id');
    if (verb === 'release') {
      command.requiredOption('--site <id>', 'the site won');
    }
    command.action(
      action(runtime, async (ctx, opts: { key: string; round: string; site?: string }) => {
        const key = await openCitizenKey(runtime.env, opts.key);
        const signed = signAuthorisation(key, `allocation:${fn}`, CHANNEL, { roundId: opts.round, ...(opts.site === undefined ? {} : { site: opts.site }) });
        await withContract(ctx, 'allocation', (c) =>
          submitAndReport(
            ctx,
            c,
            fn,
            [JSON.stringify(signed)],
            () => `${verb === 'withdraw' ? 'withdrew from' : `released ${opts.site ?? ''} in`} round ${opts.round}`,
          ),
        );
      }),
    );
  }
}

function attestCommand(allocation: Command, runtime: Runtime): void {
  allocation
    .command('attest')
    .description(
      "verify an applicant's credential presentation for a priority group against the ledger, then record the attestation (CityMSP allocation-officer)",
    )
    .requiredOption('--round <id>', 'round id')
    .requiredOption('--applicant <did>', "the applicant's DID (must be the presentation's holder)")
    .requiredOption('--group <group>', 'the priority group, e.g. local-producer')
    .requiredOption('--presentation <file>', 'the SD-JWT presentation the applicant made for you')
    .requiredOption('--audience <aud>', 'your verifier identifier')
    .requiredOption('--nonce <nonce>', 'the nonce you gave the applicant')
    .option('--claim <name>', 'the disclosed claim that must be true (default: the group with - as _, e.g. local_producer)')
    .action(
      action(
        runtime,
        async (ctx, opts: { round: string; applicant: string; group: string; presentation: string; audience: string; nonce: string; claim?: string }) => {
          const presentation = readInput(opts.presentation, '--presentation').toString('utf8').trim();
          const claim = opts.claim ?? opts.group.replaceAll('-', '_');
          await withSession(ctx, async (s) => {
            const verified = await verifyPresentation(
              presentation,
              gatewayLedgerReader(s.contract('identity')),
              { audience: opts.audience, nonce: opts.nonce },
              Math.floor(Date.now() / 1000),
            );
            if (verified.holder !== opts.applicant) {
              throw new UsageError(`the presentation is held by ${verified.holder}, not the applicant ${opts.applicant}`);
            }
            if (verified.claims[claim] !== true) {
              throw new UsageError(`the presentation does not disclose ${claim}: true (it discloses ${Object.keys(verified.claims).join(', ') || 'nothing'})`);
            }
            const evidenceHash = createHash('sha256').update(presentation, 'utf8').digest('hex');
            const request = JSON.stringify({ roundId: opts.round, applicant: opts.applicant, group: opts.group, evidenceHash });
            await submitAndReport(
              ctx,
              s.contract('allocation'),
              'AttestPriority',
              [request],
              () =>
                `attested ${opts.applicant} as ${opts.group} in round ${opts.round} (${verified.type} from ${verified.issuerName}; presentation sha256 ${evidenceHash})`,
            );
          });
        },
      ),
    );
}

function shareCommands(allocation: Command, runtime: Runtime): void {
  allocation
    .command('commit')
    .description(
      "commit the org to a secret share of a round's randomness while it is open; the share is made here and kept in a local file until reveal (allocation-officer of each org)",
    )
    .requiredOption('--round <id>', 'round id')
    .option(
      '--share-file <file>',
      'where to keep the share (default: <org wallet>/allocation-shares/<round>.share; an existing one is reused, never overwritten)',
    )
    .action(
      action(runtime, async (ctx, opts: { round: string; shareFile?: string }) => {
        const connection = ctx.connection();
        const file = opts.shareFile ?? defaultShareFile(connection.walletDir, opts.round);
        const { share } = await shareForCommit(file);
        const request = JSON.stringify({ roundId: opts.round, commitment: shareCommitment(opts.round, connection.mspId, share) });
        await withContract(ctx, 'allocation', (c) =>
          submitAndReport(
            ctx,
            c,
            'CommitShare',
            [request],
            (r: ShareRecord) =>
              `${r.mspId} committed to its share of round ${r.roundId}: ${r.commitment}\n  the share is in ${file}; keep it secret until the round is closed`,
          ),
        );
      }),
    );
  allocation
    .command('reveal')
    .description("reveal the org's share of a closed round's randomness, checked against its commitment (allocation-officer of each org)")
    .requiredOption('--round <id>', 'round id')
    .option('--share-file <file>', 'the share file written by allocation commit (default: <org wallet>/allocation-shares/<round>.share)')
    .action(
      action(runtime, async (ctx, opts: { round: string; shareFile?: string }) => {
        const share = readShare(opts.shareFile ?? defaultShareFile(ctx.connection().walletDir, opts.round));
        await withContract(ctx, 'allocation', (c) =>
          submitAndReport(
            ctx,
            c,
            'RevealShare',
            [JSON.stringify({ roundId: opts.round, share })],
            (r: ShareRecord) => `${r.mspId} revealed its share of round ${r.roundId}`,
          ),
        );
      }),
    );
  allocation
    .command('shares')
    .description("which orgs have committed to and revealed their share of a round's randomness (any org member)")
    .argument('<round>', 'round id')
    .action(
      action(runtime, async (ctx, roundId: string) => {
        const shares = JSON.parse(await withContract(ctx, 'allocation', (c) => evaluate(c, 'GetShares', [roundId]))) as ShareRecord[];
        ctx.printer.result(shares, () => ({
          head: ['org', 'commitment', 'revealed'],
          rows: shares.map((s) => [s.mspId, s.commitment, s.revealTxId === null ? 'no' : `yes (tx ${s.revealTxId})`]),
        }));
      }),
    );
}

/** `civic allocation …`: fair allocation of scarce public sites */
export function allocationCommand(runtime: Runtime): Command {
  const allocation = new Command('allocation').description(
    'fair allocation: rounds whose randomness all three orgs commit to and reveal, a draw anyone can recompute, waiting lists',
  );
  roundCommands(allocation, runtime);
  shareCommands(allocation, runtime);
  applicantCommands(allocation, runtime);
  attestCommand(allocation, runtime);
  addAllocationAuditCommands(allocation, runtime);
  return allocation;
}
