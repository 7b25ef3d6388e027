import type { Contract } from '@hyperledger/fabric-gateway';
import { decodeList, type DidResolutionResult, type IssuerRecord } from '@civic-ledger/chaincode/dist/identity/client';
import { ContractError } from '../errors';
import { evaluate } from '../gateway/transactions';
import type { LedgerReader } from './ledger-reader';

/** A LedgerReader over the identity contract, through an org's gateway peer. */
export function gatewayLedgerReader(identity: Contract): LedgerReader {
  return {
    resolveDid: async (did) => JSON.parse(await evaluate(identity, 'ResolveDID', [did])) as DidResolutionResult,
    resolveIssuer: async (did) => {
      try {
        return JSON.parse(await evaluate(identity, 'ResolveIssuer', [did])) as IssuerRecord;
      } catch (e) {
        if (e instanceof ContractError && e.code === 'NOT_FOUND') {
          return undefined;
        }
        throw e;
      }
    },
    statusList: async (issuer, purpose) =>
      decodeList((JSON.parse(await evaluate(identity, 'GetStatusList', [issuer, purpose])) as { encodedList: string }).encodedList),
  };
}
