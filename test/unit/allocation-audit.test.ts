import { seedFromShares, shareCommitment, type RoundRecord } from '@civic-ledger/chaincode/dist/allocation/client';
import { AllocationContract } from '../../chaincode/src/allocation/allocation-contract';
import { signAction, type CitizenKey } from '../../chaincode/src/test-support/citizen-keys';
import { FakeLedger, type FakeIdentity } from '../../chaincode/src/test-support/fake-context';
import { registeredCitizen } from '../../chaincode/src/test-support/identity-fixtures';
import { auditRound, roundAuditDataSchema, type RoundAuditData } from '../../cli/src/allocation/audit';
import { fairnessReport } from '../../cli/src/allocation/report';
import { civicInProcess } from '../support/civic-in-process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * `civic allocation verify` and `report` logic over a round run by the allocation contract's
 * real logic (on the unit-test ledger fake): 500 generated applicants for 100 sites, priority
 * attestations, the draw, a withdrawal and a no-show; then the audit of faithful and altered copies.
 */
const allocation = new AllocationContract();
const officer: FakeIdentity = { mspId: 'CityMSP', role: 'allocation-officer' };
const desk: FakeIdentity = { mspId: 'AgenciesMSP', role: 'clerk' };
/** Each org's allocation officer and its share of the round's randomness. */
const holders: { identity: FakeIdentity; share: string }[] = [
  { identity: officer, share: 'city-spring-share-0b6f2d41' },
  { identity: { mspId: 'AgenciesMSP', role: 'allocation-officer' }, share: 'agencies-spring-share-77c1' },
  { identity: { mspId: 'UtilitiesMSP', role: 'allocation-officer' }, share: 'utilities-spring-share-e9' },
];
const OPENED = 1_790_000_000;
const sites = Array.from({ length: 100 }, (_, i) => ({ id: `S${String(i + 1)}`, category: i < 60 ? 'food' : i < 90 ? 'crafts' : 'books' }));
const round = {
  roundId: 'fairs-2027-spring',
  title: 'Spring fairs 2027',
  sites,
  quotas: { crafts: 20 },
  priorityGroups: ['local-producer'],
  closes: '2026-09-22T12:00:00.000Z',
};

/** Deterministic preferences: 1-5 sites, skewed towards the first sites so they are contested. */
function preferencesOf(i: number): string[] {
  const n = 1 + (i % 5);
  return Array.from({ length: n }, (_, k) => `S${String(1 + ((i * 7 + k * 13) % (k === 0 ? 30 : 100)))}`).filter((s, k, all) => all.indexOf(s) === k);
}

async function drawnRound(): Promise<{ ledger: FakeLedger; people: CitizenKey[]; data: () => Promise<RoundAuditData> }> {
  const ledger = new FakeLedger();
  await ledger.tx(officer, (ctx) => allocation.OpenRound(ctx, JSON.stringify(round)), OPENED);
  for (const h of holders) {
    const commitment = shareCommitment(round.roundId, h.identity.mspId, h.share);
    await ledger.tx(h.identity, (ctx) => allocation.CommitShare(ctx, JSON.stringify({ roundId: round.roundId, commitment })), OPENED + 30);
  }
  const people: CitizenKey[] = [];
  for (let i = 0; i < 500; i++) {
    const person = await registeredCitizen(ledger);
    people.push(person);
    const group = i % 10 === 0 ? 'local-producer' : null;
    await ledger.tx(
      desk,
      (ctx) => allocation.Apply(ctx, JSON.stringify(signAction(person, 'allocation:Apply', { roundId: round.roundId, preferences: preferencesOf(i), group }))),
      OPENED + 60,
    );
    if (group !== null && i % 20 === 0) {
      await ledger.tx(officer, (ctx) =>
        allocation.AttestPriority(ctx, JSON.stringify({ roundId: round.roundId, applicant: person.did, group, evidenceHash: 'e'.repeat(64) })),
      );
    }
  }
  await ledger.tx(officer, (ctx) => allocation.CloseRound(ctx, JSON.stringify({ roundId: round.roundId })), OPENED + 90_000);
  for (const h of holders) {
    await ledger.tx(h.identity, (ctx) => allocation.RevealShare(ctx, JSON.stringify({ roundId: round.roundId, share: h.share })), OPENED + 90_060);
  }
  await ledger.tx(officer, (ctx) => allocation.DrawRound(ctx, JSON.stringify({ roundId: round.roundId })), OPENED + 90_120);
  const data = async (): Promise<RoundAuditData> =>
    roundAuditDataSchema.parse({
      round: JSON.parse(await ledger.tx(desk, (ctx) => allocation.GetRound(ctx, round.roundId))) as unknown,
      inputs: JSON.parse(await ledger.tx(desk, (ctx) => allocation.GetDrawInputs(ctx, round.roundId))) as unknown,
    });
  return { ledger, people, data };
}

