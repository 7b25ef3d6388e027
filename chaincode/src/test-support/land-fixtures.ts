import { signAction, type CitizenKey } from './citizen-keys';
import { FakeLedger, type FakeIdentity } from './fake-context';
import { registeredCitizen } from './identity-fixtures';
import { LandContract } from '../land/land-contract';
import type { Offer, Parcel } from '../land/parcel';

/** Shared fixtures for land registry unit tests: one parcel AM-K-1234 owned by alice. */
export const land = new LandContract();
export const registrar: FakeIdentity = { mspId: 'CityMSP', role: 'registrar' };
export const desk: FakeIdentity = { mspId: 'AgenciesMSP', role: 'clerk' };
export const DEED = 'a'.repeat(64);
export const NEW_DEED = 'b'.repeat(64);

export function parcelRequest(owners: { did: string; share: { num: number; den: number } }[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    cadastralId: 'AM-K-1234',
    areaM2: 250,
    location: { type: 'Point', coordinates: [4.9, 52.37] },
    landUse: 'residential',
    owners,
    deedHash: DEED,
    ...extra,
  });
}

export async function parcel(ledger: FakeLedger): Promise<Parcel> {
  return JSON.parse(await ledger.tx(desk, (ctx) => land.GetParcel(ctx, 'AM-K-1234'))) as Parcel;
}

export async function offer(
  ledger: FakeLedger,
  seller: CitizenKey,
  buyer: CitizenKey,
  share = { num: 1, den: 1 },
  version = 1,
  cadastralId = 'AM-K-1234',
): Promise<Offer> {
  const signed = signAction(seller, 'land:OfferTransfer', {
    cadastralId,
    parcelVersion: version,
    share,
    buyer: buyer.did,
    priceCents: 32_500_000,
    deedHash: NEW_DEED,
  });
  return JSON.parse(await ledger.tx(desk, (ctx) => land.OfferTransfer(ctx, JSON.stringify(signed)))) as Offer;
}

export function accept(ledger: FakeLedger, buyer: CitizenKey, offerId: string, cadastralId = 'AM-K-1234'): Promise<string> {
  return ledger.tx(desk, (ctx) => land.AcceptOffer(ctx, JSON.stringify(signAction(buyer, 'land:AcceptOffer', { cadastralId, offerId }))));
}

export function approve(ledger: FakeLedger, offerId: string, who: FakeIdentity = registrar, cadastralId = 'AM-K-1234'): Promise<string> {
  return ledger.tx(who, (ctx) => land.ApproveTransfer(ctx, JSON.stringify({ cadastralId, offerId })));
}

export async function setup(): Promise<{ ledger: FakeLedger; alice: CitizenKey; bob: CitizenKey; carol: CitizenKey }> {
  const ledger = new FakeLedger();
  const [alice, bob, carol] = [await registeredCitizen(ledger), await registeredCitizen(ledger), await registeredCitizen(ledger)];
  await ledger.tx(registrar, (ctx) => land.RegisterParcel(ctx, parcelRequest([{ did: alice.did, share: { num: 1, den: 1 } }])));
  return { ledger, alice, bob, carol };
}

export const ownerIndex = (ledger: FakeLedger): string[] =>
  [...ledger.state.keys()].filter((k) => k.startsWith('\u0000civic.land.owner')).map((k) => k.split('\u0000')[2] ?? '');
