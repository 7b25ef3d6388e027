import { Context, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { CivicContract } from '../shared/civic-contract';
import { z } from 'zod';
import { authorize, MSP_IDS, type AccessRule } from '../shared/access';
import { canonicalString } from '../shared/canonical-json';
import { parseJsonArgument, validate } from '../shared/validation';
import { verifyCitizenSignature } from '../identity/citizen-signature';
import { didSchema } from '../identity/did';
import { roundIdSchema } from './round';
import { apply, attestPriority, closeRound, drawInputs, drawRound, getApplications, getRound, openRound, releaseSite, withdrawApplication } from './rounds';
import { commitShare, revealShare, sharesOf } from './shares';

const ACCESS = {
  /** The City's allocation officers run rounds. */
  officer: { msps: ['CityMSP'], roles: ['allocation-officer'] },
  /** Each founding org's allocation officers hold its share of a round's randomness, and any of them may run the draw once all are revealed. */
  shareHolder: { msps: MSP_IDS, roles: ['allocation-officer'] },
  /** Front-desk staff submit applicants' signed applications and withdrawals. */
  citizenDesk: { roles: ['clerk', 'allocation-officer'] },
  member: {},
} as const satisfies Record<string, AccessRule>;

const siteRefSchema = z.object({ roundId: roundIdSchema, site: z.string().min(1) }).loose();

/**
 * Fair allocation of scarce public sites (such as weekend fair pitches): rounds whose
 * randomness is committed to and revealed by all three orgs, and a deterministic draw (allocation/draw.ts) that anyone can recompute from
 * the ledger with `civic allocation verify`. Nothing ranks applicants by time.
 */
@Info({ title: 'allocation', description: 'Fair allocation: commit-reveal rounds, deterministic draw, waiting lists' })
export class AllocationContract extends CivicContract {
  constructor() {
    super('allocation');
  }

  /**
   * Open a round (CityMSP allocation-officer): `{ roundId, title, sites: [{id, category}], quotas: {category: n},
   * priorityGroups, closes (ISO 8601) }`. Each org then commits to its share with `CommitShare`.
   *
   * @throws `INVALID_ARGUMENT`, `ALREADY_EXISTS`, `FORBIDDEN`. Emits `allocation.RoundOpened`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON round')
  @Returns('string')
  async OpenRound(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.officer, 'allocation:OpenRound');
    return canonicalString(await openRound(ctx, request));
  }

  /**
   * An applicant's signed application (`allocation:Apply`; payload `roundId, preferences (site ids, best first), group?`).
   * The transaction id is the receipt.
   *
   * @throws `FAILED_PRECONDITION` (closed or past its closing time), `ALREADY_EXISTS` (second application), `INVALID_ARGUMENT`, `INVALID_SIGNATURE`.
   * Emits `allocation.Applied`.
   */
  @Transaction()
  @Param('request', 'string', 'applicant-signed application')
  @Returns('string')
  async Apply(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.citizenDesk, 'allocation:Apply');
    return canonicalString(await apply(ctx, request));
  }

  /** An applicant's signed withdrawal while the round is open (`allocation:WithdrawApplication`; payload `roundId`). @throws `FAILED_PRECONDITION` once closed */
  @Transaction()
  @Param('request', 'string', 'applicant-signed withdrawal')
  @Returns('string')
  async WithdrawApplication(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.citizenDesk, 'allocation:WithdrawApplication');
    return canonicalString(await withdrawApplication(ctx, request));
  }

  /** Record that the City verified an applicant's priority-group credential while the round is open: `{ roundId, applicant, group, evidenceHash }`. @throws `FAILED_PRECONDITION` once closed */
  @Transaction()
  @Param('request', 'string', 'JSON attestation')
  @Returns('string')
  async AttestPriority(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.officer, 'allocation:AttestPriority');
    return canonicalString(await attestPriority(ctx, request));
  }

  /**
   * Commit the caller's org to a secret share of the round's randomness (allocation-officer of any org), once per org,
   * while the round is open: `{ roundId, commitment }`, commitment = allocation/draw.ts `shareCommitment(roundId, mspId, share)`.
   *
   * @throws `FAILED_PRECONDITION` (closed), `ALREADY_EXISTS` (committed before), `INVALID_ARGUMENT`, `FORBIDDEN`. Emits `allocation.ShareCommitted`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON { roundId, commitment }')
  @Returns('string')
  async CommitShare(ctx: Context, request: string): Promise<string> {
    const caller = authorize(ctx, ACCESS.shareHolder, 'allocation:CommitShare');
    return canonicalString(await commitShare(ctx, caller.mspId, request));
  }

  /**
   * Freeze a round (CityMSP allocation-officer): `{ roundId }`. Apply, WithdrawApplication and AttestPriority are refused from
   * then on, and the orgs reveal their shares. Every org must have committed first.
   *
   * @throws `FAILED_PRECONDITION` (not open, or an org has not committed, naming it), `FORBIDDEN`. Emits `allocation.RoundClosed`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON { roundId }')
  @Returns('string')
  async CloseRound(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.officer, 'allocation:CloseRound');
    return canonicalString(await closeRound(ctx, request));
  }

  /**
   * Reveal the caller's org's share after the round closed (allocation-officer of any org): `{ roundId, share }`; it must match the commitment.
   *
   * @throws `INVALID_ARGUMENT` (does not match), `FAILED_PRECONDITION` (open or drawn), `NOT_FOUND` (no commitment), `ALREADY_EXISTS`, `FORBIDDEN`.
   * Emits `allocation.ShareRevealed`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON { roundId, share }')
  @Returns('string')
  async RevealShare(ctx: Context, request: string): Promise<string> {
    const caller = authorize(ctx, ACCESS.shareHolder, 'allocation:RevealShare');
    return canonicalString(await revealShare(ctx, caller.mspId, request));
  }

  /**
   * Run the draw of a closed round once every org revealed its share (allocation-officer of any org): `{ roundId }`.
   * Returns the draw in figures (`DrawSummary`: seed, randomness, inputs digest, counts); the full result is in `GetRound`.
   *
   * @throws `FAILED_PRECONDITION` (open, drawn, or a share not revealed, naming the orgs), `FORBIDDEN`. Emits `allocation.RoundDrawn`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON { roundId }')
  @Returns('string')
  async DrawRound(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.shareHolder, 'allocation:DrawRound');
    return canonicalString(await drawRound(ctx, request));
  }

  /** Each org's share record of a round (commitment, and the share once revealed), in MSP order; an org that has not committed is absent. @throws `NOT_FOUND` */
  @Transaction(false)
  @Param('roundId', 'string', 'round id')
  @Returns('string')
  async GetShares(ctx: Context, roundId: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'allocation:GetShares');
    const round = await getRound(ctx, roundId);
    return canonicalString((await sharesOf(ctx, round.roundId)).filter((s) => s !== undefined));
  }

  /** A winner's signed release of their site (`allocation:ReleaseSite`; payload `roundId, site`); the waiting list moves up. Returns the change. */
  @Transaction()
  @Param('request', 'string', 'winner-signed release')
  @Returns('string')
  async ReleaseSite(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.citizenDesk, 'allocation:ReleaseSite');
    const payload = await verifyCitizenSignature(ctx, parseJsonArgument(z.unknown(), request, 'request'), 'allocation:ReleaseSite', 'request');
    const ref = validate(siteRefSchema, payload, 'request.payload');
    return canonicalString(await releaseSite(ctx, ref.roundId, ref.site, payload.did, 'withdrawn'));
  }

  /** Record a no-show (CityMSP allocation-officer): `{ roundId, site, holder }`; the waiting list moves up. Returns the change. */
  @Transaction()
  @Param('request', 'string', 'JSON { roundId, site, holder }')
  @Returns('string')
  async MarkNoShow(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.officer, 'allocation:MarkNoShow');
    const req = parseJsonArgument(z.object({ roundId: roundIdSchema, site: z.string().min(1), holder: didSchema }).strict(), request, 'request');
    return canonicalString(await releaseSite(ctx, req.roundId, req.site, req.holder, 'no-show'));
  }

  /** A round with its result once drawn. @throws `NOT_FOUND` */
  @Transaction(false)
  @Param('roundId', 'string', 'round id')
  @Returns('string')
  async GetRound(ctx: Context, roundId: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'allocation:GetRound');
    return canonicalString(await getRound(ctx, roundId));
  }

  /** Every application to a round, for audit and recomputation. @throws `NOT_FOUND` */
  @Transaction(false)
  @Param('roundId', 'string', 'round id')
  @Returns('string')
  async GetApplications(ctx: Context, roundId: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'allocation:GetApplications');
    return canonicalString(await getApplications(ctx, roundId));
  }

  /**
   * The exact input of the draw (active applications, groups only where attested), for anyone
   * to recompute the allocation with allocation/draw.ts and the revealed seed.
   *
   * @throws `NOT_FOUND`
   */
  @Transaction(false)
  @Param('roundId', 'string', 'round id')
  @Returns('string')
  async GetDrawInputs(ctx: Context, roundId: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'allocation:GetDrawInputs');
    const round = await getRound(ctx, roundId);
    return canonicalString((await drawInputs(ctx, round.roundId)).map((a) => ({ applicant: a.applicant, preferences: a.preferences, group: a.group ?? null })));
  }
}
