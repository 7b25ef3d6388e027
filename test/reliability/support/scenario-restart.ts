import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { civicAsync, civicJson, type CivicRun } from '../../support/civic-cli';
import { networkStatus, networkUp, waitedFor } from './faults';
import type { LoadGenerator } from './load-generator';
import type { CheckResult } from './records';
import type { Injection, Scenario } from './scenario';

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/** How long a clerk's `civic` command may take to give up on a stopped network, in milliseconds (its connect and submit deadlines, with a margin). */
const CLI_GIVE_UP_MS = 60_000;

/** The one `error: ...` line of a refused CLI run, or a note that there is not exactly one. */
function errorLine(run: CivicRun): string {
  const lines = run.stderr.split('\n').filter((l) => l.startsWith('error: '));
  return lines.length === 1 ? (lines[0] ?? '') : `${String(lines.length)} error lines: ${run.stderr.slice(0, 300)}`;
}

/** A clerk's DID registration through City's gateway with the CLI, timed. */
async function registerWithCli(env: NodeJS.ProcessEnv, keyFile: string): Promise<{ run: CivicRun; ms: number }> {
  const started = Date.now();
  const run = await civicAsync(['--org', 'city', '--user', 'clerk', 'identity', 'register', '--key', keyFile], env, 3 * 60_000);
  return { run, ms: Date.now() - started };
}

/**
 * (e) The whole network stopped with `civic network down` while the load runs, a clerk's CLI
 * command tried while it is down, then `civic network up`. Checks: every node stopped; the CLI
 * gives up within its deadline with one error line and exit 2 (network unreachable), having
 * written nothing; every node runs again after `up`; the same registration then commits through
 * the CLI; writes the load starts after the restart commit; and the ledger checks (every
 * committed transaction on every peer, same state) cover everything committed before the stop.
 */
export function networkRestart(env: NodeJS.ProcessEnv): Scenario {
  return {
    id: 'e',
    title: 'Whole-network restart under load',
    inject: async (load: LoadGenerator): Promise<Injection> => {
      const keyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'rel-restart-')), 'citizen.key.json');
      const cliEnv = { ...env, CIVIC_KEY_PASSPHRASE: 'reliability suite passphrase' };
      const citizen = civicJson<{ did: string }>(['identity', 'keygen', '--out', keyFile], cliEnv);
      const inFlight = load.inFlight;
      const from = Date.now();
      const down = await civicAsync(['network', 'down'], env, 5 * 60_000);
      const downMs = Date.now() - from;
      const stopped = (await networkStatus(env)).nodes.filter((n) => n.running).map((n) => n.name);
      const during = await registerWithCli(cliEnv, keyFile);
      const upMs = await networkUp(env);
      const to = Date.now();
      const after = await registerWithCli(cliEnv, keyFile);
      const nodes = (await networkStatus(env)).nodes;
      const healthy = nodes.filter((n) => n.running && n.healthy).length;
      const resumedMs = await waitedFor(
        'a write the load started after the restart commits',
        () => load.records().some((a) => a.startedAt > to && a.outcome === 'committed'),
        3 * 60_000,
      );
      const checks: CheckResult[] = [
        {
          name: '`civic network down` stops every node',
          ok: down.code === 0 && stopped.length === 0,
          detail:
            down.code === 0
              ? `stopped in ${seconds(downMs)} s; running after it: ${stopped.join(', ') || 'none'}`
              : `exit ${String(down.code)}: ${down.stderr.slice(-300)}`,
          lost: 0,
        },
        {
          name: `a clerk's \`civic identity register\` while the network is down gives up within ${seconds(CLI_GIVE_UP_MS)} s with one error line and exit 2 (the network could not be reached)`,
          ok: during.run.code === 2 && during.ms < CLI_GIVE_UP_MS && !errorLine(during.run).includes('error lines'),
          detail: `exit ${String(during.run.code)} after ${seconds(during.ms)} s: ${errorLine(during.run)}`,
          lost: 0,
        },
        {
          name: 'every node runs and is healthy after `civic network up`',
          ok: healthy === nodes.length && nodes.length > 0,
          detail: `${String(healthy)} of ${String(nodes.length)} nodes healthy; up took ${seconds(upMs)} s`,
          lost: 0,
        },
        {
          name: 'the same registration through the CLI commits after the restart (nothing of it was written during the outage)',
          ok: after.run.code === 0 && after.run.stdout.includes(citizen.did),
          detail: `exit ${String(after.run.code)} after ${seconds(after.ms)} s${after.run.code === 0 ? '' : `: ${errorLine(after.run)}`}`,
          lost: 0,
        },
        {
          name: "the load's own gateway connections commit again after the restart",
          ok: resumedMs !== undefined,
          detail:
            resumedMs === undefined
              ? 'no write started after the restart committed within 180 s'
              : `first commit ${seconds(resumedMs)} s after \`up\` returned`,
          lost: 0,
        },
      ];
      return {
        window: { from, to },
        injected: [
          `\`civic network down\` (every node, SIGTERM by pid file) with ${String(inFlight)} writes in flight; it took ${seconds(downMs)} s`,
          `a clerk's \`civic identity register\` while down: exit ${String(during.run.code)} after ${seconds(during.ms)} s, "${errorLine(during.run).slice(0, 160)}"`,
          `\`civic network up\` resumed every node, ledgers kept, in ${seconds(upMs)} s; the same registration then committed: exit ${String(after.run.code)}`,
        ],
        checks,
        summarise: (attempts) => {
          const atStop = attempts.filter((a) => a.startedAt <= from && a.endedAt >= from);
          const committed = atStop.filter((a) => a.outcome === 'committed').length;
          return [`attempts in flight at the stop: ${String(committed)} committed, ${String(atStop.length - committed)} failed and were reported`];
        },
      };
    },
  };
}
