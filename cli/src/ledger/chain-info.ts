import type { Gateway } from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { CHANNEL, openSession, type Session } from '../gateway/connect';
import { fromFabricError } from '../gateway/fabric-errors';
import type { WalletIdentity } from '../gateway/wallet';
import type { OrgName } from '../options';
import type { OrgPeer } from './org-peers';

/** A channel's chain as one peer has it (`common.BlockchainInfo`), hashes in lower-case hex. */
export interface ChainInfo {
  /** Number of blocks the peer has committed: the last block's number + 1. */
  readonly height: number;
  /** SHA-256 of the last block's header (what the next block will name as its previous hash). */
  readonly currentBlockHash: string;
  /** The last block's previous hash: SHA-256 of the header of the block before it (empty for a chain of one block). */
  readonly previousBlockHash: string;
}

/** One member org's peer, and its chain or why it did not answer. */
export interface PeerChainInfo {
  readonly org: OrgName;
  readonly mspId: string;
  /** The peer's gateway endpoint, `host:port`. */
  readonly endpoint: string;
  /** The peer's chain; `null` when it did not answer. */
  readonly chain: ChainInfo | null;
  /** Why the peer did not answer (one line); `null` when it did. */
  readonly error: string | null;
}

/** The chain of every member org's peer, and whether they agree. */
export interface ChainInfoReport {
  readonly channel: string;
  readonly peers: readonly PeerChainInfo[];
  /** True when every peer answered. */
  readonly allAnswered: boolean;
  /** True when every peer that answered has the same height. */
  readonly heightsAgree: boolean;
  /**
   * True when the hashes of the peers that answered fit one chain: peers at the same height
   * have the same current and previous hashes, and a peer one block ahead of another names the
   * other's current hash as its previous hash. False means the peers hold different blocks.
   */
  readonly hashesConsistent: boolean;
}

/** Who asks: the caller's identity and its MSP ID (any channel member satisfies the Readers policy). */
export interface Caller {
  readonly identity: WalletIdentity;
  readonly mspId: string;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/**
 * Decode what `qscc GetChainInfo` returns: a serialized `common.BlockchainInfo`
 * (core/scc/qscc/query.go `getChainInfo`; common/ledger/blkstorage `BlockchainInfo`).
 *
 * @param bytes - the serialized BlockchainInfo
 * @returns height and hashes (hex)
 * @throws Error when the bytes are not a BlockchainInfo
 */
export function decodeChainInfo(bytes: Uint8Array): ChainInfo {
  const info = common.BlockchainInfo.deserializeBinary(bytes);
  return { height: info.getHeight(), currentBlockHash: hex(info.getCurrentblockhash_asU8()), previousBlockHash: hex(info.getPreviousblockhash_asU8()) };
}

/**
 * The chain of the gateway's own peer: `qscc GetChainInfo` with the evaluation pinned to the
 * peer's org, so that no other org's peer answers (internal/pkg/gateway/registry.go `evaluator`).
 *
 * @param gateway - a gateway connected to the peer
 * @param peerMspId - the MSP ID of the peer's org
 * @throws the gateway's error when the peer does not answer
 */
export async function evaluateChainInfo(gateway: Gateway, peerMspId: string): Promise<ChainInfo> {
  const bytes = await gateway
    .getNetwork(CHANNEL)
    .getContract('qscc')
    .evaluate('GetChainInfo', { arguments: [CHANNEL], endorsingOrganizations: [peerMspId] });
  return decodeChainInfo(bytes);
}

/**
 * Ask one peer for its chain: `qscc GetChainInfo` evaluated through a gateway connected to
 * that peer, signed by the caller, with the evaluation pinned to the peer's own org (the
 * gateway otherwise may pass it to another org's peer; internal/pkg/gateway/registry.go
 * `evaluator`). Each org runs one peer, so the answer is that peer's.
 *
 * @param peer - the peer's org and connection
 * @param caller - who signs the proposal
 * @returns the peer's chain, or the reason it gave none (never throws for an unreachable or refusing peer)
 */
export async function peerChainInfo(peer: OrgPeer, caller: Caller): Promise<PeerChainInfo> {
  const row = { org: peer.org, mspId: peer.connection.mspId, endpoint: peer.connection.peerEndpoint };
  let session: Session | undefined;
  try {
    session = openSession(peer.connection, caller.identity, caller.mspId);
    return { ...row, chain: await evaluateChainInfo(session.gateway, peer.connection.mspId), error: null };
  } catch (error) {
    return { ...row, chain: null, error: fromFabricError(error).message };
  } finally {
    session?.close();
  }
}

/**
 * Whether peers' chains fit one chain (see {@link ChainInfoReport.hashesConsistent}).
 *
 * @param chains - the chains of the peers that answered
 */
export function hashesConsistent(chains: readonly ChainInfo[]): boolean {
  return chains.every((a) =>
    chains.every((b) => {
      if (a.height === b.height) {
        return a.currentBlockHash === b.currentBlockHash && a.previousBlockHash === b.previousBlockHash;
      }
      return a.height === b.height + 1 ? a.previousBlockHash === b.currentBlockHash : true;
    }),
  );
}

/**
 * Ask every member org's peer for its chain, all at once, and compare the answers.
 *
 * @param peers - one peer per member org (see memberOrgPeers)
 * @param caller - who signs the proposals
 * @returns every peer's answer (or reason for none) and whether they agree; never throws for a peer
 */
export async function memberChainInfo(peers: readonly OrgPeer[], caller: Caller): Promise<ChainInfoReport> {
  const answers = await Promise.all(peers.map((peer) => peerChainInfo(peer, caller)));
  const chains = answers.flatMap((a) => (a.chain === null ? [] : [a.chain]));
  return {
    channel: CHANNEL,
    peers: answers,
    allAnswered: chains.length === answers.length,
    heightsAgree: chains.every((c) => c.height === chains[0]?.height),
    hashesConsistent: hashesConsistent(chains),
  };
}
