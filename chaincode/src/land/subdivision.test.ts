import type { FakeLedger } from '../test-support/fake-context';
import { accept, approve, land, offer, ownerIndex, registrar, setup } from '../test-support/land-fixtures';
import { refused } from '../test-support/refusal';
import type { Parcel } from './parcel';

const point = { type: 'Point', coordinates: [4.9, 52.37] };

async function get(ledger: FakeLedger, id: string): Promise<Parcel> {
  return JSON.parse(await ledger.tx(registrar, (ctx) => land.GetParcel(ctx, id))) as Parcel;
}

function split(ledger: FakeLedger, areas: number[]): Promise<string> {
  const children = areas.map((areaM2, i) => ({ cadastralId: `AM-K-1234-${i + 1}`, areaM2, location: point }));
  return ledger.tx(registrar, (ctx) => land.SplitParcel(ctx, JSON.stringify({ cadastralId: 'AM-K-1234', children })));
}

describe('subdivision and merge', () => {
  it('splits then merges back, conserving area exactly and keeping owners, with lineage both ways', async () => {
    const { ledger, alice } = await setup();
    await split(ledger, [100, 99, 51]);
    const parent = await get(ledger, 'AM-K-1234');
    expect(parent).toMatchObject({ status: 'retired', children: ['AM-K-1234-1', 'AM-K-1234-2', 'AM-K-1234-3'] });
    const child = await get(ledger, 'AM-K-1234-2');
    expect(child).toMatchObject({ areaM2: 99, parents: ['AM-K-1234'], status: 'active', owners: [{ did: alice.did, share: { num: 1, den: 1 } }] });
    expect(ownerIndex(ledger).length).toBe(3);

    await ledger.tx(registrar, (ctx) =>
      land.MergeParcels(
        ctx,
        JSON.stringify({ cadastralIds: ['AM-K-1234-1', 'AM-K-1234-2', 'AM-K-1234-3'], merged: { cadastralId: 'AM-K-1235', location: point } }),
      ),
    );
    const merged = await get(ledger, 'AM-K-1235');
    expect(merged).toMatchObject({ areaM2: 250, parents: ['AM-K-1234-1', 'AM-K-1234-2', 'AM-K-1234-3'] });
    expect((await get(ledger, 'AM-K-1234-3')).children).toEqual(['AM-K-1235']);
    expect(ownerIndex(ledger)).toEqual([alice.did]);
  });

  it('refuses a split whose areas do not sum to the parent, or that reuses an id', async () => {
    const { ledger } = await setup();
    expect((await refused(ledger, () => split(ledger, [100, 100]))).message).toBe(
      "INVALID_ARGUMENT: request.children: areas sum to 200 m², not the parent's 250 m²",
    );
    const dup = JSON.stringify({
      cadastralId: 'AM-K-1234',
      children: [
        { cadastralId: 'AM-K-1234', areaM2: 125, location: point },
        { cadastralId: 'AM-K-7', areaM2: 125, location: point },
      ],
    });
    expect((await refused(ledger, () => ledger.tx(registrar, (ctx) => land.SplitParcel(ctx, dup)))).code).toBe('ALREADY_EXISTS');
  });

  it('refuses to merge parcels with different owners, and any change to a retired parcel', async () => {
    const { ledger, alice, bob } = await setup();
    await split(ledger, [125, 125]);
    expect((await refused(ledger, () => offer(ledger, alice, bob, { num: 1, den: 1 }, 2))).message).toMatch(/parcel AM-K-1234 is retired/);

    const o = await offer(ledger, alice, bob, { num: 1, den: 2 }, 1, 'AM-K-1234-1');
    await accept(ledger, bob, o.offerId, 'AM-K-1234-1');
    await approve(ledger, o.offerId, registrar, 'AM-K-1234-1');
    const request = JSON.stringify({ cadastralIds: ['AM-K-1234-1', 'AM-K-1234-2'], merged: { cadastralId: 'AM-K-9', location: point } });
    expect((await refused(ledger, () => ledger.tx(registrar, (ctx) => land.MergeParcels(ctx, request)))).message).toMatch(/exactly the same owners and shares/);
  });
});
