import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The node address as a network home's setting (network/lib/ports.sh, nodes.sh, ca.sh): chosen
 * at creation, recorded beside the ports, used without the variable afterwards, and a different
 * or invalid value refused with the setting named. Runs the script functions, starts no node.
 */
const LIB = path.resolve(__dirname, '../../network/lib');

function lib(home: string, script: string, env: NodeJS.ProcessEnv = {}): { code: number; out: string; err: string } {
  const run = spawnSync(
    'bash',
    ['-c', `set -euo pipefail; source ${LIB}/common.sh; source ${LIB}/ports.sh; source ${LIB}/nodes.sh; source ${LIB}/ca.sh; ${script}`],
    { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, CIVIC_NETWORK_HOME: home, ...env } },
  );
  return { code: run.status ?? -1, out: run.stdout, err: run.stderr };
}

describe('network host address', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'civic-host-'));
  });
  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it('defaults to 127.0.0.1 and records it', () => {
    const run = lib(home, 'load_port_map; node_host city; ca_url city; tls_hosts city', { CIVIC_BASE_PORT: '61000' });
    expect(run.out.split('\n')).toEqual(['127.0.0.1', 'https://127.0.0.1:61000', 'localhost,127.0.0.1', '']);
    expect(readFileSync(path.join(home, 'ports.env'), 'utf8')).toContain('CIVIC_HOST=127.0.0.1\nNODE_HOST_CITY=127.0.0.1\n');
  });

  it('records CIVIC_HOST and CIVIC_HOST_<ORG> at creation and uses them later without the variables', () => {
    expect(lib(home, 'load_port_map', { CIVIC_BASE_PORT: '61000', CIVIC_HOST: '10.77.3.1', CIVIC_HOST_UTILITIES: '10.77.4.1' }).code).toBe(0);
    const ports = JSON.parse(readFileSync(path.join(home, 'ports.json'), 'utf8')) as { host: string; orgs: Record<string, { host: string; peer: number }> };
    expect(ports.host).toBe('10.77.3.1');
    expect(ports.orgs.city).toMatchObject({ host: '10.77.3.1', peer: 61002 });
    expect(ports.orgs.utilities).toMatchObject({ host: '10.77.4.1', peer: 61042 });
    const later = lib(home, 'load_port_map; peer_endpoint city; peer_endpoint utilities; tls_hosts city; ca_url agencies');
    expect(later.out.split('\n')).toEqual(['10.77.3.1:61002', '10.77.4.1:61042', 'localhost,127.0.0.1,10.77.3.1', 'https://10.77.3.1:61020', '']);
  });

  it('refuses a later run with another address, naming both', () => {
    lib(home, 'load_port_map', { CIVIC_BASE_PORT: '61000', CIVIC_HOST: '10.77.3.1' });
    const moved = lib(home, 'load_port_map', { CIVIC_HOST: '127.0.0.1' });
    expect(moved.code).not.toBe(0);
    expect(moved.err).toContain(
      "this network was created with CIVIC_HOST=10.77.3.1, not 127.0.0.1; unset CIVIC_HOST, or run 'civic network clean' to change it",
    );
    const org = lib(home, 'load_port_map', { CIVIC_HOST_CITY: '10.77.9.9' });
    expect(org.err).toContain("this network was created with city's nodes on 10.77.3.1, not CIVIC_HOST_CITY=10.77.9.9");
  });

  it.each(['10.77.1', '256.1.1.1', '10.077.1.1', 'example.org', '10.77.1.1 '])('refuses %j as an address, naming the setting', (bad) => {
    const run = lib(home, 'load_port_map', { CIVIC_BASE_PORT: '61000', CIVIC_HOST: bad });
    expect(run.code).not.toBe(0);
    expect(run.err).toContain(`CIVIC_HOST must be an IPv4 address of this machine (e.g. 127.0.0.1 or 10.77.5.1), not '${bad}'`);
  });
});
