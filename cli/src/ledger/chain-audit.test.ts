import { compareCopies, type Fingerprints } from './chain-audit';

const copy = (...blocks: string[]): Fingerprints => new Map(blocks.map((f, n) => [n, f]));

describe('compareCopies', () => {
  it('agrees on the blocks every copy holds; a copy still catching up is no disagreement', () => {
    expect(
      compareCopies(
        new Map([
          ['a', copy('h0/00/', 'h1/00/c1', 'h2/00/c2')],
          ['b', copy('h0/00/', 'h1/00/c1')],
        ]),
      ),
    ).toBeUndefined();
  });

  it('compares an orderer’s copy (no flags, no commit hash) on header hashes only', () => {
    expect(
      compareCopies(
        new Map([
          ['peer', copy('h0/00/', 'h1/0000/c1')],
          ['orderer', copy('h0//', 'h1//')],
        ]),
      ),
    ).toBeUndefined();
  });

  it('names the first block whose header hash, validation flags or commit hash differ', () => {
    expect(
      compareCopies(
        new Map([
          ['a', copy('h0/00/', 'h1/00/c1')],
          ['b', copy('h0/00/', 'x1/00/c1')],
        ]),
      ),
    ).toMatchObject({
      block: 1,
      reason: 'the copies hold different blocks (header hashes differ)',
    });
    expect(
      compareCopies(
        new Map([
          ['a', copy('h0/00/', 'h1/00/c1')],
          ['b', copy('h0/00/', 'h1/0b/c1')],
        ]),
      ),
    ).toMatchObject({
      block: 1,
      reason: 'the copies hold the same block but different validation flags',
    });
    expect(
      compareCopies(
        new Map([
          ['a', copy('h0/00/', 'h1/00/c1')],
          ['b', copy('h0/00/', 'h1/00/c9')],
        ]),
      ),
    ).toMatchObject({
      block: 1,
      copies: { a: 'h1/00/c1', b: 'h1/00/c9' },
      reason: 'the copies hold the same block but different commit hashes (their peers applied different state updates)',
    });
  });
});
