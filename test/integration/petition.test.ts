/**
 * Petitions on the live network (three orgs, the civic chaincode), driven through the built
 * `civic` CLI for every step the City, a citizen at a desk, or an auditor takes:
 * - 200 generated eligible citizens obtain RFC 9474 blind-signature tokens from the City's
 *   issuing service and sign concurrently through all three orgs' gateways; the counts are exact
 *   (every committed signature counted once, nothing lost, no token counted twice), read back and
 *   audited through other orgs;
 * - a second signature with the same token, a token of another petition, a forged signature,
 *   signing after the closing time, and a token request by an ineligible citizen are each refused
 *   with their own reason, and leave the ledger as it was.
 * One citizen goes through every step with real `civic` processes (keygen, register, credential,
 * presentation, token request, issue, finalize, sign). The other 200 run the same steps in-process
 * through the CLI's own modules (test/integration/petition-support.ts), because one process per
 * step would cost seconds per citizen.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  NOT_STATED,
  tokenIdOf,
  tokenMessage,
  type IssuanceRecord,
  type PetitionRecord,
  type ProposalRecord,
  type SignatureRecord,
} from '@civic-ledger/chaincode/dist/petition/client';
import { loadCitizenKey, type CitizenKeyFile } from '../../cli/src/citizen/key-file';
import { blindSign, blindToken, finalizeToken, generateTokenKeys } from '../../cli/src/petition/blind-rsa';
import { readIssuanceLog } from '../../cli/src/petition/issuer';
import { tokenKeyFileSchema, type TokenFile } from '../../cli/src/petition/files';
import type { PetitionAudit } from '../../cli/src/petition/audit';
import type { PetitionResults } from '../../cli/src/petition/ledger';
import { civic, civicJson, type CivicRun } from '../support/civic-cli';
import { liveNetworkEnv } from '../support/test-network';
import { inParallel, openFrontDesks, type FrontDesks } from './allocation-support';
import {
  citizensWithTokens,
  newCitizen,
  obtainToken,
  openIssuingDesk,
  signThrough,
  type Citizen,
  type IssuingDesk,
  type SignOutcome,
  type Signing,
  type TokenDesk,
  untilEveryPeerKnows,
} from './petition-support';

const PASSPHRASE = 'petition integration passphrase';
const env = { ...liveNetworkEnv(), CIVIC_KEY_PASSPHRASE: PASSPHRASE };
const work = mkdtempSync(path.join(os.tmpdir(), 'civic-it-petition-'));
/** Unique per run (lower-case letters and digits), so a reused network never sees the same petition or credential type twice. */
const RUN = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
/** A credential type of this run's own, so its schema and trusted issuer are this run's. */
const RESIDENCY = `Residency${RUN}`;
const ELIGIBLE = { resident_of: 'Civitas', age_over_16: true } as const;
const AUDIENCE = 'https://petitions.civitas.example';
const SIGNERS = 200;
/** Citizens whose token steps are in flight at once (blinding and blind signing are CPU-bound, so more would only queue). */
const TOKEN_IN_FLIGHT = 12;
/** Signatures in flight at once. */
const SIGN_IN_FLIGHT = 60;
/** Tokens also submitted a second time, concurrently, through another org's gateway. */
const DOUBLE_SUBMITTED = 20;
const BANDS = ['16-24', '25-44', '45-64', '65+'] as const;
const ORGS = ['city', 'agencies', 'utilities'] as const;

const MAIN = `library-sundays-${RUN}`;
const OTHER = `tower-north-${RUN}`;
const CLOSING = `night-bus-${RUN}`;

/** A refusal: exit 1, nothing on stdout, and one line on stderr matching `message`. */
function expectRefused(run: CivicRun, message: RegExp): void {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '' });
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(message);
}

