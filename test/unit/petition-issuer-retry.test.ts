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
 * but the CLI never learns it: the issuance is on the ledger, and either the CLI's submit reports
 * `COMMIT_STATUS_UNKNOWN` naming the transaction (cli/src/gateway/transactions.ts), or the submit
 * call itself fails after the orderers took the transaction, with an error naming none.
 */
function outcomeLost(ledger: PetitionLedger, how: 'commit status' | 'submit'): PetitionLedger {
  return {
    ...ledger,
    recordIssuance: async (request, beforeSubmit) => {
      const { transactionId } = await ledger.recordIssuance(request, beforeSubmit);
      throw how === 'commit status'
        ? new NetworkError(`transaction ${transactionId} was submitted, but its commit status is still unknown after 5 asks`, {
            code: 'COMMIT_STATUS_UNKNOWN',
            detail: 'deadline exceeded',
            transactionId,
          })
        : new NetworkError('the gateway peer did not answer in time', { code: 'DEADLINE_EXCEEDED' });
    },
  };
}

describe("the token issuer's recovery after an issuance of unknown commit status", () => {
  let world: PetitionWorld;
  const issue = async (ledger: PetitionLedger, citizen: Citizen, request: TokenRequestFile): Promise<BlindSignatureFile> =>
    issueToken(ledger, identityReader(world.ledger), world.tokenKey, world.logFile, {
      request,
      presentation: await presentCredential(citizen.credential, citizen.key, ['resident_of', 'age_over_16'], CHALLENGE, NOW),
      challenge: CHALLENGE,
      now: NOW,
    });

  beforeAll(async () => {
    world = await petitionWorld(ID);
  }, 60_000);

  it.each(['commit status', 'submit'] as const)(
    'delivers the blind signature on a retry of the same request once the ledger shows the issuance (%s lost), and refuses any other request of that DID',
    async (how) => {
      const citizen = await newCitizen(world);
      const petition = await world.petitions.petition(ID);
      const { request, state } = await requestToken(citizen.key, petition);
      const lost = await issue(outcomeLost(world.petitions, how), citizen, request).catch((e: unknown) => e);
      const [recorded] = (await world.petitions.issuances(ID)).filter((i) => i.did === citizen.key.did);
      expect(recorded).toBeDefined();
      // A lost commit status is reported as such; after a failed submit the issuer asks the ledger
      // at once, and here the issuance is already there under the transaction it logged.
      expect(lost).toMatchObject(how === 'submit' ? { issuanceTxId: recorded?.txId } : { code: 'COMMIT_STATUS_UNKNOWN' });

      const retried = await issue(world.petitions, citizen, request);
      expect(retried).toMatchObject({ petitionId: ID, did: citizen.key.did, issuanceTxId: recorded?.txId });
      // The citizen's token is good: it finalizes (RFC 9474 Finalize verifies the signature).
      await expect(finishToken(state, retried)).resolves.toMatchObject({ petitionId: ID });
      const log = (await readIssuanceLog(world.logFile)).filter((l) => l.blindedMsg === request.blindedMsg);
      expect(log.at(-1)).toMatchObject({ issuanceTxId: recorded?.txId, blindSignature: retried.blindSignature });

      const other = await requestToken(citizen.key, petition);
      const refusedError = await issue(world.petitions, citizen, other.request).catch((e: unknown) => e);
      expect(refusedError).toBeInstanceOf(ChaincodeError);
      expect((refusedError as ChaincodeError).message).toMatch(new RegExp(`^ALREADY_EXISTS: ${citizen.key.did} already received its token for petition ${ID}`));
      expect((await world.petitions.issuances(ID)).filter((i) => i.did === citizen.key.did)).toHaveLength(1);
    },
    60_000,
  );
});
