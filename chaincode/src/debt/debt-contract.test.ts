import { randomBytes, sign } from 'node:crypto';
import { canonicalBytes } from '../shared/canonical-json';
import { newCitizenKey } from '../test-support/citizen-keys';
import { agenciesCreditor, debt, NOW, newLedger, overview, recordConsent, recordDebt, signedConsent, utilitiesCreditor } from '../test-support/debt-fixtures';
import type { FakeLedger } from '../test-support/fake-context';
import { registeredCitizen } from '../test-support/identity-fixtures';
import { refused } from '../test-support/refusal';
import { ChaincodeError } from '../shared/errors';
import { debtRecordSchema, type DebtRecord } from './model';
import { putPrivate } from './private-data';
import { recordKey } from './records';

/** Amounts distinctive enough to search for in public state. */
const TAX = 7_345_191;
const ENERGY = 1_283_377;

async function twoCreditors(): Promise<{ ledger: FakeLedger; alice: Awaited<ReturnType<typeof registeredCitizen>> }> {
  const ledger = newLedger();
  const alice = await registeredCitizen(ledger);
  await recordDebt(ledger, agenciesCreditor, alice.did, TAX, 'IB-2026-0042');
  await recordDebt(ledger, utilitiesCreditor, alice.did, ENERGY, 'EN-99812');
  return { ledger, alice };
}

