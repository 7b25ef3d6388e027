/**
 * A transaction as the ledger holds it, decoded with Fabric's own protobuf definitions
 * (@hyperledger/fabric-protos), the way a committing peer walks it
 * (core/common/validation/msgvalidation.go, protoutil/txutils.go):
 *
 *   Envelope → Payload → Header { ChannelHeader, SignatureHeader (creator) }
 *            → data: Transaction → TransactionAction → ChaincodeActionPayload
 *                 → ChaincodeProposalPayload → ChaincodeInvocationSpec (chaincode, arguments)
 *                 → ChaincodeEndorsedAction → endorsements, ProposalResponsePayload
 *                      → ChaincodeAction (results: TxReadWriteSet, response)
 *            → or, for a CONFIG envelope, data: ConfigEnvelope.
 *
 * What it returns never holds a chaincode argument other than the function name, a value
 * written to the world state, or private data other than its hashes: arguments are in the block
 * for every peer to read, and may carry personal data (transient data is never in a block).
 */
import { common, peer } from '@hyperledger/fabric-protos';
import { statusName } from '../gateway/status-names';
import { decodeReadWriteSet, type NamespaceReadWrites } from './rwset';
import { identityOf, type LedgerIdentity } from './serialized-identity';

/** What every kind of transaction envelope says about itself. */
interface EnvelopeSummary {
  readonly txId: string;
  readonly channel: string;
  /** The envelope's `common.HeaderType` name, e.g. `ENDORSER_TRANSACTION` or `CONFIG`. */
  readonly type: string;
  /** The creator's timestamp from the channel header, ISO 8601 UTC; `null` when it has none. */
  readonly timestamp: string | null;
  /** Who created and signed the envelope; `null` when its header names nobody (e.g. a genesis block's config). */
  readonly creator: LedgerIdentity | null;
}

/** A chaincode invocation, endorsed by peers and ordered. */
export interface EndorserTransaction extends EnvelopeSummary {
  readonly kind: 'endorser';
  /** The invoked chaincode's name, e.g. `civic`. */
  readonly chaincode: string;
  /** The chaincode version the endorsers ran, from their ChaincodeAction; `null` when not given. */
  readonly chaincodeVersion: string | null;
  /** The first argument: for a fabric-contract-api chaincode, `<contract>:<transaction>` (e.g. `identity:RegisterDID`). */
  readonly function: string;
  /** How many arguments follow the function (their values are not decoded). */
  readonly argumentCount: number;
  /** The endorsing peers, in the order the transaction lists them. */
  readonly endorsers: readonly LedgerIdentity[];
  /** The chaincode's response status at endorsement (200 for success). */
  readonly responseStatus: number;
  /** What it read and wrote, per namespace: keys, versions, sizes; private data as hashes. */
  readonly readWrites: readonly NamespaceReadWrites[];
}

/** A channel configuration, as the orderers wrote it into a config block. */
export interface ConfigTransaction extends EnvelopeSummary {
  readonly kind: 'config';
  /** The configuration's sequence number (0 for the genesis configuration). */
  readonly configSequence: number;
  /** Who signed the config update that led to it (none for the genesis configuration). */
  readonly updateSigners: readonly LedgerIdentity[];
}

/** Any other envelope type (e.g. a legacy ORDERER_TRANSACTION): headers only. */
export interface OtherTransaction extends EnvelopeSummary {
  readonly kind: 'other';
}

/** A decoded transaction envelope. */
export type DecodedEnvelope = EndorserTransaction | ConfigTransaction | OtherTransaction;

/** A transaction as a peer's ledger holds it: the envelope and the validation code it was committed with. */
export type DecodedTransaction = DecodedEnvelope & {
  /** The `peer.TxValidationCode` name, e.g. `VALID` or `MVCC_READ_CONFLICT`. */
  readonly validationCode: string;
};

/** The headers of an envelope: its payload, channel header and signature header. */
export interface EnvelopeHeaders {
  readonly payload: common.Payload;
  readonly channelHeader: common.ChannelHeader;
  readonly signatureHeader: common.SignatureHeader;
}

/** The parts of an endorser transaction's one action that auditors and the block-file tests read. */
export interface EndorserAction {
  /** The invoked chaincode's name. */
  readonly chaincode: string;
  /** The invocation's arguments, the function first (raw bytes: never print the rest). */
  readonly args: readonly Uint8Array[];
  /** The endorsements and the proposal response payload they signed. */
  readonly endorsed: peer.ChaincodeEndorsedAction;
}

const HEADER_TYPE_NAMES = new Map<number, string>(Object.entries(common.HeaderType).map(([name, code]) => [code, name]));

/** Thrown when an envelope lacks a part Fabric requires (what a committing peer marks BAD_PAYLOAD or similar). */
export class MalformedEnvelope extends Error {}

/**
 * The headers of a `common.Envelope`.
 *
 * @param envelope - the envelope, or its bytes as a block's data holds them
 * @throws MalformedEnvelope when the payload has no header
 */
export function envelopeHeaders(envelope: Uint8Array | common.Envelope): EnvelopeHeaders {
  const message = envelope instanceof common.Envelope ? envelope : common.Envelope.deserializeBinary(envelope);
  const payload = common.Payload.deserializeBinary(message.getPayload_asU8());
  const header = payload.getHeader();
  if (header === undefined) {
    throw new MalformedEnvelope('the envelope payload has no header');
  }
  return {
    payload,
    channelHeader: common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8()),
    signatureHeader: common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8()),
  };
}

