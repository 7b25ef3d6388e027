import { loadCitizenKey, type CitizenKeyFile } from './key-file';
import { obtainPassphrase } from './passphrase';

/** Open a key file, asking for its passphrase (or reading CIVIC_KEY_PASSPHRASE). */
export async function openCitizenKey(env: NodeJS.ProcessEnv, file: string): Promise<CitizenKeyFile> {
  return loadCitizenKey(file, await obtainPassphrase(env, file, false));
}