let fixture: Awaited<ReturnType<typeof drawnRound>>;
beforeAll(async () => {
  fixture = await drawnRound();
  const { ledger, people, data } = fixture;
  const result = (await data()).round.result;
  const [first, second] = Object.entries(result?.assignments ?? {});
  const holder = people.find((p) => p.did === first?.[1]) as CitizenKey;
  await ledger.tx(desk, (ctx) =>
    allocation.ReleaseSite(ctx, JSON.stringify(signAction(holder, 'allocation:ReleaseSite', { roundId: round.roundId, site: first?.[0] }))),
  );
  await ledger.tx(officer, (ctx) => allocation.MarkNoShow(ctx, JSON.stringify({ roundId: round.roundId, site: second?.[0], holder: second?.[1] })));
}, 120_000);

const copy = (d: RoundAuditData): RoundAuditData => JSON.parse(JSON.stringify(d)) as RoundAuditData;

describe('allocation verify', () => {
  it('agrees with the ledger for a 500-applicant, 100-site round after a withdrawal and a no-show', async () => {
    const report = auditRound(await fixture.data());
    expect(report).toMatchObject({ roundId: round.roundId, agrees: true, applications: 500, applicationsChecked: true, changesReplayed: 2, differences: [] });
  });

  it('reports the difference when any application in a copy is changed', async () => {
    const data = copy(await fixture.data());
    const winner = data.round.result?.order.find((p) => p.site !== null && p.position > 1);
    const changed = data.inputs.find((a) => a.applicant === winner?.applicant);
    if (changed === undefined || winner?.site == null) {
      throw new Error('fixture: no winner found');
    }
    changed.preferences = sites
      .map((s) => s.id)
      .filter((id) => id !== winner.site)
      .slice(0, 3);
    const report = auditRound(data);
    expect(report.agrees).toBe(false);
    expect(report.differences.some((d) => d.what === `site ${winner.site ?? ''}` || d.what.startsWith('position '))).toBe(true);
  });

  it('reports a changed application that leaves the outcome as it was, by the digest of the applications the draw recorded', async () => {
    const data = copy(await fixture.data());
    const result = data.round.result as NonNullable<RoundRecord['result']>;
    // The last on the waiting list: everything they listed was gone before their turn, so a
    // new order of their preferences changes no placement, yet it is not what they applied with.
    const last =
      data.inputs.find((a) => a.applicant === result.waitingList[result.waitingList.length - 1] && a.preferences.length > 1) ??
      data.inputs.find((a) => result.waitingList.includes(a.applicant) && a.preferences.length > 1);
    if (last === undefined) {
      throw new Error('fixture: no waiting applicant with two preferences');
    }
    last.preferences.reverse();
    const report = auditRound(data);
    expect(report.agrees).toBe(false);
    expect(report.differences.map((d) => d.what)).toContain(
      'applications (SHA-256 of every application: applicant, preferences, group) are not those the draw ran on',
    );
    expect(report.differences.find((d) => d.what.startsWith('applications'))).toMatchObject({
      stored: result.inputsDigest,
      recomputed: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
    });
  });

  it('reports a dropped application (the randomness depends on who applied), a seed that is not the hash of the shares, and a share that does not match its commitment', async () => {
    const dropped = copy(await fixture.data());
    dropped.inputs.pop();
    expect(auditRound(dropped).differences.map((d) => d.what)).toContain('randomness (derived from the seed and the set of applicants)');

    const reseeded = copy(await fixture.data());
    reseeded.round.seed = 'another-seed-entirely-1234';
    expect(auditRound(reseeded).differences[0]).toEqual({
      what: 'seed: not the hash of the revealed shares',
      stored: 'another-seed-entirely-1234',
      recomputed: seedFromShares(
        round.roundId,
        holders.map((h) => ({ mspId: h.identity.mspId, share: h.share })),
      ),
    });

    const reshared = copy(await fixture.data());
    const agencies = reshared.round.shares?.[1];
    if (agencies) agencies.share = 'a-share-chosen-afterwards-00';
    expect(
      auditRound(reshared)
        .differences.map((d) => d.what)
        .slice(0, 2),
    ).toEqual(['share of AgenciesMSP: the revealed share does not match its commitment', 'seed: not the hash of the revealed shares']);
  });

  it('reports a stored assignment that the draw did not produce, and a change that does not replay', async () => {
    const forged = copy(await fixture.data());
    const result = forged.round.result as NonNullable<RoundRecord['result']>;
    const [site] = Object.keys(result.assignments);
    const outsider = result.waitingList[0] ?? '';
    result.assignments[site ?? ''] = outsider;
    expect(auditRound(forged).differences).toEqual([{ what: `site ${site ?? ''}`, stored: outsider, recomputed: expect.any(String) as unknown }]);

    const rewritten = copy(await fixture.data());
    const change = rewritten.round.result?.changes[0];
    if (change) change.promoted = outsider;
    expect(auditRound(rewritten).differences[0]?.what).toMatch(/^change .*: promoted to site /);
  });

  it('runs offline as `civic allocation verify --data <copy>`: exit 0 on a faithful copy, 1 naming the differences on an altered one', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-alloc-'));
    const faithful = path.join(dir, 'round.json');
    writeFileSync(faithful, JSON.stringify(await fixture.data()));
    const ok = await civicInProcess(['allocation', 'verify', round.roundId, '--data', faithful]);
    expect([ok.code, ok.out]).toEqual([
      0,
      expect.stringMatching(/^round fairs-2027-spring verifies: .* draw of 500 applications .* with 2 later change\(s\) replayed/) as unknown,
    ]);

    const altered = copy(await fixture.data());
    altered.inputs.pop();
    const tampered = path.join(dir, 'tampered.json');
    writeFileSync(tampered, JSON.stringify(altered));
    const bad = await civicInProcess(['--json', 'allocation', 'verify', round.roundId, '--data', tampered]);
    expect(bad.code).toBe(1);
    const envelope = JSON.parse(bad.out) as { error: { code: string; message: string } };
    expect(envelope.error.code).toBe('ALLOCATION_MISMATCH');
    expect(envelope.error.message).toMatch(/^round fairs-2027-spring does not verify: \d+ difference\(s\)\n {2}.*randomness/s);
  });

  it('reports an undrawn round as not verifiable', () => {
    const open = {
      round: { ...round, status: 'open' as const, opened: '2026-09-01T00:00:00.000Z', closedAt: null, seed: null, shares: null, result: null },
      inputs: [],
    };
    expect(auditRound(open)).toMatchObject({ agrees: false, differences: [{ what: 'status', stored: 'open', recomputed: 'drawn' }] });
  });
});

