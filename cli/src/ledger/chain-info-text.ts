import { renderTable } from '../output/printer';
import type { ChainInfoReport } from './chain-info';

/**
 * One line saying whether the peers agree: heights, and whether their hashes fit one chain.
 *
 * @param report - every member org's peer's chain
 */
export function agreementText(report: ChainInfoReport): string {
  const answered = report.peers.flatMap((p) => (p.chain === null ? [] : [{ org: p.org, height: p.chain.height }]));
  const missing = report.peers.filter((p) => p.chain === null).map((p) => p.org);
  const peers = answered.length === 1 ? 'one peer' : `${String(answered.length)} peers`;
  const among = missing.length === 0 ? `all ${peers}` : `the ${peers} that answered (no answer from ${missing.join(', ')})`;
  if (answered.length === 0) {
    return 'no peer answered';
  }
  const heights = report.heightsAgree
    ? `heights agree: ${String(answered[0]?.height)} on ${among}`
    : `heights differ: ${answered.map((a) => `${a.org} ${String(a.height)}`).join(', ')} (a peer still committing catches up; ask again)`;
  const hashes = report.hashesConsistent ? 'hashes fit one chain' : 'HASHES DIFFER: the peers hold different blocks';
  return `${heights}; ${hashes}`;
}

/**
 * The human form of `ledger info`: a table of the peers (a peer that did not answer shows why
 * in its row) and the agreement line.
 *
 * @param report - every member org's peer's chain
 */
export function chainInfoText(report: ChainInfoReport): string {
  const rows = report.peers.map((p) =>
    p.chain === null
      ? [p.org, p.endpoint, null, `no answer: ${p.error ?? 'unknown'}`, null]
      : [p.org, p.endpoint, p.chain.height, p.chain.currentBlockHash, p.chain.previousBlockHash === '' ? null : p.chain.previousBlockHash],
  );
  return [
    `channel ${report.channel}`,
    renderTable({ head: ['org', 'peer', 'height', 'current block hash', 'previous block hash'], rows }),
    agreementText(report),
  ].join('\n');
}
