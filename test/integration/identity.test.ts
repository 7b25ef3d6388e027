/**
 * Self-sovereign identity on the live network (three orgs, the civic chaincode), driven through
 * the built `civic` CLI as citizens, issuing agencies and verifiers would drive it. It shows that:
 *  1. an `age_over_18` credential issued off-chain by an Agencies issuer (an SD-JWT with every
 *     claim a salted-hash disclosure) can be presented with that claim alone, and verifies
 *     through the Utilities org's gateway; the presentation's bytes hold no other claim's name
 *     or value;
 *  2. once its issuer revokes it on the ledger, it is refused with the reason (and a suspension
 *     likewise, until lifted); other credentials of the same issuer stay valid;
 *  3. a credential from an issuer the City never trusted, or from one the City suspended (or
 *     retired), is refused;
 *  4. a changed disclosure, a swapped holder, a presentation replayed for another challenge and
 *     an expired credential are each refused with a reason of their own;
 *  5. a citizen's signed authorisation, submitted a second time (for the same action or another),
 *     is refused as a replay, and the ledger holds the effect of the first submission only.
 * Every run uses fresh DIDs, a credential type of its own and fresh parcel ids (a random
 * suffix), so a network that earlier runs used still works.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DidResolutionResult, IssuerRecord } from '@civic-ledger/chaincode/dist/identity/client';
import type { Parcel } from '@civic-ledger/chaincode/dist/land/client';
import { civic, civicAsync, civicJson, type CivicRun } from '../support/civic-cli';
import { liveNetworkEnv } from '../support/test-network';
import { everyByteOf, issueLapsedCredential, issueOffLedger, presentByHand, sdJwtParts } from './identity-support';

const PASSPHRASE = 'identity integration passphrase';
const env = { ...liveNetworkEnv(), CIVIC_KEY_PASSPHRASE: PASSPHRASE };
const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-it-identity-'));
/** This run's suffix: credential types and parcel ids are upper-case letters and digits. */
const RUN = randomBytes(4).toString('hex').toUpperCase();
/** A credential type of this run's own: schemas are registered once per (type, version). */
const AGE = `AgeCredentialR${RUN}`;
const VERIFIER = `https://youth-centre-${RUN.toLowerCase()}.example`;
const MINUTES = 60_000;
/** The claims of an adult's credential; all but `age_over_18` must stay with the holder. */
const ADULT = { age_over_18: 'true', resident_district: `Centrum${RUN}`, birth_date: '2001-02-03', given_name: `Alice${RUN}` };

type Org = 'city' | 'agencies' | 'utilities';
interface Citizen {
  readonly name: string;
  readonly file: string;
  readonly did: string;
}
interface Verified {
  readonly issuer: string;
  readonly issuerName: string;
  readonly holder: string;
  readonly type: string;
  readonly claims: Record<string, unknown>;
}
interface Challenge {
  readonly audience: string;
  readonly nonce: string;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
const escapeRe = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const run = (args: readonly string[]): CivicRun => civic(args, env);
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the result shape
const json = <T>(args: readonly string[]): T => civicJson<T>(args, env);
const file = (name: string): string => path.join(dir, name);

/**
 * A state-changing command, run again while an endorsing peer has not yet committed the DID it
 * reads (the gateway may pick another org's peer that is a block behind its own): what a clerk
 * would do on `NOT_FOUND: DID … does not exist`.
 */
async function submitted<T>(args: readonly string[]): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const result = civic(['--json', ...args], env);
    if (result.code === 0) {
      return (JSON.parse(result.stdout) as { result: T }).result;
    }
    if (attempt >= 10 || !/NOT_FOUND: DID did:civic:\S+ does not exist/.test(result.stdout)) {
      throw new Error(`civic ${args.join(' ')} exited ${String(result.code)}: ${result.stdout}${result.stderr}`);
    }
    await sleep(500 * attempt);
  }
}

/** Fresh citizens: each makes a key on "their device" (at the same time); `register` names whose DIDs a clerk registers. */
async function citizens(names: readonly string[], register: readonly string[] = names): Promise<Record<string, Citizen>> {
  const made = await Promise.all(
    names.map(async (name) => {
      const keyFile = file(`${name}.key.json`);
      const keygen = await civicAsync(['--json', 'identity', 'keygen', '--out', keyFile], env);
      if (keygen.code !== 0) {
        throw new Error(`keygen for ${name} failed: ${keygen.stdout}${keygen.stderr}`);
      }
      return { name, file: keyFile, did: (JSON.parse(keygen.stdout) as { result: { did: string } }).result.did };
    }),
  );
  const desks: readonly Org[] = ['agencies', 'city', 'utilities'];
  await Promise.all(
    made
      .filter((c) => register.includes(c.name))
      .map(async (c, i) => {
        const registered = await civicAsync(['--org', desks[i % desks.length] ?? 'agencies', '--user', 'clerk', 'identity', 'register', '--key', c.file], env);
        if (registered.code !== 0) {
          throw new Error(`registering ${c.name} failed: ${registered.stderr}`);
        }
      }),
  );
  return Object.fromEntries(made.map((c) => [c.name, c]));
}

