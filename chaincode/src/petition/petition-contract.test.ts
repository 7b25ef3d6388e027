import { signAction, type CitizenKey } from '../test-support/citizen-keys';
import { FakeLedger, type FakeIdentity } from '../test-support/fake-context';
import { registeredCitizen } from '../test-support/identity-fixtures';
import {
  CLOSES_AT,
  CREATED_AT,
  PETITION_TEXT,
  cityClerk,
  cityIssuer,
  createPetition,
  finalizedToken,
  petitionContract as petitions,
  petitionSpec,
  tokenKeyPair,
  utilityStaff,
} from '../test-support/petition-fixtures';
import { refused } from '../test-support/refusal';
import type { IssuanceRecord, PetitionRecord, SignatureRecord } from './model';
import type { Tally } from './tally';

const ID = 'riverside-sundays';
const keys = tokenKeyPair();
const otherKeys = tokenKeyPair();
const desk: FakeIdentity = { mspId: 'AgenciesMSP', role: 'clerk' };
const SIGN_AT = CREATED_AT + 3600;

async function openPetition(): Promise<FakeLedger> {
  const ledger = new FakeLedger();
  await createPetition(ledger, petitionSpec(ID, keys.publicKey));
  return ledger;
}

function sign(ledger: FakeLedger, body: Record<string, unknown>, at = SIGN_AT, who: FakeIdentity = utilityStaff): Promise<SignatureRecord> {
  return ledger.tx(who, async (ctx) => JSON.parse(await petitions.SignPetition(ctx, JSON.stringify(body))) as SignatureRecord, at);
}

function requestToken(ledger: FakeLedger, citizen: CitizenKey, petitionId = ID, at = SIGN_AT): Promise<IssuanceRecord> {
  const request = JSON.stringify(signAction(citizen, 'petition:RequestToken', { petitionId }));
  return ledger.tx(cityIssuer, async (ctx) => JSON.parse(await petitions.RecordTokenIssuance(ctx, request)) as IssuanceRecord, at);
}

async function query<T>(ledger: FakeLedger, fn: 'GetPetition' | 'GetResults', at = SIGN_AT): Promise<T> {
  return JSON.parse(await ledger.tx(desk, (ctx) => petitions[fn](ctx, ID), at)) as T;
}

