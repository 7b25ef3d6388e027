import { Context, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { CivicContract } from '../shared/civic-contract';
import { authorize, type AccessRule } from '../shared/access';
import { canonicalString } from '../shared/canonical-json';
import { deactivateDid, registerDid, resolveDid, rotateKey } from './did-registry';
import { getCredentialSchema, registerCredentialSchema, registerIssuer, resolveIssuer, setIssuerStatus } from './issuers';
import { getStatusIndexAllocation, reserveStatusIndex } from './status-index';
import { getStatusList, setCredentialStatus } from './status-list';

/** Who may call what: every access rule of this contract, in one place. */
const ACCESS = {
  /** Front-desk staff of any org submit citizens' DID operations; citizens authorise them by signature. */
  citizenDesk: { roles: ['clerk'] },
  /** The City's administrators govern who is a trusted issuer and which credential schemas exist. */
  cityAdmin: { msps: ['CityMSP'], roles: ['admin'] },
  /** Any member of the channel may read. */
  member: {},
} as const satisfies Record<string, AccessRule>;

/**
 * Self-sovereign identity: the ledger as the verifiable data registry.
 * - DIDs: `did:civic:<RFC 7638 thumbprint of the citizen's first Ed25519 key>`, registered with proof
 *   of possession, rotated and deactivated by signatures of the current key (W3C DID Core).
 * - Trusted issuers and credential schemas, governed by the City; credentials themselves stay off-chain.
 * - Credential status: W3C Bitstring Status Lists per issuer, set by the issuer's signature; each status index
 *   is reserved on the ledger once, so no two credentials of an issuer share one.
 *
 * Every request argument is JSON, validated field by field; errors are `CODE: message`
 * (see shared/errors.ts). Personal data never reaches the ledger.
 */
@Info({ title: 'identity', description: 'Self-sovereign identity: DID registry, trusted issuers, credential status' })
export class IdentityContract extends CivicContract {
  constructor() {
    super('identity');
  }

  /**
   * Register a new DID with proof of possession of its key.
   *
   * @param request - JSON `{ did, publicKeyJwk: {kty:'OKP',crv:'Ed25519',x}, proof }`; `did` is derived from the key,
   *   `proof` (base64url Ed25519) signs the canonical RegisterPayload `{action:'identity:RegisterDID', channel, did, publicKeyJwk}`
   * @returns JSON DID resolution result
   * @throws `INVALID_ARGUMENT`, `INVALID_SIGNATURE`, `ALREADY_EXISTS` (even if deactivated), `FORBIDDEN` (not clerk).
   * Emits `identity.DIDRegistered` `{ did, keyId, sequence }`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON RegisterDID request')
  @Returns('string')
  async RegisterDID(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.citizenDesk, 'identity:RegisterDID');
    return registerDid(ctx, request);
  }

  /**
   * Resolve a DID to its DID document and metadata; a deactivated DID resolves with
   * `deactivated: true` and no verification methods.
   *
   * @throws `INVALID_ARGUMENT` (malformed DID), `NOT_FOUND`
   */
  @Transaction(false)
  @Param('did', 'string', 'the DID to resolve')
  @Returns('string')
  async ResolveDID(ctx: Context, did: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'identity:ResolveDID');
    return resolveDid(ctx, did);
  }

  /**
   * Replace a DID's key, authorised by the current key, with proof of possession of the new one.
   *
   * @param request - JSON `{ did, newPublicKeyJwk, sequence, proof, newKeyProof }`; `sequence` is the DID's current
   *   sequence; both signatures cover the canonical RotatePayload
   * @throws `INVALID_ARGUMENT`, `NOT_FOUND`, `FAILED_PRECONDITION` (deactivated, stale sequence, same key), `INVALID_SIGNATURE`, `FORBIDDEN`.
   * Emits `identity.KeyRotated` `{ did, keyId, sequence }`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON RotateKey request')
  @Returns('string')
  async RotateKey(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.citizenDesk, 'identity:RotateKey');
    return rotateKey(ctx, request);
  }

  /**
   * Deactivate a DID for good (it keeps resolving, marked deactivated).
   *
   * @param request - JSON `{ did, sequence, proof }`, `proof` by the current key over the canonical DeactivatePayload
   * @throws `INVALID_ARGUMENT`, `NOT_FOUND`, `FAILED_PRECONDITION`, `INVALID_SIGNATURE`, `FORBIDDEN`.
   * Emits `identity.DIDDeactivated` `{ did, sequence }`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON DeactivateDID request')
  @Returns('string')
  async DeactivateDID(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.citizenDesk, 'identity:DeactivateDID');
    return deactivateDid(ctx, request);
  }

  /**
   * Register an agency or utility as a trusted issuer of named credential types (City admin).
   *
   * @param request - JSON `{ did, name, mspId, credentialTypes: string[] }`; `did` must be a registered, active DID
   * @returns JSON issuer record
   * @throws `INVALID_ARGUMENT`, `NOT_FOUND` (DID), `FAILED_PRECONDITION` (deactivated DID), `ALREADY_EXISTS`, `FORBIDDEN`.
   * Emits `identity.IssuerRegistered`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON RegisterIssuer request')
  @Returns('string')
  async RegisterIssuer(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.cityAdmin, 'identity:RegisterIssuer');
    return canonicalString(await registerIssuer(ctx, request));
  }

  /**
   * Suspend, reinstate or retire a trusted issuer (City admin); retirement is final.
   *
   * @param request - JSON `{ did, status: 'active'|'suspended'|'retired' }`
   * @throws `INVALID_ARGUMENT`, `NOT_FOUND`, `FAILED_PRECONDITION` (retired), `FORBIDDEN`. Emits `identity.IssuerStatusChanged`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON SetIssuerStatus request')
  @Returns('string')
  async SetIssuerStatus(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.cityAdmin, 'identity:SetIssuerStatus');
    return canonicalString(await setIssuerStatus(ctx, request));
  }

  /** A trusted issuer's record. @throws `INVALID_ARGUMENT`, `NOT_FOUND` */
  @Transaction(false)
  @Param('did', 'string', 'the issuer DID')
  @Returns('string')
  async ResolveIssuer(ctx: Context, did: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'identity:ResolveIssuer');
    return canonicalString(await resolveIssuer(ctx, did));
  }

  /**
   * Register a credential schema (City admin): `{ type, version, claims: [{ name, type }] }`;
   * a (type, version) never changes once registered.
   *
   * @throws `INVALID_ARGUMENT`, `ALREADY_EXISTS`, `FORBIDDEN`. Emits `identity.CredentialSchemaRegistered`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON credential schema')
  @Returns('string')
  async RegisterCredentialSchema(ctx: Context, request: string): Promise<string> {
    authorize(ctx, ACCESS.cityAdmin, 'identity:RegisterCredentialSchema');
    return canonicalString(await registerCredentialSchema(ctx, request));
  }

  /** A registered credential schema. @throws `INVALID_ARGUMENT`, `NOT_FOUND` */
  @Transaction(false)
  @Param('type', 'string', 'credential type')
  @Param('version', 'string', 'schema version (integer ≥ 1)')
  @Returns('string')
  async GetCredentialSchema(ctx: Context, type: string, version: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'identity:GetCredentialSchema');
    return canonicalString(await getCredentialSchema(ctx, type, version));
  }

  /**
   * Take a status index for a new credential, once only, authorised by the issuer's DID signature
   * (`{ did, payload: { action:'identity:ReserveStatusIndex', channel, did, nonce, index }, signature }`)
   * and submitted by `issuer`-role staff of the issuer's own org. The client picks `index` at random
   * among the free ones (see `GetStatusIndexAllocation`).
   *
   * @returns JSON `{ issuer, index, allocated }`
   * @throws `INVALID_ARGUMENT`, `NOT_FOUND`, `INVALID_SIGNATURE`, `ALREADY_EXISTS` (index taken), `FAILED_PRECONDITION`
   *   (replayed signature, issuer not active, all 131,072 indexes taken), `FORBIDDEN`. Emits `identity.StatusIndexReserved` `{ issuer, index }`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON issuer-signed index reservation')
  @Returns('string')
  async ReserveStatusIndex(ctx: Context, request: string): Promise<string> {
    return canonicalString(await reserveStatusIndex(ctx, request));
  }

  /**
   * Which of an issuer's status indexes are taken: `{ issuer, size, allocated, encodedList }`, `encodedList`
   * a W3C-encoded bitstring with bit i set when index i is taken.
   *
   * @throws `INVALID_ARGUMENT`, `NOT_FOUND` (issuer)
   */
  @Transaction(false)
  @Param('issuer', 'string', 'the issuer DID')
  @Returns('string')
  async GetStatusIndexAllocation(ctx: Context, issuer: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'identity:GetStatusIndexAllocation');
    return canonicalString(await getStatusIndexAllocation(ctx, issuer));
  }

  /**
   * Set a credential's revocation or suspension bit, authorised by the issuer's DID signature
   * (`{ did, payload: { action:'identity:SetCredentialStatus', channel, did, nonce, purpose, index, value }, signature }`)
   * and submitted by `issuer`-role staff of the issuer's own org.
   *
   * @throws `INVALID_ARGUMENT`, `NOT_FOUND`, `INVALID_SIGNATURE`, `FAILED_PRECONDITION` (replayed signature, retired issuer,
   *   clearing a revocation), `FORBIDDEN`. Emits `identity.CredentialStatusChanged` `{ issuer, purpose, index, value }`.
   */
  @Transaction()
  @Param('request', 'string', 'JSON issuer-signed status change')
  @Returns('string')
  async SetCredentialStatus(ctx: Context, request: string): Promise<string> {
    return canonicalString(await setCredentialStatus(ctx, request));
  }

  /**
   * An issuer's status list as a W3C BitstringStatusList: `{ type, issuer, statusPurpose, size, encodedList }`.
   *
   * @throws `INVALID_ARGUMENT`, `NOT_FOUND` (issuer)
   */
  @Transaction(false)
  @Param('issuer', 'string', 'the issuer DID')
  @Param('purpose', 'string', 'revocation or suspension')
  @Returns('string')
  async GetStatusList(ctx: Context, issuer: string, purpose: string): Promise<string> {
    authorize(ctx, ACCESS.member, 'identity:GetStatusList');
    return canonicalString(await getStatusList(ctx, issuer, purpose));
  }
}
