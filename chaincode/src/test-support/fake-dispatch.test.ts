import { randomBytes } from 'node:crypto';
import { JSONSerializer } from 'fabric-contract-api';
import { ChaincodeStub } from 'fabric-shim';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import { contracts } from '../index';
import { registerPayload } from '../identity/proofs';
import { CivicContract } from '../shared/civic-contract';
import { setPeerClock } from '../shared/peer-clock';
import { newCitizenKey, signPayload } from './citizen-keys';
import { enrolmentCertificate } from './fake-certificate';
import { FakeLedger } from './fake-context';

// fabric-shim lib/contract-spi/chaincodefromcontract.js: what `fabric-chaincode-node start` dispatches with.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ChaincodeFromContract = require('fabric-shim/lib/contract-spi/chaincodefromcontract') as new (
  contracts: unknown[],
  serializers: unknown,
  metadata: unknown,
  title: string,
  version: string,
) => { Invoke(stub: ChaincodeStub): Promise<{ status: number; message?: string; payload?: Uint8Array }> };

// google.protobuf.Timestamp as fabric-protos builds on it (google-protobuf ships no typings).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Timestamp } = require('google-protobuf/google/protobuf/timestamp_pb') as { Timestamp: new () => { setSeconds(s: number): void } };

/** fabric-shim's ChaincodeStub constructor (lib/stub.js), hidden by its typings. */
const RealStub = ChaincodeStub as unknown as new (
  handler: unknown,
  channelId: string,
  txId: string,
  input: peer.ChaincodeInput,
  proposal: peer.SignedProposal,
) => ChaincodeStub;

/**
 * A signed proposal as a client sends it (fabric-protos): the creator's MSP ID and enrolment
 * certificate in the signature header, the timestamp in the channel header, the arguments in the payload.
 */
function signedProposal(mspId: string, certificate: string, seconds: number, input: peer.ChaincodeInput): peer.SignedProposal {
  const creator = new msp.SerializedIdentity();
  creator.setMspid(mspId);
  creator.setIdBytes(Buffer.from(certificate, 'utf8'));
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(creator.serializeBinary());
  signatureHeader.setNonce(randomBytes(24));
  const timestamp = new Timestamp();
  timestamp.setSeconds(seconds);
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.ENDORSER_TRANSACTION);
  channelHeader.setChannelId('civic');
  channelHeader.setTimestamp(timestamp as Parameters<common.ChannelHeader['setTimestamp']>[0]);
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());
  const proposal = new peer.Proposal();
  proposal.setHeader(header.serializeBinary());
  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName('civic');
  const spec = new peer.ChaincodeSpec();
  spec.setType(peer.ChaincodeSpec.Type.NODE);
  spec.setChaincodeId(chaincodeId);
  spec.setInput(input);
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(spec);
  const payload = new peer.ChaincodeProposalPayload();
  payload.setInput(invocation.serializeBinary());
  proposal.setPayload(payload.serializeBinary());
  const signed = new peer.SignedProposal();
  signed.setProposalBytes(proposal.serializeBinary());
  signed.setSignature(randomBytes(64));
  return signed;
}

/** The proposals' timestamp, and the peer's clock while these tests run (unless a test moves it). */
const PROPOSAL_SECONDS = 1_790_000_000;

beforeEach(() => {
  setPeerClock(() => PROPOSAL_SECONDS * 1000);
});
afterEach(() => {
  setPeerClock(undefined);
});

/**
 * Invoke `fcn` (`contract:Function`) through fabric-contract-api's dispatch on fabric-shim's real
 * ChaincodeStub, whose peer handler is answered from a FakeLedger transaction's stub; a response
 * of status 400 or more aborts the transaction (nothing written), as the endorser refuses it.
 */
