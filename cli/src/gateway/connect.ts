import * as grpc from '@grpc/grpc-js';
import { connect, type Contract, type Gateway } from '@hyperledger/fabric-gateway';
import { createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import { UsageError } from '../errors';
import { firstThatConnects, processStartIndex, rotate, type FailedPeer } from './peer-choice';
import type { OrgConnection, PeerConnection } from './profile';
import type { WalletIdentity } from './wallet';
import { signingOptions } from './signer';
import { aliveChannelPeers, type AlivePeer } from './discovery';

/** The channel and chaincode every civic command talks to. */
export const CHANNEL = 'civic';
export const CHAINCODE = 'civic';

/** Deadlines for each gateway call, in milliseconds. */
export const DEADLINES = { evaluate: 10_000, endorse: 30_000, submit: 10_000, commitStatus: 60_000 } as const;

/**
 * Largest gRPC message the CLI accepts, in bytes (gRPC's default is 4 MiB): a page of 1000
 * signature records (each with a token and an RSA signature, about 1.3 KB) or of 1000
 * petitions (each with its 2048-4096-bit key and title, up to about 4 KB) fits several times.
 */
export const MAX_RECEIVE_MESSAGE_BYTES = 32 * 1024 * 1024;

/**
 * Server TLS credentials for a peer: its certificate must chain to the org's TLS root and
 * name `peer.hostAlias` (a DNS name or an IP address subject alternative name).
 */
export function peerCredentials(peer: Pick<PeerConnection, 'tlsRootCert' | 'hostAlias'>): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(peer.tlsRootCert, null, null, {
    checkServerIdentity: (_serverName, cert) => checkServerIdentity(peer.hostAlias, cert),
  });
}

/**
 * The TLS server name (SNI) sent to a peer whose certificate is checked against `alias`: the
 * alias itself, or `localhost` when it is an IP address, which RFC 6066 does not allow as a
 * server name (Node warns on it). Fabric peers serve one certificate whatever the name, and
 * {@link peerCredentials} still checks that certificate against the address.
 */
export function tlsServerName(alias: string): string {
  return isIP(alias) === 0 ? alias : 'localhost';
}

/**
 * How long the CLI waits for a gateway peer to accept a connection (TCP and TLS) before it
 * tries the org's next peer, in milliseconds.
 */
export const PEER_READY_MS = 3_000;

/** An open gateway connection; close it when done. */
export interface Session {
  readonly gateway: Gateway;
  /** The gateway peer this session talks to. */
  readonly peer: PeerConnection;
  contract(name: string): Contract;
  /**
   * The peers of the channel with the civic chaincode that this gateway peer's gossip knows as
   * alive (its discovery service, signed by the session's identity; see `aliveChannelPeers`).
   */
  alivePeers(): Promise<AlivePeer[]>;
  close(): void;
}

/**
 * Connect to an org's first gateway peer as a wallet identity (mutual TLS-free client,
 * server TLS verified against the org's TLS root certificate), without checking that it
 * answers: for commands pinned to one peer per org (ledger info and verify, network ping).
 *
 * @param org - the org's connection details: the gateway peer's endpoint and TLS root
 * @param identity - the enrolled identity that signs proposals and transactions
 * @param mspId - the MSP ID of `identity`; by default `org`'s own. Give the caller's when
 *   connecting to another org's peer (e.g. an auditor of one org reading every org's peer):
 *   the peer checks the signature against that MSP's certificates.
 * @returns a session; call `close()` in a `finally`
 */
export function openSession(org: OrgConnection, identity: WalletIdentity, mspId: string = org.mspId): Session {
  const peer = org.peers[0] ?? { name: 'peer', endpoint: org.peerEndpoint, tlsRootCert: org.peerTlsRootCert, hostAlias: org.peerHostAlias };
  return sessionOver(peerClient(peer), peer, identity, mspId);
}

