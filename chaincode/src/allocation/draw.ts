import { createHash } from 'node:crypto';

/**
 * The allocation draw: one implementation, run by the chaincode at close and by
 * anyone with the CLI (`civic allocation verify`) to recompute it from ledger data.
 * Pure and deterministic: no clock, no ambient randomness, no unordered iteration.
 *
 * Mechanism (random serial dictatorship with priority groups and category quotas):
 * 1. Randomness: R = SHA-256("civic-allocation-v1" ‖ roundId ‖ seed ‖ SHA-256(sorted applicant DIDs)).
 *    The seed is {@link seedFromShares}: each org (City, Agencies, Utilities) commits to a secret
 *    share while the round is open and reveals it only after the applications and attestations
 *    are frozen, so no single party knows the seed while it could still change the inputs.
 *    R depends on who applied, not on anyone's preferences, so misreporting preferences cannot
 *    change the order.
 * 2. Order: applicants sorted by (priority rank, SHA-256(R ‖ DID)), where the rank is the
 *    index of the applicant's group in `priorityGroups` (no group ranks last).
 * 3. Serial dictatorship: in that order, each applicant gets their most preferred site that is
 *    still free and whose category has not reached its quota; an applicant whose listed sites
 *    are all gone goes on the waiting list, in order.
 * Each applicant gets at most one site. Ties are impossible (SHA-256 keys, DIDs unique).
 *
 * The result also records a digest of the draw's exact input (every application: applicant,
 * preferences in order, group), so a copy of the data whose applications were changed in a way
 * that happens not to change the outcome still fails an audit against the recorded draw.
 */

/** A site on offer. */
export interface Site {
  readonly id: string;
  readonly category: string;
}

/** What the draw needs to know about a round. */
export interface RoundSpec {
  readonly roundId: string;
  readonly sites: readonly Site[];
  /** Most sites of a category to allocate this round; a category not listed is limited only by its sites. */
  readonly quotas: Readonly<Record<string, number>>;
  /** Priority groups, highest first. */
  readonly priorityGroups: readonly string[];
}

/** One application: the applicant's DID, ranked site ids (best first), optional priority group. */
export interface Application {
  readonly applicant: string;
  readonly preferences: readonly string[];
  readonly group?: string | undefined;
}

/** An applicant's place in the draw. */
export interface Placement {
  readonly applicant: string;
  /** 1-based position in the seeded order. */
  readonly position: number;
  readonly site: string | null;
}

/** The outcome of a draw. */
export interface DrawResult {
  /** Hex SHA-256 randomness the order was derived from. */
  readonly randomness: string;
  /** Everyone in seeded order, with the site they got (or null). */
  readonly order: Placement[];
  /** Site id → applicant. */
  readonly assignments: Record<string, string>;
  /** Applicants without a site, in order. */
  readonly waitingList: string[];
  /** {@link inputsDigest} of the applications the draw ran on. */
  readonly inputsDigest: string;
}

const sha256 = (...parts: string[]): string => {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p, 'utf8');
    h.update('\u0000');
  }
  return h.digest('hex');
};

/** Domain label of a share commitment, so it can never be mistaken for another hash. */
export const SHARE_COMMITMENT_LABEL = 'civic-allocation-share-v1';

/**
 * An org's commitment to its secret share of a round's randomness: SHA-256 (hex) over
 * `"civic-allocation-share-v1" ‖ roundId ‖ mspId ‖ share`, each part UTF-8 and followed by a
 * NUL byte. Binding the round and the org means a share can be neither replayed in another
 * round nor copied by another org.
 */
export function shareCommitment(roundId: string, mspId: string, share: string): string {
  return sha256(SHARE_COMMITMENT_LABEL, roundId, mspId, share);
}

/**
 * The seed of a round's draw from every org's revealed share: SHA-256 (hex) over
 * `"civic-allocation-seed-v1" ‖ roundId ‖ (mspId ‖ share)…`, the shares in the order given
 * (the chaincode always passes them in `MSP_IDS` order: City, Agencies, Utilities). As long as
 * one org's share is secret and random until the applications are frozen, nobody can know or
 * choose the seed before then.
 *
 * @param shares - `{ mspId, share }` in the fixed org order
 */
export function seedFromShares(roundId: string, shares: readonly { readonly mspId: string; readonly share: string }[]): string {
  return sha256('civic-allocation-seed-v1', roundId, ...shares.flatMap((s) => [s.mspId, s.share]));
}

/** R for a round, a revealed seed and the set of applicants. */
export function drawRandomness(roundId: string, seed: string, applicants: readonly string[]): string {
  return sha256('civic-allocation-v1', roundId, seed, sha256(...[...applicants].sort()));
}

/**
 * SHA-256 (hex) of a draw's exact input: every application as `[applicant, group or null,
 * preferences in order]`, sorted by applicant, as JSON. Independent of the order the applications
 * come in; any change to any application (a preference, its rank, the group, the applicant, one
 * more or one fewer) changes it.
 */
export function inputsDigest(applications: readonly Application[]): string {
  const rows = applications.map((a) => [a.applicant, a.group ?? null, [...a.preferences]] as const);
  rows.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return sha256('civic-allocation-inputs-v1', JSON.stringify(rows));
}

