import type { DidResolutionResult, IssuerRecord } from '@civic-ledger/chaincode/dist/identity/client';

/**
 * What a verifier reads from the ledger (the identity contract), and nothing else:
 * DID documents, trusted-issuer records and status lists. The CLI implements it
 * over the Fabric Gateway; tests may implement it over the contract directly.
 */
export interface LedgerReader {
  /** `identity:ResolveDID`; rejects when the DID is unknown. */
  resolveDid(did: string): Promise<DidResolutionResult>;
  /** `identity:ResolveIssuer`; `undefined` when the DID is not a trusted issuer. */
  resolveIssuer(did: string): Promise<IssuerRecord | undefined>;
  /** `identity:GetStatusList` decoded to its bitstring. */
  statusList(issuer: string, purpose: 'revocation' | 'suspension'): Promise<Uint8Array>;
}
