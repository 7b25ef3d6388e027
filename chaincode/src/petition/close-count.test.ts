import { FakeLedger, type FakeIdentity } from '../test-support/fake-context';
import {
  CLOSES_AT,
  CREATED_AT,
  cityClerk,
  createPetition,
  finalizedToken,
  petitionContract as petitions,
  petitionSpec,
  tokenKeyPair,
  utilityStaff,
} from '../test-support/petition-fixtures';
import { refused } from '../test-support/refusal';
import type { PetitionRecord } from './model';
import type { Tally } from './tally';

const ID = 'big-count';
const keys = tokenKeyPair();
const desk: FakeIdentity = { mspId: 'CityMSP', role: 'clerk' };
const SIGN_AT = CREATED_AT + 3600;
/** A peer's `ledger.state.totalQueryLimit`, made small so that a few signatures exceed it. */
const LIMIT = 20;

type Option = 'Yes' | 'No';
const signBody = (option: Option, attributes: Record<string, string> = {}): Record<string, unknown> => ({
  petitionId: ID,
  ...finalizedToken(keys.privateKey, ID),
  option,
  attributes,
});

/** A petition with `yes` + `no` signatures on a ledger whose peer stops each range query at {@link LIMIT} results. */
async function signedPetition(yes: number, no: number): Promise<FakeLedger> {
  const ledger = new FakeLedger({}, { totalQueryLimit: LIMIT });
  await createPetition(ledger, petitionSpec(ID, keys.publicKey, { k: 2 }));
  const bodies = [
    ...Array.from({ length: yes }, (_, i) => signBody('Yes', i % 2 === 0 ? { district: 'North' } : {})),
    ...Array.from({ length: no }, () => signBody('No', { district: 'South' })),
  ];
  const outcomes = await ledger.block(
    bodies.map((body) => ({ identity: utilityStaff, seconds: SIGN_AT, body: (ctx) => petitions.SignPetition(ctx, JSON.stringify(body)) })),
  );
  expect(outcomes.filter((o) => o.status === 'VALID')).toHaveLength(yes + no);
  return ledger;
}

function close(ledger: FakeLedger, request: Record<string, unknown>, who: FakeIdentity = desk, at = CLOSES_AT + 5): Promise<PetitionRecord> {
  return ledger.tx(who, async (ctx) => JSON.parse(await petitions.ClosePetition(ctx, JSON.stringify({ petitionId: ID, ...request }))) as PetitionRecord, at);
}

/** Call ClosePetition until it stores the final counts, as `civic petition close` does; every call's result. */
async function closeFully(ledger: FakeLedger, request: Record<string, unknown> = {}): Promise<PetitionRecord[]> {
  const calls = [await close(ledger, request)];
  while (calls.at(-1)?.final === null && calls.length < 300) {
    calls.push(await close(ledger, { maxSignatures: request.maxSignatures }));
  }
  return calls;
}

const results = async (ledger: FakeLedger, at = SIGN_AT): Promise<Tally> =>
  JSON.parse(await ledger.tx(desk, (ctx) => petitions.GetResults(ctx, ID), at)) as Tally;