/** A DID document through one org's gateway, once that org's peer has it. */
async function resolveThrough(org: Org, did: string): Promise<DidResolutionResult> {
  for (let attempt = 1; ; attempt += 1) {
    const resolved = run(['--json', '--org', org, '--user', 'auditor', 'identity', 'resolve', did]);
    if (resolved.code === 0 || attempt >= 20) {
      if (resolved.code !== 0) {
        throw new Error(`identity resolve ${did} through ${org} exited ${String(resolved.code)}: ${resolved.stdout}${resolved.stderr}`);
      }
      return (JSON.parse(resolved.stdout) as { result: DidResolutionResult }).result;
    }
    await sleep(500);
  }
}

/** A refusal: exit 1 and exactly one line on stderr, `error: …`, matching `message`. */
function expectRefused(result: CivicRun, message: RegExp): void {
  const stderr = result.stderr.trim();
  expect({ code: result.code, stdout: result.stdout, oneLine: /^error: [^\n]+$/.test(stderr), stderr }).toEqual({ code: 1, stdout: '', oneLine: true, stderr });
  expect(stderr).toMatch(message);
}

/** `civic identity issue` by an issuer's `issuer` staff; returns the credential file and its status index. */
function issue(issuer: Citizen, holder: Citizen, claims: Record<string, string>, name: string, org: Org = 'agencies'): { file: string; statusIndex: number } {
  const out = file(`${name}.sd-jwt`);
  const claimArgs = Object.entries(claims).flatMap(([k, v]) => ['--claim', `${k}=${v}`]);
  const issued = json<{ file: string; statusIndex: number }>([
    '--org',
    org,
    '--user',
    'issuer',
    'identity',
    'issue',
    '--issuer-key',
    issuer.file,
    '--holder',
    holder.did,
    '--type',
    AGE,
    ...claimArgs,
    '--out',
    out,
  ]);
  expect(issued.file).toBe(out);
  return issued;
}

/** A fresh verifier challenge, from `civic identity challenge`. */
function challenge(audience = VERIFIER): Challenge {
  return { audience, nonce: json<{ nonce: string }>(['identity', 'challenge']).nonce };
}

/** `civic identity present` on the holder's device: only `disclose`, signed over the challenge. */
function present(key: Citizen, credential: string, disclose: readonly string[], c: Challenge, name: string): string {
  const out = file(`${name}.presentation.txt`);
  json([
    'identity',
    'present',
    '--key',
    key.file,
    '--credential',
    credential,
    '--disclose',
    disclose.join(','),
    '--audience',
    c.audience,
    '--nonce',
    c.nonce,
    '--out',
    out,
  ]);
  return out;
}

/** `civic identity verify` as an org's auditor (the verifier's own gateway). */
function verify(presentation: string, c: Challenge, org: Org = 'utilities', jsonOutput = false): CivicRun {
  return run([
    ...(jsonOutput ? ['--json'] : []),
    '--org',
    org,
    '--user',
    'auditor',
    'identity',
    'verify',
    '--presentation',
    presentation,
    '--audience',
    c.audience,
    '--nonce',
    c.nonce,
  ]);
}

function verified(presentation: string, c: Challenge, org: Org = 'utilities'): Verified {
  const result = verify(presentation, c, org, true);
  if (result.code !== 0) {
    throw new Error(`identity verify through ${org} exited ${String(result.code)}: ${result.stdout}${result.stderr}`);
  }
  return (JSON.parse(result.stdout) as { result: Verified }).result;
}

/**
 * Verify until the verifier's peer has caught up with a change just committed through another
 * org (a status list or issuer record), then expect the refusal.
 */
async function refusedOnceCommitted(presentation: string, c: Challenge, message: RegExp, org: Org = 'utilities'): Promise<void> {
  let result = verify(presentation, c, org);
  for (let attempt = 1; result.code === 0 && attempt < 20; attempt += 1) {
    await sleep(500);
    result = verify(presentation, c, org);
  }
  expectRefused(result, message);
}

const issuerThrough = (org: Org, did: string): IssuerRecord => json<IssuerRecord>(['--org', org, '--user', 'auditor', 'identity', 'issuer-show', did]);

/** Register a trusted issuer (City admin) and wait until the Utilities peer (the verifier's) has it. */
async function trust(issuer: Citizen, name: string): Promise<IssuerRecord> {
  const registered = await submitted<{ issuer: IssuerRecord }>([
    '--org',
    'city',
    '--user',
    'admin',
    'identity',
    'issuer-register',
    '--did',
    issuer.did,
    '--name',
    name,
    '--issuer-org',
    'agencies',
    '--types',
    AGE,
  ]);
  for (let attempt = 1; run(['--org', 'utilities', '--user', 'auditor', 'identity', 'issuer-show', issuer.did]).code !== 0 && attempt < 20; attempt += 1) {
    await sleep(500);
  }
  return registered.issuer;
}

let people: Record<string, Citizen>;
const who = (name: string): Citizen => {
  const c = people[name];
  if (c === undefined) {
    throw new Error(`no citizen ${name}`);
  }
  return c;
};

