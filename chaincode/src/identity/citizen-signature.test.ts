import { ChaincodeError } from '../shared/errors';
import { newCitizenKey, signAction, signPayload } from '../test-support/citizen-keys';
import { FakeLedger } from '../test-support/fake-context';
import { clerk, identityContract, registeredCitizen } from '../test-support/identity-fixtures';
import { verifyCitizenSignature } from './citizen-signature';
import { deactivatePayload } from './proofs';

const desk = { mspId: 'CityMSP', role: 'clerk' };

async function verify(ledger: FakeLedger, signed: unknown, action = 'land:AcceptOffer'): Promise<unknown> {
  return ledger.tx(desk, (ctx) => verifyCitizenSignature(ctx, signed, action, 'consent'));
}

async function refusal(run: Promise<unknown>): Promise<ChaincodeError> {
  const e = await run.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ChaincodeError);
  return e as ChaincodeError;
}

describe('verifyCitizenSignature', () => {
  it('accepts a signature by the DID current key and returns the payload', async () => {
    const ledger = new FakeLedger();
    const alice = await registeredCitizen(ledger);
    const signed = signAction(alice, 'land:AcceptOffer', { offerId: 'O-1' });
    await expect(verify(ledger, signed)).resolves.toMatchObject({ action: 'land:AcceptOffer', offerId: 'O-1', did: alice.did });
  });

  it('refuses the same signature replayed, for the same or a second action', async () => {
    const ledger = new FakeLedger();
    const alice = await registeredCitizen(ledger);
    const signed = signAction(alice, 'land:AcceptOffer', { offerId: 'O-1' });
    await verify(ledger, signed);
    const before = ledger.snapshot();
    const again = await refusal(verify(ledger, signed));
    expect(again.code).toBe('FAILED_PRECONDITION');
    expect(again.message).toMatch(/consent was already used by transaction tx0002 for land:AcceptOffer \(replayed signature\)/);
    const sameNonce = signAction(alice, 'debt:GrantConsent', { scope: 'all' }, String(signed.payload.nonce));
    expect((await refusal(verify(ledger, sameNonce, 'debt:GrantConsent'))).message).toMatch(/replayed signature/);
    expect(ledger.snapshot()).toEqual(before);
  });

  it('refuses a signature presented for another action, channel or DID', async () => {
    const ledger = new FakeLedger();
    const alice = await registeredCitizen(ledger);
    const forLand = signAction(alice, 'land:AcceptOffer', {});
    expect((await refusal(verify(ledger, forLand, 'land:ApproveTransfer'))).message).toBe(
      'INVALID_ARGUMENT: consent.payload.action must be land:ApproveTransfer',
    );
    const otherChannel = signAction(alice, 'land:AcceptOffer', { channel: 'other' });
    expect((await refusal(verify(ledger, otherChannel))).message).toBe('INVALID_ARGUMENT: consent.payload.channel must be civic');
    const bob = await registeredCitizen(ledger);
    const swapped = { ...signAction(alice, 'land:AcceptOffer', {}), did: bob.did };
    expect((await refusal(verify(ledger, swapped))).message).toMatch(/^INVALID_ARGUMENT: consent\.payload\.did must be did:civic:/);
  });

  it('refuses a signature by another key, a changed payload, an unknown or deactivated DID', async () => {
    const ledger = new FakeLedger();
    const alice = await registeredCitizen(ledger);
    const forged = { ...signAction(newCitizenKey(), 'land:AcceptOffer', {}), did: alice.did };
    forged.payload.did = alice.did;
    expect((await refusal(verify(ledger, forged))).code).toBe('INVALID_SIGNATURE');
    const tampered = signAction(alice, 'land:AcceptOffer', { price: 100 });
    tampered.payload.price = 1;
    expect((await refusal(verify(ledger, tampered))).code).toBe('INVALID_SIGNATURE');
    expect((await refusal(verify(ledger, signAction(newCitizenKey(), 'land:AcceptOffer', {})))).code).toBe('NOT_FOUND');
    const proof = signPayload(alice, deactivatePayload('civic', alice.did, 0));
    await ledger.tx(clerk, (ctx) => identityContract.DeactivateDID(ctx, JSON.stringify({ did: alice.did, sequence: 0, proof })));
    expect((await refusal(verify(ledger, signAction(alice, 'land:AcceptOffer', {})))).message).toMatch(/is deactivated/);
  });

  it('names the malformed field', async () => {
    const ledger = new FakeLedger();
    const alice = await registeredCitizen(ledger);
    const short = signAction(alice, 'land:AcceptOffer', {}, 'abc');
    expect((await refusal(verify(ledger, short))).message).toBe('INVALID_ARGUMENT: consent.payload.nonce: must be 16-64 base64url characters');
  });
});
