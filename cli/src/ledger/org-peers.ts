import { loadOrgConnection, type OrgConnection } from '../gateway/profile';
import { ORG_MSP_IDS, type OrgName } from '../options';
import type { CivicPaths } from '../paths';

/** One peer of a member org, as an auditor reaches it. */
export interface OrgPeer {
  readonly org: OrgName;
  readonly connection: OrgConnection;
}

/**
 * The gateway peer of every member org (one per org), from the orgs' connection profiles:
 * what `ledger info` and `ledger verify` read and compare. The caller signs with its own
 * identity; any member's identity satisfies the channel's Readers policy on every peer.
 *
 * @param paths - where the connection profiles are
 * @returns one peer per org, in the channel's org order (city, agencies, utilities)
 * @throws UsageError when an org's profile is missing or malformed
 */
export function memberOrgPeers(paths: CivicPaths): OrgPeer[] {
  return (Object.keys(ORG_MSP_IDS) as OrgName[]).map((org) => ({ org, connection: loadOrgConnection(paths, org) }));
}
