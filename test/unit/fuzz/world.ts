import { AllocationContract } from '../../../chaincode/src/allocation/allocation-contract';
import { agenciesCreditor, newLedger, recordDebt } from '../../../chaincode/src/test-support/debt-fixtures';
import type { CitizenKey } from '../../../chaincode/src/test-support/citizen-keys';
import type { FakeLedger } from '../../../chaincode/src/test-support/fake-context';
import { registeredCitizen } from '../../../chaincode/src/test-support/identity-fixtures';
import { land, parcelRequest, registrar } from '../../../chaincode/src/test-support/land-fixtures';
import { createPetition, finalizedToken, petitionSpec, tokenKeyPair } from '../../../chaincode/src/test-support/petition-fixtures';
import type { RsaPublicKeyJwk } from '../../../chaincode/src/petition/model';
import { probeWorld } from '../access-matrix/probe';

/** A ledger with something of every service on it, and the ids a fuzzer may aim at. */
export interface FuzzWorld {
  readonly ledger: FakeLedger;
  /** Real DIDs, parcel, round, petition and debt ids of this ledger. */
  readonly known: readonly string[];
  /** The citizen who owns the parcel and the debt. */
  readonly alice: CitizenKey;
  /** The trusted issuers, by the MSP ID of their org. */
  readonly issuers: Readonly<Record<string, CitizenKey>>;
  /** The petition's token key, and a token with its signature for that petition. */
  readonly petition: { readonly id: string; readonly publicKey: RsaPublicKeyJwk; readonly token: string; readonly signature: string };
  readonly roundId: string;
  readonly debtId: string;
}

const ROUND = {
  roundId: 'fair-2026-w48',
  title: 'Weekend fair',
  sites: [
    { id: 'F1', category: 'food' },
    { id: 'C1', category: 'crafts' },
  ],
  quotas: { crafts: 1 },
  priorityGroups: ['local-producer'],
  closes: '2026-09-22T12:00:00.000Z',
};

/**
 * A ledger (with the debt collections) holding a registered citizen, one issuer per founding org,
 * a parcel the citizen owns, an open allocation round, a petition and a debt of the citizen.
 */
export async function fuzzWorld(): Promise<FuzzWorld> {
  const { ledger, issuers } = await probeWorld(newLedger());
  const alice = await registeredCitizen(ledger);
  await ledger.tx(registrar, (ctx) => land.RegisterParcel(ctx, parcelRequest([{ did: alice.did, share: { num: 1, den: 1 } }])));
  await ledger.tx({ mspId: 'CityMSP', role: 'allocation-officer' }, (ctx) => new AllocationContract().OpenRound(ctx, JSON.stringify(ROUND)));
  const tokenKey = tokenKeyPair();
  const petitionId = 'riverside-sundays';
  await createPetition(ledger, petitionSpec(petitionId, tokenKey.publicKey));
  const debtId = await recordDebt(ledger, agenciesCreditor, alice.did, 31_240);
  return {
    ledger,
    known: [alice.did, ...Object.values(issuers).map((k) => k.did), 'AM-K-1234', ROUND.roundId, 'F1', petitionId, debtId, 'AgenciesMSP', 'CityMSP/eva'],
    alice,
    issuers,
    petition: { id: petitionId, publicKey: tokenKey.publicKey, ...finalizedToken(tokenKey.privateKey, petitionId) },
    roundId: ROUND.roundId,
    debtId,
  };
}
