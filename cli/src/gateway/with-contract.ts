import type { Contract } from '@hyperledger/fabric-gateway';
import type { CommandContext } from '../context';
import { openSession } from './connect';

/**
 * Run `fn` with a contract of the civic chaincode through the selected org's
 * gateway as the selected user, always closing the connection.
 */
export async function withContract<T>(ctx: CommandContext, name: string, fn: (contract: Contract) => Promise<T>): Promise<T> {
  const session = openSession(ctx.connection(), ctx.identity());
  try {
    return await fn(session.contract(name));
  } finally {
    session.close();
  }
}
