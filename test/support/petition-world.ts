import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerPayload } from '@civic-ledger/chaincode/dist/identity/client';
import type { IssuanceRecord, PetitionRecord, SignatureRecord } from '@civic-ledger/chaincode/dist/petition/client';
import { IdentityContract } from '../../chaincode/src/identity/identity-contract';
import { FakeLedger } from '../../chaincode/src/test-support/fake-context';
import { cityClerk, cityIssuer, CREATED_AT, petitionContract, petitionSpec } from '../../chaincode/src/test-support/petition-fixtures';
import { generateCitizenKey, signWithKey, type CitizenKeyFile } from '../../cli/src/citizen/key-file';
import { issueCredential } from '../../cli/src/credentials/issue';
import { presentCredential } from '../../cli/src/credentials/present';
import { generateTokenKeys } from '../../cli/src/petition/blind-rsa';
import { requestToken, finishToken } from '../../cli/src/petition/citizen';
import type { TokenFile, TokenKeyFile } from '../../cli/src/petition/files';
import { issueToken } from '../../cli/src/petition/issuer';
import { allPages, type PetitionLedger, type PetitionResults } from '../../cli/src/petition/ledger';
import { identityReader } from './identity-reader';

const identity = new IdentityContract();
const clerk = { mspId: 'AgenciesMSP', role: 'clerk' };
export const NOW = CREATED_AT + 600;
export const CHALLENGE = { audience: 'https://petitions.civitas.example', nonce: 'desk-7-c0ffee-0001' };
export const RESIDENCY = 'ResidencyCredential';

/** A PetitionLedger over the petition contract's real logic on the unit-test ledger fake. */
export function fakePetitionLedger(ledger: FakeLedger, at = NOW): PetitionLedger {
  const query = async <T>(fn: 'GetPetition' | 'GetResults', id: string): Promise<T> =>
    JSON.parse(await ledger.tx(clerk, (ctx) => petitionContract[fn](ctx, id), at)) as T;
  /** Small pages, so that the tests also exercise the bookmarks. */
  const page = async (fn: 'GetSignatures' | 'GetIssuances', id: string, bookmark: string): Promise<string> =>
    ledger.tx(clerk, (ctx) => petitionContract[fn](ctx, id, '7', bookmark), at);
  return {
    petition: (id) => query<PetitionRecord>('GetPetition', id),
    signatures: (id) => allPages(async (bookmark) => JSON.parse(await page('GetSignatures', id, bookmark)) as { records: SignatureRecord[]; bookmark: string }),
    issuances: (id) => allPages(async (bookmark) => JSON.parse(await page('GetIssuances', id, bookmark)) as { records: IssuanceRecord[]; bookmark: string }),
    results: (id) => query<PetitionResults>('GetResults', id),
    recordIssuance: async (request, beforeSubmit) => {
      // The fake endorses and commits in one step, so the transaction id is known only after it;
      // it is handed to beforeSubmit before the commit is reported, as the gateway's flow does.
      const issuance = JSON.parse(await ledger.tx(cityIssuer, (ctx) => petitionContract.RecordTokenIssuance(ctx, request), at)) as IssuanceRecord;
      await beforeSubmit?.(issuance.txId);
      return { issuance, transactionId: issuance.txId };
    },
  };
}

async function register(ledger: FakeLedger, key: CitizenKeyFile): Promise<void> {
  const proof = signWithKey(key, registerPayload('civic', key.did, key.publicKeyJwk));
  await ledger.tx(clerk, (ctx) => identity.RegisterDID(ctx, JSON.stringify({ did: key.did, publicKeyJwk: key.publicKeyJwk, proof })));
}

/** A citizen with a registered DID and a residency credential from the population registry. */
export interface Citizen {
  readonly key: CitizenKeyFile;
  readonly credential: string;
}

/** A ledger with a trusted population registry, a petition with a fresh token key, and the City's issuance log. */
export interface PetitionWorld {
  readonly ledger: FakeLedger;
  readonly petitions: PetitionLedger;
  readonly tokenKey: TokenKeyFile;
  readonly logFile: string;
  readonly registry: CitizenKeyFile;
}

export async function petitionWorld(petitionId: string): Promise<PetitionWorld> {
  const ledger = new FakeLedger();
  const registry = generateCitizenKey();
  await register(ledger, registry);
  await ledger.tx({ mspId: 'CityMSP', role: 'admin' }, (ctx) =>
    identity.RegisterIssuer(
      ctx,
      JSON.stringify({ did: registry.did, name: 'Population Registry', mspId: 'CityMSP', credentialTypes: [RESIDENCY, 'LibraryCard'] }),
    ),
  );
  const { publicKey, privateKey } = await generateTokenKeys(2048);
  await ledger.tx(
    cityClerk,
    (ctx) =>
      petitionContract.CreatePetition(
        ctx,
        JSON.stringify(
          petitionSpec(petitionId, publicKey, { eligibility: { credentialType: RESIDENCY, claims: { resident_of: 'Civitas', age_over_16: true } } }),
        ),
      ),
    CREATED_AT,
  );
  const logFile = join(mkdtempSync(join(tmpdir(), 'civic-petition-')), `${petitionId}.issued.jsonl`);
  return {
    ledger,
    petitions: fakePetitionLedger(ledger),
    tokenKey: { petitionId, suite: 'RSABSSA-SHA384-PSS-Randomized', publicKey, privateKey },
    logFile,
    registry,
  };
}

/** Register a citizen and have the registry issue them a credential with these claims. */
export async function newCitizen(
  world: PetitionWorld,
  claims: Record<string, string | boolean> = { resident_of: 'Civitas', age_over_16: true },
  type = RESIDENCY,
): Promise<Citizen> {
  const key = generateCitizenKey();
  await register(world.ledger, key);
  const { credential } = await issueCredential({
    issuer: world.registry,
    holder: { did: key.did, publicKeyJwk: key.publicKeyJwk },
    type,
    claims,
    issuedAt: NOW - 86_400,
    expiresAt: NOW + 365 * 86_400,
  });
  return { key, credential };
}

/** The whole RFC 9474 exchange for one citizen: request (citizen), issue (City), finalize (citizen). */
export async function obtainToken(world: PetitionWorld, citizen: Citizen, petitionId = world.tokenKey.petitionId): Promise<TokenFile> {
  const petition = await world.petitions.petition(petitionId);
  const { request, state } = await requestToken(citizen.key, petition);
  const presentation = await presentCredential(citizen.credential, citizen.key, ['resident_of', 'age_over_16'], CHALLENGE, NOW);
  const blindSig = await issueToken(world.petitions, identityReader(world.ledger), world.tokenKey, world.logFile, {
    request,
    presentation,
    challenge: CHALLENGE,
    now: NOW,
  });
  return finishToken(state, blindSig);
}
