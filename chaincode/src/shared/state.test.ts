import { z } from 'zod';
import { FakeLedger } from '../test-support/fake-context';
import { ChaincodeError } from './errors';
import { fractionSchema } from './fraction';
import { readRecord, writeRecord } from './state';

const holdingSchema = z.object({ holder: z.string().min(1), share: fractionSchema }).strict();
const clerk = { mspId: 'CityMSP', role: 'clerk' };

describe('writeRecord', () => {
  it('writes a record that matches its schema, and reads it back', async () => {
    const ledger = new FakeLedger();
    const record = { holder: 'alice', share: { num: 1, den: 3 } };
    await ledger.tx(clerk, (ctx) => writeRecord(ctx, ctx.stub.createCompositeKey('civic.test.holding', ['h1']), holdingSchema, record));
    expect(await ledger.tx(clerk, (ctx) => readRecord(ctx, ctx.stub.createCompositeKey('civic.test.holding', ['h1']), holdingSchema))).toEqual(record);
  });

  it('refuses a record its own schema would not read back, naming the record and the field, and writes nothing', async () => {
    const ledger = new FakeLedger();
    // The body catches the refusal and resolves, so the transaction commits whatever writeRecord
    // wrote: nothing must be there.
    const error = await ledger.tx(clerk, (ctx) =>
      writeRecord(ctx, ctx.stub.createCompositeKey('civic.test.holding', ['h1']), holdingSchema, {
        holder: 'alice',
        share: { num: 1_999_962, den: 999_962_000_357 },
      }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(error).toBeInstanceOf(ChaincodeError);
    expect((error as ChaincodeError).code).toBe('FAILED_PRECONDITION');
    expect((error as ChaincodeError).message).toMatch(
      /^FAILED_PRECONDITION: record civic\.test\.holding h1 would not match its model \(share\.den: .+\); nothing was written$/,
    );
    expect(ledger.state.size).toBe(0);
    expect(await ledger.tx(clerk, (ctx) => readRecord(ctx, ctx.stub.createCompositeKey('civic.test.holding', ['h1']), holdingSchema))).toBeUndefined();
  });

  it('refuses a field its schema does not know (strict models)', async () => {
    const ledger = new FakeLedger();
    const write = ledger.tx(clerk, (ctx) =>
      writeRecord(ctx, ctx.stub.createCompositeKey('civic.test.holding', ['h2']), holdingSchema, {
        holder: 'bob',
        share: { num: 1, den: 2 },
        extra: true,
      } as z.input<typeof holdingSchema>),
    );
    await expect(write).rejects.toThrow(/^FAILED_PRECONDITION: record civic\.test\.holding h2 would not match its model \(record: .*extra.*\)/);
    expect(ledger.state.size).toBe(0);
  });
});
