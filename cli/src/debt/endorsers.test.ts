import { debtWriteEndorsers } from './endorsers';

describe('endorsers of a transaction that writes a debt collection', () => {
  it("names the caller's own org first and one other channel org, so OutOf(2, …) can be met", () => {
    expect(debtWriteEndorsers('AgenciesMSP')).toEqual(['AgenciesMSP', 'CityMSP']);
    expect(debtWriteEndorsers('UtilitiesMSP')).toEqual(['UtilitiesMSP', 'CityMSP']);
    expect(debtWriteEndorsers('CityMSP')).toEqual(['CityMSP', 'AgenciesMSP']);
  });

  it('prefers an org whose collection the transaction writes anyway, and ignores orgs not on the channel', () => {
    expect(debtWriteEndorsers('CityMSP', ['HarbourMSP', 'UtilitiesMSP', 'AgenciesMSP'])).toEqual(['CityMSP', 'UtilitiesMSP']);
    expect(debtWriteEndorsers('CityMSP', ['CityMSP'])).toEqual(['CityMSP', 'AgenciesMSP']);
  });
});
