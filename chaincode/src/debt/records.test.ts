import { randomBytes } from 'node:crypto';
import { agenciesCreditor, debt, NOW, newLedger } from '../test-support/debt-fixtures';
import type { FakeLedger } from '../test-support/fake-context';
import { registeredCitizen } from '../test-support/identity-fixtures';
import { refused } from '../test-support/refusal';
import type { DebtRecord } from './model';

const COLLECTION = 'debtAgenciesMSP';

function recordAs(ledger: FakeLedger, debt_: Record<string, unknown>, at = NOW): Promise<string> {
  return ledger.tx(agenciesCreditor, (ctx) => debt.RecordDebt(ctx), at, { transient: { debt: JSON.stringify(debt_) } });
}

async function aDebt(): Promise<{ ledger: FakeLedger; did: string; debt_: Record<string, unknown>; debtId: string }> {
  const ledger = newLedger();
  const { did } = await registeredCitizen(ledger);
  const debtId = randomBytes(16).toString('hex');
  return { ledger, did, debtId, debt_: { debtId, subject: did, creditorReference: 'IB-7', amountCents: 4200, origin: 'income tax', since: '2026-01-01' } };
}

describe('debt records under a client-chosen id', () => {
  it('keys a record by its random id alone; neither the result nor the event names the id or the subject', async () => {
    const { ledger, did, debt_, debtId } = await aDebt();
    const eventsBefore = ledger.events.length;
    expect(JSON.parse(await recordAs(ledger, debt_))).toEqual({ creditor: 'AgenciesMSP', status: 'recorded' });
    expect([...(ledger.privateData.state.get(COLLECTION)?.keys() ?? [])]).toEqual([`\u0000civic.debt.record\u0000${debtId}\u0000`]);
    const published = JSON.stringify(ledger.events.slice(eventsBefore));
    expect(published).toContain('debt.DebtRecorded');
    expect(published).not.toContain(debtId);
    expect(published).not.toContain(did);
    const listed = JSON.parse(await ledger.tx(agenciesCreditor, (ctx) => debt.ListDebts(ctx, did))) as DebtRecord[];
    expect(listed.map((r) => [r.debtId, r.subject, r.amountCents])).toEqual([[debtId, did, 4200]]);
  });

  it('answers the same debt under the same id again without writing anything, and refuses another debt under it', async () => {
    const { ledger, debt_, debtId } = await aDebt();
    await recordAs(ledger, debt_);
    const key = `\u0000civic.debt.record\u0000${debtId}\u0000`;
    const [before, version, events] = [ledger.snapshot(), ledger.privateData.version(COLLECTION, key), ledger.events.length];
    expect(JSON.parse(await recordAs(ledger, debt_, NOW + 90))).toEqual({ creditor: 'AgenciesMSP', status: 'already recorded' });
    const other = await refused(ledger, () => recordAs(ledger, { ...debt_, amountCents: 4201 }, NOW + 120));
    expect(other.message).toBe(`ALREADY_EXISTS: debt ${debtId} of AgenciesMSP is already recorded, with other details`);
    expect(ledger.snapshot()).toEqual(before);
    expect(ledger.privateData.version(COLLECTION, key)).toEqual(version);
    expect(ledger.events).toHaveLength(events);
  });

  it('refuses a debt id that is not 128 to 256 bits of hex, writing nothing', async () => {
    const { ledger, debt_ } = await aDebt();
    const before = ledger.snapshot();
    for (const debtId of [undefined, 'IB-7', 'ab'.repeat(15), 'AB'.repeat(16), 'ab'.repeat(33)]) {
      expect((await refused(ledger, () => recordAs(ledger, { ...debt_, debtId }))).message).toMatch(/^INVALID_ARGUMENT: transient\.debt\.debtId/);
    }
    expect(ledger.snapshot()).toEqual(before);
  });
});
