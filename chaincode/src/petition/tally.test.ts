import { NOT_STATED, tally } from './tally';

const petition = { options: ['Yes', 'No'], attributes: { district: ['North', 'South', 'Riverside'] }, k: 5, threshold: 20 };

function signers(spec: Record<string, [number, number]>): { option: string; attributes: Record<string, string> }[] {
  return Object.entries(spec).flatMap(([district, [yes, no]]) => {
    const attributes: Record<string, string> = district === NOT_STATED ? {} : { district };
    return [...Array.from({ length: yes }, () => ({ option: 'Yes', attributes })), ...Array.from({ length: no }, () => ({ option: 'No', attributes }))];
  });
}

const band = (t: ReturnType<typeof tally>, name: string): unknown => t.bands.find((b) => b.band === name);

describe('tally (k-anonymous bands)', () => {
  it('counts every signature per option exactly and reports the threshold', () => {
    const t = tally(petition, signers({ North: [12, 3], South: [6, 0], [NOT_STATED]: [1, 0] }));
    expect(t).toMatchObject({ total: 22, counts: { Yes: 19, No: 3 }, thresholdReached: true, k: 5 });
  });

  it('publishes a band only from k signatures, and its split only when no option cell is between 1 and k-1', () => {
    const t = tally(petition, signers({ North: [12, 6], South: [6, 0], Riverside: [10, 5], [NOT_STATED]: [0, 0] }));
    expect(band(t, 'North')).toEqual({ attribute: 'district', band: 'North', count: 18, byOption: { Yes: 12, No: 6 } });
    expect(band(t, 'South')).toEqual({ attribute: 'district', band: 'South', count: 6, byOption: { Yes: 6, No: 0 } });
    expect(band(t, NOT_STATED)).toEqual({ attribute: 'district', band: NOT_STATED, count: 0, byOption: { Yes: 0, No: 0 } });
  });

  it('suppresses a small band and, so that subtraction from the total cannot recover it, the smallest other band too', () => {
    const t = tally(petition, signers({ North: [12, 6], South: [6, 0], Riverside: [2, 0] }));
    expect(band(t, 'Riverside')).toMatchObject({ count: null, byOption: null });
    expect(band(t, 'South')).toMatchObject({ count: null, byOption: null });
    expect(band(t, 'North')).toMatchObject({ count: 18, byOption: { Yes: 12, No: 6 } });
  });

  it('withholds a split with a small cell, and a second split with it, while the band counts stay published', () => {
    const t = tally(petition, signers({ North: [12, 2], South: [6, 5], Riverside: [10, 5] }));
    expect(band(t, 'North')).toMatchObject({ count: 14, byOption: null });
    expect(band(t, 'South')).toMatchObject({ count: 11, byOption: null });
    expect(band(t, 'Riverside')).toMatchObject({ count: 15, byOption: { Yes: 10, No: 5 } });
  });

  it('has no threshold for a poll', () => {
    expect(tally({ ...petition, options: ['A', 'B', 'C'], threshold: null }, []).thresholdReached).toBeNull();
  });
});
