import type { Owner, Parcel, Provenance } from '@civic-ledger/chaincode/dist/land/client';
import type { TitleCertificate } from './certificate';
import type { TableData } from '../output/printer';

const share = (o: Owner): string => `${String(o.share.num)}/${String(o.share.den)}`;

/** A parcel for people: its facts, then owners and encumbrances. */
export function renderParcel(p: Parcel): string {
  const lines = [
    `${p.cadastralId}  ${p.status}  version ${String(p.version)}`,
    `  area ${String(p.areaM2)} m², ${p.landUse}, ${p.location.type} ${JSON.stringify(p.location.coordinates).slice(0, 60)}`,
    `  deed sha256 ${p.deedHash}`,
    `  last changed by tx ${p.lastTxId} at ${p.updated}`,
    '  owners:',
    ...p.owners.map((o) => `    ${share(o).padEnd(9)} ${o.did}`),
    `  encumbrances: ${p.encumbrances.length === 0 ? 'none' : ''}`,
    ...p.encumbrances.map((e) => `    ${e.kind.padEnd(9)} ${e.id} held by ${e.holder}: ${e.description}`),
  ];
  if (p.parents.length > 0) {
    lines.push(`  from: ${p.parents.join(', ')}`);
  }
  if (p.children.length > 0) {
    lines.push(`  became: ${p.children.join(', ')}`);
  }
  return lines.join('\n');
}

/** A parcel's provenance as one table, its own versions first, then each ancestor's. */
export function provenanceTable(root: Provenance): TableData {
  const rows: (string | number)[][] = [];
  const visit = (node: Provenance, depth: number): void => {
    for (const v of node.versions) {
      rows.push([
        `${'  '.repeat(depth)}${node.cadastralId}`,
        v.parcel.version,
        v.timestamp,
        v.parcel.status,
        v.parcel.owners.map((o) => `${o.did.slice(0, 18)}… ${share(o)}`).join('\n'),
        v.txId,
      ]);
    }
    node.parents.forEach((parent) => {
      visit(parent, depth + 1);
    });
  };
  visit(root, 0);
  return { head: ['parcel', 'version', 'committed', 'status', 'owners', 'transaction'], rows };
}

/** A title certificate for people (the JSON form is the certificate itself). */
export function renderCertificate(c: TitleCertificate): string {
  const t = c.title;
  return [
    'CIVIC LEDGER — TITLE CERTIFICATE',
    `  parcel        ${t.cadastralId} (${t.status}, version ${String(t.version)})`,
    `  area          ${String(t.areaM2)} m², ${t.landUse}`,
    `  deed          sha256 ${t.deedHash}`,
    '  owners',
    ...t.owners.map((o) => `    ${share(o).padEnd(9)} ${o.did}`),
    `  encumbrances  ${t.encumbrances.length === 0 ? 'none' : ''}`,
    ...t.encumbrances.map((e) => `    ${e.kind.padEnd(9)} held by ${e.holder} since ${e.registered}: ${e.description}`),
    `  last change   tx ${c.lastChange.transactionId} in block ${c.lastChange.blockNumber} (${c.lastChange.at})`,
    `  issued        ${c.issued.at} through ${c.issued.mspId}, channel ${c.channel}`,
    `  digest        sha256 ${c.digest}`,
  ].join('\n');
}
