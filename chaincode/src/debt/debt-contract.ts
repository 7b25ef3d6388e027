import { Context, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { CivicContract } from '../shared/civic-contract';
import { authorize, MSP_IDS, type AccessRule, type MspId } from '../shared/access';
import { canonicalString } from '../shared/canonical-json';
import { ChaincodeError } from '../shared/errors';
import { signedConsentSchema } from './model';
import { transientJson } from './private-data';
import { recordConsent, requireUsableConsent, revokeConsent } from './consent';
import { decidePlan, getPlan, ownShare, proposePlan, recordPayment } from './plans';
import { debtsOfSubject, purgeDebt, recordDebt, settleDebt } from './records';

/** Who may call what: every access rule of this contract, in one place. */
const ACCESS = {
  /** Each creditor org's staff keep its own debt records (City, Agencies and Utilities are all creditors). */
  creditor: { msps: MSP_IDS, roles: ['creditor'] },
  /** The City's debt counsellors act for citizens who consent. */
  counsellor: { msps: ['CityMSP'], roles: ['debt-counsellor'] },
  /** A citizen's signed revocation is handed in at any front desk; counsellors withdraw their own. */
  revoke: { roles: ['clerk', 'debt-counsellor'] },
  member: {},
} as const satisfies Record<string, AccessRule>;

/** The org of the peer executing this call: private records live only on its own org's peers. */
function peerOrg(ctx: Context): MspId {
  const msp = ctx.stub.getMspID();
  if (!(MSP_IDS as readonly string[]).includes(msp)) {
    throw new ChaincodeError('FAILED_PRECONDITION', `this peer belongs to ${msp}, not a creditor org of the channel`);
  }
  return msp as MspId;
}

/** A creditor reads its own records on its own peers only; another org's peer would have nothing, or someone else's. */
function ownPeer(ctx: Context, callerMsp: MspId, action: string): MspId {
  const peer = peerOrg(ctx);
  if (peer !== callerMsp) {
    throw new ChaincodeError(
      'FORBIDDEN',
      `${action}: ${callerMsp} reads its own records through its own peers; this peer is ${peer}'s, and its records are not ${callerMsp}'s to read`,
    );
  }
  return peer;
}

/**
 * Debt-sharing among agencies (as in The Hague's debt-help pilots): creditors record debts in their own
 * private data collections; a citizen's signed consent lets a City debt counsellor see one
 * overview; a repayment plan shares the citizen's capacity pro rata. Personal data travels
 * only in transient maps and private collections; the public ledger holds salted references.
 */
@Info({ title: 'debt', description: 'Debt-sharing: private records per creditor, citizen consent, pro-rata repayment plans' })
export class DebtContract extends CivicContract {
  constructor() {
    super('debt');
  }

  /** Record a debt in the caller's org collection (creditor role). Transient `debt`. Emits `debt.DebtRecorded` on a new record. @returns `{ creditor, status }` */
  @Transaction()
  @Returns('string')
  async RecordDebt(ctx: Context): Promise<string> {
    const caller = authorize(ctx, ACCESS.creditor, 'debt:RecordDebt');
    return canonicalString(await recordDebt(ctx, caller.mspId));
  }

  /** Mark the caller's org's debt settled (creditor role). Transient `current`: `{ record }`. Emits `debt.DebtSettled`. */
  @Transaction()
  @Returns('string')
  async SettleDebt(ctx: Context): Promise<string> {
    const caller = authorize(ctx, ACCESS.creditor, 'debt:SettleDebt');
    return canonicalString(await settleDebt(ctx, caller.mspId));
  }

  /** Erase a debt's private data (PurgePrivateData) on request or at the end of retention (creditor role). Transient `current`. */
  @Transaction()
  @Returns('string')
  async PurgeDebt(ctx: Context): Promise<string> {
    const caller = authorize(ctx, ACCESS.creditor, 'debt:PurgeDebt');
    return canonicalString(await purgeDebt(ctx, caller.mspId));
  }

  /** The caller's org's debts of one subject, on a peer of its own org (creditor role). @returns JSON DebtRecord[] */
  @Transaction(false)
  @Param('subject', 'string', 'the subject DID')
  @Returns('string')
  async ListDebts(ctx: Context, subject: string): Promise<string> {
    const caller = authorize(ctx, ACCESS.creditor, 'debt:ListDebts');
    return canonicalString(await debtsOfSubject(ctx, ownPeer(ctx, caller.mspId, 'debt:ListDebts'), subject));
  }

  /** Record a citizen's signed consent (the City counsellor it names). Transient `consent`. Emits `debt.ConsentRecorded`. */
  @Transaction()
  @Returns('string')
  async RecordConsent(ctx: Context): Promise<string> {
    authorize(ctx, ACCESS.counsellor, 'debt:RecordConsent');
    return canonicalString(await recordConsent(ctx));
  }

  /** Revoke a consent: the citizen's signed revocation (transient `revocation`), or its counsellor. Emits `debt.ConsentRevoked`. */
  @Transaction()
  @Param('consentId', 'string', 'the consent id (SHA-256 of the signed consent)')
  @Returns('string')
  async RevokeConsent(ctx: Context, consentId: string): Promise<string> {
    authorize(ctx, ACCESS.revoke, 'debt:RevokeConsent');
    return canonicalString(await revokeConsent(ctx, consentId));
  }

  /**
   * With a valid consent (transient `consent`), the debts of its subject held by the org of the peer this
   * runs on (City debt counsellor). The CLI asks one peer of each creditor org and assembles the overview.
   *
   * @returns JSON `{ creditor, consentId, records }`
   * @throws `NOT_FOUND`, `FAILED_PRECONDITION` (revoked, expired, out of scope), `FORBIDDEN`, `INVALID_SIGNATURE`
   */
  @Transaction(false)
  @Returns('string')
  async GetDebtOverview(ctx: Context): Promise<string> {
    authorize(ctx, ACCESS.counsellor, 'debt:GetDebtOverview');
    const creditor = peerOrg(ctx);
    const consent = transientJson(ctx, 'consent', signedConsentSchema);
    const record = await requireUsableConsent(ctx, consent, creditor, true);
    return canonicalString({ creditor, consentId: record.consentId, records: await debtsOfSubject(ctx, creditor, consent.did) });
  }

  /** Propose a repayment plan (the consent's counsellor). Transient `plan` (with the client's `planId`; the same proposal again is answered `already proposed`). Emits `debt.PlanProposed`. @returns `{ planId, creditors, status }` */
  @Transaction()
  @Returns('string')
  async ProposePlan(ctx: Context): Promise<string> {
    authorize(ctx, ACCESS.counsellor, 'debt:ProposePlan');
    return canonicalString(await proposePlan(ctx));
  }

  /** A creditor's decision on its share (creditor role): `accepted` or `rejected`. Emits `debt.PlanDecided`. */
  @Transaction()
  @Param('planId', 'string', 'plan id')
  @Param('decision', 'string', 'accepted or rejected')
  @Returns('string')
  async DecidePlan(ctx: Context, planId: string, decision: string): Promise<string> {
    const caller = authorize(ctx, ACCESS.creditor, 'debt:DecidePlan');
    if (decision !== 'accepted' && decision !== 'rejected') {
      throw new ChaincodeError('INVALID_ARGUMENT', `decision must be accepted or rejected, not '${decision}'`);
    }
    return canonicalString(await decidePlan(ctx, planId, caller.mspId, decision));
  }

  /** Record a payment under an active plan (creditor role). Transient `payment`. Emits `debt.PaymentRecorded`. */
  @Transaction()
  @Returns('string')
  async RecordPayment(ctx: Context): Promise<string> {
    const caller = authorize(ctx, ACCESS.creditor, 'debt:RecordPayment');
    return canonicalString(await recordPayment(ctx, caller.mspId));
  }

  /** A plan's public record: creditors and decisions, no amounts (any member). */
  @Transaction(false)
  @Param('planId', 'string', 'plan id')
  @Returns('string')
  async GetPlan(ctx: Context, planId: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'debt:GetPlan');
    return canonicalString(await getPlan(ctx, planId));
  }

  /** The caller's org's own share of a plan, on its own peer (creditor role). */
  @Transaction(false)
  @Param('planId', 'string', 'plan id')
  @Returns('string')
  async GetPlanShare(ctx: Context, planId: string): Promise<string> {
    const caller = authorize(ctx, ACCESS.creditor, 'debt:GetPlanShare');
    return canonicalString(await ownShare(ctx, ownPeer(ctx, caller.mspId, 'debt:GetPlanShare'), planId));
  }
}
