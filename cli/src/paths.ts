import path from 'node:path';

/**
 * Where the CLI finds the network's files; the same rules as network/lib/common.sh.
 * `CIVIC_NETWORK_HOME` selects a network (default `<repo>/.network`); connection
 * profiles live in the repo's `connection-profiles/` for the default network and
 * in the network's own folder otherwise; `CIVIC_WALLET` overrides the wallet.
 */
export interface CivicPaths {
  readonly repo: string;
  readonly networkHome: string;
  readonly profiles: string;
  readonly wallet: string;
  readonly networkScript: string;
}

/** Resolve paths from the environment. */
export function civicPaths(env: NodeJS.ProcessEnv = process.env): CivicPaths {
  const repo = path.resolve(__dirname, '../..');
  const defaultHome = path.join(repo, '.network');
  const networkHome = path.resolve(env.CIVIC_NETWORK_HOME ?? defaultHome);
  const profiles =
    env.CIVIC_PROFILES_DIR ?? (networkHome === defaultHome ? path.join(repo, 'connection-profiles') : path.join(networkHome, 'connection-profiles'));
  return {
    repo,
    networkHome,
    profiles: path.resolve(profiles),
    wallet: path.resolve(env.CIVIC_WALLET ?? path.join(networkHome, 'wallet')),
    networkScript: path.join(repo, 'network', 'network.sh'),
  };
}
