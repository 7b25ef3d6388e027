import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { civicAsync, civicJson, type CivicRun } from '../support/civic-cli';
import { liveNetworkEnv } from '../support/test-network';

/**
 * Many clerks writing the same key at once, on the live network: one citizen's DID registration
 * sent by six `civic` processes together through the three orgs' gateways. Each proposal reads
 * the DID's key (absent) and writes it, so those endorsed before the first commits fail
 * validation with MVCC_READ_CONFLICT; the CLI retries them with a fresh proposal after a
 * backoff, says so under `--verbose`, and the retry is then refused by the chaincode because the
 * DID is registered. Exactly one registration commits, whatever the interleaving.
 */
const env = { ...liveNetworkEnv(), CIVIC_KEY_PASSPHRASE: 'integration test passphrase' };
const keys = mkdtempSync(path.join(os.tmpdir(), 'civic-it-contention-'));
const ORGS = ['city', 'agencies', 'utilities'] as const;
const CLIENTS = 6;
/** Rounds tried until one shows an MVCC conflict retried (the interleaving is the network's). */
const MAX_ROUNDS = 4;
const RETRY_LINE = /^MVCC_READ_CONFLICT on [0-9a-f]{64}; retrying \(attempt (\d) of 5\)$/m;

interface Round {
  did: string;
  runs: CivicRun[];
}

/** One round: a fresh citizen key, registered by {@link CLIENTS} clerks at once, each through the orgs' gateways in turn. */
async function race(round: number): Promise<Round> {
  const file = path.join(keys, `race-${String(round)}.key.json`);
  const key = civicJson<{ did: string }>(['identity', 'keygen', '--out', file], env);
  const runs = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) =>
      civicAsync(['--verbose', '--org', ORGS[i % ORGS.length] ?? 'city', '--user', 'clerk', 'identity', 'register', '--key', file], env),
    ),
  );
  return { did: key.did, runs };
}

describe('six clerks registering one DID at the same moment through the three gateways', () => {
  it(
    'commits it exactly once; the others are refused as already registered, after an MVCC conflict retried with --verbose saying so where one occurred',
    async () => {
      const rounds: Round[] = [];
      while (rounds.length < MAX_ROUNDS && !rounds.some((r) => r.runs.some((run) => RETRY_LINE.test(run.stderr)))) {
        rounds.push(await race(rounds.length));
      }
      for (const { did, runs } of rounds) {
        const won = runs.filter((r) => r.code === 0);
        const refused = runs.filter((r) => r.code !== 0);
        expect(won).toHaveLength(1);
        expect(won[0]?.stdout).toContain(did);
        for (const run of refused) {
          expect(run.code).toBe(1);
          // One refusal line (--verbose adds retry lines before it and the gateway's detail after it).
          const errors = run.stderr.split('\n').filter((l) => l.startsWith('error: '));
          expect(errors).toHaveLength(1);
          expect(errors[0]).toMatch(new RegExp(`^error: ALREADY_EXISTS: DID ${did} is already registered`));
        }
        // The one registration is what every org's peer holds: the DID document as registered (sequence 0).
        for (const org of ORGS) {
          const resolved = civicJson<{ didDocument: { id: string }; didDocumentMetadata: { sequence: number } }>(
            ['--org', org, '--user', 'auditor', 'identity', 'resolve', did],
            env,
          );
          expect([resolved.didDocument.id, resolved.didDocumentMetadata.sequence]).toEqual([did, 0]);
        }
      }
      const retried = rounds.flatMap((r) => r.runs).filter((run) => RETRY_LINE.test(run.stderr));
      // Where the network interleaved them so, an MVCC conflict was retried and said so.
      expect(retried.length).toBeGreaterThan(0);
      // A retried registration that won says how many attempts it took.
      for (const run of retried.filter((r) => r.code === 0)) {
        expect(run.stderr).toMatch(/committed after \d attempts \(MVCC conflicts retried\)/);
      }
    },
    10 * 60_000,
  );
});
