import { appendFile, readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { PetitionRecord } from '@civic-ledger/chaincode/dist/petition/client';
import type { LedgerReader } from '../credentials/ledger-reader';
import type { Challenge } from '../credentials/present';
import { verifyPresentation } from '../credentials/verify';
import { CheckFailed, NetworkError, UsageError } from '../errors';
import { blindSign } from './blind-rsa';
import type { BlindSignatureFile, TokenKeyFile, TokenRequestFile } from './files';
import type { PetitionLedger } from './ledger';

/**
 * One line of the City's issuance log (JSON Lines, kept by the issuing service beside the token
 * key): what the City saw and returned. It holds the blinded message and blind signature, which
 * RFC 9474 blindness makes useless for finding the citizen's signature later.
 */
export const issuanceLogEntrySchema = z
  .object({ petitionId: z.string(), did: z.string(), blindedMsg: z.string(), blindSignature: z.string(), issuanceTxId: z.string().nullable(), at: z.string() })
  .strict();
export type IssuanceLogEntry = z.infer<typeof issuanceLogEntrySchema>;

/** Read an issuance log; a missing file is an empty log. */
export async function readIssuanceLog(file: string): Promise<IssuanceLogEntry[]> {
  const text = await readFile(file, 'utf8').catch((e: unknown) => ((e as NodeJS.ErrnoException).code === 'ENOENT' ? '' : Promise.reject(e as Error)));
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => issuanceLogEntrySchema.parse(JSON.parse(line)));
}

/** A citizen the issuing service refused: not eligible, or the presentation is not theirs (exit 1, code `NOT_ELIGIBLE`). */
const notEligible = (message: string, did: string): CheckFailed => new CheckFailed('NOT_ELIGIBLE', message, { did });

/** What the issuing service needs for one request. */
export interface IssueRequest {
  readonly request: TokenRequestFile;
  /** The citizen's SD-JWT presentation, made for `challenge`. */
  readonly presentation: string;
  readonly challenge: Challenge;
  /** Seconds since the epoch. */
  readonly now: number;
}

function requireEligible(petition: PetitionRecord, verified: { holder: string; type: string; claims: Record<string, unknown> }, did: string): void {
  if (verified.holder !== did) {
    throw notEligible(`the presentation is held by ${verified.holder}, not by ${did}, who signed the token request`, did);
  }
  const rule = petition.eligibility;
  if (verified.type !== rule.credentialType) {
    throw notEligible(
      `not eligible for petition ${petition.petitionId}: it requires a ${rule.credentialType} credential, the presentation is a ${verified.type}`,
      did,
    );
  }
  const unmet = Object.entries(rule.claims).filter(([claim, value]) => verified.claims[claim] !== value);
  if (unmet.length > 0) {
    const shown = unmet.map(
      ([claim, value]) => `${claim}: ${JSON.stringify(value)} (disclosed: ${claim in verified.claims ? JSON.stringify(verified.claims[claim]) : 'nothing'})`,
    );
    throw notEligible(`not eligible for petition ${petition.petitionId}: requires ${shown.join('; ')}`, did);
  }
}

/**
 * The City's issuing service for one token request: verify the citizen's credential
 * presentation against the ledger and the petition's eligibility rule, record the issuance on the
 * ledger (`petition:RecordTokenIssuance`, which refuses a second token for the same DID), and only
 * then release the RFC 9474 blind signature. Every blind signature computed is logged before the
 * ledger write; one is released only with a committed issuance. When the ledger write's commit
 * status stays unknown, the log notes the transaction id that carried this blinded message and
 * the error is passed on. A retry of a request whose issuance committed in a transaction the log
 * names for the same blinded message (delivered before, or of unknown status then) re-delivers
 * the same blind signature (RSA blind signing is deterministic) and logs it with that
 * transaction id; any other request from a DID that already has its token is refused.
 *
 * @param ledger - the petition contract
 * @param identity - the identity contract, to verify the presentation
 * @param key - this petition's token key file
 * @param logFile - the issuance log (JSON Lines; appended)
 * @throws NetworkError `COMMIT_STATUS_UNKNOWN` (logged with its transaction id; retry the same request to have it delivered
 *   once the issuance shows on the ledger); CheckFailed `NOT_ELIGIBLE` (exit 1) when the credential does not satisfy the rule; CredentialRejected when the
 *   presentation fails a check; UsageError for a request of another petition or a malformed blinded message;
 *   ContractError `ALREADY_EXISTS` when the DID already received its token for another blinded message
 */
export async function issueToken(
  ledger: PetitionLedger,
  identity: LedgerReader,
  key: TokenKeyFile,
  logFile: string,
  req: IssueRequest,
): Promise<BlindSignatureFile> {
  const { request } = req;
  if (request.petitionId !== key.petitionId || request.authorisation.payload.petitionId !== key.petitionId) {
    throw new UsageError(`the token request is for petition ${String(request.authorisation.payload.petitionId)}, the token key for ${key.petitionId}`);
  }
  const petition = await ledger.petition(key.petitionId);
  if (petition.publicKey.n !== key.publicKey.n) {
    throw new UsageError(`the token key file does not hold the key of petition ${petition.petitionId} on the ledger`);
  }
  const blindedMsg = Buffer.from(request.blindedMsg, 'base64url');
  if (blindedMsg.length !== Buffer.from(key.publicKey.n, 'base64url').length) {
    throw new UsageError(`the blinded message is ${String(blindedMsg.length)} bytes; a blinded message for this key has exactly the modulus length`);
  }
  const did = request.authorisation.did;
  requireEligible(petition, await verifyPresentation(req.presentation, identity, req.challenge, req.now), did);

  const blindSignature = (await blindSign(key.privateKey, blindedMsg)).toString('base64url');
  const log = async (issuanceTxId: string | null): Promise<void> => {
    const entry: IssuanceLogEntry = {
      petitionId: petition.petitionId,
      did,
      blindedMsg: request.blindedMsg,
      blindSignature,
      issuanceTxId,
      at: new Date(req.now * 1000).toISOString(),
    };
    await appendFile(logFile, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  };
  await log(null);
  try {
    // Each endorsed transaction's id is logged before it goes to the orderers: whatever fails
    // after that (the submit, the commit status), a retry can tell, once the ledger shows the
    // issuance in that transaction, that it is this request's.
    const noted = new Set<string>();
    const { transactionId } = await ledger.recordIssuance(JSON.stringify(request.authorisation), async (txId) => {
      noted.add(txId);
      await log(txId);
    });
    if (!noted.has(transactionId)) {
      await log(transactionId);
    }
    return { petitionId: petition.petitionId, did, blindSignature, issuanceTxId: transactionId };
  } catch (e) {
    if (e instanceof NetworkError && e.code === 'COMMIT_STATUS_UNKNOWN') {
      throw e;
    }
    const recorded = (await ledger.issuances(petition.petitionId)).find((i) => i.did === did);
    const delivered = (await readIssuanceLog(logFile)).find(
      (l) =>
        l.petitionId === petition.petitionId &&
        l.did === did &&
        l.blindedMsg === request.blindedMsg &&
        l.issuanceTxId !== null &&
        l.issuanceTxId === recorded?.txId,
    );
    if (delivered?.issuanceTxId == null) {
      throw e;
    }
    await log(delivered.issuanceTxId);
    return { petitionId: petition.petitionId, did, blindSignature, issuanceTxId: delivered.issuanceTxId }; // the same request again: nothing new is issued
  }
}
