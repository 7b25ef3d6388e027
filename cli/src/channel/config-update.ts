/**
 * A channel config update as `peer channel signconfigtx` and `peer channel update` read it: a
 * common.Envelope of type CONFIG_UPDATE whose payload is a common.ConfigUpdateEnvelope (the
 * serialized common.ConfigUpdate and the admins' ConfigSignatures). Which member orgs' admins
 * have signed it, and whether the channel's /Channel/Application/Admins policy is met, the way
 * the orderer checks it (fabric common/configtx/validator.go: each ConfigSignature is a
 * signature over signature_header ‖ config_update by the identity in the header's creator).
 */
import { verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { common } from '@hyperledger/fabric-protos';
import { UsageError } from '../errors';
import type { ChannelConfig } from '../ledger/channel-config';
import { groupAt } from '../ledger/channel-config';
import { validateIdentity, type ValidIdentity } from '../ledger/msp';
import { evaluatePolicy } from '../ledger/policy';

/** A config update read from a file. */
export interface ConfigUpdateFile {
  readonly channelId: string;
  readonly configUpdate: Uint8Array;
  readonly signatures: readonly common.ConfigSignature[];
}

/**
 * Read a CONFIG_UPDATE envelope written by `civic channel add-org` (or configtxlator).
 *
 * @param file - the envelope's path
 * @returns the channel it is for, the serialized ConfigUpdate and its signatures
 * @throws UsageError when the file is missing or is not a CONFIG_UPDATE envelope
 */
export function readConfigUpdate(file: string): ConfigUpdateFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new UsageError(`--update ${file} cannot be read: ${(error as Error).message}`);
  }
  try {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(bytes).getPayload_asU8());
    const header = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array());
    if (header.getType() !== common.HeaderType.CONFIG_UPDATE) {
      throw new Error(`its header type is ${String(header.getType())}, not CONFIG_UPDATE (${String(common.HeaderType.CONFIG_UPDATE)})`);
    }
    const envelope = common.ConfigUpdateEnvelope.deserializeBinary(payload.getData_asU8());
    const update = common.ConfigUpdate.deserializeBinary(envelope.getConfigUpdate_asU8());
    return { channelId: update.getChannelId(), configUpdate: envelope.getConfigUpdate_asU8(), signatures: envelope.getSignaturesList() };
  } catch (error) {
    throw new UsageError(
      `--update ${file} is not a channel config update (a CONFIG_UPDATE envelope, as 'civic channel add-org' writes): ${(error as Error).message}`,
    );
  }
}

/** One signature of the update, checked. */
export interface CheckedSignature {
  readonly mspId: string;
  readonly subject: string;
  /** Why the orderer would not count it; absent when it counts. */
  readonly refused?: string;
}

/**
 * Check each signature of an update against the channel's MSPs: a valid identity of a channel
 * MSP whose ECDSA signature over signature_header ‖ config_update verifies.
 *
 * @returns every signature with why it does not count, if it does not, and the identities that count
 */
export function checkSignatures(update: ConfigUpdateFile, config: ChannelConfig): { checked: CheckedSignature[]; valid: ValidIdentity[] } {
  const checked: CheckedSignature[] = [];
  const valid: ValidIdentity[] = [];
  for (const signature of update.signatures) {
    const header = common.SignatureHeader.deserializeBinary(signature.getSignatureHeader_asU8());
    const identity = validateIdentity(header.getCreator_asU8(), config.msps);
    if ('rejected' in identity) {
      checked.push({ mspId: '?', subject: '?', refused: identity.rejected });
      continue;
    }
    const subject = identity.certificate.subject.replace(/\n/g, ', ');
    const signed = Buffer.concat([signature.getSignatureHeader_asU8(), update.configUpdate]);
    let ok = false;
    try {
      ok = verify('sha256', signed, identity.certificate.publicKey, signature.getSignature_asU8());
    } catch {
      ok = false;
    }
    if (!ok) {
      checked.push({ mspId: identity.mspId, subject, refused: 'its signature does not verify over this update' });
    } else if (valid.some((v) => v.certificate.raw.equals(identity.certificate.raw))) {
      checked.push({ mspId: identity.mspId, subject, refused: 'the same identity signed before' });
    } else {
      checked.push({ mspId: identity.mspId, subject });
      valid.push(identity);
    }
  }
  return { checked, valid };
}

/** Whether the member orgs' admins who signed meet /Channel/Application/Admins. */
export interface AdminApproval {
  readonly satisfied: boolean;
  /** The policy as it reads, e.g. `/Channel/Application/Admins = MAJORITY Admins (1 of 3 groups met it: CityMSP)`. */
  readonly policy: string;
  /** Member orgs whose Admins policy the signatures meet. */
  readonly signed: string[];
  /** Member orgs that have not signed. */
  readonly unsigned: string[];
  /** How many more of `unsigned` must sign (0 when satisfied). */
  readonly moreNeeded: number;
}

/**
 * Evaluate /Channel/Application/Admins, the mod_policy of the Application group that an org is
 * added to, against valid signing identities (fabric common/policies/implicitmeta.go).
 *
 * @param config - the channel's current config
 * @param identities - identities whose signatures count (see {@link checkSignatures})
 */
export function applicationAdminApproval(config: ChannelConfig, identities: readonly ValidIdentity[]): AdminApproval {
  const application = groupAt(config.root, ['Application']);
  const orgs = [...(application?.getGroupsMap().keys() ?? [])];
  const outcome = evaluatePolicy(config.root, ['Application'], 'Admins', identities);
  const signed = orgs.filter((org) => evaluatePolicy(config.root, ['Application', org], 'Admins', identities).satisfied);
  const unsigned = orgs.filter((org) => !signed.includes(org));
  const policy = application?.getPoliciesMap().get('Admins')?.getPolicy();
  let threshold = orgs.length;
  if (policy?.getType() === common.Policy.PolicyType.IMPLICIT_META) {
    const rule = common.ImplicitMetaPolicy.deserializeBinary(policy.getValue_asU8()).getRule();
    threshold =
      rule === common.ImplicitMetaPolicy.Rule.ANY ? 1 : rule === common.ImplicitMetaPolicy.Rule.MAJORITY ? Math.floor(orgs.length / 2) + 1 : orgs.length;
  }
  return {
    satisfied: outcome.satisfied,
    policy: outcome.explanation,
    signed,
    unsigned,
    moreNeeded: outcome.satisfied ? 0 : Math.max(1, threshold - signed.length),
  };
}