beforeAll(async () => {
  // Youth Services (trusted), the Parks Office (trusted, later suspended), a rogue DID the City
  // never trusted, and citizens: Alice (an adult), Mallory, Minnie (a minor), Bob (who rotates
  // his key; bob-2 is his next key, never registered as a DID of its own) and Carol (a land owner).
  people = await citizens(
    ['youth', 'parks', 'retiring', 'rogue', 'alice', 'mallory', 'minnie', 'bob', 'bob-2', 'carol'],
    ['youth', 'parks', 'retiring', 'rogue', 'alice', 'mallory', 'minnie', 'bob', 'carol'],
  );
  const schema = file('age.schema.json');
  writeFileSync(
    schema,
    JSON.stringify({
      type: AGE,
      version: 1,
      claims: [
        { name: 'age_over_18', type: 'boolean' },
        { name: 'resident_district', type: 'string' },
        { name: 'birth_date', type: 'date' },
        { name: 'given_name', type: 'string' },
      ],
    }),
  );
  json(['--org', 'city', '--user', 'admin', 'identity', 'schema-register', '--file', schema]);
  for (const [name, body] of [
    ['youth', 'Youth Services'],
    ['parks', 'Parks Office'],
    ['retiring', 'Old Registry'],
  ] as const) {
    expect(await trust(who(name), `${body} ${RUN}`)).toMatchObject({ did: who(name).did, mspId: 'AgenciesMSP', credentialTypes: [AGE], status: 'active' });
  }
  // Every holder's DID is on the verifier's peer before anything is verified there.
  for (const name of ['alice', 'mallory', 'minnie', 'bob']) {
    await resolveThrough('utilities', who(name).did);
  }
}, 10 * MINUTES);

describe('selective disclosure: age_over_18 alone, verified through another org', () => {
  it(
    "an Agencies issuer's credential, presented with age_over_18 only, verifies through Utilities and shows no other claim",
    async () => {
      const [alice, youth] = [who('alice'), who('youth')];
      const credential = issue(youth, alice, ADULT, 'alice-age');
      const issued = readFileSync(credential.file, 'utf8').trim();
      // The credential itself carries every claim (so the check below would see them if present),
      // each as a disclosure with a salt of at least 128 bits.
      const full = sdJwtParts(issued);
      expect(full.disclosures.map(([, name, value]) => [name, String(value)]).sort()).toEqual(Object.entries(ADULT).sort());
      for (const [salt] of full.disclosures) {
        expect(Buffer.from(salt, 'base64url').length).toBeGreaterThanOrEqual(16);
      }
      expect(full.issuerPayload).toMatchObject({
        iss: youth.did,
        sub: alice.did,
        vct: AGE,
        credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(credential.statusIndex) },
      });
      const inClear = JSON.stringify(full.issuerPayload);
      for (const [name, value] of Object.entries(ADULT)) {
        expect(inClear).not.toContain(name);
        expect(inClear).not.toContain(value);
      }

      const c = challenge();
      const presentation = present(alice, credential.file, ['age_over_18'], c, 'alice-age');
      const bytes = readFileSync(presentation, 'utf8').trim();
      const parts = sdJwtParts(bytes);
      expect(parts.disclosures.map(([, name, value]) => [name, value])).toEqual([['age_over_18', true]]);
      expect(parts.kbPayload).toMatchObject({ aud: c.audience, nonce: c.nonce });
      // What the verifier is handed, raw and decoded: no other claim's name or value.
      const everything = everyByteOf(bytes);
      for (const [name, value] of Object.entries(ADULT).filter(([name]) => name !== 'age_over_18')) {
        expect({ name, value, inRaw: bytes.includes(name) || bytes.includes(value) }).toEqual({ name, value, inRaw: false });
        expect(everything).not.toContain(name);
        expect(everything).not.toContain(value);
      }
      // ... while the full credential does contain them (decoded), so the search could find them.
      expect(everyByteOf(issued)).toContain(ADULT.resident_district);

      const result = verified(presentation, c, 'utilities');
      expect(result).toEqual({ issuer: youth.did, issuerName: `Youth Services ${RUN}`, holder: alice.did, type: AGE, claims: { age_over_18: true } });
      // What a person at the Utilities desk sees.
      const shown = verify(presentation, c, 'utilities');
      expect({ code: shown.code, stderr: shown.stderr }).toEqual({ code: 0, stderr: '' });
      expect(shown.stdout.trim()).toBe(`valid ${AGE} from Youth Services ${RUN} for ${alice.did}\n  age_over_18: true`);

      // The ledger the verifier relied on, read through the Utilities and City gateways: the
      // issuer is trusted for this type and acts for Agencies; the holder's DID has the bound key.
      expect(issuerThrough('utilities', youth.did)).toMatchObject({ did: youth.did, mspId: 'AgenciesMSP', credentialTypes: [AGE], status: 'active' });
      const holderDoc = await resolveThrough('city', alice.did);
      expect(holderDoc.didDocument.verificationMethod[0]?.publicKeyJwk).toEqual((full.issuerPayload.cnf as { jwk: unknown }).jwk);
      expect(await resolveThrough('utilities', alice.did)).toEqual(holderDoc);
    },
    10 * MINUTES,
  );
});

