import type { ServiceError } from '@grpc/grpc-js';
import { CommitError, EndorseError, GatewayError, StatusCode } from '@hyperledger/fabric-gateway';
import { ContractError, NetworkError, UsageError } from '../errors';
import { fromFabricError } from './fabric-errors';

const cause = {} as ServiceError;

describe('fromFabricError', () => {
  it('turns a chaincode refusal into its code, message, endorser and transaction id', () => {
    const error = new EndorseError({
      code: 10,
      cause,
      transactionId: 'tx42',
      message: '10 ABORTED: failed to endorse transaction, see attached details for more info',
      details: [
        { address: '127.0.0.1:27022', mspId: 'AgenciesMSP', message: 'chaincode response 500, INVALID_SIGNATURE: request.proof is not a valid signature' },
      ],
    });
    const mapped = fromFabricError(error);
    expect(mapped).toBeInstanceOf(ContractError);
    expect(mapped).toMatchObject({ code: 'INVALID_SIGNATURE', exitCode: 1, transactionId: 'tx42', endorser: 'AgenciesMSP 127.0.0.1:27022' });
    expect(mapped.message).toBe('INVALID_SIGNATURE: request.proof is not a valid signature (endorser AgenciesMSP, tx tx42)');
    expect(mapped.detail).toContain('10 ABORTED');
  });

  it("names a peer's own refusal of a proposal stamped outside its time window as the client's clock (exit 1), not as an unreachable peer", () => {
    const refusal =
      'request unauthorized due to incorrect timestamp 2026-11-30T21:11:51Z, peer time 2026-11-30T22:11:51Z, peer.authentication.timewindow 15m0s';
    const error = new GatewayError({
      code: 14,
      cause,
      message: '14 UNAVAILABLE: failed to evaluate transaction, see attached details for more info',
      details: [
        { address: '127.0.0.1:27002', mspId: 'CityMSP', message: refusal },
        { address: '127.0.0.1:27042', mspId: 'UtilitiesMSP', message: 'rpc error: code = Canceled desc = grpc: the client connection is closing' },
      ],
    });
    const mapped = fromFabricError(error);
    expect(mapped).toBeInstanceOf(ContractError);
    expect(mapped).toMatchObject({ code: 'FAILED_PRECONDITION', exitCode: 1, endorser: 'CityMSP 127.0.0.1:27002' });
    expect(mapped.message).toBe(
      "FAILED_PRECONDITION: the proposal's timestamp 2026-11-30T21:11:51Z is 3600 s behind the peer's clock (limit 15m0s, peer.authentication.timewindow); check the client's clock (NTP) (endorser CityMSP)",
    );
    expect(mapped.detail).toContain(refusal);
  });

  it("names a peer's refusal of a caller whose org is not on the channel (exit 1)", () => {
    const error = new EndorseError({
      code: 10,
      cause,
      transactionId: 'tx43',
      message: '10 ABORTED: failed to endorse transaction, see attached details for more info',
      details: [
        {
          address: '10.77.39.1:29502',
          mspId: 'CityMSP',
          message: 'error validating proposal: access denied: channel [civic] creator org unknown, creator is malformed',
        },
      ],
    });
    const mapped = fromFabricError(error);
    expect(mapped).toBeInstanceOf(ContractError);
    expect(mapped).toMatchObject({ code: 'ACCESS_DENIED', exitCode: 1, transactionId: 'tx43', endorser: 'CityMSP 10.77.39.1:29502' });
    expect(mapped.message).toMatch(
      /^ACCESS_DENIED: CityMSP's peer refused the caller's identity: access denied: channel \[civic\] creator org unknown, creator is malformed \(/,
    );
  });

  it("names every peer's refusal of an expired certificate as the identity refused (exit 1), not as an unreachable peer", () => {
    const error = new GatewayError({
      code: 14,
      cause,
      message: '14 UNAVAILABLE: failed to evaluate transaction, see attached details for more info',
      details: [
        { address: '127.0.0.1:24302', mspId: 'CityMSP', message: 'proposal client identity expired' },
        { address: '127.0.0.1:24322', mspId: 'AgenciesMSP', message: 'rpc error: code = Unknown desc = proposal client identity expired' },
      ],
    });
    const mapped = fromFabricError(error);
    expect(mapped).toBeInstanceOf(ContractError);
    expect(mapped).toMatchObject({ code: 'ACCESS_DENIED', exitCode: 1, endorser: 'CityMSP 127.0.0.1:24302' });
    expect(mapped.message).toBe(
      "ACCESS_DENIED: CityMSP's peer refused the caller's identity: proposal client identity expired (its certificate's validity has ended; enroll again) (endorser CityMSP)",
    );
  });

  it('reports an unreachable peer as a network error (exit 2)', () => {
    const mapped = fromFabricError(new GatewayError({ code: 14, cause, details: [], message: '14 UNAVAILABLE: No connection established' }));
    expect(mapped).toBeInstanceOf(NetworkError);
    expect(mapped).toMatchObject({ code: 'UNAVAILABLE', exitCode: 2 });
    expect(mapped.message).toMatch(/cannot reach the gateway peer/);
  });

  it('blames the orderers, not the gateway peer, when no orderer takes a submitted transaction (exit 2)', () => {
    const message =
      '14 UNAVAILABLE: no orderers could successfully process transaction; CityMSP 127.0.0.1:24005: rpc error: code = Unavailable desc = connection error';
    const mapped = fromFabricError(new GatewayError({ code: 14, cause, details: [], message }));
    expect(mapped).toBeInstanceOf(NetworkError);
    expect(mapped).toMatchObject({ code: 'ORDERERS_UNAVAILABLE', exitCode: 2 });
    expect(mapped.message).toMatch(/^the orderers did not take the transaction: .*is a majority of the orderers up\?/);
    expect(mapped.message).not.toMatch(/gateway peer/);
  });

  it('says the chaincode is not deterministic when the endorsing peers returned different results (exit 1)', () => {
    // What a live Fabric 3.1.1 gateway returned for the probe chaincode's PutClock (Date.now() and Math.random()).
    const error = new EndorseError({
      code: 10,
      cause,
      transactionId: 'tx44',
      message: '10 ABORTED: failed to collect enough transaction endorsements, see attached details for more info',
      details: [
        { address: '127.0.0.1:24022', message: 'ProposalResponsePayloads do not match', mspId: 'AgenciesMSP' },
        { address: '127.0.0.1:24042', message: 'ProposalResponsePayloads do not match', mspId: 'UtilitiesMSP' },
      ],
    });
    const mapped = fromFabricError(error);
    expect(mapped).toBeInstanceOf(ContractError);
    expect(mapped).toMatchObject({ code: 'ENDORSEMENTS_DIFFER', exitCode: 1, transactionId: 'tx44' });
    expect(mapped.message).toBe(
      'ENDORSEMENTS_DIFFER: the endorsing peers returned different results (the chaincode is not deterministic: AgenciesMSP, UtilitiesMSP ' +
        'disagreed with the first endorser), so the transaction was not submitted and nothing was written (tx tx44)',
    );
    expect(mapped.detail).toContain('127.0.0.1:24042: ProposalResponsePayloads do not match');
  });

  it("says the chaincode process stopped mid-transaction when a peer's chaincode stream terminated (exit 2)", () => {
    // What a live Fabric 3.1.1 gateway returned when the probe chaincode's process was SIGKILLed mid-invoke.
    const error = new EndorseError({
      code: 10,
      cause,
      transactionId: 'tx45',
      message: '10 ABORTED: failed to endorse transaction, see attached details for more info',
      details: [
        {
          address: '127.0.0.1:24002',
          message:
            'error in simulation: failed to execute transaction 9c7ba6946fd4b1576f57fec4209625bb7cf01b6cc8914157f99c3158e775c596: error sending: chaincode stream terminated',
          mspId: 'CityMSP',
        },
      ],
    });
    const mapped = fromFabricError(error);
    expect(mapped).toBeInstanceOf(NetworkError);
    expect(mapped).toMatchObject({ code: 'CHAINCODE_TERMINATED', exitCode: 2 });
    expect(mapped.message).toBe(
      "the chaincode process on CityMSP's peer (127.0.0.1:24002) stopped while it ran the transaction (chaincode stream terminated); " +
        'nothing was written: retry, the peer starts the chaincode again (tx tx45)',
    );
  });

  it('reads the gateway\'s "no combination of peers" as too few orgs up to endorse (exit 2), keeping the transaction id for the diagnosis', () => {
    const message =
      '9 FAILED_PRECONDITION: no combination of peers can be derived which satisfy the endorsement policy: no peer combination can satisfy the endorsement policy';
    const mapped = fromFabricError(new EndorseError({ code: 9, cause, transactionId: 'tx9', details: [], message }));
    expect(mapped).toBeInstanceOf(NetworkError);
    expect(mapped).toMatchObject({ code: 'ENDORSERS_UNAVAILABLE', exitCode: 2, transactionId: 'tx9', data: { failed: [] } });
    expect(mapped.message).toBe("not enough orgs' peers are up to satisfy the chaincode's endorsement policy (civic network status) (tx tx9)");
  });

  it('reads endorsers the gateway could not connect to, right after they stopped, as too few orgs up (the failed ones kept)', () => {
    const refused =
      'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:24622: connect: connection refused"';
    const error = new EndorseError({
      code: 10,
      cause,
      transactionId: 'tx5',
      message: '10 ABORTED: failed to collect enough transaction endorsements, see attached details for more info',
      details: [
        { address: '127.0.0.1:24622', mspId: 'AgenciesMSP', message: refused },
        { address: '127.0.0.1:24642', mspId: 'UtilitiesMSP', message: 'rpc error: code = Unavailable desc = connection error: connection reset by peer' },
      ],
    });
    const mapped = fromFabricError(error);
    expect(mapped).toMatchObject({ code: 'ENDORSERS_UNAVAILABLE', exitCode: 2, transactionId: 'tx5' });
    expect(mapped.data).toEqual({
      failed: [
        { mspId: 'AgenciesMSP', address: '127.0.0.1:24622' },
        { mspId: 'UtilitiesMSP', address: '127.0.0.1:24642' },
      ],
    });
    const otherCause = new EndorseError({
      code: 10,
      cause,
      transactionId: 'tx6',
      message: error.message,
      details: [{ address: 'a', mspId: 'AgenciesMSP', message: 'rpc error: code = Unknown desc = boom' }],
    });
    expect(fromFabricError(otherCause)).toMatchObject({ code: 'GRPC_10' });
  });

  it('names the org the proposal asked to endorse that has no peer up, not an unreachable gateway peer', () => {
    const message = '14 UNAVAILABLE: failed to find any endorsing peers for org(s): AgenciesMSP, UtilitiesMSP';
    const mapped = fromFabricError(new EndorseError({ code: 14, cause, transactionId: 'tx3', details: [], message }), ['CityMSP', 'AgenciesMSP']);
    expect(mapped).toMatchObject({ code: 'ENDORSERS_UNAVAILABLE', exitCode: 2, data: { missingOrgs: ['AgenciesMSP', 'UtilitiesMSP'] } });
    expect(mapped.message).toBe(
      'the orgs that must endorse this transaction are not all up: no peer of AgenciesMSP, UtilitiesMSP answered (civic network status) (tx tx3)',
    );
  });

  it('names the org a query was asked of when none of its peers is up to evaluate it', () => {
    const message = '9 FAILED_PRECONDITION: no peers available to evaluate chaincode civic in channel civic';
    const asked = fromFabricError(new GatewayError({ code: 9, cause, details: [], message }), ['UtilitiesMSP']);
    expect(asked).toMatchObject({ code: 'ENDORSERS_UNAVAILABLE', data: { missingOrgs: ['UtilitiesMSP'] } });
    expect(asked.message).toBe('no peer of UtilitiesMSP, the org(s) this query must be answered by, is up (civic network status)');
    expect(fromFabricError(new GatewayError({ code: 9, cause, details: [], message }))).toMatchObject({ code: 'GRPC_9' });
  });

  it('names the validation code of a transaction that failed to commit', () => {
    const mapped = fromFabricError(new CommitError({ code: StatusCode.ENDORSEMENT_POLICY_FAILURE, transactionId: 'tx7', message: 'failed' }));
    expect(mapped).toMatchObject({ code: 'ENDORSEMENT_POLICY_FAILURE', exitCode: 1, transactionId: 'tx7' });
  });

  it('passes CLI errors through and wraps anything else as exit 2', () => {
    const usage = new UsageError('bad');
    expect(fromFabricError(usage)).toBe(usage);
    expect(fromFabricError(new Error('boom'))).toMatchObject({ exitCode: 2, message: 'boom' });
  });
});
