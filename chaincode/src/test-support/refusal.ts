import { ChaincodeError } from '../shared/errors';
import type { FakeLedger } from './fake-context';

/**
 * Run a transaction that must be refused: asserts it throws a ChaincodeError and
 * that world state is unchanged, and returns the error for further assertions.
 */
export async function refused(ledger: FakeLedger, run: () => Promise<unknown>): Promise<ChaincodeError> {
  const before = ledger.snapshot();
  const e = await run().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ChaincodeError);
  expect(ledger.snapshot()).toEqual(before);
  return e as ChaincodeError;
}
