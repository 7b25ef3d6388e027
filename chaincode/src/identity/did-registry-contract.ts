import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { authorize, type AccessRule } from '../shared/access';
import { canonicalString } from '../shared/canonical-json';
import { ChaincodeError } from '../shared/errors';
import { emitEvent, readExisting, readRecord, writeRecord } from '../shared/state';
import { txTimestamp } from '../shared/tx-time';
import { parseJsonArgument, validate } from '../shared/validation';
import { deriveDid, didSchema, verifyEd25519, type PublicKeyJwk } from './did';
import { DID_OBJECT_TYPE, currentKey, didRecordSchema, toResolutionResult, type DidRecord } from './did-record';
import { deactivateRequestSchema, registerRequestSchema, rotateRequestSchema } from './did-requests';
import { deactivatePayload, registerPayload, rotatePayload, signingBytes, type IdentityPayload } from './proofs';

/** Front-desk staff of any org submit citizens' DID operations; citizens authorise them by signature. */
const WRITE_ACCESS: AccessRule = { roles: ['clerk'] };
/** Any member of the channel may resolve a DID. */
const READ_ACCESS: AccessRule = {};

function didKey(ctx: Context, did: string): string {
  return ctx.stub.createCompositeKey(DID_OBJECT_TYPE, [did]);
}

function requireSignature(jwk: PublicKeyJwk, payload: IdentityPayload, signature: string, field: string): void {
  if (!verifyEd25519(jwk, signingBytes(payload), signature)) {
    throw new ChaincodeError('INVALID_SIGNATURE', `${field} is not a valid signature over the ${payload.action} payload for ${payload.did}`);
  }
}

async function loadActive(ctx: Context, did: string, sequence: number): Promise<DidRecord> {
  const record = await readExisting(ctx, didKey(ctx, did), didRecordSchema, `DID ${did}`);
  if (record.status !== 'active') {
    throw new ChaincodeError('FAILED_PRECONDITION', `DID ${did} is deactivated`);
  }
  if (sequence !== record.sequence) {
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      `request.sequence ${sequence} does not match DID ${did}'s current sequence ${record.sequence} (stale or replayed request)`,
    );
  }
  return record;
}

/**
 * The DID registry: the ledger as the verifiable data registry for `did:civic`
 * DIDs (W3C DID Core). A citizen's DID is the RFC 7638 thumbprint of the Ed25519
 * key they generated on their own device; the ledger keeps its current public key,
 * rotation history and status, never personal data.
 *
 * Transactions are `identity:<Name>`; every request argument is JSON, validated
 * field by field. Writes require a staff certificate with `civic.role=clerk`
 * and the citizen's signature; reads are open to every channel member.
 */
@Info({ title: 'identity', description: 'Self-sovereign identity: the did:civic DID registry' })
export class DidRegistryContract extends Contract {
  constructor() {
    super('identity');
  }

  /**
   * Register a new DID with proof of possession of its key.
   *
   * @param request - JSON `{ did, publicKeyJwk: {kty:'OKP',crv:'Ed25519',x}, proof }` where `did`
   *   is `deriveDid(publicKeyJwk)` and `proof` (base64url Ed25519) signs the canonical RegisterPayload
   * @returns JSON DID resolution result of the new DID
   * @throws `INVALID_ARGUMENT` for a malformed request or a DID that is not derived from the key;
   *   `INVALID_SIGNATURE` for a bad proof; `ALREADY_EXISTS` for a DID registered before (even deactivated);
   *   `FORBIDDEN` for a caller without the clerk role.
   * Emits `identity.DIDRegistered` `{ did, keyId, sequence }`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON RegisterDID request')
  @Returns('string')
  async RegisterDID(ctx: Context, request: string): Promise<string> {
    authorize(ctx, WRITE_ACCESS, 'identity:RegisterDID');
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
    await writeRecord(ctx, key, record);
    emitEvent(ctx, 'identity.DIDRegistered', { did: req.did, keyId: 'key-1', sequence: 0 });
    return canonicalString(toResolutionResult(record));
  }

  /**
   * Resolve a DID to its DID document and metadata (deactivated DIDs resolve with
   * `deactivated: true` and no verification methods).
   *
   * @param did - a `did:civic:` DID
   * @returns JSON DID resolution result
   * @throws `INVALID_ARGUMENT` for a malformed DID; `NOT_FOUND` for an unknown DID
   */
  @Transaction(false)
  @Param('did', 'string', 'the DID to resolve')
  @Returns('string')
  async ResolveDID(ctx: Context, did: string): Promise<string> {
    authorize(ctx, READ_ACCESS, 'identity:ResolveDID');
    const id = validate(didSchema, did, 'did');
    const record = await readExisting(ctx, didKey(ctx, id), didRecordSchema, `DID ${id}`);
    return canonicalString(toResolutionResult(record));
  }

  /**
   * Replace a DID's key. Authorised by the current key, with proof of possession of the new one.
   *
   * @param request - JSON `{ did, newPublicKeyJwk, sequence, proof, newKeyProof }`; `sequence` is the
   *   DID's current sequence, both signatures cover the canonical RotatePayload
   * @returns JSON DID resolution result after rotation
   * @throws `INVALID_ARGUMENT`, `NOT_FOUND`, `FAILED_PRECONDITION` (deactivated DID, stale sequence, same key),
   *   `INVALID_SIGNATURE` (either proof), `FORBIDDEN`.
   * Emits `identity.KeyRotated` `{ did, keyId, sequence }`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON RotateKey request')
  @Returns('string')
  async RotateKey(ctx: Context, request: string): Promise<string> {
    authorize(ctx, WRITE_ACCESS, 'identity:RotateKey');
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
      keys: [
        ...record.keys.slice(0, -1),
        { ...old, revoked: now },
        { id: keyId, publicKeyJwk: req.newPublicKeyJwk, added: now, revoked: null },
      ],
      sequence: record.sequence + 1,
      updated: now,
      versionTxId: ctx.stub.getTxID(),
    };
    await writeRecord(ctx, didKey(ctx, req.did), updated);
    emitEvent(ctx, 'identity.KeyRotated', { did: req.did, keyId, sequence: updated.sequence });
    return canonicalString(toResolutionResult(updated));
  }

  /**
   * Deactivate a DID for good; it keeps resolving, marked deactivated, and can never be re-registered.
   *
   * @param request - JSON `{ did, sequence, proof }`, `proof` by the current key over the canonical DeactivatePayload
   * @returns JSON DID resolution result after deactivation
   * @throws `INVALID_ARGUMENT`, `NOT_FOUND`, `FAILED_PRECONDITION`, `INVALID_SIGNATURE`, `FORBIDDEN`.
   * Emits `identity.DIDDeactivated` `{ did, sequence }`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON DeactivateDID request')
  @Returns('string')
  async DeactivateDID(ctx: Context, request: string): Promise<string> {
    authorize(ctx, WRITE_ACCESS, 'identity:DeactivateDID');
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
    await writeRecord(ctx, didKey(ctx, req.did), updated);
    emitEvent(ctx, 'identity.DIDDeactivated', { did: req.did, sequence: updated.sequence });
    return canonicalString(toResolutionResult(updated));
  }
}
