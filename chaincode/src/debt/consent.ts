import { createHash } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { canonicalBytes } from '../shared/canonical-json';
import { ChaincodeError } from '../shared/errors';
import { emitEvent, readExisting, readRecord, writeRecord } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { keyAttribute } from '../shared/validation';
import { jwkThumbprint, publicKeyJwkSchema, signatureSchema, didSchema, verifyEd25519 } from '../identity/did';
import { currentKey } from '../identity/did-record';
import { loadActiveDid } from '../identity/did-registry';
import { CONSENT_OBJECT_TYPE, consentRecordSchema, signedConsentSchema, type ConsentRecord, type SignedConsent } from './model';
import { recordHash, transientJson } from './private-data';

/**
 * A citizen's consent to a City debt counsellor. The signed consent (see
 * `consentPayloadSchema`: Ed25519 by the citizen's key over the RFC 8785 canonical payload)
 * travels only in transient maps; the ledger records its SHA-256 as the consent id, a salted
 * subject reference, the counsellor, the creditors in scope, the expiry and the status.
 * Recording checks the signature against the key it names; every use (an overview, a query
 * that is never written to a block) also checks that key is the DID's current key, so that the
 * DID is never read, and so never named, in a block.
 */

/** The caller's identity as a consent names it: `<MSP ID>/<certificate CN>`. */
export function callerName(ctx: Context): string {
  const cn = /CN=([^/,:]+)/.exec(ctx.clientIdentity.getID().split('::')[1] ?? '')?.[1] ?? '';
  return `${ctx.clientIdentity.getMSPID()}/${cn}`;
}

/** SHA-256 over a domain label, a secret salt and a DID: a reference nobody can link to the DID without the salt. */
function saltedRef(label: string, salt: string, did: string): string {
  return createHash('sha256').update(`${label}\u0000${salt}\u0000${did}`, 'utf8').digest('hex');
}

function consentKey(ctx: Context, consentId: string): string {
  return ctx.stub.createCompositeKey(CONSENT_OBJECT_TYPE, [keyAttribute(consentId, 'consentId')]);
}

const keyRef = (c: SignedConsent): string => saltedRef('civic.debt.key.v1', c.payload.subjectSalt, jwkThumbprint(c.publicKeyJwk));

function requireSelfSigned(c: SignedConsent, field: string): void {
  if (!verifyEd25519(c.publicKeyJwk, canonicalBytes(c.payload), c.signature)) {
    throw new ChaincodeError('INVALID_SIGNATURE', `${field}.signature is not a valid signature of the consent by the key it names`);
  }
  if (c.payload.did !== c.did) {
    throw new ChaincodeError('INVALID_ARGUMENT', `${field}.payload.did must be ${c.did}`);
  }
}

/**
 * Body of `debt:RecordConsent` (the named City counsellor). Transient `consent`: the signed consent.
 *
 * @returns the public consent record
 * @throws `INVALID_ARGUMENT` (malformed, another channel, already expired), `INVALID_SIGNATURE`,
 *   `FORBIDDEN` (the caller is not the counsellor it names), `ALREADY_EXISTS`
 */
export async function recordConsent(ctx: Context): Promise<ConsentRecord> {
  const c = transientJson(ctx, 'consent', signedConsentSchema);
  requireSelfSigned(c, 'transient.consent');
  if (c.payload.channel !== ctx.stub.getChannelID()) {
    throw new ChaincodeError('INVALID_ARGUMENT', `transient.consent.payload.channel must be ${ctx.stub.getChannelID()}`);
  }
  const now = txTimestamp(ctx);
  if (c.payload.expires <= now) {
    throw new ChaincodeError('INVALID_ARGUMENT', `transient.consent.payload.expires (${c.payload.expires}) has already passed`);
  }
  if (c.payload.counsellor !== callerName(ctx)) {
    throw new ChaincodeError('FORBIDDEN', `the consent is for counsellor ${c.payload.counsellor}; ${callerName(ctx)} may not record it`);
  }
  const consentId = recordHash(c);
  if ((await readRecord(ctx, consentKey(ctx, consentId), consentRecordSchema)) !== undefined) {
    throw new ChaincodeError('ALREADY_EXISTS', `consent ${consentId} is already recorded`);
  }
  const record: ConsentRecord = {
    consentId,
    subjectRef: saltedRef('civic.debt.subject.v1', c.payload.subjectSalt, c.did),
    keyRef: keyRef(c),
    counsellor: c.payload.counsellor,
    creditors: [...c.payload.creditors],
    expires: c.payload.expires,
    status: 'active',
    recorded: now,
    txId: ctx.stub.getTxID(),
  };
  await writeRecord(ctx, consentKey(ctx, consentId), consentRecordSchema, record);
  emitEvent(ctx, 'debt.ConsentRecorded', { consentId, counsellor: record.counsellor, expires: record.expires });
  return record;
}

