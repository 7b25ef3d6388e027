import { randomInt } from 'node:crypto';
import type { Contract } from '@hyperledger/fabric-gateway';
import { decodeList, pickUnusedIndex } from '@civic-ledger/chaincode/dist/identity/client';
import { signAuthorisation, type CitizenKeyFile } from '../citizen/key-file';
import { ContractError } from '../errors';
import { CHANNEL } from '../gateway/connect';
import { evaluate, submit } from '../gateway/transactions';

/** Indexes tried before giving up when other desks keep taking the one picked. */
export const RESERVE_ATTEMPTS = 5;

/** A status index taken on the ledger for one credential. */
export interface ReservedIndex {
  readonly index: number;
  readonly transactionId: string;
  readonly blockNumber: bigint;
}

/**
 * Take a status index for a new credential of `issuer`: read which of the issuer's indexes are
 * taken (`identity:GetStatusIndexAllocation`), pick a free one at random (`crypto.randomInt`, uniform
 * among the free ones, so the index's value says nothing about the holder; the reservation shows when), and reserve
 * it with the issuer's signature (`identity:ReserveStatusIndex`). When another desk took the same
 * index first (`ALREADY_EXISTS`, or an MVCC conflict whose retry finds it taken), another is picked,
 * up to {@link RESERVE_ATTEMPTS} times.
 *
 * @param contract - the identity contract, as `issuer`-role staff of the issuer's org
 * @param issuer - the issuer DID's key
 * @param onRetry - told of each retry (for `--verbose`)
 * @param randomBelow - the random source (a uniform integer in [0, n)); tests may pass their own
 * @returns the reserved index and the transaction that reserved it
 * @throws ContractError `FAILED_PRECONDITION` when every index of the issuer's list is taken (naming
 *   the issuer and the list size), `ALREADY_EXISTS` when every attempt lost its index to another desk,
 *   or the chaincode's refusal (issuer unknown, not active, staff of another org or role)
 */
export async function reserveStatusIndex(
  contract: Contract,
  issuer: CitizenKeyFile,
  onRetry: (message: string) => void = () => undefined,
  randomBelow: (n: number) => number = randomInt,
): Promise<ReservedIndex> {
  for (let attempt = 1; ; attempt++) {
    const allocation = JSON.parse(await evaluate(contract, 'GetStatusIndexAllocation', [issuer.did])) as { encodedList: string };
    let index: number;
    try {
      index = pickUnusedIndex(decodeList(allocation.encodedList), randomBelow, issuer.did);
    } catch (e) {
      throw new ContractError('FAILED_PRECONDITION', `FAILED_PRECONDITION: ${(e as Error).message}`, {});
    }
    const signed = signAuthorisation(issuer, 'identity:ReserveStatusIndex', CHANNEL, { index });
    try {
      const committed = await submit(contract, 'ReserveStatusIndex', [JSON.stringify(signed)], onRetry);
      return { index, transactionId: committed.transactionId, blockNumber: committed.blockNumber };
    } catch (e) {
      if (!(e instanceof ContractError) || e.code !== 'ALREADY_EXISTS' || attempt >= RESERVE_ATTEMPTS) {
        throw e;
      }
      onRetry(`status index ${index} was taken by another credential first; picking another (attempt ${attempt + 1} of ${RESERVE_ATTEMPTS})`);
    }
  }
}
