import { canonicalBytes } from '../shared/canonical-json';
import { signAction } from '../test-support/citizen-keys';
import { FakeLedger } from '../test-support/fake-context';
import { registeredCitizen } from '../test-support/identity-fixtures';
import { NEW_DEED, accept, approve, desk, land, offer, ownerIndex, parcel, parcelRequest, registrar, setup } from '../test-support/land-fixtures';
import { refused } from '../test-support/refusal';
import type { Offer } from './parcel';

describe('land:RegisterParcel', () => {
  it('registers a parcel with exact shares and indexes it by owner', async () => {
    const ledger = new FakeLedger();
    const [alice, bob] = [await registeredCitizen(ledger), await registeredCitizen(ledger)];
    await ledger.tx(registrar, (ctx) =>
      land.RegisterParcel(
        ctx,
        parcelRequest([
          { did: alice.did, share: { num: 2, den: 6 } },
          { did: bob.did, share: { num: 2, den: 3 } },
        ]),
      ),
    );
    const p = await parcel(ledger);
    expect(p).toMatchObject({ areaM2: 250, status: 'active', version: 1, encumbrances: [] });
    expect(p.owners.find((o) => o.did === alice.did)?.share).toEqual({ num: 1, den: 3 });
    expect(ownerIndex(ledger).sort()).toEqual([alice.did, bob.did].sort());
    expect(ledger.events.at(-1)).toEqual({ name: 'land.ParcelRegistered', payload: { cadastralId: 'AM-K-1234', areaM2: 250, version: 1 } });
  });

  it.each([
    [
      'shares not summing to one',
      (a: string) => parcelRequest([{ did: a, share: { num: 1, den: 2 } }]),
      /^INVALID_ARGUMENT: request\.owners: shares must sum to exactly 1$/,
    ],
    [
      'a zero area',
      (a: string) => parcelRequest([{ did: a, share: { num: 1, den: 1 } }], { areaM2: 0 }),
      /^INVALID_ARGUMENT: request\.areaM2: must be a positive whole number of m²$/,
    ],
    ['a negative area', (a: string) => parcelRequest([{ did: a, share: { num: 1, den: 1 } }], { areaM2: -5 }), /request\.areaM2/],
    [
      'an open polygon',
      (a: string) =>
        parcelRequest([{ did: a, share: { num: 1, den: 1 } }], {
          location: {
            type: 'Polygon',
            coordinates: [
              [
                [4.9, 52.3],
                [4.91, 52.3],
                [4.91, 52.31],
                [4.9, 52.31],
              ],
            ],
          },
        }),
      /each polygon ring must be closed/,
    ],
    [
      'a malformed cadastral id',
      (a: string) => parcelRequest([{ did: a, share: { num: 1, den: 1 } }], { cadastralId: 'parcel 7' }),
      /request\.cadastralId: must be a cadastral id/,
    ],
  ])('refuses %s', async (_label, body, message) => {
    const ledger = new FakeLedger();
    const alice = await registeredCitizen(ledger);
    const e = await refused(ledger, () => ledger.tx(registrar, (ctx) => land.RegisterParcel(ctx, body(alice.did))));
    expect(e.message).toMatch(message);
  });

  it('refuses a registrar of the wrong org, an unknown owner and a second registration', async () => {
    const { ledger, alice } = await setup();
    const other = parcelRequest([{ did: alice.did, share: { num: 1, den: 1 } }], { cadastralId: 'AM-K-9' });
    expect((await refused(ledger, () => ledger.tx({ mspId: 'AgenciesMSP', role: 'registrar' }, (ctx) => land.RegisterParcel(ctx, other)))).message).toMatch(
      /not open to members of AgenciesMSP/,
    );
    const unknown = parcelRequest([{ did: `did:civic:${'Z'.repeat(43)}`, share: { num: 1, den: 1 } }], { cadastralId: 'AM-K-9' });
    expect((await refused(ledger, () => ledger.tx(registrar, (ctx) => land.RegisterParcel(ctx, unknown)))).code).toBe('NOT_FOUND');
    expect(
      (await refused(ledger, () => ledger.tx(registrar, (ctx) => land.RegisterParcel(ctx, parcelRequest([{ did: alice.did, share: { num: 1, den: 1 } }])))))
        .code,
    ).toBe('ALREADY_EXISTS');
  });
});

