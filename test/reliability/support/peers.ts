import { ContractError } from '../../../cli/src/errors';
import { openSession, type Session } from '../../../cli/src/gateway/connect';
import { evaluate } from '../../../cli/src/gateway/transactions';
import { loadOrgConnection } from '../../../cli/src/gateway/profile';
import { readWalletIdentity } from '../../../cli/src/gateway/wallet';
import { evaluateChainInfo, hashesConsistent, type ChainInfo } from '../../../cli/src/ledger/chain-info';
import { readTransaction } from '../../../cli/src/ledger/tx-lookup';
import { civicPaths } from '../../../cli/src/paths';
import { ORGS, type Org } from './records';

/** A transaction as one peer's ledger has it, or `null` when the peer has no such transaction. */
export interface PeerTransaction {
  /** The `peer.TxValidationCode` name the peer committed it with, e.g. `VALID`. */
  readonly validationCode: string;
  /** The number of the block that holds it (decimal). */
  readonly blockNumber: string;
}

/**
 * Read-only sessions with each org's peer as that org's `auditor`, every evaluation pinned to
 * the peer's own org (`endorsingOrganizations`), so the answer is that peer's and no other's:
 * how the checks ask each peer for its chain, its transactions and its state.
 */
export class PeerReaders {
  private readonly sessions = new Map<Org, { session: Session; mspId: string }>();

  /**
   * @param env - the network's environment (`CIVIC_NETWORK_HOME`)
   * @throws UsageError when a profile or an auditor's identity is missing
   */
  constructor(env: NodeJS.ProcessEnv) {
    const paths = civicPaths({ ...process.env, ...env });
    for (const org of ORGS) {
      const connection = loadOrgConnection(paths, org);
      this.sessions.set(org, { session: openSession(connection, readWalletIdentity(connection.walletDir, 'auditor')), mspId: connection.mspId });
    }
  }

  private peer(org: Org): { session: Session; mspId: string } {
    const found = this.sessions.get(org);
    if (found === undefined) {
      throw new Error(`no session with ${org}'s peer`);
    }
    return found;
  }

  /**
   * The peer's chain (`qscc` GetChainInfo): height and the last block's hashes.
   *
   * @throws the gateway's error when the peer does not answer
   */
  chainInfo(org: Org): Promise<ChainInfo> {
    const { session, mspId } = this.peer(org);
    return evaluateChainInfo(session.gateway, mspId);
  }

  /**
   * A transaction on the peer's ledger (`qscc` GetTransactionByID and GetBlockByTxID).
   *
   * @returns its validation code and block, or `null` when the peer's ledger has no such transaction
   * @throws NetworkError when the peer does not answer
   */
  async transaction(org: Org, txId: string): Promise<PeerTransaction | null> {
    const { session, mspId } = this.peer(org);
    try {
      const tx = await readTransaction(session.gateway, txId, mspId);
      return { validationCode: tx.validationCode, blockNumber: tx.blockNumber };
    } catch (error) {
      if (error instanceof ContractError && error.code === 'NOT_FOUND') {
        return null;
      }
      throw error;
    }
  }

  /**
   * A DID's record as the peer's state has it (`identity:ResolveDID`, its JSON as returned), or
   * `NOT_FOUND` when the peer's state has no such DID.
   *
   * @throws NetworkError / ContractError for any other answer
   */
  async resolveDid(org: Org, did: string): Promise<string> {
    const { session, mspId } = this.peer(org);
    try {
      return await evaluate(session.contract('identity'), 'ResolveDID', [did], { endorsingOrganizations: [mspId] });
    } catch (error) {
      if (error instanceof ContractError && error.code === 'NOT_FOUND') {
        return 'NOT_FOUND';
      }
      throw error;
    }
  }

  close(): void {
    this.sessions.forEach(({ session }) => {
      session.close();
    });
  }
}

/** Every peer's chain, once they all report the same height and consistent hashes. */
export interface Converged {
  readonly height: number;
  /** Milliseconds it took from the call. */
  readonly waitedMs: number;
}

/** Every peer's answer at one moment: whether they agree (same height, one chain), and the answers in short. */
async function peerAnswers(readers: PeerReaders): Promise<{ agree: boolean; height: number; summary: string }> {
  const answers = await Promise.all(ORGS.map((org) => readers.chainInfo(org).catch((e: unknown) => (e instanceof Error ? e.message : String(e)))));
  const chains = answers.filter((a): a is ChainInfo => typeof a !== 'string');
  const agree = chains.length === ORGS.length && chains.every((c) => c.height === chains[0]?.height) && hashesConsistent(chains);
  return { agree, height: chains[0]?.height ?? 0, summary: JSON.stringify(answers.map((a) => (typeof a === 'string' ? a : a.height))) };
}

/**
 * Wait until every org's peer answers with the same height and hashes that fit one chain, and
 * stays so for `stableMs` (no block in flight).
 *
 * @param readers - sessions with the peers
 * @param limitMs - give up after this long
 * @throws Error naming each peer's last answer when they do not converge in time
 */
export async function waitConverged(readers: PeerReaders, limitMs = 120_000, stableMs = 1_500): Promise<Converged> {
  const started = Date.now();
  let last = '';
  let since = 0;
  while (Date.now() - started < limitMs) {
    const now = await peerAnswers(readers);
    if (!now.agree || now.summary !== last) {
      since = Date.now();
    } else if (Date.now() - since >= stableMs) {
      return { height: now.height, waitedMs: Date.now() - started };
    }
    last = now.summary;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the peers did not converge within ${String(limitMs)} ms; last answers (city, agencies, utilities): ${last}`);
}
