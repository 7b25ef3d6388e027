/**
 * Verify a channel's chain block by block, as a Fabric peer verifies blocks it receives
 * (common/deliverclient/block_verification.go VerifyBlock, protoutil.BlockSignatureVerifier):
 * each block's number follows the last, its previous hash is the hash of the last block's
 * header, its data hash is the hash of its envelopes, and its orderer signatures satisfy the
 * `/Channel/Orderer/BlockValidation` policy of the channel config in force when it was cut
 * (the config of the last config block before it), each signer being an orderer org's node of
 * the consenter set. The genesis block is the trust anchor: it carries no signatures, and its
 * hash is what the orgs compare.
 */
import { createVerify, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { fromBER, Integer, Sequence } from 'asn1js';
import { common, msp } from '@hyperledger/fabric-protos';
import { blockDataHash, blockHeaderBytes, blockHeaderHash } from './block-hash';
import { channelConfigOf, type ChannelConfig } from './channel-config';
import { validateIdentity, type ValidIdentity } from './msp';
import { evaluatePolicy } from './policy';

/** What one verified block looks like, for tables and for comparing peers. */
export interface BlockSummary {
  readonly number: number;
  /** SHA-256 of the header, hex: what the next block links to. */
  readonly hash: string;
  readonly dataHash: string;
  readonly previousHash: string;
  readonly transactions: number;
  /** The first envelope's channel header timestamp (ISO 8601), if it has one. */
  readonly timestamp: string | undefined;
  /** The committing peer's validation code per transaction (TRANSACTIONS_FILTER), hex; empty in an orderer's copy. */
  readonly validationFlags: string;
  /** The committing peer's commit hash (COMMIT_HASH metadata), hex; empty in an orderer's copy. */
  readonly commitHash: string;
  /** True for a config block. */
  readonly config: boolean;
  /** The MSP IDs whose orderer signatures on the block were valid. */
  readonly signers: readonly string[];
}

/** The first thing wrong with a chain: the block and why. */
export interface ChainProblem {
  readonly block: number;
  readonly reason: string;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function timestampOf(envelope: Uint8Array | undefined): string | undefined {
  if (envelope === undefined) {
    return undefined;
  }
  try {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelope).getPayload_asU8());
    const stamp = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array()).getTimestamp();
    return stamp === undefined ? undefined : stamp.toDate().toISOString();
  } catch {
    return undefined;
  }
}

/** The commit hash a peer stored with a block (a `common.Metadata` whose value is the hash), hex. */
function commitHashOf(bytes: Uint8Array | undefined): string {
  try {
    return bytes === undefined || bytes.length === 0 ? '' : hex(common.Metadata.deserializeBinary(bytes).getValue_asU8());
  } catch {
    return `undecodable:${hex(bytes ?? new Uint8Array())}`;
  }
}

/**
 * A block's summary as it is: hashes recomputed from its header, nothing checked against other
 * blocks (see {@link ChainVerifier} for that).
 */
export function summarizeBlock(block: common.Block): BlockSummary {
  const header = block.getHeader() ?? new common.BlockHeader();
  const envelopes = block.getData()?.getDataList_asU8() ?? [];
  const metadata = block.getMetadata()?.getMetadataList_asU8() ?? [];
  let config = false;
  try {
    config = channelConfigOf(block) !== undefined;
  } catch {
    config = true;
  }
  return {
    number: header.getNumber(),
    hash: hex(blockHeaderHash(header)),
    dataHash: hex(header.getDataHash_asU8()),
    previousHash: hex(header.getPreviousHash_asU8()),
    transactions: envelopes.length,
    timestamp: timestampOf(envelopes[0]),
    validationFlags: hex(metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array()),
    commitHash: commitHashOf(metadata[common.BlockMetadataIndex.COMMIT_HASH]),
    config,
    signers: [],
  };
}

/** The channel id every envelope of the block names; throws naming the first that does not. */
function checkEnvelopes(envelopes: Uint8Array[], channel: string): void {
  envelopes.forEach((bytes, index) => {
    let channelId: string;
    try {
      const envelope = common.Envelope.deserializeBinary(bytes);
      const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
      channelId = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array()).getChannelId();
    } catch (error) {
      throw new Error(`envelope ${String(index)} is not a well-formed Fabric envelope (${(error as Error).message})`);
    }
    if (channelId !== channel) {
      throw new Error(`envelope ${String(index)} is of channel '${channelId}', not '${channel}'`);
    }
  });
}

