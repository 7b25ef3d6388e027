/**
 * `civic staff revoke` on the live network, as Fabric revokes a certificate: the City's Fabric CA
 * revokes a clerk's enrollment and signs a new CRL (fabric-ca-client revoke --gencrl), and the City
 * admin puts that CRL into CityMSP's revocation_list in the channel config by a config update
 * that the City admin alone signs. Once that config block is on the peers:
 *  - every org's peer refuses the revoked clerk's proposals ("access denied: channel [civic]
 *    creator org [CityMSP]"; the peer's log: "The certificate has been revoked"), and no block is
 *    added by them;
 *  - another City clerk, enrolled from the same CA, still registers DIDs;
 *  - a clerk may not revoke, and an unknown name or reason is refused with what is wrong.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSession } from '../../cli/src/gateway/connect';
import { loadOrgConnection } from '../../cli/src/gateway/profile';
import { readWalletIdentity } from '../../cli/src/gateway/wallet';
import { civicPaths } from '../../cli/src/paths';
import { civic, civicJson } from '../support/civic-cli';
import { liveNetworkEnv, settledHeights } from '../support/test-network';

const PASSPHRASE = 'staff revoke passphrase';
const env = { ...liveNetworkEnv(), CIVIC_KEY_PASSPHRASE: PASSPHRASE };
const home = liveNetworkEnv().CIVIC_NETWORK_HOME ?? '';
const work = mkdtempSync(path.join(os.tmpdir(), 'civic-it-revoke-'));
const RUN = randomBytes(3).toString('hex');
const REVOKED = `rv-gone-${RUN}`;
const KEPT = `rv-kept-${RUN}`;
const ORGS = ['city', 'agencies', 'utilities'] as const;

/** A DID registration (a submit) by a City staff member, with a fresh citizen key. */
function register(user: string): ReturnType<typeof civic> {
  const key = path.join(work, `${user}-${randomBytes(3).toString('hex')}.key.json`);
  civicJson(['identity', 'keygen', '--out', key], env);
  return civic(['--org', 'city', '--user', user, 'identity', 'register', '--key', key], env);
}

/** Register and enroll a City clerk through the CLI, as the City admin. */
function hireClerk(name: string): void {
  const { secret } = civicJson<{ secret: string }>(['--org', 'city', 'staff', 'register', '--name', name, '--role', 'clerk'], env);
  civicJson(['--org', 'city', 'staff', 'enroll', '--name', name, '--secret', secret], env);
}

/** Evaluate ResolveDID on one org's peer (its gateway) as a City wallet user; the error text, or '' when served. */
async function evaluateOn(org: string, user: string, did: string): Promise<string> {
  const paths = civicPaths({ ...process.env, ...env });
  const city = loadOrgConnection(paths, 'city');
  const session = openSession(loadOrgConnection(paths, org), readWalletIdentity(city.walletDir, user), 'CityMSP');
  try {
    await session.contract('identity').evaluateTransaction('ResolveDID', did);
    return '';
  } catch (error) {
    const details = (error as { details?: { address: string; message: string }[] }).details ?? [];
    return [(error as Error).message, ...details.map((d) => `${d.address}: ${d.message}`)].join('\n');
  } finally {
    session.close();
  }
}

