import type { Context } from 'fabric-contract-api';
import { FakeLedger, type FakeIdentity } from './fake-context';

const who: FakeIdentity = { mspId: 'CityMSP', role: 'admin' };

/** A read-modify-write of one counter key: the hot-key pattern that conflicts under concurrency. */
async function increment(ctx: Context): Promise<void> {
  const now = Number(Buffer.from(await ctx.stub.getState('counter')).toString('utf8') || '0');
  await ctx.stub.putState('counter', Buffer.from(String(now + 1)));
}

describe('FakeLedger.block (MVCC validation of one block)', () => {
  it('invalidates a transaction whose read key an earlier transaction of the block wrote, as a peer does', async () => {
    const ledger = new FakeLedger();
    const outcomes = await ledger.block([1, 2, 3].map(() => ({ identity: who, body: increment })));
    expect(outcomes.map((o) => o.status)).toEqual(['VALID', 'MVCC_READ_CONFLICT', 'MVCC_READ_CONFLICT']);
    expect(ledger.state.get('counter')?.toString('utf8')).toBe('1');
  });

  it('invalidates a range read when an earlier transaction added a key in the range (phantom read)', async () => {
    const ledger = new FakeLedger();
    const insert = async (ctx: Context): Promise<void> => ctx.stub.putState(ctx.stub.createCompositeKey('item', ['a']), Buffer.from('1'));
    const scan = async (ctx: Context): Promise<number> => {
      const iterator = await ctx.stub.getStateByPartialCompositeKey('item', []);
      let n = 0;
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
        n += 1;
      }
      await ctx.stub.putState('scanned', Buffer.from(String(n)));
      return n;
    };
    const outcomes = await ledger.block<unknown>([
      { identity: who, body: insert },
      { identity: who, body: scan },
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['VALID', 'PHANTOM_READ_CONFLICT']);
    expect(ledger.state.has('scanned')).toBe(false);
  });

  it('reports an endorsement failure without writing anything', async () => {
    const ledger = new FakeLedger();
    const outcomes = await ledger.block([{ identity: who, body: () => Promise.reject(new Error('refused')) }]);
    expect(outcomes[0]).toEqual({ status: 'ENDORSEMENT_FAILURE', error: new Error('refused') });
    expect(ledger.state.size).toBe(0);
  });
});