describe('petition creation', () => {
  it('stores the text hash and key, not the text, and publishes the text in the creation event', async () => {
    const ledger = await openPetition();
    const stored = await query<PetitionRecord>(ledger, 'GetPetition');
    expect(stored).toMatchObject({ petitionId: ID, status: 'open', suite: 'RSABSSA-SHA384-PSS-Randomized', publicKey: keys.publicKey, final: null, k: 10 });
    expect([...ledger.state.values()].map(String).join('\n')).not.toContain(PETITION_TEXT);
    expect(ledger.events.at(-1)).toMatchObject({ name: 'petition.Created', payload: { text: petitionSpec(ID, keys.publicKey).text } });
  });

  it('refuses a text that does not match its hash, a petition without Yes/No, a past closing time, a second create, and non-City callers', async () => {
    const ledger = await openPetition();
    const create = (spec: object, who = cityClerk, at = CREATED_AT): Promise<string> =>
      ledger.tx(who, (ctx) => petitions.CreatePetition(ctx, JSON.stringify(spec)), at);
    expect((await refused(ledger, () => create({ ...petitionSpec('p-two', keys.publicKey), text: 'altered' }))).message).toMatch(
      /^INVALID_ARGUMENT: request.textHash is not the SHA-256 of request.text/,
    );
    expect((await refused(ledger, () => create(petitionSpec('p-two', keys.publicKey, { options: ['Yes', 'Maybe'] })))).message).toBe(
      'INVALID_ARGUMENT: request.options: a petition has options ["Yes", "No"] and a signature threshold',
    );
    expect((await refused(ledger, () => create(petitionSpec('p-two', keys.publicKey), cityClerk, CLOSES_AT + 1))).message).toMatch(
      /^INVALID_ARGUMENT: request.closes .* is not in the future$/,
    );
    expect((await refused(ledger, () => create(petitionSpec(ID, keys.publicKey)))).message).toBe(`ALREADY_EXISTS: petition ${ID} already exists`);
    expect((await refused(ledger, () => create(petitionSpec('p-two', keys.publicKey), desk))).message).toMatch(
      /^FORBIDDEN: petition:CreatePetition is not open to members of AgenciesMSP/,
    );
    expect((await refused(ledger, () => create({ ...petitionSpec('p-two', keys.publicKey), publicKey: { kty: 'RSA', n: 'abc', e: 'AQAB' } }))).message).toBe(
      'INVALID_ARGUMENT: request.publicKey.n: must be a base64url modulus of 2048 to 4096 bits',
    );
  });

  it('turns an accepted citizen proposal into a petition, and records a rejection with its reason', async () => {
    const ledger = new FakeLedger();
    const citizen = await registeredCitizen(ledger);
    const spec = petitionSpec(ID, keys.publicKey);
    const proposal = {
      kind: spec.kind,
      title: spec.title,
      textHash: spec.textHash,
      options: spec.options,
      eligibility: spec.eligibility,
      threshold: spec.threshold,
      closes: spec.closes,
    };
    for (const proposalId of ['library-sundays', 'tower-site']) {
      const signed = signAction(citizen, 'petition:ProposePetition', { ...proposal, proposalId });
      await ledger.tx(desk, (ctx) => petitions.ProposePetition(ctx, JSON.stringify(signed)), CREATED_AT - 60);
    }
    await createPetition(ledger, petitionSpec(ID, keys.publicKey, { proposalId: 'library-sundays' }));
    await ledger.tx(cityClerk, (ctx) => petitions.RejectProposal(ctx, JSON.stringify({ proposalId: 'tower-site', reason: 'duplicate of library-sundays' })));
    const accepted = JSON.parse(await ledger.tx(desk, (ctx) => petitions.GetProposal(ctx, 'library-sundays'))) as {
      status: string;
      proposer: string;
      decision: { petitionId: string };
    };
    expect(accepted).toMatchObject({ status: 'accepted', proposer: citizen.did, decision: { petitionId: ID } });
    const rejected = JSON.parse(await ledger.tx(desk, (ctx) => petitions.GetProposal(ctx, 'tower-site'))) as { status: string; decision: { reason: string } };
    expect(rejected).toMatchObject({ status: 'rejected', decision: { reason: 'duplicate of library-sundays' } });
    expect((await query<PetitionRecord>(ledger, 'GetPetition')).proposalId).toBe('library-sundays');
    const again = await refused(ledger, () =>
      ledger.tx(cityClerk, (ctx) => petitions.RejectProposal(ctx, JSON.stringify({ proposalId: 'library-sundays', reason: 'x' }))),
    );
    expect(again.message).toBe('FAILED_PRECONDITION: proposal library-sundays was already accepted');
  });
});

