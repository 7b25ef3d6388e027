/**
 * Fabric MSPs as a channel config defines them, and the checks Fabric's MSP makes of a signing
 * identity (msp/mspimpl.go, mspimplvalidate.go): the certificate chains to one of the MSP's
 * root certificates (through its intermediates), and its role is read from the organizational
 * units its certificate carries when the MSP classifies identities by NodeOUs.
 */
import { X509Certificate } from 'node:crypto';
import { msp } from '@hyperledger/fabric-protos';
import { certificateFields, isCertificateAuthority, isRevoked, revocationListFrom, subjectOrganizationalUnits, type RevocationList } from './x509-fields';

/** MSP principal roles (msp.MSPRole.MSPRoleType). */
export type MspRoleName = 'member' | 'admin' | 'client' | 'peer' | 'orderer';

/** One MSP of a channel config. */
export interface ChannelMsp {
  readonly mspId: string;
  readonly rootCerts: readonly X509Certificate[];
  readonly intermediateCerts: readonly X509Certificate[];
  /** Explicit admin certificates (older MSPs; NodeOUs admins use the admin OU instead). */
  readonly adminCerts: readonly X509Certificate[];
  /** The OU naming each role when NodeOUs are enabled; `undefined` when they are not. */
  readonly nodeOUs: Readonly<Partial<Record<Exclude<MspRoleName, 'member'>, string>>> | undefined;
  /** The TLS root and intermediate certificates of the org's nodes. */
  readonly tlsRootCerts: readonly X509Certificate[];
  readonly tlsIntermediateCerts: readonly X509Certificate[];
  /** The MSP's certificate revocation lists. */
  readonly revocationLists: readonly RevocationList[];
  /** OUs of which a member's certificate must carry one, when the MSP lists any. */
  readonly organizationalUnits: readonly string[];
}

const certs = (list: (Uint8Array | string)[]): X509Certificate[] => list.map((pem) => new X509Certificate(Buffer.from(pem as Uint8Array)));

/**
 * An MSP from its config value (`msp.MSPConfig` of type FABRIC, 0).
 *
 * @returns the MSP, or `undefined` for a non-X.509 (idemix) MSP, which cannot sign blocks
 * @throws Error when a certificate in it cannot be parsed
 */
export function channelMspFrom(config: msp.MSPConfig): ChannelMsp | undefined {
  if (config.getType() !== 0) {
    return undefined;
  }
  const fabric = msp.FabricMSPConfig.deserializeBinary(config.getConfig_asU8());
  const ous = fabric.getFabricNodeOus();
  const ou = (id: msp.FabricOUIdentifier | undefined): string | undefined => id?.getOrganizationalUnitIdentifier() || undefined;
  return {
    mspId: fabric.getName(),
    rootCerts: certs(fabric.getRootCertsList()),
    intermediateCerts: certs(fabric.getIntermediateCertsList()),
    adminCerts: certs(fabric.getAdminsList()),
    nodeOUs:
      ous?.getEnable() === true
        ? {
            client: ou(ous.getClientOuIdentifier()),
            peer: ou(ous.getPeerOuIdentifier()),
            admin: ou(ous.getAdminOuIdentifier()),
            orderer: ou(ous.getOrdererOuIdentifier()),
          }
        : undefined,
    tlsRootCerts: certs(fabric.getTlsRootCertsList()),
    tlsIntermediateCerts: certs(fabric.getTlsIntermediateCertsList()),
    revocationLists: fabric.getRevocationListList().map((crl) => revocationListFrom(Buffer.from(crl as Uint8Array))),
    organizationalUnits: fabric.getOrganizationalUnitIdentifiersList().map((id) => id.getOrganizationalUnitIdentifier()),
  };
}

/** A signing identity that its MSP accepts. */
export interface ValidIdentity {
  readonly mspId: string;
  readonly certificate: X509Certificate;
  /** The roles it holds: always `member`, plus those its OUs (or the admin list) give it. */
  readonly roles: ReadonlySet<MspRoleName>;
}

/** True when `cert` chains to one of the MSP's roots through its intermediates. */
export function chainsToMsp(
  cert: X509Certificate,
  channelMsp: ChannelMsp,
  roots = channelMsp.rootCerts,
  intermediates = channelMsp.intermediateCerts,
): boolean {
  if (roots.some((root) => root.raw.equals(cert.raw))) {
    return false;
  }
  let current = cert;
  for (let depth = 0; depth <= intermediates.length; depth += 1) {
    if (roots.some((root) => current.checkIssued(root) && current.verify(root.publicKey))) {
      return true;
    }
    const parent = intermediates.find((ca) => ca !== current && current.checkIssued(ca) && current.verify(ca.publicKey));
    if (parent === undefined) {
      return false;
    }
    current = parent;
  }
  return false;
}

/**
 * What Fabric's MSP checks of a certificate beyond its chain (msp/mspimpl.go, mspimplvalidate.go
 * `validateIdentityOUsV142`): it is not a CA, not revoked by one of the MSP's CRLs, carries one
 * of the MSP's organizational units if it lists any, and, with NodeOUs, exactly one node OU.
 *
 * @returns the roles its node OU gives it, or why the MSP refuses it
 */
