import { randomBytes } from 'node:crypto';
import { tokenMessage, type PetitionRecord } from '@civic-ledger/chaincode/dist/petition/client';
import { signAuthorisation, type CitizenKeyFile } from '../citizen/key-file';
import { UsageError } from '../errors';
import { CHANNEL } from '../gateway/connect';
import { blindToken, finalizeToken, type TokenSuite } from './blind-rsa';
import type { BlindSignatureFile, BlindingStateFile, TokenFile, TokenRequestFile } from './files';

/**
 * Citizen, step 1 (on the citizen's device): pick a random token message for the petition, blind
 * it with the petition's key (RFC 9474 Prepare + Blind), and sign a token request with the DID key.
 * The request goes to the City; the blinding state stays with the citizen.
 *
 * @throws UsageError when the petition no longer takes signatures
 */
export async function requestToken(key: CitizenKeyFile, petition: PetitionRecord): Promise<{ request: TokenRequestFile; state: BlindingStateFile }> {
  if (petition.status !== 'open') {
    throw new UsageError(`petition ${petition.petitionId} is ${petition.status}; it no longer issues tokens`);
  }
  const suite = petition.suite as TokenSuite;
  const message = tokenMessage(petition.petitionId, randomBytes(32).toString('base64url'));
  const blinding = await blindToken(petition.publicKey, message, suite);
  const authorisation = signAuthorisation(key, 'petition:RequestToken', CHANNEL, { petitionId: petition.petitionId });
  return {
    request: { petitionId: petition.petitionId, authorisation, blindedMsg: blinding.blindedMsg.toString('base64url') },
    state: {
      petitionId: petition.petitionId,
      suite,
      publicKey: petition.publicKey,
      prepared: blinding.prepared.toString('base64url'),
      blindedMsg: blinding.blindedMsg.toString('base64url'),
      inv: blinding.inv.toString('base64url'),
    },
  };
}

/**
 * Citizen, step 3 (offline): unblind the City's blind signature (RFC 9474 Finalize, which also
 * verifies it under the petition key kept in the blinding state).
 *
 * @throws UsageError when the files belong to different petitions or the signature does not finalize
 */
export async function finishToken(state: BlindingStateFile, blindSig: BlindSignatureFile): Promise<TokenFile> {
  if (blindSig.petitionId !== state.petitionId) {
    throw new UsageError(`the blind signature is for petition ${blindSig.petitionId}, the blinding state for ${state.petitionId}`);
  }
  const blinding = {
    prepared: Buffer.from(state.prepared, 'base64url'),
    blindedMsg: Buffer.from(state.blindedMsg, 'base64url'),
    inv: Buffer.from(state.inv, 'base64url'),
  };
  try {
    const signature = await finalizeToken(state.publicKey, blinding, Buffer.from(blindSig.blindSignature, 'base64url'), state.suite);
    return { petitionId: state.petitionId, token: state.prepared, signature: signature.toString('base64url') };
  } catch (e) {
    throw new UsageError(`the blind signature does not finalize to a valid token signature for this blinding state (${(e as Error).message})`);
  }
}
