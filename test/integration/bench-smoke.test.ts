import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../support/civic-cli';
import { liveNetworkEnv } from '../support/test-network';

/**
 * The load runner's 10-second smoke (`npm run bench -- --smoke`) against the test run's live
 * network: it must submit through every org's gateway and see its transactions commit VALID.
 * It checks that the runner works, never how fast: no time is asserted.
 */
const BENCH = path.join(REPO, 'bench', 'bin', 'bench.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-bench-smoke-'));

function smoke(env: NodeJS.ProcessEnv, out: string): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BENCH, '--smoke', '--no-network-up', '--out', out], { cwd: REPO, env, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stderr: r.stderr };
}

describe('npm run bench -- --smoke', () => {
  it('drives the trivial write and DID registration through the three gateways, every transaction VALID', () => {
    const out = path.join(dir, 'smoke.json');
    const r = smoke({ ...process.env, ...liveNetworkEnv() }, out);
    expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
    const results = JSON.parse(readFileSync(out, 'utf8')) as {
      kind: string;
      runs: { workload: string; run: { sent: number; byCode: Record<string, number> } }[];
    };
    expect(results.kind).toBe('smoke');
    expect(results.runs.map((x) => x.workload)).toEqual(['put', 'did']);
    for (const { run } of results.runs) {
      expect(run.sent).toBeGreaterThan(0);
      expect(run.byCode).toEqual({ VALID: run.sent });
    }
  }, 300_000);

  it('fails when the runner cannot submit (no staff enrolled in its wallet), saying why', () => {
    const env = liveNetworkEnv();
    // The same network's connection profiles, each naming an empty wallet.
    const profiles = mkdtempSync(path.join(dir, 'profiles-'));
    const wallet = mkdtempSync(path.join(dir, 'empty-wallet-'));
    for (const org of ['city', 'agencies', 'utilities']) {
      const profile = JSON.parse(readFileSync(path.join(env.CIVIC_NETWORK_HOME ?? '', 'connection-profiles', `${org}.json`), 'utf8')) as Record<
        string,
        unknown
      >;
      writeFileSync(path.join(profiles, `${org}.json`), JSON.stringify({ ...profile, 'x-civic-wallet': wallet }));
    }
    const r = smoke({ ...process.env, ...env, CIVIC_PROFILES_DIR: profiles }, path.join(dir, 'failed.json'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bench smoke: put: no transaction committed VALID/);
    expect(r.stderr).toMatch(/CLIENT_ERROR: user 'clerk' is not enrolled in/);
  }, 300_000);
});