describe('allocation report', () => {
  it('counts applications, winners and priority groups per category, consistent with the result', async () => {
    const data = await fixture.data();
    const report = fairnessReport(data);
    expect(report).toMatchObject({ applications: 500, assigned: Object.keys(data.round.result?.assignments ?? {}).length });
    expect(report.categories.map((c) => c.category)).toEqual(['books', 'crafts', 'food']);
    expect(report.categories.reduce((n, c) => n + c.winners, 0)).toBe(report.assigned);
    expect(report.categories.reduce((n, c) => n + c.firstChoice, 0)).toBe(500);
    const crafts = report.categories.find((c) => c.category === 'crafts');
    expect(crafts?.quota).toBe(20);
    expect(crafts?.winners).toBeLessThanOrEqual(20);
    // attested local producers (every 20th applicant) are drawn first; unattested claims count as none
    const attested = new Set(data.inputs.filter((a) => a.group === 'local-producer').map((a) => a.applicant));
    expect(attested.size).toBe(25);
    expect(data.round.result?.order.slice(0, 25).every((p) => attested.has(p.applicant))).toBe(true);
    const food = report.categories.find((c) => c.category === 'food');
    expect(Object.values(food?.groups ?? {}).reduce((n, g) => n + g.applicants, 0)).toBe(food?.firstChoice);
  });
});
