import { z } from 'zod';
import { ChaincodeError } from './errors';

/**
 * Parse a transaction argument that carries JSON and validate it against a schema.
 *
 * @param schema - the zod schema the argument must satisfy
 * @param raw - the argument as received by the transaction (a JSON string)
 * @param argName - the argument's name, used in error messages
 * @returns the parsed, typed value
 * @throws ChaincodeError `INVALID_ARGUMENT` naming the argument and the first failing field
 */
export function parseJsonArgument<S extends z.ZodType>(schema: S, raw: string, argName: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ChaincodeError('INVALID_ARGUMENT', `${argName} is not valid JSON`);
  }
  return validate(schema, json, argName);
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
