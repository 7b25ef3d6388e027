import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';

/**
 * A Linux network namespace of a test's own, joined to the root namespace by a veth pair on a
 * /24 of 10.77.0.0/16 that is routed nowhere else: the root side has 10.77.N.1, the namespace
 * side 10.77.N.2, and the namespace has no other route (no registry, no internet). Processes
 * started in it (`ip netns exec`) reach the root namespace's nodes only over the pair. Every
 * name starts with `civic-`, so cleaning up never touches another namespace or link.
 */
export interface NetnsLink {
  /** The namespace, e.g. `civic-it-129`. */
  readonly name: string;
  /** The veth end in the root namespace (at most 15 characters, the kernel's limit). */
  readonly hostLink: string;
  /** The veth end moved into the namespace. */
  readonly nsLink: string;
  /** 10.77.N.1: the root namespace's address on the pair. */
  readonly hostAddress: string;
  /** 10.77.N.2: the namespace's address on the pair. */
  readonly nsAddress: string;
}

/**
 * The namespace and addresses of a test whose network starts at `basePort`: N is
 * (basePort / 100) mod 256, so two runs on different base ports (a developer's and CI's)
 * never share a subnet or a name.
 */
export function netnsFor(basePort: number): NetnsLink {
  const n = Math.floor(basePort / 100) % 256;
  return {
    name: `civic-it-${String(n)}`,
    hostLink: `civic-${String(n)}-h`,
    nsLink: `civic-${String(n)}-n`,
    hostAddress: `10.77.${String(n)}.1`,
    nsAddress: `10.77.${String(n)}.2`,
  };
}

/** The words before a command that run it inside the namespace (`ip netns exec NAME`). */
export function inNetns(link: NetnsLink): readonly string[] {
  return ['ip', 'netns', 'exec', link.name];
}

function ip(args: readonly string[]): { ok: boolean; output: string } {
  const run = spawnSync('ip', args, { encoding: 'utf8' });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
}

function mustIp(args: readonly string[]): void {
  const run = ip(args);
  if (!run.ok) {
    throw new Error(`ip ${args.join(' ')} failed: ${run.output} (the test needs root, CAP_NET_ADMIN, for network namespaces)`);
  }
}

/**
 * Create the namespace and its veth pair, after removing any left by an earlier run that was
 * killed before its cleanup. Needs CAP_NET_ADMIN (root).
 *
 * @throws Error naming the `ip` command that failed
 */
export function createNetns(link: NetnsLink): void {
  removeNetns(link);
  mustIp(['netns', 'add', link.name]);
  mustIp(['link', 'add', link.hostLink, 'type', 'veth', 'peer', 'name', link.nsLink]);
  mustIp(['link', 'set', link.nsLink, 'netns', link.name]);
  mustIp(['addr', 'add', `${link.hostAddress}/24`, 'dev', link.hostLink]);
  mustIp(['link', 'set', link.hostLink, 'up']);
  mustIp(['netns', 'exec', link.name, 'ip', 'link', 'set', 'lo', 'up']);
  mustIp(['netns', 'exec', link.name, 'ip', 'addr', 'add', `${link.nsAddress}/24`, 'dev', link.nsLink]);
  mustIp(['netns', 'exec', link.name, 'ip', 'link', 'set', link.nsLink, 'up']);
}

/** The pids of the processes still running in the namespace (none when it does not exist). */
export function netnsPids(link: NetnsLink): number[] {
  const run = ip(['netns', 'pids', link.name]);
  return run.ok ? run.output.split(/\s+/).filter(Boolean).map(Number) : [];
}

/**
 * Delete the namespace and the veth pair (deleting one end deletes both). Processes still in
 * the namespace (ones its network's `network clean` did not stop) are killed first, by pid.
 * Quiet when there is nothing to delete.
 *
 * @returns the pids that had to be killed
 */
export function removeNetns(link: NetnsLink): number[] {
  const leftovers = netnsPids(link);
  for (const pid of leftovers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  ip(['link', 'del', link.hostLink]);
  ip(['netns', 'del', link.name]);
  return leftovers;
}

/** True when the namespace or the root side of its veth pair still exists. */
export function netnsExists(link: NetnsLink): boolean {
  return (
    ip(['netns', 'list'])
      .output.split('\n')
      .some((l) => l.split(' ')[0] === link.name) || ip(['link', 'show', link.hostLink]).ok
  );
}

/** The network namespace a process runs in (the `/proc/PID/ns/net` link, e.g. `net:[4026531840]`). */
export function netNamespaceOf(pid: number | 'self'): string {
  return readlinkSync(`/proc/${String(pid)}/ns/net`);
}

/** The pid a network script recorded for one of its nodes (`<home>/pids/<node>.pid`). */
export function nodePid(home: string, node: string): number {
  return Number(readFileSync(`${home}/pids/${node}.pid`, 'utf8').trim());
}

/**
 * Whether a TCP connection to `host:port` is accepted from this process's namespace within
 * `timeoutMs` (refused, unreachable or timed out: false).
 */
export function tcpAnswers(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (answered: boolean): void => {
      socket.destroy();
      resolve(answered);
    };
    socket.once('connect', () => {
      done(true);
    });
    socket.once('timeout', () => {
      done(false);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}
