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
}

/** Per block number, what must agree across copies: header hash and validation flags. */
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
  for await (const item of blocks) {
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
    fingerprints.set(checked.summary.number, `${checked.summary.hash}/${checked.summary.validationFlags}`);
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
    const hashes = new Set([...seen.values()].map((v) => v?.split('/')[0]));
    // An orderer's copy carries no validation flags; the peers' copies must agree on theirs.
    const flags = new Set([...seen.values()].map((v) => v?.split('/')[1]).filter((f) => f !== ''));
    if (hashes.size > 1 || flags.size > 1) {
      return {
        block,
        copies: Object.fromEntries(seen),
        reason: hashes.size > 1 ? 'the copies hold different blocks (header hashes differ)' : 'the copies hold the same block but different validation flags',
      };
    }
  }
  return undefined;
}