describe('revocation and suspension of a credential on the ledger', () => {
  it(
    'a revoked credential is refused with the reason; a suspended one until reinstated; the issuer’s other credentials stay valid',
    async () => {
      const [alice, youth] = [who('alice'), who('youth')];
      const kept = issue(youth, alice, { age_over_18: 'true' }, 'alice-kept');
      const revoked = issue(youth, alice, { age_over_18: 'true' }, 'alice-revoked');
      const paused = issue(youth, alice, { age_over_18: 'true' }, 'alice-paused');
      expect(new Set([kept.statusIndex, revoked.statusIndex, paused.statusIndex]).size).toBe(3);
      const c = challenge();
      const [keptP, revokedP, pausedP] = [
        present(alice, kept.file, ['age_over_18'], c, 'kept'),
        present(alice, revoked.file, ['age_over_18'], c, 'revoked'),
        present(alice, paused.file, ['age_over_18'], c, 'paused'),
      ];
      for (const p of [keptP, revokedP, pausedP]) {
        expect(verified(p, c).claims).toEqual({ age_over_18: true });
      }

      // Only the issuer's own org, with the issuer DID's signature, may set a status.
      expectRefused(
        run(['--org', 'utilities', '--user', 'issuer', 'identity', 'set-status', '--issuer-key', youth.file, '--index', String(revoked.statusIndex)]),
        /^error: FORBIDDEN: identity:SetCredentialStatus is not open to members of UtilitiesMSP \(allowed: AgenciesMSP\)/,
      );
      expectRefused(
        run(['--org', 'agencies', '--user', 'issuer', 'identity', 'set-status', '--issuer-key', alice.file, '--index', String(revoked.statusIndex)]),
        new RegExp(`^error: NOT_FOUND: issuer ${escapeRe(alice.did)} does not exist`),
      );
      expect(verified(revokedP, c).claims).toEqual({ age_over_18: true });

      const revocation = json<{ purpose: string; index: number; value: boolean; transactionId: string }>([
        '--org',
        'agencies',
        '--user',
        'issuer',
        'identity',
        'set-status',
        '--issuer-key',
        youth.file,
        '--index',
        String(revoked.statusIndex),
      ]);
      expect(revocation).toMatchObject({ purpose: 'revocation', index: revoked.statusIndex, value: true });
      await refusedOnceCommitted(revokedP, c, new RegExp(`^error: REVOKED: the credential was revoked by Youth Services ${RUN}$`));
      // The same refusal through the City's gateway, and for a fresh presentation of it.
      const again = challenge();
      expectRefused(verify(present(alice, revoked.file, ['age_over_18'], again, 'revoked-again'), again, 'city'), /^error: REVOKED: /);

      json(['--org', 'agencies', '--user', 'issuer', 'identity', 'set-status', '--issuer-key', youth.file, '--index', String(paused.statusIndex), '--suspend']);
      await refusedOnceCommitted(pausedP, c, new RegExp(`^error: SUSPENDED: the credential is suspended by Youth Services ${RUN}$`));
      json([
        '--org',
        'agencies',
        '--user',
        'issuer',
        'identity',
        'set-status',
        '--issuer-key',
        youth.file,
        '--index',
        String(paused.statusIndex),
        '--reinstate',
      ]);
      for (let attempt = 1; verify(pausedP, c).code !== 0 && attempt < 20; attempt += 1) {
        await sleep(500);
      }
      expect(verified(pausedP, c).claims).toEqual({ age_over_18: true });

      // Revocation is final: lifting a suspension at that index leaves the credential revoked.
      expect(
        json<{ purpose: string; value: boolean }>([
          '--org',
          'agencies',
          '--user',
          'issuer',
          'identity',
          'set-status',
          '--issuer-key',
          youth.file,
          '--index',
          String(revoked.statusIndex),
          '--reinstate',
        ]),
      ).toMatchObject({ purpose: 'suspension', value: false });
      expectRefused(verify(revokedP, c), /^error: REVOKED: /);
      // The credential that was never touched is still valid.
      expect(verified(keptP, c, 'city').claims).toEqual({ age_over_18: true });
    },
    10 * MINUTES,
  );
});

