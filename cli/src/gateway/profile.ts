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

/** An org's gateway peer, CA and wallet, as its connection profile describes them. */
export interface OrgConnection {
  readonly profilePath: string;
  readonly mspId: string;
  /** Gateway peer endpoint `host:port` (gRPC over TLS). */
  readonly peerEndpoint: string;
  readonly peerTlsRootCert: Buffer;
  /**
   * The name the peer's TLS certificate is checked against: the profile's
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
 * Load an org's connection profile (`--profile`, or `<profiles>/<org>.json`).
 *
 * @throws UsageError when the profile is missing (network not created) or malformed
 */
export function loadOrgConnection(paths: CivicPaths, org: string, profileOverride?: string): OrgConnection {
  const profilePath = path.resolve(profileOverride ?? path.join(paths.profiles, `${org}.json`));
  const profile = readProfile(profilePath);
  const orgEntry = profile.organizations[profile.client.organization];
  const peerName = orgEntry?.peers[0];
  const peer = peerName === undefined ? undefined : profile.peers[peerName];
  if (orgEntry === undefined || peer === undefined) {
    throw new UsageError(`connection profile ${profilePath} names no peer for ${profile.client.organization}`);
  }
  const caName = orgEntry.certificateAuthorities[0];
  const ca = caName === undefined ? undefined : profile.certificateAuthorities[caName];
  const alias = peer.grpcOptions['ssl-target-name-override'];
  const peerEndpoint = peer.url.replace(/^grpcs?:\/\//, '');
  return {
    profilePath,
    mspId: orgEntry.mspid,
    peerEndpoint,
    peerTlsRootCert: readFileSync(firstPath(peer.tlsCACerts.path)),
    peerHostAlias: typeof alias === 'string' && alias !== '' ? alias : endpointHost(peerEndpoint),
    ca: ca === undefined ? undefined : { url: ca.url, caName: ca.caName, tlsRootCertPath: firstPath(ca.tlsCACerts.path) },
    walletDir: profile['x-civic-wallet'] ?? path.join(paths.wallet, org),
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
