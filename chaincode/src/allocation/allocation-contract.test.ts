import { signAction, type CitizenKey } from '../test-support/citizen-keys';
import { FakeLedger, type FakeIdentity } from '../test-support/fake-context';
import { registeredCitizen } from '../test-support/identity-fixtures';
import { refused } from '../test-support/refusal';
import { AllocationContract } from './allocation-contract';
import { runDraw, seedFromShares, shareCommitment } from './draw';
import type { RoundRecord, ShareRecord } from './round';
import type { DrawSummary, SiteChange } from './rounds';

const allocation = new AllocationContract();
const officer: FakeIdentity = { mspId: 'CityMSP', role: 'allocation-officer' };
const desk: FakeIdentity = { mspId: 'AgenciesMSP', role: 'clerk' };
const OPENED_AT = 1_790_000_000;
/** Each org's allocation officer and the share it holds. */
const holders: { identity: FakeIdentity; share: string }[] = [
  { identity: officer, share: 'city-share-7f3a9c2e41b8' },
  { identity: { mspId: 'AgenciesMSP', role: 'allocation-officer' }, share: 'agencies-share-0c55e1d2' },
  { identity: { mspId: 'UtilitiesMSP', role: 'allocation-officer' }, share: 'utilities-share-9a1b2c3d' },
];

const round = {
  roundId: 'fair-2026-w48',
  title: 'Weekend fair, Market Square, week 48',
  sites: [...['F1', 'F2', 'F3'].map((id) => ({ id, category: 'food' })), ...['C1', 'C2'].map((id) => ({ id, category: 'crafts' }))],
  quotas: { crafts: 1 },
  priorityGroups: ['local-producer'],
  closes: '2026-09-22T12:00:00.000Z',
};

/** Every org commits to its share (as each org's `civic allocation commit` does). */
async function commitAll(ledger: FakeLedger, shares: readonly string[] = holders.map((h) => h.share)): Promise<void> {
  for (const [i, h] of holders.entries()) {
    const commitment = shareCommitment(round.roundId, h.identity.mspId, shares[i] ?? '');
    await ledger.tx(h.identity, (ctx) => allocation.CommitShare(ctx, JSON.stringify({ roundId: round.roundId, commitment })), OPENED_AT + 30);
  }
}

const closeRound = (ledger: FakeLedger, at = OPENED_AT + 90_000): Promise<string> =>
  ledger.tx(officer, (ctx) => allocation.CloseRound(ctx, JSON.stringify({ roundId: round.roundId })), at);
const reveal = (ledger: FakeLedger, i: number, share = holders[i]?.share ?? ''): Promise<string> =>
  ledger.tx(holders[i]?.identity ?? officer, (ctx) => allocation.RevealShare(ctx, JSON.stringify({ roundId: round.roundId, share })), OPENED_AT + 90_060);
const drawRound = (ledger: FakeLedger, who: FakeIdentity = officer): Promise<string> =>
  ledger.tx(who, (ctx) => allocation.DrawRound(ctx, JSON.stringify({ roundId: round.roundId })), OPENED_AT + 90_120);

/** Close the round, reveal every org's share, and draw; returns the draw summary. */
async function closeAndDraw(ledger: FakeLedger, shares: readonly string[] = holders.map((h) => h.share)): Promise<DrawSummary> {
  await closeRound(ledger);
  for (const i of holders.keys()) {
    await reveal(ledger, i, shares[i]);
  }
  return JSON.parse(await drawRound(ledger)) as DrawSummary;
}

function applyFor(ledger: FakeLedger, key: CitizenKey, preferences: string[], group: string | null = null, at = OPENED_AT + 60): Promise<string> {
  return ledger.tx(
    desk,
    (ctx) => allocation.Apply(ctx, JSON.stringify(signAction(key, 'allocation:Apply', { roundId: round.roundId, preferences, group }))),
    at,
  );
}

