/**
 * Helpers for the allocation integration tests that need more citizens than one `civic` process
 * each could register in time: citizens' keys are generated in-process (Ed25519 keys and DIDs as
 * `civic identity keygen` makes them, without the passphrase-encrypted key file that makes it take
 * a second), and their DID registrations and signed applications are submitted through the
 * orgs' real gateways with the CLI's own gateway code (connection profiles, wallets, the submit
 * flow with MVCC retry), many transactions in flight at once. Every transaction is endorsed,
 * ordered and committed on the live network exactly as `civic identity register` and
 * `civic allocation apply` would submit it.
 */
import { registerPayload } from '@civic-ledger/chaincode/dist/identity/client';
import { generateCitizenKey, signAuthorisation, signWithKey, type CitizenKeyFile } from '../../cli/src/citizen/key-file';
import { ContractError } from '../../cli/src/errors';
import { CHANNEL, openSession, type Session } from '../../cli/src/gateway/connect';
import { loadOrgConnection } from '../../cli/src/gateway/profile';
import { submit } from '../../cli/src/gateway/transactions';
import { readWalletIdentity } from '../../cli/src/gateway/wallet';
import type { OrgName } from '../../cli/src/options';
import { civicPaths } from '../../cli/src/paths';

/** The three orgs' front desks, in the order transactions are spread over them. */
const DESKS: readonly OrgName[] = ['city', 'agencies', 'utilities'];

/** One gateway session per org, as that org's `clerk`. */
export interface FrontDesks {
  /** The session of the i-th transaction (round robin over the orgs). */
  at(i: number): Session;
  close(): void;
}

/**
 * Open a gateway connection to each org's peer as its `clerk` (the role that registers DIDs and
 * submits applicants' signed applications), from the network's connection profiles and wallets.
 *
 * @param env - the network's environment (`CIVIC_NETWORK_HOME`)
 */
export function openFrontDesks(env: NodeJS.ProcessEnv): FrontDesks {
  const paths = civicPaths({ ...process.env, ...env });
  const sessions = DESKS.map((org) => {
    const connection = loadOrgConnection(paths, org);
    return openSession(connection, readWalletIdentity(connection.walletDir, 'clerk'));
  });
  return {
    at: (i) => sessions[i % sessions.length] as Session,
    close: () => {
      for (const s of sessions) {
        s.close();
      }
    },
  };
}

/**
 * Run `task` for 0..count-1 with at most `inFlight` running at once; rejects with the first error
 * (after the tasks already started have settled).
 */
