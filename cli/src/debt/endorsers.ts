import { ORG_MSP_IDS } from '../options';

/**
 * Who endorses the debt contract's transactions that carry private data, named explicitly so
 * that the Fabric Gateway sends the transient input to those orgs' peers and to no other.
 *
 * Each debt collection has one member org and its own endorsement policy, that org's peer
 * (collections_config.json). A transaction whose only writes are in one creditor's collection
 * (recording, settling or purging a debt, recording a payment) is valid with that creditor's
 * endorsement alone: Fabric checks collection writes against the collection's policy and the
 * chaincode-wide policy only when nothing else was checked. So those go to the caller's own org
 * and no other org's peer ever sees the debt.
 *
 * @param ownMsp - the caller's org, a creditor writing its own collection
 * @returns `[ownMsp]`
 */
export function ownCollectionEndorsers(ownMsp: string): string[] {
  return [ownMsp];
}

/**
 * A repayment plan writes a public plan record (the chaincode-wide majority policy, two orgs)
 * and each creditor's share in that creditor's collection (each collection's policy: that
 * creditor's peer). So it is endorsed by the counsellor's org and every creditor in the plan,
 * and by one more channel org when that makes fewer than two. Every endorser sees the plan's
 * transient input: the creditors are its parties, and the extra org, if any, is needed by the
 * chaincode-wide policy.
 *
 * @param ownMsp - the counsellor's org, which endorses first
 * @param creditors - the plan's creditors (MSP IDs)
 * @returns distinct MSP IDs, `ownMsp` first, at least two when the channel has two orgs
 */
export function planEndorsers(ownMsp: string, creditors: readonly string[]): string[] {
  const channelOrgs: readonly string[] = Object.values(ORG_MSP_IDS);
  const endorsers = [...new Set([ownMsp, ...creditors])];
  const extra = channelOrgs.find((msp) => !endorsers.includes(msp));
  return endorsers.length < 2 && extra !== undefined ? [...endorsers, extra] : endorsers;
}
