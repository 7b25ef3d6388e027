/**
 * Certificates the live network must refuse, each used through the built `civic` CLI and the
 * real gateway and peers as a City clerk's wallet identity:
 *  1. the City clerk's own certificate re-issued by the City's Fabric CA key (subject, NodeOU,
 *     SANs and the civic.role attribute copied) with a validity that ended yesterday: every peer
 *     refuses the proposal ("proposal client identity expired"), for a submit and an evaluate;
 *  2. the same certificate issued by a CA of the test's own making with the City CA's very
 *     subject: "access denied: channel [civic] creator org unknown, creator is malformed" (the
 *     peer's log: "x509: certificate signed by unknown authority");
 *  3. a certificate a genuine Fabric CA enrolled (a fabric-ca-server of the test's own, named
 *     ca-city, subject O=CityMSP, civic.role=clerk) that is not on the channel: refused alike.
 * Each refusal exits 1 with one line naming the refused identity, and no block is added; the
 * real clerk, with the same key, is served.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { civic, civicJson, type CivicRun } from '../support/civic-cli';
import { opensslSubject, orgCaKeyPair, plantWalletUser, reissue, removeWalletUser, selfMadeCa, walletIdentity, type KeyPair } from '../support/forged-certs';
import { enrollFromStrayCa } from '../support/stray-fabric-ca';
import { liveNetworkEnv, settledHeights } from '../support/test-network';

const PASSPHRASE = 'refused certificates passphrase';
const env = { ...liveNetworkEnv(), CIVIC_KEY_PASSPHRASE: PASSPHRASE };
const home = liveNetworkEnv().CIVIC_NETWORK_HOME ?? '';
const work = mkdtempSync(path.join(os.tmpdir(), 'civic-it-certs-'));
const RUN = randomBytes(3).toString('hex');
const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const USERS = { expired: `expired-${RUN}`, foreign: `foreign-${RUN}`, stray: `stray-${RUN}` } as const;

/** A citizen key for a DID registration (a submit), made on the "citizen's device". */
function citizenKey(name: string): string {
  const file = path.join(work, `${name}.key.json`);
  civicJson(['identity', 'keygen', '--out', file], env);
  return file;
}

/** One refusal line, exit 1, nothing on stdout; returns the transaction id the line names, if any. */
function expectRefused(run: CivicRun, reason: RegExp): string | undefined {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '' });
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: ACCESS_DENIED: CityMSP's peer refused the caller's identity: /);
  expect(lines[0]).toMatch(reason);
  return /, tx ([0-9a-f]{64})\)$/.exec(lines[0] ?? '')?.[1];
}

/** The lines of a peer's log about a transaction (by the id's first 8 hex digits, as the endorser logs it). */
function peerLogAbout(org: string, txId: string): string {
  return readFileSync(path.join(home, 'logs', `peer-${org}.log`), 'utf8')
    .split('\n')
    .filter((line) => line.includes(`txID=${txId.slice(0, 8)}`))
    .join('\n');
}

describe('certificates the network refuses', () => {
  let clerk: KeyPair;
  let knownDid: string;
  let heights: number[];

  beforeAll(async () => {
    clerk = walletIdentity(home, 'city', 'clerk');
    const cityCa = orgCaKeyPair(home, 'city');
    // 1. The clerk's certificate, re-issued by the City CA's own key, valid from the CA's own start
    // (the MSP checks the chain as of the certificate's notBefore, so earlier would be refused for
    // that instead) until a minute ago.
    const caStart = new Date(new X509Certificate(cityCa.certPem).validFrom).getTime() + 1000;
    const ended = Date.now() - MINUTE;
    if (ended <= caStart) {
      throw new Error(`the City CA is too new (valid from ${new Date(caStart).toISOString()}) for a certificate that has already ended`);
    }
    const expired = reissue(clerk, cityCa, new Date(caStart), new Date(ended));
    plantWalletUser(home, 'city', USERS.expired, { certPem: expired, keyPem: clerk.keyPem });
    // 2. The same certificate from a CA of our own with the City CA's subject.
    const imitation = selfMadeCa(opensslSubject(cityCa.certPem));
    plantWalletUser(home, 'city', USERS.foreign, {
      certPem: reissue(clerk, imitation, new Date(Date.now() - DAY), new Date(Date.now() + DAY)),
      keyPem: clerk.keyPem,
    });
    // 3. A genuine Fabric CA, not on the channel, named and configured like the City's.
    plantWalletUser(home, 'city', USERS.stray, await enrollFromStrayCa(env, 'ca-city', 'CityMSP', 'clerk', 'clerk'));
    const registered = civicJson<{ did: string }>(['--org', 'city', '--user', 'clerk', 'identity', 'register', '--key', citizenKey('known')], env);
    knownDid = registered.did;
    heights = await settledHeights(env);
  }, 120_000);

  afterAll(() => {
    for (const user of Object.values(USERS)) {
      removeWalletUser(home, 'city', user);
    }
  });

  it('refuses a City clerk certificate whose validity has ended, re-issued by the City CA itself: submit and evaluate, no block added', async () => {
    const key = citizenKey('expired');
    const submit = civic(['--org', 'city', '--user', USERS.expired, 'identity', 'register', '--key', key], env);
    const txId = expectRefused(submit, /proposal client identity expired \(its certificate's validity has ended; enroll again\)/);
    expect(txId).toBeDefined();
    // The City peer (the gateway) says why, in the peer's own words.
    expect(peerLogAbout('city', txId ?? '')).toMatch(/error="proposal client identity expired"/);
    expectRefused(civic(['--org', 'city', '--user', USERS.expired, 'identity', 'resolve', knownDid], env), /proposal client identity expired/);
    expect(await settledHeights(env)).toEqual(heights);
  }, 120_000);

  it('refuses the same certificate issued by a self-made CA with the City CA’s subject, no block added', async () => {
    const submit = civic(['--org', 'city', '--user', USERS.foreign, 'identity', 'register', '--key', citizenKey('foreign')], env);
    const txId = expectRefused(submit, /access denied: channel \[civic\] creator org unknown, creator is malformed/);
    expect(peerLogAbout('city', txId ?? '')).toMatch(/the supplied identity is not valid: x509: certificate signed by unknown authority/);
    expectRefused(civic(['--org', 'city', '--user', USERS.foreign, 'identity', 'resolve', knownDid], env), /creator org unknown, creator is malformed/);
    expect(await settledHeights(env)).toEqual(heights);
  }, 120_000);

  it('refuses a certificate a genuine Fabric CA that is not on the channel enrolled, no block added', async () => {
    const submit = civic(['--org', 'city', '--user', USERS.stray, 'identity', 'register', '--key', citizenKey('stray')], env);
    const txId = expectRefused(submit, /access denied: channel \[civic\] creator org unknown, creator is malformed/);
    expect(peerLogAbout('city', txId ?? '')).toMatch(/certificate signed by unknown authority/);
    expect(await settledHeights(env)).toEqual(heights);
  }, 120_000);

  it('serves the real City clerk, with the same key, and resolves the DID it registered', async () => {
    const doc = civicJson<{ id?: string; didDocument?: { id: string } }>(['--org', 'city', '--user', 'clerk', 'identity', 'resolve', knownDid], env);
    expect(JSON.stringify(doc)).toContain(knownDid);
    civicJson(['--org', 'city', '--user', 'clerk', 'identity', 'register', '--key', citizenKey('real')], env);
    const after = await settledHeights(env);
    expect(after.map((h, i) => h - (heights[i] ?? 0))).toEqual(heights.map(() => 1));
  }, 120_000);
});