/** Whole seconds, ISO 8601 UTC without milliseconds (as a clerk types it). */
const isoSeconds = (ms: number): string => new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function file(name: string, content: unknown): string {
  const f = path.join(work, name);
  writeFileSync(f, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  return f;
}

/** `civic petition create` as a City clerk; returns the token key file it wrote. */
function createPetition(id: string, closes: string, threshold: number): string {
  const keyOut = path.join(work, `${id}.token-key.json`);
  const created = civicJson<{ result: PetitionRecord }>(
    [
      '--org',
      'city',
      '--user',
      'clerk',
      'petition',
      'create',
      '--id',
      id,
      '--title',
      `Integration petition ${id}`,
      '--text-file',
      file(`${id}.txt`, `The people of Civitas ask for ${id}.\n`),
      '--threshold',
      String(threshold),
      '--closes',
      closes,
      '--credential-type',
      RESIDENCY,
      '--require',
      'resident_of=Civitas',
      'age_over_16=true',
      '--attribute',
      `age_band=${BANDS.join(',')}`,
      '--key-out',
      keyOut,
    ],
    env,
  );
  expect(created.result).toMatchObject({ petitionId: id, status: 'open', eligibility: { credentialType: RESIDENCY, claims: ELIGIBLE }, final: null });
  return keyOut;
}

const petitionThrough = (org: string, id: string): PetitionRecord & { live: { total: number } } =>
  civicJson<PetitionRecord & { live: { total: number } }>(['--org', org, '--user', 'auditor', 'petition', 'show', id], env);
const resultsThrough = (org: string, id: string): PetitionResults =>
  civicJson<PetitionResults>(['--org', org, '--user', 'auditor', 'petition', 'results', id], env);

let desks: FrontDesks;
let issuingDesk: IssuingDesk;
let registry: CitizenKeyFile;
let registryFile: string;
/** The issuing service of each petition: its token key and issuance log. */
const issuing = new Map<string, TokenDesk>();
/** A token for the petition that closes during the run, kept unspent until after it closes. */
let lateToken: TokenFile;
let closingTime: string;

function tokenDesk(keyFile: string): TokenDesk {
  return {
    desk: issuingDesk,
    key: tokenKeyFileSchema.parse(JSON.parse(readFileSync(keyFile, 'utf8'))),
    logFile: `${keyFile}.issued.jsonl`,
    audience: AUDIENCE,
  };
}

const petitionOf = (id: string): Promise<PetitionRecord> => issuingDesk.petitions.petition(id);
const eligibleCitizen = (i: number): Promise<Citizen> => newCitizen(desks, i, registry, RESIDENCY, ELIGIBLE);

beforeAll(async () => {
  desks = openFrontDesks(env);
  issuingDesk = openIssuingDesk(env);

  // The population registry: a DID the City trusts to issue this run's residency credentials.
  registryFile = path.join(work, 'registry.key.json');
  const { did } = civicJson<{ did: string }>(['identity', 'keygen', '--out', registryFile], env);
  civicJson(['--org', 'city', '--user', 'clerk', 'identity', 'register', '--key', registryFile], env);
  civicJson(
    [
      '--org',
      'city',
      '--user',
      'admin',
      'identity',
      'issuer-register',
      '--did',
      did,
      '--name',
      'Civitas Population Registry',
      '--issuer-org',
      'city',
      '--types',
      RESIDENCY,
    ],
    env,
  );
  const schema = {
    type: RESIDENCY,
    version: 1,
    claims: [
      { name: 'resident_of', type: 'string' },
      { name: 'age_over_16', type: 'boolean' },
    ],
  };
  civicJson(['--org', 'city', '--user', 'admin', 'identity', 'schema-register', '--file', file('residency.schema.json', schema)], env);
  registry = await loadCitizenKey(registryFile, PASSPHRASE);

  // A petition that closes during the run: one citizen signs it now, another keeps a token for after the close.
  closingTime = isoSeconds(Date.now() + 75_000);
  issuing.set(CLOSING, tokenDesk(createPetition(CLOSING, closingTime, 5)));
  const closing = await petitionOf(CLOSING);
  const [early, late] = await Promise.all([eligibleCitizen(0), eligibleCitizen(1)]);
  const closingDesk = issuing.get(CLOSING) as TokenDesk;
  const earlyToken = await obtainToken(closingDesk, closing, early);
  lateToken = await obtainToken(closingDesk, closing, late);
  const signed = await signThrough(desks.at(1), { token: earlyToken, option: 'Yes', attributes: {} });
  expect(signed).toHaveProperty('committed');

  const week = isoSeconds(Date.now() + 7 * 86_400_000);
  issuing.set(MAIN, tokenDesk(createPetition(MAIN, week, 150)));
  issuing.set(OTHER, tokenDesk(createPetition(OTHER, week, 10)));
}, 240_000);

afterAll(() => {
  desks.close();
  issuingDesk.close();
});

/** Alice: a citizen who does every step with the `civic` CLI, through a different org at each desk. */
const alice = { file: path.join(work, 'alice.key.json'), did: '', token: path.join(work, 'alice.token.json') };
/** Bulk citizens with tokens for the main petition; the last one's token is held back (unspent) for the forgery test. */
let citizens: Citizen[] = [];
let tokens: TokenFile[] = [];
/** Expected live counts of the main petition after the concurrent signing. */
let signedCount = 0;
const expectedCounts: Record<string, number> = { Yes: 0, No: 0 };

/** A citizen's presentation for the City's issuing desk, with a fresh challenge, made with `civic identity present`. */
function presentWithCli(keyFile: string, credentialFile: string, name: string, challengeWithCli: boolean): { presentation: string; nonce: string } {
  const nonce = challengeWithCli ? civic(['identity', 'challenge'], env).stdout.trim() : randomBytes(16).toString('base64url');
  expect(nonce).toMatch(/^[A-Za-z0-9_-]{16,}$/);
  const presentation = path.join(work, `${name}.presentation.txt`);
  civicJson(
    [
      'identity',
      'present',
      '--key',
      keyFile,
      '--credential',
      credentialFile,
      '--disclose',
      'resident_of,age_over_16',
      '--audience',
      AUDIENCE,
      '--nonce',
      nonce,
      '--out',
      presentation,
    ],
    env,
  );
  return { presentation, nonce };
}

/** `civic petition token request` (citizen, through `org`) then `token issue` (the City's issuer); returns the issue run and the files. */
function requestAndIssueWithCli(
  petitionId: string,
  keyFile: string,
  credentialFile: string,
  name: string,
  org: string,
  challengeWithCli = false,
): { issue: CivicRun; state: string; blindSignature: string } {
  const { presentation, nonce } = presentWithCli(keyFile, credentialFile, name, challengeWithCli);
  const request = path.join(work, `${name}.request.json`);
  const state = path.join(work, `${name}.blinding.json`);
  civicJson(
    ['--org', org, '--user', 'clerk', 'petition', 'token', 'request', '--petition', petitionId, '--key', keyFile, '--out', request, '--state-out', state],
    env,
  );
  const blindSignature = path.join(work, `${name}.blind-sig.json`);
  const issue = civic(
    [
      '--org',
      'city',
      '--user',
      'issuer',
      'petition',
      'token',
      'issue',
      '--request',
      request,
      '--presentation',
      presentation,
      '--audience',
      AUDIENCE,
      '--nonce',
      nonce,
      '--token-key',
      path.join(work, `${petitionId}.token-key.json`),
      '--out',
      blindSignature,
    ],
    env,
  );
  return { issue, state, blindSignature };
}

/** The registry's credential for a holder, with `civic identity issue`. */
function credentialWithCli(holder: string, name: string, ageOver16: boolean): string {
  const out = path.join(work, `${name}.residency.sd-jwt`);
  civicJson(
    [
      '--org',
      'city',
      '--user',
      'issuer',
      'identity',
      'issue',
      '--issuer-key',
      registryFile,
      '--holder',
      holder,
      '--type',
      RESIDENCY,
      '--claim',
      'resident_of=Civitas',
      '--claim',
      `age_over_16=${String(ageOver16)}`,
      '--out',
      out,
    ],
    env,
  );
  return out;
}

/** A new citizen with a key file from `civic identity keygen`, registered with `civic identity register` at `org`'s front desk. */
function citizenWithCli(name: string, org: string): { file: string; did: string } {
  const keyFile = path.join(work, `${name}.key.json`);
  const { did } = civicJson<{ did: string }>(['identity', 'keygen', '--out', keyFile], env);
  civicJson(['--org', org, '--user', 'clerk', 'identity', 'register', '--key', keyFile], env);
  return { file: keyFile, did };
}

describe(`${String(SIGNERS)} eligible citizens sign concurrently through the three orgs`, () => {
  it('a citizen gets a token and signs with the civic CLI alone, through a different org at each step', () => {
    const created = citizenWithCli('alice', 'agencies');
    alice.did = created.did;
    const credential = credentialWithCli(alice.did, 'alice', true);
    const { issue, state, blindSignature } = requestAndIssueWithCli(MAIN, alice.file, credential, 'alice', 'agencies', true);
    expect(issue.code).toBe(0);
    civicJson(['petition', 'token', 'finalize', '--state', state, '--blind-signature', blindSignature, '--out', alice.token], env);
    const signed = civicJson<{ result: SignatureRecord; transactionId: string }>(
      ['--org', 'utilities', '--user', 'clerk', 'petition', 'sign', '--token', alice.token, '--option', 'Yes', '--band', 'age_band=25-44'],
      env,
    );
    const token = JSON.parse(readFileSync(alice.token, 'utf8')) as TokenFile;
    expect(signed.result).toMatchObject({
      petitionId: MAIN,
      option: 'Yes',
      tokenId: tokenIdOf(Buffer.from(token.token, 'base64url')),
      txId: signed.transactionId,
    });
    signedCount += 1;
    expectedCounts.Yes = (expectedCounts.Yes ?? 0) + 1;
    // The ledger knows that Alice got a token (read through a third org), never which signature is hers.
    const issued = civicJson<{ tokens: unknown[]; issued: number }>(['--org', 'city', '--user', 'auditor', 'petition', 'audit', MAIN], env);
    expect(issued).toMatchObject({ issued: 1, tokens: [expect.objectContaining({ tokenId: signed.result.tokenId, problem: null })] });
    expect(JSON.stringify(signed.result)).not.toContain(alice.did);
  }, 120_000);

  it(`${String(SIGNERS)} generated eligible citizens register, get their tokens, and every signature is counted exactly once`, async () => {
    const petition = await petitionOf(MAIN);
    const got = await citizensWithTokens(desks, issuing.get(MAIN) as TokenDesk, petition, registry, SIGNERS + 1, TOKEN_IN_FLIGHT);
    citizens = got.citizens;
    tokens = got.tokens;
    process.stderr.write(`  ${String(SIGNERS + 1)} citizens registered and got tokens in ${got.seconds.toFixed(1)} s\n`);

    // Every issuance is on the ledger, one per DID.
    const issuances = await issuingDesk.petitions.issuances(MAIN);
    expect(issuances).toHaveLength(SIGNERS + 2);
    expect(new Set(issuances.map((i) => i.did))).toEqual(new Set([alice.did, ...citizens.map((c) => c.key.did)]));

    // Signing order is independent of issuance order; each signature goes through one of the three orgs.
    const order = Array.from({ length: SIGNERS }, (_, i) => i).sort(() => Math.random() - 0.5);
    const signings: Signing[] = order.map((i) => ({
      token: tokens[i] as TokenFile,
      option: i % 5 === 4 ? 'No' : 'Yes',
      attributes: { age_band: BANDS[i % 4] as string },
    }));
    const outcomes: SignOutcome[][] = signings.map(() => []);
    const viaOrg = [0, 0, 0];
    const started = Date.now();
    await inParallel(signings.length, SIGN_IN_FLIGHT, async (j) => {
      const s = signings[j] as Signing;
      const through = j < DOUBLE_SUBMITTED ? [j % 3, (j + 1) % 3] : [j % 3];
      const ends = await Promise.all(through.map((org) => signThrough(desks.at(org), s)));
      ends.forEach((end, k) => {
        if ('committed' in end) {
          viaOrg[through[k] as number] = (viaOrg[through[k] as number] ?? 0) + 1;
        }
      });
      (outcomes[j] as SignOutcome[]).push(...ends);
    });
    process.stderr.write(
      `  ${String(signings.length)} signatures (${String(DOUBLE_SUBMITTED)} of them twice at once) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );

    for (const s of signings) {
      signedCount += 1;
      expectedCounts[s.option] = (expectedCounts[s.option] ?? 0) + 1;
    }

    // Each token committed exactly once; each second submission of a token was refused as spent.
    const committed = outcomes.map((o) => o.filter((e) => 'committed' in e).length);
    expect(committed).toEqual(signings.map(() => 1));
    const refusals = outcomes.flatMap((o, j) => o.flatMap((e) => ('refused' in e ? [{ j, ...e.refused }] : [])));
    expect(refusals).toHaveLength(DOUBLE_SUBMITTED);
    for (const r of refusals) {
      const tokenId = tokenIdOf(Buffer.from((signings[r.j] as Signing).token.token, 'base64url'));
      expect(r).toMatchObject({
        code: 'ALREADY_EXISTS',
        message: expect.stringMatching(new RegExp(`^ALREADY_EXISTS: token ${tokenId} has already signed petition ${MAIN}`)) as unknown,
      });
    }
    expect(viaOrg.every((n) => n > 0)).toBe(true);

    // The live results, read through Utilities, count exactly what committed.
    const results = resultsThrough('utilities', MAIN);
    expect(results).toMatchObject({ petitionId: MAIN, status: 'open', total: signedCount, counts: expectedCounts, thresholdReached: true });
    // Every signer stated a band, so the "not stated" band is empty (and zero singles out nobody, so it is published).
    const bandCounts = new Map<string, number>([...BANDS.map((b): [string, number] => [b, 0]), [NOT_STATED, 0]]);
    for (const s of signings) {
      bandCounts.set(s.attributes.age_band as string, (bandCounts.get(s.attributes.age_band as string) ?? 0) + 1);
    }
    bandCounts.set('25-44', (bandCounts.get('25-44') ?? 0) + 1); // Alice's
    expect(Object.fromEntries(results.bands.map((b) => [b.band, b.count]))).toEqual(Object.fromEntries(bandCounts));

    // The audit through Agencies re-verifies every signature from the ledger: one record per token, none lost, none twice.
    const audit = civicJson<PetitionAudit>(['--org', 'agencies', '--user', 'auditor', 'petition', 'audit', MAIN], env);
    expect(audit.findings).toEqual([]);
    expect(audit.issued).toBe(SIGNERS + 2);
    expect(audit.tokens.filter((t) => t.problem !== null)).toEqual([]);
    const recorded = audit.tokens.map((t) => t.tokenId);
    expect(new Set(recorded).size).toBe(recorded.length);
    const aliceToken = JSON.parse(readFileSync(alice.token, 'utf8')) as TokenFile;
    expect(new Set(recorded)).toEqual(new Set([aliceToken, ...signings.map((s) => s.token)].map((t) => tokenIdOf(Buffer.from(t.token, 'base64url')))));
    expect(audit.tally).toMatchObject({ total: signedCount, counts: expectedCounts });
  }, 600_000);
});

describe('refusals, each with its own reason, leaving the ledger as it was', () => {
  const sign = (org: string, tokenFile: string, option = 'Yes'): CivicRun =>
    civic(['--org', org, '--user', 'clerk', 'petition', 'sign', '--token', tokenFile, '--option', option], env);
  const expectCountsUnchanged = (org: string): void => {
    expect(resultsThrough(org, MAIN)).toMatchObject({ total: signedCount, counts: expectedCounts });
  };

  it('refuses a second signature with the same token, through another org', () => {
    const tokenId = tokenIdOf(Buffer.from((JSON.parse(readFileSync(alice.token, 'utf8')) as TokenFile).token, 'base64url'));
    expectRefused(
      sign('agencies', alice.token, 'No'),
      new RegExp(`ALREADY_EXISTS: token ${tokenId} has already signed petition ${MAIN} \\(tx [0-9a-f]{64}\\)`),
    );
    expectCountsUnchanged('city');
  });

  it('gives a DID one token per petition: a second token request is refused by the ledger', () => {
    const credential = path.join(work, 'alice.residency.sd-jwt');
    const { issue } = requestAndIssueWithCli(MAIN, alice.file, credential, 'alice-again', 'city');
    expectRefused(issue, new RegExp(`ALREADY_EXISTS: ${alice.did} already received its token for petition ${MAIN} \\(tx [0-9a-f]{64}\\)`));
  }, 60_000);

  it("refuses another petition's token, which still signs its own petition", async () => {
    const theirs = await obtainToken(issuing.get(OTHER) as TokenDesk, await petitionOf(OTHER), citizens[0] as Citizen);
    const own = file('other.token.json', theirs);
    const relabelled = file('other-as-main.token.json', { ...theirs, petitionId: MAIN });
    expectRefused(sign('utilities', relabelled), new RegExp(`INVALID_ARGUMENT: request.token was issued for petition ${OTHER}, not ${MAIN}`));
    expectCountsUnchanged('agencies');
    const signed = civicJson<{ result: SignatureRecord }>(['--org', 'agencies', '--user', 'clerk', 'petition', 'sign', '--token', own, '--option', 'No'], env);
    expect(signed.result).toMatchObject({ petitionId: OTHER, option: 'No' });
    expect(resultsThrough('city', OTHER)).toMatchObject({ total: 1, counts: { Yes: 0, No: 1 } });
  }, 60_000);

  it("refuses a forged signature: a genuine token's signature with one bit flipped, and a token signed with a key of the forger's own", async () => {
    const held = tokens[SIGNERS] as TokenFile;
    const flipped = Buffer.from(held.signature, 'base64url');
    flipped[100] = (flipped[100] ?? 0) ^ 0x01;
    const forgedSignature = new RegExp(`INVALID_SIGNATURE: request.signature is not a valid token signature under the key of petition ${MAIN}`);
    expectRefused(sign('agencies', file('flipped.token.json', { ...held, signature: flipped.toString('base64url') })), forgedSignature);

    // A forger runs the whole RFC 9474 exchange with an RSA key of their own: a valid signature, under the wrong key.
    const forger = await generateTokenKeys(2048);
    const blinding = await blindToken(forger.publicKey, tokenMessage(MAIN, randomBytes(32).toString('base64url')));
    const signature = await finalizeToken(forger.publicKey, blinding, await blindSign(forger.privateKey, blinding.blindedMsg));
    expectRefused(
      sign(
        'utilities',
        file('forged.token.json', { petitionId: MAIN, token: blinding.prepared.toString('base64url'), signature: signature.toString('base64url') }),
      ),
      forgedSignature,
    );
    expectCountsUnchanged('city');

    // The genuine token was never spent by the refusals: it signs.
    const genuine = civicJson<{ result: SignatureRecord }>(
      ['--org', 'city', '--user', 'clerk', 'petition', 'sign', '--token', file('held.token.json', held), '--option', 'No'],
      env,
    );
    expect(genuine.result).toMatchObject({ petitionId: MAIN, option: 'No', tokenId: tokenIdOf(Buffer.from(held.token, 'base64url')) });
    signedCount += 1;
    expectedCounts.No = (expectedCounts.No ?? 0) + 1;
    expectCountsUnchanged('utilities');
  }, 60_000);

  it('refuses a token to an ineligible citizen (under 16), recording nothing on the ledger and blind-signing nothing', async () => {
    const carol = citizenWithCli('carol', 'utilities');
    const credential = credentialWithCli(carol.did, 'carol', false);
    const logFile = (issuing.get(MAIN) as TokenDesk).logFile;
    const logged = (await readIssuanceLog(logFile)).length;
    const { issue } = requestAndIssueWithCli(MAIN, carol.file, credential, 'carol', 'utilities');
    expectRefused(issue, new RegExp(`^error: not eligible for petition ${MAIN}: requires age_over_16: true \\(disclosed: false\\)$`));
    const onLedger = await issuingDesk.petitions.issuances(MAIN);
    expect(onLedger).toHaveLength(SIGNERS + 2);
    expect(onLedger.filter((i: IssuanceRecord) => i.did === carol.did)).toEqual([]);
    expect((await readIssuanceLog(logFile)).slice(logged)).toEqual([]);
    expectCountsUnchanged('agencies');
  }, 60_000);

  it('refuses signing after the closing time, before and after the final counts are stored; the counts stay as they were', async () => {
    const wait = Date.parse(closingTime) - Date.now() + 1500;
    if (wait > 0) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const late = file('late.token.json', lateToken);
    const closesAt = new Date(closingTime).toISOString();
    expectRefused(sign('utilities', late), new RegExp(`FAILED_PRECONDITION: petition ${CLOSING} closed at ${closesAt.replace(/\./g, '\\.')}`));
    // Closed by itself, before anyone stored the final counts: Agencies reads it closed, with the one signature made in time.
    expect(petitionThrough('agencies', CLOSING)).toMatchObject({ status: 'closed', final: null, live: { total: 1 } });

    // The City's petition staff store the final counts once the time has passed.
    const closed = civicJson<{ result: PetitionRecord }>(['--org', 'city', '--user', 'clerk', 'petition', 'close', CLOSING], env);
    expect(closed.result.final).toMatchObject({ total: 1, counts: { Yes: 1, No: 0 }, thresholdReached: false, reason: 'closing-time' });
    const closedAt = (closed.result.final as NonNullable<PetitionRecord['final']>).closedAt;
    expectRefused(
      sign('city', late),
      new RegExp(`FAILED_PRECONDITION: petition ${CLOSING} was closed at ${closedAt.replace(/\./g, '\\.')} \\(closing-time\\)`),
    );
    expect(petitionThrough('utilities', CLOSING)).toMatchObject({ status: 'closed', final: closed.result.final, live: { total: 1 } });
  }, 180_000);

  it('leaves the main petition with exactly the counted signatures, and its audit passes through every org', () => {
    for (const org of ORGS) {
      const audit = civicJson<PetitionAudit>(['--org', org, '--user', 'auditor', 'petition', 'audit', MAIN], env);
      expect(audit).toMatchObject({ findings: [], issued: SIGNERS + 2, tally: { total: signedCount, counts: expectedCounts } });
      expect(audit.tokens).toHaveLength(signedCount);
    }
  }, 60_000);
});

describe("citizens' proposals, decided by the City", () => {
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      setTimeout(resolve, ms);
    });
  const escapeRe = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  /** What the CLI adds to a chaincode refusal: the endorsing org, and the transaction id of a submission. */
  const submitSuffix = ' \\(endorser [A-Za-z]+MSP, tx [0-9a-f]{64}\\)$';
  const querySuffix = ' \\(endorser [A-Za-z]+MSP\\)$';
  /** A proposal read through `org`'s front desk, once that org's peer has the City's decision. */
  const decidedThrough = async (org: string, id: string): Promise<ProposalRecord> => {
    for (let attempt = 1; ; attempt += 1) {
      const p = civicJson<ProposalRecord>(['--org', org, '--user', 'clerk', 'petition', 'proposal', id], env);
      if (p.status !== 'proposed' || attempt >= 20) {
        return p;
      }
      await sleep(500);
    }
  };

  it('a citizen proposes two petitions at front desks; the City rejects one with a reason and accepts the other, and other orgs show both decisions', async () => {
    const dana = citizenWithCli('dana', 'utilities');
    await untilEveryPeerKnows(desks, dana.did);
    const closes = isoSeconds(Date.now() + 14 * 86_400_000);
    const PARKING = `proposal-parking-${RUN}`;
    const BENCHES = `proposal-benches-${RUN}`;
    const textFile = (id: string): string => path.join(work, `${id}.proposal.txt`);

    // Dana signs each proposal with her own key; a clerk at a front desk submits it.
    const propose = (id: string, org: string, text: string): ProposalRecord => {
      const proposed = civicJson<{ result: ProposalRecord; transactionId: string }>(
        [
          '--org',
          org,
          '--user',
          'clerk',
          'petition',
          'propose',
          '--id',
          id,
          '--title',
          `Dana's proposal ${id}`,
          '--text-file',
          file(`${id}.proposal.txt`, text),
          '--threshold',
          '25',
          '--closes',
          closes,
          '--credential-type',
          RESIDENCY,
          '--require',
          'resident_of=Civitas',
          'age_over_16=true',
          '--key',
          dana.file,
        ],
        env,
      );
      expect(proposed.result).toEqual({
        proposalId: id,
        kind: 'petition',
        title: `Dana's proposal ${id}`,
        textHash: createHash('sha256').update(text, 'utf8').digest('hex'),
        options: ['Yes', 'No'],
        eligibility: { credentialType: RESIDENCY, claims: ELIGIBLE },
        threshold: 25,
        closes,
        proposer: dana.did,
        status: 'proposed',
        submitted: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
        txId: proposed.transactionId,
        decision: null,
      });
      return proposed.result;
    };
    const parking = propose(PARKING, 'agencies', `Free parking on the Marktplein on Saturdays (${RUN}).\n`);
    const benches = propose(BENCHES, 'city', `Benches every 200 metres along the river walk (${RUN}).\n`);

    // The City rejects the parking proposal, with the reason Dana will read.
    const reason = `Parking on the Marktplein is set by the mobility plan, not by petition (${RUN})`;
    const rejected = civicJson<{ result: ProposalRecord }>(
      ['--org', 'city', '--user', 'clerk', 'petition', 'reject-proposal', PARKING, '--reason', reason],
      env,
    );
    expect(rejected.result).toEqual({
      ...parking,
      status: 'rejected',
      decision: { by: 'CityMSP/clerk', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown, petitionId: null, reason },
    });
    const decidedAt = (rejected.result.decision as NonNullable<ProposalRecord['decision']>).at;
    // Dana asks at the Utilities desk: the decision and its reason, as the clerk sees them and as printed.
    expect(await decidedThrough('utilities', PARKING)).toEqual(rejected.result);
    const shown = civic(['--org', 'utilities', '--user', 'clerk', 'petition', 'proposal', PARKING], env);
    expect({ code: shown.code, stderr: shown.stderr }).toEqual({ code: 0, stderr: '' });
    expect(shown.stdout.trim()).toBe(
      `proposal ${PARKING} (petition): Dana's proposal ${PARKING}\n  by ${dana.did}, ${parking.submitted}\n  rejected by CityMSP/clerk at ${decidedAt}: ${reason}`,
    );

    // The City accepts the benches proposal: a petition with the same text and kind, linked to it.
    const petitionId = `benches-${RUN}`;
    const created = civicJson<{ result: PetitionRecord }>(
      [
        '--org',
        'city',
        '--user',
        'admin',
        'petition',
        'create',
        '--id',
        petitionId,
        '--title',
        `Benches along the river walk (${RUN})`,
        '--text-file',
        textFile(BENCHES),
        '--threshold',
        '25',
        '--closes',
        closes,
        '--credential-type',
        RESIDENCY,
        '--require',
        'resident_of=Civitas',
        'age_over_16=true',
        '--proposal',
        BENCHES,
        '--key-out',
        path.join(work, `${petitionId}.token-key.json`),
      ],
      env,
    );
    expect(created.result).toMatchObject({
      petitionId,
      proposalId: BENCHES,
      kind: 'petition',
      textHash: benches.textHash,
      options: ['Yes', 'No'],
      eligibility: { credentialType: RESIDENCY, claims: ELIGIBLE },
      threshold: 25,
      closes: new Date(closes).toISOString(),
      status: 'open',
      createdBy: 'CityMSP/admin',
      final: null,
    });
    const accepted = await decidedThrough('agencies', BENCHES);
    expect(accepted).toEqual({ ...benches, status: 'accepted', decision: { by: 'CityMSP/admin', at: created.result.created, petitionId, reason: null } });
    // The petition exists, read through Utilities, with no signature yet.
    let show = civic(['--json', '--org', 'utilities', '--user', 'auditor', 'petition', 'show', petitionId], env);
    for (let attempt = 1; show.code !== 0 && attempt < 20; attempt += 1) {
      await sleep(500);
      show = civic(['--json', '--org', 'utilities', '--user', 'auditor', 'petition', 'show', petitionId], env);
    }
    expect(show.code).toBe(0);
    expect((JSON.parse(show.stdout) as { result: unknown }).result).toMatchObject({ ...created.result, live: { total: 0 } });

    // A decision is final, and only the City decides.
    expectRefused(
      civic(['--org', 'city', '--user', 'clerk', 'petition', 'reject-proposal', BENCHES, '--reason', 'changed our mind'], env),
      new RegExp(`^error: FAILED_PRECONDITION: proposal ${BENCHES} was already accepted${submitSuffix}`),
    );
    const ownKey = path.join(work, `parking-${RUN}.token-key.json`);
    expectRefused(
      civic(
        [
          '--org',
          'city',
          '--user',
          'admin',
          'petition',
          'create',
          '--id',
          `parking-${RUN}`,
          '--title',
          `Dana's proposal ${PARKING}`,
          '--text-file',
          textFile(PARKING),
          '--threshold',
          '25',
          '--closes',
          closes,
          '--credential-type',
          RESIDENCY,
          '--require',
          'resident_of=Civitas',
          'age_over_16=true',
          '--proposal',
          PARKING,
          '--key-out',
          ownKey,
        ],
        env,
      ),
      new RegExp(`^error: FAILED_PRECONDITION: proposal ${PARKING} was already rejected${submitSuffix}`),
    );
    expectRefused(
      civic(['--org', 'agencies', '--user', 'admin', 'petition', 'reject-proposal', BENCHES, '--reason', reason], env),
      new RegExp(`^error: FORBIDDEN: ${escapeRe('petition:RejectProposal is not open to members of AgenciesMSP (allowed: CityMSP)')}${submitSuffix}`),
    );
    // The refusals changed nothing: both decisions stand, and no petition was made from the rejected proposal.
    expect(civicJson<ProposalRecord>(['--org', 'city', '--user', 'clerk', 'petition', 'proposal', PARKING], env)).toEqual(rejected.result);
    expect(civicJson<ProposalRecord>(['--org', 'utilities', '--user', 'clerk', 'petition', 'proposal', BENCHES], env)).toEqual(accepted);
    expectRefused(
      civic(['--org', 'agencies', '--user', 'auditor', 'petition', 'show', `parking-${RUN}`], env),
      new RegExp(`^error: NOT_FOUND: petition parking-${RUN} does not exist${querySuffix}`),
    );
  }, 300_000);
});

