import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateCitizenKey, saveCitizenKey } from './citizen/key-file';
import { issueCredential } from './credentials/issue';
import { civicInProcess } from '../../test/support/civic-in-process';

const civic = civicInProcess;

const emptyHome = { CIVIC_NETWORK_HOME: mkdtempSync(path.join(os.tmpdir(), 'civic-home-')), CIVIC_KEY_PASSPHRASE: 'a test passphrase' };

describe('civic CLI', () => {
  it('refuses an unknown --org with one clear line and exit 1', async () => {
    const r = await civic(['--org', 'harbour', 'identity', 'resolve', 'did:civic:x'], emptyHome);
    expect(r.code).toBe(1);
    expect(r.err).toBe("error: unknown --org 'harbour' (expected city, agencies or utilities, or an org that joined the channel from this network home)");
  });

  it('prints errors in the --json envelope', async () => {
    const r = await civic(['--json', '--org', 'harbour', 'network', 'status'], emptyHome);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({
      status: 'error',
      error: {
        code: 'USAGE',
        message: "unknown --org 'harbour' (expected city, agencies or utilities, or an org that joined the channel from this network home)",
      },
    });
  });

  it('refuses a malformed DID before contacting the network', async () => {
    const r = await civic(['identity', 'resolve', 'did:civic:short'], emptyHome);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: 'did:civic:short' is not a did:civic DID/);
  });

  it('says to bring the network up when there is no connection profile', async () => {
    const r = await civic(['identity', 'resolve', `did:civic:${'A'.repeat(43)}`], emptyHome);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/connection profile .*city\.json does not exist \(run `civic network up` first\)/);
  });

  it('generates a citizen key with keygen, in the JSON envelope', async () => {
    const file = path.join(emptyHome.CIVIC_NETWORK_HOME, 'alice.key.json');
    const r = await civic(['--json', 'identity', 'keygen', '--out', file], emptyHome);
    expect(r.code).toBe(0);
    const envelope = JSON.parse(r.out) as { status: string; result: { did: string } };
    expect(envelope.status).toBe('ok');
    expect(envelope.result.did).toMatch(/^did:civic:[A-Za-z0-9_-]{43}$/);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { did: string }).did).toBe(envelope.result.did);
  });

  it('refuses a passphrase that is too short, writing nothing', async () => {
    const file = path.join(emptyHome.CIVIC_NETWORK_HOME, 'short.key.json');
    const r = await civic(['identity', 'keygen', '--out', file], { ...emptyHome, CIVIC_KEY_PASSPHRASE: 'short' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/the passphrase for .*short\.key\.json must be at least 8 characters/);
    expect(existsSync(file)).toBe(false);
  });

  it('presents chosen claims of a credential offline, with a key-binding JWT', async () => {
    const dir = emptyHome.CIVIC_NETWORK_HOME;
    const [issuer, holder] = [generateCitizenKey(), generateCitizenKey()];
    await saveCitizenKey(path.join(dir, 'holder.key.json'), holder, emptyHome.CIVIC_KEY_PASSPHRASE);
    const { credential } = await issueCredential({
      issuer,
      holder: { did: holder.did, publicKeyJwk: holder.publicKeyJwk },
      type: 'AgeCredential',
      claims: { age_over_18: true, resident_district: 'Centrum' },
      issuedAt: 1_790_000_000,
      expiresAt: 1_890_000_000,
    });
    writeFileSync(path.join(dir, 'age.sd-jwt'), credential);
    const args = [
      'identity',
      'present',
      '--key',
      path.join(dir, 'holder.key.json'),
      '--credential',
      path.join(dir, 'age.sd-jwt'),
      '--disclose',
      'age_over_18',
      '--audience',
      'https://verifier.example',
      '--nonce',
      'n-0123456789abcdef',
    ];
    const r = await civic(['--json', ...args], emptyHome);
    expect(r.code).toBe(0);
    const presentation = (JSON.parse(r.out) as { result: { presentation: string } }).result.presentation;
    const parts = presentation.split('~');
    expect(parts).toHaveLength(3);
    expect(Buffer.from(parts[1] ?? '', 'base64url').toString()).toContain('age_over_18');
    expect(JSON.parse(Buffer.from((parts[2] ?? '').split('.')[1] ?? '', 'base64url').toString())).toMatchObject({
      aud: 'https://verifier.example',
      nonce: 'n-0123456789abcdef',
    });

    const missing = await civic([...args.slice(0, 6), '--disclose', 'nationality', ...args.slice(8)], emptyHome);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe("error: the credential has no claim 'nationality'");
  });

  it('validates staff options at the boundary', async () => {
    const r = await civic(['staff', 'register', '--name', 'Jan Smit', '--role', 'clerk'], emptyHome);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: --name: must be 2-64 lower-case letters/);
    const reason = await civic(['staff', 'revoke', '--name', 'jan', '--reason', 'grumpy'], emptyHome);
    expect(reason.code).toBe(1);
    expect(reason.err).toMatch(/^error: --reason: Invalid option: expected one of "unspecified"\|"keycompromise"\|/);
  });

  it('shows examples in --help', async () => {
    const r = await civic(['identity', 'register', '--help'], emptyHome);
    expect(r.out).toMatch(/Examples:\n\s+civic --org agencies --user clerk identity register --key alice.key.json/);
  });

  it('checks land options before asking for a passphrase or contacting the network', async () => {
    const offer = ['land', 'offer', '--key', 'none.key.json', '--parcel', 'AM-K-1', '--buyer', 'did:civic:x', '--deed-hash', 'ab'.repeat(32)];
    expect((await civic([...offer, '--price', '12.345'], emptyHome)).err).toBe(
      "error: --price: '12.345' is not an amount in euros such as 325000 or 325000.50",
    );
    expect((await civic([...offer, '--price', '10', '--share', '3/2'], emptyHome)).err).toMatch(/^error: --share: '3\/2' is not a share/);
    const register = [
      'land',
      'register',
      '--parcel',
      'AM-K-1',
      '--land-use',
      'residential',
      '--location',
      '4.9,52.37',
      '--owner',
      'did:civic:x=1',
      '--deed-hash',
      'ab'.repeat(32),
    ];
    const area = await civic([...register, '--area', '12.5'], emptyHome);
    expect([area.code, area.err]).toEqual([1, "error: --area: '12.5' is not a whole number of square metres"]);
    expect((await civic(['land', 'import', 'parcels.xlsx'], emptyHome)).err).toMatch(/^error: import file: cannot read parcels\.xlsx/);
    expect((await civic(['land', 'import', 'parcels.csv', '--batch-size', '500'], emptyHome)).err).toBe(
      "error: --batch-size: '500' must be a whole number from 1 to 200",
    );
  });

  it('reports an invalid title certificate file by what is wrong with it, exit 1', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-cert-'));
    writeFileSync(path.join(dir, 'c.json'), '{"type": ');
    const r = await civic(['land', 'verify-certificate', path.join(dir, 'c.json')], emptyHome);
    expect([r.code, r.err]).toEqual([1, expect.stringMatching(/^error: certificate .*c\.json: not valid JSON/) as unknown]);
  });
});
