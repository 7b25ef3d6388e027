import type { Context } from 'fabric-contract-api';
import { canonicalString } from '../shared/canonical-json';
import { ChaincodeError } from '../shared/errors';
import { emitEvent, readExisting, readRecord, writeRecord } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { parseJsonArgument, validate } from '../shared/validation';
import { deriveDid, didSchema, verifyEd25519, type PublicKeyJwk } from './did';
import { DID_OBJECT_TYPE, currentKey, didRecordSchema, toResolutionResult, type DidRecord } from './did-record';
import { deactivateRequestSchema, registerRequestSchema, rotateRequestSchema } from './did-requests';
import { deactivatePayload, registerPayload, rotatePayload, signingBytes, type IdentityPayload } from './proofs';

/**
 * The DID registry logic behind `identity:RegisterDID`, `ResolveDID`, `RotateKey`
 * and `DeactivateDID` (see IdentityContract for the transaction docs). Access is
 * checked by the contract before these run.
 */
export function didKey(ctx: Context, did: string): string {
  return ctx.stub.createCompositeKey(DID_OBJECT_TYPE, [did]);
}

function requireSignature(jwk: PublicKeyJwk, payload: IdentityPayload, signature: string, field: string): void {
  if (!verifyEd25519(jwk, signingBytes(payload), signature)) {
    throw new ChaincodeError('INVALID_SIGNATURE', `${field} is not a valid signature over the ${payload.action} payload for ${payload.did}`);
  }
}

/**
 * Read a DID that must be registered and active; every contract checks DIDs through this.
 *
 * @throws `NOT_FOUND` for an unknown DID, `FAILED_PRECONDITION` for a deactivated one
 */
export async function loadActiveDid(ctx: Context, did: string): Promise<DidRecord> {
  const record = await readExisting(ctx, didKey(ctx, did), didRecordSchema, `DID ${did}`);
  if (record.status !== 'active') {
    throw new ChaincodeError('FAILED_PRECONDITION', `DID ${did} is deactivated`);
  }
  return record;
}

async function loadActive(ctx: Context, did: string, sequence: number): Promise<DidRecord> {
  const record = await loadActiveDid(ctx, did);
  if (sequence !== record.sequence) {
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      `request.sequence ${sequence} does not match DID ${did}'s current sequence ${record.sequence} (stale or replayed request)`,
    );
  }
  return record;
}

/** Body of `identity:RegisterDID`. */
export async function registerDid(ctx: Context, request: string): Promise<string> {
  const req = parseJsonArgument(registerRequestSchema, request, 'request');
  if (deriveDid(req.publicKeyJwk) !== req.did) {
    throw new ChaincodeError('INVALID_ARGUMENT', `request.did ${req.did} is not derived from request.publicKeyJwk`);
  }
  requireSignature(req.publicKeyJwk, registerPayload(ctx.stub.getChannelID(), req.did, req.publicKeyJwk), req.proof, 'request.proof');
  const key = didKey(ctx, req.did);
  if ((await readRecord(ctx, key, didRecordSchema)) !== undefined) {
    throw new ChaincodeError('ALREADY_EXISTS', `DID ${req.did} is already registered`);
  }
  const now = txTimestamp(ctx);
  const record: DidRecord = {
    did: req.did,
    status: 'active',
    keys: [{ id: 'key-1', publicKeyJwk: req.publicKeyJwk, added: now, revoked: null }],
    sequence: 0,
    created: now,
    updated: now,
    versionTxId: ctx.stub.getTxID(),
  };
  await writeRecord(ctx, key, didRecordSchema, record);
  emitEvent(ctx, 'identity.DIDRegistered', { did: req.did, keyId: 'key-1', sequence: 0 });
  return canonicalString(toResolutionResult(record));
}

/** Body of `identity:ResolveDID`. */
export async function resolveDid(ctx: Context, did: string): Promise<string> {
  const id = validate(didSchema, did, 'did');
  const record = await readExisting(ctx, didKey(ctx, id), didRecordSchema, `DID ${id}`);
  return canonicalString(toResolutionResult(record));
}

/** Body of `identity:RotateKey`. */
export async function rotateKey(ctx: Context, request: string): Promise<string> {
  const req = parseJsonArgument(rotateRequestSchema, request, 'request');
  const record = await loadActive(ctx, req.did, req.sequence);
  const old = currentKey(record);
  if (old.publicKeyJwk.x === req.newPublicKeyJwk.x) {
    throw new ChaincodeError('FAILED_PRECONDITION', 'request.newPublicKeyJwk is already the current key');
  }
  const payload = rotatePayload(ctx.stub.getChannelID(), req.did, req.newPublicKeyJwk, req.sequence);
  requireSignature(old.publicKeyJwk, payload, req.proof, 'request.proof');
  requireSignature(req.newPublicKeyJwk, payload, req.newKeyProof, 'request.newKeyProof');
  const now = txTimestamp(ctx);
  const keyId = `key-${record.keys.length + 1}`;
  const updated: DidRecord = {
    ...record,
    keys: [...record.keys.slice(0, -1), { ...old, revoked: now }, { id: keyId, publicKeyJwk: req.newPublicKeyJwk, added: now, revoked: null }],
    sequence: record.sequence + 1,
    updated: now,
    versionTxId: ctx.stub.getTxID(),
  };
  await writeRecord(ctx, didKey(ctx, req.did), didRecordSchema, updated);
  emitEvent(ctx, 'identity.KeyRotated', { did: req.did, keyId, sequence: updated.sequence });
  return canonicalString(toResolutionResult(updated));
}

/** Body of `identity:DeactivateDID`. */
export async function deactivateDid(ctx: Context, request: string): Promise<string> {
  const req = parseJsonArgument(deactivateRequestSchema, request, 'request');
  const record = await loadActive(ctx, req.did, req.sequence);
  requireSignature(currentKey(record).publicKeyJwk, deactivatePayload(ctx.stub.getChannelID(), req.did, req.sequence), req.proof, 'request.proof');
  const now = txTimestamp(ctx);
  const updated: DidRecord = {
    ...record,
    status: 'deactivated',
    keys: record.keys.map((k) => (k.revoked === null ? { ...k, revoked: now } : k)),
    sequence: record.sequence + 1,
    updated: now,
    versionTxId: ctx.stub.getTxID(),
  };
  await writeRecord(ctx, didKey(ctx, req.did), didRecordSchema, updated);
  emitEvent(ctx, 'identity.DIDDeactivated', { did: req.did, sequence: updated.sequence });
  return canonicalString(toResolutionResult(updated));
}
