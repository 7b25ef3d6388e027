import { killNode, networkStatus, networkUp, startOrderer, waitedFor } from './faults';
import type { LoadGenerator } from './load-generator';
import { PeerReaders } from './peers';
import { ORGS, type Attempt, type CheckResult } from './records';
import type { Injection, Scenario } from './scenario';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/**
 * How long after the orderers are killed the outage is observed from: the Raft election timeout
 * (ElectionTick 10 × TickInterval 500 ms, network/lib/channel.sh) plus a margin, after which the
 * lone orderer can have no leader.
 */
const SETTLE_MS = 8_000;

/** Every org's peer answers a read (ResolveDID of `did`, pinned to it) while ordering is down. */
async function readsWork(env: NodeJS.ProcessEnv, did: string): Promise<CheckResult> {
  const readers = new PeerReaders(env);
  try {
    const answers = await Promise.all(
      ORGS.map((org) =>
        readers.resolveDid(org, did).then(
          (json) => `${org} ${json === 'NOT_FOUND' ? 'absent' : 'registered'}`,
          (e: unknown) => `${org} error: ${e instanceof Error ? e.message : String(e)}`,
        ),
      ),
    );
    return {
      name: 'reads keep working on every peer while writes are refused (identity:ResolveDID of a committed DID, pinned to each peer)',
      ok: answers.every((a) => a.endsWith(' registered')),
      detail: `${did}: ${answers.join(', ')}`,
      lost: 0,
    };
  } finally {
    readers.close();
  }
}

/** Attempts started and ended within [from, to]. */
const within = (attempts: readonly Attempt[], from: number, to: number): Attempt[] => attempts.filter((a) => a.startedAt >= from && a.endedAt <= to);

/**
 * The writes sent while only one orderer ran: none committed, each refused at submission, the
 * gateway's own error naming the orderers; the CLI's one-line reading of it is shown as seen.
 */
function writesRefused(attempts: readonly Attempt[]): CheckResult {
  const committed = attempts.filter((a) => a.outcome === 'committed').length;
  const unclear = attempts.filter((a) => a.outcome === 'failed' && (a.stage !== 'submit' || !/orderer/i.test(a.detail ?? '')));
  const said = (list: readonly (string | undefined)[]): string =>
    [...new Set(list.map((e) => (e ?? '').replace(/[,(]?\s*tx [0-9a-f]{64}\)?/g, '')))].slice(0, 2).join(' / ');
  return {
    name: 'writes are refused while two of three orderers are down: none commits, each fails at submission with the gateway naming the orderers',
    ok: attempts.length > 0 && committed === 0 && unclear.length === 0,
    detail:
      `${String(attempts.length)} attempts sent during the outage: ${String(committed)} committed, ${String(attempts.length - committed)} failed` +
      (unclear.length === 0 ? '' : `, ${String(unclear.length)} otherwise (${unclear[0]?.stage ?? ''}: ${unclear[0]?.detail ?? ''})`) +
      `; the gateway said: ${said(attempts.map((a) => a.detail))}; the CLI's one line for it: ${said(attempts.map((a) => a.error))}`,
    lost: 0,
  };
}

/**
 * (d) Two of the three orderers SIGKILLed under load (the Raft leader and one follower): with no
 * quorum, writes are refused with an error at submission while reads keep working on every peer;
 * when one orderer returns the two elect a leader and writes commit again; `civic network up`
 * then brings back the last one.
 */
export function quorumLost(env: NodeJS.ProcessEnv, outageMs = 12_000): Scenario {
  return {
    id: 'd',
    title: 'Two orderers down',
    inject: async (load: LoadGenerator): Promise<Injection> => {
      const home = env.CIVIC_NETWORK_HOME ?? '';
      const status = await networkStatus(env);
      const leader = status.channel?.raftLeader ?? null;
      const orderers = status.nodes.filter((n) => n.kind === 'orderer').map((n) => n.name);
      const victims = [leader ?? '', ...orderers.filter((n) => n !== leader)].filter((n) => n !== '').slice(0, 2);
      const pids = victims.map((node) => killNode(home, node));
      const from = Date.now();
      await sleep(SETTLE_MS);
      const observedFrom = Date.now();
      await sleep(outageMs);
      const committedDid = load.records().find((a) => a.outcome === 'committed')?.key ?? 'did:civic:none';
      const reads = await readsWork(env, committedDid);
      const refused = writesRefused(within(load.records(), observedFrom, Date.now()));
      const returning = victims[1] ?? '';
      const startMs = await startOrderer(env, returning.replace(/^orderer-/, ''));
      const returned = Date.now();
      const resumedMs = await waitedFor(
        'a write started after one orderer returned commits',
        () => load.records().some((a) => a.startedAt > returned && a.outcome === 'committed'),
        90_000,
      );
      const upMs = await networkUp(env);
      return {
        window: { from, to: Date.now() },
        injected: [
          `SIGKILL to ${victims.map((v, i) => `${v} (pid ${String(pids[i])})`).join(' and ')}, the first the Raft leader, by their pid files`,
          `outage observed for ${seconds(outageMs)} s from ${seconds(SETTLE_MS)} s after the kill`,
          `${returning} started alone (the network scripts' start_orderer) in ${seconds(startMs)} s`,
          `\`civic network up\` brought back ${victims[0] ?? ''} in ${seconds(upMs)} s`,
        ],
        checks: [
          refused,
          reads,
          {
            name: 'writes commit again once one of the two orderers returns',
            ok: resumedMs !== undefined,
            detail:
              resumedMs === undefined
                ? `no write started after ${returning} returned committed within 90 s`
                : `the first write started after ${returning} returned committed ${seconds(resumedMs)} s later`,
            lost: 0,
          },
        ],
      };
    },
  };
}