describe('issuers the City does not trust', () => {
  it(
    'refuses a credential from an untrusted issuer, a suspended issuer and a retired one',
    async () => {
      const [alice, rogue, parks, retiring] = [who('alice'), who('rogue'), who('parks'), who('retiring')];
      // A registered DID that the City never made an issuer: it can sign an SD-JWT, but no verifier accepts it.
      expectRefused(
        run(['--org', 'utilities', '--user', 'auditor', 'identity', 'issuer-show', rogue.did]),
        new RegExp(`NOT_FOUND: issuer ${escapeRe(rogue.did)} does not exist`),
      );
      // `identity issue` takes the status index on the ledger first, which only a trusted issuer may.
      const refusedIssue = run([
        '--org',
        'agencies',
        '--user',
        'issuer',
        'identity',
        'issue',
        '--issuer-key',
        rogue.file,
        '--holder',
        alice.did,
        '--type',
        AGE,
        '--claim',
        'age_over_18=true',
        '--out',
        file('rogue-refused.sd-jwt'),
      ]);
      expectRefused(refusedIssue, new RegExp(`^error: NOT_FOUND: issuer ${escapeRe(rogue.did)} does not exist`));
      expect(existsSync(file('rogue-refused.sd-jwt'))).toBe(false);
      // It can still sign an SD-JWT by hand, but no verifier accepts it.
      const aliceKey = (await resolveThrough('agencies', alice.did)).didDocument.verificationMethod[0]?.publicKeyJwk;
      if (aliceKey === undefined) {
        throw new Error('alice has no key');
      }
      const forged = { file: file('rogue-age.sd-jwt') };
      await issueOffLedger(rogue.file, PASSPHRASE, { did: alice.did, publicKeyJwk: aliceKey }, AGE, { age_over_18: true }, 365, forged.file);
      const c = challenge();
      expectRefused(
        verify(present(alice, forged.file, ['age_over_18'], c, 'rogue'), c),
        new RegExp(`^error: UNTRUSTED_ISSUER: ${escapeRe(rogue.did)} is not a trusted issuer on the ledger$`),
      );

      // A trusted issuer's credential verifies until the City suspends the issuer, and again once reinstated.
      const parksCredential = issue(parks, alice, { age_over_18: 'true' }, 'parks-age');
      const parksP = present(alice, parksCredential.file, ['age_over_18'], c, 'parks');
      expect(verified(parksP, c).issuerName).toBe(`Parks Office ${RUN}`);
      expect(
        json<{ issuer: IssuerRecord }>(['--org', 'city', '--user', 'admin', 'identity', 'issuer-status', '--did', parks.did, '--status', 'suspended']).issuer
          .status,
      ).toBe('suspended');
      await refusedOnceCommitted(parksP, c, new RegExp(`^error: ISSUER_SUSPENDED: issuer Parks Office ${RUN} \\(${escapeRe(parks.did)}\\) is suspended$`));
      expect(issuerThrough('utilities', parks.did).status).toBe('suspended');
      // Only the City's admin decides who is trusted.
      expectRefused(
        run(['--org', 'agencies', '--user', 'admin', 'identity', 'issuer-status', '--did', parks.did, '--status', 'active']),
        /^error: FORBIDDEN: identity:SetIssuerStatus is not open to members of AgenciesMSP/,
      );
      json(['--org', 'city', '--user', 'admin', 'identity', 'issuer-status', '--did', parks.did, '--status', 'active']);
      for (let attempt = 1; verify(parksP, c).code !== 0 && attempt < 20; attempt += 1) {
        await sleep(500);
      }
      expect(verified(parksP, c).issuer).toBe(parks.did);

      // A retired issuer is no longer trusted at all, and retirement is final.
      const oldCredential = issue(retiring, alice, { age_over_18: 'true' }, 'retired-age');
      const oldP = present(alice, oldCredential.file, ['age_over_18'], c, 'retired');
      expect(verified(oldP, c).issuer).toBe(retiring.did);
      json(['--org', 'city', '--user', 'admin', 'identity', 'issuer-status', '--did', retiring.did, '--status', 'retired']);
      await refusedOnceCommitted(oldP, c, new RegExp(`^error: UNTRUSTED_ISSUER: ${escapeRe(retiring.did)} is not a trusted issuer on the ledger$`));
      expectRefused(
        run(['--org', 'city', '--user', 'admin', 'identity', 'issuer-status', '--did', retiring.did, '--status', 'active']),
        new RegExp(`^error: FAILED_PRECONDITION: issuer ${escapeRe(retiring.did)} is retired`),
      );
    },
    10 * MINUTES,
  );
});

