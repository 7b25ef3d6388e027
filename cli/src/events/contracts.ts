import { UsageError } from '../errors';

/** The contracts of the civic chaincode; each names its events `<contract>.<PastTenseVerb>`. */
export const CONTRACT_NAMES = ['identity', 'land', 'allocation', 'debt', 'petition'] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

/**
 * Validate a `--contract` option.
 *
 * @param name - the option's value as typed
 * @returns the contract name
 * @throws UsageError naming the allowed contracts when `name` is not one of them
 */
export function parseContractName(name: string): ContractName {
  const found = CONTRACT_NAMES.find((c) => c === name);
  if (found === undefined) {
    throw new UsageError(
      `unknown --contract '${name}' (expected ${CONTRACT_NAMES.slice(0, -1).join(', ')} or ${CONTRACT_NAMES[CONTRACT_NAMES.length - 1] ?? ''})`,
    );
  }
  return found;
}

/**
 * Which events to print: all of them, or those of one contract (`identity` keeps
 * `identity.DIDRegistered`, not `identityX.Y` nor `land.ParcelRegistered`).
 *
 * @param contract - the contract to keep, or undefined for every event
 * @returns a predicate on event names
 */
export function eventNameFilter(contract: ContractName | undefined): (eventName: string) => boolean {
  if (contract === undefined) {
    return () => true;
  }
  const prefix = `${contract}.`;
  return (eventName) => eventName.startsWith(prefix);
}
