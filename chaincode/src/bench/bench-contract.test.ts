import { FakeLedger } from '../test-support/fake-context';
import { refused } from '../test-support/refusal';
import { BENCH_VALUE_MAX_BYTES, BenchContract } from './bench-contract';

const bench = new BenchContract();
const clerk = { mspId: 'UtilitiesMSP', role: 'clerk' };

describe('bench:Put', () => {
  it('writes a value under its own key, read back by any member', async () => {
    const ledger = new FakeLedger();
    expect(await ledger.tx(clerk, (ctx) => bench.Put(ctx, 'run-1:000001', 'x'.repeat(100)))).toBe('run-1:000001');
    expect(await ledger.tx({ mspId: 'CityMSP', role: 'auditor' }, (ctx) => bench.Get(ctx, 'run-1:000001'))).toBe('x'.repeat(100));
    expect(ledger.state.size).toBe(1);
  });

  it('is a blind write: concurrent puts of distinct keys in one block all commit', async () => {
    const ledger = new FakeLedger();
    const outcomes = await ledger.block(
      Array.from({ length: 20 }, (_, i) => ({ identity: clerk, body: (ctx: Parameters<BenchContract['Put']>[0]) => bench.Put(ctx, `k${String(i)}`, 'v') })),
    );
    expect(outcomes.map((o) => o.status)).toEqual(Array.from({ length: 20 }, () => 'VALID'));
  });

  it.each([
    [{ mspId: 'CityMSP', role: 'registrar' }, /FORBIDDEN: bench:Put requires role clerk; caller from CityMSP has role registrar/],
    [{ mspId: 'AgenciesMSP', role: 'admin' }, /FORBIDDEN: bench:Put requires role clerk/],
  ])('refuses anyone but a clerk (%j)', async (identity, message) => {
    const ledger = new FakeLedger();
    expect((await refused(ledger, () => ledger.tx(identity, (ctx) => bench.Put(ctx, 'k', 'v')))).message).toMatch(message);
  });

  it('takes a clerk of an org that joined the channel later (the peer admits only channel members)', async () => {
    const ledger = new FakeLedger();
    await ledger.tx({ mspId: 'HarbourMSP', role: 'clerk' }, (ctx) => bench.Put(ctx, 'harbour', 'v'));
    expect(await ledger.tx(clerk, (ctx) => bench.Get(ctx, 'harbour'))).toBe('v');
  });

  it.each([
    ['', 'v', /INVALID_ARGUMENT: key must be 1 to 128 characters/],
    ['k'.repeat(129), 'v', /INVALID_ARGUMENT: key must be/],
    ['a b', 'v', /INVALID_ARGUMENT: key must be/],
    ['k', 'é'.repeat(BENCH_VALUE_MAX_BYTES / 2 + 1), /INVALID_ARGUMENT: value is 4098 bytes; at most 4096 are taken/],
  ])('refuses a malformed key or an oversized value (%j)', async (key, value, message) => {
    const ledger = new FakeLedger();
    expect((await refused(ledger, () => ledger.tx(clerk, (ctx) => bench.Put(ctx, key, value)))).message).toMatch(message);
  });

  it('answers NOT_FOUND for a key never written', async () => {
    const ledger = new FakeLedger();
    expect((await refused(ledger, () => ledger.tx(clerk, (ctx) => bench.Get(ctx, 'missing')))).message).toBe('NOT_FOUND: bench key missing does not exist');
  });
});
