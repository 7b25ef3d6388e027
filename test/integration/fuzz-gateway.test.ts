import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import type { ErrorCode } from '../../chaincode/src/shared/errors';
import { ContractError } from '../../cli/src/errors';
import { openSession, type Session } from '../../cli/src/gateway/connect';
import { loadOrgConnection } from '../../cli/src/gateway/profile';
import { blockNumberOfTransaction } from '../../cli/src/gateway/qscc';
import { submit } from '../../cli/src/gateway/transactions';
import { readWalletIdentity } from '../../cli/src/gateway/wallet';
import { civicPaths } from '../../cli/src/paths';
import { chaincodeProcesses, nodePid } from '../reliability/support/faults';
import { liveNetworkEnv } from '../support/test-network';
import { NO_ROLE, readAccessMatrix } from '../unit/access-matrix/readme-matrix';
import { contractTransactions, TRANSIENT_INPUT } from '../unit/access-matrix/transactions';
import { hostileArgument } from '../unit/fuzz/hostile';

/**
 * A bounded, reproducible sample of test/unit/fuzz-transactions.test.ts's hostile arguments,
 * submitted through the Fabric Gateway on the live network: a few argument sets for each contract,
 * spread over its submitting transactions, each by a caller the README's access matrix lets
 * through. Every call either commits or is refused with one of the chaincode's own error codes;
 * no refused call's transaction is on the ledger (so it changed no key); and the civic chaincode
 * process of every peer is the one that ran before (none crashed and was restarted).
 * FUZZ_GATEWAY_SEED moves the sample.
 */
jest.setTimeout(5 * 60_000);

const env = liveNetworkEnv();
const home = env.CIVIC_NETWORK_HOME ?? '';
const SEED = Number(process.env.FUZZ_GATEWAY_SEED ?? 20_261_201);
/** Argument sets per contract, spread round-robin over its submitting transactions. */
const PER_CONTRACT = 8;
const PEERS = ['peer-city', 'peer-agencies', 'peer-utilities'];
const CODES: readonly ErrorCode[] = ['INVALID_ARGUMENT', 'NOT_FOUND', 'ALREADY_EXISTS', 'FORBIDDEN', 'INVALID_SIGNATURE', 'FAILED_PRECONDITION'];
const ORGS: Readonly<Record<string, string>> = { CityMSP: 'city', AgenciesMSP: 'agencies', UtilitiesMSP: 'utilities' };
const KNOWN = ['CityMSP', 'AgenciesMSP', 'UtilitiesMSP', 'CityMSP/clerk'];

const matrix = new Map(readAccessMatrix(readFileSync(path.join(__dirname, '../../README.md'), 'utf8')).map((r) => [r.transaction, r]));

/** The first founding org's wallet user that the matrix lets call `name` (a role's user is named after the role). */
function callerOf(name: string): { org: string; user: string } {
  for (const [mspId, org] of Object.entries(ORGS)) {
    for (const [role, msps] of matrix.get(name)?.allowed ?? []) {
      if (msps.has(mspId)) {
        return { org, user: role === NO_ROLE ? 'clerk' : role };
      }
    }
  }
  throw new Error(`${name} has no founding-org caller in the README matrix`);
}

/** One hostile call: which transaction, its arguments and transient input. */
interface Call {
  readonly name: string;
  readonly args: readonly string[];
  readonly transient: Readonly<Record<string, string>> | undefined;
}

/** The fixed sample: {@link PER_CONTRACT} calls per contract, arguments drawn with {@link SEED}. */
function sampleCalls(): Call[] {
  const submitting = contractTransactions().filter((t) => t.kind === 'submit');
  const contracts = [...new Set(submitting.map((t) => t.name.split(':')[0] ?? ''))];
  return contracts.flatMap((contract, c) => {
    const txs = submitting.filter((t) => t.name.startsWith(`${contract}:`));
    return Array.from({ length: PER_CONTRACT }, (_, i): Call => {
      const tx = txs[i % txs.length];
      if (tx === undefined) {
        throw new Error(`contract ${contract} has no submitting transaction`);
      }
      const field = TRANSIENT_INPUT[tx.name];
      const count = tx.params.length + (field === undefined ? 0 : 1);
      const [drawn] = fc.sample(fc.array(hostileArgument(KNOWN), { minLength: count, maxLength: count }), { seed: SEED + 100 * c + i, numRuns: 1 });
      const values = drawn ?? [];
      return {
        name: tx.name,
        args: field === undefined ? values : values.slice(1),
        transient: field === undefined ? undefined : { [field]: values[0] ?? '' },
      };
    });
  });
}

/** The civic chaincode processes of every peer, by peer (children of the peer's pid). */
function chaincodePids(): Record<string, number[]> {
  return Object.fromEntries(PEERS.map((p) => [p, chaincodeProcesses(nodePid(home, p) ?? -1)]));
}

const sessions = new Map<string, Session>();
function sessionOf(org: string, user: string): Session {
  const key = `${org}/${user}`;
  let session = sessions.get(key);
  if (session === undefined) {
    const connection = loadOrgConnection(civicPaths({ ...process.env, ...env }), org);
    session = openSession(connection, readWalletIdentity(connection.walletDir, user));
    sessions.set(key, session);
  }
  return session;
}

afterAll(() => {
  sessions.forEach((s) => {
    s.close();
  });
});

describe('hostile arguments through the gateway', () => {
  it('each call commits or is refused with a chaincode error code; a refused one is not on the ledger; no chaincode process restarts', async () => {
    const calls = sampleCalls();
    expect(calls.length).toBeGreaterThanOrEqual(30);
    const before = chaincodePids();
    expect(Object.values(before).every((pids) => pids.length > 0)).toBe(true);

    const wrong: string[] = [];
    const refusedTx: string[] = [];
    let committed = 0;
    for (const call of calls) {
      const { org, user } = callerOf(call.name);
      const [contract = '', fn = ''] = call.name.split(':');
      const what = `${call.name} as ${org}/${user} with ${JSON.stringify(call.args.map((a) => a.slice(0, 60)))}`;
      try {
        await submit(sessionOf(org, user).contract(contract), fn, call.args, undefined, 1, call.transient === undefined ? {} : { transient: call.transient });
        committed += 1;
      } catch (error) {
        if (!(error instanceof ContractError) || !(CODES as readonly string[]).includes(error.code) || error.transactionId === undefined) {
          wrong.push(
            `${what}: ${error instanceof Error ? `${error.name} ${(error as { code?: string }).code ?? ''} ${error.message.slice(0, 300)}` : String(error)}`,
          );
        } else {
          refusedTx.push(error.transactionId);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(refusedTx.length + committed).toBe(calls.length);

    const auditor = sessionOf('agencies', 'auditor');
    const onLedger = (await Promise.all(refusedTx.map((tx) => blockNumberOfTransaction(auditor.gateway, tx)))).filter((b) => b !== undefined);
    expect(onLedger).toEqual([]);
    expect(chaincodePids()).toEqual(before);
  });
});
