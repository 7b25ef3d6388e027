import { read } from 'read';
import { UsageError } from '../errors';

/** Environment variable that supplies the key-file passphrase to scripts. */
export const PASSPHRASE_ENV = 'CIVIC_KEY_PASSPHRASE';
const MIN_LENGTH = 8;

/**
 * The passphrase protecting a citizen key file: `$CIVIC_KEY_PASSPHRASE` for
 * scripts, otherwise asked for on the terminal without echo (twice when creating).
 *
 * @param env - the environment to read
 * @param file - the key file, named in the prompt
 * @param creating - ask twice and require {@link MIN_LENGTH} characters
 * @throws UsageError when there is neither the variable nor a terminal, or the entries differ
 */
export async function obtainPassphrase(env: NodeJS.ProcessEnv, file: string, creating: boolean): Promise<string> {
  const fromEnv = env[PASSPHRASE_ENV];
  const passphrase = fromEnv ?? (process.stdin.isTTY ? await ask(`passphrase for ${file}: `) : undefined);
  if (passphrase === undefined) {
    throw new UsageError(`a passphrase is needed for ${file}: set ${PASSPHRASE_ENV} or run in a terminal`);
  }
  if (creating) {
    if (passphrase.length < MIN_LENGTH) {
      throw new UsageError(`the passphrase for ${file} must be at least ${MIN_LENGTH} characters`);
    }
    if (fromEnv === undefined) {
      const again = await ask('repeat passphrase: ');
      if (again !== passphrase) {
        throw new UsageError('the passphrases do not match; nothing was written');
      }
    }
  }
  return passphrase;
}

/** Ask on the terminal without echoing what is typed. */
async function ask(prompt: string): Promise<string> {
  return read({ prompt, silent: true, replace: '*', output: process.stderr });
}
