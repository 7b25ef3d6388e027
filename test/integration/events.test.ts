/**
 * `civic events follow` on the live network. While the test registers DIDs one after another
 * (each through Agencies' gateway, so its transaction id and block are known), followers read
 * the civic chaincode's events through Utilities' gateway as its auditor:
 *  1. one is stopped with SIGTERM mid-stream and restarted on the same checkpoint file: together
 *     the two runs print every one of the test's events once, in ledger order, and no event twice;
 *  2. one is killed with SIGKILL and restarted likewise: none of the test's events is missing and
 *     at most one event is printed twice (the one killed between its line and its checkpoint);
 *  3. with `--contract identity` only identity events are printed; with `--contract land` none of
 *     the test's, yet its checkpoint moves past them;
 * and an unknown contract or a corrupt checkpoint file is refused with one clear line. Other
 * suites' events on the shared ledger may appear in the output: only the test's own are compared.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { registerPayload } from '@civic-ledger/chaincode/dist/identity/client';
import { generateCitizenKey, signWithKey } from '../../cli/src/citizen/key-file';
import { CHANNEL } from '../../cli/src/gateway/connect';
import { civic, civicAsync, spawnCivic } from '../support/civic-cli';
import { liveNetworkEnv } from '../support/test-network';

const env = liveNetworkEnv();
const work = mkdtempSync(path.join(os.tmpdir(), 'civic-it-events-'));

/** One line of `events follow --json`. */
interface EventLine {
  blockNumber: string;
  transactionId: string;
  chaincode: string;
  eventName: string;
  payload: unknown;
  payloadEncoding: string;
}

/** A DID registration of this test: its transaction and the block that holds it. */
interface Registered {
  did: string;
  transactionId: string;
  blockNumber: string;
}

/** A running `civic events follow --json`, its stdout lines collected as they come. */
class Follower {
  readonly lines: string[] = [];
  stderr = '';
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #child: ChildProcessWithoutNullStreams;

  constructor(args: readonly string[]) {
    this.#child = spawnCivic(['--org', 'utilities', '--user', 'auditor', 'events', 'follow', '--json', ...args], env);
    createInterface({ input: this.#child.stdout }).on('line', (line) => this.lines.push(line));
    this.#child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exit = new Promise((resolve) => {
      this.#child.on('close', (code, signal) => {
        this.exited = { code, signal };
        resolve(this.exited);
      });
    });
  }

  events(): EventLine[] {
    return this.lines.map((line) => JSON.parse(line) as EventLine);
  }

  txIds(): string[] {
    return this.events().map((e) => e.transactionId);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.exited === undefined) {
      this.#child.kill(signal);
    }
  }
}

const followers: Follower[] = [];
function follow(args: readonly string[]): Follower {
  const follower = new Follower(args);
  followers.push(follower);
  return follower;
}

