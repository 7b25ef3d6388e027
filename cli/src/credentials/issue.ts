import { randomInt } from 'node:crypto';
import { STATUS_LIST_SIZE, type PublicKeyJwk } from '@civic-ledger/chaincode/dist/identity/client';
import type { CitizenKeyFile } from '../citizen/key-file';
import { UsageError } from '../errors';
import { civicSdJwt, type CredentialPayload } from './sd-jwt';

/** What an issuer puts in a credential. */
export interface CredentialRequest {
  /** The issuer's DID key (a trusted issuer on the ledger). */
  readonly issuer: CitizenKeyFile;
  /** The holder's DID and current public key (from the ledger), to which the credential is bound. */
  readonly holder: { readonly did: string; readonly publicKeyJwk: PublicKeyJwk };
  /** Credential type (`vct`), e.g. `AgeCredential`. */
  readonly type: string;
  /** Claims, each issued as its own selectively disclosable claim, e.g. `{ age_over_18: true }`. */
  readonly claims: Readonly<Record<string, string | number | boolean>>;
  /** Issuance time and validity, seconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /**
   * Status index, reserved for this credential on the ledger (see reserve-index.ts; `identity issue`
   * always passes one). When omitted, a random index that nothing reserves: for credentials that
   * never reach a status list (tests, offline examples), since it may be another credential's.
   */
  readonly statusIndex?: number;
}

const RESERVED = new Set(['iss', 'sub', 'vct', 'iat', 'nbf', 'exp', 'cnf', 'credentialStatus', '_sd', '_sd_alg']);

/**
 * Issue a credential off-chain as an SD-JWT (RFC 9901): registered claims in clear,
 * every credential claim as a salted-hash disclosure, holder binding in `cnf.jwk`,
 * and a W3C Bitstring Status List entry at `statusIndex` (taken at random among
 * the issuer's free indexes, so it says nothing about the holder). Nothing is written
 * to the ledger here.
 *
 * @returns the compact SD-JWT (`<issuer JWT>~<disclosure>~…~`) and the status index used
 * @throws UsageError for a reserved or malformed claim name, or an empty validity period
 */
export async function issueCredential(req: CredentialRequest): Promise<{ credential: string; statusIndex: number }> {
  const names = Object.keys(req.claims);
  const bad = names.find((n) => RESERVED.has(n) || !/^[a-z][a-z0-9_]{0,63}$/.test(n));
  if (bad !== undefined || names.length === 0) {
    throw new UsageError(bad === undefined ? 'a credential needs at least one claim' : `claim name '${bad}' is reserved or not snake_case`);
  }
  if (req.expiresAt <= req.issuedAt) {
    throw new UsageError('the credential must expire after it is issued');
  }
  const statusIndex = req.statusIndex ?? randomInt(STATUS_LIST_SIZE);
  const payload: CredentialPayload = {
    iss: req.issuer.did,
    sub: req.holder.did,
    vct: req.type,
    iat: req.issuedAt,
    nbf: req.issuedAt,
    exp: req.expiresAt,
    cnf: { jwk: req.holder.publicKeyJwk },
    credentialStatus: {
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(statusIndex),
      statusListCredential: `ledger:civic/identity/${req.issuer.did}/revocation`,
    },
    ...req.claims,
  };
  const credential = await civicSdJwt({ issuer: req.issuer }).issue(payload, { _sd: names } as never, { header: { typ: 'vc+sd-jwt' } });
  return { credential, statusIndex };
}
