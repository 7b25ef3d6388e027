import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The conditions a measurement was taken under, recorded beside its figures. */
export interface Conditions {
  readonly machine: { cores: number; cpuModel: string; memoryMiB: number; loadAverage: readonly number[]; node: string; platform: string };
  readonly fabricVersion: string;
  readonly blockCutting: { batchTimeout: string; maxMessageCount: number; preferredMaxBytes: string; absoluteMaxBytes: string } | null;
  /** The peers' `peer.limits.concurrency.gatewayService` (0: no limit), as their core.yaml and environment set it. */
  readonly gatewayConcurrency: number | null;
  /** The peers' FABRIC_LOGGING_SPEC and the chaincode's logging level. */
  readonly logging: { peer: string | null; chaincode: string | null };
  readonly stateDatabase: string;
  readonly endorsementPolicy: string;
}

/** The value of a key in a configtx.yaml line such as `BatchTimeout: 250ms`. */
function configValue(text: string, key: string): string | null {
  const m = new RegExp(`${key}:\\s*([^,}\\n]+)`).exec(text);
  return m?.[1]?.trim() ?? null;
}

/**
 * Block cutting as the network's configtx.yaml set it at channel creation.
 *
 * @param networkHome - the network's state folder
 * @returns null when the file is not there (the channel was made elsewhere)
 */
export function blockCutting(networkHome: string): Conditions['blockCutting'] {
  const file = path.join(networkHome, 'channel', 'configtx.yaml');
  if (!existsSync(file)) {
    return null;
  }
  const text = readFileSync(file, 'utf8');
  return {
    batchTimeout: configValue(text, 'BatchTimeout') ?? '?',
    maxMessageCount: Number(configValue(text, 'MaxMessageCount')),
    preferredMaxBytes: configValue(text, 'PreferredMaxBytes') ?? '?',
    absoluteMaxBytes: configValue(text, 'AbsoluteMaxBytes') ?? '?',
  };
}

/** The environment of a running process (own processes only); empty when unreadable. */
function environOf(pid: string): Map<string, string> {
  try {
    const entries = readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter((e) => e.includes('='))
      .map((e): [string, string] => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]);
    return new Map(entries);
  } catch {
    return new Map();
  }
}

/** The gateway concurrency limit from a peer's environment, else its core.yaml. */
function gatewayLimit(env: Map<string, string>): number | null {
  const override = env.get('CORE_PEER_LIMITS_CONCURRENCY_GATEWAYSERVICE');
  if (override !== undefined) {
    return Number(override);
  }
  const cfg = env.get('FABRIC_CFG_PATH');
  if (cfg === undefined || !existsSync(path.join(cfg, 'core.yaml'))) {
    return null;
  }
  const m = /\n\s+gatewayService:\s*(\d+)/.exec(readFileSync(path.join(cfg, 'core.yaml'), 'utf8'));
  return m?.[1] === undefined ? null : Number(m[1]);
}

/**
 * Record the machine and the network's settings.
 *
 * @param networkHome - the network's state folder (its channel config and the peers' pid files are read)
 */
export function recordConditions(networkHome: string): Conditions {
  const pidFile = path.join(networkHome, 'pids', 'peer-city.pid');
  const env = existsSync(pidFile) ? environOf(readFileSync(pidFile, 'utf8').trim()) : new Map<string, string>();
  const version = /FABRIC_VERSION=(\S+)/.exec(readFileSync(path.resolve(__dirname, '../../network/fabric-version.env'), 'utf8'))?.[1] ?? '?';
  return {
    machine: {
      cores: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? '?',
      memoryMiB: Math.round(os.totalmem() / 1024 / 1024),
      loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    fabricVersion: version,
    blockCutting: blockCutting(networkHome),
    gatewayConcurrency: gatewayLimit(env),
    logging: { peer: env.get('FABRIC_LOGGING_SPEC') ?? null, chaincode: env.get('CORE_CHAINCODE_LOGGING_LEVEL') ?? null },
    stateDatabase: env.get('CORE_LEDGER_STATE_STATEDATABASE') ?? 'goleveldb',
    endorsementPolicy: "OutOf(2, 'CityMSP.peer', 'AgenciesMSP.peer', 'UtilitiesMSP.peer'); debt: the creditor's collection (own peer)",
  };
}
