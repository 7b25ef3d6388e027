import { UsageError } from '../errors';
import { parseContractName, type ContractName } from './contracts';

/** The options of `civic events follow`, validated. */
export interface FollowOptions {
  /** Print only this contract's events; undefined: all. */
  readonly contract: ContractName | undefined;
  /** The block to start at when there is no checkpoint yet. */
  readonly since: bigint | undefined;
  /** The checkpoint file; undefined: none (a restart starts from `since` or new events again). */
  readonly checkpoint: string | undefined;
}

/**
 * Validate the options of `civic events follow` as commander parsed them.
 *
 * @throws UsageError for an unknown contract, a `--since` that is not a block number, or an empty `--checkpoint`
 */
export function parseFollowOptions(raw: { contract?: string; since?: string; checkpoint?: string }): FollowOptions {
  if (raw.since !== undefined && !/^\d{1,20}$/.test(raw.since.trim())) {
    throw new UsageError(`--since: '${raw.since}' is not a block number (0, 1, 2, ...)`);
  }
  if (raw.checkpoint?.trim() === '') {
    throw new UsageError('--checkpoint: expected a file name');
  }
  return {
    contract: raw.contract === undefined ? undefined : parseContractName(raw.contract),
    since: raw.since === undefined ? undefined : BigInt(raw.since.trim()),
    checkpoint: raw.checkpoint,
  };
}
