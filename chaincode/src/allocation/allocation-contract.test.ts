import { signAction, type CitizenKey } from '../test-support/citizen-keys';
import { FakeLedger, type FakeIdentity } from '../test-support/fake-context';
import { registeredCitizen } from '../test-support/identity-fixtures';
import { refused } from '../test-support/refusal';
import { AllocationContract } from './allocation-contract';
import { commitmentOf, runDraw } from './draw';
import type { RoundRecord } from './round';
import type { DrawSummary, SiteChange } from './rounds';

const allocation = new AllocationContract();
const officer: FakeIdentity = { mspId: 'CityMSP', role: 'allocation-officer' };
const desk: FakeIdentity = { mspId: 'AgenciesMSP', role: 'clerk' };
const SEED = 'weekend-fair-seed-7f3a9c2e41b8';
const OPENED_AT = 1_790_000_000;

const round = {
  roundId: 'fair-2026-w48',
  title: 'Weekend fair, Market Square, week 48',
  sites: [...['F1', 'F2', 'F3'].map((id) => ({ id, category: 'food' })), ...['C1', 'C2'].map((id) => ({ id, category: 'crafts' }))],
  quotas: { crafts: 1 },
  priorityGroups: ['local-producer'],
  closes: '2026-09-22T12:00:00.000Z',
  commitment: commitmentOf(SEED),
};

function applyFor(ledger: FakeLedger, key: CitizenKey, preferences: string[], group: string | null = null, at = OPENED_AT + 60): Promise<string> {
  return ledger.tx(
    desk,
    (ctx) => allocation.Apply(ctx, JSON.stringify(signAction(key, 'allocation:Apply', { roundId: round.roundId, preferences, group }))),
    at,
  );
}

async function openWithApplicants(n: number): Promise<{ ledger: FakeLedger; people: CitizenKey[] }> {
  const ledger = new FakeLedger();
  await ledger.tx(officer, (ctx) => allocation.OpenRound(ctx, JSON.stringify(round)), OPENED_AT);
  const people: CitizenKey[] = [];
  for (let i = 0; i < n; i++) {
    const person = await registeredCitizen(ledger);
    people.push(person);
    await applyFor(ledger, person, i % 2 === 0 ? ['F1', 'C1', 'F2'] : ['C1', 'F3'], i < 2 ? 'local-producer' : null);
  }
  return { ledger, people };
}

async function getRound(ledger: FakeLedger): Promise<RoundRecord> {
  return JSON.parse(await ledger.tx(desk, (ctx) => allocation.GetRound(ctx, round.roundId))) as RoundRecord;
}

