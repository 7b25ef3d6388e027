import { chaincodeProcesses, killNode, networkStatus, networkUp, nodePid, procStat, waitedFor, waitFor } from './faults';
import type { LoadGenerator } from './load-generator';
import { PeerReaders } from './peers';
import type { Attempt, Org } from './records';
import type { Injection, Scenario } from './scenario';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/** The network's state folder; throws when the environment names none. */
function homeOf(env: NodeJS.ProcessEnv): string {
  const home = env.CIVIC_NETWORK_HOME;
  if (home === undefined) {
    throw new Error('CIVIC_NETWORK_HOME is not set');
  }
  return home;
}

/** Attempts that committed (per their commit status) between `from` and `to` (ms since the epoch). */
const committedBetween = (attempts: readonly Attempt[], from: number, to: number): number =>
  attempts.filter((a) => a.outcome === 'committed' && a.endedAt >= from && a.endedAt <= to).length;

/** Kill leftover chaincode processes of a killed peer (found by parent pid before the kill) that still run. */
function reapOrphans(pids: readonly number[], starts: ReadonlyMap<number, string>): number[] {
  const alive = pids.filter((pid) => procStat(pid)?.startTime === starts.get(pid));
  alive.forEach((pid) => {
    process.kill(pid, 'SIGKILL');
  });
  return alive;
}

/**
 * (a) One org's peer SIGKILLed under load and left down for `downMs`, then restarted with
 * `civic network up`; the other orgs keep endorsing and committing meanwhile, and the restarted
 * peer catches up (the ledger checks: same height, every transaction, same state).
 */
export function peerCrash(env: NodeJS.ProcessEnv, org: Org = 'utilities', downMs = 10_000): Scenario {
  const node = `peer-${org}`;
  return {
    id: 'a',
    title: 'Peer crash and catch-up',
    inject: async (load: LoadGenerator): Promise<Injection> => {
      const home = homeOf(env);
      const peerPid = nodePid(home, node) ?? 0;
      const chaincodes = chaincodeProcesses(peerPid);
      const starts = new Map(chaincodes.map((pid) => [pid, procStat(pid)?.startTime ?? '']));
      const inFlight = load.inFlight;
      killNode(home, node);
      const from = Date.now();
      await waitFor(`${node} gone`, () => nodePid(home, node) === undefined, 10_000);
      await sleep(downMs);
      const upMs = await networkUp(env);
      const to = Date.now();
      const orphans = reapOrphans(chaincodes, starts);
      const during = committedBetween(load.records(), from, to);
      return {
        window: { from, to },
        injected: [
          `SIGKILL to ${node} (pid ${String(peerPid)}, from its pid file) with ${String(inFlight)} writes in flight`,
          `left down ${seconds(downMs)} s under load, then \`civic network up\` restarted it (pid ${String(nodePid(home, node) ?? 'none')}) in ${seconds(upMs)} s`,
          orphans.length === 0
            ? `its chaincode process (pid ${chaincodes.join(', ') || 'none'}) had exited with it`
            : `its orphaned chaincode process (pid ${orphans.join(', ')}) still ran after the restart and was SIGKILLed`,
        ],
        checks: [
          {
            name: `the other orgs kept committing while ${node} was down`,
            ok: during > 0,
            detail: `${String(during)} attempts committed between the kill and the restart`,
            lost: 0,
          },
        ],
      };
    },
  };
}

/** The Raft leader's node name from `civic network status`, or null while there is none. */
async function raftLeader(env: NodeJS.ProcessEnv): Promise<string | null> {
  return (await networkStatus(env)).channel?.raftLeader ?? null;
}

/**
 * (b) The Raft leader SIGKILLed under load: the two other orderers elect a new leader and blocks
 * keep being cut (writes started after the election commit) before `civic network up` restarts
 * the old leader, which rejoins as a follower.
 */
