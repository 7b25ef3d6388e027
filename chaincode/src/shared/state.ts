import type { Context } from 'fabric-contract-api';
import type { z } from 'zod';
import { canonicalBytes } from './canonical-json';
import { ChaincodeError } from './errors';

/**
 * Read a JSON record from world state and validate it against its model schema.
 *
 * @param ctx - the transaction context
 * @param key - the state key (usually a composite key)
 * @param schema - the record's model schema
 * @returns the record, or `undefined` when the key is absent
 * @throws Error when stored bytes do not match the schema (corrupt state, never user error)
 */
export async function readRecord<S extends z.ZodType>(ctx: Context, key: string, schema: S): Promise<z.infer<S> | undefined> {
  const bytes = await ctx.stub.getState(key);
  if (bytes.length === 0) {
    return undefined;
  }
  const parsed = schema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
  if (!parsed.success) {
    throw new Error(`stored record ${key} does not match its model: ${parsed.error.message}`);
  }
  return parsed.data;
}

/**
 * Read a record that must exist.
 *
 * @throws ChaincodeError `NOT_FOUND` with `what` as the human description of the record
 */
export async function readExisting<S extends z.ZodType>(ctx: Context, key: string, schema: S, what: string): Promise<z.infer<S>> {
  const record = await readRecord(ctx, key, schema);
  if (record === undefined) {
    throw new ChaincodeError('NOT_FOUND', `${what} does not exist`);
  }
  return record;
}

/**
 * Check a record against its model schema before it is stored, so that nothing is ever
 * written that {@link readRecord} would refuse to read back.
 *
 * The code is `FAILED_PRECONDITION`: every argument has already passed its own validation
 * (an argument that is malformed in itself is refused earlier as `INVALID_ARGUMENT`), so a
 * record that would break its model is the result of applying a well-formed request to the
 * current state (for example a share that, added to what the buyer already holds, is finer
 * than a share may be). The same request can succeed against other state.
 *
 * @param schema - the record's model schema, the one it is read back with
 * @param record - the record about to be written
 * @param what - the record's human description, e.g. `civic.land.parcel AM-K-1234`
 * @throws ChaincodeError `FAILED_PRECONDITION` naming the record, the first failing field path and its message
 */
export function requireModel(schema: z.ZodType, record: unknown, what: string): void {
  const result = schema.safeParse(record);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = (issue?.path ?? []).map(String).join('.');
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      `${what} would not match its model (${path === '' ? 'record' : path}: ${issue?.message ?? 'invalid value'}); nothing was written`,
    );
  }
}

/** A state key as people read it: a composite key's object type and attributes, space-separated. */
export function describeKey(ctx: Context, key: string): string {
  if (!key.startsWith('\u0000')) {
    return key;
  }
  const { objectType, attributes } = ctx.stub.splitCompositeKey(key);
  return [objectType, ...attributes].join(' ');
}

/**
 * Validate a record against its model schema and write it to world state as RFC 8785
 * canonical JSON. The bytes written are those of `record` itself (not of the parsed value),
 * so that a record's hash is the hash of what the caller holds.
 *
 * @param ctx - the transaction context
 * @param key - the state key
 * @param schema - the record's model schema: the one {@link readRecord} reads this key type with
 * @param record - a JSON-compatible record
 * @throws ChaincodeError `FAILED_PRECONDITION` (see {@link requireModel}) when the record does not
 *   match its schema; nothing is written
 */
export async function writeRecord<S extends z.ZodType>(ctx: Context, key: string, schema: S, record: z.input<S>): Promise<void> {
  requireModel(schema, record, `record ${describeKey(ctx, key)}`);
  await ctx.stub.putState(key, canonicalBytes(record));
}

/**
 * Emit the transaction's chaincode event (Fabric keeps one per transaction).
 *
 * @param ctx - the transaction context
 * @param name - event name, `<contract>.<PastTenseVerb>` e.g. `identity.DIDRegistered`
 * @param payload - JSON-compatible payload; never personal data
 */
export function emitEvent(ctx: Context, name: string, payload: unknown): void {
  ctx.stub.setEvent(name, canonicalBytes(payload));
}
