import type { BandResult, PetitionRecord } from '@civic-ledger/chaincode/dist/petition/client';
import { renderTable, type TableData } from '../output/printer';
import type { PetitionAudit } from './audit';
import type { PetitionResults } from './ledger';

/** One row per petition or poll. */
export function petitionsTable(petitions: readonly PetitionRecord[]): TableData {
  return {
    head: ['petition', 'kind', 'title', 'status', 'closes', 'threshold'],
    rows: petitions.map((p) => [p.petitionId, p.kind, p.title, p.status, p.closes, p.threshold ?? '—']),
  };
}

/** A petition's record for people: what it asks, who may sign, how to check its text, and (given the live results) where it stands. */
export function petitionDetails(p: PetitionRecord, live?: PetitionResults): string {
  const rule = Object.entries(p.eligibility.claims).map(([c, v]) => `${c} = ${JSON.stringify(v)}`);
  const lines = [
    `${p.kind} ${p.petitionId}: ${p.title}`,
    `  status      ${p.status}${p.final === null ? '' : ` (closed ${p.final.closedAt}, ${p.final.reason}; total ${String(p.final.total)}${p.final.thresholdReached === null ? '' : p.final.thresholdReached ? ', threshold reached' : ', threshold not reached'})`}`,
    `  options     ${p.options.join(' | ')}`,
    `  threshold   ${p.threshold === null ? 'none (poll)' : String(p.threshold)}${live === undefined ? '' : `; ${String(live.total)} signature(s) so far${live.thresholdReached === true ? ', threshold reached' : ''}`}`,
    `  closes      ${p.closes}`,
    `  eligible    holders of ${p.eligibility.credentialType} with ${rule.join(', ')}`,
    `  bands       ${
      Object.entries(p.attributes)
        .map(([a, b]) => `${a}: ${b.join(', ')}`)
        .join('; ') || 'none'
    } (published from k = ${String(p.k)})`,
    `  text sha256 ${p.textHash} (the text is in the creation event)`,
    `  token key   ${p.suite}, ${String(Buffer.from(p.publicKey.n, 'base64url').length * 8)}-bit RSA`,
  ];
  return lines.join('\n');
}

const cell = (n: number | null): string => (n === null ? `<k` : String(n));

function bandRow(b: BandResult, options: readonly string[]): (string | number)[] {
  return [b.attribute, b.band, cell(b.count), ...options.map((o) => (b.byOption === null ? 'withheld' : String(b.byOption[o] ?? 0)))];
}

/** Counts per option, then the attribute bands under the k rule. */
export function resultsText(r: PetitionResults, options: readonly string[]): string {
  const head = `${r.petitionId} (${r.status}): ${String(r.total)} signature(s)${r.thresholdReached === null ? '' : r.thresholdReached ? ', threshold reached' : ', threshold not reached'}`;
  const counts = renderTable({ head: ['option', 'signatures'], rows: options.map((o) => [o, r.counts[o] ?? 0]) });
  if (r.bands.length === 0) {
    return `${head}\n${counts}`;
  }
  const bands = renderTable({ head: ['attribute', 'band', 'signatures', ...options], rows: r.bands.map((b) => bandRow(b, options)) });
  return `${head}\n${counts}\nBands (a figure under k = ${String(r.k)}, or one that would reveal it by subtraction, is not published):\n${bands}`;
}

/** Every recorded token with its check, then the verdict. */
export function auditText(a: PetitionAudit): string {
  const tokens = renderTable({
    head: ['token id', 'option', 'bands', 'tx', 'signature'],
    rows: a.tokens.map((t) => [
      t.tokenId,
      t.option,
      Object.entries(t.attributes)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
      t.txId,
      t.problem ?? 'valid',
    ]),
  });
  const summary = `${String(a.tokens.length)} signature(s) from ${String(a.issued)} token(s) issued; recount: ${Object.entries(a.tally.counts)
    .map(([o, n]) => `${o} ${String(n)}`)
    .join(', ')}`;
  const verdict = a.findings.length === 0 ? 'every signature verifies and the counts match the ledger' : a.findings.map((f) => `FAIL ${f}`).join('\n');
  return `${tokens}\n${summary}\n${verdict}`;
}
