import { Context, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { authorize, type AccessRule } from '../shared/access';
import { CivicContract } from '../shared/civic-contract';
import { ChaincodeError } from '../shared/errors';

/** Who may call what: the bench contract's access rules, in one place. */
const ACCESS = {
  /**
   * Front-desk staff of any org: the same people who submit citizens' DID registrations, so a
   * load test runs as the identities the busiest real transactions run as. Nobody else may write.
   */
  desk: { roles: ['clerk'] },
  /** Any member of the channel may read a value back. */
  member: {},
} as const satisfies Record<string, AccessRule>;

/** The composite-key object type of every bench value; no other contract reads or writes it. */
export const BENCH_OBJECT_TYPE = 'civic.bench.kv';

/** Longest key, in characters: a run id and a sequence number fit many times over. */
export const BENCH_KEY_MAX = 128;

/** Largest value, in bytes (UTF-8): a load test writes small values; nothing bigger is taken. */
export const BENCH_VALUE_MAX_BYTES = 4096;

const KEY_PATTERN = /^[A-Za-z0-9._:-]+$/;

function checkKey(key: string): void {
  if (key.length === 0 || key.length > BENCH_KEY_MAX || !KEY_PATTERN.test(key)) {
    throw new ChaincodeError('INVALID_ARGUMENT', `key must be 1 to ${String(BENCH_KEY_MAX)} characters of A-Z a-z 0-9 . _ : -`);
  }
}

/**
 * The benchmark's trivial write: one blind write of a small value under a key of its own, with
 * the chaincode's endorsement policy and access rules like every other contract. It reads
 * nothing, so concurrent writes of distinct keys never conflict: its throughput is what the
 * network (endorsement, ordering, validation, commit) gives a transaction that does no work.
 * Its keys live under {@link BENCH_OBJECT_TYPE}, which no other contract reads.
 */
@Info({ title: 'bench', description: 'Benchmark-only key-value writes (clerks), read back by any member' })
export class BenchContract extends CivicContract {
  constructor() {
    super('bench');
  }

  /**
   * Write `value` under `key` (a blind write: the previous value, if any, is not read).
   *
   * @param key - 1 to {@link BENCH_KEY_MAX} characters of `A-Z a-z 0-9 . _ : -`; unique per transaction in a load test
   * @param value - at most {@link BENCH_VALUE_MAX_BYTES} bytes of UTF-8
   * @returns `key`
   * @throws `INVALID_ARGUMENT` (key or value out of bounds), `FORBIDDEN` (not a clerk)
   */
  @Transaction()
  @Param('key', 'string', 'the key to write')
  @Param('value', 'string', 'the value, at most 4096 bytes')
  @Returns('string')
  async Put(ctx: Context, key: string, value: string): Promise<string> {
    authorize(ctx, ACCESS.desk, 'bench:Put');
    checkKey(key);
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length > BENCH_VALUE_MAX_BYTES) {
      throw new ChaincodeError('INVALID_ARGUMENT', `value is ${String(bytes.length)} bytes; at most ${String(BENCH_VALUE_MAX_BYTES)} are taken`);
    }
    await ctx.stub.putState(ctx.stub.createCompositeKey(BENCH_OBJECT_TYPE, [key]), bytes);
    return key;
  }

  /**
   * Read a value written by {@link Put}.
   *
   * @returns the value as written
   * @throws `INVALID_ARGUMENT` (malformed key), `NOT_FOUND`
   */
  @Transaction(false)
  @Param('key', 'string', 'the key to read')
  @Returns('string')
  async Get(ctx: Context, key: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'bench:Get');
    checkKey(key);
    const bytes = await ctx.stub.getState(ctx.stub.createCompositeKey(BENCH_OBJECT_TYPE, [key]));
    if (bytes.length === 0) {
      throw new ChaincodeError('NOT_FOUND', `bench key ${key} does not exist`);
    }
    return Buffer.from(bytes).toString('utf8');
  }
}
