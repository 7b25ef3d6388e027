import { createHash } from 'node:crypto';
import { explain, inputsDigest, promote, runDraw, seedFromShares, shareCommitment, type Application, type RoundSpec } from './draw';

const did = (n: number): string => `did:civic:applicant-${String(n).padStart(4, '0')}`;
const sites = (n: number, category = 'food'): { id: string; category: string }[] => Array.from({ length: n }, (_, i) => ({ id: `S${i + 1}`, category }));

const spec: RoundSpec = {
  roundId: 'fair-2026-w48',
  sites: [...sites(2, 'food'), { id: 'C1', category: 'crafts' }, { id: 'C2', category: 'crafts' }],
  quotas: { crafts: 1 },
  priorityGroups: ['local-producer'],
};

/** Every ordered selection (no repeats) of 0..k items: all the preference lists one could report. */
function reports(items: readonly string[]): string[][] {
  const out: string[][] = [[]];
  for (const list of out) {
    for (const item of items) {
      if (!list.includes(item)) {
        out.push([...list, item]);
      }
    }
  }
  return out;
}

describe('allocation draw', () => {
  const apps: Application[] = Array.from({ length: 12 }, (_, i) => ({
    applicant: did(i),
    preferences: ['S1', 'C1', 'C2', 'S2'],
    group: i % 4 === 0 ? 'local-producer' : undefined,
  }));

  it('gives identical output for identical input, whatever order the applications come in', () => {
    const a = runDraw(spec, apps, 'seed-1');
    const b = runDraw(spec, [...apps].reverse(), 'seed-1');
    expect(b).toEqual(a);
  });

  it('records a digest of its exact input: the same whatever the order of the applications, different after any change to one', () => {
    const digest = runDraw(spec, apps, 'seed-1').inputsDigest;
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(inputsDigest([...apps].reverse())).toBe(digest);
    const changed = (i: number, change: Partial<Application>): Application[] => apps.map((a, j) => (j === i ? { ...a, ...change } : a));
    const variants = [
      changed(5, { preferences: ['C1', 'S1', 'C2', 'S2'] }),
      changed(5, { preferences: ['S1', 'C1', 'C2'] }),
      changed(5, { group: 'local-producer' }),
      changed(0, { group: undefined }),
      changed(5, { applicant: did(99) }),
      apps.slice(1),
    ];
    expect(new Set([digest, ...variants.map(inputsDigest)]).size).toBe(variants.length + 1);
  });

  it('gives a different order for a different seed', () => {
    expect(runDraw(spec, apps, 'seed-2').order.map((p) => p.applicant)).not.toEqual(runDraw(spec, apps, 'seed-1').order.map((p) => p.applicant));
  });

  it('commits to a share with SHA-256 over the domain label, round id, MSP ID and share, each NUL-terminated', () => {
    const expected = createHash('sha256').update('civic-allocation-share-v1\0r1\0CityMSP\0abc\0', 'utf8').digest('hex');
    expect(shareCommitment('r1', 'CityMSP', 'abc')).toBe(expected);
    expect(
      new Set([expected, shareCommitment('r2', 'CityMSP', 'abc'), shareCommitment('r1', 'AgenciesMSP', 'abc'), shareCommitment('r1', 'CityMSP', 'abd')]).size,
    ).toBe(4);
  });

  it('derives a seed that changes with every org share, so no one org alone determines it', () => {
    const shares = [
      { mspId: 'CityMSP', share: 'city-share-0000000' },
      { mspId: 'AgenciesMSP', share: 'agencies-share-000' },
      { mspId: 'UtilitiesMSP', share: 'utilities-share-00' },
    ];
    const seed = seedFromShares('r1', shares);
    const changedOne = shares.map((_, i) =>
      seedFromShares(
        'r1',
        shares.map((s, j) => (j === i ? { ...s, share: `${s.share}x` } : s)),
      ),
    );
    expect(new Set([seed, ...changedOne]).size).toBe(4);
    expect(seedFromShares('r2', shares)).not.toBe(seed);
  });

  it('honours category quotas and gives each applicant at most one site', () => {
    const r = runDraw(spec, apps, 'seed-1');
    expect(Object.keys(r.assignments).sort()).toEqual(['C1', 'S1', 'S2']);
    expect(new Set(Object.values(r.assignments)).size).toBe(3);
    expect(r.waitingList).toHaveLength(9);
  });

  it('places every priority-group applicant before everyone else', () => {
    const r = runDraw(spec, apps, 'seed-3');
    const groups = r.order.map((p) => apps.find((a) => a.applicant === p.applicant)?.group ?? 'none');
    expect(groups.slice(0, 3)).toEqual(['local-producer', 'local-producer', 'local-producer']);
    expect(groups.slice(3).every((g) => g === 'none')).toBe(true);
  });

  it('is strategy-proof: no applicant does better by misreporting (exhaustive, 3 sites, 4 applicants, 5 seeds)', () => {
    const small: RoundSpec = { roundId: 'r', sites: sites(3), quotas: {}, priorityGroups: [] };
    const truth: Application[] = [
      { applicant: did(1), preferences: ['S1', 'S2', 'S3'] },
      { applicant: did(2), preferences: ['S1', 'S3', 'S2'] },
      { applicant: did(3), preferences: ['S2', 'S1'] },
      { applicant: did(4), preferences: ['S3'] },
    ];
    const value = (prefs: readonly string[], site: string | undefined): number =>
      site === undefined ? prefs.length : prefs.indexOf(site) < 0 ? prefs.length : prefs.indexOf(site);
    let checked = 0;
    for (const seed of ['a', 'b', 'c', 'd', 'e']) {
      for (const me of truth) {
        const honest = runDraw(small, truth, seed).order.find((p) => p.applicant === me.applicant)?.site ?? undefined;
        for (const report of reports(['S1', 'S2', 'S3'])) {
          const lied = truth.map((a) => (a.applicant === me.applicant ? { ...a, preferences: report } : a));
          const got = runDraw(small, lied, seed).order.find((p) => p.applicant === me.applicant)?.site ?? undefined;
          expect(value(me.preferences, honest)).toBeLessThanOrEqual(value(me.preferences, got));
          checked += 1;
        }
      }
    }
    expect(checked).toBe(5 * 4 * 16);
  });

  it('gives equal applicants equal chances over many simulated draws', () => {
    const one: RoundSpec = { roundId: 'r', sites: sites(1), quotas: {}, priorityGroups: [] };
    const four = [1, 2, 3, 4].map((n) => ({ applicant: did(n), preferences: ['S1'] }));
    const wins = new Map<string, number>();
    const draws = 4000;
    for (let i = 0; i < draws; i++) {
      const winner = runDraw(one, four, `seed-${i}`).assignments.S1 ?? '';
      wins.set(winner, (wins.get(winner) ?? 0) + 1);
    }
    // Binomial(4000, 1/4): mean 1000, sd ≈ 27.4; 5 sd either way.
    for (const a of four) {
      expect(Math.abs((wins.get(a.applicant) ?? 0) - 1000)).toBeLessThan(137);
    }
  });

  it('promotes the waiting list in order when a winner withdraws', () => {
    const r = runDraw(spec, apps, 'seed-1');
    const holder = r.assignments.S1 ?? '';
    const promoted = promote(r, apps, 'S1');
    expect(promoted.assignments.S1).toBe(r.waitingList[0]);
    expect(promoted.order.find((p) => p.applicant === holder)?.site).toBeNull();
    expect(promoted.waitingList).toEqual(r.waitingList.slice(1));
  });

  it('explains an outcome: position, and what happened to each preference', () => {
    const r = runDraw(spec, apps, 'seed-1');
    const loser = r.waitingList[0] ?? '';
    const e = explain(spec, apps, 'seed-1', loser);
    expect(e.site).toBeNull();
    expect(e.position).toBe(r.order.find((p) => p.applicant === loser)?.position);
    expect(e.preferences.map((p) => p.outcome)).toEqual([
      expect.stringMatching(/^already taken by the applicant at position \d+$/),
      expect.stringMatching(/^already taken by the applicant at position \d+$/),
      'category crafts had reached its quota of 1',
      expect.stringMatching(/^already taken by the applicant at position \d+$/),
    ]);
  });
});
