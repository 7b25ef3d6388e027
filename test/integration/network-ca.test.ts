import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { certificateOf, civic, civicJson } from '../support/civic-cli';
import { testNetworkEnv } from '../support/test-network';

/**
 * The network's certificate authorities on live fabric-ca-server processes:
 * `civic network up --until identities` starts each org's CA with TLS, enrolls
 * the org MSPs, nodes, admins and staff from them; `civic staff` adds staff.
 */
const env = testNetworkEnv(0);
const home = env.CIVIC_NETWORK_HOME ?? '';
const base = Number(env.CIVIC_BASE_PORT);
const wallet = (org: string, user: string): string => path.join(home, 'wallet', org, user, 'msp');

interface NodeStatus {
  name: string;
  port: number;
  running: boolean;
  healthy: boolean;
}

beforeAll(() => {
  const up = civic(['network', 'up', '--until', 'identities'], env);
  if (up.code !== 0) {
    throw new Error(`network up failed (${up.code}):\n${up.stderr}`);
  }
}, 240_000);

afterAll(() => {
  civic(['network', 'clean'], env);
});

describe('certificate authorities and crypto material', () => {
  it('runs one healthy CA per org on ports derived from the base port', () => {
    const status = civicJson<{ nodes: NodeStatus[] }>(['network', 'status'], env);
    const cas = status.nodes.filter((n) => n.name.startsWith('ca-'));
    expect(cas.map((n) => [n.name, n.port, n.running, n.healthy])).toEqual([
      ['ca-city', base, true, true],
      ['ca-agencies', base + 20, true, true],
      ['ca-utilities', base + 40, true, true],
    ]);
  });

  it.each(['city', 'agencies', 'utilities'])('enrolls %s staff with their role as the civic.role certificate attribute', (org) => {
    expect(certificateOf(wallet(org, 'admin')).roleAttribute).toBe('admin');
    expect(certificateOf(wallet(org, 'clerk')).roleAttribute).toBe('clerk');
    expect(certificateOf(wallet(org, 'auditor')).roleAttribute).toBe('auditor');
    for (const node of ['peer', 'orderer']) {
      for (const file of ['msp/signcerts/cert.pem', 'msp/config.yaml', 'tls/server.crt', 'tls/server.key', 'tls/ca.crt']) {
        expect(existsSync(path.join(home, 'orgs', org, node, file))).toBe(true);
      }
    }
  });

  it('writes a connection profile per org with its MSP ID and CA', () => {
    const profile = (org: string): { client: { organization: string }; certificateAuthorities: Record<string, { url: string }> } =>
      JSON.parse(readFileSync(path.join(home, 'connection-profiles', `${org}.json`), 'utf8')) as never;
    expect(profile('agencies').client.organization).toBe('AgenciesMSP');
    expect(profile('utilities').certificateAuthorities['ca-utilities']?.url).toBe(`https://127.0.0.1:${base + 40}`);
  });
});

describe('civic staff', () => {
  it('registers and enrolls a staff member with a role through the org CA', () => {
    const registered = civicJson<{ secret: string; role: string }>(
      ['--org', 'utilities', 'staff', 'register', '--name', 'inspector', '--role', 'auditor'],
      env,
    );
    expect(registered.role).toBe('auditor');
    civicJson(['--org', 'utilities', 'staff', 'enroll', '--name', 'inspector', '--secret', registered.secret], env);
    expect(certificateOf(wallet('utilities', 'inspector')).roleAttribute).toBe('auditor');

    const again = civic(['--org', 'utilities', 'staff', 'enroll', '--name', 'inspector', '--secret', registered.secret], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: inspector is already enrolled/);
  });

  it('refuses a wrong enrollment secret with exit 1 and enrolls nothing', () => {
    civicJson(['--org', 'city', 'staff', 'register', '--name', 'eva', '--role', 'clerk', '--secret', 'correct-horse'], env);
    const run = civic(['--org', 'city', 'staff', 'enroll', '--name', 'eva', '--secret', 'wrong-horse'], env);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('error: ca-city refused: unknown enrollment id or wrong secret');
    expect(existsSync(path.join(wallet('city', 'eva'), 'signcerts', 'cert.pem'))).toBe(false);
  });

  it('lets only the org admin register staff', () => {
    const run = civic(['--org', 'agencies', '--user', 'clerk', 'staff', 'register', '--name', 'mallory', '--role', 'admin'], env);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('error: ca-agencies refused: this identity may not register staff (use the org admin)');
  });
});

describe('stop and resume', () => {
  it('keeps crypto material and CA registrations across down and up', () => {
    const before = certificateOf(wallet('city', 'admin')).pem;
    expect(civic(['network', 'down'], env).code).toBe(0);
    const stopped = civicJson<{ nodes: NodeStatus[] }>(['network', 'status'], env);
    expect(stopped.nodes.every((n) => !n.running)).toBe(true);

    expect(civic(['network', 'up', '--until', 'identities'], env).code).toBe(0);
    expect(certificateOf(wallet('city', 'admin')).pem).toBe(before);
    const dup = civic(['--org', 'utilities', 'staff', 'register', '--name', 'inspector', '--role', 'auditor'], env);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/already registered/);
  }, 120_000);

  it('refuses a second network on ports that are in use, naming them', () => {
    const other = { CIVIC_NETWORK_HOME: `${home}-other`, CIVIC_BASE_PORT: String(base) };
    const run = civic(['network', 'up', '--until', 'cas'], other);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(`ports already in use on this host \\(its nodes would listen on 127\\.0\\.0\\.1\\): ${base} \\(city ca\\) ${base + 1} \\(city ca_ops\\)`),
    );
    civic(['network', 'clean'], other);
  });
});
