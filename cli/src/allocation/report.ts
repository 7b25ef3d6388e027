import type { RoundAuditData } from './audit';

/** One category's line of the fairness report. */
export interface CategoryFairness {
  readonly category: string;
  readonly sites: number;
  readonly quota: number | null;
  /** Applicants whose first choice is in this category. */
  readonly firstChoice: number;
  readonly winners: number;
  /** Per priority group (and `none`): applicants with this category first, and winners in it. */
  readonly groups: Record<string, { applicants: number; winners: number }>;
}

/** The fairness report of a drawn round: per category, and the promise it is checked against. */
export interface FairnessReport {
  readonly roundId: string;
  readonly applications: number;
  readonly assigned: number;
  readonly waiting: number;
  readonly categories: CategoryFairness[];
  /** What the mechanism promises, stated so a reader can check the figures against it. */
  readonly promise: string;
}

/**
 * Tabulate a round's outcome per category and priority group, from the current allocation
 * (after withdrawals and no-shows). Counts only; the chance each applicant had is the subject
 * of the simulation test in chaincode/src/allocation/draw.test.ts.
 *
 * @param data - the round (drawn) and its draw inputs
 * @throws Error when the round has not been drawn
 */
export function fairnessReport(data: RoundAuditData): FairnessReport {
  const { round, inputs } = data;
  if (round.result === null) {
    throw new Error(`round ${round.roundId} has not been drawn`);
  }
  const categoryOf = new Map(round.sites.map((s) => [s.id, s.category]));
  const won = new Map(Object.entries(round.result.assignments).map(([site, did]) => [did, site]));
  const categories = [...new Set(round.sites.map((s) => s.category))].sort().map((category): CategoryFairness => {
    const groups: Record<string, { applicants: number; winners: number }> = {};
    for (const g of [...round.priorityGroups, 'none']) {
      groups[g] = { applicants: 0, winners: 0 };
    }
    let firstChoice = 0;
    let winners = 0;
    for (const a of inputs) {
      const group = groups[a.group ?? 'none'];
      const wonHere = categoryOf.get(won.get(a.applicant) ?? '') === category;
      if (categoryOf.get(a.preferences[0] ?? '') === category) {
        firstChoice += 1;
        if (group) group.applicants += 1;
      }
      if (wonHere) {
        winners += 1;
        if (group) group.winners += 1;
      }
    }
    return { category, sites: round.sites.filter((s) => s.category === category).length, quota: round.quotas[category] ?? null, firstChoice, winners, groups };
  });
  return {
    roundId: round.roundId,
    applications: inputs.length,
    assigned: Object.keys(round.result.assignments).length,
    waiting: round.result.waitingList.length,
    categories,
    promise: `priority groups (${round.priorityGroups.join(', ') || 'none'}) are served first, in that order; within a group every applicant has the same chance of each position (random serial dictatorship), and no one gains by misreporting preferences`,
  };
}
