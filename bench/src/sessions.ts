import { openSession, type Session } from '@civic-ledger/cli/dist/gateway/connect';
import { loadOrgConnection } from '@civic-ledger/cli/dist/gateway/profile';
import { readWalletIdentity } from '@civic-ledger/cli/dist/gateway/wallet';
import type { OrgName } from '@civic-ledger/cli/dist/options';
import { civicPaths } from '@civic-ledger/cli/dist/paths';

/** The three orgs, in the order load is spread over their gateways. */
export const ORGS: readonly OrgName[] = ['city', 'agencies', 'utilities'];

/**
 * Gateway sessions of the benchmark: one gRPC connection per (org, staff user), each to that
 * org's own peer as a staff member enrolled in the wallet the network made
 * (`<network>/wallet/<org>/<role>`: the network enrolls one user per role, named as the role).
 */
export class Sessions {
  readonly #open = new Map<string, Session>();

  /** @param env - environment naming the network (`CIVIC_NETWORK_HOME`), as the CLI reads it */
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  /**
   * The session of `user` at `org`'s gateway, opened on first use.
   *
   * @throws UsageError (from the CLI's wallet and profile readers) when the network has no profile or the user is not enrolled
   */
  of(org: OrgName, user: string): Session {
    const key = `${org}/${user}`;
    let session = this.#open.get(key);
    if (session === undefined) {
      const connection = loadOrgConnection(civicPaths(this.env), org);
      session = openSession(connection, readWalletIdentity(connection.walletDir, user));
      this.#open.set(key, session);
    }
    return session;
  }

  /** Close every session. */
  close(): void {
    for (const s of this.#open.values()) {
      s.close();
    }
    this.#open.clear();
  }
}
