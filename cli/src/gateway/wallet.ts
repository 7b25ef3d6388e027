import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors';

/** An enrolled identity: X.509 certificate and private key, PEM. */
export interface WalletIdentity {
  readonly user: string;
  readonly certificate: Buffer;
  readonly privateKeyPem: Buffer;
  /** The MSP folder, as fabric-ca-client wrote it. */
  readonly mspDir: string;
}

/**
 * Read an identity from a wallet folder laid out as `<walletDir>/<user>/msp/
 * {signcerts/cert.pem, keystore/*_sk}` (what `fabric-ca-client enroll` writes).
 *
 * @throws UsageError naming the user and folder when it is not enrolled
 */
export function readWalletIdentity(walletDir: string, user: string): WalletIdentity {
  const mspDir = path.join(walletDir, user, 'msp');
  try {
    const certificate = readFileSync(path.join(mspDir, 'signcerts', 'cert.pem'));
    const keyFile = readdirSync(path.join(mspDir, 'keystore')).find((f) => f.endsWith('_sk'));
    if (keyFile === undefined) {
      throw new Error('no private key');
    }
    return { user, certificate, privateKeyPem: readFileSync(path.join(mspDir, 'keystore', keyFile)), mspDir };
  } catch {
    throw new UsageError(`user '${user}' is not enrolled in ${walletDir} (see \`civic staff enroll\`)`);
  }
}