describe('tampering: each refused with its own reason', () => {
  const reasons = new Map<string, string>();
  const refusedWith = (what: string, result: CivicRun, reason: string, message: RegExp): void => {
    expectRefused(result, new RegExp(`^error: ${reason}: `));
    expect(result.stderr.trim()).toMatch(message);
    reasons.set(what, reason);
  };

  it(
    'a changed disclosure',
    async () => {
      const [minnie, youth] = [who('minnie'), who('youth')];
      // A minor's credential says age_over_18 false; she changes the disclosure to true.
      const credential = issue(youth, minnie, { age_over_18: 'false', resident_district: `Noord${RUN}` }, 'minnie-age');
      const c = challenge();
      const honest = present(minnie, credential.file, ['age_over_18'], c, 'minnie-honest');
      expect(verified(honest, c).claims).toEqual({ age_over_18: false });

      // In transit: the presentation's disclosure is rewritten after the holder signed it.
      const parts = readFileSync(honest, 'utf8').trim().split('~');
      const [salt, name] = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as [string, string, boolean];
      parts[1] = Buffer.from(JSON.stringify([salt, name, true])).toString('base64url');
      const rewritten = file('minnie-rewritten.presentation.txt');
      writeFileSync(rewritten, `${parts.join('~')}\n`);
      refusedWith('changed disclosure', verify(rewritten, c), 'BAD_DISCLOSURE', /^error: BAD_DISCLOSURE: the disclosures are not the ones the holder signed/);

      // By the holder: she rewrites the disclosure in her credential and presents it, signing the
      // key-binding JWT over the rewritten bytes herself. `civic identity present` will not offer a
      // disclosure that matches none of the issuer's digests, so her own software does it.
      const issued = readFileSync(credential.file, 'utf8').trim();
      const credentialParts = issued.split('~');
      const index = credentialParts.findIndex(
        (d, i) => i > 0 && d !== '' && (JSON.parse(Buffer.from(d, 'base64url').toString('utf8')) as unknown[])[1] === 'age_over_18',
      );
      const [s] = JSON.parse(Buffer.from(credentialParts[index] ?? '', 'base64url').toString('utf8')) as [string];
      credentialParts[index] = Buffer.from(JSON.stringify([s, 'age_over_18', true])).toString('base64url');
      const altered = file('minnie-altered.sd-jwt');
      writeFileSync(altered, `${credentialParts.join('~')}\n`);
      expectRefused(
        run(['identity', 'present', '--key', minnie.file, '--credential', altered, '--disclose', 'age_over_18', '--audience', c.audience, '--nonce', c.nonce]),
        /^error: the credential has no claim 'age_over_18'$/,
      );
      const forged = file('minnie-forged.presentation.txt');
      writeFileSync(forged, await presentByHand(issued, [credentialParts[index] ?? ''], minnie.file, PASSPHRASE, c));
      expectRefused(verify(forged, c), /^error: BAD_DISCLOSURE: 1 presented disclosure\(s\) match no digest the issuer signed$/);
      // The same hand-made presentation with the disclosure as issued verifies: only the change is refused.
      const faithful = file('minnie-faithful.presentation.txt');
      writeFileSync(faithful, await presentByHand(issued, [issued.split('~')[index] ?? ''], minnie.file, PASSPHRASE, c));
      expect(verified(faithful, c).claims).toEqual({ age_over_18: false });
    },
    5 * MINUTES,
  );

  it(
    'a swapped holder',
    async () => {
      const [alice, mallory, bob, bob2, youth] = [who('alice'), who('mallory'), who('bob'), who('bob-2'), who('youth')];
      const credential = issue(youth, alice, { age_over_18: 'true' }, 'alice-stolen');
      const c = challenge();
      // Mallory presents Alice's credential with her own key.
      refusedWith(
        'swapped holder',
        verify(present(mallory, credential.file, ['age_over_18'], c, 'mallory-stolen'), c),
        'HOLDER_MISMATCH',
        new RegExp(`^error: HOLDER_MISMATCH: the key-binding signature is not by the key the credential binds to ${escapeRe(alice.did)}$`),
      );

      // Mallory rewrites the holder inside the credential to herself: the issuer's signature breaks.
      const [jwt = '', ...rest] = readFileSync(credential.file, 'utf8').trim().split('~');
      const [header = '', body = '', signature = ''] = jwt.split('.');
      const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
      const malloryDoc = await resolveThrough('utilities', mallory.did);
      const swapped = { ...payload, sub: mallory.did, cnf: { jwk: malloryDoc.didDocument.verificationMethod[0]?.publicKeyJwk } };
      const rebound = file('mallory-rebound.sd-jwt');
      writeFileSync(rebound, `${[`${header}.${Buffer.from(JSON.stringify(swapped)).toString('base64url')}.${signature}`, ...rest].join('~')}\n`);
      expectRefused(
        verify(present(mallory, rebound, ['age_over_18'], c, 'mallory-rebound'), c),
        /^error: BAD_SIGNATURE: the issuer signature does not verify with the issuer DID's current key$/,
      );

      // Bob's credential is bound to his key; after he rotates it, the old binding no longer holds.
      const bobs = issue(youth, bob, { age_over_18: 'true' }, 'bob-age');
      const before = present(bob, bobs.file, ['age_over_18'], c, 'bob-before');
      expect(verified(before, c).holder).toBe(bob.did);
      json(['--org', 'agencies', '--user', 'clerk', 'identity', 'rotate', '--key', bob.file, '--new-key', bob2.file]);
      const bob2Public = (JSON.parse(readFileSync(bob2.file, 'utf8')) as { publicKeyJwk: { x: string } }).publicKeyJwk;
      const keyThrough = async (org: Org): Promise<unknown> => (await resolveThrough(org, bob.did)).didDocument.verificationMethod[0]?.publicKeyJwk;
      for (let attempt = 1; ((await keyThrough('utilities')) as { x?: string } | undefined)?.x !== bob2Public.x && attempt < 20; attempt += 1) {
        await sleep(500);
      }
      expect(await keyThrough('utilities')).toEqual(bob2Public);
      expect(await keyThrough('city')).toEqual(bob2Public);
      const after = challenge();
      expectRefused(
        verify(present(bob, bobs.file, ['age_over_18'], after, 'bob-after'), after),
        new RegExp(`^error: HOLDER_MISMATCH: the credential is bound to a key that is not the current key of ${escapeRe(bob.did)}$`),
      );
      expectRefused(verify(present(bob2, bobs.file, ['age_over_18'], after, 'bob-2-after'), after), /^error: HOLDER_MISMATCH: /);
    },
    5 * MINUTES,
  );

  it(
    'a presentation replayed for another challenge',
    () => {
      const [alice, youth] = [who('alice'), who('youth')];
      const credential = issue(youth, alice, { age_over_18: 'true' }, 'alice-replayed');
      const first = challenge();
      const presentation = present(alice, credential.file, ['age_over_18'], first, 'alice-replayed');
      expect(verified(presentation, first).claims).toEqual({ age_over_18: true });
      // The same verifier's next challenge, and another verifier's.
      const second = challenge();
      expect(second.nonce).not.toBe(first.nonce);
      refusedWith(
        'replayed presentation',
        verify(presentation, second),
        'WRONG_CHALLENGE',
        /^error: WRONG_CHALLENGE: the presentation was signed for another challenge: its nonce is not the one given$/,
      );
      const elsewhere = { audience: 'https://bar.example', nonce: first.nonce };
      expectRefused(
        verify(presentation, elsewhere),
        new RegExp(`^error: WRONG_CHALLENGE: the presentation was made for ${escapeRe(VERIFIER)}, not https://bar\\.example$`),
      );
    },
    5 * MINUTES,
  );

  it(
    'an expired credential',
    async () => {
      const [alice, youth] = [who('alice'), who('youth')];
      const aliceDoc = await resolveThrough('agencies', alice.did);
      const holderKey = aliceDoc.didDocument.verificationMethod[0]?.publicKeyJwk;
      if (holderKey === undefined) {
        throw new Error('alice has no key');
      }
      const lapsed = file('alice-lapsed.sd-jwt');
      const { expiresAt } = await issueLapsedCredential(
        youth.file,
        PASSPHRASE,
        { did: alice.did, publicKeyJwk: holderKey },
        AGE,
        { age_over_18: true },
        { daysAgo: 400, validDays: 365 },
        lapsed,
      );
      expect(expiresAt).toBeLessThan(Date.now() / 1000);
      const c = challenge();
      refusedWith(
        'expired credential',
        verify(present(alice, lapsed, ['age_over_18'], c, 'alice-lapsed'), c),
        'EXPIRED',
        new RegExp(`^error: EXPIRED: the credential expired at ${new Date(expiresAt * 1000).toISOString().replace('.000Z', 'Z')}$`),
      );
    },
    5 * MINUTES,
  );

  it('gave each of the four its own reason', () => {
    expect(Object.fromEntries(reasons)).toEqual({
      'changed disclosure': 'BAD_DISCLOSURE',
      'swapped holder': 'HOLDER_MISMATCH',
      'replayed presentation': 'WRONG_CHALLENGE',
      'expired credential': 'EXPIRED',
    });
    expect(new Set(reasons.values()).size).toBe(4);
  });
});

