import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { civicInProcess } from '../../../test/support/civic-in-process';

const home = mkdtempSync(path.join(os.tmpdir(), 'civic-events-home-'));
const env = { CIVIC_NETWORK_HOME: home };

describe('civic events follow, before it contacts the network', () => {
  it('refuses an unknown --contract with one line on stderr naming the five, also with --json, and exit 1', async () => {
    const r = await civicInProcess(['--json', 'events', 'follow', '--contract', 'harbour'], env);
    expect(r).toEqual({ code: 1, out: '', err: "error: unknown --contract 'harbour' (expected identity, land, allocation, debt or petition)" });
  });

  it('refuses a corrupt checkpoint file, naming it, and leaves it as it was', async () => {
    const file = path.join(home, 'cut.ckpt');
    writeFileSync(file, '{"blockNumber":"9","transactionId":"ab');
    const r = await civicInProcess(['events', 'follow', '--checkpoint', file], env);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.startsWith(`error: checkpoint file ${file} is corrupt (not JSON: `)).toBe(true);
    expect(r.err).toMatch(/; it is left as it is: restore it, or delete it to start over$/);
    expect(readFileSync(file, 'utf8')).toBe('{"blockNumber":"9","transactionId":"ab');
  });

  it('refuses a --since that is not a block number', async () => {
    const r = await civicInProcess(['events', 'follow', '--since', 'yesterday'], env);
    expect(r).toEqual({ code: 1, out: '', err: "error: --since: 'yesterday' is not a block number (0, 1, 2, ...)" });
  });
});