/** Why a block does not follow the last one, or `undefined` when it does. */
function linkProblem(header: common.BlockHeader, data: common.BlockData, expected: number, lastHash: Buffer | undefined): string | undefined {
  if (header.getNumber() !== expected) {
    return `block ${String(expected)} expected, but the block's header says ${String(header.getNumber())}`;
  }
  const computed = blockDataHash(data);
  if (!computed.equals(Buffer.from(header.getDataHash_asU8()))) {
    return `data hash mismatch: the header says ${hex(header.getDataHash_asU8())}, the envelopes hash to ${hex(computed)}`;
  }
  const previous = Buffer.from(header.getPreviousHash_asU8());
  if (lastHash === undefined ? previous.length !== 0 : !lastHash.equals(previous)) {
    const before = lastHash === undefined ? '(no block comes before the genesis block)' : `block ${String(expected - 1)} hashes to ${hex(lastHash)}`;
    return `previous hash mismatch: the header says ${hex(previous) || '(none)'}, ${before}`;
  }
  return undefined;
}

/** A block's envelopes checked, its config (for a config block) and its signature metadata; or why not. */
function contentOf(block: common.Block, channel: string): { config: ChannelConfig | undefined; metadata: Uint8Array[] } | string {
  const envelopes = block.getData()?.getDataList_asU8() ?? [];
  const metadata = block.getMetadata()?.getMetadataList_asU8() ?? [];
  let config: ChannelConfig | undefined;
  try {
    if (envelopes.length === 0) {
      return 'the block holds no envelopes';
    }
    checkEnvelopes(envelopes, channel);
    config = channelConfigOf(block);
  } catch (error) {
    return (error as Error).message;
  }
  const wrong = flagsProblem(metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER], envelopes.length) ?? configProblem(block, config, metadata);
  return wrong ?? { config, metadata };
}

/** The genesis block must be a config block; a config transaction must not be marked invalid. */
function configProblem(block: common.Block, config: ChannelConfig | undefined, metadata: Uint8Array[]): string | undefined {
  if (block.getHeader()?.getNumber() === 0 && config === undefined) {
    return 'the genesis block is not a config block';
  }
  if (config !== undefined && (metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER]?.[0] ?? 0) !== 0) {
    return 'its config transaction is marked invalid by the peer that committed it, so no config can be in force after it';
  }
  return undefined;
}

/** Validation flags must cover every transaction; an orderer's copy has none (only a committing peer writes them). */
function flagsProblem(flags: Uint8Array | undefined, transactions: number): string | undefined {
  const count = flags?.length ?? 0;
  return count === transactions || count === 0 ? undefined : `its validation flags cover ${String(count)} transactions, but it holds ${String(transactions)}`;
}

/**
 * The last config block's number a block's metadata names: in the orderer metadata of its
 * signatures (Fabric 2 and later), else in the LAST_CONFIG entry chains begun on Fabric 1.4 used.
 */
function lastConfigIndex(signatures: common.Metadata, metadata: Uint8Array[]): number {
  if (signatures.getValue_asU8().length > 0) {
    return common.OrdererBlockMetadata.deserializeBinary(signatures.getValue_asU8()).getLastConfig()?.getIndex() ?? -1;
  }
  const legacy = metadata[common.BlockMetadataIndex.LAST_CONFIG];
  return legacy === undefined || legacy.length === 0
    ? -1
    : common.LastConfig.deserializeBinary(common.Metadata.deserializeBinary(legacy).getValue_asU8()).getIndex();
}

/** The orderer signatures of a block, checked to name the expected last config block; or why not. */
function decodeSignatures(metadata: Uint8Array[], expectedLastConfig: number): common.Metadata | string {
  const bytes = metadata[common.BlockMetadataIndex.SIGNATURES];
  if (bytes === undefined || bytes.length === 0) {
    return 'it carries no orderer signatures';
  }
  let signatures: common.Metadata;
  let lastConfig: number;
  try {
    signatures = common.Metadata.deserializeBinary(bytes);
    lastConfig = lastConfigIndex(signatures, metadata);
  } catch (error) {
    return `its signature metadata cannot be decoded (${(error as Error).message})`;
  }
  if (lastConfig !== expectedLastConfig) {
    return `its orderer metadata names block ${String(lastConfig)} as the last config block, but that is block ${String(expectedLastConfig)}`;
  }
  return signatures;
}

