import { openSession } from '../gateway/connect';
import { fromFabricError } from '../gateway/fabric-errors';
import { loadOrgConnection } from '../gateway/profile';
import { readWalletIdentity } from '../gateway/wallet';
import { ORG_MSP_IDS, type OrgName } from '../options';
import type { CivicPaths } from '../paths';

/** One org's answer to a ping. */
export interface PingResult {
  readonly org: OrgName;
  readonly mspId: string;
  /** Contracts the chaincode reports, in its metadata order. */
  readonly contracts: readonly string[];
  /** Round trip of the evaluate, in milliseconds. */
  readonly ms: number;
}

/**
 * Evaluate fabric-contract-api's built-in `org.hyperledger.fabric:GetMetadata` through one
 * org's gateway as one of its wallet identities: proof that the org's peer is on the channel,
 * has the chaincode installed and its chaincode process answers.
 *
 * @param paths - where the connection profiles and wallets are
 * @param org - the org whose gateway to ask
 * @param user - the wallet identity that signs the proposal
 * @returns the contract names and the round trip
 * @throws CliError (UsageError when the profile or identity is missing; ContractError or NetworkError from the gateway)
 */
export async function pingOrg(paths: CivicPaths, org: OrgName, user: string): Promise<PingResult> {
  const connection = loadOrgConnection(paths, org);
  const session = openSession(connection, readWalletIdentity(connection.walletDir, user));
  const started = performance.now();
  try {
    const bytes = await session.contract('org.hyperledger.fabric').evaluateTransaction('GetMetadata');
    const metadata = JSON.parse(Buffer.from(bytes).toString('utf8')) as { contracts?: Record<string, unknown> };
    return { org, mspId: ORG_MSP_IDS[org], contracts: Object.keys(metadata.contracts ?? {}), ms: Math.round(performance.now() - started) };
  } catch (error) {
    throw fromFabricError(error);
  } finally {
    session.close();
  }
}