describe('allocation rounds', () => {
  it('draws with the revealed seed, and anyone can recompute the same allocation from ledger data', async () => {
    const { ledger, people } = await openWithApplicants(12);
    await ledger.tx(officer, (ctx) =>
      allocation.AttestPriority(
        ctx,
        JSON.stringify({ roundId: round.roundId, applicant: people[0]?.did, group: 'local-producer', evidenceHash: 'e'.repeat(64) }),
      ),
    );
    await ledger.tx(officer, (ctx) => allocation.CloseRound(ctx, JSON.stringify({ roundId: round.roundId, seed: SEED })), OPENED_AT + 90_000);

    const drawn = await getRound(ledger);
    expect(drawn.status).toBe('drawn');
    const inputs = JSON.parse(await ledger.tx(desk, (ctx) => allocation.GetDrawInputs(ctx, round.roundId))) as {
      applicant: string;
      preferences: string[];
      group: string | null;
    }[];
    const recomputed = runDraw(
      drawn,
      inputs.map((a) => ({ ...a, group: a.group ?? undefined })),
      drawn.seed ?? '',
    );
    expect({ ...drawn.result, drawTxId: undefined, changes: undefined }).toEqual({ ...recomputed, drawTxId: undefined, changes: undefined });
    expect(drawn.result?.order[0]?.applicant).toBe(people[0]?.did);
    const unattested = drawn.result?.order.findIndex((p) => p.applicant === people[1]?.did) ?? -1;
    expect(unattested).toBeGreaterThan(0);
    expect(inputs.find((a) => a.applicant === people[1]?.did)?.group).toBeNull();
  });

  it('refuses a revealed seed that does not match the commitment', async () => {
    const { ledger } = await openWithApplicants(3);
    const e = await refused(ledger, () =>
      ledger.tx(officer, (ctx) => allocation.CloseRound(ctx, JSON.stringify({ roundId: round.roundId, seed: 'a-different-seed-0000' }))),
    );
    expect(e.message).toBe('INVALID_ARGUMENT: request.seed does not match the commitment published when round fair-2026-w48 opened');
  });

  it('refuses duplicate, late, malformed and post-close applications', async () => {
    const { ledger, people } = await openWithApplicants(2);
    const first = people[0] as CitizenKey;
    expect(await refused(ledger, () => applyFor(ledger, first, ['F2']))).toMatchObject({ code: 'ALREADY_EXISTS' });
    const late = await registeredCitizen(ledger);
    expect((await refused(ledger, () => applyFor(ledger, late, ['F2'], null, OPENED_AT + 200_000))).message).toMatch(
      /closed for applications at 2026-09-22T12:00:00.000Z/,
    );
    expect((await refused(ledger, () => applyFor(ledger, late, ['F9']))).message).toBe(
      'INVALID_ARGUMENT: request.payload.preferences: F9 is not a site of round fair-2026-w48',
    );
    expect((await refused(ledger, () => applyFor(ledger, late, ['F1', 'F1']))).message).toMatch(/each site may be listed once/);
    await ledger.tx(officer, (ctx) => allocation.CloseRound(ctx, JSON.stringify({ roundId: round.roundId, seed: SEED })));
    expect((await refused(ledger, () => applyFor(ledger, late, ['F2']))).message).toBe('FAILED_PRECONDITION: round fair-2026-w48 is closed');
  });

  it('withdraws an application once: a second withdrawal is refused and changes nothing', async () => {
    const { ledger, people } = await openWithApplicants(1);
    const person = people[0] as CitizenKey;
    const withdraw = (): Promise<string> =>
      ledger.tx(desk, (ctx) =>
        allocation.WithdrawApplication(ctx, JSON.stringify(signAction(person, 'allocation:WithdrawApplication', { roundId: round.roundId }))),
      );
    expect(JSON.parse(await withdraw())).toMatchObject({ status: 'withdrawn' });
    const [state, events] = [new Map(ledger.state), ledger.events.length];
    expect((await refused(ledger, withdraw)).message).toBe(
      `FAILED_PRECONDITION: the application of ${person.did} to round ${round.roundId} is already withdrawn`,
    );
    expect(new Map(ledger.state)).toEqual(state);
    expect(ledger.events).toHaveLength(events);
  });

  it('lets only allocation officers of the City open and close rounds', async () => {
    const ledger = new FakeLedger();
    expect(
      (await refused(ledger, () => ledger.tx({ mspId: 'AgenciesMSP', role: 'allocation-officer' }, (ctx) => allocation.OpenRound(ctx, JSON.stringify(round)))))
        .code,
    ).toBe('FORBIDDEN');
    const unknownQuota = { ...round, quotas: { jewellery: 1 } };
    expect((await refused(ledger, () => ledger.tx(officer, (ctx) => allocation.OpenRound(ctx, JSON.stringify(unknownQuota))))).message).toBe(
      'INVALID_ARGUMENT: request.quotas.jewellery: no site has that category',
    );
  });

  it('returns from the close the draw in figures, not the whole result a second time (it is in GetRound)', async () => {
    const { ledger } = await openWithApplicants(6);
    const summary = JSON.parse(
      await ledger.tx(officer, (ctx) => allocation.CloseRound(ctx, JSON.stringify({ roundId: round.roundId, seed: SEED }))),
    ) as DrawSummary;
    const result = (await getRound(ledger)).result as NonNullable<RoundRecord['result']>;
    expect(summary).toEqual({
      roundId: round.roundId,
      status: 'drawn',
      seed: SEED,
      randomness: result.randomness,
      inputsDigest: result.inputsDigest,
      drawTxId: result.drawTxId,
      applications: 6,
      assigned: Object.keys(result.assignments).length,
      waiting: result.waitingList.length,
    });
  });

  it('promotes the waiting list when a winner releases their site, and records the change', async () => {
    const { ledger, people } = await openWithApplicants(8);
    await ledger.tx(officer, (ctx) => allocation.CloseRound(ctx, JSON.stringify({ roundId: round.roundId, seed: SEED })));
    const before = await getRound(ledger);
    const holder = before.result?.assignments.C1 ?? '';
    const winner = people.find((p) => p.did === holder) as CitizenKey;
    const change = JSON.parse(
      await ledger.tx(desk, (ctx) =>
        allocation.ReleaseSite(ctx, JSON.stringify(signAction(winner, 'allocation:ReleaseSite', { roundId: round.roundId, site: 'C1' }))),
      ),
    ) as SiteChange;
    const after = await getRound(ledger);
    expect(change).toEqual({ roundId: round.roundId, ...after.result?.changes[0] });
    const promoted = after.result?.assignments.C1;
    expect(promoted).toBeDefined();
    expect(promoted).not.toBe(holder);
    expect(before.result?.waitingList).toContain(promoted);
    expect(after.result?.changes).toMatchObject([{ site: 'C1', released: holder, promoted, reason: 'withdrawn' }]);
    const impostor = people.find((p) => p.did !== promoted) as CitizenKey;
    expect(
      await refused(ledger, () =>
        ledger.tx(desk, (ctx) =>
          allocation.ReleaseSite(ctx, JSON.stringify(signAction(impostor, 'allocation:ReleaseSite', { roundId: round.roundId, site: 'C1' }))),
        ),
      ),
    ).toMatchObject({ code: 'FAILED_PRECONDITION' });
  });
});
