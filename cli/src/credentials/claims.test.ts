import { UsageError } from '../errors';
import { parseClaims } from './claims';

const schema = {
  type: 'AgeCredential',
  version: 1,
  claims: [
    { name: 'age_over_18', type: 'boolean' },
    { name: 'birth_date', type: 'date' },
    { name: 'household_size', type: 'integer' },
    { name: 'resident_district', type: 'string' },
  ],
} as const;

describe('parseClaims', () => {
  it('types each claim by the registered schema', () => {
    expect(parseClaims(['age_over_18=true', 'birth_date=2004-05-06', 'household_size=3', 'resident_district=Centrum=Oost'], schema)).toEqual({
      age_over_18: true,
      birth_date: '2004-05-06',
      household_size: 3,
      resident_district: 'Centrum=Oost',
    });
  });

  it.each([
    ['age_over_18=yes', /--claim age_over_18 must be a boolean/],
    ['birth_date=06-05-2004', /--claim birth_date must be a date \(YYYY-MM-DD\)/],
    ['household_size=3.5', /must be an integer/],
    ['nationality=NL', /AgeCredential v1 has no claim 'nationality'/],
    ['=true', /must be name=value/],
  ])('refuses %s', (option, message) => {
    expect(() => parseClaims([option], schema)).toThrow(UsageError);
    expect(() => parseClaims([option], schema)).toThrow(message);
  });
});
