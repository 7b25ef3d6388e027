import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors';
import type { CivicPaths } from '../paths';

const tlsPath = z.object({ path: z.union([z.string(), z.array(z.string()).min(1)]) });

/** The parts of a Fabric common connection profile the CLI reads. */
const profileSchema = z.object({
  name: z.string(),
  'x-civic-wallet': z.string().optional(),
  client: z.object({ organization: z.string() }),
  organizations: z.record(
    z.string(),
    z.object({ mspid: z.string(), peers: z.array(z.string()).min(1), certificateAuthorities: z.array(z.string()).default([]) }),
  ),
  peers: z.record(z.string(), z.object({ url: z.string(), tlsCACerts: tlsPath, grpcOptions: z.record(z.string(), z.unknown()).default({}) })),
  certificateAuthorities: z.record(z.string(), z.object({ url: z.string(), caName: z.string(), tlsCACerts: tlsPath })).default({}),
});

/** One of an org's peers, as its connection profile describes it. */
export interface PeerConnection {
  /** The peer's name in the profile, e.g. `peer1.city`. */
  readonly name: string;
  /** Its gateway endpoint `host:port` (gRPC over TLS). */
  readonly endpoint: string;
  /** The root certificate its TLS server certificate chains to (PEM). */
  readonly tlsRootCert: Buffer;
  /** The name its TLS certificate is checked against (`ssl-target-name-override`, else the endpoint's host). */
  readonly hostAlias: string;
}

/** An org's gateway peers, CA and wallet, as its connection profile describes them. */
export interface OrgConnection {
  readonly profilePath: string;
  readonly mspId: string;
  /** Every peer of the org, in the profile's order (`organizations.<msp>.peers`); at least one. */
  readonly peers: readonly PeerConnection[];
  /** The org's first peer's endpoint `host:port`: the one that commands pinned to one peer per org use. */
  readonly peerEndpoint: string;
  /** The org's first peer's TLS root certificate. */
  readonly peerTlsRootCert: Buffer;
  /**
   * The name the first peer's TLS certificate is checked against: the profile's
   * `ssl-target-name-override`, else the host of the peer endpoint (an address such as
   * 127.0.0.1 or 10.77.5.2, or a DNS name).
   */
  readonly peerHostAlias: string;
  readonly ca: { readonly url: string; readonly caName: string; readonly tlsRootCertPath: string } | undefined;
  /** Folder holding this org's enrolled identities, one `<user>/msp` each. */
  readonly walletDir: string;
}

/** The host part of `host:port` (an IPv6 address in brackets loses them). */
export function endpointHost(endpoint: string): string {
  const host = endpoint.replace(/:\d+$/, '');
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function firstPath(p: z.infer<typeof tlsPath>['path']): string {
  return Array.isArray(p) ? (p[0] ?? '') : p;
}

/**
 * Load an org's connection profile (`--profile`, or `<profiles>/<org>.json`) with every
 * peer its organization lists.
 *
 * @throws UsageError when the profile is missing (network not created), malformed, lists no
 *   peer for its client organization, or lists a peer that has no entry under `peers`
 */
export function loadOrgConnection(paths: CivicPaths, org: string, profileOverride?: string): OrgConnection {
  const profilePath = path.resolve(profileOverride ?? path.join(paths.profiles, `${org}.json`));
  const profile = readProfile(profilePath);
  const orgEntry = profile.organizations[profile.client.organization];
  if (orgEntry === undefined) {
    throw new UsageError(`connection profile ${profilePath} names no peer for ${profile.client.organization}`);
  }
  const peers = orgEntry.peers.map((name) => peerConnection(profile, profilePath, name));
  const first = peers[0];
  if (first === undefined) {
    throw new UsageError(`connection profile ${profilePath} names no peer for ${profile.client.organization}`);
  }
  const caName = orgEntry.certificateAuthorities[0];
  const ca = caName === undefined ? undefined : profile.certificateAuthorities[caName];
  return {
    profilePath,
    mspId: orgEntry.mspid,
    peers,
    peerEndpoint: first.endpoint,
    peerTlsRootCert: first.tlsRootCert,
    peerHostAlias: first.hostAlias,
    ca: ca === undefined ? undefined : { url: ca.url, caName: ca.caName, tlsRootCertPath: firstPath(ca.tlsCACerts.path) },
    walletDir: profile['x-civic-wallet'] ?? path.join(paths.wallet, org),
  };
}

/** One peer entry of a profile; UsageError when the organization names a peer the profile does not describe. */
function peerConnection(profile: z.infer<typeof profileSchema>, profilePath: string, name: string): PeerConnection {
  const peer = profile.peers[name];
  if (peer === undefined) {
    throw new UsageError(`connection profile ${profilePath} lists peer '${name}' for ${profile.client.organization} but has no entry for it under "peers"`);
  }
  const alias = peer.grpcOptions['ssl-target-name-override'];
  const endpoint = peer.url.replace(/^grpcs?:\/\//, '');
  return {
    name,
    endpoint,
    tlsRootCert: readFileSync(firstPath(peer.tlsCACerts.path)),
    hostAlias: typeof alias === 'string' && alias !== '' ? alias : endpointHost(endpoint),
  };
}

function readProfile(profilePath: string): z.infer<typeof profileSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(profilePath, 'utf8'));
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist (run `civic network up` first)' : `cannot be read: ${(e as Error).message}`;
    throw new UsageError(`connection profile ${profilePath} ${reason}`);
  }
  const parsed = profileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(`connection profile ${profilePath} is not a valid common connection profile: ${parsed.error.issues[0]?.message ?? ''}`);
  }
  return parsed.data;
}
