import type { Contract } from '@hyperledger/fabric-gateway';
import type { IssuanceRecord, PetitionRecord, SignatureRecord, Tally } from '@civic-ledger/chaincode/dist/petition/client';
import type { CommandContext } from '../context';
import { evaluate, submit } from '../gateway/transactions';
import type { Session } from '../gateway/connect';
import { withSession } from '../gateway/with-contract';

/** Live results as `petition:GetResults` returns them. */
export type PetitionResults = Tally & { readonly petitionId: string; readonly status: string };

/**
 * What the petition commands read from and write to the ledger (the petition contract). The CLI
 * implements it over the Fabric Gateway; tests implement it over the contract's real logic.
 * Refusals reject with an error whose `code` is the chaincode's error code.
 */
export interface PetitionLedger {
  petition(petitionId: string): Promise<PetitionRecord>;
  signatures(petitionId: string): Promise<SignatureRecord[]>;
  issuances(petitionId: string): Promise<IssuanceRecord[]>;
  results(petitionId: string): Promise<PetitionResults>;
  /**
   * Submit `petition:RecordTokenIssuance` with the citizen's signed request; resolves once
   * committed. `beforeSubmit` gets each endorsed transaction's id before it goes to the orderers.
   */
  recordIssuance(request: string, beforeSubmit?: (transactionId: string) => Promise<void>): Promise<{ issuance: IssuanceRecord; transactionId: string }>;
}

/** Records per page when reading signatures and issuances (the contract allows 1–1000). */
export const PAGE_SIZE = 1000;

/**
 * Read every page of a paginated petition query, in key order.
 *
 * @param page - fetches one page `{ records, bookmark }` from a bookmark ('' for the first)
 */
export async function allPages<T>(page: (bookmark: string) => Promise<{ records: T[]; bookmark: string }>): Promise<T[]> {
  const out: T[] = [];
  let bookmark = '';
  do {
    const next = await page(bookmark);
    out.push(...next.records);
    bookmark = next.records.length === 0 ? '' : next.bookmark;
  } while (bookmark !== '');
  return out;
}

/** A PetitionLedger through an org's gateway peer. `onRetry` is told of each MVCC retry. */
export function gatewayPetitionLedger(petition: Contract, onRetry: (message: string) => void = () => undefined): PetitionLedger {
  const query = async <T>(name: string, ...args: string[]): Promise<T> => JSON.parse(await evaluate(petition, name, args)) as T;
  return {
    petition: (id) => query('GetPetition', id),
    signatures: (id) => allPages((bookmark) => query('GetSignatures', id, String(PAGE_SIZE), bookmark)),
    issuances: (id) => allPages((bookmark) => query('GetIssuances', id, String(PAGE_SIZE), bookmark)),
    results: (id) => query('GetResults', id),
    recordIssuance: async (request, beforeSubmit) => {
      const committed = await submit(petition, 'RecordTokenIssuance', [request], onRetry, 5, beforeSubmit === undefined ? {} : { beforeSubmit });
      return { issuance: JSON.parse(committed.result) as IssuanceRecord, transactionId: committed.transactionId };
    },
  };
}

/** Run `fn` with a PetitionLedger through the selected org's gateway, closing the connection after. MVCC retries go to `--verbose`. */
export function withPetitionLedger<T>(ctx: CommandContext, fn: (ledger: PetitionLedger, session: Session) => Promise<T>): Promise<T> {
  return withSession(ctx, (s) =>
    fn(
      gatewayPetitionLedger(s.contract('petition'), (m) => {
        ctx.printer.verbose(m);
      }),
      s,
    ),
  );
}

/** A petition and its live results, read in one session. */
export function petitionWithResults(ctx: CommandContext, petitionId: string): Promise<[PetitionRecord, PetitionResults]> {
  return withPetitionLedger(ctx, (ledger) => Promise.all([ledger.petition(petitionId), ledger.results(petitionId)]));
}
