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
 * Write a record to world state as RFC 8785 canonical JSON.
 *
 * @param ctx - the transaction context
 * @param key - the state key
 * @param record - a JSON-compatible record
 */
export async function writeRecord(ctx: Context, key: string, record: unknown): Promise<void> {
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
