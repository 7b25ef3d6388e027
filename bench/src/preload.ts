import { createHash } from 'node:crypto';
import { registerPayload } from '@civic-ledger/chaincode/dist/identity/client';
import { IMPORT_BATCH_MAX } from '@civic-ledger/chaincode/dist/land/client';
import { generateCitizenKey, signWithKey, type CitizenKeyFile } from '@civic-ledger/cli/dist/citizen/key-file';
import { CHANNEL } from '@civic-ledger/cli/dist/gateway/connect';
import { InFlightLimit } from './pacing';
import { ORGS, type Sessions } from './sessions';
import { submitOnce, type TxSpec } from './submit';

/** What a preload step did: how many transactions, how many VALID, and how long it took. */
export interface PreloadStep {
  readonly what: string;
  readonly transactions: number;
  readonly valid: number;
  readonly seconds: number;
  /** The first failure's code and message, if any. */
  readonly firstFailure?: string;
}

/**
 * Submit transactions closed-loop, `inFlight` at a time (preloading is not measured as load).
 *
 * @returns the step's counts and duration, and the i-th transaction's id (empty when it got none);
 *   failures are counted, not thrown
 */
export async function submitAllClosedLoop(
  sessions: Sessions,
  what: string,
  txs: readonly TxSpec[],
  inFlight: number,
): Promise<PreloadStep & { transactionIds: string[] }> {
  const started = performance.now();
  const limit = new InFlightLimit(inFlight);
  let next = 0;
  let valid = 0;
  let firstFailure: string | undefined;
  const transactionIds = txs.map(() => '');
  const worker = async (): Promise<void> => {
    while (next < txs.length) {
      const i = next;
      next += 1;
      limit.admit();
      const o = await submitOnce(sessions, txs[i] as TxSpec);
      limit.done();
      transactionIds[i] = o.transactionId ?? '';
      if (o.code === 'VALID') {
        valid += 1;
      } else {
        firstFailure ??= `${o.code}: ${o.message ?? ''}`;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, txs.length) }, worker));
  return {
    what,
    transactions: txs.length,
    valid,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    ...(firstFailure === undefined ? {} : { firstFailure }),
    transactionIds,
  };
}

/** A step without its transaction ids, for the results file. */
export function stepOnly(step: PreloadStep & { transactionIds?: string[] }): PreloadStep {
  return {
    what: step.what,
    transactions: step.transactions,
    valid: step.valid,
    seconds: step.seconds,
    ...(step.firstFailure === undefined ? {} : { firstFailure: step.firstFailure }),
  };
}

/**
 * The `identity:RegisterDID` transaction of a citizen's key, submitted by the clerk of org `i mod 3`.
 *
 * @param key - the citizen's key (its DID is derived from it)
 * @param i - spreads the transactions over the orgs
 */
export function registerDidTx(key: CitizenKeyFile, i: number): TxSpec {
  const proof = signWithKey(key, registerPayload(CHANNEL, key.did, key.publicKeyJwk));
  return {
    org: ORGS[i % ORGS.length] ?? 'city',
    user: 'clerk',
    contract: 'identity',
    fn: 'RegisterDID',
    args: [JSON.stringify({ did: key.did, publicKeyJwk: key.publicKeyJwk, proof })],
  };
}

/** A SHA-256 in hex of a text: deed hashes of generated parcels. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Cadastral id of the i-th generated parcel of a run. */
export function parcelId(runId: string, i: number): string {
  return `BN-${runId.toUpperCase()}-${String(i)}`;
}

/**
 * `land:ImportParcels` batches (City registrar) for `count` parcels, the i-th owned whole by
 * `owners[i mod owners.length]`, of up to IMPORT_BATCH_MAX (200) parcels each.
 */
export function importTxs(runId: string, owners: readonly CitizenKeyFile[], count: number): TxSpec[] {
  const txs: TxSpec[] = [];
  for (let from = 0; from < count; from += IMPORT_BATCH_MAX) {
    const parcels = Array.from({ length: Math.min(IMPORT_BATCH_MAX, count - from) }, (_, k) => {
      const i = from + k;
      return {
        cadastralId: parcelId(runId, i),
        areaM2: 50 + ((i * 37) % 4950),
        location: { type: 'Point', coordinates: [4.8 + (i % 100) / 1000, 52.3 + Math.floor(i / 100) / 10000] },
        landUse: 'residential',
        owners: [{ did: (owners[i % owners.length] as CitizenKeyFile).did, share: { num: 1, den: 1 } }],
        deedHash: sha256(`deed ${runId} ${String(i)}`),
      };
    });
    txs.push({ org: 'city', user: 'registrar', contract: 'land', fn: 'ImportParcels', args: [JSON.stringify({ parcels })] });
  }
  return txs;
}

/** The preloaded state the domain workloads build on. */
export interface World {
  /** A short id unique to this run (keys, round and parcel ids). */
  readonly runId: string;
  /** Citizens with registered DIDs. */
  readonly citizens: readonly CitizenKeyFile[];
  /** How many parcels `importTxs(runId, citizens, parcels)` registered. */
  readonly parcels: number;
  readonly steps: readonly PreloadStep[];
}

/**
 * Preload realistic state: `dids` citizens' DIDs (RegisterDID through the three orgs' clerks) and
 * `parcels` parcels owned by them (land:ImportParcels in batches of 200 by the City's registrar).
 *
 * @param inFlight - transactions in flight at once while preloading
 * @param log - progress lines
 */
export async function preload(
  sessions: Sessions,
  runId: string,
  counts: { dids: number; parcels: number },
  inFlight: number,
  log: (line: string) => void,
): Promise<World> {
  const citizens = Array.from({ length: counts.dids }, () => generateCitizenKey());
  const steps: PreloadStep[] = [];
  const dids = stepOnly(
    await submitAllClosedLoop(
      sessions,
      `${String(counts.dids)} DIDs (identity:RegisterDID)`,
      citizens.map((key, i) => registerDidTx(key, i)),
      inFlight,
    ),
  );
  steps.push(dids);
  log(
    `preload: ${dids.what}: ${String(dids.valid)} valid in ${String(dids.seconds)} s${dids.firstFailure === undefined ? '' : `; first failure ${dids.firstFailure}`}`,
  );
  const land = stepOnly(
    await submitAllClosedLoop(
      sessions,
      `${String(counts.parcels)} parcels (land:ImportParcels, 200 per transaction)`,
      importTxs(runId, citizens, counts.parcels),
      Math.min(4, inFlight),
    ),
  );
  steps.push(land);
  log(`preload: ${land.what}: ${String(land.valid)} of ${String(land.transactions)} batches valid in ${String(land.seconds)} s`);
  return { runId, citizens, parcels: counts.parcels, steps };
}
