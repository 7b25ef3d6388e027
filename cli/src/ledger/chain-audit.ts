import type { BlockOrError } from './block-source';
import { ChainVerifier, type BlockSummary, type ChainProblem } from './verify';

/** The verification of one copy of the chain (a peer's, or a ledger folder's). */
export interface ChainReport {
  /** Whose copy: e.g. `city (peer0.city…:7051)` or the ledger folder. */
  readonly source: string;
  readonly blocks: number;
  readonly signaturesChecked: number;
  readonly configBlocks: readonly number[];
  readonly genesisHash: string | undefined;
  /** The hash of the last block that verified. */
  readonly lastHash: string | undefined;
  readonly problem: ChainProblem | undefined;
  /** What is odd but not wrong, e.g. a partly written block at the end of a copy. */
  readonly warnings: readonly string[];
}

/**
 * Per block number, what must agree across copies: `hash/validation flags/commit hash` (the
 * last two empty in an orderer's copy).
 */
export type Fingerprints = Map<number, string>;

/**
 * Verify one copy of the chain from the genesis block, stopping at its first problem.
 *
 * @param source - who holds this copy, for the report
 * @param blocks - its blocks in order from block 0
 * @param channel - the channel's name
 * @param onBlock - called after each block that verified (progress, tables)
 * @returns the report and each verified block's fingerprint, for comparing copies
 */
export async function auditChain(
  source: string,
  blocks: AsyncIterable<BlockOrError> | Iterable<BlockOrError>,
  channel: string,
  onBlock: (summary: BlockSummary) => void = () => undefined,
): Promise<{ report: ChainReport; fingerprints: Fingerprints }> {
  const verifier = new ChainVerifier(channel);
  const fingerprints: Fingerprints = new Map();
  let count = 0;
  let lastHash: string | undefined;
  let problem: ChainProblem | undefined;
  const warnings: string[] = [];
  for await (const item of blocks) {
    if ('warning' in item) {
      warnings.push(item.warning);
      continue;
    }
    if ('error' in item) {
      problem = { block: item.number, reason: item.error };
      break;
    }
    const checked = verifier.check(item.block);
    if (checked.problem !== undefined || checked.summary === undefined) {
      problem = checked.problem;
      break;
    }
    count += 1;
    lastHash = checked.summary.hash;
    fingerprints.set(checked.summary.number, `${checked.summary.hash}/${checked.summary.validationFlags}/${checked.summary.commitHash}`);
    onBlock(checked.summary);
  }
  return {
    report: {
      source,
      blocks: count,
      signaturesChecked: verifier.signaturesChecked,
      configBlocks: verifier.configBlocks,
      genesisHash: verifier.genesisHash,
      lastHash,
      problem,
      warnings,
    },
    fingerprints,
  };
}

/** The first block where copies disagree, with each copy's header hash / validation flags. */
export interface Disagreement {
  readonly block: number;
  readonly copies: Readonly<Record<string, string | null>>;
  readonly reason: string;
}

/**
 * Compare copies block by block up to the shortest (each copy's own height is its business: a
 * peer a block behind is catching up, not disagreeing).
 *
 * @returns the first disagreement, or `undefined` when they agree on every block they share
 */
export function compareCopies(copies: ReadonlyMap<string, Fingerprints>): Disagreement | undefined {
  const sizes = [...copies.values()].map((f) => f.size);
  const shared = sizes.length === 0 ? 0 : Math.min(...sizes);
  for (let block = 0; block < shared; block += 1) {
    const seen = new Map([...copies].map(([name, f]) => [name, f.get(block) ?? null]));
    const part = (i: number): Set<string | undefined> => new Set([...seen.values()].map((v) => v?.split('/')[i]).filter((p) => p !== ''));
    // An orderer's copy carries no validation flags or commit hash; the peers' copies must agree on theirs.
    const reason =
      part(0).size > 1
        ? 'the copies hold different blocks (header hashes differ)'
        : part(1).size > 1
          ? 'the copies hold the same block but different validation flags'
          : part(2).size > 1
            ? 'the copies hold the same block but different commit hashes (their peers applied different state updates)'
            : undefined;
    if (reason !== undefined) {
      return { block, copies: Object.fromEntries(seen), reason };
    }
  }
  return undefined;
}
