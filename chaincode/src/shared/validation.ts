import { z } from 'zod';
import { ChaincodeError } from './errors';

/**
 * How deep arrays and objects may nest in JSON input: far beyond any request's own shape, and far
 * below what the recursive code that reads it (schemas, RFC 8785 canonicalisation) could overflow on.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * What makes a parsed JSON value unusable as input, walking it without recursion: nesting deeper
 * than {@link MAX_JSON_DEPTH}, or a number JSON.parse read as ±Infinity (such as `1e309`), which
 * RFC 8785 cannot write and so no signature can cover.
 */
function jsonInputProblem(root: unknown): string | undefined {
  const pending: [unknown, number][] = [[root, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, depth] = next;
    if (typeof value === 'number' && !Number.isFinite(value)) {
      return 'holds a number beyond the range of a double (about ±1.8e308)';
    }
    if (typeof value === 'object' && value !== null) {
      if (depth >= MAX_JSON_DEPTH) {
        return `nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`;
      }
      for (const child of Object.values(value)) {
        pending.push([child, depth + 1]);
      }
    }
  }
  return undefined;
}

/**
 * Parse JSON text from a transaction argument or transient field (RFC 8259), refusing what
 * the chaincode cannot handle deterministically.
 *
 * @param raw - the JSON text
 * @param name - the input's name, used in error messages
 * @returns the parsed value, not yet validated
 * @throws ChaincodeError `INVALID_ARGUMENT` when the text is not JSON, nests deeper than
 *   {@link MAX_JSON_DEPTH}, or holds a number beyond the range of a double
 */
export function parseJsonText(raw: string, name: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ChaincodeError('INVALID_ARGUMENT', `${name} is not valid JSON`);
  }
  const problem = jsonInputProblem(json);
  if (problem !== undefined) {
    throw new ChaincodeError('INVALID_ARGUMENT', `${name} ${problem}`);
  }
  return json;
}

/**
 * Parse a transaction argument that carries JSON and validate it against a schema.
 *
 * @param schema - the zod schema the argument must satisfy
 * @param raw - the argument as received by the transaction (a JSON string)
 * @param argName - the argument's name, used in error messages
 * @returns the parsed, typed value
 * @throws ChaincodeError `INVALID_ARGUMENT` naming the argument and the first failing field, or
 *   as {@link parseJsonText} does
 */
export function parseJsonArgument<S extends z.ZodType>(schema: S, raw: string, argName: string): z.infer<S> {
  return validate(schema, parseJsonText(raw, argName), argName);
}

/**
 * Validate a value against a schema.
 *
 * @param schema - the zod schema the value must satisfy
 * @param value - the value to check
 * @param name - the value's name, used as the root of field paths in errors
 * @returns the parsed, typed value
 * @throws ChaincodeError `INVALID_ARGUMENT` naming the first failing field
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, name: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = [name, ...(issue?.path ?? []).map(String)].join('.');
    throw new ChaincodeError('INVALID_ARGUMENT', `${path}: ${issue?.message ?? 'invalid value'}`);
  }
  return result.data;
}

/**
 * Check a caller-supplied value that becomes an attribute of a composite key. fabric-shim's
 * `createCompositeKey` throws a bare `Error` for an empty attribute, and accepts U+0000 (the
 * attribute delimiter, so `['a\u0000b']` and `['a', 'b']` give the same key) and U+10FFFF (the
 * end of a partial-key range); all three are refused here as an argument error.
 *
 * @param value - the value from a transaction argument
 * @param name - the argument's name, used in the error message
 * @returns the value
 * @throws ChaincodeError `INVALID_ARGUMENT` naming the argument
 */
export function keyAttribute(value: string, name: string): string {
  if (typeof value !== 'string' || value === '' || value.includes('\u0000') || value.includes('\u{10ffff}')) {
    throw new ChaincodeError('INVALID_ARGUMENT', `${name}: must be a non-empty string without U+0000 or U+10FFFF`);
  }
  return value;
}
