import type { Context } from 'fabric-contract-api';
import { z } from 'zod';
import { canonicalBytes } from '../shared/canonical-json';
import { ChaincodeError } from '../shared/errors';
import { readRecord, writeRecord } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { validate } from '../shared/validation';
import { didSchema, signatureSchema, verifyEd25519 } from './did';
import { currentKey } from './did-record';
import { loadActiveDid } from './did-registry';

/** Composite-key object type recording each (DID, nonce) a signature has used. */
export const NONCE_OBJECT_TYPE = 'civic.identity.nonce';

/**
 * A citizen's authorisation for one action, as every contract accepts it.
 *
 * Payload format (so any client can produce it): a JSON object with at least
 * - `action`: the transaction it authorises, `<contract>:<Function>`, e.g. `land:AcceptOffer`;
 * - `channel`: the channel name, e.g. `civic`;
 * - `did`: the signer's DID;
 * - `nonce`: 16–64 base64url characters, fresh per signature;
 * plus the action's own fields. The signature is Ed25519 (RFC 8032) by the DID's
 * current key over the RFC 8785 canonical JSON bytes of the payload, base64url.
 * Each (DID, nonce) is recorded when accepted, so a signature authorises one
 * transaction once: replaying it for the same or another action is refused.
 */
export const citizenSignedSchema = z
  .object({
    did: didSchema,
    payload: z
      .object({
        action: z.string().regex(/^[a-z]+:[A-Z][A-Za-z]+$/, 'must name a transaction as contract:Function'),
        channel: z.string().min(1),
        did: didSchema,
        nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be 16-64 base64url characters'),
      })
      .loose(),
    signature: signatureSchema,
  })
  .strict();
export type CitizenSigned = z.infer<typeof citizenSignedSchema>;

const nonceRecordSchema = z.object({ did: didSchema, action: z.string(), txId: z.string(), at: z.string() }).strict();

/**
 * Verify a citizen's signature for `action` and record its nonce as used.
 *
 * @param ctx - the transaction context
 * @param signed - `{ did, payload, signature }` (see {@link citizenSignedSchema})
 * @param action - the transaction being authorised, `contract:Function`
 * @param field - the argument's name, for error messages
 * @returns the verified payload (its action-specific fields are the caller's to validate)
 * @throws `INVALID_ARGUMENT` (malformed, or the payload names another DID, action or channel),
 *   `NOT_FOUND` (unknown DID), `FAILED_PRECONDITION` (deactivated DID, or a nonce already used: replay),
 *   `INVALID_SIGNATURE` (not signed by the DID's current key)
 */
export async function verifyCitizenSignature(ctx: Context, signed: unknown, action: string, field: string): Promise<CitizenSigned['payload']> {
  const s = validate(citizenSignedSchema, signed, field);
  const expected = { did: s.did, action, channel: ctx.stub.getChannelID() };
  for (const [name, value] of Object.entries(expected)) {
    if (s.payload[name as keyof typeof expected] !== value) {
      throw new ChaincodeError('INVALID_ARGUMENT', `${field}.payload.${name} must be ${value}`);
    }
  }
  const record = await loadActiveDid(ctx, s.did);
  if (!verifyEd25519(currentKey(record).publicKeyJwk, canonicalBytes(s.payload), s.signature)) {
    throw new ChaincodeError('INVALID_SIGNATURE', `${field}.signature is not a valid signature by the current key of ${s.did}`);
  }
  const nonceKey = ctx.stub.createCompositeKey(NONCE_OBJECT_TYPE, [s.did, s.payload.nonce]);
  const used = await readRecord(ctx, nonceKey, nonceRecordSchema);
  if (used !== undefined) {
    throw new ChaincodeError('FAILED_PRECONDITION', `${field} was already used by transaction ${used.txId} for ${used.action} (replayed signature)`);
  }
  await writeRecord(ctx, nonceKey, nonceRecordSchema, { did: s.did, action, txId: ctx.stub.getTxID(), at: txTimestamp(ctx) });
  return s.payload;
}
