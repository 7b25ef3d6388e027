/**
 * Pro-rata ("pondsgewijs") sharing of a monthly repayment capacity among creditors,
 * as in Dutch amicable debt settlements: each creditor's share is proportional to what
 * it is owed, preferential creditors (e.g. the tax office) optionally weighted double;
 * no share exceeds its claim (capped creditors get their claim and the rest is shared
 * again among the others); amounts are integer cents, rounded by the largest-remainder
 * method with ties broken by creditor id, so the shares sum exactly to the capacity
 * (or to the total owed, when the capacity exceeds it). All arithmetic is exact (BigInt).
 */

/** A creditor's claim in integer cents. */
export interface Claim {
  readonly creditorId: string;
  readonly owedCents: number;
  readonly preferential: boolean;
}

/** A creditor's share of the monthly capacity, in integer cents. */
export interface Share {
  readonly creditorId: string;
  readonly cents: number;
}

/**
 * Share `capacityCents` among claims.
 *
 * @param capacityCents - the monthly repayment capacity, integer cents ≥ 0
 * @param claims - creditor claims, ids unique, owed > 0
 * @param preferentialWeight - weight of preferential claims (1 = none, 2 = double)
 * @returns one share per claim, in creditor id order, summing to min(capacity, total owed)
 * @throws Error on a negative or fractional amount, or duplicate creditor ids
 */
export function shareProRata(capacityCents: number, claims: readonly Claim[], preferentialWeight: 1 | 2 = 1): Share[] {
  checkInputs(capacityCents, claims);
  const sorted = [...claims].sort((a, b) => (a.creditorId < b.creditorId ? -1 : a.creditorId > b.creditorId ? 1 : 0));
  const weight = (c: Claim): bigint => BigInt(c.owedCents) * (c.preferential ? BigInt(preferentialWeight) : 1n);
  const { capped, open, capacity } = capClaims(sorted, BigInt(capacityCents), weight);
  const shares = new Map([...capped, ...largestRemainder(open, capacity, weight)]);
  return sorted.map((c) => ({ creditorId: c.creditorId, cents: Number(shares.get(c.creditorId) ?? 0n) }));
}

function checkInputs(capacityCents: number, claims: readonly Claim[]): void {
  if (!Number.isSafeInteger(capacityCents) || capacityCents < 0) {
    throw new Error('capacity must be a whole, non-negative number of cents');
  }
  if (claims.some((c) => !Number.isSafeInteger(c.owedCents) || c.owedCents <= 0)) {
    throw new Error('every claim must be a whole, positive number of cents');
  }
  if (new Set(claims.map((c) => c.creditorId)).size !== claims.length) {
    throw new Error('creditor ids must be unique');
  }
}

/** Water-filling: cap every creditor whose proportional share reaches its claim, then share the rest again. */
function capClaims(
  claims: readonly Claim[],
  capacityCents: bigint,
  weight: (c: Claim) => bigint,
): { capped: Map<string, bigint>; open: Claim[]; capacity: bigint } {
  const capped = new Map<string, bigint>();
  let open = [...claims];
  let capacity = capacityCents;
  for (;;) {
    const total = open.reduce((sum, c) => sum + weight(c), 0n);
    const reached = open.filter((c) => total > 0n && capacity * weight(c) >= BigInt(c.owedCents) * total);
    if (reached.length === 0) {
      return { capped, open, capacity };
    }
    for (const c of reached) {
      capped.set(c.creditorId, BigInt(c.owedCents));
      capacity -= BigInt(c.owedCents);
    }
    open = open.filter((c) => !reached.includes(c));
  }
}

/** Floor of each exact share, plus one cent to the largest remainders (ties: lowest creditor id). */
function largestRemainder(claims: readonly Claim[], capacity: bigint, weight: (c: Claim) => bigint): Map<string, bigint> {
  const total = claims.reduce((sum, c) => sum + weight(c), 0n);
  const out = new Map<string, bigint>();
  if (total === 0n) {
    return out;
  }
  const exact = claims.map((c) => ({ id: c.creditorId, floor: (capacity * weight(c)) / total, remainder: (capacity * weight(c)) % total }));
  const spare = Number(capacity - exact.reduce((sum, e) => sum + e.floor, 0n));
  const bonus = new Set(
    [...exact]
      .sort((a, b) => (a.remainder === b.remainder ? (a.id < b.id ? -1 : 1) : a.remainder > b.remainder ? -1 : 1))
      .slice(0, spare)
      .map((e) => e.id),
  );
  for (const e of exact) {
    out.set(e.id, e.floor + (bonus.has(e.id) ? 1n : 0n));
  }
  return out;
}
