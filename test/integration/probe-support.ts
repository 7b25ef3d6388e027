/**
 * Helpers of the suites that use the test-only probe chaincode (test/chaincode/probe): deploy it
 * on the live network with the network scripts (`network.sh deploy-chaincode`), open a gateway
 * session of each org as its `clerk` with the CLI's own gateway code, and find the probe's and
 * the civic chaincode's processes under a peer in /proc.
 */
import type { Contract } from '@hyperledger/fabric-gateway';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CHANNEL, openSession, type Session } from '../../cli/src/gateway/connect';
import { loadOrgConnection } from '../../cli/src/gateway/profile';
import { readWalletIdentity } from '../../cli/src/gateway/wallet';
import type { OrgName } from '../../cli/src/options';
import { civicPaths } from '../../cli/src/paths';
import { REPO } from '../support/civic-cli';
import { chaincodeProcesses, nodePid } from '../reliability/support/faults';

// fabric-contract-api logs every decorator at info when the suite loads the probe contract for
// the in-process fake; its chaincode unit tests keep it at error (test/setup-env.js).
process.env.CORE_CHAINCODE_LOGGING_LEVEL ??= 'error';

/** The probe's chaincode name on the channel, and its source folder (relative to the repo). */
export const PROBE = { name: 'probe', dir: 'test/chaincode/probe' } as const;

/** The founding orgs, whose first peers every test network has. */
export const ORGS: readonly OrgName[] = ['city', 'agencies', 'utilities'];

/**
 * Deploy the probe chaincode (a no-op when that very package is already committed), then wait
 * until it answers an evaluate through every org's gateway.
 *
 * @param env - the network's environment (`CIVIC_NETWORK_HOME`, `CIVIC_BASE_PORT`)
 * @param timeoutMs - how long to wait for it to answer after the deploy, in milliseconds
 * @throws Error with the script's output when the deploy fails, or naming the org whose
 *   gateway does not answer in time
 */
export async function deployProbe(env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<void> {
  const run = spawnSync('bash', [`${REPO}/network/network.sh`, 'deploy-chaincode', PROBE.name, PROBE.dir], {
    cwd: REPO,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (run.status !== 0) {
    throw new Error(`network.sh deploy-chaincode ${PROBE.name} exited ${String(run.status)}:\n${run.stderr.slice(-3000)}`);
  }
  const deadline = Date.now() + timeoutMs;
  for (const org of ORGS) {
    const session = probeSession(env, org);
    try {
      for (;;) {
        try {
          await probeContract(session).evaluateTransaction('Get', 'probe-ready');
          break;
        } catch (error) {
          if (Date.now() > deadline) {
            throw new Error(`the probe chaincode does not answer through ${org}'s gateway: ${String(error)}`);
          }
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    } finally {
      session.close();
    }
  }
}

/**
 * A gateway session of `org`'s first peer as its `clerk` (any channel member may call the probe).
 *
 * @returns the session; `close()` it in a `finally`
 */
export function probeSession(env: NodeJS.ProcessEnv, org: OrgName): Session {
  const connection = loadOrgConnection(civicPaths({ ...process.env, ...env }), org);
  return openSession(connection, readWalletIdentity(connection.walletDir, 'clerk'));
}

/** The probe chaincode's contract on the civic channel through `session`'s gateway. */
export function probeContract(session: Session): Contract {
  return session.gateway.getNetwork(CHANNEL).getContract(PROBE.name);
}

/** A chaincode process under a peer: its pid and the package id it runs (`--chaincode-id-name`). */
export interface ChaincodeProcess {
  readonly pid: number;
  /** e.g. `probe_0.1.0:65a8...` or `civic_0.1.0:48bd...` */
  readonly packageId: string;
}

/**
 * The chaincode processes a peer runs, with the package id each was started for.
 *
 * @param home - the network's state folder
 * @param peer - the peer's node name, e.g. `peer-city`
 * @throws Error when the peer does not run
 */
export function peerChaincodes(home: string, peer: string): ChaincodeProcess[] {
  const peerPid = nodePid(home, peer);
  if (peerPid === undefined) {
    throw new Error(`${peer} does not run`);
  }
  return chaincodeProcesses(peerPid).flatMap((pid) => {
    try {
      const args = readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8').split('\0');
      const packageId = args[args.indexOf('--chaincode-id-name') + 1];
      return packageId === undefined ? [] : [{ pid, packageId }];
    } catch {
      return []; // exited meanwhile
    }
  });
}

/**
 * CPU time a process has used so far (user + system, /proc/PID/stat fields 14 and 15), in clock
 * ticks (usually 1/100 s), or `undefined` when it has exited.
 */
export function cpuTicks(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(') ') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** Whether a process runs (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    const text = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(') ') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
