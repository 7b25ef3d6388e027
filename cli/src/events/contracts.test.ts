import { UsageError } from '../errors';
import { CONTRACT_NAMES, eventNameFilter, parseContractName } from './contracts';

describe('the --contract filter', () => {
  it.each(CONTRACT_NAMES)('accepts the %s contract', (name) => {
    expect(parseContractName(name)).toBe(name);
  });

  it.each(['harbour', 'Identity', 'identity.', ''])("refuses '%s', naming the five contracts", (name) => {
    expect(() => parseContractName(name)).toThrow(new UsageError(`unknown --contract '${name}' (expected identity, land, allocation, debt or petition)`));
  });

  it("keeps a contract's own events only, by the `<contract>.` prefix", () => {
    const names = ['identity.DIDRegistered', 'identity.KeyRotated', 'land.ParcelRegistered', 'identityX.Y', 'identity', 'debt.DebtRecorded'];
    expect(names.filter(eventNameFilter('identity'))).toEqual(['identity.DIDRegistered', 'identity.KeyRotated']);
    expect(names.filter(eventNameFilter('land'))).toEqual(['land.ParcelRegistered']);
    expect(names.filter(eventNameFilter(undefined))).toEqual(names);
  });
});