describe("a citizen's signature is used once", () => {
  it(
    'refuses the same signed consent submitted again, for the same action or for another parcel',
    async () => {
      const carol = who('carol');
      const register = (id: string): Parcel =>
        json<{ result: Parcel }>([
          '--org',
          'city',
          '--user',
          'registrar',
          'land',
          'register',
          '--parcel',
          id,
          '--area',
          '300',
          '--land-use',
          'residential',
          '--location',
          '4.9,52.37',
          '--owner',
          `${carol.did}=1`,
          '--deed-hash',
          randomBytes(32).toString('hex'),
        ]).result;
      const [home, cabin] = [`ID-${RUN}-HOME`, `ID-${RUN}-CABIN`];
      register(home);
      register(cabin);
      for (let attempt = 1; run(['--org', 'agencies', '--user', 'auditor', 'land', 'show', home]).code !== 0 && attempt < 20; attempt += 1) {
        await sleep(500);
      }

      // Carol signs one consent to a mortgage on her home by Agencies; the lender submits it.
      const consent = file('carol-home.consent.json');
      json([
        '--org',
        'agencies',
        '--user',
        'clerk',
        'land',
        'consent-mortgage',
        '--key',
        carol.file,
        '--parcel',
        home,
        '--lender',
        'agencies',
        '--out',
        consent,
      ]);
      const signed = JSON.parse(readFileSync(consent, 'utf8')) as { did: string; payload: { action: string; nonce: string } };
      expect(signed).toMatchObject({ did: carol.did, payload: { action: 'land:ConsentMortgage', did: carol.did } });
      const mortgage = (id: string, description: string): CivicRun =>
        run(['--org', 'agencies', '--user', 'lender', 'land', 'mortgage', '--parcel', id, '--description', description, '--consent', consent]);
      const first = json<{ transactionId: string; result: Parcel }>([
        '--org',
        'agencies',
        '--user',
        'lender',
        'land',
        'mortgage',
        '--parcel',
        home,
        '--description',
        `loan ${RUN}-1`,
        '--consent',
        consent,
      ]);
      expect(first.result.encumbrances.map((e) => [e.kind, e.holder, e.description])).toEqual([['mortgage', 'AgenciesMSP', `loan ${RUN}-1`]]);

      // The very same signed request again: refused as a replay, naming the transaction that used it.
      const replayed = new RegExp(
        `^error: FAILED_PRECONDITION: request\\.consents\\.0 was already used by transaction ${first.transactionId} for land:ConsentMortgage \\(replayed signature\\)`,
      );
      expectRefused(mortgage(home, `loan ${RUN}-2`), replayed);
      // ... and for another action: a mortgage on her cabin.
      expectRefused(mortgage(cabin, `loan ${RUN}-3`), replayed);

      // The ledger, read through the other orgs: one mortgage on the home, none on the cabin.
      for (const org of ['city', 'utilities'] as const) {
        let homeNow = json<Parcel>(['--org', org, '--user', 'auditor', 'land', 'show', home]);
        for (let attempt = 1; homeNow.version < first.result.version && attempt < 20; attempt += 1) {
          await sleep(500);
          homeNow = json<Parcel>(['--org', org, '--user', 'auditor', 'land', 'show', home]);
        }
        expect(homeNow).toEqual(first.result);
        expect(json<Parcel>(['--org', org, '--user', 'auditor', 'land', 'show', cabin]).encumbrances).toEqual([]);
      }
    },
    10 * MINUTES,
  );
});

