/**
 * An outsider with a copy of a peer's block files, trying to learn who owes what from the debt
 * contract's private data. A block holds, for each private read or write, the SHA-256 of the
 * private key with no salt (privateKeyHashesOf). A key that is a composite of guessable parts
 * can therefore be found by hashing every guess: this builds every composite key of the debt
 * contract's object types (the chaincode is public) from every DID in the blocks and every
 * public id (every transaction id, every id-like token in a debt transaction's envelope:
 * arguments, results, events, public state written), with the DID before or after the id, or
 * either alone, and reports each private key hash it reproduces.
 */
import { createHash } from 'node:crypto';
import { privateKeyHashesOf, type BlockTransaction } from './block-files';

/** The debt contract's object types, public and private (chaincode/src/debt/model.ts). */
export const DEBT_OBJECT_TYPES = ['civic.debt.record', 'civic.debt.planshare', 'civic.debt.consent', 'civic.debt.plan'] as const;

/** A private key hash the attacker reproduced, with the key that hashes to it. */
export interface Found {
  readonly collection: string;
  readonly txId: string;
  /** The function of the transaction whose read/write set holds the hash. */
  readonly fn: string;
  /** The object type and attributes of the composite key. */
  readonly key: readonly string[];
  /** The DID among the key's attributes, when there is one: the debt linked to a person. */
  readonly did?: string;
}

/** What the attack saw and found. */
export interface Attack {
  readonly dids: ReadonlySet<string>;
  readonly ids: number;
  /** Distinct private key hashes of debt collections in the blocks. */
  readonly keyHashes: number;
  readonly found: Found[];
}

const DID = /did:civic:[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;
const TOKEN = /[A-Za-z0-9_-]{16,128}/g;

/** Fabric's composite key (fabric-shim createCompositeKey): U+0000, the type, then each attribute, each followed by U+0000. */
function compositeKey(parts: readonly string[]): string {
  return `\u0000${parts.map((p) => `${p}\u0000`).join('')}`;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Run the attack over a ledger's blocks.
 *
 * @param raw - every block's raw bytes (for the DIDs)
 * @param transactions - every endorser transaction of those blocks (the debt ones give ids)
 * @param fromBlock - attack the key hashes of debt transactions in this block and later ones only
 *   (what one test run wrote, when earlier runs may have run an older chaincode)
 */
export function attackDebtKeys(raw: readonly Buffer[], transactions: readonly BlockTransaction[], fromBlock = 0): Attack {
  const dids = new Set(raw.flatMap((b) => b.toString('latin1').match(DID) ?? []));
  const debtTxs = transactions.filter((t) => t.fn.startsWith('debt:'));
  // Every public id a debt key could be built from: each debt transaction's id (the old design
  // keyed records by the RecordDebt transaction's id) and every id-like token in its envelope.
  // Other transactions' ids are left out: no debt transaction reads or writes under them, and
  // with every DID of a large ledger they would make billions of candidates.
  const ids = new Set([...debtTxs.map((t) => t.txId), ...debtTxs.flatMap((t) => t.envelope.toString('latin1').match(TOKEN) ?? [])]);
  const targets = new Map<string, { collection: string; txId: string; fn: string }[]>();
  for (const tx of debtTxs.filter((t) => t.blockNumber >= fromBlock)) {
    for (const h of privateKeyHashesOf(tx).filter((k) => k.namespace === tx.chaincode && k.collection.startsWith('debt'))) {
      targets.set(h.keyHash, [...(targets.get(h.keyHash) ?? []), { collection: h.collection, txId: tx.txId, fn: tx.fn }]);
    }
  }
  const found: Found[] = [];
  const tryKey = (key: readonly string[], did?: string): void => {
    for (const at of targets.get(sha256(compositeKey(key))) ?? []) {
      found.push({ ...at, key, ...(did === undefined ? {} : { did }) });
    }
  };
  for (const type of DEBT_OBJECT_TYPES) {
    for (const id of ids) {
      tryKey([type, id]);
    }
    for (const did of dids) {
      tryKey([type, did], did);
      for (const id of ids) {
        tryKey([type, did, id], did);
        tryKey([type, id, did], did);
      }
    }
  }
  return { dids, ids: ids.size, keyHashes: targets.size, found };
}
