import { Context, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { CivicContract } from '../shared/civic-contract';
import { authorize, type AccessRule } from '../shared/access';
import { canonicalString } from '../shared/canonical-json';
import { readPage } from '../shared/pages';
import { ISSUANCE_OBJECT_TYPE, SIGNATURE_OBJECT_TYPE, issuanceRecordSchema, signatureRecordSchema } from './model';
import { closePetition, createPetition, getProposal, getResults, listPetitions, loadPetition, proposePetition, rejectProposal } from './petitions';
import { recordTokenIssuance, signPetition } from './signing';

const ACCESS = {
  /** The City creates, closes and withdraws petitions and polls, and decides citizens' proposals. */
  city: { msps: ['CityMSP'], roles: ['admin', 'clerk'] },
  /** The City's token issuing service. */
  issuer: { msps: ['CityMSP'], roles: ['issuer'] },
  /** Front-desk staff of any org pass on a citizen's signed proposal. */
  citizenDesk: { roles: ['clerk', 'admin'] },
  member: {},
} as const satisfies Record<string, AccessRule>;

/**
 * Petitions and polls (in the manner of Decidim and Active Citizen, and of polls on where to put a cell tower): anonymous
 * yet eligible signing with RFC 9474 blind signatures. The City learns who received a token,
 * never which signature is whose; counts are public and anyone can re-verify every signature.
 */
@Info({ title: 'petition', description: 'Petitions and polls: RFC 9474 blind-signature tokens, one signature per person, auditable counts' })
export class PetitionContract extends CivicContract {
  constructor() {
    super('petition');
  }

  /**
   * Create a petition or poll (CityMSP admin or clerk): `{ petitionId, kind, title, text, textHash, options,
   * eligibility, threshold, closes, publicKey (RSA JWK), attributes?, k?, proposalId? }`.
   *
   * @throws `INVALID_ARGUMENT`, `ALREADY_EXISTS`, `FORBIDDEN`, `FAILED_PRECONDITION` (proposal already decided). Emits `petition.Created` with the text.
   */
  @Transaction()
  @Param('request', 'string', 'JSON petition')
  @Returns('string')
  async CreatePetition(ctx: Context, request: string): Promise<string> {
    const caller = authorize(ctx, ACCESS.city, 'petition:CreatePetition');
    return canonicalString(await createPetition(ctx, request, `${caller.mspId}/${caller.role ?? ''}`));
  }

  /** A citizen's signed proposal (`petition:ProposePetition`; payload `proposalId, kind, title, textHash, options, eligibility, threshold, closes`). */
  @Transaction()
  @Param('request', 'string', 'citizen-signed proposal')
  @Returns('string')
  async ProposePetition(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.citizenDesk, 'petition:ProposePetition');
    return canonicalString(await proposePetition(ctx, request));
  }

  /** Reject a citizen's proposal (CityMSP admin or clerk): `{ proposalId, reason }`. */
  @Transaction()
  @Param('request', 'string', 'JSON { proposalId, reason }')
  @Returns('string')
  async RejectProposal(ctx: Context, request: string): Promise<string> {
    const caller = authorize(ctx, ACCESS.city, 'petition:RejectProposal');
    return canonicalString(await rejectProposal(ctx, request, `${caller.mspId}/${caller.role ?? ''}`));
  }

  /** Record that a DID received its token (CityMSP issuer), from the citizen's signed `petition:RequestToken`. */
  @Transaction()
  @Param('request', 'string', 'citizen-signed token request')
  @Returns('string')
  async RecordTokenIssuance(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.issuer, 'petition:RecordTokenIssuance');
    return canonicalString(await recordTokenIssuance(ctx, request));
  }

  /** Sign with a token (any member of any org): `{ petitionId, token, signature, option, attributes? }`. */
  @Transaction()
  @Param('request', 'string', 'JSON signature')
  @Returns('string')
  async SignPetition(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'petition:SignPetition');
    return canonicalString(await signPetition(ctx, request));
  }

  /**
   * Count the signatures and store the final counts, over as many calls as it takes (call again
   * while `final` is null). CityMSP admin or clerk (the staff who create petitions): after the
   * closing time, or earlier with `withdraw: true`. `{ petitionId, withdraw?, maxSignatures? }`
   *
   * @throws `FORBIDDEN` (any other caller), `NOT_FOUND`, `FAILED_PRECONDITION` (still open without withdraw, or already closed)
   */
  @Transaction()
  @Param('request', 'string', 'JSON { petitionId, withdraw?, maxSignatures? }')
  @Returns('string')
  async ClosePetition(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.city, 'petition:ClosePetition');
    return canonicalString(await closePetition(ctx, request));
  }

  /** A petition with its status as of this query. @throws `NOT_FOUND` */
  @Transaction(false)
  @Param('petitionId', 'string', 'petition id')
  @Returns('string')
  async GetPetition(ctx: Context, petitionId: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'petition:GetPetition');
    return canonicalString(await loadPetition(ctx, petitionId));
  }

  /**
   * One page of the petitions and polls: `{ records, bookmark }`; pass the bookmark back for the next page, empty when done.
   *
   * @throws `INVALID_ARGUMENT` (page size outside 1–1000)
   */
  @Transaction(false)
  @Param('pageSize', 'string', 'records per page, 1-1000')
  @Param('bookmark', 'string', "the previous page's bookmark, or empty")
  @Returns('string')
  async ListPetitions(ctx: Context, pageSize: string, bookmark: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'petition:ListPetitions');
    return canonicalString(await listPetitions(ctx, pageSize, bookmark));
  }

  /** Counts per option and per attribute band (bands under the k rule): live, or once closed the stored count. @throws `NOT_FOUND` */
  @Transaction(false)
  @Param('petitionId', 'string', 'petition id')
  @Returns('string')
  async GetResults(ctx: Context, petitionId: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'petition:GetResults');
    return canonicalString(await getResults(ctx, petitionId));
  }

  /**
   * One page of the recorded signatures (token, signature, option, bands), for `civic petition audit`:
   * `{ records, bookmark }`; pass the bookmark back for the next page, empty when done.
   *
   * @throws `NOT_FOUND`, `INVALID_ARGUMENT` (page size outside 1–1000)
   */
  @Transaction(false)
  @Param('petitionId', 'string', 'petition id')
  @Param('pageSize', 'string', 'records per page, 1-1000')
  @Param('bookmark', 'string', "the previous page's bookmark, or empty")
  @Returns('string')
  async GetSignatures(ctx: Context, petitionId: string, pageSize: string, bookmark: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'petition:GetSignatures');
    const petition = await loadPetition(ctx, petitionId);
    return canonicalString(await readPage(ctx, SIGNATURE_OBJECT_TYPE, [petition.petitionId], pageSize, bookmark, signatureRecordSchema));
  }

  /** One page of the DIDs that received a token for the petition (`{ records, bookmark }`), for audit. @throws `NOT_FOUND` */
  @Transaction(false)
  @Param('petitionId', 'string', 'petition id')
  @Param('pageSize', 'string', 'records per page, 1-1000')
  @Param('bookmark', 'string', "the previous page's bookmark, or empty")
  @Returns('string')
  async GetIssuances(ctx: Context, petitionId: string, pageSize: string, bookmark: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'petition:GetIssuances');
    const petition = await loadPetition(ctx, petitionId);
    return canonicalString(await readPage(ctx, ISSUANCE_OBJECT_TYPE, [petition.petitionId], pageSize, bookmark, issuanceRecordSchema));
  }

  /** A citizen's proposal and the City's decision. @throws `NOT_FOUND` */
  @Transaction(false)
  @Param('proposalId', 'string', 'proposal id')
  @Returns('string')
  async GetProposal(ctx: Context, proposalId: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'petition:GetProposal');
    return canonicalString(await getProposal(ctx, proposalId));
  }
}
