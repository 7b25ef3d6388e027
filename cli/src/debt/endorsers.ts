import { ORG_MSP_IDS } from '../options';

/**
 * The orgs whose peers endorse a transaction that writes a debt collection, named explicitly.
 *
 * Each debt collection has one member org, while the chaincode's endorsement policy needs two
 * orgs' peers (`OutOf(2, …)`) and these transactions also write public state (claims, plans),
 * which only the chaincode-level policy covers. Left to itself the Fabric Gateway therefore
 * refuses them before endorsing ("requires endorsement from organisation(s) that are not in the
 * distribution policy of the private data collection(s) … retry specifying trusted endorsing
 * organizations to protect transient data"): the second endorser necessarily sees the transient
 * input. Naming the endorsers is how a client accepts that, and chooses who: the caller's own org
 * (a member, so the private data lands in its transient store and is committed on its peers)
 * and one channel org besides, preferring orgs whose collections the transaction writes anyway.
 *
 * @param ownMsp - the caller's org, which endorses first
 * @param preferred - orgs to pick the second endorser from first (e.g. a plan's creditors)
 * @returns two distinct MSP IDs
 */
export function debtWriteEndorsers(ownMsp: string, preferred: readonly string[] = []): string[] {
  const channelOrgs: readonly string[] = Object.values(ORG_MSP_IDS);
  const second = [...preferred, ...channelOrgs].find((msp) => msp !== ownMsp && channelOrgs.includes(msp));
  return second === undefined ? [ownMsp] : [ownMsp, second];
}