describe('three-party title transfer', () => {
  it('moves the title when seller, buyer and registrar all agree', async () => {
    const { ledger, alice, bob } = await setup();
    const o = await offer(ledger, alice, bob);
    await accept(ledger, bob, o.offerId);
    await approve(ledger, o.offerId);
    const p = await parcel(ledger);
    expect(p.owners).toEqual([{ did: bob.did, share: { num: 1, den: 1 } }]);
    expect(p).toMatchObject({ version: 2, deedHash: NEW_DEED });
    expect(ownerIndex(ledger)).toEqual([bob.did]);
    expect(ledger.events.at(-1)?.name).toBe('land.TransferApproved');
  });

  it('transfers part of a share exactly', async () => {
    const { ledger, alice, bob } = await setup();
    const o = await offer(ledger, alice, bob, { num: 1, den: 3 });
    await accept(ledger, bob, o.offerId);
    await approve(ledger, o.offerId);
    const shares = Object.fromEntries((await parcel(ledger)).owners.map((x) => [x.did, x.share]));
    expect(shares).toEqual({ [alice.did]: { num: 2, den: 3 }, [bob.did]: { num: 1, den: 3 } });
  });

  it('fails without each of the three parties', async () => {
    const { ledger, alice, bob, carol } = await setup();
    const forged = {
      ...signAction(carol, 'land:OfferTransfer', {
        cadastralId: 'AM-K-1234',
        parcelVersion: 1,
        share: { num: 1, den: 1 },
        buyer: bob.did,
        priceCents: 1,
        deedHash: NEW_DEED,
      }),
      did: alice.did,
    };
    forged.payload.did = alice.did;
    expect((await refused(ledger, () => ledger.tx(desk, (ctx) => land.OfferTransfer(ctx, JSON.stringify(forged))))).code).toBe('INVALID_SIGNATURE');
    expect((await refused(ledger, () => offer(ledger, carol, bob))).message).toMatch(/does not own 1\/1 of parcel AM-K-1234/);

    const o = await offer(ledger, alice, bob);
    expect((await refused(ledger, () => approve(ledger, o.offerId))).message).toMatch(/is offered, not accepted by the buyer/);
    expect((await refused(ledger, () => accept(ledger, carol, o.offerId))).message).toMatch(/only the buyer named in offer/);
    await accept(ledger, bob, o.offerId);
    expect((await refused(ledger, () => approve(ledger, o.offerId, desk))).message).toMatch(/not open to members of AgenciesMSP/);
    expect((await refused(ledger, () => approve(ledger, o.offerId, { mspId: 'CityMSP', role: 'clerk' }))).message).toMatch(/requires role registrar/);
    expect((await parcel(ledger)).owners).toEqual([{ did: alice.did, share: { num: 1, den: 1 } }]);
  });

  it('sells the same share once: a second accepted offer is void after the first is approved', async () => {
    const { ledger, alice, bob, carol } = await setup();
    const [toBob, toCarol] = [await offer(ledger, alice, bob), await offer(ledger, alice, carol)];
    await accept(ledger, bob, toBob.offerId);
    await accept(ledger, carol, toCarol.offerId);
    await approve(ledger, toBob.offerId);
    expect((await refused(ledger, () => approve(ledger, toCarol.offerId))).message).toMatch(/changed since the offer \(version 1, now 2\); the offer is void/);
    expect((await parcel(ledger)).owners).toEqual([{ did: bob.did, share: { num: 1, den: 1 } }]);
  });

  it('lets the seller withdraw an offer before approval', async () => {
    const { ledger, alice, bob } = await setup();
    const o = await offer(ledger, alice, bob);
    await ledger.tx(desk, (ctx) =>
      land.WithdrawOffer(ctx, JSON.stringify(signAction(alice, 'land:WithdrawOffer', { cadastralId: 'AM-K-1234', offerId: o.offerId }))),
    );
    expect((await refused(ledger, () => accept(ledger, bob, o.offerId))).message).toMatch(/is withdrawn/);
  });

  it('refuses a replayed acceptance signature', async () => {
    const { ledger, alice, bob } = await setup();
    const o = await offer(ledger, alice, bob);
    const signed = signAction(bob, 'land:AcceptOffer', { cadastralId: 'AM-K-1234', offerId: o.offerId });
    await ledger.tx(desk, (ctx) => land.AcceptOffer(ctx, JSON.stringify(signed)));
    expect((await refused(ledger, () => ledger.tx(desk, (ctx) => land.AcceptOffer(ctx, JSON.stringify(signed))))).message).toMatch(/replayed signature/);
  });
});

