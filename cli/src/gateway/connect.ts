import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Contract, type Gateway } from '@hyperledger/fabric-gateway';
import { createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import type { OrgConnection } from './profile';
import type { WalletIdentity } from './wallet';

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
 * Server TLS credentials for an org's peer: its certificate must chain to the org's TLS root
 * and name `org.peerHostAlias` (a DNS name or an IP address subject alternative name).
 */
export function peerCredentials(org: Pick<OrgConnection, 'peerTlsRootCert' | 'peerHostAlias'>): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(org.peerTlsRootCert, null, null, {
    checkServerIdentity: (_serverName, cert) => checkServerIdentity(org.peerHostAlias, cert),
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

/** An open gateway connection; close it when done. */
export interface Session {
  readonly gateway: Gateway;
  contract(name: string): Contract;
  close(): void;
}

/**
 * Connect to an org's gateway peer as a wallet identity (mutual TLS-free client,
 * server TLS verified against the org's TLS root certificate).
 *
 * @param org - the org's connection details: the gateway peer's endpoint and TLS root
 * @param identity - the enrolled identity that signs proposals and transactions
 * @param mspId - the MSP ID of `identity`; by default `org`'s own. Give the caller's when
 *   connecting to another org's peer (e.g. an auditor of one org reading every org's peer):
 *   the peer checks the signature against that MSP's certificates.
 * @returns a session; call `close()` in a `finally`
 */
export function openSession(org: OrgConnection, identity: WalletIdentity, mspId: string = org.mspId): Session {
  const client = new grpc.Client(org.peerEndpoint, peerCredentials(org), {
    'grpc.ssl_target_name_override': tlsServerName(org.peerHostAlias),
    'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_BYTES,
  });
  const deadline = (ms: number) => (): grpc.CallOptions => ({ deadline: Date.now() + ms });
  const gateway = connect({
    client,
    identity: { mspId, credentials: identity.certificate },
    signer: signers.newPrivateKeySigner(createPrivateKey(identity.privateKeyPem)),
    hash: hash.sha256,
    evaluateOptions: deadline(DEADLINES.evaluate),
    endorseOptions: deadline(DEADLINES.endorse),
    submitOptions: deadline(DEADLINES.submit),
    commitStatusOptions: deadline(DEADLINES.commitStatus),
  });
  return {
    gateway,
    contract: (name) => gateway.getNetwork(CHANNEL).getContract(CHAINCODE, name),
    close: () => {
      gateway.close();
      client.close();
    },
  };
}
