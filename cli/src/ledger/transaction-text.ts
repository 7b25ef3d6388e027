import { renderTable } from '../output/printer';
import type { NamespaceReadWrites } from './rwset';
import type { LedgerIdentity } from './serialized-identity';
import type { LedgerTransaction } from './tx-lookup';

/** What the human form shows in place of each U+0000 in a key (U+2400 SYMBOL FOR NULL). */
export const KEY_SEPARATOR = '\u2400';

/**
 * A key, or any other text from a transaction (function name, certificate subject, collection
 * name), made readable and safe to print: each U+0000 (the separator of composite keys, which
 * start with one: shim `CreateCompositeKey`) becomes {@link KEY_SEPARATOR}; any other control
 * or invisible formatting character (C0, C1, bidirectional overrides, zero-width characters,
 * line separators), and a {@link KEY_SEPARATOR} in the text itself, a `\u{…}` escape. So no
 * transaction, not even an invalidated one with arguments of its creator's choosing, can move
 * the cursor or pass for another on an auditor's terminal. The JSON form keeps text as stored.
 */
export function readableKey(key: string): string {
  return key.replace(/[\p{Cc}\p{Cf}\u2028\u2029\u2400]/gu, (c) => (c === '\u0000' ? KEY_SEPARATOR : `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`));
}

const identityText = (id: LedgerIdentity | null): string =>
  id === null
    ? 'none (no client signed it)'
    : `${readableKey(id.mspId).padEnd(13)} ${id.subject === null ? '(not an X.509 certificate)' : readableKey(id.subject)}`;
const versionText = (version: string | null): string => version ?? 'none (key absent)';
const plural = (n: number, word: string): string => `${String(n)} ${word}${n === 1 ? '' : 's'}`;
const metadataText = (entries: readonly string[]): string => `metadata: ${entries.length === 0 ? 'cleared' : entries.map(readableKey).join(', ')}`;

function typeText(tx: LedgerTransaction): string {
  switch (tx.kind) {
    case 'endorser':
      return `${tx.type} (a chaincode transaction)`;
    case 'config':
      return `${tx.type}: a channel configuration (sequence ${String(tx.configSequence)}), not a chaincode transaction: it reads and writes no keys`;
    case 'other':
      return `${tx.type}: neither a chaincode transaction nor a channel configuration; headers only`;
  }
}

function field(name: string, value: string): string {
  return `  ${name.padEnd(11)} ${value}`;
}

function reads(sets: readonly NamespaceReadWrites[]): string[] {
  const rows = sets.flatMap((ns) => [
    ...ns.reads.map((r) => [readableKey(ns.namespace), readableKey(r.key), versionText(r.version), 'key']),
    ...ns.rangeQueries.flatMap((q) => {
      const range = `range ${readableKey(q.startKey)} … ${readableKey(q.endKey)}${q.exhausted ? '' : ' (stopped early)'}`;
      return q.reads === null
        ? [[readableKey(ns.namespace), '(keys summarised as Merkle hashes)', '-', range]]
        : q.reads.map((r) => [readableKey(ns.namespace), readableKey(r.key), versionText(r.version), range]);
    }),
  ]);
  return rows.length === 0
    ? ['reads: none']
    : ['reads (version = block:tx of the write read):', renderTable({ head: ['namespace', 'key', 'version', 'read as'], rows })];
}

function writes(sets: readonly NamespaceReadWrites[]): string[] {
  const rows = sets.flatMap((ns) => [
    ...ns.writes.map((w) => [readableKey(ns.namespace), readableKey(w.key), w.delete ? 'DELETE' : `${String(w.valueBytes)} bytes (value not shown)`]),
    ...ns.metadataWrites.map((m) => [readableKey(ns.namespace), readableKey(m.key), metadataText(m.entries)]),
  ]);
  return rows.length === 0 ? ['writes: none'] : ['writes:', renderTable({ head: ['namespace', 'key', 'write'], rows })];
}

function privateData(sets: readonly NamespaceReadWrites[]): string[] {
  const rows = sets.flatMap((ns) =>
    ns.collections.flatMap((c) => [
      ...c.reads.map((r) => [readableKey(c.collection), 'read', r.keyHash, null, versionText(r.version)]),
      ...c.writes.map((w) => [readableKey(c.collection), w.purge ? 'PURGE' : w.delete ? 'DELETE' : 'write', w.keyHash, w.valueHash, null]),
      ...c.metadataWrites.map((m) => [readableKey(c.collection), metadataText(m.entries), m.keyHash, null, null]),
    ]),
  );
  return rows.length === 0
    ? []
    : [
        'private data (SHA-256 hashes only: keys and values stay with the collection members):',
        renderTable({ head: ['collection', 'access', 'key hash', 'value hash', 'version'], rows }),
      ];
}

/**
 * The human form of `ledger tx`: a header of fields, then tables of reads, writes and private
 * data hashes; keys made readable with {@link readableKey} (said so when a key needed it).
 *
 * @param tx - the transaction as read from a peer's ledger
 * @returns lines of text, no trailing newline
 */
export function transactionText(tx: LedgerTransaction): string {
  const lines = [
    `transaction ${tx.txId}`,
    field('type', typeText(tx)),
    field('channel', readableKey(tx.channel)),
    field('block', `${tx.blockNumber} (transaction ${String(tx.indexInBlock)} in the block)`),
    field('validation', tx.validationCode),
    field('timestamp', tx.timestamp ?? 'none'),
    field('creator', identityText(tx.creator)),
  ];
  if (tx.kind === 'config') {
    lines.push(
      field('signed by', tx.updateSigners.length === 0 ? 'no config update signatures (a genesis configuration)' : identityText(tx.updateSigners[0] ?? null)),
    );
    lines.push(...tx.updateSigners.slice(1).map((s) => field('', identityText(s))));
    return lines.join('\n');
  }
  if (tx.kind === 'other') {
    return lines.join('\n');
  }
  lines.push(
    field('chaincode', `${readableKey(tx.chaincode)}${tx.chaincodeVersion === null ? '' : ` version ${readableKey(tx.chaincodeVersion)}`}`),
    field('function', `${readableKey(tx.function)}${tx.argumentCount === 0 ? '' : ` (+ ${plural(tx.argumentCount, 'argument')}, values not shown)`}`),
    field('response', String(tx.responseStatus)),
    ...tx.endorsers.map((e, i) => field(i === 0 ? 'endorsers' : '', identityText(e))),
    '',
    ...reads(tx.readWrites),
    ...writes(tx.readWrites),
    ...privateData(tx.readWrites),
  );
  const keys = tx.readWrites.flatMap((ns) => [
    ...ns.reads.map((r) => r.key),
    ...ns.writes.map((w) => w.key),
    ...ns.metadataWrites.map((m) => m.key),
    ...ns.rangeQueries.flatMap((q) => [q.startKey, q.endKey, ...(q.reads ?? []).map((r) => r.key)]),
  ]);
  if (keys.some((k) => k.includes('\u0000'))) {
    lines.push(`(${KEY_SEPARATOR} stands for U+0000, the separator of composite keys; --json gives keys exactly as stored)`);
  }
  return lines.join('\n');
}