/** Signers of the petition counted at close: more than {@link SMALL_QUERY_LIMIT}. */
const COUNTED_SIGNERS = 25;
/** The peers' `ledger.state.totalQueryLimit` while that petition is counted: one range query stops at 10 results. */
const SMALL_QUERY_LIMIT = 10;

/** Restart the network's nodes, with the peers' total query limit from `limit` (core.yaml's default when undefined). */
function restartNetwork(limit: number | undefined): void {
  expect(civic(['network', 'down'], env).code).toBe(0);
  const up = civic(['network', 'up'], { ...env, CIVIC_TOTAL_QUERY_LIMIT: limit === undefined ? '' : String(limit) }, 600_000);
  expect({ code: up.code, stderr: up.code === 0 ? '' : up.stderr }).toEqual({ code: 0, stderr: '' });
}

/** The `CORE_LEDGER_STATE_TOTALQUERYLIMIT` in the environment of City's running peer process. */
function peerQueryLimit(): string | undefined {
  const nodes = civicJson<{ nodes: { name: string; pid: number | null }[] }>(['network', 'status'], env).nodes;
  const pid = nodes.find((n) => n.name === 'peer-city')?.pid;
  const environ = readFileSync(`/proc/${String(pid)}/environ`, 'utf8').split('\0');
  return environ.find((v) => v.startsWith('CORE_LEDGER_STATE_TOTALQUERYLIMIT='))?.split('=')[1];
}

