import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';

/** The composite-key object type of the probe's composite keys. */
export const PROBE_OBJECT_TYPE = 'probe.item';

/**
 * Simple keys `Seed` writes under `<prefix>/`, in this (scrambled) order: upper before lower case
 * and digits before both in byte order, `10` before `9`, and multi-byte UTF-8 whose byte order
 * differs from JavaScript's UTF-16 order (U+FF5A is EF BD 9A, before U+1F600's F0 9F 98 80,
 * although its UTF-16 unit 0xFF5A sorts after the surrogate 0xD83D).
 */
export const SEED_SUFFIXES = ['b', 'ｚ', 'B', '10', 'a', '😀', 'é', '9', 'A', 'a~', 'z', 'del', 'upd'] as const;

/** Attributes (after the prefix) of the composite keys `Seed` writes, scrambled. */
export const SEED_COMPOSITES: readonly (readonly string[])[] = [['b'], ['a', '2'], ['ä'], ['a'], ['a', '10'], ['A', '1']];

/** A suffix `Seed` writes with an empty value (a Fabric peer treats an empty write as a delete). */
export const EMPTY_SUFFIX = 'empty';

/** The largest `Slow` loop, in iterations: a bound on how long one invoke may spin. */
export const SLOW_MAX_ITERATIONS = 2_000_000_000;

/** One key and value as a probe reports it: the value as UTF-8 and its length in bytes. */
export interface ProbeEntry {
  readonly key: string;
  readonly value: string;
  readonly bytes: number;
}

/** What `Observe` saw inside one transaction (see {@link ProbeContract.Observe}). */
export interface Observations {
  /** getState of a key this transaction put and that was not committed before: the committed (empty) value. */
  readonly readOwnNewWrite: ProbeEntry;
  /** getState of a seeded key this transaction updated: the committed value, not the update. */
  readonly readOwnUpdate: ProbeEntry;
  /** getState of a seeded key this transaction deleted: still the committed value. */
  readonly readAfterDelete: ProbeEntry;
  /** getState of a key never written: empty bytes. */
  readonly missing: ProbeEntry;
  /** getStateByRange(`<prefix>/`, `<prefix>0`): every simple key, in the order returned. */
  readonly range: readonly ProbeEntry[];
  /** getStateByRange(`<prefix>/A`, `<prefix>/a`): the end key excluded. */
  readonly halfOpenRange: readonly ProbeEntry[];
  /** getStateByPartialCompositeKey(type, [prefix, 'a']): attributes after the prefix, in order returned. */
  readonly partialComposite: readonly (readonly string[])[];
}

/** What `Scan` reads: the committed simple keys and composite keys under a prefix. */
export interface ScanResult {
  readonly range: readonly ProbeEntry[];
  readonly composites: readonly (readonly string[])[];
}

const PREFIX_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

function checkPrefix(prefix: string): void {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new Error(`INVALID_ARGUMENT: prefix must be 1 to 64 characters of A-Z a-z 0-9 _ . - (got ${JSON.stringify(prefix)})`);
  }
}

function entry(key: string, value: Uint8Array): ProbeEntry {
  return { key, value: Buffer.from(value).toString('utf8'), bytes: value.length };
}

/**
 * Test-only chaincode for the integration suites (never deployed with the civic chaincode):
 * a deliberately non-deterministic write, probes of what a transaction sees of the ledger, and
 * a slow invoke. Errors are `CODE: detail` messages, as the civic chaincode's.
 */
@Info({ title: 'probe', description: 'Test-only probes of a live Fabric peer' })
export class ProbeContract extends Contract {
  constructor() {
    super('probe');
  }

  /**
   * Write the executing peer's clock (ms since the epoch) and a random number under `key`: two
   * endorsing peers produce different write sets, which Fabric must refuse.
   *
   * @returns the JSON written, `{ now, random }`
   */
  @Transaction()
  @Returns('string')
  async PutClock(ctx: Context, key: string): Promise<string> {
    const value = JSON.stringify({ now: Date.now(), random: Math.random() });
    await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    return value;
  }

  /**
   * Seed the probe's keys under `prefix`: {@link SEED_SUFFIXES} as `<prefix>/<suffix>` with value
   * `seeded:<suffix>`, the composite keys {@link SEED_COMPOSITES} (type {@link PROBE_OBJECT_TYPE},
   * attributes `[prefix, ...]`), and `<prefix>/empty` with an empty value.
   *
   * @returns the number of keys written
   * @throws `INVALID_ARGUMENT` when `prefix` is not 1 to 64 characters of `A-Z a-z 0-9 _ . -`
   */
  @Transaction()
  @Returns('number')
  async Seed(ctx: Context, prefix: string): Promise<number> {
    checkPrefix(prefix);
    for (const suffix of SEED_SUFFIXES) {
      await ctx.stub.putState(`${prefix}/${suffix}`, Buffer.from(`seeded:${suffix}`, 'utf8'));
    }
    for (const attrs of SEED_COMPOSITES) {
      await ctx.stub.putState(ctx.stub.createCompositeKey(PROBE_OBJECT_TYPE, [prefix, ...attrs]), Buffer.from(`seeded:${attrs.join('/')}`, 'utf8'));
    }
    await ctx.stub.putState(`${prefix}/${EMPTY_SUFFIX}`, Buffer.alloc(0));
    return SEED_SUFFIXES.length + SEED_COMPOSITES.length + 1;
  }

