import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Pid files of the network's nodes (network/lib/process.sh): a node is its pid and that
 * process's start time together, so a pid file left by a killed node never names, and never
 * gets signalled as, whatever process has that pid by now. Runs the script functions on
 * `sleep` processes; starts no Fabric node.
 */
const LIB = path.resolve(__dirname, '../../network/lib');

function lib(home: string, script: string): { code: number; out: string; err: string } {
  const run = spawnSync('bash', ['-c', `set -euo pipefail; source ${LIB}/common.sh; source ${LIB}/process.sh; ${script}`], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CIVIC_NETWORK_HOME: home },
  });
  return { code: run.status ?? -1, out: run.stdout.trim(), err: run.stderr };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('node pid files', () => {
  let home: string;
  let bystander: ChildProcess;
  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'civic-pids-'));
    mkdirSync(path.join(home, 'pids'));
    // Some other process that happens to hold the pid a dead node's file still names.
    bystander = spawn('sleep', ['600'], { stdio: 'ignore' });
  });
  afterEach(() => {
    bystander.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  const pidOf = (child: ChildProcess): number => {
    if (child.pid === undefined) {
      throw new Error('sleep did not start');
    }
    return child.pid;
  };

  it('records the start time beside the pid and names the running node by both', () => {
    const started = lib(home, 'start_node demo sleep 600; node_pid demo; cat "${PIDS_DIR}/demo.pid" "${PIDS_DIR}/demo.start"');
    expect(started.code).toBe(0);
    const [named, recorded, start] = started.out.split('\n').slice(-3);
    expect(named).toBe(recorded);
    expect(start).toMatch(/^\d+$/);
    expect(lib(home, 'process_start "$(<"${PIDS_DIR}/demo.pid")"').out).toBe(start);
    expect(lib(home, 'stop_node demo').code).toBe(0);
    expect(alive(Number(recorded))).toBe(false);
    expect(existsSync(path.join(home, 'pids', 'demo.pid'))).toBe(false);
    expect(existsSync(path.join(home, 'pids', 'demo.start'))).toBe(false);
  });

  it('does not take a process with the recorded pid but another start time for the node, nor signal it', () => {
    const pid = pidOf(bystander);
    const start = Number(lib(home, `process_start ${String(pid)}`).out);
    writeFileSync(path.join(home, 'pids', 'peer-city.pid'), `${String(pid)}\n`);
    writeFileSync(path.join(home, 'pids', 'peer-city.start'), `${String(start - 1)}\n`);

    const running = lib(home, 'node_pid peer-city');
    expect(running.code).toBe(1);
    expect(running.out).toBe('');
    // `network up` would start the node again; `network down` must leave the bystander alone.
    expect(lib(home, 'start_node peer-city true').err).not.toMatch(/already running/);
    writeFileSync(path.join(home, 'pids', 'peer-city.pid'), `${String(pid)}\n`);
    writeFileSync(path.join(home, 'pids', 'peer-city.start'), `${String(start - 1)}\n`);
    expect(lib(home, 'stop_node peer-city').code).toBe(0);
    expect(alive(pid)).toBe(true);
    expect(existsSync(path.join(home, 'pids', 'peer-city.pid'))).toBe(false);
  });

  it('names the node while pid and start time both match', () => {
    const pid = pidOf(bystander);
    writeFileSync(path.join(home, 'pids', 'peer-city.pid'), `${String(pid)}\n`);
    writeFileSync(path.join(home, 'pids', 'peer-city.start'), `${lib(home, `process_start ${String(pid)}`).out}\n`);
    expect(lib(home, 'node_pid peer-city').out).toBe(String(pid));
    expect(readFileSync(path.join(home, 'pids', 'peer-city.pid'), 'utf8').trim()).toBe(String(pid));
  });

  it('reads a start time after a command name holding spaces and parentheses', () => {
    // The kernel's name of a process is its program file's name: here one with both.
    const program = path.join(home, 'a (b) c');
    symlinkSync(spawnSync('which', ['sleep'], { encoding: 'utf8' }).stdout.trim(), program);
    const odd = spawn(program, ['600'], { stdio: 'ignore' });
    try {
      const pid = pidOf(odd);
      const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
      expect(stat).toContain('(a (b) c)');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      expect(lib(home, `process_start ${String(pid)}`).out).toBe(fields[19]);
    } finally {
      odd.kill('SIGKILL');
    }
  });

  it('fails for a pid no process has', () => {
    expect(lib(home, 'process_start 999999999').code).toBe(1);
  });
});
