import 'reflect-metadata';
import type { Context } from 'fabric-contract-api';
import { contracts } from '../../../chaincode/src/index';
import { MSP_IDS, ROLES } from '../../../chaincode/src/shared/access';
import type { CivicContract } from '../../../chaincode/src/shared/civic-contract';

/** Whether the peer runs a transaction as a submit (endorse, order, commit) or as an evaluate (a query). */
export type TransactionKind = 'submit' | 'evaluate';

/** One transaction function as the chaincode exposes it. */
export interface ContractTransaction {
  /** `contract:Function`, as a client names it. */
  readonly name: string;
  readonly kind: TransactionKind;
  /** The names of its string parameters after the context, in order. */
  readonly params: readonly string[];
  /** Call it in-process on a context, with its string arguments. */
  readonly invoke: (ctx: Context, args: readonly string[]) => Promise<string>;
}

/** fabric-contract-api `@Transaction` metadata (lib/annotations/transaction.js): one entry per decorated function. */
interface TransactionMetadata {
  readonly name: string;
  readonly tag: readonly string[];
  readonly parameters?: readonly { readonly name: string }[];
}

/**
 * Every transaction of the chaincode's contracts, read from the metadata that fabric-contract-api's
 * `@Transaction` decorator records and that the peer dispatches by.
 *
 * @returns one entry per decorated function, in contract order
 * @throws Error when a contract records no transactions or a function is missing
 */
export function contractTransactions(): ContractTransaction[] {
  return contracts.flatMap((Contract) => {
    const instance = new Contract() as CivicContract;
    const contractName = instance.getName();
    const recorded = Reflect.getMetadata('fabric:transactions', Contract.prototype) as TransactionMetadata[] | undefined;
    if (recorded === undefined || recorded.length === 0) {
      throw new Error(`contract ${contractName} records no transactions`);
    }
    return recorded.map((t): ContractTransaction => {
      const fn = (instance as unknown as Record<string, unknown>)[t.name];
      if (typeof fn !== 'function') {
        throw new Error(`${contractName}:${t.name} is recorded but not a function`);
      }
      return {
        name: `${contractName}:${t.name}`,
        kind: t.tag.includes('SUBMIT') ? 'submit' : 'evaluate',
        params: (t.parameters ?? []).map((p) => p.name),
        invoke: (ctx, args) => (fn as (ctx: Context, ...a: string[]) => Promise<string>).call(instance, ctx, ...args),
      };
    });
  });
}

/** The transient field each transaction reads its private input from (the debt contract's only). */
export const TRANSIENT_INPUT: Readonly<Record<string, string>> = {
  'debt:RecordDebt': 'debt',
  'debt:SettleDebt': 'current',
  'debt:PurgeDebt': 'current',
  'debt:RecordConsent': 'consent',
  'debt:RevokeConsent': 'revocation',
  'debt:GetDebtOverview': 'consent',
  'debt:ProposePlan': 'plan',
  'debt:RecordPayment': 'payment',
};

/** A channel member that joined after the founders: it stands for "any other channel member". */
export const JOINED_MSP = 'HarbourMSP';

/** The orgs of the matrix: the founders, then any other channel member. */
export const MATRIX_ORGS = [...MSP_IDS, JOINED_MSP] as const;

/** The roles of the matrix: every staff role, then a certificate without one. */
export const MATRIX_ROLES: readonly (string | undefined)[] = [...ROLES, undefined];
