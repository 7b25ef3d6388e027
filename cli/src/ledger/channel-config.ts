/**
 * A channel's configuration as a config block carries it (common.ConfigEnvelope → Config →
 * the `Channel` config group tree), reduced to what verifying the orderers' block signatures
 * needs: every org's MSP, the policy tree, and the orderer consenters.
 */
import { X509Certificate } from 'node:crypto';
import { common, msp, orderer } from '@hyperledger/fabric-protos';
import { chainsToMsp, channelMspFrom, type ChannelMsp } from './msp';

/** An ordering service node of the consenter set. */
export interface Consenter {
  /** `host:port` of its cluster endpoint. */
  readonly endpoint: string;
  /** The org whose TLS CA issued its TLS certificate (Raft), or its MSP ID (BFT); `undefined` when no org's TLS CA did. */
  readonly mspId: string | undefined;
  /** BFT only: its numeric id and signing identity (serialized). */
  readonly bft?: { readonly id: number; readonly identity: Uint8Array };
}

/** What a config block says, for block verification. */
export interface ChannelConfig {
  /** The number of the config block this came from. */
  readonly blockNumber: number;
  /** The config's sequence number (incremented by each config update). */
  readonly sequence: number;
  /** The channel's root config group (`Channel`). */
  readonly root: common.ConfigGroup;
  /** Every MSP defined anywhere in the tree, by MSP ID. */
  readonly msps: ReadonlyMap<string, ChannelMsp>;
  /** The consensus type, e.g. `etcdraft` or `BFT`. */
  readonly consensusType: string;
  readonly consenters: readonly Consenter[];
}

/** The config group at a path such as `['Orderer']`, or `undefined`. */
export function groupAt(root: common.ConfigGroup, path: readonly string[]): common.ConfigGroup | undefined {
  return path.reduce<common.ConfigGroup | undefined>((group, name) => group?.getGroupsMap().get(name), root);
}

function collectMsps(group: common.ConfigGroup, into: Map<string, ChannelMsp>): void {
  const value = group.getValuesMap().get('MSP');
  if (value !== undefined) {
    const channelMsp = channelMspFrom(msp.MSPConfig.deserializeBinary(value.getValue_asU8()));
    if (channelMsp !== undefined) {
      into.set(channelMsp.mspId, channelMsp);
    }
  }
  group.getGroupsMap().forEach((child: common.ConfigGroup) => {
    collectMsps(child, into);
  });
}

function tlsOwner(pem: Uint8Array, msps: ReadonlyMap<string, ChannelMsp>): string | undefined {
  if (pem.length === 0) {
    return undefined;
  }
  const cert = new X509Certificate(Buffer.from(pem));
  return [...msps.values()].find((m) => chainsToMsp(cert, m, m.tlsRootCerts, m.tlsIntermediateCerts))?.mspId;
}

function consentersOf(
  ordererGroup: common.ConfigGroup | undefined,
  consensus: orderer.ConsensusType | undefined,
  msps: ReadonlyMap<string, ChannelMsp>,
): Consenter[] {
  const bftValue = ordererGroup?.getValuesMap().get('Orderers');
  if (bftValue !== undefined) {
    return common.Orderers.deserializeBinary(bftValue.getValue_asU8())
      .getConsenterMappingList()
      .map((c) => ({
        endpoint: `${c.getHost()}:${String(c.getPort())}`,
        mspId: c.getMspId(),
        bft: { id: c.getId(), identity: c.getIdentity_asU8() },
      }));
  }
  if (consensus?.getType() === 'etcdraft') {
    return orderer.etcdraft.ConfigMetadata.deserializeBinary(consensus.getMetadata_asU8())
      .getConsentersList()
      .map((c) => ({ endpoint: `${c.getHost()}:${String(c.getPort())}`, mspId: tlsOwner(c.getClientTlsCert_asU8(), msps) }));
  }
  return [];
}

/**
 * The channel config a config block carries.
 *
 * @param block - a config block: one envelope whose channel header type is CONFIG
 * @returns the config, or `undefined` when the block is not a config block
 * @throws Error when the block claims to be a config block but its config cannot be decoded
 */
export function channelConfigOf(block: common.Block): ChannelConfig | undefined {
  const config = configEnvelopeOf(block)?.getConfig();
  if (config === undefined) {
    return undefined;
  }
  const root = config.getChannelGroup();
  if (root === undefined) {
    throw new Error('its config envelope holds no channel config');
  }
  const msps = new Map<string, ChannelMsp>();
  collectMsps(root, msps);
  const ordererGroup = groupAt(root, ['Orderer']);
  const consensusValue = ordererGroup?.getValuesMap().get('ConsensusType');
  const consensus = consensusValue === undefined ? undefined : orderer.ConsensusType.deserializeBinary(consensusValue.getValue_asU8());
  return {
    blockNumber: block.getHeader()?.getNumber() ?? 0,
    sequence: config.getSequence(),
    root,
    msps,
    consensusType: consensus?.getType() ?? 'unknown',
    consenters: consentersOf(ordererGroup, consensus, msps),
  };
}

/** The config envelope of a config block (one envelope of type CONFIG), else `undefined`. */
function configEnvelopeOf(block: common.Block): common.ConfigEnvelope | undefined {
  const envelopes = block.getData()?.getDataList_asU8() ?? [];
  const only = envelopes.length === 1 ? envelopes[0] : undefined;
  if (only === undefined) {
    return undefined;
  }
  const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(only).getPayload_asU8());
  const channelHeader = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array());
  return channelHeader.getType() === common.HeaderType.CONFIG ? common.ConfigEnvelope.deserializeBinary(payload.getData_asU8()) : undefined;
}
