import type { Contract } from '@hyperledger/fabric-gateway';
import type { CommandContext } from '../context';
import { openGatewaySession, type Session } from './connect';
import { explainEndorserShortage } from './endorsers-down';
import { submit, type Committed, type ProposalExtras } from './transactions';

/**
 * Run `fn` with an open gateway session of the selected org as the selected user, always
 * closing the connection. The gateway peer is one of the org's peers that answers
 * (`openGatewaySession`), starting at `CIVIC_GATEWAY_PEER` when set; each peer that did
 * not answer is shown with `--verbose`.
 *
 * @throws NetworkError (code `GATEWAY_UNREACHABLE`) naming every peer tried when none answers;
 *   NetworkError (code `ENDORSERS_UNAVAILABLE`) naming the orgs with no peer up when too few orgs'
 *   peers are up to endorse
 * @throws UsageError when `CIVIC_GATEWAY_PEER` names no peer of the org
 */
export async function withSession<T>(ctx: CommandContext, fn: (session: Session) => Promise<T>): Promise<T> {
  const session = await openGatewaySession(ctx.connection(), ctx.identity(), undefined, {
    first: ctx.gatewayPeer,
    onFailover: (f) => {
      ctx.printer.verbose(`gateway peer ${f.name} at ${f.endpoint} did not answer (${f.reason}); trying the next`);
    },
  });
  try {
    return await fn(session);
  } catch (error) {
    throw await explainEndorserShortage(session, error);
  } finally {
    session.close();
  }
}

/**
 * Run `fn` with a contract of the civic chaincode through the selected org's
 * gateway as the selected user, always closing the connection.
 */
export async function withContract<T>(ctx: CommandContext, name: string, fn: (contract: Contract) => Promise<T>): Promise<T> {
  return withSession(ctx, (session) => fn(session.contract(name)));
}

/**
 * Submit one transaction (MVCC conflicts retried, each retry shown with `--verbose`) and
 * print its receipt: the parsed result, transaction id and block number.
 *
 * @param human - one line saying what happened, from the parsed result
 * @param extras - transient data and endorsing orgs, if any
 * @returns the committed transaction and its parsed result
 */
export async function submitAndReport<R>(
  ctx: CommandContext,
  contract: Contract,
  name: string,
  args: readonly string[],
  human: (result: R) => string,
  extras: ProposalExtras = {},
): Promise<{ committed: Committed; result: R }> {
  const committed = await submit(
    contract,
    name,
    args,
    (m) => {
      ctx.printer.verbose(m);
    },
    5,
    extras,
  );
  const result = JSON.parse(committed.result) as R;
  ctx.printer.result(
    { result, transactionId: committed.transactionId, blockNumber: committed.blockNumber.toString() },
    () => `${human(result)}\n  tx ${committed.transactionId} in block ${committed.blockNumber.toString()}`,
  );
  if (committed.attempts > 1) {
    ctx.printer.verbose(`committed after ${String(committed.attempts)} attempts (MVCC conflicts retried)`);
  }
  return { committed, result };
}