/** How {@link openGatewaySession} picks among an org's peers. */
export interface GatewayChoice {
  /** Milliseconds to wait for each peer to accept a connection (default {@link PEER_READY_MS}). */
  readonly readyMs?: number;
  /** Index of the peer to try first (default: one drawn at random once per process). */
  readonly start?: number;
  /** Name of the peer to try first (e.g. `peer1.city`); wins over `start`. */
  readonly first?: string;
  /** Told about each peer that did not answer before another did (e.g. a `--verbose` line). */
  readonly onFailover?: (failed: FailedPeer) => void;
}

/**
 * Connect to one of an org's gateway peers: starting at a peer drawn once per process (so
 * separate commands spread over the org's peers), waiting up to `readyMs` for it to accept
 * the connection, and trying the org's next peers in turn when it does not. Fabric's gateway
 * itself spreads endorsements over other orgs' peers and retries on another when one fails.
 *
 * @param org - the org's connection details, every peer of it
 * @param identity - the enrolled identity that signs proposals and transactions
 * @param mspId - the MSP ID of `identity` (by default `org`'s own)
 * @param choice - readiness deadline, first peer, failover callback
 * @returns a session on the first peer that answered; call `close()` in a `finally`
 * @throws NetworkError (code `GATEWAY_UNREACHABLE`) naming every endpoint tried when none answers
 * @throws UsageError when `choice.first` names no peer of the org
 */
export async function openGatewaySession(
  org: OrgConnection,
  identity: WalletIdentity,
  mspId: string = org.mspId,
  choice: GatewayChoice = {},
): Promise<Session> {
  const readyMs = choice.readyMs ?? PEER_READY_MS;
  const order = rotate(org.peers, startIndex(org, choice));
  const { peer, connection, failed } = await firstThatConnects(order, (p) => readyClient(p, readyMs), org.mspId);
  failed.forEach((f) => choice.onFailover?.(f));
  return sessionOver(connection, peer, identity, mspId);
}

/** Where to start in the org's peers: the named one, the given index, or the process's draw. */
function startIndex(org: OrgConnection, choice: GatewayChoice): number {
  if (choice.first === undefined) {
    return choice.start ?? processStartIndex(org.profilePath, org.peers.length);
  }
  const index = org.peers.findIndex((p) => p.name === choice.first);
  if (index < 0) {
    throw new UsageError(`gateway peer '${choice.first}' is not a peer of ${org.mspId} (its peers: ${org.peers.map((p) => p.name).join(', ')})`);
  }
  return index;
}

/** A gRPC client of one peer (TLS verified against its root, the CLI's message size limit). */
function peerClient(peer: PeerConnection): grpc.Client {
  return new grpc.Client(peer.endpoint, peerCredentials(peer), {
    'grpc.ssl_target_name_override': tlsServerName(peer.hostAlias),
    'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_BYTES,
  });
}

/** A client of `peer` once its channel is ready; rejects (and closes it) after `readyMs`. */
function readyClient(peer: PeerConnection, readyMs: number): Promise<grpc.Client> {
  const client = peerClient(peer);
  return new Promise((resolve, reject) => {
    client.waitForReady(Date.now() + readyMs, (error) => {
      if (error === undefined) {
        resolve(client);
        return;
      }
      client.close();
      reject(new Error(`not ready within ${String(readyMs)} ms: ${error.message}`));
    });
  });
}

function sessionOver(client: grpc.Client, peer: PeerConnection, identity: WalletIdentity, mspId: string): Session {
  const deadline = (ms: number) => (): grpc.CallOptions => ({ deadline: Date.now() + ms });
  const signing = signingOptions(createPrivateKey(identity.privateKeyPem));
  const gateway = connect({
    client,
    identity: { mspId, credentials: identity.certificate },
    ...signing,
    evaluateOptions: deadline(DEADLINES.evaluate),
    endorseOptions: deadline(DEADLINES.endorse),
    submitOptions: deadline(DEADLINES.submit),
    commitStatusOptions: deadline(DEADLINES.commitStatus),
  });
  return {
    gateway,
    peer,
    contract: (name) => gateway.getNetwork(CHANNEL).getContract(CHAINCODE, name),
    alivePeers: () => aliveChannelPeers(client, { mspId, certificate: identity.certificate, signing }, CHANNEL, CHAINCODE),
    close: () => {
      gateway.close();
      client.close();
    },
  };
}
