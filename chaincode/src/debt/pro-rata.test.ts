import { shareProRata, type Claim } from './pro-rata';

const claim = (creditorId: string, owedCents: number, preferential = false): Claim => ({ creditorId, owedCents, preferential });

/** A small deterministic PRNG (mulberry32) so the property test is reproducible. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('pro-rata repayment shares', () => {
  it('shares in proportion to what is owed', () => {
    expect(shareProRata(10_000, [claim('A', 30_000), claim('B', 10_000), claim('C', 10_000)])).toEqual([
      { creditorId: 'A', cents: 6_000 },
      { creditorId: 'B', cents: 2_000 },
      { creditorId: 'C', cents: 2_000 },
    ]);
  });

  it('weights preferential creditors double when asked', () => {
    const claims = [claim('A-energy', 30_000), claim('B-tax', 10_000, true)];
    expect(shareProRata(10_000, claims, 2)).toEqual([
      { creditorId: 'A-energy', cents: 6_000 },
      { creditorId: 'B-tax', cents: 4_000 },
    ]);
    expect(shareProRata(10_000, claims, 1).map((s) => s.cents)).toEqual([7_500, 2_500]);
  });

  it('rounds by largest remainder with ties broken by creditor id, summing exactly', () => {
    // 100 cents over three equal claims: 33.33 each; the one spare cent goes to the lowest id.
    expect(shareProRata(100, [claim('C', 5_000), claim('A', 5_000), claim('B', 5_000)])).toEqual([
      { creditorId: 'A', cents: 34 },
      { creditorId: 'B', cents: 33 },
      { creditorId: 'C', cents: 33 },
    ]);
  });

  it('never gives a creditor more than its claim; the rest goes to the others', () => {
    // Double weight would give the tax office 2,000 × 2,000 / 3,500 = 1,142.86 of a 1,000 claim.
    expect(shareProRata(2_000, [claim('A-tax', 1_000, true), claim('B-rent', 1_500)], 2)).toEqual([
      { creditorId: 'A-tax', cents: 1_000 },
      { creditorId: 'B-rent', cents: 1_000 },
    ]);
    expect(shareProRata(1_000_000, [claim('A', 1_000), claim('B', 2_000)]).map((s) => s.cents)).toEqual([1_000, 2_000]);
  });

  it('holds its promises on 2,000 random cases: exact sum, no share above its claim, proportional within a cent', () => {
    const random = prng(20_261_121);
    for (let i = 0; i < 2_000; i++) {
      const n = 1 + Math.floor(random() * 8);
      const claims = Array.from({ length: n }, (_, k) => claim(`creditor-${k}`, 1 + Math.floor(random() * 5_000_000), random() < 0.2));
      const capacity = Math.floor(random() * 400_000);
      const weight = random() < 0.5 ? 1 : 2;
      const shares = shareProRata(capacity, claims, weight);
      const owed = claims.reduce((s, c) => s + c.owedCents, 0);
      expect(shares.reduce((s, x) => s + x.cents, 0)).toBe(Math.min(capacity, owed));
      for (const s of shares) {
        const c = claims.find((x) => x.creditorId === s.creditorId);
        expect(s.cents).toBeGreaterThanOrEqual(0);
        expect(s.cents).toBeLessThanOrEqual(c?.owedCents ?? 0);
      }
      if (capacity < Math.min(...claims.map((c) => c.owedCents))) {
        const w = (c: Claim): number => c.owedCents * (c.preferential ? weight : 1);
        const total = claims.reduce((s, c) => s + w(c), 0);
        for (const s of shares) {
          const c = claims.find((x) => x.creditorId === s.creditorId) as Claim;
          expect(Math.abs(s.cents - (capacity * w(c)) / total)).toBeLessThan(1);
        }
      }
    }
  });

  it('refuses amounts that are not whole cents', () => {
    expect(() => shareProRata(10.5, [claim('A', 100)])).toThrow(/capacity must be a whole/);
    expect(() => shareProRata(10, [claim('A', 0)])).toThrow(/every claim must be a whole, positive/);
    expect(() => shareProRata(10, [claim('A', 1), claim('A', 2)])).toThrow(/unique/);
  });
});