async function invoke(ledger: FakeLedger, mspId: string, role: string, fcn: string, args: string[], seconds = PROPOSAL_SECONDS) {
  const chaincode = new ChaincodeFromContract(
    [...contracts],
    { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } },
    {},
    'civic',
    '0.1.0',
  );
  const certificate = enrolmentCertificate(mspId, role, { 'civic.role': role });
  let response: { status: number; message?: string; payload?: Uint8Array } | undefined;
  await ledger
    .tx({ mspId, role }, async (ctx) => {
      // The calls lib/stub.js makes on its handler (lib/handler.js ChaincodeMessageHandler), for the public state used here.
      const handler = {
        handleGetState: (_collection: string, key: string) => ctx.stub.getState(key).then((v) => Buffer.from(v)),
        handlePutState: (_collection: string, key: string, value: Buffer) => ctx.stub.putState(key, value),
        handleDeleteState: (_collection: string, key: string) => ctx.stub.deleteState(key),
      };
      const input = new peer.ChaincodeInput();
      input.setArgsList([fcn, ...args].map((a) => Buffer.from(a, 'utf8')));
      const stub = new RealStub(handler, 'civic', ctx.stub.getTxID(), input, signedProposal(mspId, certificate, seconds, input));
      response = await chaincode.Invoke(stub);
      const event = (stub as unknown as { chaincodeEvent?: { getEventName(): string; getPayload_asU8(): Uint8Array } }).chaincodeEvent;
      if (event !== undefined) {
        ctx.stub.setEvent(event.getEventName(), event.getPayload_asU8());
      }
      if (response.status >= 400) {
        throw new Error(response.message);
      }
    })
    .catch(() => undefined);
  if (response === undefined) {
    throw new Error('no response');
  }
  return { status: response.status, message: response.message, payload: Buffer.from(response.payload ?? []).toString('utf8') };
}

