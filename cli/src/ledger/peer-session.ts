import { openSession, type Session } from '../gateway/connect';
import type { CommandContext } from '../context';
import type { OrgPeer } from './org-peers';

/**
 * A gateway session with another member org's peer, signed by the caller's own identity
 * (`--org`/`--user`): the endpoint and TLS root come from that org's connection profile, the
 * MSP ID from the caller's.
 */
export function openPeerSession(ctx: CommandContext, peer: OrgPeer): Session {
  return openSession(peer.connection, ctx.identity(), ctx.connection().mspId);
}
