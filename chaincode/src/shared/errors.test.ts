import { ChaincodeError, MAX_DETAIL_LENGTH } from './errors';

describe('ChaincodeError', () => {
  it('keeps a short detail as it is', () => {
    expect(new ChaincodeError('NOT_FOUND', 'consent c-1 is not recorded').message).toBe('NOT_FOUND: consent c-1 is not recorded');
  });

  it('cuts a detail that quotes a huge argument, saying how much was left out', () => {
    const message = new ChaincodeError('NOT_FOUND', `consent ${'{'.repeat(300_000)}`).message;
    expect(message.length).toBeLessThan(MAX_DETAIL_LENGTH + 60);
    expect(message).toMatch(/^NOT_FOUND: consent \{+… \(\d+ more characters\)$/);
    expect(message).toContain(`(${String(300_008 - MAX_DETAIL_LENGTH)} more characters)`);
  });

  it('never cuts between the halves of a surrogate pair', () => {
    const detail = `${'a'.repeat(MAX_DETAIL_LENGTH - 1)}😀${'b'.repeat(10)}`;
    const message = new ChaincodeError('INVALID_ARGUMENT', detail).message;
    expect(message).toBe(`INVALID_ARGUMENT: ${'a'.repeat(MAX_DETAIL_LENGTH - 1)}… (12 more characters)`);
  });
});
