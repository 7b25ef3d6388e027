import { InFlightLimit, sendOffsets, sleepUntil } from './pacing';

describe('sendOffsets', () => {
  it('spaces sends evenly at the offered rate over the duration', () => {
    expect(sendOffsets(4, 1000)).toEqual([0, 250, 500, 750]);
    expect(sendOffsets(400, 120_000)).toHaveLength(48_000);
    expect(sendOffsets(3, 1000).map((o) => Math.round(o))).toEqual([0, 333, 667]);
  });

  it('rounds a fractional count up, and gives nothing for no time', () => {
    expect(sendOffsets(10, 250)).toEqual([0, 100, 200]);
    expect(sendOffsets(10, 0)).toEqual([]);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a rate of %p', (rate) => {
    expect(() => sendOffsets(rate, 1000)).toThrow(RangeError);
  });

  it('refuses a negative duration', () => {
    expect(() => sendOffsets(10, -1)).toThrow('the duration must be a non-negative number of milliseconds, not -1');
  });
});

describe('InFlightLimit', () => {
  it('sends up to the limit, sheds above it, and sends again once one is done', () => {
    const limit = new InFlightLimit(2);
    expect([limit.admit(), limit.admit(), limit.admit()]).toEqual(['send', 'send', 'shed']);
    limit.done();
    expect(limit.inFlight).toBe(1);
    expect(limit.admit()).toBe('send');
    expect(limit.peak).toBe(2);
  });

  it('never counts below zero', () => {
    const limit = new InFlightLimit(1);
    limit.done();
    expect(limit.inFlight).toBe(0);
  });

  it.each([0, 1.5, -3])('refuses a limit of %p', (n) => {
    expect(() => new InFlightLimit(n)).toThrow(RangeError);
  });
});

describe('sleepUntil', () => {
  it('returns at once for a time already past', async () => {
    const started = Date.now();
    await sleepUntil(5, () => 10);
    expect(Date.now() - started).toBeLessThan(50);
  });
});
