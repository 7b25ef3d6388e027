/**
 * Helpers for the petition integration tests that need more citizens than one `civic` process per
 * step could serve in time. Each citizen's steps run in-process through the CLI's own modules,
 * against the live network: their DID registration through one of the three orgs' gateways, a
 * credential from the population registry (off-ledger, as `civic identity issue` makes it), the
 * RFC 9474 token exchange (`requestToken` and `finishToken` on the citizen's side, `issueToken` as
 * the City's issuing service with its `issuer` identity, which verifies the presentation through
 * the City's gateway and records the issuance on the ledger before releasing the blind signature),
 * and the signature itself (`petition:SignPetition`, as `civic petition sign` submits it).
 */
import { randomBytes } from 'node:crypto';
import { registerPayload } from '@civic-ledger/chaincode/dist/identity/client';
import type { PetitionRecord } from '@civic-ledger/chaincode/dist/petition/client';
import { generateCitizenKey, signWithKey, type CitizenKeyFile } from '../../cli/src/citizen/key-file';
import { gatewayLedgerReader } from '../../cli/src/credentials/gateway-ledger-reader';
import { issueCredential } from '../../cli/src/credentials/issue';
import type { LedgerReader } from '../../cli/src/credentials/ledger-reader';
import { presentCredential, type Challenge } from '../../cli/src/credentials/present';
import { ContractError } from '../../cli/src/errors';
import { CHANNEL, openSession, type Session } from '../../cli/src/gateway/connect';
import { loadOrgConnection } from '../../cli/src/gateway/profile';
import { evaluate, submit, type Committed } from '../../cli/src/gateway/transactions';
import { readWalletIdentity } from '../../cli/src/gateway/wallet';
import { finishToken, requestToken } from '../../cli/src/petition/citizen';
import type { TokenFile, TokenKeyFile } from '../../cli/src/petition/files';
import { issueToken } from '../../cli/src/petition/issuer';
import { gatewayPetitionLedger, type PetitionLedger } from '../../cli/src/petition/ledger';
import { civicPaths } from '../../cli/src/paths';
import { inParallel, type FrontDesks } from './allocation-support';

/** The City's issuing service: its `issuer` gateway session, the petition contract and the identity contract through it. */
export interface IssuingDesk {
  readonly petitions: PetitionLedger;
  readonly identity: LedgerReader;
  close(): void;
}

/** Open the City's issuing service as the CityMSP `issuer` (the role `petition token issue` needs). */
export function openIssuingDesk(env: NodeJS.ProcessEnv): IssuingDesk {
  const paths = civicPaths({ ...process.env, ...env });
  const connection = loadOrgConnection(paths, 'city');
  const session: Session = openSession(connection, readWalletIdentity(connection.walletDir, 'issuer'));
  return {
    petitions: gatewayPetitionLedger(session.contract('petition')),
    identity: gatewayLedgerReader(session.contract('identity')),
    close: () => {
      session.close();
    },
  };
}

/** Claims a residency credential carries. */
export type Claims = Readonly<Record<string, string | boolean>>;

/** A citizen in the test: their key and their credential from the population registry. */
export interface Citizen {
  readonly key: CitizenKeyFile;
  readonly credential: string;
}

/**
 * Wait until every org's peer resolves `did` (a commit status comes from the submitting gateway's
 * own peer; another org's peer may endorse the next transaction before it has the block).
 */