const P256_ORDER = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');
const P384_ORDER = BigInt('0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973');

/**
 * Whether a signature over `data` verifies with the certificate's key as Fabric's BCCSP checks
 * it: SHA-256 ECDSA with a low S (bccsp/sw/ecdsa.go; a high S is malleable and refused), or
 * Ed25519.
 */
export function signatureVerifies(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  if (key.asymmetricKeyType === 'ed25519') {
    return cryptoVerify(null, data, key, signature);
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const order = curve === 'prime256v1' ? P256_ORDER : curve === 'secp384r1' ? P384_ORDER : undefined;
  const parsed = fromBER(Uint8Array.from(signature).buffer);
  const s = parsed.offset !== -1 && parsed.result instanceof Sequence ? parsed.result.valueBlock.value[1] : undefined;
  if (order !== undefined && !(s instanceof Integer && s.toBigInt() <= order / 2n)) {
    return false;
  }
  return createVerify('sha256').update(data).verify(key, signature);
}

/**
 * Checks blocks fed to it in order, from the genesis block on, keeping only the last header
 * hash and the config in force. Use one verifier per copy of the chain.
 */
export class ChainVerifier {
  readonly #channel: string;
  #next = 0;
  #lastHash: Buffer | undefined;
  #config: ChannelConfig | undefined;
  #identities = new Map<string, ValidIdentity | { rejected: string }>();
  #signatures = 0;
  #configBlocks: number[] = [];

  /** @param channel - the channel the blocks must belong to */
  constructor(channel: string) {
    this.#channel = channel;
  }

  /** How many orderer signatures have been checked so far. */
  get signaturesChecked(): number {
    return this.#signatures;
  }

  /** The numbers of the config blocks seen so far. */
  get configBlocks(): readonly number[] {
    return this.#configBlocks;
  }

  /** The genesis block's hash, once block 0 has been checked. */
  genesisHash: string | undefined;

  /**
   * Check the next block.
   *
   * @returns its summary, and the problem if anything about it is wrong (stop there: later
   *   blocks cannot be checked against a chain that is already broken)
   */
  check(block: common.Block): { summary: BlockSummary | undefined; problem: ChainProblem | undefined } {
    const expected = this.#next;
    const header = block.getHeader();
    const data = block.getData();
    const fail = (reason: string): { summary: undefined; problem: ChainProblem } => ({ summary: undefined, problem: { block: expected, reason } });
    if (header === undefined || data === undefined) {
      return fail('the block has no header or no data');
    }
    const broken = linkProblem(header, data, expected, this.#lastHash);
    if (broken !== undefined) {
      return fail(broken);
    }
    const content = contentOf(block, this.#channel);
    if (typeof content === 'string') {
      return fail(content);
    }
    const previous = this.#config;
    if (content.config !== undefined && previous !== undefined && content.config.sequence !== previous.sequence + 1) {
      return fail(
        `its channel config has sequence ${String(content.config.sequence)}, but the config in force (block ${String(previous.blockNumber)}) has ${String(previous.sequence)}`,
      );
    }
    let signers: string[] | string = [];
    try {
      signers = expected === 0 ? [] : this.#checkSignatures(header, content.metadata, content.config === undefined ? undefined : expected);
    } catch (error) {
      signers = `its signatures cannot be checked (${(error as Error).message})`;
    }
    if (typeof signers === 'string') {
      return fail(signers);
    }
    this.#accept(header, expected, content.config);
    return { summary: { ...summarizeBlock(block), signers }, problem: undefined };
  }

  #accept(header: common.BlockHeader, number: number, config: ChannelConfig | undefined): void {
    this.#lastHash = blockHeaderHash(header);
    this.#next = number + 1;
    if (config !== undefined) {
      this.#config = config;
      this.#configBlocks.push(number);
    }
    if (number === 0) {
      this.genesisHash = hex(this.#lastHash);
    }
  }

  /** The valid signers' MSP IDs, or why the signatures do not verify the block. */
  #checkSignatures(header: common.BlockHeader, metadata: Uint8Array[], selfConfig: number | undefined): string[] | string {
    const config = this.#config;
    if (config === undefined) {
      return 'no channel config is in force (the chain does not start with a config block)';
    }
    const signatures = decodeSignatures(metadata, selfConfig ?? config.blockNumber);
    if (typeof signatures === 'string') {
      return signatures;
    }
    const headerBytes = blockHeaderBytes(header);
    const valid: ValidIdentity[] = [];
    const rejected: string[] = [];
    for (const signature of signatures.getSignaturesList()) {
      this.#signatures += 1;
      const signer = this.#validSigner(signature, config, signatures.getValue_asU8(), headerBytes);
      if (typeof signer === 'string') {
        rejected.push(signer);
      } else if (!valid.some((v) => v.certificate.raw.equals(signer.certificate.raw))) {
        valid.push(signer);
      }
    }
    const outcome = evaluatePolicy(config.root, ['Orderer'], 'BlockValidation', valid);
    if (!outcome.satisfied) {
      const count = `${String(signatures.getSignaturesList().length)} signatures, ${String(valid.length)} valid`;
      const why = [count, ...rejected].join('; ');
      return `its orderer signatures do not satisfy the block validation policy of the config in block ${String(config.blockNumber)} (${outcome.explanation}): ${why}`;
    }
    return valid.map((v) => v.mspId);
  }

  /**
   * The identity that made one orderer signature, if the channel's MSPs accept it, the signature
   * verifies over `value ‖ signature header ‖ header bytes`, and its org runs a consenter.
   */
  #validSigner(signature: common.MetadataSignature, config: ChannelConfig, value: Uint8Array, headerBytes: Buffer): ValidIdentity | string {
    const resolved = this.#signer(signature, config);
    if (typeof resolved === 'string') {
      return resolved;
    }
    const identity = this.#identity(resolved.identityBytes, config);
    if ('rejected' in identity) {
      return `a signature was rejected: ${identity.rejected}`;
    }
    const signed = Buffer.concat([value, resolved.signedHeader, headerBytes]);
    if (!signatureVerifies(identity.certificate.publicKey, signed, Buffer.from(signature.getSignature_asU8()))) {
      return `the signature of ${identity.mspId} (${identity.certificate.subject.replace(/\n/g, ', ')}) does not verify (or has a high S)`;
    }
    // A consenter whose org cannot be told from its TLS certificate leaves the check undecided: skip it.
    const owners = config.consenters.map((c) => c.mspId);
    if (!owners.includes(undefined) && !owners.includes(identity.mspId)) {
      return `${identity.mspId} runs no consenter of the ${config.consensusType} consenter set`;
    }
    return identity;
  }

  /** The signer's serialized identity and the header bytes it signed, or why there is none. */
  #signer(signature: common.MetadataSignature, config: ChannelConfig): { identityBytes: Uint8Array; signedHeader: Uint8Array } | string {
    const signatureHeader = signature.getSignatureHeader_asU8();
    if (signatureHeader.length > 0) {
      try {
        return { identityBytes: common.SignatureHeader.deserializeBinary(signatureHeader).getCreator_asU8(), signedHeader: signatureHeader };
      } catch (error) {
        return `a signature header cannot be decoded (${(error as Error).message})`;
      }
    }
    const identifierHeader = signature.getIdentifierHeader_asU8();
    const id = identifierHeader.length > 0 ? common.IdentifierHeader.deserializeBinary(identifierHeader).getIdentifier() : undefined;
    const consenter = config.consenters.find((c) => c.bft !== undefined && c.bft.id === id);
    if (consenter?.bft === undefined || consenter.mspId === undefined) {
      return `a signature names consenter ${String(id)}, which is not in the consenter set`;
    }
    const identity = new msp.SerializedIdentity();
    identity.setMspid(consenter.mspId);
    identity.setIdBytes(consenter.bft.identity);
    return { identityBytes: identity.serializeBinary(), signedHeader: identifierHeader };
  }

  #identity(bytes: Uint8Array, config: ChannelConfig): ValidIdentity | { rejected: string } {
    const key = `${String(config.blockNumber)}:${hex(bytes)}`;
    let identity = this.#identities.get(key);
    if (identity === undefined) {
      identity = validateIdentity(bytes, config.msps);
      this.#identities.set(key, identity);
    }
    return identity;
  }
}
