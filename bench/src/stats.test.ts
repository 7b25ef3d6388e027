import { latencyOf, percentile, saturationIndex, summarize, type Sample } from './stats';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('is the smallest value with p % of the values at or below it', () => {
    expect([50, 95, 99, 100].map((p) => percentile(hundred, p))).toEqual([50, 95, 99, 100]);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 51)).toBe(3);
  });

  it('refuses no values and percentiles outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow('no values to take a percentile of');
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('latencyOf', () => {
  it('sorts, and rounds to 0.1 ms', () => {
    expect(latencyOf([30, 10.04, 20])).toEqual({ p50: 20, p95: 30, p99: 30, mean: 20, max: 30 });
  });

  it('is null for no values', () => {
    expect(latencyOf([])).toBeNull();
  });
});

describe('summarize', () => {
  const sample = (startMs: number, endMs: number, code = 'VALID'): Sample => ({ startMs, endMs, code });

  it('counts outcomes by code, shed requests, and VALID throughput from first send to last VALID commit', () => {
    const samples = [sample(0, 200), sample(100, 300), sample(200, 1000), sample(300, 600, 'MVCC_READ_CONFLICT'), sample(400, 500, 'ENDORSE_ERROR')];
    const s = summarize(10, 6, samples);
    expect(s).toMatchObject({ offeredTps: 10, scheduled: 6, sent: 5, shed: 1, byCode: { VALID: 3, MVCC_READ_CONFLICT: 1, ENDORSE_ERROR: 1 } });
    expect(s.achievedTps).toBe(3);
    expect(s.latencyMs).toEqual({ p50: 200, p95: 800, p99: 800, mean: 400, max: 800 });
    expect(s.allLatencyMs?.max).toBe(800);
  });

  it('gives 0 TPS and no VALID latency when nothing committed', () => {
    const s = summarize(5, 2, [sample(0, 100, 'ENDORSE_ERROR')]);
    expect(s).toMatchObject({ achievedTps: 0, latencyMs: null, shed: 1 });
    expect(summarize(5, 0, [])).toMatchObject({ achievedTps: 0, latencyMs: null, allLatencyMs: null, sent: 0 });
  });
});

describe('saturationIndex', () => {
  it('is the first step that grows less than 5 % over the best before it', () => {
    expect(saturationIndex([50, 100, 198, 300, 310])).toBe(4);
    expect(saturationIndex([50, 100, 90])).toBe(2);
  });

  it('is -1 while throughput still grows', () => {
    expect(saturationIndex([50, 100, 200])).toBe(-1);
    expect(saturationIndex([])).toBe(-1);
  });
});
