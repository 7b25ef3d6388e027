import type * as grpc from '@grpc/grpc-js';
import { discovery, gossip, msp, peer } from '@hyperledger/fabric-protos';
import type { SigningOptions } from './signer';

/** The discovery service's one method (Fabric discovery/protocol.proto `Discovery.Discover`). */
const DISCOVER = '/discovery.Discovery/Discover';

/** One peer the gateway peer's gossip knows as alive on the channel. */
export interface AlivePeer {
  readonly mspId: string;
  /** `host:port` it advertises (its gossip external endpoint), as the gateway dials it. */
  readonly endpoint: string;
}

/**
 * The client's identity for a discovery request: its MSP ID and certificate (PEM), and how to sign
 * (the gateway connection's signer and digest, so the request is signed as proposals are).
 */
export interface DiscoveryClient {
  readonly mspId: string;
  /** X.509 certificate, PEM bytes. */
  readonly certificate: Uint8Array;
  readonly signing: SigningOptions;
}

/**
 * Ask a peer's discovery service which peers of a channel its gossip knows as alive, restricted to
 * those with the chaincode installed (Fabric discovery `PeerMembershipQuery` with a
 * `ChaincodeInterest` filter). This is what the peer's own gateway plans endorsements from, so an
 * org with no peer here is one the gateway cannot ask. A dead peer stays in the answer until gossip
 * expires it (`peer.gossip.aliveExpirationTimeout`, 25 s by default).
 *
 * The request is signed by the client's identity and carries no TLS certificate hash: the peer
 * checks that hash only when it requires client TLS certificates, which these peers do not.
 * The channel's Readers policy must admit the identity.
 *
 * @param client - a gRPC client of the peer (server TLS as for the gateway)
 * @param who - the signing identity
 * @param channel - the channel name
 * @param chaincode - the chaincode the peers must have installed
 * @param deadlineMs - how long to wait for the answer, in milliseconds
 * @returns every alive peer of the channel with the chaincode, in the peer's order
 * @throws Error when the peer refuses the query (its message, e.g. `access denied`) or does not answer
 */
export async function aliveChannelPeers(
  client: grpc.Client,
  who: DiscoveryClient,
  channel: string,
  chaincode: string,
  deadlineMs = 5_000,
): Promise<AlivePeer[]> {
  const identity = new msp.SerializedIdentity();
  identity.setMspid(who.mspId);
  identity.setIdBytes(who.certificate);
  const auth = new discovery.AuthInfo();
  auth.setClientIdentity(identity.serializeBinary());

  const call = new peer.ChaincodeCall();
  call.setName(chaincode);
  const interest = new peer.ChaincodeInterest();
  interest.setChaincodesList([call]);
  const membership = new discovery.PeerMembershipQuery();
  membership.setFilter(interest);
  const query = new discovery.Query();
  query.setChannel(channel);
  query.setPeerQuery(membership);

  const request = new discovery.Request();
  request.setAuthentication(auth);
  request.setQueriesList([query]);
  const payload = request.serializeBinary();
  const signed = new discovery.SignedRequest();
  signed.setPayload(payload);
  signed.setSignature(await who.signing.signer(who.signing.hash(payload)));

  const response = await new Promise<discovery.Response>((resolve, reject) => {
    client.makeUnaryRequest(
      DISCOVER,
      (r: discovery.SignedRequest) => Buffer.from(r.serializeBinary()),
      (bytes: Buffer) => discovery.Response.deserializeBinary(bytes),
      signed,
      { deadline: Date.now() + deadlineMs },
      (error, value) => {
        if (error !== null || value === undefined) {
          reject(error ?? new Error('the discovery service gave no answer'));
          return;
        }
        resolve(value);
      },
    );
  });
  const result = response.getResultsList()[0];
  if (result === undefined) {
    throw new Error('the discovery service gave no result');
  }
  if (result.hasError()) {
    throw new Error(`the discovery service refused: ${result.getError()?.getContent() ?? ''}`);
  }
  const peers: AlivePeer[] = [];
  result
    .getMembers()
    ?.getPeersByOrgMap()
    .forEach((group: discovery.Peers, mspId: string) => {
      for (const p of group.getPeersList()) {
        peers.push({ mspId, endpoint: endpointOf(p) });
      }
    });
  return peers;
}

/** The endpoint a discovered peer advertises in its gossip alive message, or '' when it gives none. */
function endpointOf(p: discovery.Peer): string {
  const envelope = p.getMembershipInfo();
  if (envelope === undefined) {
    return '';
  }
  return gossip.GossipMessage.deserializeBinary(envelope.getPayload_asU8()).getAliveMsg()?.getMembership()?.getEndpoint() ?? '';
}
