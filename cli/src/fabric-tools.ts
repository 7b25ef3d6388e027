import { accessSync, constants, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from './errors';
import type { CivicPaths } from './paths';

/** Pinned versions from network/fabric-version.env. */
export function pinnedVersions(paths: CivicPaths): Record<string, string> {
  const text = readFileSync(path.join(paths.repo, 'network', 'fabric-version.env'), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]),
  );
}

/**
 * Find a Fabric or Fabric CA binary the way network/lib/common.sh does:
 * `$FABRIC_BIN`, the per-version cache, then `PATH`.
 *
 * @throws UsageError naming the tool and how to install it
 */
export function findFabricTool(paths: CivicPaths, env: NodeJS.ProcessEnv, tool: string): string {
  const v = pinnedVersions(paths);
  const cache = env.CIVIC_CACHE_DIR ?? path.join(env.XDG_CACHE_HOME ?? path.join(env.HOME ?? os.homedir(), '.cache'), 'civic-ledger');
  const dirs = [
    env.FABRIC_BIN,
    path.join(cache, `fabric-${v.FABRIC_VERSION ?? ''}-${(v.FABRIC_COMMIT ?? '').slice(0, 12)}`, 'bin'),
    path.join(cache, `fabric-ca-${v.FABRIC_CA_VERSION ?? ''}`, 'bin'),
    ...(env.PATH ?? '').split(path.delimiter),
  ];
  for (const dir of dirs) {
    if (dir === undefined || dir === '') {
      continue;
    }
    const candidate = path.join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new UsageError(`${tool} is not installed; run \`bash network/install-binaries.sh\` or set FABRIC_BIN`);
}
