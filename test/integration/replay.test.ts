/**
 * A transaction id replayed on the live network, with @hyperledger/fabric-gateway directly (the
 * CLI's connection code, as a City clerk): after a DID registration committed,
 *  (a) its signed proposal, sent again (`proposal.getBytes()` → `gateway.newProposal(bytes)`), is
 *      refused by the endorsing peer as a duplicate transaction;
 *  (b) its signed, endorsed transaction, submitted again (`transaction.getBytes()` →
 *      `gateway.newTransaction(bytes).submit()`), is taken by the orderer into a new block, where
 *      every peer marks it DUPLICATE_TXID (while the gateway's commit status for the id reports
 *      the original's VALID and block);
 * and the ledger holds one VALID transaction with that id (qscc GetTransactionByID, and a scan of
 * every block from the first one on), and the DID's state is that of one registration.
 */
import { common, peer } from '@hyperledger/fabric-protos';
import type { EndorseError } from '@hyperledger/fabric-gateway';
import { registerPayload } from '../../chaincode/src/identity/client';
import { generateCitizenKey, signWithKey } from '../../cli/src/citizen/key-file';
import { CHANNEL, openSession, type Session } from '../../cli/src/gateway/connect';
import { loadOrgConnection } from '../../cli/src/gateway/profile';
import { readWalletIdentity } from '../../cli/src/gateway/wallet';
import { peerBlocks } from '../../cli/src/ledger/block-source';
import { envelopeHeaders } from '../../cli/src/ledger/transaction';
import { readTransaction } from '../../cli/src/ledger/tx-lookup';
import { civicPaths } from '../../cli/src/paths';
import { liveNetworkEnv, settledHeights } from '../support/test-network';

const env = liveNetworkEnv();
const CODE_NAMES = new Map(Object.entries(peer.TxValidationCode).map(([name, code]) => [code, name]));

/** Every envelope with `txId` in blocks `from`… of the session's peer, with the validation code the peer wrote. */
async function occurrences(session: Session, txId: string, from: number): Promise<{ block: number; code: string }[]> {
  const heights = await settledHeights(env);
  const found: { block: number; code: string }[] = [];
  for await (const item of peerBlocks(session.gateway, from, (heights[0] ?? 1) - 1)) {
    if (!('block' in item)) {
      throw new Error(`block read failed: ${JSON.stringify(item)}`);
    }
    const flags = item.block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
    (item.block.getData()?.getDataList_asU8() ?? []).forEach((envelope, i) => {
      if (envelopeHeaders(envelope).channelHeader.getTxId() === txId) {
        found.push({ block: item.block.getHeader()?.getNumber() ?? -1, code: CODE_NAMES.get(flags[i] ?? -1) ?? `code ${String(flags[i])}` });
      }
    });
  }
  return found;
}

describe('a replayed transaction id', () => {
  let session: Session;
  let proposalBytes: Uint8Array;
  let transactionBytes: Uint8Array;
  let txId: string;
  let firstBlock: number;
  let did: string;
  let stateAfterFirst: string;

  beforeAll(async () => {
    const paths = civicPaths({ ...process.env, ...env });
    const city = loadOrgConnection(paths, 'city');
    session = openSession(city, readWalletIdentity(city.walletDir, 'clerk'));
    const key = generateCitizenKey();
    did = key.did;
    const request = JSON.stringify({ did, publicKeyJwk: key.publicKeyJwk, proof: signWithKey(key, registerPayload(CHANNEL, did, key.publicKeyJwk)) });
    const proposal = session.contract('identity').newProposal('RegisterDID', { arguments: [request] });
    proposalBytes = proposal.getBytes();
    txId = proposal.getTransactionId();
    const transaction = await proposal.endorse();
    transactionBytes = transaction.getBytes();
    const status = await (await transaction.submit()).getStatus();
    expect({ successful: status.successful, code: CODE_NAMES.get(status.code) }).toEqual({ successful: true, code: 'VALID' });
    firstBlock = Number(status.blockNumber);
    stateAfterFirst = Buffer.from(await session.contract('identity').evaluateTransaction('ResolveDID', did)).toString('utf8');
  }, 120_000);

  afterAll(() => {
    session.close();
  });

  it('refuses the same signed proposal at endorsement as a duplicate transaction, and adds no block', async () => {
    const heights = await settledHeights(env);
    const replayed = session.gateway.newProposal(proposalBytes);
    expect(replayed.getTransactionId()).toBe(txId);
    const error = await replayed.endorse().then(
      () => undefined,
      (e: unknown) => e as EndorseError,
    );
    expect(error).toBeDefined();
    const messages = [error?.message ?? '', ...(error?.details ?? []).map((d) => d.message)].join('\n');
    expect(messages).toContain(`duplicate transaction found [${txId}]`);
    expect(await settledHeights(env)).toEqual(heights);
  }, 120_000);

  it('orders the same endorsed transaction submitted again, and the peers commit it as DUPLICATE_TXID: one VALID transaction with that id, one registration', async () => {
    const heights = await settledHeights(env);
    // The orderer takes it (it does not look for duplicate ids); the gateway's commit status for
    // that id is the ledger's first answer: the original's VALID, in the original's block.
    const status = await (await session.gateway.newTransaction(transactionBytes).submit()).getStatus();
    expect({ code: CODE_NAMES.get(status.code), block: Number(status.blockNumber) }).toEqual({ code: 'VALID', block: firstBlock });
    // The peer's index answers with the first, valid one.
    const indexed = await readTransaction(session.gateway, txId, 'CityMSP');
    expect({ code: indexed.validationCode, block: indexed.blockNumber }).toEqual({ code: 'VALID', block: String(firstBlock) });
    // Every block from the first one on, on every org's peer: one VALID envelope with that id, then one DUPLICATE_TXID.
    const paths = civicPaths({ ...process.env, ...env });
    const clerk = readWalletIdentity(loadOrgConnection(paths, 'city').walletDir, 'clerk');
    for (const org of ['city', 'agencies', 'utilities']) {
      const onPeer = openSession(loadOrgConnection(paths, org), clerk, 'CityMSP');
      try {
        const seen = await occurrences(onPeer, txId, firstBlock);
        process.stderr.write(`${org}: first in block ${String(firstBlock)}; on the ledger: ${JSON.stringify(seen)}\n`);
        expect({ org, count: seen.length, first: seen[0], second: seen[1]?.code }).toEqual({
          org,
          count: 2,
          first: { block: firstBlock, code: 'VALID' },
          second: 'DUPLICATE_TXID',
        });
        expect(seen[1]?.block).toBeGreaterThan(firstBlock);
      } finally {
        onPeer.close();
      }
    }
    // One block more: the one holding the DUPLICATE_TXID copy.
    const after = await settledHeights(env);
    expect(after.map((h, i) => h - (heights[i] ?? 0))).toEqual(heights.map(() => 1));
    // The DID's state is still that of the one registration.
    expect(Buffer.from(await session.contract('identity').evaluateTransaction('ResolveDID', did)).toString('utf8')).toBe(stateAfterFirst);
  }, 120_000);
});
