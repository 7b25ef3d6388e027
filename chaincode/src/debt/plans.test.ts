import {
  agenciesCreditor,
  counsellor,
  debt,
  NOW,
  newLedger,
  overview,
  recordConsent,
  recordDebt,
  signedConsent,
  utilitiesCreditor,
} from '../test-support/debt-fixtures';
import type { FakeIdentity, FakeLedger } from '../test-support/fake-context';
import { registeredCitizen } from '../test-support/identity-fixtures';
import { refused } from '../test-support/refusal';
import type { DebtRecord, Plan, PlanShare, SignedConsent } from './model';

const cityCreditor: FakeIdentity = { mspId: 'CityMSP', role: 'creditor', name: 'parking' };

/** Alice owes the tax office (Agencies) €600, the energy company (Utilities) €300 and the City €100. */
async function withOverview(): Promise<{ ledger: FakeLedger; consent: SignedConsent; consentId: string; records: DebtRecord[] }> {
  const ledger = newLedger();
  const alice = await registeredCitizen(ledger);
  await recordDebt(ledger, agenciesCreditor, alice.did, 40_000, 'IB-1');
  await recordDebt(ledger, agenciesCreditor, alice.did, 20_000, 'IB-2');
  await recordDebt(ledger, utilitiesCreditor, alice.did, 30_000, 'EN-1');
  await recordDebt(ledger, cityCreditor, alice.did, 10_000, 'PK-1');
  const consent = signedConsent(alice);
  const consentId = await recordConsent(ledger, consent);
  const records: DebtRecord[] = [];
  for (const peer of ['AgenciesMSP', 'UtilitiesMSP', 'CityMSP']) {
    records.push(...(await overview(ledger, consent, peer)).records);
  }
  return { ledger, consent, consentId, records };
}

/** A plan id as the counsellor's client chooses it. */
const PLAN_ID = 'a1'.repeat(16);

function propose(ledger: FakeLedger, plan: Record<string, unknown>): Promise<string> {
  return ledger.tx(counsellor, (ctx) => debt.ProposePlan(ctx), NOW + 120, { transient: { plan: JSON.stringify({ planId: PLAN_ID, ...plan }) } });
}

async function share(ledger: FakeLedger, who: FakeIdentity, planId: string): Promise<PlanShare> {
  return JSON.parse(await ledger.tx(who, (ctx) => debt.GetPlanShare(ctx, planId))) as PlanShare;
}