describe('counting beyond the peer total query limit', () => {
  it('counts every signature at close, and in live results, when there are more signatures than one range query returns', async () => {
    const ledger = await signedPetition(50, 25);
    expect(await results(ledger)).toMatchObject({ total: 75, counts: { Yes: 50, No: 25 } });

    const calls = await closeFully(ledger);
    expect(calls.at(-1)?.final).toMatchObject({ total: 75, counts: { Yes: 50, No: 25 }, thresholdReached: false, reason: 'closing-time' });
    const after = await results(ledger, CLOSES_AT + 10);
    expect(after).toMatchObject({ total: 75, counts: { Yes: 50, No: 25 } });
    expect(after.bands.find((b) => b.attribute === 'district' && b.band === 'South')).toMatchObject({ count: 25, byOption: { Yes: 0, No: 25 } });
    expect(after.bands.find((b) => b.attribute === 'district' && b.band === 'North')).toMatchObject({ count: 25, byOption: { Yes: 25, No: 0 } });
  });

  it('counts in several transactions when asked for small pages, refusing signatures from the first one, and stores final counts only at the end', async () => {
    const ledger = await signedPetition(30, 10);
    const first = await close(ledger, { withdraw: true, maxSignatures: 7 }, cityClerk, SIGN_AT + 10);
    expect(first.final).toBeNull();
    expect(first.status).toBe('closed');
    expect(first.tally?.total).toBeGreaterThanOrEqual(7);
    expect(first.tally?.total).toBeLessThan(40);
    expect(ledger.events.at(-1)).toMatchObject({ name: 'petition.Tallied', payload: { petitionId: ID, total: first.tally?.total } });
    expect(
      (await refused(ledger, () => ledger.tx(utilityStaff, (ctx) => petitions.SignPetition(ctx, JSON.stringify(signBody('Yes'))), SIGN_AT + 11))).message,
    ).toBe(`FAILED_PRECONDITION: petition ${ID} is closed (withdrawn) and its signatures are being counted`);

    const calls = [first];
    while (calls.at(-1)?.final === null && calls.length < 300) {
      calls.push(await close(ledger, { maxSignatures: 7 }, desk, SIGN_AT + 20));
    }
    expect(calls.length).toBeGreaterThan(3);
    expect(calls.slice(0, -1).every((c) => c.final === null)).toBe(true);
    expect(calls.at(-1)?.final).toMatchObject({ total: 40, counts: { Yes: 30, No: 10 }, reason: 'withdrawn' });
    expect(ledger.events.at(-1)).toMatchObject({ name: 'petition.Closed', payload: { petitionId: ID, total: 40 } });
    expect((await refused(ledger, () => close(ledger, {}, desk, SIGN_AT + 30))).message).toMatch(
      /^FAILED_PRECONDITION: petition big-count was already closed at/,
    );
  });

  it('refuses a page size outside 1-100,000 and writes nothing', async () => {
    const ledger = await signedPetition(1, 0);
    const before = ledger.snapshot();
    expect((await refused(ledger, () => close(ledger, { maxSignatures: 0 }))).message).toMatch(/^INVALID_ARGUMENT: request.maxSignatures: /);
    expect(ledger.snapshot()).toEqual(before);
  });
});

describe('signatures racing the close', () => {
  it('invalidates a signature endorsed before the first close but ordered after it', async () => {
    const ledger = await signedPetition(3, 0);
    const late = signBody('Yes');
    const [closing, signing] = await ledger.block([
      { identity: cityClerk, seconds: SIGN_AT, body: (ctx) => petitions.ClosePetition(ctx, JSON.stringify({ petitionId: ID, withdraw: true })) },
      { identity: utilityStaff, seconds: SIGN_AT, body: (ctx) => petitions.SignPetition(ctx, JSON.stringify(late)) },
    ]);
    expect([closing?.status, signing?.status]).toEqual(['VALID', 'MVCC_READ_CONFLICT']);
    expect((await results(ledger, SIGN_AT + 1)).total).toBe(3);
  });

  it('invalidates a count that read a bucket in which a signature was committed meanwhile, so that the next count has it', async () => {
    const ledger = await signedPetition(3, 0);
    const [signing, closing] = await ledger.block([
      { identity: utilityStaff, seconds: SIGN_AT, body: (ctx) => petitions.SignPetition(ctx, JSON.stringify(signBody('No'))) },
      { identity: cityClerk, seconds: SIGN_AT, body: (ctx) => petitions.ClosePetition(ctx, JSON.stringify({ petitionId: ID, withdraw: true })) },
    ]);
    expect([signing?.status, closing?.status]).toEqual(['VALID', 'PHANTOM_READ_CONFLICT']);
    const closed = await close(ledger, { withdraw: true }, cityClerk, SIGN_AT + 1);
    expect(closed.final).toMatchObject({ total: 4, counts: { Yes: 3, No: 1 } });
  });
});