describe('civic staff revoke', () => {
  let did: string;

  beforeAll(() => {
    hireClerk(REVOKED);
    hireClerk(KEPT);
    const first = register(REVOKED);
    expect(first.code).toBe(0);
    did = /registered (did:civic:\S+)/.exec(first.stdout)?.[1] ?? '';
    expect(did).not.toBe('');
  }, 180_000);

  it('refuses a clerk as revoker, an unknown name and an unknown reason, naming what is wrong', () => {
    const byClerk = civic(['--org', 'city', '--user', KEPT, 'staff', 'revoke', '--name', REVOKED], env);
    expect({ code: byClerk.code, err: byClerk.stderr.trim() }).toEqual({
      code: 1,
      err: 'error: ca-city refused: this identity may not revoke staff (use the org admin)',
    });
    const unknown = civic(['--org', 'city', 'staff', 'revoke', '--name', `nobody-${RUN}`], env);
    expect({ code: unknown.code, err: unknown.stderr.trim() }).toEqual({ code: 1, err: 'error: ca-city refused: no staff member of that name is registered' });
    const reason = civic(['--org', 'city', 'staff', 'revoke', '--name', REVOKED, '--reason', 'grumpy'], env);
    expect(reason.code).toBe(1);
    expect(reason.stderr.trim()).toMatch(/^error: --reason: Invalid option: expected one of "unspecified"\|"keycompromise"\|/);
    // Nothing was revoked: the clerk still registers a DID.
    expect(register(REVOKED).code).toBe(0);
  }, 120_000);

  it('revokes at the CA and puts the CRL into CityMSP in the channel config, in one config block', async () => {
    const before = await settledHeights(env);
    const revoked = civicJson<{ name: string; reason: string; crl: string; configBlock: number; groups: string[]; changed: boolean }>(
      ['--org', 'city', 'staff', 'revoke', '--name', REVOKED, '--reason', 'keycompromise'],
      env,
    );
    expect(revoked).toMatchObject({ name: REVOKED, reason: 'keycompromise', groups: ['Application', 'Orderer'], changed: true });
    const after = await settledHeights(env);
    expect(after.map((h, i) => h - (before[i] ?? 0))).toEqual(before.map(() => 1));
    expect(revoked.configBlock).toBe((after[0] ?? 0) - 1);
    // The CRL the CA signed lists the clerk's certificate serial.
    const serial = new X509Certificate(readFileSync(path.join(home, 'wallet', 'city', REVOKED, 'msp', 'signcerts', 'cert.pem'))).serialNumber;
    expect(execFileSync('openssl', ['crl', '-in', revoked.crl, '-noout', '-text'], { encoding: 'utf8' })).toContain(`Serial Number: ${serial}`);
  }, 120_000);

  it("has every org's peer refuse the revoked clerk, submit and evaluate, with no block added", async () => {
    const heights = await settledHeights(env);
    const submit = register(REVOKED);
    expect({ code: submit.code, stdout: submit.stdout }).toEqual({ code: 1, stdout: '' });
    expect(submit.stderr.trim()).toMatch(
      /^error: ACCESS_DENIED: CityMSP's peer refused the caller's identity: access denied: channel \[civic\] creator org \[CityMSP\] .*, tx ([0-9a-f]{64})\)$/,
    );
    const txId = /, tx ([0-9a-f]{64})\)$/.exec(submit.stderr.trim())?.[1] ?? '';
    const log = readFileSync(path.join(home, 'logs', 'peer-city.log'), 'utf8');
    expect(log.split('\n').find((l) => l.includes(`txID=${txId.slice(0, 8)}`) && l.includes('The certificate has been revoked'))).toBeDefined();
    for (const org of ORGS) {
      const port = loadOrgConnection(civicPaths({ ...process.env, ...env }), org).peerEndpoint;
      const refused = await evaluateOn(org, REVOKED, did);
      expect({ org, refused: /access denied: channel \[civic\] creator org \[CityMSP\]/.test(refused), peer: refused.includes(port) }).toEqual({
        org,
        refused: true,
        peer: true,
      });
    }
    expect(await settledHeights(env)).toEqual(heights);
  }, 120_000);

  it('still serves the other clerk of the City, and the revoked one’s DID stays readable', async () => {
    const heights = await settledHeights(env);
    const kept = register(KEPT);
    expect(kept.code).toBe(0);
    expect(await evaluateOn('agencies', KEPT, did)).toBe('');
    const after = await settledHeights(env);
    expect(after.map((h, i) => h - (heights[i] ?? 0))).toEqual(heights.map(() => 1));
  }, 120_000);
});
