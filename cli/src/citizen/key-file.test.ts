import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deriveDid, registerPayload, signingBytes, verifyEd25519 } from '@civic-ledger/chaincode/dist/identity/client';
import { UsageError } from '../errors';
import { bindRotatedKey, generateCitizenKey, loadCitizenKey, saveCitizenKey, signWithKey } from './key-file';

const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-key-'));
const passphrase = 'correct horse battery staple';

describe('citizen key files', () => {
  it('generates a key whose DID is derived from its public key, saved owner-only and reloaded intact', async () => {
    const key = generateCitizenKey();
    expect(key.did).toBe(deriveDid(key.publicKeyJwk));
    const file = path.join(dir, 'alice.key.json');
    await saveCitizenKey(file, key, passphrase);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await expect(loadCitizenKey(file, passphrase)).resolves.toEqual(key);
  });

  it('keeps the private key only in encrypted form (PBES2 JWE)', async () => {
    const key = generateCitizenKey();
    const file = path.join(dir, 'sealed.key.json');
    await saveCitizenKey(file, key, passphrase);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(key.privateKeyJwk.d);
    const stored = JSON.parse(text) as { encryptedPrivateKey: string };
    const header = JSON.parse(Buffer.from(stored.encryptedPrivateKey.split('.')[0] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(header).toMatchObject({ alg: 'PBES2-HS512+A256KW', enc: 'A256GCM', p2c: 210_000 });
  });

  it('refuses a wrong passphrase with a clear error', async () => {
    const file = path.join(dir, 'locked.key.json');
    await saveCitizenKey(file, generateCitizenKey(), passphrase);
    await expect(loadCitizenKey(file, 'not the passphrase')).rejects.toThrow(/^wrong passphrase for key file .*locked\.key\.json/);
  });

  it('signs payloads that the chaincode verifies', () => {
    const key = generateCitizenKey();
    const payload = registerPayload('civic', key.did, key.publicKeyJwk);
    const signature = signWithKey(key, payload);
    expect(verifyEd25519(key.publicKeyJwk, signingBytes(payload), signature)).toBe(true);
    expect(verifyEd25519(generateCitizenKey().publicKeyJwk, signingBytes(payload), signature)).toBe(false);
  });

  it('refuses to overwrite a key file', async () => {
    const file = path.join(dir, 'once.key.json');
    await saveCitizenKey(file, generateCitizenKey(), passphrase);
    const before = readFileSync(file, 'utf8');
    await expect(saveCitizenKey(file, generateCitizenKey(), passphrase)).rejects.toThrow(/already exists; refusing to overwrite/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('names the problem in a file that is not a citizen key, or whose keys do not match its DID', async () => {
    const file = path.join(dir, 'bad.key.json');
    writeFileSync(file, JSON.stringify({ did: 'x', publicKeyJwk: { kty: 'RSA' } }));
    await expect(loadCitizenKey(file, passphrase)).rejects.toThrow(UsageError);
    await expect(loadCitizenKey(file, passphrase)).rejects.toThrow(/bad\.key\.json is not a citizen key: publicKeyJwk\.kty/);
    await expect(loadCitizenKey(path.join(dir, 'missing.json'), passphrase)).rejects.toThrow(/cannot be read/);

    const swapped = path.join(dir, 'swapped.key.json');
    await saveCitizenKey(swapped, generateCitizenKey(), passphrase);
    const stored = JSON.parse(readFileSync(swapped, 'utf8')) as Record<string, unknown>;
    const other = generateCitizenKey();
    writeFileSync(swapped, JSON.stringify({ ...stored, did: other.did, publicKeyJwk: other.publicKeyJwk }));
    await expect(loadCitizenKey(swapped, passphrase)).rejects.toThrow(/is inconsistent: its keys do not match its DID/);
  });

  it('after a rotation, makes the new key file sign for the rotated DID, its private key untouched', async () => {
    const alice = generateCitizenKey();
    const next = generateCitizenKey();
    const file = path.join(dir, 'alice-2.key.json');
    await saveCitizenKey(file, next, passphrase);
    const before = JSON.parse(readFileSync(file, 'utf8')) as { encryptedPrivateKey: string };
    const txId = 'ab'.repeat(32);
    bindRotatedKey(file, alice.did, { txId, sequence: 1 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      did: alice.did,
      publicKeyJwk: next.publicKeyJwk,
      encryptedPrivateKey: before.encryptedPrivateKey,
      rotation: { txId, sequence: 1 },
    });
    const loaded = await loadCitizenKey(file, passphrase);
    expect(loaded).toEqual({ ...next, did: alice.did });
    const payload = registerPayload('civic', alice.did, next.publicKeyJwk);
    expect(verifyEd25519(next.publicKeyJwk, signingBytes(payload), signWithKey(loaded, payload))).toBe(true);

    const bad = path.join(dir, 'rotated-bad.key.json');
    writeFileSync(bad, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), did: 'not-a-did' }));
    await expect(loadCitizenKey(bad, passphrase)).rejects.toThrow(/rotated-bad\.key\.json is not a citizen key: did: must be a did:civic DID/);
  });
});
