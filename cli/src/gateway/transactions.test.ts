import { CommitStatusError, StatusCode, type Contract } from '@hyperledger/fabric-gateway';
import type { ServiceError } from '@grpc/grpc-js';
import { ContractError, NetworkError } from '../errors';
import { COMMIT_STATUS_ASKS, submit, submitUnlessAnswered } from './transactions';

/** A typed fake of the gateway Contract's proposal flow, committing with scripted validation codes. */
function fakeContract(
  codes: number[],
  unknownStatus = 0,
  endorsed: string[] = [],
): { contract: Contract; calls: string[][]; statusAsks: () => number; submits: () => number } {
  let asks = 0;
  let submits = 0;
  const calls: string[][] = [];
  let n = 0;
  const contract = {
    newProposal: (name: string, options: { arguments: string[] }) => {
      calls.push([name, ...options.arguments]);
      const code = codes[n] ?? StatusCode.VALID;
      const txId = `tx${++n}`;
      const endorsedResult = endorsed[n - 1] ?? `result of ${txId}`;
      return {
        endorse: () =>
          Promise.resolve({
            getResult: () => new TextEncoder().encode(endorsedResult),
            getTransactionId: () => txId,
            submit: () => {
              submits += 1;
              return Promise.resolve({
                getResult: () => new TextEncoder().encode(`result of ${txId}`),
                getStatus: () => {
                  asks += 1;
                  if (asks <= unknownStatus) {
                    const cause = Object.assign(new Error('deadline exceeded'), {
                      code: 4,
                      details: 'deadline exceeded',
                      metadata: undefined,
                    }) as unknown as ServiceError;
                    return Promise.reject(
                      new CommitStatusError({ code: 4, details: [], cause, transactionId: txId, message: '4 DEADLINE_EXCEEDED: deadline exceeded' }),
                    );
                  }
                  return Promise.resolve({ code, successful: code === StatusCode.VALID, transactionId: txId, blockNumber: BigInt(10 + n) });
                },
              });
            },
          }),
      };
    },
  };
  return { contract: contract as unknown as Contract, calls, statusAsks: () => asks, submits: () => submits };
}

describe('submit', () => {
  it('returns the result, transaction id and block of a committed transaction', async () => {
    const { contract, calls } = fakeContract([StatusCode.VALID]);
    await expect(submit(contract, 'RegisterDID', ['{}'])).resolves.toEqual({ result: 'result of tx1', transactionId: 'tx1', blockNumber: 11n, attempts: 1 });
    expect(calls).toEqual([['RegisterDID', '{}']]);
  });

  it('retries MVCC and phantom read conflicts with a fresh proposal, and reports each retry', async () => {
    const { contract, calls } = fakeContract([StatusCode.MVCC_READ_CONFLICT, StatusCode.PHANTOM_READ_CONFLICT, StatusCode.VALID]);
    const retries: string[] = [];
    const committed = await submit(contract, 'RotateKey', ['{}'], (m) => retries.push(m));
    expect(committed).toMatchObject({ transactionId: 'tx3', attempts: 3 });
    expect(calls).toHaveLength(3);
    expect(retries[0]).toMatch(/^MVCC_READ_CONFLICT on tx1; retrying \(attempt 2 of 5\)$/);
  });

  it('gives up after the last attempt with the validation code', async () => {
    const { contract } = fakeContract(Array<number>(5).fill(StatusCode.MVCC_READ_CONFLICT));
    const error = await submit(contract, 'RotateKey', ['{}'], () => undefined, 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractError);
    expect(error).toMatchObject({ code: 'MVCC_READ_CONFLICT', transactionId: 'tx2' });
  });

  it('does not retry other invalidations', async () => {
    const { contract, calls } = fakeContract([StatusCode.ENDORSEMENT_POLICY_FAILURE]);
    await expect(submit(contract, 'RegisterDID', ['{}'])).rejects.toMatchObject({ code: 'ENDORSEMENT_POLICY_FAILURE' });
    expect(calls).toHaveLength(1);
  });

  it('asks again for the commit status of the same transaction when it is not known, and never submits twice', async () => {
    const { contract, calls, statusAsks } = fakeContract([StatusCode.VALID], 2);
    const retries: string[] = [];
    const committed = await submit(contract, 'RecordDebt', [], (m) => retries.push(m), 5, {}, 1);
    expect(committed).toMatchObject({ transactionId: 'tx1', attempts: 1 });
    expect(calls).toHaveLength(1);
    expect(statusAsks()).toBe(3);
    expect(retries).toEqual([
      'commit status of tx1 not known yet (4 DEADLINE_EXCEEDED: deadline exceeded); asking again (2 of 5)',
      'commit status of tx1 not known yet (4 DEADLINE_EXCEEDED: deadline exceeded); asking again (3 of 5)',
    ]);
  });

  it('reports a transaction whose commit status stays unknown as such, naming it, without submitting it again', async () => {
    const { contract, calls, statusAsks } = fakeContract([StatusCode.VALID], 100);
    const error = await submit(contract, 'RecordDebt', [], () => undefined, 5, {}, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: 'COMMIT_STATUS_UNKNOWN', transactionId: 'tx1' });
    expect((error as Error).message).toBe(
      `transaction tx1 was submitted, but its commit status is still unknown after ${String(COMMIT_STATUS_ASKS)} asks; it may yet commit, so look it up before submitting the same work again`,
    );
    expect(calls).toHaveLength(1);
    expect(statusAsks()).toBe(COMMIT_STATUS_ASKS);
  });
});

describe('submitUnlessAnswered', () => {
  const already = (result: string): boolean => result === 'already recorded';

  it('returns an endorsed result that needs no commit without sending it to the orderers', async () => {
    const { contract, submits } = fakeContract([StatusCode.VALID], 0, ['already recorded']);
    await expect(submitUnlessAnswered(contract, 'RecordDebt', [], already)).resolves.toEqual({ result: 'already recorded', transactionId: 'tx1' });
    expect(submits()).toBe(0);
  });

  it('submits any other result, and answers a retry after an MVCC conflict that finds the work already committed', async () => {
    const first = fakeContract([StatusCode.VALID], 0, ['recorded']);
    await expect(submitUnlessAnswered(first.contract, 'RecordDebt', [], already)).resolves.toMatchObject({ transactionId: 'tx1', blockNumber: 11n });
    expect(first.submits()).toBe(1);
    const raced = fakeContract([StatusCode.MVCC_READ_CONFLICT], 0, ['recorded', 'already recorded']);
    await expect(submitUnlessAnswered(raced.contract, 'RecordDebt', [], already)).resolves.toEqual({ result: 'already recorded', transactionId: 'tx2' });
    expect(raced.submits()).toBe(1);
  });
});