function checkCertificate(certificate: X509Certificate, channelMsp: ChannelMsp): MspRoleName[] | string {
  let fields;
  try {
    fields = certificateFields(certificate.raw);
  } catch (error) {
    return `cannot be parsed (${(error as Error).message})`;
  }
  if (isCertificateAuthority(fields)) {
    return 'is a CA certificate, which cannot sign as an identity';
  }
  if (isRevoked(fields, channelMsp.revocationLists)) {
    return `is revoked by a revocation list of ${channelMsp.mspId}`;
  }
  const ous = subjectOrganizationalUnits(fields);
  if (channelMsp.organizationalUnits.length > 0 && !ous.some((ou) => channelMsp.organizationalUnits.includes(ou))) {
    return `carries none of the organizational units ${channelMsp.organizationalUnits.join(', ')} that ${channelMsp.mspId} requires`;
  }
  if (channelMsp.nodeOUs === undefined) {
    return [];
  }
  const nodeRoles = (Object.entries(channelMsp.nodeOUs) as [Exclude<MspRoleName, 'member'>, string | undefined][]).filter(
    ([, ou]) => ou !== undefined && ous.includes(ou),
  );
  if (nodeRoles.length !== 1) {
    return `must carry exactly one node OU of ${channelMsp.mspId} (client, peer, admin or orderer), but carries ${String(nodeRoles.length)}`;
  }
  return nodeRoles.map(([role]) => role);
}

/**
 * Validate a serialized identity (`msp.SerializedIdentity`) against the channel's MSPs.
 * Expiry is not checked, as Fabric's MSP does not check it when validating the chain of a
 * certificate that signed in the past.
 *
 * @returns the identity, or why the channel's MSPs do not accept it
 */
export function validateIdentity(serialized: Uint8Array, msps: ReadonlyMap<string, ChannelMsp>): ValidIdentity | { readonly rejected: string } {
  let identity: msp.SerializedIdentity;
  let certificate: X509Certificate;
  try {
    identity = msp.SerializedIdentity.deserializeBinary(serialized);
    certificate = new X509Certificate(Buffer.from(identity.getIdBytes_asU8()));
  } catch (error) {
    return { rejected: `its identity is not a serialized X.509 identity (${(error as Error).message})` };
  }
  const mspId = identity.getMspid();
  const channelMsp = msps.get(mspId);
  if (channelMsp === undefined) {
    return { rejected: `its MSP ${mspId} is not in the channel config` };
  }
  if (!chainsToMsp(certificate, channelMsp)) {
    return { rejected: `its certificate (${certificate.subject.replace(/\n/g, ', ')}) was not issued by ${mspId}'s CA` };
  }
  const checked = checkCertificate(certificate, channelMsp);
  if (typeof checked === 'string') {
    return { rejected: `its certificate (${certificate.subject.replace(/\n/g, ', ')}) ${checked}` };
  }
  const roles = new Set<MspRoleName>(['member', ...checked]);
  if (channelMsp.adminCerts.some((admin) => admin.raw.equals(certificate.raw))) {
    roles.add('admin');
  }
  return { mspId, certificate, roles };
}

const ROLE_NAMES: Record<number, MspRoleName> = { 0: 'member', 1: 'admin', 2: 'client', 3: 'peer', 4: 'orderer' };

/**
 * Whether an identity satisfies an MSP principal (msp.MSPPrincipal), as Fabric's
 * SatisfiesPrincipal does for ROLE and IDENTITY principals.
 *
 * @returns a reason when it does not, `undefined` when it does
 */
export function principalRefusal(identity: ValidIdentity, principal: msp.MSPPrincipal): string | undefined {
  const classification = principal.getPrincipalClassification();
  if (classification === msp.MSPPrincipal.Classification.ROLE) {
    const role = msp.MSPRole.deserializeBinary(principal.getPrincipal_asU8());
    const wanted = ROLE_NAMES[role.getRole()] ?? `role ${String(role.getRole())}`;
    if (role.getMspIdentifier() !== identity.mspId) {
      return `is of ${identity.mspId}, not ${role.getMspIdentifier()}`;
    }
    return identity.roles.has(wanted as MspRoleName)
      ? undefined
      : `is not ${wanted === 'admin' || wanted === 'orderer' ? 'an' : 'a'} ${wanted} of ${identity.mspId}`;
  }
  if (classification === msp.MSPPrincipal.Classification.IDENTITY) {
    const wanted = msp.SerializedIdentity.deserializeBinary(principal.getPrincipal_asU8());
    let same = false;
    try {
      same = wanted.getMspid() === identity.mspId && new X509Certificate(Buffer.from(wanted.getIdBytes_asU8())).raw.equals(identity.certificate.raw);
    } catch {
      same = false;
    }
    return same ? undefined : 'is not the identity the policy names';
  }
  return `principal classification ${String(classification)} is not supported by this verifier`;
}