// Last in this file: it restarts the network, after which the gateway connections the other tests
// opened in beforeAll are in gRPC's reconnect backoff; only fresh `civic` processes run after it.
describe("counting at close beyond the peers' total query limit", () => {
  // The signatures are made on the network as it runs; then the peers are restarted with a total
  // query limit below their number, so one range query over them stops at the limit, and the
  // results and the close must count them all anyway. The network is restarted as it was after.
  it(`a petition with ${String(COUNTED_SIGNERS)} signatures is counted exactly at close, in several transactions`, async () => {
    const id = `counted-${RUN}`;
    const week = isoSeconds(Date.now() + 7 * 86_400_000);
    issuing.set(id, tokenDesk(createPetition(id, week, 20)));
    const petition = await petitionOf(id);
    const { tokens: counted } = await citizensWithTokens(desks, issuing.get(id) as TokenDesk, petition, registry, COUNTED_SIGNERS, 4);
    const outcomes: SignOutcome[] = [];
    await inParallel(COUNTED_SIGNERS, SIGN_IN_FLIGHT, async (i) => {
      outcomes[i] = await signThrough(desks.at(i % 3), { token: counted[i] as TokenFile, option: i % 5 === 4 ? 'No' : 'Yes', attributes: {} });
    });
    expect(outcomes.filter((o) => 'committed' in o)).toHaveLength(COUNTED_SIGNERS);
    const expected = { total: COUNTED_SIGNERS, counts: { Yes: COUNTED_SIGNERS - 5, No: 5 } };

    restartNetwork(SMALL_QUERY_LIMIT);
    try {
      expect(peerQueryLimit()).toBe(String(SMALL_QUERY_LIMIT));
      expect(resultsThrough('agencies', id)).toMatchObject({ status: 'open', ...expected });
      const run = civic(['--org', 'city', '--user', 'clerk', '--verbose', '--json', 'petition', 'close', id, '--withdraw', '--max-signatures', '10'], env);
      expect(run.code).toBe(0);
      const closed = (JSON.parse(run.stdout) as { result: { result: PetitionRecord } }).result.result;
      expect(closed.final).toMatchObject({ ...expected, thresholdReached: true, reason: 'withdrawn' });
      expect(run.stderr.match(/^counted \d+ signatures so far/gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
      expect(petitionThrough('utilities', id)).toMatchObject({ status: 'closed', final: closed.final });
      expect(resultsThrough('utilities', id)).toMatchObject({ status: 'closed', ...expected });
    } finally {
      restartNetwork(undefined);
    }
    expect(peerQueryLimit()).toBe('100000');
  }, 1_200_000);
});
