import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { ChaincodeError, type ErrorCode } from '../../chaincode/src/shared/errors';
import type { FakeIdentity } from '../../chaincode/src/test-support/fake-context';
import { NO_ROLE, readAccessMatrix, type MatrixRow } from './access-matrix/readme-matrix';
import { contractTransactions, MATRIX_ORGS, TRANSIENT_INPUT } from './access-matrix/transactions';
import { hostileArgument, hostileKey, hostileTree } from './fuzz/hostile';
import { mutatedRequest, requestTemplates, type RequestTemplate } from './fuzz/templates';
import { fuzzWorld, type FuzzWorld } from './fuzz/world';

/**
 * Property-based fuzzing of every transaction's arguments, in-process on the ledger fake: each call,
 * made by a caller the README's access matrix lets through, either succeeds or is refused with one of
 * the chaincode's own error codes (never a TypeError, RangeError or other crash); a refusal writes
 * nothing, emits nothing and is refused the same way when repeated (endorsers must agree); and a
 * query never changes the ledger. FUZZ_RUNS (default 100) and FUZZ_SEED (default fixed, so a run is
 * reproducible) tune it.
 */

const CODES: readonly ErrorCode[] = ['INVALID_ARGUMENT', 'NOT_FOUND', 'ALREADY_EXISTS', 'FORBIDDEN', 'INVALID_SIGNATURE', 'FAILED_PRECONDITION'];
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_201);

const matrix = new Map(readAccessMatrix(readFileSync(path.join(__dirname, '../../README.md'), 'utf8')).map((r) => [r.transaction, r]));

/** The first caller the matrix lets through, founding orgs first. */
function callerOf(row: MatrixRow | undefined): FakeIdentity {
  for (const mspId of MATRIX_ORGS) {
    for (const [role, msps] of row?.allowed ?? []) {
      if (msps.has(mspId)) {
        return role === NO_ROLE ? { mspId } : { mspId, role };
      }
    }
  }
  throw new Error(`${row?.transaction ?? 'a transaction'} has no row in the README matrix, or no caller in it`);
}

type Outcome = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: unknown };

/** What a refusal must be: a ChaincodeError with a known code whose message starts with that code. */
function describeRefusal(error: unknown): string {
  if (!(error instanceof ChaincodeError) || !CODES.includes(error.code) || !error.message.startsWith(`${error.code}: `)) {
    return `not a chaincode refusal: ${error instanceof Error ? `${error.name}: ${error.message.slice(0, 300)}` : String(error)}`;
  }
  return error.message;
}

/** Keys a call added or changed whose composite-key attributes name none of `ids`. */
function changedOutside(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>, ids: readonly string[]): string[] {
  return [...after]
    .filter(([key, value]) => before.get(key) !== value)
    .map(([key]) => key)
    .filter((key) => !key.split('\u0000').some((part) => ids.includes(part)));
}

let world: FuzzWorld;
let templates: Readonly<Record<string, RequestTemplate>>;
beforeAll(async () => {
  world = await fuzzWorld();
  templates = requestTemplates(world);
});

/** Hostile strings, and for a transaction with a request template mostly that request broken in one place. */
function requestArgument(name: string): fc.Arbitrary<string> {
  const template = templates[name];
  const hostile = hostileArgument(world.known);
  return template === undefined
    ? hostile
    : fc.oneof({ arbitrary: mutatedRequest(template, hostileKey, hostileTree(world.known)), weight: 4 }, { arbitrary: hostile, weight: 1 });
}

describe.each(contractTransactions().map((t) => [t.name, t] as const))('%s with hostile arguments', (name, tx) => {
  const transientField = TRANSIENT_INPUT[name];

  it('succeeds or is refused with a chaincode error code, the same one when called again', async () => {
    const caller = templates[name]?.caller ?? callerOf(matrix.get(name));
    const argument = hostileArgument(world.known);
    const request = requestArgument(name);
    const argumentsOf =
      tx.params.length === 0 ? fc.constant([]) : fc.tuple(transientField === undefined ? request : argument, ...tx.params.slice(1).map(() => argument));
    await fc.assert(
      fc.asyncProperty(argumentsOf, transientField === undefined ? argument : request, async (args, transient) => {
        const before = world.ledger.snapshot();
        const options = transientField === undefined ? {} : { transient: { [transientField]: transient } };
        const call = (): Promise<Outcome> =>
          world.ledger
            .tx(caller, (ctx) => tx.invoke(ctx, args), undefined, options)
            .then(
              (result) => ({ ok: true, result }),
              (error: unknown) => ({ ok: false, error }),
            );
        const first = await call();
        if (first.ok) {
          expect(typeof first.result).toBe('string');
          if (tx.kind === 'evaluate') {
            expect(world.ledger.snapshot()).toEqual(before);
          }
          if (name === 'land:ImportParcels') {
            // A parcel of the batch is registered whole or not at all: nothing of a rejected one is written.
            const { registered } = JSON.parse(String(first.result)) as { registered: string[] };
            expect(changedOutside(before, world.ledger.snapshot(), registered)).toEqual([]);
          }
          return;
        }
        // A refused call's writes and events are dropped, by the peer as by the fake, so what a
        // refusal can get wrong is its kind (a crash instead of a chaincode error) and its
        // determinism (two endorsers must refuse alike).
        const refusal = describeRefusal(first.error);
        expect(refusal).not.toMatch(/^not a chaincode refusal/);
        const again = await call();
        expect(again.ok ? 'succeeded' : describeRefusal(again.error)).toBe(refusal);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }, 60_000);
});
