import { UsageError } from '../errors';
import { parseFollowOptions } from './options';

describe('the options of events follow', () => {
  it('parses a block number to start at, the contract and the checkpoint file', () => {
    expect(parseFollowOptions({ contract: 'debt', since: '42', checkpoint: 'x.ckpt' })).toEqual({ contract: 'debt', since: 42n, checkpoint: 'x.ckpt' });
    expect(parseFollowOptions({})).toEqual({ contract: undefined, since: undefined, checkpoint: undefined });
    expect(parseFollowOptions({ since: '18446744073709551615' }).since).toBe(18446744073709551615n);
  });

  it.each(['-1', '1.5', 'abc', '', '0x10'])("refuses --since '%s'", (since) => {
    expect(() => parseFollowOptions({ since })).toThrow(new UsageError(`--since: '${since}' is not a block number (0, 1, 2, ...)`));
  });

  it('refuses an empty --checkpoint', () => {
    expect(() => parseFollowOptions({ checkpoint: ' ' })).toThrow(new UsageError('--checkpoint: expected a file name'));
  });
});
