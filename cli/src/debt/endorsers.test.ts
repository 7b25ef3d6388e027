import { ownCollectionEndorsers, planEndorsers } from './endorsers';

describe('endorsers of debt transactions with private data', () => {
  it('sends a write of one creditor collection to that creditor only', () => {
    expect(ownCollectionEndorsers('AgenciesMSP')).toEqual(['AgenciesMSP']);
  });

  it('sends a plan to the counsellor and every creditor, once each', () => {
    expect(planEndorsers('CityMSP', ['AgenciesMSP', 'UtilitiesMSP'])).toEqual(['CityMSP', 'AgenciesMSP', 'UtilitiesMSP']);
    expect(planEndorsers('CityMSP', ['CityMSP', 'AgenciesMSP'])).toEqual(['CityMSP', 'AgenciesMSP']);
  });

  it('adds a second org when the counsellor is the only creditor (the chaincode-wide policy needs two)', () => {
    expect(planEndorsers('CityMSP', ['CityMSP'])).toEqual(['CityMSP', 'AgenciesMSP']);
  });
});