  /**
   * In one transaction: put `<prefix>/new` and update `<prefix>/upd`, read both back, run the range
   * and partial composite key queries, read a missing key, delete `<prefix>/del` and read it back.
   *
   * @returns JSON {@link Observations}
   * @throws `INVALID_ARGUMENT` for a bad prefix
   */
  @Transaction()
  @Returns('string')
  async Observe(ctx: Context, prefix: string): Promise<string> {
    checkPrefix(prefix);
    const { stub } = ctx;
    await stub.putState(`${prefix}/new`, Buffer.from('written:new', 'utf8'));
    await stub.putState(`${prefix}/upd`, Buffer.from('written:upd', 'utf8'));
    const readOwnNewWrite = entry(`${prefix}/new`, await stub.getState(`${prefix}/new`));
    const readOwnUpdate = entry(`${prefix}/upd`, await stub.getState(`${prefix}/upd`));
    const range = await this.#range(ctx, `${prefix}/`, `${prefix}0`);
    const halfOpenRange = await this.#range(ctx, `${prefix}/A`, `${prefix}/a`);
    const partialComposite = await this.#composites(ctx, [prefix, 'a']);
    const missing = entry(`${prefix}/missing`, await stub.getState(`${prefix}/missing`));
    await stub.deleteState(`${prefix}/del`);
    const readAfterDelete = entry(`${prefix}/del`, await stub.getState(`${prefix}/del`));
    const observations: Observations = { readOwnNewWrite, readOwnUpdate, readAfterDelete, missing, range, halfOpenRange, partialComposite };
    return JSON.stringify(observations);
  }

  /**
   * The committed simple keys under `<prefix>/` and every composite key of `prefix`.
   *
   * @returns JSON {@link ScanResult}
   * @throws `INVALID_ARGUMENT` for a bad prefix
   */
  @Transaction(false)
  @Returns('string')
  async Scan(ctx: Context, prefix: string): Promise<string> {
    checkPrefix(prefix);
    const result: ScanResult = { range: await this.#range(ctx, `${prefix}/`, `${prefix}0`), composites: await this.#composites(ctx, [prefix]) };
    return JSON.stringify(result);
  }

  /**
   * The value under `key` as UTF-8 (empty when there is none).
   */
  @Transaction(false)
  @Returns('string')
  async Get(ctx: Context, key: string): Promise<string> {
    return Buffer.from(await ctx.stub.getState(key)).toString('utf8');
  }

  /**
   * Spin a deterministic CPU loop of `iterations` rounds (a 32-bit xorshift), then write its
   * final state under `key`: every peer computes the same value.
   *
   * @param iterations - decimal integer, 1 to {@link SLOW_MAX_ITERATIONS}
   * @returns the value written (decimal)
   * @throws `INVALID_ARGUMENT` when `iterations` is not such an integer
   */
  @Transaction()
  @Returns('string')
  async Slow(ctx: Context, key: string, iterations: string): Promise<string> {
    const n = Number(iterations);
    if (!/^\d+$/.test(iterations) || !Number.isSafeInteger(n) || n < 1 || n > SLOW_MAX_ITERATIONS) {
      throw new Error(`INVALID_ARGUMENT: iterations must be an integer from 1 to ${String(SLOW_MAX_ITERATIONS)} (got ${JSON.stringify(iterations)})`);
    }
    let x = 2463534242;
    for (let i = 0; i < n; i += 1) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
    }
    const value = String(x >>> 0);
    await ctx.stub.putState(key, Buffer.from(value, 'utf8'));
    return value;
  }

  /** Every entry of getStateByRange(start, end), iterated with `for await` as fabric-shim documents. */
  async #range(ctx: Context, start: string, end: string): Promise<ProbeEntry[]> {
    const entries: ProbeEntry[] = [];
    for await (const kv of ctx.stub.getStateByRange(start, end)) {
      entries.push(entry(kv.key, kv.value));
    }
    return entries;
  }

  /** The attributes after the prefix of every key of getStateByPartialCompositeKey(type, attrs). */
  async #composites(ctx: Context, attrs: string[]): Promise<string[][]> {
    const found: string[][] = [];
    for await (const kv of ctx.stub.getStateByPartialCompositeKey(PROBE_OBJECT_TYPE, attrs)) {
      found.push(ctx.stub.splitCompositeKey(kv.key).attributes.slice(1));
    }
    return found;
  }
}
