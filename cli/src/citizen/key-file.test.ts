import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deriveDid, registerPayload, signingBytes, verifyEd25519 } from '@civic-ledger/chaincode/dist/identity/client';
import { UsageError } from '../errors';
import { generateCitizenKey, loadCitizenKey, saveCitizenKey, signWithKey } from './key-file';

const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-key-'));

describe('citizen key files', () => {
  it('generates a key whose DID is derived from its public key, saved owner-only and reloaded intact', () => {
    const key = generateCitizenKey();
    expect(key.did).toBe(deriveDid(key.publicKeyJwk));
    const file = path.join(dir, 'alice.key.json');
    saveCitizenKey(file, key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadCitizenKey(file)).toEqual(key);
  });

  it('signs payloads that the chaincode verifies', () => {
    const key = generateCitizenKey();
    const payload = registerPayload('civic', key.did, key.publicKeyJwk);
    const signature = signWithKey(key, payload);
    expect(verifyEd25519(key.publicKeyJwk, signingBytes(payload), signature)).toBe(true);
    expect(verifyEd25519(generateCitizenKey().publicKeyJwk, signingBytes(payload), signature)).toBe(false);
  });

  it('refuses to overwrite a key file', () => {
    const file = path.join(dir, 'once.key.json');
    saveCitizenKey(file, generateCitizenKey());
    const before = readFileSync(file, 'utf8');
    expect(() => { saveCitizenKey(file, generateCitizenKey()); }).toThrow(/already exists; refusing to overwrite/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('names the problem in a file that is not a citizen key', () => {
    const file = path.join(dir, 'bad.key.json');
    writeFileSync(file, JSON.stringify({ did: 'x', publicKeyJwk: { kty: 'RSA' } }));
    expect(() => loadCitizenKey(file)).toThrow(UsageError);
    expect(() => loadCitizenKey(file)).toThrow(/bad\.key\.json is not a citizen key: publicKeyJwk\.kty/);
    expect(() => loadCitizenKey(path.join(dir, 'missing.json'))).toThrow(/cannot be read/);
  });
});