describe('repayment plans', () => {
  it('shares the capacity pro rata, each creditor sees only its own share, and activates when all accept', async () => {
    const { ledger, consent, records } = await withOverview();
    const { planId, creditors } = JSON.parse(await propose(ledger, { consent, capacityCents: 25_001, preferential: ['AgenciesMSP'], records })) as {
      planId: string;
      creditors: string[];
    };
    expect(creditors).toEqual(['AgenciesMSP', 'CityMSP', 'UtilitiesMSP']);
    // weights: tax 60,000 × 2, energy 30,000, parking 10,000 → 120 : 30 : 10 of 25,001 cents = 18,750.75, 4,687.69, 1,562.56;
    // largest remainders: the two cents left go to Agencies (.75) and Utilities (.69)
    const shares = [await share(ledger, agenciesCreditor, planId), await share(ledger, cityCreditor, planId), await share(ledger, utilitiesCreditor, planId)];
    expect(shares.map((s) => [s.creditor, s.claimCents, s.monthlyCents])).toEqual([
      ['AgenciesMSP', 60_000, 18_751],
      ['CityMSP', 10_000, 1_562],
      ['UtilitiesMSP', 30_000, 4_688],
    ]);
    expect(shares.reduce((n, s) => n + s.monthlyCents, 0)).toBe(25_001);
    // an org reads only its own share, through its own peer
    expect((await refused(ledger, () => ledger.tx(utilitiesCreditor, (ctx) => debt.GetPlanShare(ctx, planId), NOW, { peerMspId: 'AgenciesMSP' }))).code).toBe(
      'FORBIDDEN',
    );
    const publicPlan = JSON.stringify(JSON.parse(await ledger.tx(counsellor, (ctx) => debt.GetPlan(ctx, planId))));
    expect(publicPlan).not.toMatch(/18751|4688|1562|60000/);

    const decide = (who: FakeIdentity, d: string): Promise<Plan> => ledger.tx(who, (ctx) => debt.DecidePlan(ctx, planId, d)).then((r) => JSON.parse(r) as Plan);
    expect((await decide(agenciesCreditor, 'accepted')).status).toBe('proposed');
    expect((await decide(cityCreditor, 'accepted')).status).toBe('proposed');
    expect((await refused(ledger, () => decide(agenciesCreditor, 'rejected'))).code).toBe('FAILED_PRECONDITION');
    expect((await decide(utilitiesCreditor, 'accepted')).status).toBe('active');

    const pay = (who: FakeIdentity, s: PlanShare, amountCents: number): Promise<string> =>
      ledger.tx(who, (ctx) => debt.RecordPayment(ctx), NOW + 200, { transient: { payment: JSON.stringify({ share: s, amountCents }) } });
    const before = await share(ledger, utilitiesCreditor, planId);
    await pay(utilitiesCreditor, before, 4_688);
    const after = await share(ledger, utilitiesCreditor, planId);
    expect([after.paidCents, after.outstandingCents, after.payments.length]).toEqual([4_688, 30_000 - 4_688, 1]);
    expect((await refused(ledger, () => pay(utilitiesCreditor, after, 30_000))).message).toBe(
      'FAILED_PRECONDITION: transient.payment.amountCents: 30000 is more than the 25312 cents outstanding',
    );
    expect((await refused(ledger, () => pay(utilitiesCreditor, before, 1))).message).toMatch(/does not match the ledger \(altered, or stale: read it again\)$/);
    expect((await refused(ledger, () => pay(agenciesCreditor, after, 1))).code).toBe('FORBIDDEN');
  });

  it('answers the same proposal under the same plan id again without writing, and refuses another proposal under it', async () => {
    const { ledger, consent, records } = await withOverview();
    const proposal = { consent, capacityCents: 25_001, preferential: ['AgenciesMSP'], records };
    expect(JSON.parse(await propose(ledger, proposal))).toMatchObject({ planId: PLAN_ID, status: 'proposed' });
    const before = ledger.snapshot();
    const again = JSON.parse(await propose(ledger, { ...proposal, preferential: ['AgenciesMSP', 'AgenciesMSP'] })) as { status: string; creditors: string[] };
    expect(again).toEqual({ planId: PLAN_ID, creditors: ['AgenciesMSP', 'CityMSP', 'UtilitiesMSP'], status: 'already proposed' });
    expect((await refused(ledger, () => propose(ledger, { ...proposal, capacityCents: 30_000 }))).message).toBe(
      `ALREADY_EXISTS: plan ${PLAN_ID} was already proposed (tx ${(JSON.parse(await ledger.tx(counsellor, (ctx) => debt.GetPlan(ctx, PLAN_ID))) as Plan).txId}) with other details`,
    );
    expect(ledger.snapshot()).toEqual(before);
    expect((await refused(ledger, () => propose(ledger, { ...proposal, planId: 'not-hex' }))).message).toMatch(
      /^INVALID_ARGUMENT: transient\.plan\.planId: must be 32 to 64/,
    );
  });

  it('refuses a zero capacity, altered or foreign records, and a plan after the consent is withdrawn, changing nothing', async () => {
    const { ledger, consent, consentId, records } = await withOverview();
    expect((await refused(ledger, () => propose(ledger, { consent, capacityCents: 0, records }))).message).toBe(
      'INVALID_ARGUMENT: transient.plan.capacityCents: must be more than zero: there is nothing to share',
    );
    const inflated = records.map((r, i) => (i === 0 ? { ...r, outstandingCents: r.outstandingCents * 10 } : r));
    expect((await refused(ledger, () => propose(ledger, { consent, capacityCents: 5_000, records: inflated }))).message).toMatch(
      /^FAILED_PRECONDITION: debt .* as supplied does not match the ledger/,
    );
    const bob = await registeredCitizen(ledger);
    const bobsConsent = signedConsent(bob);
    await recordConsent(ledger, bobsConsent);
    expect((await refused(ledger, () => propose(ledger, { consent: bobsConsent, capacityCents: 5_000, records }))).message).toMatch(
      /is not an open debt of the consenting subject/,
    );
    await ledger.tx(counsellor, (ctx) => debt.RevokeConsent(ctx, consentId));
    expect((await refused(ledger, () => propose(ledger, { consent, capacityCents: 5_000, records }))).message).toMatch(
      /^FAILED_PRECONDITION: consent .* was revoked$/,
    );
  });
});
