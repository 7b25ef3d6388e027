import type { FakeIdentity, FakeLedger } from './fake-context';
import { newCitizenKey, signPayload, type CitizenKey } from './citizen-keys';
import { IdentityContract } from '../identity/identity-contract';
import { registerPayload } from '../identity/proofs';

export const identityContract = new IdentityContract();
export const clerk: FakeIdentity = { mspId: 'AgenciesMSP', role: 'clerk' };
export const cityAdmin: FakeIdentity = { mspId: 'CityMSP', role: 'admin' };

/** Generate a key and register its DID through a clerk. */
export async function registeredCitizen(ledger: FakeLedger): Promise<CitizenKey> {
  const key = newCitizenKey();
  const proof = signPayload(key, registerPayload('civic', key.did, key.publicKeyJwk));
  await ledger.tx(clerk, (ctx) => identityContract.RegisterDID(ctx, JSON.stringify({ did: key.did, publicKeyJwk: key.publicKeyJwk, proof })));
  return key;
}
