import { z } from 'zod';
import {
  MSP_ORDER,
  promote,
  runDraw,
  roundRecordSchema,
  seedFromShares,
  shareCommitment,
  type Application,
  type DrawResult,
  type RoundRecord,
} from '@civic-ledger/chaincode/dist/allocation/client';

/**
 * Everything needed to re-check a round without trusting anyone: the round as the ledger stores it
 * (spec, every org's committed and revealed share, the seed, result and every later change) and the draw's exact input
 * (`allocation:GetDrawInputs`). `civic allocation export` writes it; `verify --data` reads a copy.
 */
export const roundAuditDataSchema = z
  .object({
    round: roundRecordSchema,
    inputs: z.array(z.object({ applicant: z.string(), preferences: z.array(z.string()), group: z.string().nullable() }).strict()),
  })
  .strict();
export type RoundAuditData = z.infer<typeof roundAuditDataSchema>;

/** One way the stored allocation differs from the recomputed one. */
export interface AuditDifference {
  readonly what: string;
  readonly stored: unknown;
  readonly recomputed: unknown;
}

/** The outcome of an audit: `agrees` only when there is no difference at all. */
export interface AuditReport {
  readonly roundId: string;
  readonly agrees: boolean;
  readonly applications: number;
  /**
   * Whether the applications themselves were checked against the digest the draw recorded
   * (false only for rounds drawn before the chaincode recorded one: then only their outcome is).
   */
  readonly applicationsChecked: boolean;
  readonly changesReplayed: number;
  readonly differences: AuditDifference[];
}

const MAX_LISTED = 25;

const placed = (p: { applicant: string; site: string | null } | undefined): string | null =>
  p === undefined ? null : `${p.applicant} → ${p.site ?? 'waiting list'}`;

function orderDifferences(stored: DrawResult['order'], recomputed: DrawResult['order']): AuditDifference[] {
  const out: AuditDifference[] = [];
  for (let i = 0; i < Math.max(stored.length, recomputed.length) && out.length < MAX_LISTED; i++) {
    const [s, r] = [placed(stored[i]), placed(recomputed[i])];
    if (s !== r) {
      out.push({ what: `position ${String(i + 1)}`, stored: s, recomputed: r });
    }
  }
  return out;
}

function assignmentDifferences(stored: Record<string, string>, recomputed: Record<string, string>): AuditDifference[] {
  const sites = [...new Set([...Object.keys(stored), ...Object.keys(recomputed)])].sort();
  return sites
    .filter((site) => stored[site] !== recomputed[site])
    .slice(0, MAX_LISTED)
    .map((site) => ({ what: `site ${site}`, stored: stored[site] ?? null, recomputed: recomputed[site] ?? null }));
}

function compareResults(stored: NonNullable<RoundRecord['result']>, recomputed: DrawResult): AuditDifference[] {
  const out: AuditDifference[] = [];
  if (stored.inputsDigest !== undefined && stored.inputsDigest !== recomputed.inputsDigest) {
    out.push({
      what: 'applications (SHA-256 of every application: applicant, preferences, group) are not those the draw ran on',
      stored: stored.inputsDigest,
      recomputed: recomputed.inputsDigest,
    });
  }
  if (stored.randomness !== recomputed.randomness) {
    out.push({ what: 'randomness (derived from the seed and the set of applicants)', stored: stored.randomness, recomputed: recomputed.randomness });
  }
  out.push(...orderDifferences(stored.order, recomputed.order), ...assignmentDifferences(stored.assignments, recomputed.assignments));
  if (stored.waitingList.join() !== recomputed.waitingList.join()) {
    out.push({ what: 'waiting list', stored: stored.waitingList, recomputed: recomputed.waitingList });
  }
  return out;
}

/**
 * The seed checks of a drawn round: one share per org, in the fixed org order, each matching the
 * commitment that org made while the round was open, and the seed derived from them.
 */
function seedDifferences(round: RoundRecord, seed: string): AuditDifference[] {
  const shares = round.shares ?? [];
  const out: AuditDifference[] = [];
  const orgs = shares.map((s) => s.mspId);
  if (orgs.join() !== MSP_ORDER.join()) {
    out.push({ what: 'shares: one revealed share per org, in order', stored: orgs, recomputed: [...MSP_ORDER] });
  }
  for (const s of shares) {
    const recomputed = shareCommitment(round.roundId, s.mspId, s.share ?? '');
    if (recomputed !== s.commitment) {
      out.push({ what: `share of ${s.mspId}: the revealed share does not match its commitment`, stored: s.commitment, recomputed });
    }
  }
  const recomputed = seedFromShares(
    round.roundId,
    shares.map((s) => ({ mspId: s.mspId, share: s.share ?? '' })),
  );
  if (recomputed !== seed) {
    out.push({ what: 'seed: not the hash of the revealed shares', stored: seed, recomputed });
  }
  return out;
}

/**
 * Re-check a drawn round from its data: each org's revealed share against its commitment and
 * the seed against the shares (allocation/draw.ts `seedFromShares`), then the whole draw recomputed with the same implementation the chaincode ran
 * (`allocation/draw.ts`), then every later withdrawal or no-show replayed in commit order, and the
 * result compared with what the ledger stores, position by position and site by site; the
 * applications themselves are checked against the digest of them the draw recorded, so a change
 * to any application is found even when it would not change the outcome.
 *
 * @param data - the round and the draw inputs (from the ledger, or a copy)
 * @returns every difference found (the first 25 positions and sites that differ); never throws for bad data
 */
export function auditRound(data: RoundAuditData): AuditReport {
  const { round, inputs } = data;
  const base = { roundId: round.roundId, applications: inputs.length, applicationsChecked: round.result?.inputsDigest !== undefined };
  if (round.result === null || round.seed === null) {
    return { ...base, agrees: false, changesReplayed: 0, differences: [{ what: 'status', stored: round.status, recomputed: 'drawn' }] };
  }
  const differences: AuditDifference[] = [];
  differences.push(...seedDifferences(round, round.seed));
  const applications: Application[] = inputs.map((a) => ({ applicant: a.applicant, preferences: a.preferences, group: a.group ?? undefined }));
  let result = runDraw(round, applications, round.seed);
  let replayed = 0;
  for (const change of round.result.changes) {
    if (result.assignments[change.site] !== change.released) {
      differences.push({
        what: `change ${change.txId}: holder of site ${change.site} when released`,
        stored: change.released,
        recomputed: result.assignments[change.site] ?? null,
      });
      break;
    }
    result = promote(result, applications, change.site);
    replayed += 1;
    if ((result.assignments[change.site] ?? null) !== change.promoted) {
      differences.push({
        what: `change ${change.txId}: promoted to site ${change.site}`,
        stored: change.promoted,
        recomputed: result.assignments[change.site] ?? null,
      });
    }
  }
  differences.push(...compareResults(round.result, result));
  return { ...base, agrees: differences.length === 0, changesReplayed: replayed, differences };
}
