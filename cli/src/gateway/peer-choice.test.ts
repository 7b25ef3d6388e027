import { NetworkError } from '../errors';
import { firstThatConnects, processStartIndex, rotate } from './peer-choice';

const peers = [
  { name: 'peer0.city', endpoint: '127.0.0.1:1' },
  { name: 'peer1.city', endpoint: '127.0.0.1:2' },
  { name: 'peer2.city', endpoint: '127.0.0.1:3' },
];

describe('rotate', () => {
  it('starts at the given index and wraps round, for any whole number', () => {
    expect(rotate([0, 1, 2], 0)).toEqual([0, 1, 2]);
    expect(rotate([0, 1, 2], 1)).toEqual([1, 2, 0]);
    expect(rotate([0, 1, 2], 5)).toEqual([2, 0, 1]);
    expect(rotate([0, 1, 2], -1)).toEqual([2, 0, 1]);
    expect(rotate([], 3)).toEqual([]);
  });
});

describe('processStartIndex', () => {
  it('draws one index per key and process and keeps it', () => {
    expect(processStartIndex('profile-a', 3, () => 0.99)).toBe(2);
    expect(processStartIndex('profile-a', 3, () => 0)).toBe(2);
    expect(processStartIndex('profile-b', 3, () => 0.4)).toBe(1);
    expect(processStartIndex('profile-c', 1, () => 0.99)).toBe(0);
  });

  it('draws again when the group has shrunk below the kept index', () => {
    expect(processStartIndex('profile-d', 4, () => 0.9)).toBe(3);
    expect(processStartIndex('profile-d', 2, () => 0.1)).toBe(0);
  });

  it('spreads over every peer across draws', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i += 1) {
      seen.add(processStartIndex(`spread-${String(i)}`, 3));
    }
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });
});

describe('firstThatConnects', () => {
  it('uses the first peer that connects and does not try the rest', async () => {
    const tried: string[] = [];
    const result = await firstThatConnects(
      peers,
      (p) => {
        tried.push(p.name);
        return p.name === 'peer0.city' ? Promise.reject(new Error('connection refused')) : Promise.resolve(`client of ${p.name}`);
      },
      'CityMSP',
    );
    expect(result.peer.name).toBe('peer1.city');
    expect(result.connection).toBe('client of peer1.city');
    expect(result.failed).toEqual([{ name: 'peer0.city', endpoint: '127.0.0.1:1', reason: 'connection refused' }]);
    expect(tried).toEqual(['peer0.city', 'peer1.city']);
  });

  it('names every endpoint tried and why when none connects', async () => {
    const error = await firstThatConnects(peers, (p) => Promise.reject(new Error(`down ${p.endpoint}`)), 'CityMSP').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe('GATEWAY_UNREACHABLE');
    expect((error as NetworkError).message).toBe(
      'no gateway peer of CityMSP answered; tried peer0.city at 127.0.0.1:1 (down 127.0.0.1:1); peer1.city at 127.0.0.1:2 (down 127.0.0.1:2); peer2.city at 127.0.0.1:3 (down 127.0.0.1:3)',
    );
  });

  it('says so when there is no peer at all', async () => {
    await expect(firstThatConnects([], () => Promise.resolve(1), 'CityMSP')).rejects.toThrow('CityMSP has no gateway peer in its connection profile');
  });
});