describe('a deactivated DID', () => {
  it(
    'resolves as deactivated through the other orgs, and its key signs nothing more: no presentation, no proposal, no rotation, no second deactivation',
    async () => {
      // Dora, and a key she makes later for the same DID (never registered as a DID of its own).
      Object.assign(people, await citizens(['dora', 'dora-2'], ['dora']));
      const [dora, doraNext, youth] = [who('dora'), who('dora-2'), who('youth')];
      /** What the CLI adds to a chaincode refusal: the endorsing org, and the transaction id of a submission. */
      const submitSuffix = ' \\(endorser [A-Za-z]+MSP, tx [0-9a-f]{64}\\)$';
      const before = await resolveThrough('utilities', dora.did);
      expect(before.didDocumentMetadata).toMatchObject({ deactivated: false, sequence: 0 });
      // While her DID is active, a credential bound to her key verifies.
      const credential = issue(youth, dora, { age_over_18: 'true' }, 'dora-age');
      const c = challenge();
      const presentation = present(dora, credential.file, ['age_over_18'], c, 'dora-age');
      expect(verified(presentation, c)).toMatchObject({ holder: dora.did, claims: { age_over_18: true } });

      // Dora deactivates her DID at the Agencies desk, signing with her key.
      const deactivated = json<{ transactionId: string; did: string; resolution: DidResolutionResult }>([
        '--org',
        'agencies',
        '--user',
        'clerk',
        'identity',
        'deactivate',
        '--key',
        dora.file,
      ]);
      expect(deactivated.did).toBe(dora.did);
      expect(deactivated.resolution).toEqual({
        didDocument: { ...before.didDocument, verificationMethod: [], authentication: [], assertionMethod: [] },
        didDocumentMetadata: {
          created: before.didDocumentMetadata.created,
          updated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
          deactivated: true,
          versionId: deactivated.transactionId,
          sequence: 1,
        },
      });
      // The City and Utilities resolve it deactivated: the same document, with no key left.
      for (const org of ['city', 'utilities'] as const) {
        let doc = await resolveThrough(org, dora.did);
        for (let attempt = 1; !doc.didDocumentMetadata.deactivated && attempt < 20; attempt += 1) {
          await sleep(500);
          doc = await resolveThrough(org, dora.did);
        }
        expect(doc).toEqual(deactivated.resolution);
      }

      // Her key no longer speaks for the DID: the presentation made before is refused, and so is a fresh one.
      const notCurrent = new RegExp(`^error: HOLDER_MISMATCH: the holder's DID ${escapeRe(dora.did)} is deactivated; it holds no key any more$`);
      expectRefused(verify(presentation, c), notCurrent);
      const fresh = challenge();
      expectRefused(verify(present(dora, credential.file, ['age_over_18'], fresh, 'dora-after'), fresh, 'city'), notCurrent);

      // A citizen-signed action in another contract: a petition proposal signed with her key, at the Utilities desk.
      const isDeactivated = new RegExp(`^error: FAILED_PRECONDITION: DID ${escapeRe(dora.did)} is deactivated${submitSuffix}`);
      const text = file('dora-proposal.txt');
      writeFileSync(text, `A skate park in Centrum (${RUN}).\n`);
      expectRefused(
        run([
          '--org',
          'utilities',
          '--user',
          'clerk',
          'petition',
          'propose',
          '--id',
          `skate-park-${RUN.toLowerCase()}`,
          '--title',
          'A skate park',
          '--text-file',
          text,
          '--threshold',
          '10',
          '--closes',
          new Date(Date.now() + 7 * 86_400_000).toISOString(),
          '--credential-type',
          AGE,
          '--require',
          'age_over_18=true',
          '--key',
          dora.file,
        ]),
        isDeactivated,
      );
      expectRefused(
        run(['--org', 'utilities', '--user', 'auditor', 'petition', 'proposal', `skate-park-${RUN.toLowerCase()}`]),
        new RegExp(`^error: NOT_FOUND: proposal skate-park-${RUN.toLowerCase()} does not exist \\(endorser [A-Za-z]+MSP\\)$`),
      );
      // Nor can she give the DID a new key, deactivate it a second time, or register it afresh.
      expectRefused(run(['--org', 'city', '--user', 'clerk', 'identity', 'rotate', '--key', dora.file, '--new-key', doraNext.file]), isDeactivated);
      expectRefused(run(['--org', 'city', '--user', 'clerk', 'identity', 'deactivate', '--key', dora.file]), isDeactivated);
      expectRefused(
        run(['--org', 'utilities', '--user', 'clerk', 'identity', 'register', '--key', dora.file]),
        new RegExp(`^error: ALREADY_EXISTS: DID ${escapeRe(dora.did)} is already registered${submitSuffix}`),
      );
      // The ledger holds the one deactivation only.
      expect(await resolveThrough('agencies', dora.did)).toEqual(deactivated.resolution);
      expect(await resolveThrough('utilities', dora.did)).toEqual(deactivated.resolution);
    },
    10 * MINUTES,
  );
});
