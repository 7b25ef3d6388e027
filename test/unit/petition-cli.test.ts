import { createHash } from 'node:crypto';
import type { SignatureRecord } from '@civic-ledger/chaincode/dist/petition/client';
import { ChaincodeError } from '../../chaincode/src/shared/errors';
import type { FakeIdentity } from '../../chaincode/src/test-support/fake-context';
import { CLOSES_AT, petitionContract } from '../../chaincode/src/test-support/petition-fixtures';
import { CheckFailed } from '../../cli/src/errors';
import { auditPetition } from '../../cli/src/petition/audit';
import { requestToken } from '../../cli/src/petition/citizen';
import type { TokenFile } from '../../cli/src/petition/files';
import { issueToken, readIssuanceLog } from '../../cli/src/petition/issuer';
import { presentCredential } from '../../cli/src/credentials/present';
import { identityReader } from '../support/identity-reader';
import { CHALLENGE, NOW, newCitizen, obtainToken, petitionWorld, type Citizen, type PetitionWorld } from '../support/petition-world';

/**
 * Petitions end to end against the contracts' real logic (on the unit-test ledger fake): citizens
 * obtain tokens through the RFC 9474 exchange (citizen blinds, the City's issuing service checks
 * the credential and blind-signs, citizen finalizes), sign concurrently through several orgs, and
 * anyone audits. The blind signing is the library's pure-JS RSA (about 0.4 s per token here), so
 * 40 citizens take part; the 200-signer block is in chaincode/src/petition.
 */
const ID = 'riverside-sundays';
const SIGNERS = 40;
const SIGN_AT = NOW + 3600;
const gateways: FakeIdentity[] = [
  { mspId: 'AgenciesMSP', role: 'clerk' },
  { mspId: 'UtilitiesMSP', role: 'engineer' },
  { mspId: 'CityMSP', role: 'clerk' },
];
const bands = ['16-24', '25-44', '45-64', '65+'];

let world: PetitionWorld;
let citizens: Citizen[];
/** Ground truth the City must not be able to recover: which citizen holds which token. */
let tokenOf: Map<string, TokenFile>;
let signedOrder: string[];

function signBody(token: TokenFile, i: number): Record<string, unknown> {
  return { ...token, option: i % 5 === 4 ? 'No' : 'Yes', attributes: { age_band: bands[i % 4] ?? '' } };
}

async function signOnce(body: Record<string, unknown>, at = SIGN_AT): Promise<unknown> {
  return world.ledger.tx(gateways[0] as FakeIdentity, (ctx) => petitionContract.SignPetition(ctx, JSON.stringify(body)), at);
}

async function refusal(run: Promise<unknown>): Promise<Error & { code?: string }> {
  const before = world.ledger.snapshot();
  const e = await run.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Error);
  expect(world.ledger.snapshot()).toEqual(before);
  return e as Error & { code?: string };
}

beforeAll(async () => {
  world = await petitionWorld(ID);
  citizens = [];
  tokenOf = new Map();
  for (let i = 0; i < SIGNERS; i++) {
    const citizen = await newCitizen(world);
    citizens.push(citizen);
    tokenOf.set(citizen.key.did, await obtainToken(world, citizen));
  }
  // Citizens sign when they choose, independently of when they got their token.
  signedOrder = [...tokenOf.keys()].sort((a, b) => createHash('sha256').update(a).digest('hex').localeCompare(createHash('sha256').update(b).digest('hex')));
  const outcomes = await world.ledger.block(
    signedOrder.map((did, i) => ({
      identity: gateways[i % 3] as FakeIdentity,
      seconds: SIGN_AT,
      body: (ctx) => petitionContract.SignPetition(ctx, JSON.stringify(signBody(tokenOf.get(did) as TokenFile, i))),
    })),
  );
  expect(outcomes.map((o) => o.status)).toEqual(signedOrder.map(() => 'VALID'));
}, 180_000);