/** A citizen's revocation: `debt:RevokeConsent` signed by the key that gave the consent. */
const revocationSchema = z
  .object({
    did: didSchema,
    payload: z
      .object({
        action: z.literal('debt:RevokeConsent'),
        channel: z.string(),
        did: didSchema,
        nonce: z.string().min(16).max(64),
        consentId: z.string(),
        subjectSalt: z.string(),
      })
      .strict(),
    signature: signatureSchema,
    publicKeyJwk: publicKeyJwkSchema,
  })
  .strict();

/**
 * Body of `debt:RevokeConsent`: access ends with this transaction. Either the citizen's signed
 * revocation in transient `revocation` (by the key that consented; submitted by any front desk),
 * or, with no transient, the consent's own counsellor withdrawing it (argument `consentId`).
 *
 * @throws `NOT_FOUND`, `FAILED_PRECONDITION` (already revoked), `INVALID_SIGNATURE`, `FORBIDDEN`
 */
export async function revokeConsent(ctx: Context, consentIdArg: string): Promise<ConsentRecord> {
  const consent = await readExisting(ctx, consentKey(ctx, consentIdArg), consentRecordSchema, `consent ${consentIdArg}`);
  if (consent.status === 'revoked') {
    throw new ChaincodeError('FAILED_PRECONDITION', `consent ${consent.consentId} is already revoked`);
  }
  if (ctx.stub.getTransient().has('revocation')) {
    const r = transientJson(ctx, 'revocation', revocationSchema);
    const bySubject = saltedRef('civic.debt.subject.v1', r.payload.subjectSalt, r.did) === consent.subjectRef;
    const byKey = saltedRef('civic.debt.key.v1', r.payload.subjectSalt, jwkThumbprint(r.publicKeyJwk)) === consent.keyRef;
    if (!bySubject || !byKey || r.payload.consentId !== consent.consentId || !verifyEd25519(r.publicKeyJwk, canonicalBytes(r.payload), r.signature)) {
      throw new ChaincodeError('INVALID_SIGNATURE', `transient.revocation is not signed by the key that gave consent ${consent.consentId}`);
    }
  } else if (callerName(ctx) !== consent.counsellor) {
    throw new ChaincodeError('FORBIDDEN', `only the citizen (a signed revocation) or ${consent.counsellor} may revoke consent ${consent.consentId}`);
  }
  const revoked: ConsentRecord = { ...consent, status: 'revoked' };
  await writeRecord(ctx, consentKey(ctx, consent.consentId), consentRecordSchema, revoked);
  emitEvent(ctx, 'debt.ConsentRevoked', { consentId: consent.consentId });
  return revoked;
}

/**
 * Check a signed consent for a use by the caller (who must be its counsellor) with `creditor`:
 * recorded, active, unexpired, in scope; and, when `checkCurrentKey`, signed by the DID's
 * current key (queries only: that read names the DID).
 *
 * @throws `NOT_FOUND` (never recorded), `FAILED_PRECONDITION` (revoked, expired, out of scope),
 *   `FORBIDDEN` (another counsellor), `INVALID_SIGNATURE`
 */
export async function requireUsableConsent(ctx: Context, c: SignedConsent, creditor: string, checkCurrentKey: boolean): Promise<ConsentRecord> {
  requireSelfSigned(c, 'transient.consent');
  const consentId = recordHash(c);
  const record = await readRecord(ctx, consentKey(ctx, consentId), consentRecordSchema);
  if (record === undefined) {
    throw new ChaincodeError('NOT_FOUND', `consent ${consentId} was never recorded`);
  }
  if (record.counsellor !== callerName(ctx)) {
    throw new ChaincodeError('FORBIDDEN', `consent ${consentId} is for ${record.counsellor}, not ${callerName(ctx)}`);
  }
  if (record.status !== 'active') {
    throw new ChaincodeError('FAILED_PRECONDITION', `consent ${consentId} was revoked`);
  }
  if (record.expires <= txTimestamp(ctx)) {
    throw new ChaincodeError('FAILED_PRECONDITION', `consent ${consentId} expired at ${record.expires}`);
  }
  if (!record.creditors.includes('*') && !record.creditors.includes(creditor)) {
    throw new ChaincodeError('FAILED_PRECONDITION', `consent ${consentId} does not cover ${creditor} (it covers ${record.creditors.join(', ')})`);
  }
  if (checkCurrentKey && jwkThumbprint(currentKey(await loadActiveDid(ctx, c.did)).publicKeyJwk) !== jwkThumbprint(c.publicKeyJwk)) {
    throw new ChaincodeError('INVALID_SIGNATURE', `the consent is not signed by the current key of ${c.did}`);
  }
  return record;
}
