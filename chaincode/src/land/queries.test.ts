import { registeredCitizen } from '../test-support/identity-fixtures';
import { accept, approve, land, offer, parcelRequest, registrar, setup } from '../test-support/land-fixtures';
import { fakeIterator } from '../test-support/fake-iterator';
import { refused } from '../test-support/refusal';
import type { OwnerPage, Provenance } from './queries';
import { collect } from '../shared/iterators';
import { parcelKey } from './parcels';

const point = { type: 'Point', coordinates: [4.9, 52.37] };

describe('land queries', () => {
  it("lists an owner's parcels a page at a time through the composite-key index", async () => {
    const { ledger, alice } = await setup();
    for (const id of ['AM-K-2', 'AM-K-3', 'AM-K-4', 'AM-K-5']) {
      await ledger.tx(registrar, (ctx) => land.RegisterParcel(ctx, parcelRequest([{ did: alice.did, share: { num: 1, den: 1 } }], { cadastralId: id })));
    }
    const bob = await registeredCitizen(ledger);
    await ledger.tx(registrar, (ctx) => land.RegisterParcel(ctx, parcelRequest([{ did: bob.did, share: { num: 1, den: 1 } }], { cadastralId: 'AM-K-6' })));
    const pages: string[][] = [];
    let bookmark = '';
    do {
      const page = JSON.parse(await ledger.tx(registrar, (ctx) => land.ListParcelsByOwner(ctx, alice.did, '2', bookmark))) as OwnerPage;
      pages.push(page.cadastralIds);
      bookmark = page.bookmark;
    } while (bookmark !== '');
    expect(pages).toEqual([['AM-K-1234', 'AM-K-2'], ['AM-K-3', 'AM-K-4'], ['AM-K-5']]);
    expect(await refused(ledger, () => ledger.tx(registrar, (ctx) => land.ListParcelsByOwner(ctx, alice.did, '500', '')))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('gives the full history of a parcel, through a transfer and a split back to first registration', async () => {
    const { ledger, alice, bob } = await setup();
    const o = await offer(ledger, alice, bob);
    await accept(ledger, bob, o.offerId);
    await approve(ledger, o.offerId);
    const children = [125, 125].map((areaM2, i) => ({ cadastralId: `AM-K-1234-${i + 1}`, areaM2, location: point }));
    await ledger.tx(registrar, (ctx) => land.SplitParcel(ctx, JSON.stringify({ cadastralId: 'AM-K-1234', children })));

    const history = JSON.parse(await ledger.tx(registrar, (ctx) => land.GetParcelHistory(ctx, 'AM-K-1234-2'))) as Provenance;
    expect(history.versions.map((v) => v.parcel.version)).toEqual([1]);
    const [parent] = history.parents;
    expect(parent?.cadastralId).toBe('AM-K-1234');
    expect(parent?.versions.map((v) => [v.parcel.version, v.parcel.status, v.parcel.owners.map((x) => x.did)])).toEqual([
      [1, 'active', [alice.did]],
      [2, 'active', [bob.did]],
      [3, 'retired', [bob.did]],
    ]);
    expect(parent?.versions[0]?.timestamp).toBe('2026-09-21T14:13:20.000Z');
  });
});

/**
 * What a real peer does: history comes newest first (as the fake now returns it), and a page
 * without results comes with no metadata (and so no bookmark) at all.
 */
describe("land queries on a peer's answers", () => {
  it('lists history oldest first when the peer returns it newest first', async () => {
    const { ledger, alice, bob } = await setup();
    const o = await offer(ledger, alice, bob);
    await accept(ledger, bob, o.offerId);
    await approve(ledger, o.offerId);
    const { raw, history } = await ledger.tx(registrar, async (ctx) => {
      // core/ledger/kvledger/history/query_executer.go: the history database is read newest first.
      const raw = (await collect(await ctx.stub.getHistoryForKey(parcelKey(ctx, 'AM-K-1234')))).map(
        (m) => (JSON.parse(Buffer.from(m.value).toString('utf8')) as { version: number }).version,
      );
      return { raw, history: JSON.parse(await land.GetParcelHistory(ctx, 'AM-K-1234')) as Provenance };
    });
    expect(raw).toEqual([2, 1]);
    expect(history.versions.map((v) => [v.parcel.version, v.parcel.owners.map((x) => x.did)])).toEqual([
      [1, [alice.did]],
      [2, [bob.did]],
    ]);
  });

  it('gives an empty page and no bookmark for a DID that owns nothing, as a peer sends it: without metadata', async () => {
    const { ledger } = await setup();
    const nobody = await registeredCitizen(ledger);
    const page = JSON.parse(
      await ledger.tx(registrar, (ctx) => {
        const stub = ctx.stub;
        const withoutMetadata = (): Promise<unknown> => Promise.resolve({ iterator: fakeIterator([]) });
        stub.getStateByPartialCompositeKeyWithPagination = withoutMetadata as unknown as typeof stub.getStateByPartialCompositeKeyWithPagination;
        return land.ListParcelsByOwner(ctx, nobody.did, '10', '');
      }),
    ) as OwnerPage;
    expect(page).toEqual({ owner: nobody.did, cadastralIds: [], bookmark: '' });
  });
});