export async function untilEveryPeerKnows(desks: FrontDesks, did: string): Promise<void> {
  for (const i of [0, 1, 2]) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await evaluate(desks.at(i).contract('identity'), 'ResolveDID', [did]);
        break;
      } catch (e) {
        if (attempt >= 20 || !(e instanceof ContractError && e.code === 'NOT_FOUND')) {
          throw e;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
}

/** Register a citizen's DID (`identity:RegisterDID` with proof of possession, as `civic identity register --key` sends it) through desk `i`. */
export async function registerDid(desks: FrontDesks, i: number, key: CitizenKeyFile): Promise<void> {
  await submit(desks.at(i).contract('identity'), 'RegisterDID', [
    JSON.stringify({ did: key.did, publicKeyJwk: key.publicKeyJwk, proof: signWithKey(key, registerPayload(CHANNEL, key.did, key.publicKeyJwk)) }),
  ]);
  await untilEveryPeerKnows(desks, key.did);
}

/** A new citizen: key generated in-process, DID registered through desk `i`, credential issued by `registry`. */
export async function newCitizen(desks: FrontDesks, i: number, registry: CitizenKeyFile, type: string, claims: Claims): Promise<Citizen> {
  const key = generateCitizenKey();
  await registerDid(desks, i, key);
  return { key, credential: await credentialFor(registry, key, type, claims) };
}

/** The registry's credential for `holder` (valid from a day ago for a year). */
export async function credentialFor(registry: CitizenKeyFile, holder: CitizenKeyFile, type: string, claims: Claims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const { credential } = await issueCredential({
    issuer: registry,
    holder: { did: holder.did, publicKeyJwk: holder.publicKeyJwk },
    type,
    claims,
    issuedAt: now - 86_400,
    expiresAt: now + 365 * 86_400,
  });
  return credential;
}

/** What the issuing service needs to know about one petition. */
export interface TokenDesk {
  readonly desk: IssuingDesk;
  readonly key: TokenKeyFile;
  readonly logFile: string;
  readonly audience: string;
}

/**
 * The whole RFC 9474 exchange for one citizen: they blind a fresh token and sign the request
 * (`petition token request`), present the claims the petition requires for a fresh challenge
 * (`identity present`), the City's issuing service checks them, records the issuance and
 * blind-signs (`petition token issue`), and the citizen unblinds (`petition token finalize`).
 */
export async function obtainToken(issuing: TokenDesk, petition: PetitionRecord, citizen: Citizen): Promise<TokenFile> {
  const { request, state } = await requestToken(citizen.key, petition);
  const challenge: Challenge = { audience: issuing.audience, nonce: randomBytes(16).toString('base64url') };
  const now = Math.floor(Date.now() / 1000);
  const presentation = await presentCredential(citizen.credential, citizen.key, Object.keys(petition.eligibility.claims), challenge, now);
  const blindSignature = await issueToken(issuing.desk.petitions, issuing.desk.identity, issuing.key, issuing.logFile, {
    request,
    presentation,
    challenge,
    now,
  });
  return finishToken(state, blindSignature);
}

/**
 * `count` new eligible citizens, each registered through desk i (round robin over the three orgs)
 * and given a token for the petition, `inFlight` citizens at a time.
 *
 * @returns the citizens and their tokens (the i-th token is the i-th citizen's), and the seconds it took
 */
export async function citizensWithTokens(
  desks: FrontDesks,
  issuing: TokenDesk,
  petition: PetitionRecord,
  registry: CitizenKeyFile,
  count: number,
  inFlight: number,
): Promise<{ citizens: Citizen[]; tokens: TokenFile[]; seconds: number }> {
  const started = Date.now();
  const citizens: Citizen[] = [];
  const tokens: TokenFile[] = [];
  await inParallel(count, inFlight, async (i) => {
    const citizen = await newCitizen(desks, i, registry, petition.eligibility.credentialType, petition.eligibility.claims as Claims);
    citizens[i] = citizen;
    tokens[i] = await obtainToken(issuing, petition, citizen);
  });
  return { citizens, tokens, seconds: (Date.now() - started) / 1000 };
}

/** One signature as `civic petition sign` sends it. */
export interface Signing {
  readonly token: TokenFile;
  readonly option: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** How one submission ended: committed, or refused with the chaincode's code and message. */
export type SignOutcome = { readonly committed: Committed } | { readonly refused: { readonly code: string; readonly message: string } };

/** Submit one signature through `session` (the CLI's submit: endorse, order, commit status, MVCC retry). */
export async function signThrough(session: Session, s: Signing): Promise<SignOutcome> {
  try {
    return {
      committed: await submit(session.contract('petition'), 'SignPetition', [JSON.stringify({ ...s.token, option: s.option, attributes: s.attributes })]),
    };
  } catch (e) {
    if (e instanceof ContractError) {
      return { refused: { code: e.code, message: e.message } };
    }
    throw e;
  }
}
