import { signAction, type CitizenKey } from '../test-support/citizen-keys';
import { refused } from '../test-support/refusal';
import { FakeLedger, type FakeIdentity } from '../test-support/fake-context';
import { cityAdmin, identityContract as contract, registeredCitizen } from '../test-support/identity-fixtures';
import { STATUS_LIST_SIZE, decodeList, encodeList, getBit, withBit } from './bitstring';

const issuerStaff: FakeIdentity = { mspId: 'AgenciesMSP', role: 'issuer' };

/** Encoded list of an all-zero 131,072-bit list, from W3C Bitstring Status List v1.0 (example BitstringStatusListCredential). */
const W3C_EMPTY_LIST = 'uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA';

describe('bitstring helpers', () => {
  it('decodes the W3C example list to 131,072 zero bits', () => {
    const bits = decodeList(W3C_EMPTY_LIST);
    expect(bits.length * 8).toBe(STATUS_LIST_SIZE);
    expect(bits.every((b) => b === 0)).toBe(true);
  });

  it('numbers bits from the left of the bitstring and round-trips through encodedList', () => {
    let bits: Uint8Array = new Uint8Array(STATUS_LIST_SIZE / 8);
    bits = withBit(withBit(bits, 0, true), 12, true);
    expect(bits[0]).toBe(0b1000_0000);
    expect(bits[1]).toBe(0b0000_1000);
    expect(getBit(bits, 12)).toBe(true);
    expect(getBit(withBit(bits, 12, false), 12)).toBe(false);
    expect(decodeList(encodeList(bits))).toEqual(bits);
  });
});

async function setupIssuer(ledger: FakeLedger): Promise<CitizenKey> {
  const agency = await registeredCitizen(ledger);
  await ledger.tx(cityAdmin, (ctx) =>
    contract.RegisterIssuer(ctx, JSON.stringify({ did: agency.did, name: 'Youth Services', mspId: 'AgenciesMSP', credentialTypes: ['AgeCredential'] })),
  );
  return agency;
}

function setStatus(ledger: FakeLedger, who: FakeIdentity, signed: unknown): Promise<string> {
  return ledger.tx(who, (ctx) => contract.SetCredentialStatus(ctx, JSON.stringify(signed)));
}

async function bitOf(ledger: FakeLedger, issuer: string, purpose: string, index: number): Promise<boolean> {
  const list = JSON.parse(await ledger.tx(cityAdmin, (ctx) => contract.GetStatusList(ctx, issuer, purpose))) as { encodedList: string };
  return getBit(decodeList(list.encodedList), index);
}

describe('identity:SetCredentialStatus', () => {
  it('revokes an index by the issuer signature; the published list shows it; revocation is final', async () => {
    const ledger = new FakeLedger();
    const issuer = await setupIssuer(ledger);
    expect(await bitOf(ledger, issuer.did, 'revocation', 94_567)).toBe(false);
    await setStatus(ledger, issuerStaff, signAction(issuer, 'identity:SetCredentialStatus', { purpose: 'revocation', index: 94_567, value: true }));
    expect(await bitOf(ledger, issuer.did, 'revocation', 94_567)).toBe(true);
    expect(await bitOf(ledger, issuer.did, 'revocation', 94_566)).toBe(false);
    expect(ledger.events.at(-1)).toEqual({
      name: 'identity.CredentialStatusChanged',
      payload: { issuer: issuer.did, purpose: 'revocation', index: 94_567, value: true },
    });

    const undo = signAction(issuer, 'identity:SetCredentialStatus', { purpose: 'revocation', index: 94_567, value: false });
    expect((await refused(ledger, () => setStatus(ledger, issuerStaff, undo))).message).toMatch(/revocation of index 94567 .* is final/);
  });

  it('suspends and lifts a suspension', async () => {
    const ledger = new FakeLedger();
    const issuer = await setupIssuer(ledger);
    await setStatus(ledger, issuerStaff, signAction(issuer, 'identity:SetCredentialStatus', { purpose: 'suspension', index: 7, value: true }));
    expect(await bitOf(ledger, issuer.did, 'suspension', 7)).toBe(true);
    await setStatus(ledger, issuerStaff, signAction(issuer, 'identity:SetCredentialStatus', { purpose: 'suspension', index: 7, value: false }));
    expect(await bitOf(ledger, issuer.did, 'suspension', 7)).toBe(false);
  });

  it('refuses staff of another org or role, a non-issuer DID, a replay and an index out of range', async () => {
    const ledger = new FakeLedger();
    const issuer = await setupIssuer(ledger);
    const change = (): ReturnType<typeof signAction> => signAction(issuer, 'identity:SetCredentialStatus', { purpose: 'revocation', index: 1, value: true });
    expect((await refused(ledger, () => setStatus(ledger, { mspId: 'UtilitiesMSP', role: 'issuer' }, change()))).message).toMatch(
      /not open to members of UtilitiesMSP/,
    );
    expect((await refused(ledger, () => setStatus(ledger, { mspId: 'AgenciesMSP', role: 'clerk' }, change()))).message).toMatch(/requires role issuer/);
    const stranger = await registeredCitizen(ledger);
    const byStranger = signAction(stranger, 'identity:SetCredentialStatus', { purpose: 'revocation', index: 1, value: true });
    expect((await refused(ledger, () => setStatus(ledger, issuerStaff, byStranger))).code).toBe('NOT_FOUND');
    const once = change();
    await setStatus(ledger, issuerStaff, once);
    expect((await refused(ledger, () => setStatus(ledger, issuerStaff, once))).message).toMatch(/replayed signature/);
    const outOfRange = signAction(issuer, 'identity:SetCredentialStatus', { purpose: 'revocation', index: STATUS_LIST_SIZE, value: true });
    expect((await refused(ledger, () => setStatus(ledger, issuerStaff, outOfRange))).message).toMatch(/^INVALID_ARGUMENT: request\.payload\.index: /);
  });
});
