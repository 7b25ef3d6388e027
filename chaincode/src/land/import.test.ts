import { FakeLedger } from '../test-support/fake-context';
import { registeredCitizen } from '../test-support/identity-fixtures';
import { desk, land, parcelRequest, registrar, setup } from '../test-support/land-fixtures';
import { refused } from '../test-support/refusal';
import type { ImportResult } from './parcel';

function request(alice: string, id: string, extra: Record<string, unknown> = {}): unknown {
  return JSON.parse(parcelRequest([{ did: alice, share: { num: 1, den: 1 } }], { cadastralId: id, ...extra })) as unknown;
}

describe('land:ImportParcels', () => {
  it('registers every valid parcel whole and reports each rejected one with its reason', async () => {
    const { ledger, alice } = await setup();
    const unknownOwner = `did:civic:${'Z'.repeat(43)}`;
    const parcels = [
      request(alice.did, 'AM-I-1'),
      request(alice.did, 'AM-I-2', { areaM2: 0 }),
      request(alice.did, 'AM-K-1234'),
      JSON.parse(parcelRequest([{ did: unknownOwner, share: { num: 1, den: 1 } }], { cadastralId: 'AM-I-3' })) as unknown,
      request(alice.did, 'AM-I-1'),
      'not a parcel',
      request(alice.did, 'AM-I-4', { owners: [{ did: alice.did, share: { num: 1, den: 2 } }] }),
      request(alice.did, 'AM-I-5'),
    ];
    const before = ledger.state.size;
    const result = JSON.parse(await ledger.tx(registrar, (ctx) => land.ImportParcels(ctx, JSON.stringify({ parcels })))) as ImportResult;
    expect(result.registered).toEqual(['AM-I-1', 'AM-I-5']);
    expect(result.rejected.map((r) => [r.index, r.cadastralId, r.code])).toEqual([
      [1, 'AM-I-2', 'INVALID_ARGUMENT'],
      [2, 'AM-K-1234', 'ALREADY_EXISTS'],
      [3, 'AM-I-3', 'NOT_FOUND'],
      [4, 'AM-I-1', 'ALREADY_EXISTS'],
      [5, null, 'INVALID_ARGUMENT'],
      [6, 'AM-I-4', 'INVALID_ARGUMENT'],
    ]);
    expect(result.rejected[0]?.message).toBe('request.parcels[1].areaM2: must be a positive whole number of m²');
    expect(result.rejected[5]?.message).toBe('request.parcels[6].owners: shares must sum to exactly 1');
    // two parcels, each with its owner-index entry; nothing of the rejected ones
    expect(ledger.state.size).toBe(before + 4);
    const shown = JSON.parse(await ledger.tx(desk, (ctx) => land.GetParcel(ctx, 'AM-I-5'))) as { owners: unknown[]; version: number };
    expect(shown).toMatchObject({ version: 1, owners: [{ did: alice.did, share: { num: 1, den: 1 } }] });
    expect(ledger.events.at(-1)).toEqual({ name: 'land.ParcelsImported', payload: { count: 2, first: 'AM-I-1', last: 'AM-I-5' } });
  });

  it('refuses a malformed or oversized batch, and callers other than a City registrar, changing nothing', async () => {
    const ledger = new FakeLedger();
    const alice = await registeredCitizen(ledger);
    const tooMany = Array.from({ length: 201 }, (_, i) => request(alice.did, `AM-I-${String(i)}`));
    expect((await refused(ledger, () => ledger.tx(registrar, (ctx) => land.ImportParcels(ctx, JSON.stringify({ parcels: tooMany }))))).message).toMatch(
      /^INVALID_ARGUMENT: request\.parcels: /,
    );
    expect((await refused(ledger, () => ledger.tx(registrar, (ctx) => land.ImportParcels(ctx, JSON.stringify({ parcels: [] }))))).code).toBe(
      'INVALID_ARGUMENT',
    );
    const one = JSON.stringify({ parcels: [request(alice.did, 'AM-I-1')] });
    expect((await refused(ledger, () => ledger.tx({ mspId: 'UtilitiesMSP', role: 'registrar' }, (ctx) => land.ImportParcels(ctx, one)))).code).toBe(
      'FORBIDDEN',
    );
  });
});