/** Wait for `condition`, failing with `what` and the followers' stderr if it does not come (the network may be slow; this only guards against a hang). */
async function until(what: string, condition: () => boolean, watched: Follower[]): Promise<void> {
  const deadline = Date.now() + 150_000;
  while (!condition()) {
    const gone = watched.find((f) => f.exited !== undefined);
    if (gone !== undefined || Date.now() > deadline) {
      throw new Error(
        `${gone === undefined ? 'gave up waiting' : `a follower exited (${JSON.stringify(gone.exited)})`} for ${what}:\n${watched.map((f) => f.stderr).join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Register a fresh DID through Agencies' clerk, with a signed registration request (no key file to decrypt). */
async function registerDid(index: number): Promise<Registered> {
  const key = generateCitizenKey();
  const request = { did: key.did, publicKeyJwk: key.publicKeyJwk, proof: signWithKey(key, registerPayload(CHANNEL, key.did, key.publicKeyJwk)) };
  const file = path.join(work, `citizen-${String(index)}.registration.json`);
  writeFileSync(file, JSON.stringify(request));
  const run = await civicAsync(['--json', '--org', 'agencies', '--user', 'clerk', 'identity', 'register', '--request', file], env);
  if (run.code !== 0) {
    throw new Error(`registering DID ${String(index)} failed (exit ${String(run.code)}): ${run.stdout}${run.stderr}`);
  }
  const { result } = JSON.parse(run.stdout) as { result: Registered };
  return { did: result.did, transactionId: result.transactionId, blockNumber: result.blockNumber };
}

const checkpointOf = (file: string): { blockNumber?: string; transactionId?: string } =>
  JSON.parse(readFileSync(file, 'utf8')) as { blockNumber?: string; transactionId?: string };

/** How many of `ids` appear in `follower`'s output. */
const seen = (follower: Follower, ids: readonly Registered[]): number => follower.txIds().filter((tx) => ids.some((r) => r.transactionId === tx)).length;

/** The ids of `lines` that are the test's own, in the order printed. */
const ownIds = (txIds: readonly string[], mine: readonly Registered[]): string[] => txIds.filter((tx) => mine.some((r) => r.transactionId === tx));

const REGISTRATIONS = 5;
const ckTerm = path.join(work, 'term.ckpt');
const ckKill = path.join(work, 'kill.ckpt');
const ckIdentity = path.join(work, 'identity.ckpt');
const ckLand = path.join(work, 'land.ckpt');
const mine: Registered[] = [];
const runs: Record<'term1' | 'term2' | 'kill1' | 'kill2' | 'identity' | 'land', Follower> = {} as never;
let registeredWhenKilled = 0;
let since = '';

beforeAll(async () => {
  // The first registration's block is where every follower starts (--since), so none misses it.
  mine.push(await registerDid(0));
  since = mine[0]?.blockNumber ?? '';
  runs.term1 = follow(['--since', since, '--checkpoint', ckTerm]);
  runs.kill1 = follow(['--since', since, '--checkpoint', ckKill]);
  runs.identity = follow(['--since', since, '--checkpoint', ckIdentity, '--contract', 'identity']);
  runs.land = follow(['--since', since, '--checkpoint', ckLand, '--contract', 'land']);

  let killed: () => void = () => undefined;
  const killedOnce = new Promise<void>((resolve) => {
    killed = resolve;
  });
  // Transactions go on while the first followers are stopped and restarted: the last ones only once both were signalled.
  const registering = (async () => {
    for (let i = 1; i < REGISTRATIONS; i += 1) {
      if (i === 3) {
        await killedOnce;
      }
      mine.push(await registerDid(i));
    }
  })();
  const restarting = (async () => {
    await until('two of the test events in the first followers', () => seen(runs.term1, mine) >= 2 && seen(runs.kill1, mine) >= 2, [runs.term1, runs.kill1]);
    registeredWhenKilled = mine.length;
    runs.term1.kill('SIGTERM');
    runs.kill1.kill('SIGKILL');
    killed();
    await Promise.all([runs.term1.exit, runs.kill1.exit]);
    // The same command lines again: the checkpoint wins over --since.
    runs.term2 = follow(['--since', since, '--checkpoint', ckTerm]);
    runs.kill2 = follow(['--since', since, '--checkpoint', ckKill]);
  })();
  await Promise.all([registering, restarting]);

  const last = mine[mine.length - 1];
  if (last === undefined) {
    throw new Error('no registration');
  }
  const printedLast = (f: Follower): boolean => f.txIds().includes(last.transactionId);
  await until('the last test event in the restarted followers', () => printedLast(runs.term2) && printedLast(runs.kill2) && printedLast(runs.identity), [
    runs.term2,
    runs.kill2,
    runs.identity,
  ]);
  // The land follower prints none of them: its checkpoint tells how far it got (checked in full below).
  const pastLast = (): boolean => {
    const at = checkpointOf(ckLand);
    return BigInt(at.blockNumber ?? '0') > BigInt(last.blockNumber) || at.transactionId === last.transactionId;
  };
  await until('the land follower to checkpoint past the last test event', pastLast, [runs.land]);
  for (const f of [runs.term2, runs.kill2, runs.identity, runs.land]) {
    f.kill('SIGTERM');
  }
  await Promise.all(followers.map((f) => f.exit));
}, 300_000);

afterAll(() => {
  for (const f of followers) {
    f.kill('SIGKILL');
  }
});

describe('events follow', () => {
  it('prints each event as one JSON line: block number as a string, the chaincode, the event name and the parsed payload', () => {
    const events = runs.term2.events();
    for (const e of events) {
      expect(Object.keys(e).sort()).toEqual(['blockNumber', 'chaincode', 'eventName', 'payload', 'payloadEncoding', 'transactionId']);
      expect(e.blockNumber).toMatch(/^\d+$/);
      expect(e.transactionId).toMatch(/^[0-9a-f]{64}$/);
      expect(e.chaincode).toBe('civic');
      expect(e.eventName).toMatch(/^(identity|land|allocation|debt|petition)\.[A-Z][A-Za-z]+$/);
      expect(e.payloadEncoding).toBe('json');
    }
    const all = [...runs.term1.events(), ...events];
    for (const registered of mine) {
      expect(all.find((e) => e.transactionId === registered.transactionId)).toEqual({
        blockNumber: registered.blockNumber,
        transactionId: registered.transactionId,
        chaincode: 'civic',
        eventName: 'identity.DIDRegistered',
        payload: { did: registered.did, keyId: 'key-1', sequence: 0 },
        payloadEncoding: 'json',
      });
    }
  });

  it('stopped with SIGTERM mid-stream and restarted on its checkpoint, prints every event exactly once, in order', () => {
    expect(runs.term1.exited).toEqual({ code: 0, signal: null });
    expect(runs.term2.exited).toEqual({ code: 0, signal: null });
    // Mid-stream: the first run printed some of the test's events, not all; the rest were made after it was stopped.
    expect(seen(runs.term1, mine)).toBeGreaterThanOrEqual(2);
    expect(registeredWhenKilled).toBeLessThan(REGISTRATIONS);
    const combined = [...runs.term1.txIds(), ...runs.term2.txIds()];
    expect(ownIds(combined, mine)).toEqual(mine.map((r) => r.transactionId));
    expect(new Set(combined).size).toBe(combined.length);
    // The restart resumed where the first run stopped, not at --since.
    expect(runs.term2.stderr).toContain(`--since ${since} ignored: checkpoint file ${ckTerm} resumes at block `);
  });

  it('killed with SIGKILL and restarted on its checkpoint, loses no event and prints at most one twice', () => {
    expect(runs.kill1.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(runs.kill2.exited).toEqual({ code: 0, signal: null });
    const first = runs.kill1.txIds();
    const second = runs.kill2.txIds();
    const combined = [...first, ...second];
    const repeated = combined.filter((tx, i) => combined.indexOf(tx) !== i);
    expect(repeated.length).toBeLessThanOrEqual(1);
    if (repeated.length === 1) {
      // Only the event in hand when it was killed: the first run's last line is the restart's first.
      expect([first[first.length - 1], second[0]]).toEqual([repeated[0], repeated[0]]);
    }
    expect(ownIds([...new Set(combined)], mine)).toEqual(mine.map((r) => r.transactionId));
  });

  it("with --contract identity prints only identity events, the test's among them", () => {
    const events = runs.identity.events();
    expect(events.filter((e) => !e.eventName.startsWith('identity.'))).toEqual([]);
    expect(ownIds(runs.identity.txIds(), mine)).toEqual(mine.map((r) => r.transactionId));
    expect(runs.identity.exited).toEqual({ code: 0, signal: null });
  });

  it("with --contract land prints none of the test's events, yet checkpoints past them", () => {
    expect(runs.land.events().filter((e) => !e.eventName.startsWith('land.'))).toEqual([]);
    expect(ownIds(runs.land.txIds(), mine)).toEqual([]);
    const at = checkpointOf(ckLand);
    const last = mine[mine.length - 1];
    expect(BigInt(at.blockNumber ?? '0') > BigInt(last?.blockNumber ?? '0') || at.transactionId === last?.transactionId).toBe(true);
    expect(runs.land.exited).toEqual({ code: 0, signal: null });
  });

  it('refuses an unknown contract with one line naming the five, and exit 1', () => {
    const run = civic(['--org', 'utilities', '--user', 'auditor', 'events', 'follow', '--contract', 'harbour', '--json'], env, 60_000);
    expect(run).toEqual({ code: 1, stdout: '', stderr: "error: unknown --contract 'harbour' (expected identity, land, allocation, debt or petition)\n" });
  });

  it('refuses a corrupt checkpoint file with one line naming it, and leaves the file as it was', () => {
    const file = path.join(work, 'corrupt.ckpt');
    // A checkpoint cut short, as an in-place write killed half-way would leave it.
    const cut = `{"blockNumber":"${since}","transactionId":"${(mine[0]?.transactionId ?? '').slice(0, 20)}`;
    writeFileSync(file, cut);
    const run = civic(['--org', 'utilities', '--user', 'auditor', 'events', 'follow', '--checkpoint', file], env, 60_000);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      new RegExp(`^error: checkpoint file ${file.replace(/\./g, '\\.')} is corrupt \\(not JSON: [^\\n]*\\); it is left as it is[^\\n]*\\n$`),
    );
    expect(readFileSync(file, 'utf8')).toBe(cut);
  });

  it('refuses a checkpoint whose transaction the ledger does not hold in its block (the peer would skip every event looking for it)', () => {
    const file = path.join(work, 'foreign.ckpt');
    const first = mine[0];
    const text = JSON.stringify({ blockNumber: String(BigInt(first?.blockNumber ?? '0') + 1n), transactionId: first?.transactionId });
    writeFileSync(file, text);
    const run = civic(['--org', 'utilities', '--user', 'auditor', 'events', 'follow', '--checkpoint', file], env, 60_000);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `error: checkpoint file ${file} resumes after transaction ${first?.transactionId ?? ''} in block ${String(BigInt(first?.blockNumber ?? '0') + 1n)}, ` +
        `but the channel's ledger holds it in block ${first?.blockNumber ?? ''} (a checkpoint of another network?); it is left as it is: delete it, or use another file, to start over\n`,
    );
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('refuses a checkpoint whose start block the ledger has not reached (the follower would wait for it in silence)', () => {
    const file = path.join(work, 'ahead.ckpt');
    const text = JSON.stringify({ blockNumber: '99999999' });
    writeFileSync(file, text);
    const run = civic(['--org', 'utilities', '--user', 'auditor', 'events', 'follow', '--checkpoint', file], env, 60_000);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      new RegExp(
        `^error: checkpoint file ${file.replace(/\./g, '\\.')} starts at block 99999999, but the channel's ledger has only \\d+ blocks \\(a checkpoint of another network\\?\\)`,
      ),
    );
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
