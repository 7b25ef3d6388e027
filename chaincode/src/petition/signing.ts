import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { verifyCitizenSignature } from '../identity/citizen-signature';
import { ChaincodeError } from '../shared/errors';
import { emitEvent, readRecord, writeRecord } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { parseJsonArgument, validate } from '../shared/validation';
import {
  ISSUANCE_OBJECT_TYPE,
  SIGNATURE_OBJECT_TYPE,
  bucketOf,
  issuanceRecordSchema,
  petitionIdSchema,
  signRequestSchema,
  signatureRecordSchema,
  type IssuanceRecord,
  type SignatureRecord,
} from './model';
import { loadPetition, requireOpen } from './petitions';
import { verifyToken } from './token';

const issuanceKey = (ctx: Context, petitionId: string, did: string): string => ctx.stub.createCompositeKey(ISSUANCE_OBJECT_TYPE, [petitionId, did]);
const signatureKey = (ctx: Context, petitionId: string, tokenId: string): string =>
  ctx.stub.createCompositeKey(SIGNATURE_OBJECT_TYPE, [petitionId, bucketOf(tokenId), tokenId]);

/**
 * Body of `petition:RecordTokenIssuance` (the City's issuing service, after it has checked the
 * citizen's credentials): the citizen's signed token request (`petition:RequestToken`, payload
 * `petitionId`) proves who asks; the ledger records that this DID received its token for this
 * petition and nothing more. The City blind-signs only after this transaction commits, so a DID
 * gets one token per petition however many issuing desks it tries.
 *
 * @throws `ALREADY_EXISTS` (this DID already received its token), `FAILED_PRECONDITION` (closed),
 *   `NOT_FOUND`, `INVALID_SIGNATURE`, `INVALID_ARGUMENT`
 */
export async function recordTokenIssuance(ctx: Context, request: string): Promise<IssuanceRecord> {
  const payload = await verifyCitizenSignature(ctx, parseJsonArgument(z.unknown(), request, 'request'), 'petition:RequestToken', 'request');
  const { petitionId } = validate(z.object({ petitionId: petitionIdSchema }).loose(), payload, 'request.payload');
  const petition = await loadPetition(ctx, petitionId);
  requireOpen(petition);
  const key = issuanceKey(ctx, petitionId, payload.did);
  const existing = await readRecord(ctx, key, issuanceRecordSchema);
  if (existing !== undefined) {
    throw new ChaincodeError('ALREADY_EXISTS', `${payload.did} already received its token for petition ${petitionId} (tx ${existing.txId})`);
  }
  const issuance: IssuanceRecord = { petitionId, did: payload.did, txId: ctx.stub.getTxID(), issued: txTimestamp(ctx) };
  await writeRecord(ctx, key, issuanceRecordSchema, issuance);
  emitEvent(ctx, 'petition.TokenIssued', { petitionId });
  return issuance;
}

/**
 * Body of `petition:SignPetition`, open to any member of any org so that a citizen can submit
 * through whichever gateway they like: verify the token's signature with the petition's key,
 * refuse a spent token, record the signature.
 *
 * Keys are chosen for concurrency: each signature writes only its own key (petition, bucket, token
 * id) and reads only that key and the petition record, which signers never write. Concurrent
 * signers therefore never conflict (no hot counter key, no MVCC storm); the counts are computed
 * from the signature keys by `GetResults` (page by page) and by `ClosePetition` (bucket by
 * bucket). Two submissions of one token conflict on its key, and only the first commits. A
 * signature endorsed before the first `ClosePetition` but ordered after it is invalidated
 * (`MVCC_READ_CONFLICT`): it read the petition record, which that close rewrites.
 *
 * @throws `INVALID_ARGUMENT` (malformed, unknown option or band, token of another petition),
 *   `INVALID_SIGNATURE` (forged), `ALREADY_EXISTS` (spent token), `FAILED_PRECONDITION` (closed), `NOT_FOUND`
 */
export async function signPetition(ctx: Context, request: string): Promise<SignatureRecord> {
  const req = parseJsonArgument(signRequestSchema, request, 'request');
  const petition = await loadPetition(ctx, req.petitionId);
  requireOpen(petition);
  if (!petition.options.includes(req.option)) {
    throw new ChaincodeError('INVALID_ARGUMENT', `request.option: ${req.option} is not an option of ${petition.petitionId} (${petition.options.join(', ')})`);
  }
  for (const [attribute, band] of Object.entries(req.attributes)) {
    const bands = petition.attributes[attribute];
    if (bands === undefined || !bands.includes(band)) {
      throw new ChaincodeError(
        'INVALID_ARGUMENT',
        bands === undefined
          ? `request.attributes.${attribute}: petition ${petition.petitionId} has no such attribute`
          : `request.attributes.${attribute}: ${band} is not one of ${bands.join(', ')}`,
      );
    }
  }
  const tokenId = verifyToken(petition.petitionId, petition.publicKey, req.token, req.signature);
  const key = signatureKey(ctx, petition.petitionId, tokenId);
  const spent = await readRecord(ctx, key, signatureRecordSchema);
  if (spent !== undefined) {
    throw new ChaincodeError('ALREADY_EXISTS', `token ${tokenId} has already signed petition ${petition.petitionId} (tx ${spent.txId})`);
  }
  const record: SignatureRecord = {
    petitionId: petition.petitionId,
    tokenId,
    token: req.token,
    signature: req.signature,
    option: req.option,
    attributes: req.attributes,
    txId: ctx.stub.getTxID(),
    signed: txTimestamp(ctx),
  };
  await writeRecord(ctx, key, signatureRecordSchema, record);
  emitEvent(ctx, 'petition.Signed', { petitionId: petition.petitionId, tokenId, option: req.option });
  return record;
}