describe('petition signing end to end', () => {
  it('counts every signature exactly, and the audit re-verifies every token from the ledger', async () => {
    const results = await world.petitions.results(ID);
    expect(results).toMatchObject({ total: SIGNERS, counts: { Yes: 32, No: 8 }, thresholdReached: false });
    expect(results.bands.find((b) => b.band === '65+')).toMatchObject({ count: 10, byOption: null });
    const data = {
      petition: await world.petitions.petition(ID),
      signatures: await world.petitions.signatures(ID),
      issuances: await world.petitions.issuances(ID),
      results,
    };
    const audit = auditPetition(data);
    expect(audit.findings).toEqual([]);
    expect(audit.tokens).toHaveLength(SIGNERS);
    expect(audit.issued).toBe(SIGNERS);

    const tampered = data.signatures.map((s, i): SignatureRecord => (i === 3 ? { ...s, option: s.option === 'Yes' ? 'No' : 'Yes' } : s));
    expect(auditPetition({ ...data, signatures: tampered }).findings).toEqual([expect.stringMatching(/^the live results .* differ from the recount/)]);
    const forged = data.signatures.map((s, i): SignatureRecord => (i === 5 ? { ...s, signature: data.signatures[6]?.signature ?? '' } : s));
    expect(auditPetition({ ...data, signatures: forged }).findings[0]).toMatch(
      /^token [0-9a-f]{64} \(tx tx\d+\): INVALID_SIGNATURE: request.signature is not a valid token signature/,
    );
  });

  it("refuses a second signature with the same token, a forged signature, another petition's token, and signing after close", async () => {
    const first = tokenOf.get(citizens[0]?.key.did ?? '') as TokenFile;
    expect((await refusal(signOnce({ ...first, option: 'No' }))).message).toMatch(
      /^ALREADY_EXISTS: token [0-9a-f]{64} has already signed petition riverside-sundays/,
    );
    const sig = Buffer.from(first.signature, 'base64url');
    sig[10] = (sig[10] ?? 0) ^ 0x01;
    expect((await refusal(signOnce({ ...first, signature: sig.toString('base64url'), option: 'Yes' }))).message).toBe(
      'INVALID_SIGNATURE: request.signature is not a valid token signature under the key of petition riverside-sundays',
    );

    const other = await petitionWorld('tower-site-north');
    const theirs = await obtainToken(other, await newCitizen(other), 'tower-site-north');
    expect((await refusal(signOnce({ ...theirs, petitionId: ID, option: 'Yes' }))).message).toBe(
      'INVALID_ARGUMENT: request.token was issued for petition tower-site-north, not riverside-sundays',
    );

    const late = await newCitizen(world);
    const lateToken = await obtainToken(world, late);
    expect(await refusal(signOnce({ ...lateToken, option: 'Yes' }, CLOSES_AT))).toMatchObject({
      message: `FAILED_PRECONDITION: petition ${ID} closed at ${new Date(CLOSES_AT * 1000).toISOString()}`,
    });
  }, 60_000);

  it('refuses a token to an ineligible citizen and to a citizen without the required credential, recording nothing', async () => {
    const issuedBefore = (await world.petitions.issuances(ID)).length;
    const tooYoung = await newCitizen(world, { resident_of: 'Civitas', age_over_16: false });
    const e = await tokenRefusal(tooYoung);
    expect(e.code).toBe('NOT_ELIGIBLE');
    expect(e.message).toBe(`not eligible for petition ${ID}: requires age_over_16: true (disclosed: false)`);
    const libraryCardOnly = await newCitizen(world, { resident_of: 'Civitas', age_over_16: true }, 'LibraryCard');
    expect((await tokenRefusal(libraryCardOnly)).message).toBe(
      `not eligible for petition ${ID}: it requires a ResidencyCredential credential, the presentation is a LibraryCard`,
    );
    expect(await world.petitions.issuances(ID)).toHaveLength(issuedBefore);
  }, 30_000);

  it('gives a DID one token per petition: a new request is refused, the same request again gets the same blind signature', async () => {
    const citizen = await newCitizen(world);
    const petition = await world.petitions.petition(ID);
    const presentation = await presentCredential(citizen.credential, citizen.key, ['resident_of', 'age_over_16'], CHALLENGE, NOW);
    const issue = async (request: Awaited<ReturnType<typeof requestToken>>['request']): Promise<string> =>
      (
        await issueToken(world.petitions, identityReader(world.ledger), world.tokenKey, world.logFile, {
          request,
          presentation,
          challenge: CHALLENGE,
          now: NOW,
        })
      ).blindSignature;
    const { request } = await requestToken(citizen.key, petition);
    const delivered = await issue(request);
    expect(await issue(request)).toBe(delivered);
    const second = await requestToken(citizen.key, petition);
    const e = await issue(second.request).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ChaincodeError);
    expect((e as ChaincodeError).message).toMatch(new RegExp(`^ALREADY_EXISTS: ${citizen.key.did} already received its token for petition ${ID}`));
    expect((await world.petitions.issuances(ID)).filter((i) => i.did === citizen.key.did)).toHaveLength(1);
  }, 30_000);
});

