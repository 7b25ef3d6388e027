import { runScenario } from './support/scenario';
import { chaincodeKilled, peerCrash, raftLeaderKilled } from './support/scenarios';
import { quorumLost } from './support/scenario-quorum';
import { networkRestart } from './support/scenario-restart';
import type { ScenarioResult } from './support/report';
import { reliabilityRun } from './setup/network';

/**
 * Faults injected into a live network under a steady load of DID registrations through the
 * three orgs' gateways, each by signalling the node's own process by its pid (pid files, or the
 * peer's child in /proc for the chaincode), in this order on the run's one network: (a) a peer
 * SIGKILLed and restarted, (b) the Raft leader SIGKILLed and restarted, (c) a peer's chaincode
 * process SIGKILLed mid-invoke, (d) two of the three orderers SIGKILLed, one restarted, (e) the
 * whole network stopped with `civic network down` and resumed with `civic network up`. After each:
 * every transaction the load saw committed is on every peer, no key is written twice, and every
 * key the load touched reads the same on every peer. Each scenario appends its figures to the
 * run's results file; the global teardown renders docs/reliability.md from them.
 */
jest.setTimeout(15 * 60_000);

const { env, results } = reliabilityRun();

/** Every check of a scenario passed, nothing was lost, and the load did commit. */
function expectPassed(result: ScenarioResult): void {
  expect(result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
  expect(result.figures.lost).toBe(0);
  expect(result.figures.committed).toBeGreaterThan(0);
}

describe('faults under load on a live network', () => {
  it('(a) a peer SIGKILLed under load and restarted catches up: same height, every committed transaction, same state', async () => {
    expectPassed(await runScenario(peerCrash(env), env, results));
  });

  it('(b) the Raft leader SIGKILLed under load: a new leader is elected, writes keep committing, the old leader rejoins', async () => {
    expectPassed(await runScenario(raftLeaderKilled(env), env, results));
  });

  it('(c) a chaincode process SIGKILLed mid-invoke: writes fail cleanly or commit, no partial state, the peer relaunches it', async () => {
    expectPassed(await runScenario(chaincodeKilled(env), env, results));
  });

  it('(d) two orderers SIGKILLed: writes refused with an error, reads keep working, writes commit again when one returns', async () => {
    expectPassed(await runScenario(quorumLost(env), env, results));
  });

  it('(e) the whole network stopped and started again under load: the CLI gives up cleanly meanwhile, everything committed is still there, writes resume', async () => {
    expectPassed(await runScenario(networkRestart(env), env, results));
  });
});