export function raftLeaderKilled(env: NodeJS.ProcessEnv): Scenario {
  return {
    id: 'b',
    title: 'Raft leader killed under load',
    inject: async (load: LoadGenerator): Promise<Injection> => {
      const home = homeOf(env);
      const leader = await raftLeader(env);
      if (leader === null) {
        throw new Error('network status names no Raft leader before the fault');
      }
      const pid = killNode(home, leader);
      const from = Date.now();
      const seen: { leader: string | null } = { leader: null };
      const electedMs = await waitedFor(
        'a new Raft leader',
        async () => {
          seen.leader = await raftLeader(env);
          return seen.leader !== null && seen.leader !== leader;
        },
        60_000,
        500,
      );
      const elected = Date.now();
      const next = seen.leader;
      const committedMs = await waitedFor(
        'a write started after the election commits',
        () => load.records().some((a) => a.startedAt > elected && a.outcome === 'committed'),
        60_000,
      );
      const restarted = Date.now();
      const upMs = await networkUp(env);
      const to = Date.now();
      const during = committedBetween(load.records(), elected, restarted);
      const after = (await networkStatus(env)).nodes.filter((n) => n.kind === 'orderer');
      const running = after.filter((n) => n.running && n.healthy).length;
      return {
        window: { from, to },
        injected: [
          `SIGKILL to the Raft leader ${leader} (pid ${String(pid)}, from its pid file)`,
          electedMs === undefined
            ? `\`civic network status\` named no new leader within 60 s`
            : `\`civic network status\` named ${String(next)} leader ${seconds(electedMs)} s later`,
          committedMs === undefined
            ? 'no write started after that committed within 60 s'
            : `a write started after the election committed ${seconds(committedMs)} s after it`,
          `\`civic network up\` restarted ${leader} in ${seconds(upMs)} s`,
        ],
        checks: [
          {
            name: 'the remaining orderers elect a new Raft leader',
            ok: electedMs !== undefined,
            detail: electedMs === undefined ? `none but ${String(next)} within 60 s` : `${String(next)} after ${seconds(electedMs)} s`,
            lost: 0,
          },
          {
            name: 'writes commit under the new leader while the old one is down',
            ok: during > 0,
            detail: `${String(during)} attempts committed between the election and the restart`,
            lost: 0,
          },
          {
            name: 'all three orderers run and are healthy after the restart',
            ok: running === 3,
            detail: `${String(running)} of ${String(after.length)} orderers healthy`,
            lost: 0,
          },
        ],
      };
    },
  };
}

/** How long until an evaluate pinned to `org`'s peer answers (the chaincode runs there again). */
async function untilChaincodeAnswers(env: NodeJS.ProcessEnv, org: Org, did: string): Promise<number> {
  const readers = new PeerReaders(env);
  try {
    return await waitFor(
      `${org}'s peer answering an evaluate`,
      () =>
        readers.resolveDid(org, did).then(
          () => true,
          () => false,
        ),
      120_000,
      200,
    );
  } finally {
    readers.close();
  }
}

/**
 * (c) The chaincode process of one org's peer SIGKILLed while writes are in flight: each write
 * it was endorsing fails cleanly (or the gateway gets its endorsement elsewhere) and none leaves
 * partial state (the ledger checks), and the next invoke on that peer works: the peer launches
 * the chaincode again through the external builder.
 */
export function chaincodeKilled(env: NodeJS.ProcessEnv, org: Org = 'agencies'): Scenario {
  const node = `peer-${org}`;
  return {
    id: 'c',
    title: 'Chaincode process killed mid-invoke',
    inject: async (load: LoadGenerator): Promise<Injection> => {
      const home = homeOf(env);
      const peerPid = nodePid(home, node);
      const before = peerPid === undefined ? [] : chaincodeProcesses(peerPid);
      if (peerPid === undefined || before.length === 0) {
        throw new Error(`${node} runs no chaincode process to kill (peer pid ${String(peerPid)})`);
      }
      await waitFor('writes in flight', () => load.inFlight > 0, 10_000, 10);
      const inFlight = load.inFlight;
      before.forEach((pid) => {
        process.kill(pid, 'SIGKILL');
      });
      const from = Date.now();
      const probe = load.records().find((a) => a.outcome === 'committed')?.key ?? 'did:civic:none';
      const answeredMs = await untilChaincodeAnswers(env, org, probe);
      const to = Date.now();
      const after = chaincodeProcesses(peerPid);
      return {
        window: { from, to },
        injected: [
          `SIGKILL to ${node}'s chaincode process (pid ${before.join(', ')}: the peer's child, pid ${String(peerPid)}, started by the external builder) with ${String(inFlight)} writes in flight`,
          `an evaluate pinned to ${org}'s peer answered again ${seconds(answeredMs)} s later; chaincode process now pid ${after.join(', ') || 'none'}`,
        ],
        summarise: (attempts) => {
          const atKill = attempts.filter((a) => a.startedAt <= from && a.endedAt >= from);
          const committed = atKill.filter((a) => a.outcome === 'committed').length;
          return [`attempts in flight at the kill: ${String(committed)} committed, ${String(atKill.length - committed)} failed`];
        },
        checks: [
          {
            name: `the peer launches the chaincode again on the next invoke, itself still running`,
            ok: after.length > 0 && after.every((pid) => !before.includes(pid)) && nodePid(home, node) === peerPid,
            detail: `chaincode pid ${before.join(', ')} → ${after.join(', ') || 'none'}; peer pid ${String(peerPid)} → ${String(nodePid(home, node) ?? 'none')}`,
            lost: 0,
          },
        ],
      };
    },
  };
}
