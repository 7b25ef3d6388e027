/**
 * Certificates a Fabric network must refuse, made with openssl for tests: an enrolled staff
 * certificate re-issued by the org's own CA key with a validity that has ended, and the same
 * certificate issued by a CA of the test's own making. Each is written into the network's wallet
 * as a user of its own (`<home>/wallet/<org>/<user>/msp`, the layout `fabric-ca-client enroll`
 * writes), so the built `civic` CLI signs with it like with any enrolled user.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A certificate and its private key, PEM. */
export interface KeyPair {
  readonly certPem: string;
  readonly keyPem: string;
}

const openssl = (args: readonly string[]): string => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The PEM of the one `*_sk` key in an MSP keystore folder. */
function keystoreKey(keystore: string): string {
  const file = readdirSync(keystore).find((f) => f.endsWith('_sk'));
  if (file === undefined) {
    throw new Error(`no *_sk private key in ${keystore}`);
  }
  return readFileSync(path.join(keystore, file), 'utf8');
}

/**
 * An enrolled wallet identity of the network.
 *
 * @param home - the network home (CIVIC_NETWORK_HOME)
 * @param org - org short name, e.g. `city`
 * @param user - wallet user, e.g. `clerk`
 */
export function walletIdentity(home: string, org: string, user: string): KeyPair {
  const msp = path.join(home, 'wallet', org, user, 'msp');
  return { certPem: readFileSync(path.join(msp, 'signcerts', 'cert.pem'), 'utf8'), keyPem: keystoreKey(path.join(msp, 'keystore')) };
}

/**
 * The org's Fabric CA: its root certificate (`orgs/<org>/ca/ca-cert.pem`) and the signing key
 * fabric-ca-server keeps in its own keystore (`orgs/<org>/ca/msp/keystore`), found as the key
 * whose public key is the certificate's.
 *
 * @throws Error when no key in the keystore matches the CA certificate
 */
export function orgCaKeyPair(home: string, org: string): KeyPair {
  const caDir = path.join(home, 'orgs', org, 'ca');
  const certPem = readFileSync(path.join(caDir, 'ca-cert.pem'), 'utf8');
  const want = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  const keystore = path.join(caDir, 'msp', 'keystore');
  for (const file of readdirSync(keystore).filter((f) => f.endsWith('_sk'))) {
    const keyPem = readFileSync(path.join(keystore, file), 'utf8');
    if (createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' }).equals(want)) {
      return { certPem, keyPem };
    }
  }
  throw new Error(`no key in ${keystore} belongs to ${caDir}/ca-cert.pem`);
}

/** OpenSSL's `ca` date form, YYYYMMDDHHMMSSZ (UTC). */
const caDate = (date: Date): string => `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

/**
 * Issue a copy of `original` (same subject in the same order, same public key, every extension:
 * NodeOU, SANs, the Fabric CA attribute extension 1.2.3.4.5.6.7.8.1) signed by `issuer`, valid
 * from `notBefore` to `notAfter`: `openssl x509 -x509toreq -copy_extensions copy`, then
 * `openssl ca -preserveDN` with `copy_extensions = copyall`.
 *
 * @param original - the certificate to copy and the private key of its public key
 * @param issuer - the CA certificate and key to sign with
 * @returns the new certificate, PEM
 */
export function reissue(original: KeyPair, issuer: KeyPair, notBefore: Date, notAfter: Date): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-forge-'));
  try {
    const file = (name: string, text?: string): string => {
      const p = path.join(dir, name);
      if (text !== undefined) {
        writeFileSync(p, text, { mode: 0o600 });
      }
      return p;
    };
    file('index.txt', '');
    file('serial', `${Date.now().toString(16).padStart(16, '0')}\n`);
    const config = [
      '[ca]',
      'default_ca = forged',
      '[forged]',
      `dir = ${dir}`,
      'database = $dir/index.txt',
      'new_certs_dir = $dir',
      'serial = $dir/serial',
      'default_md = sha256',
      'policy = anything',
      'copy_extensions = copyall',
      'unique_subject = no',
      '[anything]',
      'commonName = supplied',
    ].join('\n');
    openssl([
      'x509',
      '-x509toreq',
      '-copy_extensions',
      'copy',
      '-in',
      file('original.pem', original.certPem),
      '-signkey',
      file('original.key', original.keyPem),
      '-out',
      file('req.pem'),
    ]);
    openssl([
      'ca',
      '-batch',
      '-notext',
      '-preserveDN',
      '-config',
      file('ca.cnf', config),
      '-cert',
      file('issuer.pem', issuer.certPem),
      '-keyfile',
      file('issuer.key', issuer.keyPem),
      '-startdate',
      caDate(notBefore),
      '-enddate',
      caDate(notAfter),
      '-in',
      file('req.pem'),
      '-out',
      file('out.pem'),
    ]);
    return readFileSync(file('out.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A CA of the caller's own: a fresh P-256 key and a self-signed CA certificate with `subject`
 * (e.g. the real org CA's subject, `/C=NL/L=Civic Ledger/O=CityMSP/OU=city/CN=ca-city`), valid
 * for a year.
 */
export function selfMadeCa(subject: string): KeyPair {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-forge-ca-'));
  try {
    const key = path.join(dir, 'ca.key');
    const cert = path.join(dir, 'ca.pem');
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
    openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-subj',
      subject,
      '-days',
      '365',
      '-addext',
      'basicConstraints=critical,CA:TRUE,pathlen:1',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      cert,
    ]);
    return { certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An X.509 subject as `openssl req -subj` takes it (`/C=NL/L=.../CN=...`), from a certificate. */
export function opensslSubject(certPem: string): string {
  return `/${new X509Certificate(certPem).subject.split('\n').join('/')}`;
}

/**
 * Put a certificate and key into the network's wallet as `user` of `org`.
 *
 * @returns the user's MSP folder (remove it with {@link removeWalletUser})
 */
export function plantWalletUser(home: string, org: string, user: string, identity: KeyPair): string {
  const msp = path.join(home, 'wallet', org, user, 'msp');
  mkdirSync(path.join(msp, 'signcerts'), { recursive: true });
  mkdirSync(path.join(msp, 'keystore'), { recursive: true });
  writeFileSync(path.join(msp, 'signcerts', 'cert.pem'), identity.certPem);
  writeFileSync(path.join(msp, 'keystore', 'forged_sk'), identity.keyPem, { mode: 0o600 });
  return msp;
}

/** Remove a user {@link plantWalletUser} planted. */
export function removeWalletUser(home: string, org: string, user: string): void {
  rmSync(path.join(home, 'wallet', org, user), { recursive: true, force: true });
}
