/**
 * Every endorsing org computes the same read/write set: checked on everything this test run
 * committed, after the service suites ran (a `.last` suite). Each committed transaction carries
 * one proposal response payload (its read/write set, events and result) and one signature per
 * endorser over that payload; an endorser that had computed anything else could not have signed
 * it, and the gateway refuses to submit endorsements whose payloads differ. So each valid
 * transaction that writes public state must carry signatures of two distinct orgs that verify
 * over the same payload, and each transaction the chaincode declares as submitting must have been
 * committed so at least once in the run, endorsed by two orgs (those that write only one
 * creditor's private collection are endorsed by that creditor alone, by its collection's policy).
 */
import { createPublicKey, verify } from 'node:crypto';
import path from 'node:path';
import { msp, peer } from '@hyperledger/fabric-protos';
import { CHANNEL, openSession } from '../../cli/src/gateway/connect';
import { loadOrgConnection } from '../../cli/src/gateway/profile';
import { readWalletIdentity } from '../../cli/src/gateway/wallet';
import { civicPaths } from '../../cli/src/paths';
import { liveNetworkEnv } from '../support/test-network';
import { blockFilesOf, rawBlocks, transactionsOf } from './block-files';

const env = liveNetworkEnv();

/** Transactions whose only writes are in the caller's own debt collection: endorsed by that org alone. */
const OWN_COLLECTION_ONLY = new Set(['debt:RecordDebt', 'debt:SettleDebt', 'debt:PurgeDebt', 'debt:RecordPayment']);

interface Endorsed {
  readonly fn: string;
  readonly txId: string;
  readonly valid: boolean;
  readonly orgs: string[];
  /** Whether every endorsement's signature verifies over the one payload with its endorser's certificate. */
  readonly signaturesVerify: boolean;
}

/** Every endorser transaction of the civic chaincode in one peer's block files. */
function endorsedTransactions(chainDir: string): Endorsed[] {
  return blockFilesOf(chainDir)
    .flatMap(rawBlocks)
    .flatMap(transactionsOf)
    .filter((t) => t.chaincode === 'civic')
    .map((t) => ({
      fn: t.fn,
      txId: t.txId,
      valid: t.validationCode === peer.TxValidationCode.VALID,
      orgs: [...new Set(t.endorsers)],
      signaturesVerify: t.endorsements.every(({ endorser, signature }) => {
        const certificate = Buffer.from(msp.SerializedIdentity.deserializeBinary(endorser).getIdBytes_asU8()).toString('utf8');
        return verify('sha256', Buffer.concat([t.responsePayload, endorser]), createPublicKey(certificate), signature);
      }),
    }));
}

/** The contract functions the chaincode declares as submitting (`contract:Function`), from its metadata. */
async function submittingFunctions(): Promise<string[]> {
  const connection = loadOrgConnection(civicPaths({ ...process.env, ...env }), 'city');
  const session = openSession(connection, readWalletIdentity(connection.walletDir, 'clerk'));
  try {
    const metadata = JSON.parse(Buffer.from(await session.contract('org.hyperledger.fabric').evaluateTransaction('GetMetadata')).toString('utf8')) as {
      contracts: Record<string, { transactions: { name: string; tag?: string[] }[] }>;
    };
    return Object.entries(metadata.contracts)
      .filter(([name]) => name !== 'org.hyperledger.fabric')
      .flatMap(([name, c]) => c.transactions.filter((t) => t.tag?.includes('SUBMIT')).map((t) => `${name}:${t.name}`))
      .sort();
  } finally {
    session.close();
  }
}

describe('identical read/write sets across endorsing orgs', () => {
  const chainDir = path.join(env.CIVIC_NETWORK_HOME ?? '', 'nodes', 'peer-agencies', 'data', 'ledgersData', 'chains', 'chains', CHANNEL);

  it('every valid transaction is signed over one payload by two orgs (one creditor for its own collection)', () => {
    const valid = endorsedTransactions(chainDir).filter((t) => t.valid);
    expect(valid.length).toBeGreaterThan(0);
    const wrong = valid.filter((t) => !t.signaturesVerify || (OWN_COLLECTION_ONLY.has(t.fn) ? t.orgs.length !== 1 : t.orgs.length < 2));
    expect(wrong).toEqual([]);
  });

  it('every submitting transaction of the five contracts was committed in this run with endorsements of two orgs', async () => {
    const functions = await submittingFunctions();
    expect(functions).toEqual(
      expect.arrayContaining(['identity:RegisterDID', 'land:ApproveTransfer', 'allocation:CloseRound', 'debt:ProposePlan', 'petition:SignPetition']),
    );
    const endorsed = new Set(
      endorsedTransactions(chainDir)
        .filter((t) => t.valid && t.signaturesVerify && t.orgs.length >= (OWN_COLLECTION_ONLY.has(t.fn) ? 1 : 2))
        .map((t) => t.fn),
    );
    expect(functions.filter((fn) => !endorsed.has(fn))).toEqual([]);
  });
});
