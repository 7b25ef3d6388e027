import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chaincodeProcesses, killNode, nodePid, procStat, waitFor } from '../reliability/support/faults';

/**
 * How the reliability suite finds the processes it signals (test/reliability/support/faults.ts):
 * a node by its pid file and start time, a peer's chaincode by its parent pid. Runs on child
 * processes of this test; starts no Fabric node.
 */
const gone = (child: ChildProcess): Promise<void> =>
  new Promise((r) => {
    child.once('exit', () => {
      r();
    });
  });

describe('processes the reliability suite signals', () => {
  let children: ChildProcess[] = [];
  afterEach(() => {
    children.forEach((c) => c.kill('SIGKILL'));
    children = [];
  });

  const start = (args: string[]): ChildProcess => {
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    children.push(child);
    return child;
  };

  it('reads a process’s parent and start time from /proc, and nothing for a pid that does not run', () => {
    const self = procStat(process.pid);
    expect(self?.ppid).toBe(process.ppid);
    expect(self?.startTime).toMatch(/^\d+$/);
    expect(procStat(2 ** 22 + 1)).toBeUndefined();
  });

  it('takes a node’s pid from its pid file only while the start time matches, and SIGKILLs it by that pid', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'rel-pids-'));
    mkdirSync(path.join(home, 'pids'));
    const node = start(['-e', 'setTimeout(() => {}, 60000)']);
    const pid = node.pid ?? 0;
    await waitFor('the child runs', () => procStat(pid) !== undefined, 5_000, 20);
    writeFileSync(path.join(home, 'pids', 'peer-city.pid'), `${String(pid)}\n`);
    writeFileSync(path.join(home, 'pids', 'peer-city.start'), '1\n');
    expect(nodePid(home, 'peer-city')).toBeUndefined();
    expect(() => killNode(home, 'peer-city')).toThrow(/peer-city does not run/);

    writeFileSync(path.join(home, 'pids', 'peer-city.start'), `${procStat(pid)?.startTime ?? ''}\n`);
    expect(nodePid(home, 'peer-city')).toBe(pid);
    const exited = gone(node);
    expect(killNode(home, 'peer-city')).toBe(pid);
    await exited;
    expect(node.signalCode).toBe('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  it('finds a parent’s chaincode processes by parent pid and their start arguments, not other children', async () => {
    const chaincode = start(['-e', 'setTimeout(() => {}, 60000)', '--', 'start', '--chaincode-id-name', 'civic:1']);
    const other = start(['-e', 'setTimeout(() => {}, 60000)']);
    await waitFor('both children run', () => procStat(chaincode.pid ?? 0) !== undefined && procStat(other.pid ?? 0) !== undefined, 5_000, 20);
    await waitFor('the chaincode child has its arguments', () => chaincodeProcesses(process.pid).length > 0, 5_000, 20);
    expect(chaincodeProcesses(process.pid)).toEqual([chaincode.pid]);
  });
});
