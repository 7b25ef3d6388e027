import { z } from 'zod';
import { signAction } from '../test-support/citizen-keys';
import { FakeLedger } from '../test-support/fake-context';
import { registeredCitizen } from '../test-support/identity-fixtures';
import { land, parcelRequest, registrar } from '../test-support/land-fixtures';
import { refused } from '../test-support/refusal';
import { ChaincodeError } from './errors';
import { MAX_JSON_DEPTH, parseJsonArgument, parseJsonText } from './validation';

const nested = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

function refusalOf(run: () => unknown): ChaincodeError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ChaincodeError);
    return error as ChaincodeError;
  }
  throw new Error('expected a refusal');
}

describe('parseJsonText', () => {
  it(`reads JSON nested ${MAX_JSON_DEPTH} levels deep, and refuses one level more, or 100,000, as an argument error`, () => {
    expect(parseJsonText(nested(MAX_JSON_DEPTH), 'request')).toBeInstanceOf(Array);
    for (const levels of [MAX_JSON_DEPTH + 1, 100_000]) {
      const e = refusalOf(() => parseJsonText(nested(levels), 'request'));
      expect(e.message).toBe(`INVALID_ARGUMENT: request nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`);
    }
    const deepUnderProto = `${'{"__proto__":'.repeat(MAX_JSON_DEPTH + 1)}{}${'}'.repeat(MAX_JSON_DEPTH + 1)}`;
    expect(refusalOf(() => parseJsonText(deepUnderProto, 'request')).code).toBe('INVALID_ARGUMENT');
  });

  it('refuses a number JSON.parse reads as Infinity, wherever it is, and keeps -0 and the largest double', () => {
    for (const text of ['1e309', '{"a":[1,-1e309]}', '{"__proto__":{"x":1e400}}']) {
      expect(refusalOf(() => parseJsonText(text, 'request')).message).toBe(
        'INVALID_ARGUMENT: request holds a number beyond the range of a double (about ±1.8e308)',
      );
    }
    expect(Object.is(parseJsonText('-0', 'request'), -0)).toBe(true);
    expect(parseJsonText('[1.7976931348623157e308]', 'request')).toEqual([Number.MAX_VALUE]);
  });

  it('names the input when it is not JSON, as parseJsonArgument does', () => {
    expect(refusalOf(() => parseJsonArgument(z.unknown(), '{', 'request')).message).toBe('INVALID_ARGUMENT: request is not valid JSON');
  });
});

describe('citizen-signed requests with input no canonical JSON can hold', () => {
  it('refuses a payload with 1e309 or nested 5,000 deep as an argument error, writing nothing (was a bare Error or RangeError)', async () => {
    const ledger = new FakeLedger();
    const alice = await registeredCitizen(ledger);
    await ledger.tx(registrar, (ctx) => land.RegisterParcel(ctx, parcelRequest([{ did: alice.did, share: { num: 1, den: 1 } }])));
    const signed = signAction(alice, 'land:WithdrawOffer', { cadastralId: 'AM-K-1234', offerId: 'tx0001' });
    const text = JSON.stringify(signed);
    for (const [extra, message] of [
      ['1e309', 'INVALID_ARGUMENT: request holds a number beyond the range of a double (about ±1.8e308)'],
      [nested(5_000), `INVALID_ARGUMENT: request nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`],
    ] as const) {
      const hostile = text.replace('"action":', `"extra":${extra},"action":`);
      const e = await refused(ledger, () => ledger.tx({ mspId: 'AgenciesMSP', role: 'clerk' }, (ctx) => land.WithdrawOffer(ctx, hostile)));
      expect(e.message).toBe(message);
    }
  });
});
