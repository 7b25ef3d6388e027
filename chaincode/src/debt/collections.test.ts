import { MSP_IDS } from '../shared/access';
import { configuredCollections } from '../test-support/debt-fixtures';
import { debtCollection } from './model';

describe('collections_config.json (part of the chaincode definition)', () => {
  it('defines one collection per creditor org, named as the contract names it, with that org as its only member', () => {
    const collections = configuredCollections();
    expect(Object.keys(collections).sort()).toEqual(MSP_IDS.map(debtCollection).sort());
    for (const msp of MSP_IDS) {
      expect(collections[debtCollection(msp)]?.members).toEqual([msp]);
    }
  });
});
