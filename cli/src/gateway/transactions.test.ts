import { StatusCode, type Contract } from '@hyperledger/fabric-gateway';
import { ContractError } from '../errors';
import { submit } from './transactions';

/** A typed fake of the gateway Contract's proposal flow, committing with scripted validation codes. */
function fakeContract(codes: number[]): { contract: Contract; calls: string[][] } {
  const calls: string[][] = [];
  let n = 0;
  const contract = {
    newProposal: (name: string, options: { arguments: string[] }) => {
      calls.push([name, ...options.arguments]);
      const code = codes[n] ?? StatusCode.VALID;
      const txId = `tx${++n}`;
      return {
        endorse: () =>
          Promise.resolve({
            submit: () =>
              Promise.resolve({
                getResult: () => new TextEncoder().encode(`result of ${txId}`),
                getStatus: () => Promise.resolve({ code, successful: code === StatusCode.VALID, transactionId: txId, blockNumber: BigInt(10 + n) }),
              }),
          }),
      };
    },
  };
  return { contract: contract as unknown as Contract, calls };
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
});
