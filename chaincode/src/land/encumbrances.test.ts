import { signAction, type CitizenKey } from '../test-support/citizen-keys';
import type { FakeIdentity, FakeLedger } from '../test-support/fake-context';
import { accept, approve, land, offer, parcel, registrar, setup } from '../test-support/land-fixtures';
import { refused } from '../test-support/refusal';

const court: FakeIdentity = { mspId: 'CityMSP', role: 'court' };
const bankStaff: FakeIdentity = { mspId: 'AgenciesMSP', role: 'lender' };
const engineer: FakeIdentity = { mspId: 'UtilitiesMSP', role: 'engineer' };
const FILING = 'c'.repeat(64);

function consent(owner: CitizenKey, version: number, lender = 'AgenciesMSP'): unknown {
  return signAction(owner, 'land:ConsentMortgage', { cadastralId: 'AM-K-1234', parcelVersion: version, lender });
}

async function mortgage(ledger: FakeLedger, consents: unknown[]): Promise<string> {
  const p = JSON.parse(
    await ledger.tx(bankStaff, (ctx) =>
      land.RegisterMortgage(ctx, JSON.stringify({ cadastralId: 'AM-K-1234', description: 'Housing loan 2026-117', consents })),
    ),
  ) as { encumbrances: { id: string }[] };
  return p.encumbrances.at(-1)?.id ?? '';
}

describe('disputes', () => {
  it('freeze the parcel until resolved: no transfer, no encumbrance, open offers void', async () => {
    const { ledger, alice, bob } = await setup();
    const o = await offer(ledger, alice, bob);
    await accept(ledger, bob, o.offerId);
    await ledger.tx(court, (ctx) => land.OpenDispute(ctx, JSON.stringify({ cadastralId: 'AM-K-1234', filingHash: FILING })));
    expect((await parcel(ledger)).status).toBe('disputed');
    expect((await refused(ledger, () => approve(ledger, o.offerId))).message).toMatch(/parcel AM-K-1234 is disputed; it cannot change until it is active/);
    expect((await refused(ledger, () => offer(ledger, alice, bob, { num: 1, den: 1 }, 2))).message).toMatch(/is disputed/);
    expect(
      (
        await refused(ledger, () =>
          ledger.tx(engineer, (ctx) => land.RegisterEasement(ctx, JSON.stringify({ cadastralId: 'AM-K-1234', description: 'water main' }))),
        )
      ).message,
    ).toMatch(/is disputed/);

    await ledger.tx(registrar, (ctx) => land.ResolveDispute(ctx, JSON.stringify({ cadastralId: 'AM-K-1234', filingHash: FILING })));
    expect((await parcel(ledger)).status).toBe('active');
    expect((await refused(ledger, () => approve(ledger, o.offerId))).message).toMatch(/the offer is void/);
  });

  it('are opened only by City registrars or court staff', async () => {
    const { ledger } = await setup();
    const request = JSON.stringify({ cadastralId: 'AM-K-1234', filingHash: FILING });
    expect((await refused(ledger, () => ledger.tx({ mspId: 'CityMSP', role: 'clerk' }, (ctx) => land.OpenDispute(ctx, request)))).code).toBe('FORBIDDEN');
    expect((await refused(ledger, () => ledger.tx({ mspId: 'AgenciesMSP', role: 'court' }, (ctx) => land.OpenDispute(ctx, request)))).code).toBe('FORBIDDEN');
  });
});

