/**
 * What the load generator records of every transaction it sends, and the figures a scenario
 * reports from those records and from the checks on the peers.
 */

/** The orgs whose gateways the load is spread over, in the channel's order. */
export const ORGS = ['city', 'agencies', 'utilities'] as const;
export type Org = (typeof ORGS)[number];

/** Where a failed attempt stopped. */
export type FailedStage = 'endorse' | 'submit' | 'commit-status' | 'commit';

/**
 * One transaction the generator sent: one proposal with its own transaction id. A logical write
 * (one DID to register) takes one attempt, or more when earlier ones failed.
 */
export interface Attempt {
  /** The logical write, from 0 in the order the generator started them. */
  readonly write: number;
  /** The ledger key the write touches (the DID). */
  readonly key: string;
  /** 1 for the first attempt of a write; 2, 3, ... for resubmissions after a failure. */
  readonly attempt: number;
  /** The org whose gateway it went through. */
  readonly org: Org;
  /** The proposal's transaction id (64 hex digits). */
  readonly txId: string;
  /** When it was started and when its outcome was known, in milliseconds since the epoch. */
  readonly startedAt: number;
  readonly endedAt: number;
  /**
   * `committed`: the gateway's commit status said VALID; `failed`: an error or another status;
   * `refused-duplicate`: a resubmission that the chaincode refused because the key is already
   * registered (an earlier attempt of the same write committed after all).
   */
  readonly outcome: 'committed' | 'failed' | 'refused-duplicate';
  /** For `committed`: the block number from the commit status (decimal). */
  readonly blockNumber?: string;
  /** For `failed`: where it stopped, and the error (one line). */
  readonly stage?: FailedStage;
  readonly error?: string;
  /** For `failed`: what the gateway itself said (its message, and each endorser's or orderer's), one line. */
  readonly detail?: string;
}

/** The outcome of one check on the peers. */
export interface CheckResult {
  /** What was checked, one line. */
  readonly name: string;
  readonly ok: boolean;
  /** What was seen: counts, and the first discrepancies when not ok. */
  readonly detail: string;
  /** Transactions or keys the client saw committed that some peer lacks (counted in `lost`). */
  readonly lost: number;
}

/** The figures of a scenario's load, as docs/reliability.md shows them. */
export interface LoadFigures {
  /** Logical writes started (keys the load touched). */
  readonly writes: number;
  /** Transactions sent (attempts, each with its own transaction id). */
  readonly submitted: number;
  /** Attempts the gateway reported committed (VALID). */
  readonly committed: number;
  /** Attempts that failed (error or a non-VALID status). */
  readonly failed: number;
  /** Attempts that were resubmissions after a failure. */
  readonly retried: number;
  /** Resubmissions the chaincode refused because an earlier attempt had committed after all. */
  readonly refusedDuplicate: number;
  /** Writes given up: no attempt committed or was refused as a duplicate. */
  readonly abandoned: number;
  /** Attempts committed while the fault was in force (between injection and recovery). */
  readonly committedDuringFault: number;
}

/** The fault window: injected at `from`, recovered at `to` (ms since the epoch). */
export interface FaultWindow {
  readonly from: number;
  readonly to: number;
}

/**
 * Count a scenario's attempts.
 *
 * @param attempts - every attempt the generator recorded
 * @param fault - when the fault was in force
 */
export function tally(attempts: readonly Attempt[], fault: FaultWindow): LoadFigures {
  const writes = new Set(attempts.map((a) => a.write));
  const settled = new Set(attempts.filter((a) => a.outcome !== 'failed').map((a) => a.write));
  const committed = attempts.filter((a) => a.outcome === 'committed');
  return {
    writes: writes.size,
    submitted: attempts.length,
    committed: committed.length,
    failed: attempts.filter((a) => a.outcome === 'failed').length,
    retried: attempts.filter((a) => a.attempt > 1).length,
    refusedDuplicate: attempts.filter((a) => a.outcome === 'refused-duplicate').length,
    abandoned: [...writes].filter((w) => !settled.has(w)).length,
    committedDuringFault: committed.filter((a) => a.endedAt >= fault.from && a.endedAt <= fault.to).length,
  };
}

/**
 * The most frequent failure reasons, `count × stage: error` (what the gateway said, else the CLI's
 * reading of it), most frequent first: errors without the
 * transaction ids they name (so that the same reason counts once), cut to 160 characters.
 */
export function failureSummary(attempts: readonly Attempt[], limit = 4): string[] {
  const counts = new Map<string, number>();
  for (const a of attempts) {
    if (a.outcome === 'failed') {
      const error = (a.detail ?? a.error ?? '').replace(/[,(]?\s*tx [0-9a-f]{64}\)?/g, '').replace(/\s+/g, ' ');
      const reason = `${a.stage ?? 'unknown'}: ${error.trim().slice(0, 160)}`;
      counts.set(reason, (counts.get(reason) ?? 0) + 1);
    }
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([reason, n]) => `${String(n)} × ${reason}`);
}
