import { createHash } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import type { z } from 'zod';
import { canonicalBytes } from '../shared/canonical-json';
import { ChaincodeError } from '../shared/errors';
import { collect, unwrapIterator } from '../shared/iterators';
import { requireModel } from '../shared/state';
import { parseJsonText, validate } from '../shared/validation';

/**
 * Private data the way every endorser can agree on it. A peer of a non-member org holds only
 * the hashes of a collection's values, so a transaction never reads private values directly:
 * the client supplies the current value in the transient map and the chaincode checks it
 * against the on-ledger hash (`getPrivateDataHash`, available on every peer). Values are
 * stored as RFC 8785 canonical JSON so that the hash of a record is well defined.
 */

/**
 * A JSON value from the proposal's transient map (never written to a block).
 *
 * @throws `INVALID_ARGUMENT` naming the transient field when it is missing, not JSON (as `parseJsonText` reads it) or malformed
 */
export function transientJson<S extends z.ZodType>(ctx: Context, name: string, schema: S): z.infer<S> {
  const bytes = ctx.stub.getTransient().get(name);
  if (bytes === undefined || bytes.length === 0) {
    throw new ChaincodeError('INVALID_ARGUMENT', `transient.${name} is required (private input travels in the transient map, never in the arguments)`);
  }
  return validate(schema, parseJsonText(Buffer.from(bytes).toString('utf8'), `transient.${name}`), `transient.${name}`);
}

/** SHA-256 of a record's canonical bytes: what `getPrivateDataHash` returns for it. */
export function recordHash(record: unknown): string {
  return createHash('sha256').update(canonicalBytes(record)).digest('hex');
}

/**
 * Check a client-supplied private record against the ledger's hash of the stored one.
 *
 * @throws `NOT_FOUND` when nothing is stored under the key; `FAILED_PRECONDITION` when the
 *   supplied record is not the stored one (altered, or stale: read it again)
 */
export async function requireStored(ctx: Context, collection: string, key: string, supplied: unknown, what: string): Promise<void> {
  const stored = Buffer.from(await ctx.stub.getPrivateDataHash(collection, key)).toString('hex');
  if (stored === '') {
    throw new ChaincodeError('NOT_FOUND', `${what} does not exist`);
  }
  if (stored !== recordHash(supplied)) {
    throw new ChaincodeError('FAILED_PRECONDITION', `${what} as supplied does not match the ledger (altered, or stale: read it again)`);
  }
}

/**
 * Validate a private record against its model schema and store it as canonical JSON (the bytes
 * of `record` itself, so that its hash is that of what the caller holds). The refusal names the
 * record's object type and collection only: a private key's attributes can be personal data.
 *
 * @param schema - the record's model schema: the one it is read back with
 * @throws ChaincodeError `FAILED_PRECONDITION` when the record does not match its schema (see
 *   {@link requireModel}); nothing is written
 */
export async function putPrivate<S extends z.ZodType>(ctx: Context, collection: string, key: string, schema: S, record: z.input<S>): Promise<void> {
  requireModel(schema, record, `private record ${ctx.stub.splitCompositeKey(key).objectType} in ${collection}`);
  await ctx.stub.putPrivateData(collection, key, canonicalBytes(record));
}

/** Read and parse every private record under a partial composite key, on a peer of a member org. */
export async function privateRecords<S extends z.ZodType>(
  ctx: Context,
  collection: string,
  type: string,
  attributes: string[],
  schema: S,
): Promise<z.infer<S>[]> {
  const iterator = unwrapIterator(await ctx.stub.getPrivateDataByPartialCompositeKey(collection, type, attributes));
  return (await collect(iterator)).map((kv) => schema.parse(JSON.parse(Buffer.from(kv.value).toString('utf8'))));
}