describe('debt records and consent', () => {
  it('keeps personal data private: what debt transactions add to public state and events holds no DID of the subject and no amount', async () => {
    const ledger = newLedger();
    const alice = await registeredCitizen(ledger); // a DID registration is public by design
    const [keysBefore, eventsBefore] = [new Set(ledger.state.keys()), ledger.events.length];
    await recordDebt(ledger, agenciesCreditor, alice.did, TAX, 'IB-2026-0042');
    await recordDebt(ledger, utilitiesCreditor, alice.did, ENERGY, 'EN-99812');
    // recording a debt writes nothing public: the creditor's peer alone can endorse it
    expect([...ledger.state.keys()].filter((k) => !keysBefore.has(k))).toEqual([]);
    await recordConsent(ledger, signedConsent(alice));
    const added = [...ledger.state].filter(([k]) => !keysBefore.has(k)).map(([k, v]) => `${k}=${v.toString('utf8')}`);
    const visible = added.join('\n') + JSON.stringify(ledger.events.slice(eventsBefore));
    expect(added).toHaveLength(1);
    expect(added[0]).toContain('civic.debt.consent');
    for (const secret of [alice.did, String(TAX), String(ENERGY), 'IB-2026-0042', 'EN-99812', 'energy bill']) {
      expect(visible).not.toContain(secret);
    }
    // ... while the creditors' collections hold them
    expect(ledger.privateData.state.get('debtAgenciesMSP')?.size).toBe(1);
  });

  it('gives the counsellor an overview with consent: each creditor peer answers for its own records', async () => {
    const { ledger, alice } = await twoCreditors();
    const consent = signedConsent(alice);
    await recordConsent(ledger, consent);
    const agencies = await overview(ledger, consent, 'AgenciesMSP');
    const utilities = await overview(ledger, consent, 'UtilitiesMSP');
    expect(agencies.records.map((r) => [r.creditor, r.amountCents, r.creditorReference])).toEqual([['AgenciesMSP', TAX, 'IB-2026-0042']]);
    expect(utilities.records.map((r) => [r.creditor, r.amountCents])).toEqual([['UtilitiesMSP', ENERGY]]);
    expect((await overview(ledger, consent, 'CityMSP')).records).toEqual([]);
  });

  it('refuses an overview without a recorded consent, after revocation, after expiry and out of scope, each saying why', async () => {
    const { ledger, alice } = await twoCreditors();
    const unrecorded = signedConsent(alice);
    expect((await refused(ledger, () => overview(ledger, unrecorded, 'AgenciesMSP'))).message).toMatch(/^NOT_FOUND: consent [0-9a-f]{64} was never recorded$/);

    const scoped = signedConsent(alice, { creditors: ['UtilitiesMSP'] });
    await recordConsent(ledger, scoped);
    expect((await refused(ledger, () => overview(ledger, scoped, 'AgenciesMSP'))).message).toMatch(/does not cover AgenciesMSP \(it covers UtilitiesMSP\)$/);

    const shortLived = signedConsent(alice, { expires: new Date((NOW + 3600) * 1000).toISOString() });
    await recordConsent(ledger, shortLived);
    expect((await overview(ledger, shortLived, 'AgenciesMSP', NOW + 60)).records).toHaveLength(1);
    expect((await refused(ledger, () => overview(ledger, shortLived, 'AgenciesMSP', NOW + 7200))).message).toMatch(
      /^FAILED_PRECONDITION: consent .* expired at /,
    );

    const revocable = signedConsent(alice);
    const id = await recordConsent(ledger, revocable);
    const payload = {
      action: 'debt:RevokeConsent',
      channel: 'civic',
      did: alice.did,
      nonce: randomBytes(18).toString('base64url'),
      consentId: id,
      subjectSalt: revocable.payload.subjectSalt,
    };
    const revocation = {
      did: alice.did,
      payload,
      signature: sign(null, canonicalBytes(payload), alice.privateKey).toString('base64url'),
      publicKeyJwk: alice.publicKeyJwk,
    };
    const mallory = newCitizenKey();
    const forged = {
      ...revocation,
      signature: sign(null, canonicalBytes(payload), mallory.privateKey).toString('base64url'),
      publicKeyJwk: mallory.publicKeyJwk,
    };
    const revoke = (r: unknown): Promise<string> =>
      ledger.tx({ mspId: 'AgenciesMSP', role: 'clerk' }, (ctx) => debt.RevokeConsent(ctx, id), NOW + 100, { transient: { revocation: JSON.stringify(r) } });
    expect((await refused(ledger, () => revoke(forged))).code).toBe('INVALID_SIGNATURE');
    await revoke(revocation);
    expect((await refused(ledger, () => overview(ledger, revocable, 'AgenciesMSP', NOW + 200))).message).toMatch(
      /^FAILED_PRECONDITION: consent .* was revoked$/,
    );
  });

  it("refuses a consent signed by someone else: not recorded when the signature does not match its key, never usable when the key is not the DID's", async () => {
    const { ledger, alice } = await twoCreditors();
    const mallory = await registeredCitizen(ledger);
    const bySomeoneElse = signedConsent(alice, { signer: mallory });
    const garbled = { ...signedConsent(alice), publicKeyJwk: mallory.publicKeyJwk };
    expect((await refused(ledger, () => recordConsent(ledger, garbled))).code).toBe('INVALID_SIGNATURE');
    await recordConsent(ledger, bySomeoneElse);
    expect((await refused(ledger, () => overview(ledger, bySomeoneElse, 'AgenciesMSP'))).message).toBe(
      `INVALID_SIGNATURE: the consent is not signed by the current key of ${alice.did}`,
    );
    const forOther = signedConsent(alice, { counsellor: 'CityMSP/bram' });
    expect((await refused(ledger, () => recordConsent(ledger, forOther))).message).toMatch(
      /^FORBIDDEN: the consent is for counsellor CityMSP\/bram; CityMSP\/eva may not record it$/,
    );
  });

  it("never lets a creditor read another creditor's records, with or without consent", async () => {
    const { ledger, alice } = await twoCreditors();
    const consent = signedConsent(alice);
    await recordConsent(ledger, consent);
    const list = (who: typeof agenciesCreditor, peer: string): Promise<string> =>
      ledger.tx(who, (ctx) => debt.ListDebts(ctx, alice.did), NOW, { peerMspId: peer });
    expect((JSON.parse(await list(agenciesCreditor, 'AgenciesMSP')) as DebtRecord[]).map((r) => r.amountCents)).toEqual([TAX]);
    expect((await refused(ledger, () => list(utilitiesCreditor, 'AgenciesMSP'))).message).toMatch(
      /^FORBIDDEN: debt:ListDebts: UtilitiesMSP reads its own records through its own peers/,
    );
    expect((await refused(ledger, () => overview(ledger, consent, 'AgenciesMSP', NOW + 60, utilitiesCreditor))).code).toBe('FORBIDDEN');
    expect(
      (await refused(ledger, () => overview(ledger, consent, 'AgenciesMSP', NOW + 60, { mspId: 'UtilitiesMSP', role: 'debt-counsellor', name: 'eva' })))
        .message,
    ).toMatch(/not open to members of UtilitiesMSP/);
  });

  it('refuses malformed debts, changing nothing', async () => {
    const ledger = newLedger();
    const alice = await registeredCitizen(ledger);
    const base = { debtId: randomBytes(16).toString('hex'), subject: alice.did, creditorReference: 'r', origin: 'o', since: '2026-01-01' };
    const record = (d: unknown): Promise<string> => ledger.tx(agenciesCreditor, (ctx) => debt.RecordDebt(ctx), NOW, { transient: { debt: JSON.stringify(d) } });
    expect((await refused(ledger, () => record({ ...base, amountCents: -500 }))).message).toBe(
      'INVALID_ARGUMENT: transient.debt.amountCents: must be a positive number of cents',
    );
    expect((await refused(ledger, () => record({ ...base, amountCents: 10.5 }))).message).toBe(
      'INVALID_ARGUMENT: transient.debt.amountCents: must be whole cents',
    );
    expect((await refused(ledger, () => ledger.tx(agenciesCreditor, (ctx) => debt.RecordDebt(ctx)))).message).toMatch(
      /^INVALID_ARGUMENT: transient\.debt is required/,
    );
    expect(
      (
        await refused(ledger, () =>
          ledger.tx({ mspId: 'AgenciesMSP', role: 'clerk' }, (ctx) => debt.RecordDebt(ctx), NOW, {
            transient: { debt: JSON.stringify({ ...base, amountCents: 5 }) },
          }),
        )
      ).code,
    ).toBe('FORBIDDEN');
  });

  it('settles and purges a debt: the private record goes and no public state is written', async () => {
    const { ledger, alice } = await twoCreditors();
    const [record] = JSON.parse(await ledger.tx(agenciesCreditor, (ctx) => debt.ListDebts(ctx, alice.did))) as DebtRecord[];
    const current = JSON.stringify({ record });
    const stale = JSON.stringify({ record: { ...record, outstandingCents: 1 } });
    expect((await refused(ledger, () => ledger.tx(agenciesCreditor, (ctx) => debt.SettleDebt(ctx), NOW, { transient: { current: stale } }))).message).toMatch(
      /as supplied does not match the ledger/,
    );
    expect((await refused(ledger, () => ledger.tx(utilitiesCreditor, (ctx) => debt.SettleDebt(ctx), NOW, { transient: { current } }))).code).toBe('FORBIDDEN');
    const publicBefore = new Map(ledger.state);
    await ledger.tx(agenciesCreditor, (ctx) => debt.PurgeDebt(ctx), NOW, { transient: { current } });
    expect(JSON.parse(await ledger.tx(agenciesCreditor, (ctx) => debt.ListDebts(ctx, alice.did)))).toEqual([]);
    expect(ledger.privateData.state.get('debtAgenciesMSP')?.size).toBe(0);
    expect(new Map(ledger.state)).toEqual(publicBefore);
  });

  it('refuses to store a private record that does not match its model, naming its type and collection but not its subject, and stores nothing', async () => {
    const { ledger, alice } = await twoCreditors();
    const [record] = JSON.parse(await ledger.tx(agenciesCreditor, (ctx) => debt.ListDebts(ctx, alice.did))) as DebtRecord[];
    if (record === undefined) {
      throw new Error('the fixture records a debt');
    }
    const before = ledger.snapshot();
    // The body catches the refusal and resolves, so the transaction commits whatever putPrivate wrote.
    const error = await ledger.tx(agenciesCreditor, (ctx) =>
      putPrivate(ctx, 'debtAgenciesMSP', recordKey(ctx, record.debtId), debtRecordSchema, { ...record, outstandingCents: -1 }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(error).toBeInstanceOf(ChaincodeError);
    expect((error as ChaincodeError).message).toMatch(
      /^FAILED_PRECONDITION: private record civic\.debt\.record in debtAgenciesMSP would not match its model \(outstandingCents: .+\); nothing was written$/,
    );
    expect((error as ChaincodeError).message).not.toContain(alice.did);
    expect(ledger.snapshot()).toEqual(before);
  });
});