/** The seeded order: priority rank first, then SHA-256(R ‖ DID). */
export function seededOrder(spec: RoundSpec, applications: readonly Application[], randomness: string): Application[] {
  const rank = (a: Application): number => {
    const i = a.group === undefined ? -1 : spec.priorityGroups.indexOf(a.group);
    return i < 0 ? spec.priorityGroups.length : i;
  };
  const keyed = applications.map((a) => ({ a, rank: rank(a), key: sha256(randomness, a.applicant) }));
  keyed.sort((x, y) => x.rank - y.rank || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return keyed.map((k) => k.a);
}

/**
 * Run the draw.
 *
 * @param spec - the round's sites, quotas and priority groups
 * @param applications - one per applicant (DIDs unique), in any order
 * @param seed - the round's seed ({@link seedFromShares}; the shares' commitments are checked by the caller)
 * @returns the seeded order with placements, assignments and the waiting list
 * @throws Error when an applicant appears twice (a caller bug: the ledger enforces one application each)
 */
export function runDraw(spec: RoundSpec, applications: readonly Application[], seed: string): DrawResult {
  const dids = applications.map((a) => a.applicant);
  if (new Set(dids).size !== dids.length) {
    throw new Error('each applicant may apply once');
  }
  const randomness = drawRandomness(spec.roundId, seed, dids);
  const categoryOf = new Map(spec.sites.map((s) => [s.id, s.category]));
  const taken = new Set<string>();
  const perCategory = new Map<string, number>();
  const assignments: Record<string, string> = {};
  const waitingList: string[] = [];
  const order = seededOrder(spec, applications, randomness).map((a, i): Placement => {
    const site = a.preferences.find((id) => {
      const category = categoryOf.get(id);
      return category !== undefined && !taken.has(id) && (perCategory.get(category) ?? 0) < (spec.quotas[category] ?? Number.POSITIVE_INFINITY);
    });
    if (site === undefined) {
      waitingList.push(a.applicant);
      return { applicant: a.applicant, position: i + 1, site: null };
    }
    const category = categoryOf.get(site) ?? '';
    taken.add(site);
    perCategory.set(category, (perCategory.get(category) ?? 0) + 1);
    assignments[site] = a.applicant;
    return { applicant: a.applicant, position: i + 1, site };
  });
  return { randomness, order, assignments, waitingList, inputsDigest: inputsDigest(applications) };
}

/**
 * Promote the waiting list after the holder of `site` withdraws or does not show:
 * the site goes to the first applicant on the waiting list, in order, who listed it.
 *
 * @param result - a draw's result (or a stored one, with its other fields, which are kept)
 * @returns the updated result (unchanged assignment when nobody waiting wants the site)
 * @throws Error when the site was not assigned
 */
export function promote<R extends Omit<DrawResult, 'inputsDigest'>>(result: R, applications: readonly Application[], site: string): R {
  const holder = result.assignments[site];
  if (holder === undefined) {
    throw new Error(`site ${site} is not assigned`);
  }
  const wants = new Map(applications.map((a) => [a.applicant, a.preferences]));
  const next = result.waitingList.find((did) => (wants.get(did) ?? []).includes(site));
  const assignments: Record<string, string> = Object.fromEntries(Object.entries(result.assignments).filter(([id]) => id !== site));
  if (next !== undefined) {
    assignments[site] = next;
  }
  const order = result.order.map((p) => (p.applicant === holder ? { ...p, site: null } : p.applicant === next ? { ...p, site } : p));
  return { ...result, order, assignments, waitingList: result.waitingList.filter((d) => d !== next) };
}

/** Why an applicant got what they got. */
export interface Explanation {
  readonly applicant: string;
  readonly position: number;
  readonly group: string | null;
  readonly site: string | null;
  /** Each preference, best first, with what happened to it by the applicant's turn. */
  readonly preferences: { site: string; outcome: string }[];
}

/**
 * Replay the draw up to an applicant's turn and explain each of their preferences.
 *
 * @throws Error when the applicant did not apply
 */
export function explain(spec: RoundSpec, applications: readonly Application[], seed: string, applicant: string): Explanation {
  const result = runDraw(spec, applications, seed);
  const me = result.order.find((p) => p.applicant === applicant);
  const mine = applications.find((a) => a.applicant === applicant);
  if (me === undefined || mine === undefined) {
    throw new Error(`${applicant} did not apply to round ${spec.roundId}`);
  }
  const categoryOf = new Map(spec.sites.map((s) => [s.id, s.category]));
  const before = result.order.slice(0, me.position - 1).filter((p) => p.site !== null);
  const takenBy = new Map(before.map((p) => [p.site ?? '', p.position]));
  const preferences = mine.preferences.map((site) => {
    const category = categoryOf.get(site);
    if (category === undefined) {
      return { site, outcome: 'not a site of this round' };
    }
    if (site === me.site) {
      return { site, outcome: 'assigned' };
    }
    const by = takenBy.get(site);
    if (by !== undefined) {
      return { site, outcome: `already taken by the applicant at position ${by}` };
    }
    const used = before.filter((p) => categoryOf.get(p.site ?? '') === category).length;
    if (used >= (spec.quotas[category] ?? Number.POSITIVE_INFINITY)) {
      return { site, outcome: `category ${category} had reached its quota of ${used}` };
    }
    return { site, outcome: me.site === null ? 'available but not reached' : 'not needed: a better-ranked site was assigned' };
  });
  return { applicant, position: me.position, group: mine.group ?? null, site: me.site, preferences };
}