/**
 * The one action of an endorser transaction's payload (Fabric accepts exactly one:
 * core/common/validation/msgvalidation.go `validateEndorserTransaction`).
 *
 * @param payload - the payload of an ENDORSER_TRANSACTION envelope
 * @throws MalformedEnvelope when it holds no action or no endorsed action
 */
export function endorserAction(payload: common.Payload): EndorserAction {
  const action = peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList()[0];
  if (action === undefined) {
    throw new MalformedEnvelope('the transaction holds no action');
  }
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const proposal = peer.ChaincodeProposalPayload.deserializeBinary(actionPayload.getChaincodeProposalPayload_asU8());
  const spec = peer.ChaincodeInvocationSpec.deserializeBinary(proposal.getInput_asU8()).getChaincodeSpec();
  const endorsed = actionPayload.getAction();
  if (endorsed === undefined) {
    throw new MalformedEnvelope('the transaction action holds no endorsed action');
  }
  return { chaincode: spec?.getChaincodeId()?.getName() ?? '', args: spec?.getInput()?.getArgsList_asU8() ?? [], endorsed };
}

/** google.protobuf.Timestamp, whose type declarations (google-protobuf) this project does not install. */
interface ProtobufTimestamp {
  getSeconds(): number;
  getNanos(): number;
}

function timestampOf(channelHeader: common.ChannelHeader): string | null {
  const ts = channelHeader.getTimestamp() as ProtobufTimestamp | undefined;
  return ts === undefined ? null : new Date(ts.getSeconds() * 1000 + Math.floor(ts.getNanos() / 1e6)).toISOString();
}

function creatorOf(signatureHeader: common.SignatureHeader): LedgerIdentity | null {
  const creator = signatureHeader.getCreator_asU8();
  return creator.length === 0 ? null : identityOf(creator);
}

function decodeEndorser(payload: common.Payload, summary: EnvelopeSummary): EndorserTransaction {
  const { chaincode, args, endorsed } = endorserAction(payload);
  const extension = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8()).getExtension_asU8();
  const action = peer.ChaincodeAction.deserializeBinary(extension);
  const version = action.getChaincodeId()?.getVersion() ?? '';
  return {
    ...summary,
    kind: 'endorser',
    chaincode,
    chaincodeVersion: version === '' ? null : version,
    function: Buffer.from(args[0] ?? new Uint8Array()).toString('utf8'),
    argumentCount: Math.max(args.length - 1, 0),
    endorsers: endorsed.getEndorsementsList().map((e) => identityOf(e.getEndorser_asU8())),
    responseStatus: action.getResponse()?.getStatus() ?? 0,
    readWrites: decodeReadWriteSet(action.getResults_asU8()),
  };
}

function decodeConfig(payload: common.Payload, summary: EnvelopeSummary): ConfigTransaction {
  const config = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8());
  const lastUpdate = config.getLastUpdate();
  const signatures =
    lastUpdate === undefined
      ? []
      : common.ConfigUpdateEnvelope.deserializeBinary(common.Payload.deserializeBinary(lastUpdate.getPayload_asU8()).getData_asU8()).getSignaturesList();
  return {
    ...summary,
    kind: 'config',
    configSequence: config.getConfig()?.getSequence() ?? 0,
    updateSigners: signatures.flatMap((s) => {
      const signer = creatorOf(common.SignatureHeader.deserializeBinary(s.getSignatureHeader_asU8()));
      return signer === null ? [] : [signer];
    }),
  };
}

/**
 * Decode a serialized `common.Envelope` of any type.
 *
 * @param envelope - the envelope, or its bytes
 * @returns an endorser transaction (chaincode, function, endorsers, read/write set), a config
 *   transaction (sequence, update signers) or, for any other type, the headers only
 * @throws MalformedEnvelope when a part Fabric requires is missing; Error when the bytes are not protobuf
 */
export function decodeEnvelope(envelope: Uint8Array | common.Envelope): DecodedEnvelope {
  const { payload, channelHeader, signatureHeader } = envelopeHeaders(envelope);
  const type = channelHeader.getType();
  const summary: EnvelopeSummary = {
    txId: channelHeader.getTxId(),
    channel: channelHeader.getChannelId(),
    type: HEADER_TYPE_NAMES.get(type) ?? `HEADER_TYPE_${String(type)}`,
    timestamp: timestampOf(channelHeader),
    creator: creatorOf(signatureHeader),
  };
  if (type === common.HeaderType.ENDORSER_TRANSACTION) {
    return decodeEndorser(payload, summary);
  }
  if (type === common.HeaderType.CONFIG) {
    return decodeConfig(payload, summary);
  }
  return { ...summary, kind: 'other' };
}

/**
 * Decode what `qscc GetTransactionByID` returns: a serialized `peer.ProcessedTransaction`
 * (the envelope and the validation code the peer committed it with; core/scc/qscc/query.go).
 *
 * @param bytes - the serialized ProcessedTransaction
 * @returns the decoded envelope with its validation code's name
 * @throws MalformedEnvelope when it holds no envelope or a part Fabric requires is missing
 */
export function decodeProcessedTransaction(bytes: Uint8Array): DecodedTransaction {
  const processed = peer.ProcessedTransaction.deserializeBinary(bytes);
  const envelope = processed.getTransactionenvelope();
  if (envelope === undefined) {
    throw new MalformedEnvelope('the processed transaction holds no envelope');
  }
  return { ...decodeEnvelope(envelope), validationCode: statusName(processed.getValidationcode()) };
}