async function tokenRefusal(citizen: Citizen): Promise<CheckFailed> {
  const e = await obtainToken(world, citizen).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CheckFailed);
  return e as CheckFailed;
}

describe('unlinkability (the City learns who got a token, never which signature is whose)', () => {
  /** Every 8-byte window of a value, as hex. */
  const windows = (bytes: Buffer): Set<string> =>
    new Set(Array.from({ length: Math.max(0, bytes.length - 7) }, (_, i) => bytes.subarray(i, i + 8).toString('hex')));

  it("the City's issuance records and the ledger's signatures share no 8-byte sequence", async () => {
    const log = (await readIssuanceLog(world.logFile)).filter((e) => e.petitionId === ID);
    const cityWindows = new Set(
      log.flatMap((e) => [...windows(Buffer.from(e.blindedMsg, 'base64url')), ...windows(Buffer.from(e.blindSignature, 'base64url'))]),
    );
    const signatures = await world.petitions.signatures(ID);
    const shared = signatures.flatMap((s) =>
      [s.token, s.signature].flatMap((v) => [...windows(Buffer.from(v, 'base64url'))].filter((w) => cityWindows.has(w))),
    );
    expect(log.length).toBeGreaterThanOrEqual(SIGNERS);
    expect(shared).toEqual([]);
  });

  it('matching issued tokens to signatures by order or by byte similarity does no better than chance', async () => {
    const log = (await readIssuanceLog(world.logFile)).filter((e) => e.petitionId === ID && e.issuanceTxId !== null && tokenOf.has(e.did));
    const signatures = await world.petitions.signatures(ID);
    const truth = new Map([...tokenOf].map(([did, t]) => [did, t.token]));
    const correct = (guess: Map<string, string>): number => [...guess].filter(([did, token]) => truth.get(did) === token).length;

    // Attack 1: the n-th token issued signed n-th (signature transactions in commit order).
    const issuedInOrder = [...log].sort((a, b) => (a.issuanceTxId ?? '').localeCompare(b.issuanceTxId ?? '')).map((e) => e.did);
    const signedInOrder = [...signatures].sort((a, b) => a.txId.localeCompare(b.txId)).map((s) => s.token);
    const byOrder = correct(new Map(issuedInOrder.map((did, i) => [did, signedInOrder[i] ?? ''])));

    // Attack 2: the signature most similar, byte for byte, to what the City signed for that DID.
    const similarity = (a: Buffer, b: Buffer): number => a.reduce((n, byte, i) => n + (byte === b[i] ? 1 : 0), 0);
    const bySimilarity = correct(
      new Map(
        log.map((e) => {
          const blind = Buffer.from(e.blindSignature, 'base64url');
          const best = [...signatures].sort(
            (x, y) => similarity(blind, Buffer.from(y.signature, 'base64url')) - similarity(blind, Buffer.from(x.signature, 'base64url')),
          )[0];
          return [e.did, best?.token ?? ''];
        }),
      ),
    );
    // A random guess gets 1 right on average; 6 or more out of 40 happens by chance less than once in 1,000 runs.
    expect(log).toHaveLength(SIGNERS);
    expect(byOrder).toBeLessThanOrEqual(5);
    expect(bySimilarity).toBeLessThanOrEqual(5);
  });
});
