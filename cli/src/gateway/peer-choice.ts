import { NetworkError } from '../errors';

/** A gateway peer the CLI may connect to: its profile name and endpoint `host:port`. */
export interface PeerCandidate {
  readonly name: string;
  readonly endpoint: string;
}

/** One peer that did not answer, and why. */
export interface FailedPeer {
  readonly name: string;
  readonly endpoint: string;
  readonly reason: string;
}

/**
 * The items from index `start` on, then those before it (a rotation). `start` is taken
 * modulo the length, so any whole number works; an empty list gives an empty list.
 */
export function rotate<T>(items: readonly T[], start: number): T[] {
  if (items.length === 0) {
    return [];
  }
  const at = ((Math.trunc(start) % items.length) + items.length) % items.length;
  return [...items.slice(at), ...items.slice(0, at)];
}

const startsOfThisProcess = new Map<string, number>();

/**
 * The peer index this process starts at for a group of peers (an org's profile): drawn once
 * per process and key from `random` and kept, so one process keeps to one gateway peer while
 * separate processes (each `civic` command) spread over the org's peers.
 *
 * @param key - what identifies the group, e.g. the connection profile's path
 * @param count - how many peers the group has (at least 1)
 * @param random - a source of numbers in [0, 1) (Math.random by default)
 * @returns an index in 0..count-1
 */
export function processStartIndex(key: string, count: number, random: () => number = Math.random): number {
  const known = startsOfThisProcess.get(key);
  if (known !== undefined && known < count) {
    return known;
  }
  const drawn = Math.min(count - 1, Math.max(0, Math.floor(random() * count)));
  startsOfThisProcess.set(key, drawn);
  return drawn;
}

/**
 * Try peers in order until one connects: `connect` either resolves (that peer is used, the
 * rest are not tried) or rejects (the next peer is tried).
 *
 * @param peers - candidates in the order to try them
 * @param connect - opens a connection to one peer, rejecting when it does not answer
 * @param owner - whose peers these are, for the error (e.g. an MSP ID)
 * @returns the first connection that opened, the peer it is to, and the peers that failed before it
 * @throws NetworkError (code `GATEWAY_UNREACHABLE`) naming every endpoint tried and why, when none connects
 */
export async function firstThatConnects<P extends PeerCandidate, C>(
  peers: readonly P[],
  connect: (peer: P) => Promise<C>,
  owner: string,
): Promise<{ peer: P; connection: C; failed: FailedPeer[] }> {
  const failed: FailedPeer[] = [];
  for (const peer of peers) {
    try {
      return { peer, connection: await connect(peer), failed };
    } catch (error) {
      failed.push({ name: peer.name, endpoint: peer.endpoint, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  const tried = failed.map((f) => `${f.name} at ${f.endpoint} (${f.reason})`).join('; ');
  throw new NetworkError(
    peers.length === 0 ? `${owner} has no gateway peer in its connection profile` : `no gateway peer of ${owner} answered; tried ${tried}`,
    { code: 'GATEWAY_UNREACHABLE' },
  );
}
