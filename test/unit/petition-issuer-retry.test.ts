import { ChaincodeError } from '../../chaincode/src/shared/errors';
import { NetworkError } from '../../cli/src/errors';
import { presentCredential } from '../../cli/src/credentials/present';
import { finishToken, requestToken } from '../../cli/src/petition/citizen';
import type { BlindSignatureFile, TokenRequestFile } from '../../cli/src/petition/files';
import { issueToken, readIssuanceLog } from '../../cli/src/petition/issuer';
import type { PetitionLedger } from '../../cli/src/petition/ledger';
import { identityReader } from '../support/identity-reader';
import { CHALLENGE, NOW, newCitizen, petitionWorld, type Citizen, type PetitionWorld } from '../support/petition-world';

const ID = 'riverside-sundays';

/**
 * The petition ledger as the gateway shows it when the RecordTokenIssuance transaction commits
 * but its commit status cannot be had: the issuance is on the ledger, and the CLI's submit
 * reports `COMMIT_STATUS_UNKNOWN` naming the transaction, as cli/src/gateway/transactions.ts does.
 */
function commitStatusLost(ledger: PetitionLedger): PetitionLedger {
  return {
    ...ledger,
    recordIssuance: async (request) => {
      const { transactionId } = await ledger.recordIssuance(request);
      throw new NetworkError(`transaction ${transactionId} was submitted, but its commit status is still unknown after 5 asks`, {
        code: 'COMMIT_STATUS_UNKNOWN',
        detail: 'deadline exceeded',
        transactionId,
      });
    },
  };
}

describe("the token issuer's recovery after an issuance of unknown commit status", () => {
  let world: PetitionWorld;
  let citizen: Citizen;
  const issue = async (ledger: PetitionLedger, request: TokenRequestFile): Promise<BlindSignatureFile> =>
    issueToken(ledger, identityReader(world.ledger), world.tokenKey, world.logFile, {
      request,
      presentation: await presentCredential(citizen.credential, citizen.key, ['resident_of', 'age_over_16'], CHALLENGE, NOW),
      challenge: CHALLENGE,
      now: NOW,
    });

  beforeAll(async () => {
    world = await petitionWorld(ID);
    citizen = await newCitizen(world);
  }, 60_000);

  it('delivers the blind signature on a retry of the same request once the ledger shows the issuance, and refuses any other request of that DID', async () => {
    const petition = await world.petitions.petition(ID);
    const { request, state } = await requestToken(citizen.key, petition);
    const lost = await issue(commitStatusLost(world.petitions), request).catch((e: unknown) => e);
    expect(lost).toMatchObject({ code: 'COMMIT_STATUS_UNKNOWN' });
    const [recorded] = (await world.petitions.issuances(ID)).filter((i) => i.did === citizen.key.did);
    expect(recorded).toBeDefined();

    const retried = await issue(world.petitions, request);
    expect(retried).toMatchObject({ petitionId: ID, did: citizen.key.did, issuanceTxId: recorded?.txId });
    // The citizen's token is good: it finalizes (RFC 9474 Finalize verifies the signature).
    await expect(finishToken(state, retried)).resolves.toMatchObject({ petitionId: ID });
    const log = (await readIssuanceLog(world.logFile)).filter((l) => l.blindedMsg === request.blindedMsg);
    expect(log.at(-1)).toMatchObject({ issuanceTxId: recorded?.txId, blindSignature: retried.blindSignature });

    const other = await requestToken(citizen.key, petition);
    const refusedError = await issue(world.petitions, other.request).catch((e: unknown) => e);
    expect(refusedError).toBeInstanceOf(ChaincodeError);
    expect((refusedError as ChaincodeError).message).toMatch(new RegExp(`^ALREADY_EXISTS: ${citizen.key.did} already received its token for petition ${ID}`));
    expect((await world.petitions.issuances(ID)).filter((i) => i.did === citizen.key.did)).toHaveLength(1);
  }, 60_000);
});