describe('tokens and signatures', () => {
  it('records one token per DID per petition, and only that the DID received it', async () => {
    const ledger = await openPetition();
    const alice = await registeredCitizen(ledger);
    const issued = await requestToken(ledger, alice);
    expect(Object.keys(issued).sort()).toEqual(['did', 'issued', 'petitionId', 'txId']);
    const second = await refused(ledger, () => requestToken(ledger, alice));
    expect(second.message).toBe(`ALREADY_EXISTS: ${alice.did} already received its token for petition ${ID} (tx ${issued.txId})`);
    const byClerk = await refused(ledger, () =>
      ledger.tx(cityClerk, (ctx) => petitions.RecordTokenIssuance(ctx, JSON.stringify(signAction(alice, 'petition:RequestToken', { petitionId: ID })))),
    );
    expect(byClerk.message).toMatch(/^FORBIDDEN: petition:RecordTokenIssuance requires role issuer/);
    const late = await refused(ledger, () => requestToken(ledger, alice, ID, CLOSES_AT));
    expect(late.message).toBe(`FAILED_PRECONDITION: petition ${ID} closed at ${new Date(CLOSES_AT * 1000).toISOString()}`);
  });

  it("accepts a valid signature through any org, and refuses a spent token, another petition's token, a forgery, an unknown option or band, and signing after close", async () => {
    const ledger = await openPetition();
    await createPetition(ledger, petitionSpec('other-petition', otherKeys.publicKey));
    const token = finalizedToken(keys.privateKey, ID);
    const recorded = await sign(ledger, { petitionId: ID, ...token, option: 'Yes', attributes: { district: 'North' } }, SIGN_AT, desk);
    expect(recorded).toMatchObject({ petitionId: ID, option: 'Yes', attributes: { district: 'North' } });

    const spent = await refused(ledger, () => sign(ledger, { petitionId: ID, ...token, option: 'No' }));
    expect(spent.message).toBe(`ALREADY_EXISTS: token ${recorded.tokenId} has already signed petition ${ID} (tx ${recorded.txId})`);
    const foreign = finalizedToken(otherKeys.privateKey, 'other-petition');
    expect((await refused(ledger, () => sign(ledger, { petitionId: ID, ...foreign, option: 'Yes' }))).message).toBe(
      `INVALID_ARGUMENT: request.token was issued for petition other-petition, not ${ID}`,
    );
    const otherKey = finalizedToken(otherKeys.privateKey, ID);
    expect((await refused(ledger, () => sign(ledger, { petitionId: ID, ...otherKey, option: 'Yes' }))).message).toBe(
      `INVALID_SIGNATURE: request.signature is not a valid token signature under the key of petition ${ID}`,
    );
    const fresh = finalizedToken(keys.privateKey, ID);
    const forged = { ...fresh, signature: finalizedToken(keys.privateKey, ID).signature };
    expect((await refused(ledger, () => sign(ledger, { petitionId: ID, ...forged, option: 'Yes' }))).code).toBe('INVALID_SIGNATURE');
    expect((await refused(ledger, () => sign(ledger, { petitionId: ID, ...fresh, option: 'Maybe' }))).message).toBe(
      `INVALID_ARGUMENT: request.option: Maybe is not an option of ${ID} (Yes, No)`,
    );
    expect((await refused(ledger, () => sign(ledger, { petitionId: ID, ...fresh, option: 'Yes', attributes: { district: 'Harbour' } }))).message).toBe(
      'INVALID_ARGUMENT: request.attributes.district: Harbour is not one of North, South, Riverside',
    );
    expect((await refused(ledger, () => sign(ledger, { petitionId: ID, ...fresh, option: 'Yes' }, CLOSES_AT))).message).toBe(
      `FAILED_PRECONDITION: petition ${ID} closed at ${new Date(CLOSES_AT * 1000).toISOString()}`,
    );
    expect(
      (await refused(ledger, () => sign(ledger, { petitionId: ID, token: 'AAAA'.repeat(20), signature: fresh.signature, option: 'Yes' }))).message,
    ).toMatch(/^INVALID_ARGUMENT: request.token is not a civic petition token/);
  });

  it('keeps exact counts when 200 signers land in one block: no signer conflicts with another, and a token used twice commits once', async () => {
    const ledger = await openPetition();
    const bands = ['16-24', '25-44', '45-64', '65+'];
    const bodies = Array.from({ length: 200 }, (_, i) => ({
      petitionId: ID,
      ...finalizedToken(keys.privateKey, ID),
      option: i % 4 === 3 ? 'No' : 'Yes',
      attributes: { age_band: bands[i % 4] ?? '' },
    }));
    const replay = bodies[17];
    const outcomes = await ledger.block(
      [...bodies, replay].map((body) => ({ identity: utilityStaff, seconds: SIGN_AT, body: (ctx) => petitions.SignPetition(ctx, JSON.stringify(body)) })),
    );
    expect(outcomes.slice(0, 200).every((o) => o.status === 'VALID')).toBe(true);
    expect(outcomes[200]?.status).toBe('MVCC_READ_CONFLICT');

    const results = await query<Tally>(ledger, 'GetResults');
    expect(results).toMatchObject({ total: 200, counts: { Yes: 150, No: 50 }, thresholdReached: true });
    expect(results.bands.find((b) => b.attribute === 'age_band' && b.band === '65+')).toEqual({
      attribute: 'age_band',
      band: '65+',
      count: 50,
      byOption: { Yes: 0, No: 50 },
    });
    const firstPage = JSON.parse(await ledger.tx(desk, (ctx) => petitions.GetSignatures(ctx, ID, '150', ''))) as {
      records: SignatureRecord[];
      bookmark: string;
    };
    const secondPage = JSON.parse(await ledger.tx(desk, (ctx) => petitions.GetSignatures(ctx, ID, '150', firstPage.bookmark))) as {
      records: SignatureRecord[];
      bookmark: string;
    };
    expect([firstPage.records.length, secondPage.records.length, secondPage.bookmark]).toEqual([150, 50, '']);
    expect(new Set([...firstPage.records, ...secondPage.records].map((s) => s.tokenId)).size).toBe(200);
    expect((await refused(ledger, () => ledger.tx(desk, (ctx) => petitions.GetSignatures(ctx, ID, '5000', '')))).message).toMatch(
      /^INVALID_ARGUMENT: pageSize: /,
    );
  });
});