describe('the contracts through the real fabric-shim ChaincodeStub and fabric-contract-api dispatch', () => {
  it('registers and resolves a DID, and gives the contract error for a bad argument', async () => {
    const ledger = new FakeLedger();
    const key = newCitizenKey();
    const proof = signPayload(key, registerPayload('civic', key.did, key.publicKeyJwk));
    const registered = await invoke(ledger, 'AgenciesMSP', 'clerk', 'identity:RegisterDID', [
      JSON.stringify({ did: key.did, publicKeyJwk: key.publicKeyJwk, proof }),
    ]);
    expect(registered.status).toBe(200);
    expect(ledger.events.map((e) => e.name)).toEqual(['identity.DIDRegistered']);

    const resolved = await invoke(ledger, 'CityMSP', 'auditor', 'identity:ResolveDID', [key.did]);
    expect(resolved.status).toBe(200);
    expect(JSON.parse(resolved.payload)).toMatchObject({ didDocument: { id: key.did } });

    const bad = await invoke(ledger, 'CityMSP', 'auditor', 'identity:ResolveDID', ['did:civic:nope']);
    expect(bad).toMatchObject({ status: 500, message: expect.stringMatching(/^INVALID_ARGUMENT: did: /) as unknown });

    // The role comes from the certificate's attribute extension, read by fabric-shim's ClientIdentity.
    const snapshot = ledger.snapshot();
    const forbidden = await invoke(ledger, 'CityMSP', 'auditor', 'identity:RegisterDID', [
      JSON.stringify({ did: key.did, publicKeyJwk: key.publicKeyJwk, proof }),
    ]);
    expect(forbidden).toMatchObject({ status: 500, message: expect.stringMatching(/^FORBIDDEN: identity:RegisterDID requires role clerk/) as unknown });
    expect(ledger.snapshot()).toEqual(snapshot);
  });

  it.each([
    ['ahead of', 3600],
    ['behind', -3600],
    ['ahead of', 301],
    ['behind', -301],
  ])("refuses a proposal whose timestamp is %s the peer's clock by more than 300 s (%i s), before the contract runs, writing nothing", async (way, offset) => {
    const ledger = new FakeLedger();
    const key = newCitizenKey();
    const proof = signPayload(key, registerPayload('civic', key.did, key.publicKeyJwk));
    const before = ledger.snapshot();
    const refused = await invoke(
      ledger,
      'AgenciesMSP',
      'clerk',
      'identity:RegisterDID',
      [JSON.stringify({ did: key.did, publicKeyJwk: key.publicKeyJwk, proof })],
      PROPOSAL_SECONDS + offset,
    );
    expect(refused).toEqual({
      status: 500,
      message: `FAILED_PRECONDITION: the proposal's timestamp ${new Date((PROPOSAL_SECONDS + offset) * 1000).toISOString()} is ${Math.abs(offset)} s ${way} this peer's clock (limit 300 s); check the client's clock (NTP)`,
      payload: '',
    });
    expect(ledger.snapshot()).toEqual(before);
    expect(ledger.events).toEqual([]);
    // Queries are refused the same way: a skewed clock would also skew what they report as of "now".
    const query = await invoke(ledger, 'CityMSP', 'auditor', 'identity:ResolveDID', [key.did], PROPOSAL_SECONDS + offset);
    expect(query).toMatchObject({ status: 500, message: expect.stringMatching(/^FAILED_PRECONDITION: the proposal's timestamp/) as unknown });
  });

  it.each([300, -300, 0])('endorses a proposal within the skew (%i s off), and the transaction writes as before', async (offset) => {
    const ledger = new FakeLedger();
    const key = newCitizenKey();
    const proof = signPayload(key, registerPayload('civic', key.did, key.publicKeyJwk));
    const registered = await invoke(
      ledger,
      'AgenciesMSP',
      'clerk',
      'identity:RegisterDID',
      [JSON.stringify({ did: key.did, publicKeyJwk: key.publicKeyJwk, proof })],
      PROPOSAL_SECONDS + offset,
    );
    expect(registered.status).toBe(200);
    expect(ledger.events.map((e) => e.name)).toEqual(['identity.DIDRegistered']);
    expect(ledger.snapshot().size).toBeGreaterThan(0);
  });

  it('takes the limit from CIVIC_MAX_CLOCK_SKEW_SECONDS of the chaincode process', async () => {
    const saved = process.env.CIVIC_MAX_CLOCK_SKEW_SECONDS;
    const ledger = new FakeLedger();
    const register = (seconds: number) => {
      const key = newCitizenKey();
      const proof = signPayload(key, registerPayload('civic', key.did, key.publicKeyJwk));
      return invoke(ledger, 'AgenciesMSP', 'clerk', 'identity:RegisterDID', [JSON.stringify({ did: key.did, publicKeyJwk: key.publicKeyJwk, proof })], seconds);
    };
    process.env.CIVIC_MAX_CLOCK_SKEW_SECONDS = '60';
    try {
      expect(await register(PROPOSAL_SECONDS + 60)).toMatchObject({ status: 200 });
      const before = ledger.snapshot();
      expect(await register(PROPOSAL_SECONDS - 61)).toMatchObject({
        status: 500,
        message: expect.stringMatching(/is 61 s behind this peer's clock \(limit 60 s\)/) as unknown,
      });
      process.env.CIVIC_MAX_CLOCK_SKEW_SECONDS = 'ten minutes';
      expect(await register(PROPOSAL_SECONDS)).toMatchObject({
        status: 500,
        message: 'FAILED_PRECONDITION: CIVIC_MAX_CLOCK_SKEW_SECONDS of this peer\'s chaincode is "ten minutes"; expected a whole number of seconds, at least 1',
      });
      expect(ledger.snapshot()).toEqual(before);
    } finally {
      if (saved === undefined) {
        delete process.env.CIVIC_MAX_CLOCK_SKEW_SECONDS;
      } else {
        process.env.CIVIC_MAX_CLOCK_SKEW_SECONDS = saved;
      }
    }
  });

  it('checks the clock in every contract: each one is a CivicContract', () => {
    for (const contract of contracts) {
      expect({ contract: contract.name, civic: contract.prototype instanceof CivicContract }).toEqual({ contract: contract.name, civic: true });
    }
  });
});