export async function inParallel(count: number, inFlight: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < count) {
      const i = next;
      next += 1;
      try {
        await task(i);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  if (failure instanceof Error) {
    throw failure;
  }
  if (failure !== undefined) {
    throw new Error(`a task failed: ${JSON.stringify(failure)}`);
  }
}

/** What a batch of submits cost: how many, how long, and the most attempts any one needed (MVCC retries). */
export interface BatchStats {
  readonly transactions: number;
  readonly seconds: number;
  readonly maxAttempts: number;
}

async function submitAll(
  desks: FrontDesks,
  count: number,
  inFlight: number,
  name: [contract: string, fn: string],
  argument: (i: number) => string,
): Promise<BatchStats> {
  const started = Date.now();
  let maxAttempts = 0;
  await inParallel(count, inFlight, async (i) => {
    const committed = await untilEveryPeerHasIt(() => submit(desks.at(i).contract(name[0]), name[1], [argument(i)]));
    maxAttempts = Math.max(maxAttempts, committed.attempts);
  });
  return { transactions: count, seconds: (Date.now() - started) / 1000, maxAttempts };
}

/**
 * Generate `count` citizens' keys and register their DIDs (`identity:RegisterDID` with each key's
 * proof of possession, as `civic identity register --key` sends it), spread over the three orgs'
 * gateways with `inFlight` transactions at a time.
 *
 * @returns the citizens' keys and what the registrations cost
 */
export async function registerCitizens(desks: FrontDesks, count: number, inFlight: number): Promise<{ citizens: CitizenKeyFile[]; stats: BatchStats }> {
  const citizens = Array.from({ length: count }, () => generateCitizenKey());
  const stats = await submitAll(desks, count, inFlight, ['identity', 'RegisterDID'], (i) => {
    const key = citizens[i] as CitizenKeyFile;
    return JSON.stringify({ did: key.did, publicKeyJwk: key.publicKeyJwk, proof: signWithKey(key, registerPayload(CHANNEL, key.did, key.publicKeyJwk)) });
  });
  return { citizens, stats };
}

/**
 * Submit each citizen's signed application to a round (`allocation:Apply`, signed as
 * `civic allocation apply --key … --prefer …` signs it), spread over the three orgs' gateways.
 *
 * @param preferences - the i-th citizen's ranked site ids
 */
export async function applyAll(
  desks: FrontDesks,
  roundId: string,
  citizens: readonly CitizenKeyFile[],
  preferences: (i: number) => string[],
  inFlight: number,
): Promise<BatchStats> {
  return submitAll(desks, citizens.length, inFlight, ['allocation', 'Apply'], (i) =>
    JSON.stringify(signAuthorisation(citizens[i] as CitizenKeyFile, 'allocation:Apply', CHANNEL, { roundId, preferences: preferences(i), group: null })),
  );
}

/**
 * Submit, and submit again (a fresh proposal, after a pause) while an endorsing peer does not yet
 * know the applicant's DID. A commit status comes from the gateway's own peer; the gateway may ask
 * another org's peer to endorse the next transaction before that peer has committed the same block,
 * and it then answers `NOT_FOUND: DID … does not exist`. A citizen at a desk would simply try again.
 */
async function untilEveryPeerHasIt<T>(send: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (e) {
      if (attempt >= attempts || !(e instanceof ContractError && e.code === 'NOT_FOUND' && /DID did:civic:\S+ does not exist/.test(e.message))) {
        throw e;
      }
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

/**
 * For `count` new citizens: register each one's DID, then, as soon as it is committed, submit their
 * signed application to a round; `inFlight` citizens at a time, spread over the three orgs'
 * gateways. The registrations and applications of different citizens overlap, so the network is
 * never idle between the two.
 *
 * @param preferences - the i-th citizen's ranked site ids
 * @returns the citizens (the i-th applied with `preferences(i)`) and the seconds it took
 */
export async function registerAndApply(
  desks: FrontDesks,
  roundId: string,
  count: number,
  preferences: (i: number) => string[],
  inFlight: number,
): Promise<{ citizens: CitizenKeyFile[]; seconds: number }> {
  const citizens = Array.from({ length: count }, () => generateCitizenKey());
  const started = Date.now();
  let done = 0;
  await inParallel(count, inFlight, async (i) => {
    const key = citizens[i] as CitizenKeyFile;
    const desk = desks.at(i);
    await submit(desk.contract('identity'), 'RegisterDID', [
      JSON.stringify({ did: key.did, publicKeyJwk: key.publicKeyJwk, proof: signWithKey(key, registerPayload(CHANNEL, key.did, key.publicKeyJwk)) }),
    ]);
    await untilEveryPeerHasIt(() =>
      submit(desk.contract('allocation'), 'Apply', [
        JSON.stringify(signAuthorisation(key, 'allocation:Apply', CHANNEL, { roundId, preferences: preferences(i), group: null })),
      ]),
    );
    done += 1;
    if (done % 2000 === 0) {
      process.stderr.write(`  ${String(done)} citizens registered and applied (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    }
  });
  return { citizens, seconds: (Date.now() - started) / 1000 };
}

/** `n` site ids with a category each: `<prefix>1 … <prefix>n`, categories cycling through `categories`. */
export function siteList(n: number, prefix: string, categories: readonly string[]): { id: string; category: string }[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${prefix}${String(i + 1)}`, category: categories[i % categories.length] ?? 'general' }));
}

/**
 * Deterministic, contested preferences: 1-5 distinct sites per applicant, the first choice among
 * the first fifth of the sites (so popular sites are wanted by many), the rest spread over all.
 */
export function preferencesOf(i: number, sites: readonly { id: string }[]): string[] {
  const n = sites.length;
  const count = 1 + (i % 5);
  const picks = Array.from({ length: count }, (_, k) => (k === 0 ? (i * 7) % Math.max(1, Math.floor(n / 5)) : (i * 31 + k * 97) % n));
  return [...new Set(picks)].map((p) => (sites[p] as { id: string }).id);
}
