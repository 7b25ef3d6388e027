import type { ChaincodeEvent } from '@hyperledger/fabric-gateway';
import { eventLine, humanLine, jsonLine } from './lines';

const TX = 'c0ffee'.padEnd(64, '0');
const event = (payload: Uint8Array, blockNumber = 12n): ChaincodeEvent => ({
  blockNumber,
  transactionId: TX,
  chaincodeName: 'civic',
  eventName: 'identity.DIDRegistered',
  payload,
});
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('event lines', () => {
  it('prints one compact JSON object: block number as a string, the payload parsed', () => {
    const line = jsonLine(event(utf8('{"did":"did:civic:x","keyId":"key-1","sequence":0}')));
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      blockNumber: '12',
      transactionId: TX,
      chaincode: 'civic',
      eventName: 'identity.DIDRegistered',
      payload: { did: 'did:civic:x', keyId: 'key-1', sequence: 0 },
      payloadEncoding: 'json',
    });
  });

  it('keeps block numbers beyond 2^53 exact', () => {
    expect(eventLine(event(utf8('{}'), 9007199254740993n)).blockNumber).toBe('9007199254740993');
  });

  it('gives a payload that is not JSON, or not UTF-8, in base64', () => {
    expect(eventLine(event(utf8('not json')))).toMatchObject({ payload: Buffer.from('not json').toString('base64'), payloadEncoding: 'base64' });
    expect(eventLine(event(new Uint8Array([0x22, 0xff, 0x22])))).toMatchObject({ payload: 'Iv8i', payloadEncoding: 'base64' });
    expect(eventLine(event(new Uint8Array()))).toMatchObject({ payload: '', payloadEncoding: 'base64' });
  });

  it('tells a JSON string payload from base64 by payloadEncoding', () => {
    expect(eventLine(event(utf8('"aGk="')))).toMatchObject({ payload: 'aGk=', payloadEncoding: 'json' });
  });

  it('prints for people: block, tx id, event name and the payload compact, on one line', () => {
    expect(humanLine(event(utf8('{ "did" : "did:civic:x",\n "sequence": 0 }')))).toBe(
      `block 12  tx ${TX}  identity.DIDRegistered  {"did":"did:civic:x","sequence":0}`,
    );
    expect(humanLine(event(utf8('plain')))).toBe(`block 12  tx ${TX}  identity.DIDRegistered  base64:cGxhaW4=`);
  });
});
