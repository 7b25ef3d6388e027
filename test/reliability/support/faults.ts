import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { NodeStatus } from '../../../cli/src/commands/network';
import { civicAsync, REPO } from '../../support/civic-cli';
import { spawn } from 'node:child_process';

/** A process as /proc/PID/stat describes it. */
export interface ProcStat {
  readonly pid: number;
  /** Its state (field 3): `R`, `S`, ..., `Z` for a zombie (exited, not yet reaped by its parent). */
  readonly state: string;
  /** The parent's pid (field 4). */
  readonly ppid: number;
  /** When it started, in clock ticks after boot (field 22). */
  readonly startTime: string;
}

/**
 * Read /proc/PID/stat: the fields after the command name, which is in parentheses and may hold
 * spaces and parentheses itself (so the split is at the last `) `).
 *
 * @returns the process's parent and start time, or `undefined` when there is no such process
 */
export function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text
    .slice(text.lastIndexOf(') ') + 2)
    .trim()
    .split(' ');
  const [state, ppid, startTime] = [fields[0], fields[1], fields[19]];
  return state === undefined || ppid === undefined || startTime === undefined ? undefined : { pid, state, ppid: Number(ppid), startTime };
}

/**
 * The pid of a running node of the network, from its pid file (`<home>/pids/<node>.pid`), and
 * only while the process with that pid is the one the file names: its start time is the one in
 * `<node>.start` (network/lib/process.sh `node_pid`), so a reused pid is never taken for the node,
 * and not a zombie (a killed node its parent has not reaped yet).
 *
 * @param home - the network's state folder
 * @param node - the node's name, e.g. `peer-utilities`, `orderer-city`
 * @returns the pid, or `undefined` when the node does not run
 */
export function nodePid(home: string, node: string): number | undefined {
  const dir = path.join(home, 'pids');
  let pid: number;
  let started: string;
  try {
    pid = Number(readFileSync(path.join(dir, `${node}.pid`), 'utf8').trim());
    started = readFileSync(path.join(dir, `${node}.start`), 'utf8').trim();
  } catch {
    return undefined;
  }
  const stat = Number.isInteger(pid) && pid > 0 ? procStat(pid) : undefined;
  return stat !== undefined && stat.startTime === started && stat.state !== 'Z' ? pid : undefined;
}

/**
 * SIGKILL a node of the network by its pid file (never by name).
 *
 * @returns the pid killed
 * @throws Error when the node does not run
 */
export function killNode(home: string, node: string): number {
  const pid = nodePid(home, node);
  if (pid === undefined) {
    throw new Error(`${node} does not run (no live pid in ${path.join(home, 'pids', `${node}.pid`)})`);
  }
  process.kill(pid, 'SIGKILL');
  return pid;
}

/**
 * The chaincode processes a peer runs: its children (by /proc parent pid) that the node external
 * builder's `run` step started, i.e. whose command line is a chaincode start with a
 * `--chaincode-id-name` (network/builders/node/bin/run execs it, so the peer is its parent).
 *
 * @param peerPid - the peer's pid (from {@link nodePid})
 * @returns their pids, lowest first
 */
export function chaincodeProcesses(peerPid: number): number[] {
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => procStat(Number(entry)))
    .filter((stat): stat is ProcStat => stat?.ppid === peerPid);
  return children
    .filter((child) => {
      try {
        return readFileSync(`/proc/${String(child.pid)}/cmdline`, 'utf8')
          .split('\0')
          .includes('--chaincode-id-name');
      } catch {
        return false;
      }
    })
    .map((child) => child.pid)
    .sort((a, b) => a - b);
}

/** What `civic --json network status` reports (the parts the scenarios read). */
export interface NetworkStatus {
  readonly nodes: NodeStatus[];
  readonly channel?: { readonly raftLeader: string | null; readonly heights: Record<string, number | null> };
}

/**
 * `civic --json network status`, run as a child process so the load keeps going meanwhile.
 *
 * @throws Error with the CLI's output when it fails
 */
export async function networkStatus(env: NodeJS.ProcessEnv): Promise<NetworkStatus> {
  const run = await civicAsync(['--json', 'network', 'status'], env, 60_000);
  if (run.code !== 0) {
    throw new Error(`civic network status exited ${String(run.code)}: ${run.stderr}`);
  }
  return (JSON.parse(run.stdout) as { result: NetworkStatus }).result;
}

/**
 * `civic network up` on the network (resumes it: starts whatever node is down, ledgers kept),
 * as a child process so the load keeps going meanwhile.
 *
 * @returns how long it took, in milliseconds
 * @throws Error with the CLI's output when it fails
 */
export async function networkUp(env: NodeJS.ProcessEnv): Promise<number> {
  const started = Date.now();
  const run = await civicAsync(['network', 'up'], env, 10 * 60_000);
  if (run.code !== 0) {
    throw new Error(`civic network up exited ${String(run.code)}: ${run.stderr.slice(-2000)}`);
  }
  return Date.now() - started;
}

/** The network scripts' libraries, in the order network/network.sh sources them. */
const NETWORK_LIBS = ['common', 'ports', 'process', 'ca', 'nodes', 'channel', 'chaincode', 'org', 'peer', 'status', 'doctor'];

/**
 * Start one org's orderer, and no other node, with the network scripts' own `start_orderer`
 * (network/lib/nodes.sh: the same command line `civic network up` uses, waited on until healthy),
 * run as a child process so the load keeps going meanwhile.
 *
 * @param org - the orderer's org, e.g. `agencies`
 * @returns how long it took, in milliseconds
 * @throws Error with the script's output when it fails
 */
export function startOrderer(env: NodeJS.ProcessEnv, org: string): Promise<number> {
  const sources = NETWORK_LIBS.map((lib) => `source network/lib/${lib}.sh`).join('; ');
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `set -euo pipefail; ${sources}; load_port_map; start_orderer "$1"`, 'start-orderer', org], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) {
        resolve(Date.now() - started);
      } else {
        reject(new Error(`start_orderer ${org} exited ${String(code)}: ${stderr.slice(-2000)}`));
      }
    });
  });
}

/**
 * Poll until `condition` holds, every `everyMs`.
 *
 * @returns milliseconds waited
 * @throws Error naming `what` after `limitMs`
 */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, limitMs: number, everyMs = 250): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > limitMs) {
      throw new Error(`${what}: not within ${String(limitMs)} ms`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return Date.now() - started;
}

/**
 * As {@link waitFor}, for a wait whose outcome is itself what a check reports.
 *
 * @returns milliseconds waited, or `undefined` when `condition` did not hold within `limitMs`
 */
export function waitedFor(what: string, condition: () => boolean | Promise<boolean>, limitMs: number, everyMs = 250): Promise<number | undefined> {
  return waitFor(what, condition, limitMs, everyMs).catch(() => undefined);
}