async function openWithApplicants(n: number, shares: readonly string[] = holders.map((h) => h.share)): Promise<{ ledger: FakeLedger; people: CitizenKey[] }> {
  const ledger = new FakeLedger();
  await ledger.tx(officer, (ctx) => allocation.OpenRound(ctx, JSON.stringify(round)), OPENED_AT);
  await commitAll(ledger, shares);
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
  it('draws with the seed derived from every org share, and anyone can recompute the same allocation from ledger data', async () => {
    const { ledger, people } = await openWithApplicants(12);
    await ledger.tx(officer, (ctx) =>
      allocation.AttestPriority(
        ctx,
        JSON.stringify({ roundId: round.roundId, applicant: people[0]?.did, group: 'local-producer', evidenceHash: 'e'.repeat(64) }),
      ),
    );
    await closeAndDraw(ledger);

    const drawn = await getRound(ledger);
    expect(drawn.status).toBe('drawn');
    expect(drawn.seed).toBe(
      seedFromShares(
        round.roundId,
        holders.map((h) => ({ mspId: h.identity.mspId, share: h.share })),
      ),
    );
    expect(drawn.shares?.map((s) => [s.mspId, s.share])).toEqual(holders.map((h) => [h.identity.mspId, h.share]));
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

  it('depends on every org share: with the same applications, changing any one org share changes the seed and the order', async () => {
    const base = await openWithApplicants(12);
    const applications = [...base.ledger.state].filter(([key]) => key.startsWith('\u0000civic.allocation.application\u0000'));
    expect(applications).toHaveLength(12);
    const seeds = [(await closeAndDraw(base.ledger)).seed];
    const orders = [(await getRound(base.ledger)).result?.order.map((p) => p.applicant).join()];
    for (const i of holders.keys()) {
      const shares = holders.map((h, j) => (j === i ? `${h.share}-other` : h.share));
      const { ledger } = await openWithApplicants(0, shares);
      await ledger.tx(desk, async (ctx) => {
        for (const [key, value] of applications) {
          await ctx.stub.putState(key, value);
        }
      });
      seeds.push((await closeAndDraw(ledger, shares)).seed);
      orders.push((await getRound(ledger)).result?.order.map((p) => p.applicant).join());
    }
    expect(new Set(seeds).size).toBe(4);
    expect(new Set(orders).size).toBe(4);
  });

  it('refuses a revealed share that does not match its commitment, and changes nothing', async () => {
    const { ledger } = await openWithApplicants(3);
    await closeRound(ledger);
    const shares = JSON.parse(await ledger.tx(desk, (ctx) => allocation.GetShares(ctx, round.roundId))) as ShareRecord[];
    const [state, events] = [new Map(ledger.state), ledger.events.length];
    expect((await refused(ledger, () => reveal(ledger, 1, 'a-different-share-0000'))).message).toBe(
      `INVALID_ARGUMENT: request.share does not match the commitment AgenciesMSP made for round ${round.roundId} (tx ${shares[1]?.commitTxId ?? ''})`,
    );
    // Another org's share is bound to that org: the City's share revealed by the Agencies does not match either.
    expect((await refused(ledger, () => reveal(ledger, 1, holders[0]?.share))).code).toBe('INVALID_ARGUMENT');
    expect(new Map(ledger.state)).toEqual(state);
    expect(ledger.events).toHaveLength(events);
  });

  it('refuses the draw until every org revealed its share, naming those missing, and writes nothing', async () => {
    const { ledger } = await openWithApplicants(3);
    await closeRound(ledger);
    await reveal(ledger, 0);
    const [state, events] = [new Map(ledger.state), ledger.events.length];
    expect((await refused(ledger, () => drawRound(ledger))).message).toBe(
      `FAILED_PRECONDITION: round ${round.roundId} cannot be drawn before every org revealed its share; not revealed: AgenciesMSP, UtilitiesMSP`,
    );
    expect(new Map(ledger.state)).toEqual(state);
    expect(ledger.events).toHaveLength(events);
    await reveal(ledger, 1);
    await reveal(ledger, 2);
    expect(JSON.parse(await drawRound(ledger, holders[2]?.identity))).toMatchObject({ status: 'drawn', applications: 3 });
  });

  it('takes each org share from its own allocation officer, once, before the close; reveals only after it', async () => {
    const ledger = new FakeLedger();
    await ledger.tx(officer, (ctx) => allocation.OpenRound(ctx, JSON.stringify(round)), OPENED_AT);
    const commitment = shareCommitment(round.roundId, 'AgenciesMSP', 'x'.repeat(16));
    const commit = (who: FakeIdentity): Promise<string> =>
      ledger.tx(who, (ctx) => allocation.CommitShare(ctx, JSON.stringify({ roundId: round.roundId, commitment })), OPENED_AT + 10);
    expect((await refused(ledger, () => commit({ mspId: 'AgenciesMSP', role: 'clerk' }))).message).toBe(
      'FORBIDDEN: allocation:CommitShare requires role allocation-officer; caller from AgenciesMSP has role clerk',
    );
    expect((await refused(ledger, () => closeRound(ledger))).message).toBe(
      `FAILED_PRECONDITION: round ${round.roundId} cannot close before every org committed to a share; missing: CityMSP, AgenciesMSP, UtilitiesMSP`,
    );
    await commitAll(ledger);
    expect((await refused(ledger, () => commit(holders[1]?.identity ?? officer))).code).toBe('ALREADY_EXISTS');
    expect((await refused(ledger, () => reveal(ledger, 0))).message).toBe(
      `FAILED_PRECONDITION: round ${round.roundId} is still open; shares are revealed only after it is closed`,
    );
    await closeRound(ledger);
    expect((await refused(ledger, () => commit(holders[1]?.identity ?? officer))).message).toBe(
      `FAILED_PRECONDITION: round ${round.roundId} is closed; shares are committed only until it is closed`,
    );
  });

  it('takes an org share after the closing time until the City closes the round, so a late org cannot leave it unclosable', async () => {
    const ledger = new FakeLedger();
    await ledger.tx(officer, (ctx) => allocation.OpenRound(ctx, JSON.stringify(round)), OPENED_AT);
    const pastClosingTime = Date.parse(round.closes) / 1000 + 3600;
    for (const h of holders) {
      const commitment = shareCommitment(round.roundId, h.identity.mspId, h.share);
      await ledger.tx(h.identity, (ctx) => allocation.CommitShare(ctx, JSON.stringify({ roundId: round.roundId, commitment })), pastClosingTime);
    }
    await closeRound(ledger, pastClosingTime + 60);
    for (const i of holders.keys()) {
      await reveal(ledger, i);
    }
    expect(JSON.parse(await drawRound(ledger))).toMatchObject({ status: 'drawn' });
  });

  it('freezes applications, withdrawals and priority attestations at the close', async () => {
    const { ledger, people } = await openWithApplicants(2);
    await closeRound(ledger, OPENED_AT + 120);
    const late = await registeredCitizen(ledger);
    const [state, events] = [new Map(ledger.state), ledger.events.length];
    const closed = `FAILED_PRECONDITION: round ${round.roundId} is closed`;
    expect((await refused(ledger, () => applyFor(ledger, late, ['F2'], null, OPENED_AT + 180))).message).toBe(closed);
    const first = people[0] as CitizenKey;
    expect(
      (
        await refused(ledger, () =>
          ledger.tx(
            desk,
            (ctx) => allocation.WithdrawApplication(ctx, JSON.stringify(signAction(first, 'allocation:WithdrawApplication', { roundId: round.roundId }))),
            OPENED_AT + 180,
          ),
        )
      ).message,
    ).toBe(closed);
    const attestation = JSON.stringify({ roundId: round.roundId, applicant: first.did, group: 'local-producer', evidenceHash: 'e'.repeat(64) });
    expect((await refused(ledger, () => ledger.tx(officer, (ctx) => allocation.AttestPriority(ctx, attestation), OPENED_AT + 180))).message).toBe(closed);
    expect(new Map(ledger.state)).toEqual(state);
    expect(ledger.events).toHaveLength(events);
  });

  it('refuses an attestation after the round passed its closing time, even before the officer closes it', async () => {
    const { ledger, people } = await openWithApplicants(1);
    const attestation = JSON.stringify({ roundId: round.roundId, applicant: people[0]?.did, group: 'local-producer', evidenceHash: 'e'.repeat(64) });
    expect((await refused(ledger, () => ledger.tx(officer, (ctx) => allocation.AttestPriority(ctx, attestation), OPENED_AT + 200_000))).message).toBe(
      `FAILED_PRECONDITION: round ${round.roundId} closed for applications at ${round.closes}`,
    );
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
    await closeRound(ledger, OPENED_AT + 120);
    expect((await refused(ledger, () => applyFor(ledger, late, ['F2'], null, OPENED_AT + 180))).message).toBe(
      'FAILED_PRECONDITION: round fair-2026-w48 is closed',
    );
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
    const summary = await closeAndDraw(ledger);
    const result = (await getRound(ledger)).result as NonNullable<RoundRecord['result']>;
    expect(summary).toEqual({
      roundId: round.roundId,
      status: 'drawn',
      seed: seedFromShares(
        round.roundId,
        holders.map((h) => ({ mspId: h.identity.mspId, share: h.share })),
      ),
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
    await closeAndDraw(ledger);
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
