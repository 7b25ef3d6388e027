import { constants, createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { PetitionContract } from '../petition/petition-contract';
import type { PetitionSpecInput, RsaPublicKeyJwk } from '../petition/model';
import { tokenMessage } from '../petition/token';
import type { FakeIdentity, FakeLedger } from './fake-context';

export const petitionContract = new PetitionContract();
export const cityClerk: FakeIdentity = { mspId: 'CityMSP', role: 'clerk' };
export const cityIssuer: FakeIdentity = { mspId: 'CityMSP', role: 'issuer' };
/** A utility's staff member: any org's gateway accepts signatures. */
export const utilityStaff: FakeIdentity = { mspId: 'UtilitiesMSP', role: 'engineer' };
export const CREATED_AT = 1_790_000_000;
export const CLOSES_AT = CREATED_AT + 30 * 86_400;

/** An RSA token key pair for one petition (2048 bits: the smallest RFC 9474 allows in practice). */
export function tokenKeyPair(): { privateKey: KeyObject; publicKey: RsaPublicKeyJwk } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
  const jwk = publicKey.export({ format: 'jwk' });
  return { privateKey, publicKey: { kty: 'RSA', n: String(jwk.n), e: String(jwk.e) } };
}

/**
 * A token and its signature, as a citizen holds them after RFC 9474 Finalize: the signature on
 * the prepared message is an ordinary RSASSA-PSS (SHA-384, 48-byte salt) signature, which is all
 * the chaincode sees. (The blind exchange itself is tested through the CLI's RFC 9474 wrapper.)
 */
export function finalizedToken(privateKey: KeyObject, petitionId: string): { token: string; signature: string } {
  const prepared = Buffer.concat([randomBytes(32), tokenMessage(petitionId, randomBytes(32).toString('base64url'))]);
  const signature = sign('sha384', prepared, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 });
  return { token: prepared.toString('base64url'), signature: signature.toString('base64url') };
}

export const PETITION_TEXT = 'We ask the City to open the Riverside library on Sundays.';

/** A petition spec for tests: Yes/No, residents over 16, threshold 150, two attributes, k = 10. */
export function petitionSpec(petitionId: string, publicKey: RsaPublicKeyJwk, overrides: Partial<PetitionSpecInput> = {}): PetitionSpecInput {
  const text = overrides.text ?? PETITION_TEXT;
  return {
    petitionId,
    kind: 'petition',
    title: 'Sunday opening of Riverside library',
    text,
    textHash: createHash('sha256').update(text, 'utf8').digest('hex'),
    options: ['Yes', 'No'],
    eligibility: { credentialType: 'https://civic.example/credentials/residency', claims: { resident_of: 'Civitas', age_over_16: true } },
    threshold: 150,
    closes: new Date(CLOSES_AT * 1000).toISOString(),
    publicKey,
    attributes: { age_band: ['16-24', '25-44', '45-64', '65+'], district: ['North', 'South', 'Riverside'] },
    k: 10,
    ...overrides,
  };
}

/** Create a petition as the City. */
export async function createPetition(ledger: FakeLedger, spec: PetitionSpecInput): Promise<void> {
  await ledger.tx(cityClerk, (ctx) => petitionContract.CreatePetition(ctx, JSON.stringify(spec)), CREATED_AT);
}
