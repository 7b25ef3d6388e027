import { execFileSync } from 'node:child_process';
import { createPublicKey, sign, verify } from 'node:crypto';
import path from 'node:path';
import { newEd25519PrivateKey } from './ed25519-key';

/**
 * Runs `count` key generations and JWK exports of both halves in a fresh Node process (the module
 * compiled on the fly with TypeScript), so that a deadlock ends in a timeout instead of a hung run.
 */
function generateInChildProcess(count: number): string {
  const script = `
    const fs = require('node:fs');
    const ts = require('typescript');
    require.extensions['.ts'] = (m, f) => m._compile(ts.transpileModule(fs.readFileSync(f, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText, f);
    const { createPublicKey } = require('node:crypto');
    const { newEd25519PrivateKey } = require(${JSON.stringify(path.join(__dirname, 'ed25519-key.ts'))});
    for (let i = 0; i < ${count}; i += 1) {
      const key = newEd25519PrivateKey();
      key.export({ format: 'jwk' });
      createPublicKey(key).export({ format: 'jwk' });
    }
    process.stdout.write('${count} keys');`;
  return execFileSync(process.execPath, ['-e', script], { timeout: 60_000, encoding: 'utf8' });
}

describe('Ed25519 key generation', () => {
  it('makes distinct keys that sign and verify', () => {
    const [a, b] = [newEd25519PrivateKey(), newEd25519PrivateKey()];
    expect(a.asymmetricKeyType).toBe('ed25519');
    expect(a.export({ format: 'jwk' }).d).not.toBe(b.export({ format: 'jwk' }).d);
    const message = Buffer.from('civic');
    expect(verify(null, message, createPublicKey(a), sign(null, message, a))).toBe(true);
    expect(verify(null, message, createPublicKey(b), sign(null, message, a))).toBe(false);
  });

  it('makes 20,000 keys with JWK exports in one process without deadlocking', () => {
    expect(generateInChildProcess(20_000)).toBe('20000 keys');
  }, 90_000);
});