describe('closing', () => {
  it('reports closed by itself from the closing time, lets the City store the final counts then, and withdraw earlier', async () => {
    const ledger = await openPetition();
    await sign(ledger, { petitionId: ID, ...finalizedToken(keys.privateKey, ID), option: 'Yes' });
    const close = (who: FakeIdentity, at: number, withdraw?: boolean): Promise<PetitionRecord> =>
      ledger.tx(
        who,
        async (ctx) =>
          JSON.parse(await petitions.ClosePetition(ctx, JSON.stringify({ petitionId: ID, ...(withdraw === undefined ? {} : { withdraw }) }))) as PetitionRecord,
        at,
      );
    expect((await refused(ledger, () => close(cityClerk, SIGN_AT))).message).toBe(
      `FAILED_PRECONDITION: petition ${ID} is open until ${new Date(CLOSES_AT * 1000).toISOString()}; only the City can close it earlier, with withdraw: true`,
    );
    expect((await query<PetitionRecord>(ledger, 'GetPetition', CLOSES_AT - 1)).status).toBe('open');
    expect((await query<PetitionRecord>(ledger, 'GetPetition', CLOSES_AT)).status).toBe('closed');

    const closed = await close(cityClerk, CLOSES_AT + 5);
    expect(closed.final).toMatchObject({ total: 1, counts: { Yes: 1, No: 0 }, thresholdReached: false, reason: 'closing-time' });
    expect((await refused(ledger, () => close({ mspId: 'CityMSP', role: 'admin' }, CLOSES_AT + 6))).message).toMatch(
      /^FAILED_PRECONDITION: petition riverside-sundays was already closed at/,
    );
  });

  it("refuses closing by anyone but the City's petition staff, before and after the closing time, writing nothing", async () => {
    const ledger = await openPetition();
    await sign(ledger, { petitionId: ID, ...finalizedToken(keys.privateKey, ID), option: 'Yes' });
    const others: [FakeIdentity, string][] = [
      [desk, 'is not open to members of AgenciesMSP (allowed: CityMSP)'],
      [{ mspId: 'AgenciesMSP', role: 'admin' }, 'is not open to members of AgenciesMSP (allowed: CityMSP)'],
      [utilityStaff, 'is not open to members of UtilitiesMSP (allowed: CityMSP)'],
      [{ mspId: 'CityMSP', role: 'auditor' }, 'requires role admin or clerk; caller from CityMSP has role auditor'],
      [cityIssuer, 'requires role admin or clerk; caller from CityMSP has role issuer'],
    ];
    for (const [who, why] of others) {
      for (const [at, withdraw] of [
        [CLOSES_AT + 5, false],
        [SIGN_AT, true],
      ] as const) {
        const e = await refused(ledger, () => ledger.tx(who, (ctx) => petitions.ClosePetition(ctx, JSON.stringify({ petitionId: ID, withdraw })), at));
        expect({ who, code: e.code, message: e.message }).toEqual({ who, code: 'FORBIDDEN', message: `FORBIDDEN: petition:ClosePetition ${why}` });
      }
    }
    expect((await query<PetitionRecord>(ledger, 'GetPetition', CLOSES_AT + 5)).final).toBeNull();
  });

  it('closes at the exact second given, even when the closing time is written without milliseconds', async () => {
    const ledger = new FakeLedger();
    const closesAt = CREATED_AT + 86_400;
    await createPetition(ledger, petitionSpec(ID, keys.publicKey, { closes: new Date(closesAt * 1000).toISOString().replace('.000Z', 'Z') }));
    expect((await query<PetitionRecord>(ledger, 'GetPetition')).closes).toBe(new Date(closesAt * 1000).toISOString());
    await sign(ledger, { petitionId: ID, ...finalizedToken(keys.privateKey, ID), option: 'Yes' }, closesAt - 1);
    expect((await refused(ledger, () => sign(ledger, { petitionId: ID, ...finalizedToken(keys.privateKey, ID), option: 'Yes' }, closesAt))).code).toBe(
      'FAILED_PRECONDITION',
    );
  });

  it('lets the City withdraw a petition before its closing time, after which signing is refused', async () => {
    const ledger = await openPetition();
    await ledger.tx(cityClerk, (ctx) => petitions.ClosePetition(ctx, JSON.stringify({ petitionId: ID, withdraw: true })), SIGN_AT);
    const e = await refused(ledger, () => sign(ledger, { petitionId: ID, ...finalizedToken(keys.privateKey, ID), option: 'Yes' }, SIGN_AT + 1));
    expect(e.message).toBe(`FAILED_PRECONDITION: petition ${ID} was closed at ${new Date(SIGN_AT * 1000).toISOString()} (withdrawn)`);
  });
});
