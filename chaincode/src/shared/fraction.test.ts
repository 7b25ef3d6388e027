import { add, compare, reduced, subtract, sumsToOne } from './fraction';

describe('exact ownership fractions', () => {
  it('adds, subtracts and compares exactly', () => {
    expect(add({ num: 1, den: 3 }, { num: 1, den: 6 })).toEqual({ num: 1, den: 2 });
    expect(subtract({ num: 1, den: 2 }, { num: 1, den: 2 })).toEqual({ num: 0, den: 1 });
    expect(subtract({ num: 1, den: 3 }, { num: 1, den: 2 })).toEqual({ num: -1, den: 6 });
    expect(compare({ num: 2, den: 6 }, { num: 1, den: 3 })).toBe(0);
    expect(compare({ num: 1, den: 3 }, { num: 1, den: 2 })).toBe(-1);
    expect(reduced({ num: 250_000, den: 1_000_000 })).toEqual({ num: 1, den: 4 });
  });

  it('decides whether shares sum to exactly one', () => {
    expect(
      sumsToOne([
        { num: 1, den: 10 },
        { num: 2, den: 10 },
        { num: 7, den: 10 },
      ]),
    ).toBe(true);
    expect(
      sumsToOne([
        { num: 1, den: 3 },
        { num: 1, den: 3 },
        { num: 1, den: 3 },
      ]),
    ).toBe(true);
    expect(
      sumsToOne([
        { num: 1, den: 3 },
        { num: 1, den: 3 },
        { num: 333_333, den: 1_000_000 },
      ]),
    ).toBe(false);
    expect(sumsToOne([])).toBe(false);
  });
});
