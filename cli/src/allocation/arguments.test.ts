import { readFileSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultShareFile, parseQuotas, readShare, readSites, shareForCommit } from './arguments';

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

  it('makes a fresh 256-bit share owner-only in an owner-only folder, reuses an existing one rather than overwrite it, and reads it back', async () => {
    const file = defaultShareFile(path.join(dir, 'wallet', 'agencies'), 'fairs-2027');
    expect(file).toBe(path.join(dir, 'wallet', 'agencies', 'allocation-shares', 'fairs-2027.share'));
    const made = await shareForCommit(file);
    expect(made.created).toBe(true);
    expect(made.share).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(await shareForCommit(file)).toEqual({ share: made.share, created: false });
    expect(readFileSync(file, 'utf8')).toBe(`${made.share}\n`);
    expect(readShare(file)).toBe(made.share);
    expect((await shareForCommit(defaultShareFile(path.join(dir, 'wallet', 'city'), 'fairs-2027'))).share).not.toBe(made.share);
    const bad = path.join(dir, 'bad.share');
    writeFileSync(bad, 'short\n');
    expect(() => readShare(bad)).toThrow(/bad\.share: does not hold a share/);
  });
});