describe('mortgages and easements', () => {
  it('a mortgage needs every owner; it blocks transfer until the lender releases it', async () => {
    const { ledger, alice, bob } = await setup();
    const id = await mortgage(ledger, [consent(alice, 1)]);
    expect((await parcel(ledger)).encumbrances).toMatchObject([{ kind: 'mortgage', holder: 'AgenciesMSP' }]);

    const o = await offer(ledger, alice, bob, { num: 1, den: 1 }, 2);
    await accept(ledger, bob, o.offerId);
    expect((await refused(ledger, () => approve(ledger, o.offerId))).message).toMatch(
      /is mortgaged to AgenciesMSP \(tx\d+\); the lender must release it or consent to this transfer first/,
    );

    const release = JSON.stringify({ cadastralId: 'AM-K-1234', encumbranceId: id });
    expect((await refused(ledger, () => ledger.tx({ mspId: 'UtilitiesMSP', role: 'lender' }, (ctx) => land.ReleaseEncumbrance(ctx, release)))).message).toMatch(
      /only AgenciesMSP, the holder, may release/,
    );
    await ledger.tx(bankStaff, (ctx) => land.ReleaseEncumbrance(ctx, release));
    expect((await parcel(ledger)).encumbrances).toEqual([]);
  });

  it("with the lender's consent to that one offer, the transfer goes through and the mortgage stays on the parcel", async () => {
    const { ledger, alice, bob, carol } = await setup();
    const id = await mortgage(ledger, [consent(alice, 1)]);
    const o = await offer(ledger, alice, bob, { num: 1, den: 1 }, 2);
    await accept(ledger, bob, o.offerId);
    const consentTo = (offerId: string, who: FakeIdentity = bankStaff): Promise<string> =>
      ledger.tx(who, (ctx) => land.ConsentToTransfer(ctx, JSON.stringify({ cadastralId: 'AM-K-1234', offerId, encumbranceId: id })));
    expect((await refused(ledger, () => consentTo(o.offerId, { mspId: 'UtilitiesMSP', role: 'lender' }))).message).toMatch(
      /only AgenciesMSP, the holder of mortgage tx\d+, may consent/,
    );
    expect((await refused(ledger, () => consentTo(o.offerId, engineer))).code).toBe('FORBIDDEN');
    expect((await refused(ledger, () => consentTo('tx9999'))).code).toBe('NOT_FOUND');
    await consentTo(o.offerId);
    expect(ledger.events.at(-1)).toEqual({
      name: 'land.TransferConsented',
      payload: { cadastralId: 'AM-K-1234', offerId: o.offerId, encumbranceId: id, lender: 'AgenciesMSP' },
    });
    await approve(ledger, o.offerId);
    const after = await parcel(ledger);
    expect(after.owners).toEqual([{ did: bob.did, share: { num: 1, den: 1 } }]);
    expect(after.encumbrances).toMatchObject([{ id, kind: 'mortgage', holder: 'AgenciesMSP' }]);

    // The consent was for that offer only: bob's onward sale needs a new one.
    const next = await offer(ledger, bob, carol, { num: 1, den: 1 }, 3);
    await accept(ledger, carol, next.offerId);
    expect((await refused(ledger, () => approve(ledger, next.offerId))).message).toMatch(/the lender must release it or consent to this transfer first/);
    expect((await refused(ledger, () => consentTo(o.offerId))).message).toMatch(/offer .* is approved; only an open offer can be consented to/);
  });

  it('refuses a mortgage without the consent of every owner, or a consent for another lender', async () => {
    const { ledger, alice, bob } = await setup();
    const o = await offer(ledger, alice, bob, { num: 1, den: 2 });
    await accept(ledger, bob, o.offerId);
    await approve(ledger, o.offerId);
    expect((await refused(ledger, () => mortgage(ledger, [consent(alice, 2)]))).message).toMatch(/needs the consent of every owner; missing: did:civic:/);
    expect((await refused(ledger, () => mortgage(ledger, [consent(alice, 2, 'UtilitiesMSP'), consent(bob, 2)]))).message).toMatch(
      /request\.consents\.0 is for AM-K-1234 v2 and lender UtilitiesMSP/,
    );
    await mortgage(ledger, [consent(alice, 2), consent(bob, 2)]);
  });

  it('an easement registered by a utility survives a transfer', async () => {
    const { ledger, alice, bob } = await setup();
    await ledger.tx(engineer, (ctx) =>
      land.RegisterEasement(ctx, JSON.stringify({ cadastralId: 'AM-K-1234', description: 'district heating pipe, 2 m strip along the north edge' })),
    );
    const o = await offer(ledger, alice, bob, { num: 1, den: 1 }, 2);
    await accept(ledger, bob, o.offerId);
    await approve(ledger, o.offerId);
    const p = await parcel(ledger);
    expect(p.owners.map((x) => x.did)).toEqual([bob.did]);
    expect(p.encumbrances).toMatchObject([{ kind: 'easement', holder: 'UtilitiesMSP' }]);
    expect(
      (
        await refused(ledger, () =>
          ledger.tx({ mspId: 'AgenciesMSP', role: 'engineer' }, (ctx) =>
            land.RegisterEasement(ctx, JSON.stringify({ cadastralId: 'AM-K-1234', description: 'x' })),
          ),
        )
      ).code,
    ).toBe('FORBIDDEN');
  });
});
