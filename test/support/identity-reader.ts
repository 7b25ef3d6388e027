import { decodeList, type DidResolutionResult, type IssuerRecord } from '@civic-ledger/chaincode/dist/identity/client';
import { IdentityContract } from '../../chaincode/src/identity/identity-contract';
import { ChaincodeError } from '../../chaincode/src/shared/errors';
import type { FakeLedger } from '../../chaincode/src/test-support/fake-context';
import type { LedgerReader } from '../../cli/src/credentials/ledger-reader';

const contract = new IdentityContract();
const auditor = { mspId: 'UtilitiesMSP', role: 'auditor' };

/** A verifier's LedgerReader over the identity contract's real logic on the unit-test ledger fake. */
export function identityReader(ledger: FakeLedger): LedgerReader {
  return {
    resolveDid: async (did) => JSON.parse(await ledger.tx(auditor, (ctx) => contract.ResolveDID(ctx, did))) as DidResolutionResult,
    resolveIssuer: async (did) =>
      ledger
        .tx(auditor, (ctx) => contract.ResolveIssuer(ctx, did))
        .then(
          (json) => JSON.parse(json) as IssuerRecord,
          (e: unknown) => {
            if (e instanceof ChaincodeError && e.code === 'NOT_FOUND') {
              return undefined;
            }
            throw e;
          },
        ),
    statusList: async (issuer, purpose) => {
      const list = JSON.parse(await ledger.tx(auditor, (ctx) => contract.GetStatusList(ctx, issuer, purpose))) as { encodedList: string };
      return decodeList(list.encodedList);
    },
  };
}
