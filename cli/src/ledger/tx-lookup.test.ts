import type { ServiceError } from '@grpc/grpc-js';
import { GatewayError, type Gateway, type ProposalOptions } from '@hyperledger/fabric-gateway';
import { common, peer } from '@hyperledger/fabric-protos';
import { ContractError, NetworkError, UsageError } from '../errors';
import { captured } from '../test-support/ledger-fixtures';
import { parseTransactionId, readTransaction } from './tx-lookup';

const cause = {} as ServiceError;
const TX = captured.registerDid.txId;

/** What the fake gateway was asked: chaincode, function and options of each evaluate. */
interface Asked {
  readonly chaincode: string;
  readonly fn: string;
  readonly options: ProposalOptions | undefined;
}

/** A gateway whose qscc answers with `answer(fn)` (bytes, or an error to throw), recording each call. */
function fakeGateway(answer: (fn: string) => Uint8Array | Error): { gateway: Gateway; asked: Asked[] } {
  const asked: Asked[] = [];
  const gateway = {
    getNetwork: () => ({
      getContract: (chaincode: string) => ({
        evaluate: (fn: string, options?: ProposalOptions): Promise<Uint8Array> => {
          asked.push({ chaincode, fn, options });
          const result = answer(fn);
          return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
        },
      }),
    }),
  } as unknown as Gateway;
  return { gateway, asked };
}

/** Block 5 holding some other transaction first, then the captured DID registration. */
function blockWithTheRegistration(): Uint8Array {
  const other = new common.ChannelHeader();
  other.setTxId('ef'.repeat(32));
  const otherHeader = new common.Header();
  otherHeader.setChannelHeader(other.serializeBinary());
  const otherPayload = new common.Payload();
  otherPayload.setHeader(otherHeader);
  const otherEnvelope = new common.Envelope();
  otherEnvelope.setPayload(otherPayload.serializeBinary());
  const registration = peer.ProcessedTransaction.deserializeBinary(captured.registerDid.bytes).getTransactionenvelope();
  const data = new common.BlockData();
  data.setDataList([otherEnvelope.serializeBinary(), registration?.serializeBinary() ?? new Uint8Array()]);
  const header = new common.BlockHeader();
  header.setNumber(5);
  const block = new common.Block();
  block.setHeader(header);
  block.setData(data);
  return block.serializeBinary();
}

describe('parseTransactionId', () => {
  it('takes 64 hex digits in either case, as Fabric writes them (lower case)', () => {
    expect(parseTransactionId(TX.toUpperCase())).toBe(TX);
    expect(parseTransactionId(` ${TX}\n`)).toBe(TX);
  });

  it.each(['', '12345', `${TX}0`, TX.slice(1), `${TX.slice(0, 63)}g`])('refuses %p as a usage error', (id) => {
    expect(() => parseTransactionId(id)).toThrow(UsageError);
    expect(() => parseTransactionId(id)).toThrow(/is not a transaction id \(64 hex digits/);
  });
});

describe('readTransaction', () => {
  it("reads the transaction and its block from qscc on the asking org's peer only, and finds its place in the block", async () => {
    const { gateway, asked } = fakeGateway((fn) => (fn === 'GetTransactionByID' ? captured.registerDid.bytes : blockWithTheRegistration()));
    const tx = await readTransaction(gateway, TX, 'CityMSP');
    expect(tx).toMatchObject({ txId: TX, kind: 'endorser', function: 'identity:RegisterDID', validationCode: 'VALID', blockNumber: '5', indexInBlock: 1 });
    expect(asked).toEqual([
      { chaincode: 'qscc', fn: 'GetTransactionByID', options: { arguments: ['civic', TX], endorsingOrganizations: ['CityMSP'] } },
      { chaincode: 'qscc', fn: 'GetBlockByTxID', options: { arguments: ['civic', TX], endorsingOrganizations: ['CityMSP'] } },
    ]);
  });

  it("names the id of a transaction the peer's ledger does not hold (NOT_FOUND, exit 1), without asking for a block", async () => {
    const missing = 'ab'.repeat(32);
    const peerSays = `chaincode response 500, Failed to get transaction with id ${missing}, error no such transaction ID [${missing}] in index`;
    const { gateway, asked } = fakeGateway(
      () =>
        new GatewayError({
          code: 2,
          cause,
          message: `2 UNKNOWN: evaluate call to endorser returned error: ${peerSays}`,
          details: [{ address: '127.0.0.1:35202', mspId: 'CityMSP', message: peerSays }],
        }),
    );
    const refusal = readTransaction(gateway, missing, 'CityMSP');
    await expect(refusal).rejects.toBeInstanceOf(ContractError);
    await expect(refusal).rejects.toMatchObject({
      code: 'NOT_FOUND',
      exitCode: 1,
      transactionId: missing,
      message: `no transaction ${missing} on channel civic (asked CityMSP's peer)`,
    });
    expect(asked.map((a) => a.fn)).toEqual(['GetTransactionByID']);
  });

  it('reports an unreachable peer as a network error (exit 2)', async () => {
    const { gateway } = fakeGateway(() => new GatewayError({ code: 14, cause, details: [], message: '14 UNAVAILABLE: No connection established' }));
    await expect(readTransaction(gateway, TX, 'CityMSP')).rejects.toBeInstanceOf(NetworkError);
  });

  it('says which transaction cannot be decoded, and why (exit 1)', async () => {
    const { gateway } = fakeGateway(() => new peer.ProcessedTransaction().serializeBinary());
    await expect(readTransaction(gateway, TX, 'CityMSP')).rejects.toMatchObject({
      code: 'UNDECODABLE_TRANSACTION',
      exitCode: 1,
      message: `transaction ${TX} cannot be decoded: the processed transaction holds no envelope`,
    });
  });
});
