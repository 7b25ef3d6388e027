import { readFileSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commitmentOf } from '@civic-ledger/chaincode/dist/allocation/client';
import { newSeedFile, parseQuotas, readSeed, readSites } from './arguments';

const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-alloc-args-'));

describe('allocation command-line arguments', () => {
  it('reads sites from CSV or JSON and names what is wrong', () => {
    const csv = path.join(dir, 'sites.csv');
    writeFileSync(csv, 'id,category\nF1,food\nC1,crafts\n');
    expect(readSites(csv)).toEqual([
      { id: 'F1', category: 'food' },
      { id: 'C1', category: 'crafts' },
    ]);
    const json = path.join(dir, 'sites.json');
    writeFileSync(json, JSON.stringify([{ id: 'F1' }]));
    expect(() => readSites(json)).toThrow(/^--sites .*sites\.json: 0\.category: /);
    writeFileSync(csv, 'site,kind\nF1,food\n');
    expect(() => readSites(csv)).toThrow(/^--sites .*sites\.csv: 0\.id: /);
  });

  it('reads quotas written category=n', () => {
    expect(parseQuotas(['food=10', 'crafts=0'])).toEqual({ food: 10, crafts: 0 });
    expect(() => parseQuotas(['food:10'])).toThrow("--quota: 'food:10' is not written category=n, such as food=10");
  });

  it('writes a fresh 256-bit seed owner-only, never over an existing file, and reads it back', async () => {
    const file = path.join(dir, 'round.seed');
    const seed = await newSeedFile(file);
    expect(seed).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readSeed(file)).toBe(seed);
    expect(commitmentOf(readSeed(file))).toBe(commitmentOf(seed));
    await expect(newSeedFile(file)).rejects.toThrow(/cannot create .*round\.seed: EEXIST \(an existing seed file is never overwritten\)/);
    expect(readFileSync(file, 'utf8')).toBe(`${seed}\n`);
  });
});