describe('share precision of a transfer', () => {
  /** alice keeps 999982/999983 of AM-K-1234 and bob holds 1/999983 (parcel version 2). */
  async function bobHoldsAMillionth(): Promise<Awaited<ReturnType<typeof setup>>> {
    const parties = await setup();
    const o = await offer(parties.ledger, parties.alice, parties.bob, { num: 1, den: 999_983 });
    await accept(parties.ledger, parties.bob, o.offerId);
    await approve(parties.ledger, o.offerId);
    return parties;
  }

  const OWNERS_AT_VERSION_2 = (alice: string, bob: string): Record<string, { num: number; den: number }> => ({
    [alice]: { num: 999_982, den: 999_983 },
    [bob]: { num: 1, den: 999_983 },
  });

  it('refuses at offer time a share that, added to what the buyer holds, is finer than a share may be; the parcel still reads', async () => {
    const { ledger, alice, bob } = await bobHoldsAMillionth();
    const e = await refused(ledger, () => offer(ledger, alice, bob, { num: 1, den: 999_979 }, 2));
    expect(e.code).toBe('FAILED_PRECONDITION');
    expect(e.message).toContain(`parcel AM-K-1234: ${alice.did} passing 1/999979 to ${bob.did} would leave the `);
    expect(e.message).toContain(`buyer ${bob.did} with 1999962/999962000357`);
    expect(e.message).toContain('denominator at most 1000000');
    const p = await parcel(ledger);
    expect(p.version).toBe(2);
    expect(Object.fromEntries(p.owners.map((x) => [x.did, x.share]))).toEqual(OWNERS_AT_VERSION_2(alice.did, bob.did));
  });

  it("refuses at offer time a sale that would leave the seller's remaining share finer than a share may be", async () => {
    const { ledger, alice, carol } = await bobHoldsAMillionth();
    const e = await refused(ledger, () => offer(ledger, alice, carol, { num: 1, den: 999_979 }, 2));
    expect(e.code).toBe('FAILED_PRECONDITION');
    expect(e.message).toContain(`seller ${alice.did} with 999960000395/999962000357`);
    expect(e.message).not.toContain(`buyer ${carol.did}`);
    expect((await parcel(ledger)).version).toBe(2);
  });

  it('refuses at approval an accepted offer whose result is out of range (an offer stored before offers were checked)', async () => {
    const { ledger, alice, bob } = await bobHoldsAMillionth();
    const stored: Offer = {
      offerId: 'tx-earlier',
      cadastralId: 'AM-K-1234',
      parcelVersion: 2,
      seller: alice.did,
      buyer: bob.did,
      share: { num: 1, den: 999_979 },
      priceCents: 100,
      deedHash: NEW_DEED,
      status: 'accepted',
      created: '2026-09-21T10:00:00Z',
      updated: '2026-09-21T10:00:00Z',
    };
    ledger.state.set(`\u0000civic.land.offer\u0000AM-K-1234\u0000tx-earlier\u0000`, canonicalBytes(stored));
    const e = await refused(ledger, () => approve(ledger, 'tx-earlier'));
    expect(e.code).toBe('FAILED_PRECONDITION');
    expect(e.message).toContain(`parcel AM-K-1234: ${alice.did} passing 1/999979 to ${bob.did}`);
    expect(e.message).toContain(`buyer ${bob.did} with 1999962/999962000357`);
    const p = await parcel(ledger);
    expect(p.version).toBe(2);
    expect(Object.fromEntries(p.owners.map((x) => [x.did, x.share]))).toEqual(OWNERS_AT_VERSION_2(alice.did, bob.did));
  });

  it('still transfers fine shares whose results stay in range', async () => {
    const { ledger, alice, bob } = await bobHoldsAMillionth();
    const o = await offer(ledger, alice, bob, { num: 2, den: 999_983 }, 2);
    await accept(ledger, bob, o.offerId);
    await approve(ledger, o.offerId);
    const shares = Object.fromEntries((await parcel(ledger)).owners.map((x) => [x.did, x.share]));
    expect(shares).toEqual({ [alice.did]: { num: 999_980, den: 999_983 }, [bob.did]: { num: 3, den: 999_983 } });
  });
});
