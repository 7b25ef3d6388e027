import { tally } from '@civic-ledger/chaincode/dist/petition/client';
import { resultsText } from './render';

describe('petition results for people', () => {
  it('shows exact option counts, and marks suppressed bands as <k and withheld splits as withheld', () => {
    const petition = { options: ['Yes', 'No'], attributes: { district: ['North', 'South'] }, k: 5, threshold: 10 };
    const signatures = [
      ...Array.from({ length: 9 }, () => ({ option: 'Yes', attributes: { district: 'North' } })),
      ...Array.from({ length: 2 }, () => ({ option: 'No', attributes: { district: 'South' } })),
      ...Array.from({ length: 6 }, () => ({ option: 'No', attributes: {} })),
    ];
    const text = resultsText({ petitionId: 'p-one', status: 'open', ...tally(petition, signatures) }, petition.options);
    const lines = text.split('\n');
    expect(lines[0]).toBe('p-one (open): 17 signature(s), threshold reached');
    expect(text).toMatch(/│ Yes +│ 9 +│/);
    expect(text).toMatch(/│ No +│ 8 +│/);
    expect(text).toMatch(/│ district +│ South +│ <k +│ withheld +│ withheld +│/);
    // South alone could be recovered as 17 - 9 - 6, so the smaller other band goes too.
    expect(text).toMatch(/│ district +│ \(not stated\) +│ <k +│ withheld +│ withheld +│/);
    expect(text).toMatch(/│ district +│ North +│ 9 +│ 9 +│ 0 +│/);
  });
});
