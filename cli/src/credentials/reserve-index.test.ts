import { StatusCode, type Contract } from '@hyperledger/fabric-gateway';
import { STATUS_LIST_SIZE, encodeList, getBit } from '@civic-ledger/chaincode/dist/identity/client';
import { generateCitizenKey } from '../citizen/key-file';
import { ContractError } from '../errors';
import { reserveStatusIndex } from './reserve-index';

/**
 * A fake identity contract: `GetStatusIndexAllocation` answers with `published` (what the gateway
 * peer has committed so far), `ReserveStatusIndex` refuses an index in `taken` as the chaincode does.
 */
function fakeIdentity(published: Uint8Array, taken: Set<number>): { contract: Contract; calls: string[] } {
  const calls: string[] = [];
  let n = 0;
  const contract = {
    newProposal: (name: string, options: { arguments: string[] }) => {
      calls.push(name);
      const txId = `tx${++n}`;
      if (name === 'GetStatusIndexAllocation') {
        return { evaluate: () => Promise.resolve(new TextEncoder().encode(JSON.stringify({ encodedList: encodeList(published) }))) };
      }
      const { index } = (JSON.parse(options.arguments[0] ?? '{}') as { payload: { index: number } }).payload;
      return {
        endorse: () => {
          if (taken.has(index)) {
            return Promise.reject(new ContractError('ALREADY_EXISTS', `ALREADY_EXISTS: status index ${index} is already allocated`, {}));
          }
          taken.add(index);
          return Promise.resolve({
            getResult: () => new TextEncoder().encode(JSON.stringify({ index })),
            getTransactionId: () => txId,
            submit: () =>
              Promise.resolve({
                getResult: () => new Uint8Array(),
                getStatus: () => Promise.resolve({ code: StatusCode.VALID, successful: true, transactionId: txId, blockNumber: 7n }),
              }),
          });
        },
      };
    },
  };
  return { contract: contract as unknown as Contract, calls };
}

describe('reserveStatusIndex', () => {
  it('picks another index when another desk took the picked one first', async () => {
    const issuer = generateCitizenKey();
    // The other desk's reservation of 1234 is not yet on this peer's published list.
    const { contract, calls } = fakeIdentity(new Uint8Array(STATUS_LIST_SIZE / 8), new Set([1234]));
    const picks = [1234, 99];
    const retries: string[] = [];
    const reserved = await reserveStatusIndex(
      contract,
      issuer,
      (m) => retries.push(m),
      () => picks.shift() ?? 0,
    );
    expect(reserved).toEqual({ index: 99, transactionId: 'tx4', blockNumber: 7n });
    expect(calls).toEqual(['GetStatusIndexAllocation', 'ReserveStatusIndex', 'GetStatusIndexAllocation', 'ReserveStatusIndex']);
    expect(retries).toEqual(['status index 1234 was taken by another credential first; picking another (attempt 2 of 5)']);
  });

  it('refuses a full list, naming the issuer and the list size, without submitting anything', async () => {
    const issuer = generateCitizenKey();
    const full = new Uint8Array(STATUS_LIST_SIZE / 8).fill(0xff);
    expect(getBit(full, STATUS_LIST_SIZE - 1)).toBe(true);
    const { contract, calls } = fakeIdentity(full, new Set());
    const error = await reserveStatusIndex(contract, issuer).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractError);
    expect(error).toMatchObject({
      code: 'FAILED_PRECONDITION',
      message: `FAILED_PRECONDITION: the status list of ${issuer.did} is full: all 131072 indexes are allocated`,
    });
    expect(calls).toEqual(['GetStatusIndexAllocation']);
  });

  it('gives up after five indexes lost to other desks', async () => {
    const issuer = generateCitizenKey();
    const { contract, calls } = fakeIdentity(new Uint8Array(STATUS_LIST_SIZE / 8), new Set([1, 2, 3, 4, 5]));
    const picks = [1, 2, 3, 4, 5, 6];
    const error = await reserveStatusIndex(
      contract,
      issuer,
      () => undefined,
      () => picks.shift() ?? 0,
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ALREADY_EXISTS', message: 'ALREADY_EXISTS: status index 5 is already allocated' });
    expect(calls.filter((c) => c === 'ReserveStatusIndex')).toHaveLength(5);
  });
});
