import type { PeerReaders, PeerTransaction } from './peers';
import { ORGS, type Attempt, type CheckResult, type Org } from './records';

/** Run `fn` over `items`, `width` at a time, in order of the results. */
async function mapLimited<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

/** The first few discrepancies, `; `-separated, with how many more there are. */
function firstOf(problems: readonly string[], shown = 5): string {
  const more = problems.length > shown ? `; … ${String(problems.length - shown)} more` : '';
  return problems.slice(0, shown).join('; ') + more;
}

const describeTx = (tx: PeerTransaction | null): string => (tx === null ? 'absent' : `${tx.validationCode} in block ${tx.blockNumber}`);

/**
 * Every transaction the client saw committed is on every org's peer, VALID, in the block its
 * commit status named. Each one missing or different on some peer counts as lost.
 *
 * @param readers - sessions with each org's peer
 * @param attempts - the generator's records
 */
export async function committedOnEveryPeer(readers: PeerReaders, attempts: readonly Attempt[]): Promise<CheckResult> {
  const committed = attempts.filter((a) => a.outcome === 'committed');
  const problems = (
    await mapLimited(committed, 6, async (a) => {
      const seen = await Promise.all(ORGS.map(async (org) => ({ org, tx: await readers.transaction(org, a.txId) })));
      const wrong = seen.filter(({ tx }) => tx?.validationCode !== 'VALID' || tx.blockNumber !== a.blockNumber);
      return wrong.length === 0
        ? null
        : `${a.txId.slice(0, 12)} (block ${String(a.blockNumber)}): ${wrong.map((w) => `${w.org} ${describeTx(w.tx)}`).join(', ')}`;
    })
  ).filter((p): p is string => p !== null);
  return {
    name: 'every transaction committed per the client is on every peer, VALID, in the block its commit status named (qscc GetTransactionByID, GetBlockByTxID)',
    ok: problems.length === 0,
    detail: `${String(committed.length)} transactions × ${String(ORGS.length)} peers; ${problems.length === 0 ? 'all there' : `missing or different: ${firstOf(problems)}`}`,
    lost: problems.length,
  };
}

/** What a key's attempts came to on the ledger: how many of its transactions are VALID on the city peer. */
interface KeyOnLedger {
  readonly key: string;
  readonly valid: number;
  /** Attempts the client saw fail that the ledger holds as VALID (the failure was the report, not the write). */
  readonly validAfterFailure: number;
}

/**
 * Every attempt of every key looked up on one peer: no key has more than one VALID
 * transaction (a retry never wrote twice), and how many reported failures committed after all.
 *
 * @param readers - sessions with each org's peer
 * @param attempts - the generator's records
 * @param org - the peer asked (its chain is compared with the others' by the other checks)
 * @returns the check, and per key its count of VALID transactions (for {@link stateAgrees})
 */
export async function noDuplicateWrites(
  readers: PeerReaders,
  attempts: readonly Attempt[],
  org: Org = 'city',
): Promise<{ check: CheckResult; keys: KeyOnLedger[]; validAfterFailure: number }> {
  const onLedger = await mapLimited(attempts, 6, async (a) => ({ a, tx: await readers.transaction(org, a.txId) }));
  const byKey = new Map<string, { valid: number; validAfterFailure: number }>();
  for (const { a, tx } of onLedger) {
    const entry = byKey.get(a.key) ?? { valid: 0, validAfterFailure: 0 };
    const valid = tx?.validationCode === 'VALID' ? 1 : 0;
    byKey.set(a.key, { valid: entry.valid + valid, validAfterFailure: entry.validAfterFailure + (a.outcome === 'failed' ? valid : 0) });
  }
  const keys = [...byKey.entries()].map(([key, v]) => ({ key, ...v }));
  const twice = keys.filter((k) => k.valid > 1).map((k) => `${k.key}: ${String(k.valid)} VALID transactions`);
  const validAfterFailure = keys.reduce((n, k) => n + k.validAfterFailure, 0);
  return {
    check: {
      name: `no key written twice: each of its attempts (first and retries) looked up on ${org}'s peer, at most one VALID per key`,
      ok: twice.length === 0,
      detail:
        `${String(attempts.length)} attempts over ${String(keys.length)} keys; ${String(keys.filter((k) => k.valid === 1).length)} keys written once, ` +
        `${String(keys.filter((k) => k.valid === 0).length)} never; ${String(validAfterFailure)} attempts reported failed are VALID on the ledger` +
        (twice.length === 0 ? '' : `; written twice: ${firstOf(twice)}`),
      lost: 0,
    },
    keys,
    validAfterFailure,
  };
}

/**
 * Every key the load touched reads the same on every org's peer (`identity:ResolveDID` pinned to
 * each peer): registered wherever one of its transactions is VALID, absent everywhere otherwise (a
 * failed write leaves nothing behind). A key with a VALID transaction that some peer does not
 * have counts as lost.
 *
 * @param readers - sessions with each org's peer
 * @param keys - each key and its count of VALID transactions (from {@link noDuplicateWrites})
 */
export async function stateAgrees(readers: PeerReaders, keys: readonly KeyOnLedger[]): Promise<CheckResult> {
  const problems = (
    await mapLimited(keys, 6, async (k) => {
      const answers = await Promise.all(ORGS.map((org) => readers.resolveDid(org, k.key)));
      const expectFound = k.valid > 0;
      const wrong = ORGS.filter((_org, i) => (answers[i] === 'NOT_FOUND') === expectFound);
      const differ = answers.some((a) => a !== answers[0]);
      if (wrong.length === 0 && !differ) {
        return null;
      }
      return {
        lost: expectFound && wrong.length > 0,
        text: `${k.key}: ${ORGS.map((org, i) => `${org} ${answers[i] === 'NOT_FOUND' ? 'absent' : 'registered'}`).join(', ')}${differ ? ' (records differ)' : ''}`,
      };
    })
  ).filter((p): p is { lost: boolean; text: string } => p !== null);
  return {
    name: 'the state of every key the load touched is identical on every peer (identity:ResolveDID pinned to each org’s peer): present where written, absent where not',
    ok: problems.length === 0,
    detail: `${String(keys.length)} keys × ${String(ORGS.length)} peers; ${problems.length === 0 ? 'identical' : `differing: ${firstOf(problems.map((p) => p.text))}`}`,
    lost: problems.filter((p) => p.lost).length,
  };
}
