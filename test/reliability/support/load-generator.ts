import { CommitStatusError, EndorseError, GatewayError, type Contract } from '@hyperledger/fabric-gateway';
import { registerPayload } from '@civic-ledger/chaincode/dist/identity/client';
import { generateCitizenKey, signWithKey } from '../../../cli/src/citizen/key-file';
import { CHANNEL, openSession, type Session } from '../../../cli/src/gateway/connect';
import { fromFabricError } from '../../../cli/src/gateway/fabric-errors';
import { loadOrgConnection } from '../../../cli/src/gateway/profile';
import { statusName } from '../../../cli/src/gateway/status-names';
import { readWalletIdentity } from '../../../cli/src/gateway/wallet';
import { civicPaths } from '../../../cli/src/paths';
import { ORGS, type Attempt, type FailedStage, type Org } from './records';

/** How the generator paces and retries its writes. */
export interface LoadOptions {
  /** Logical writes started per second, spread over the orgs' gateways in turn. */
  readonly ratePerSecond: number;
  /** Writes in flight at most; a tick that finds this many skips its write (counted in `skipped`). */
  readonly maxInFlight: number;
  /** Attempts per write, the first included; each retry goes through the next org's gateway. */
  readonly maxAttempts: number;
  /** Pause before a retry, in milliseconds. */
  readonly retryPauseMs: number;
}

export const DEFAULT_LOAD: LoadOptions = { ratePerSecond: 4, maxInFlight: 24, maxAttempts: 4, retryPauseMs: 1_500 };

/** The generator's gateway connection through one org's peer, as that org's clerk. */
interface OrgGateway {
  readonly org: Org;
  readonly session: Session;
  readonly identity: Contract;
}

/** What one attempt produced, before it is stamped with write, key, org and times. */
type AttemptResult = Pick<Attempt, 'outcome' | 'blockNumber' | 'stage' | 'error' | 'detail'>;

/** What the gateway itself said: its message and each endorser's or orderer's, one line, cut to 400 characters. */
function gatewayDetail(error: unknown): string {
  const parts = error instanceof GatewayError ? [error.message, ...error.details.map((d) => `${d.mspId} ${d.address}: ${d.message}`)] : [String(error)];
  return parts.join('; ').replace(/\s+/g, ' ').slice(0, 400);
}

/** An error as one line: the CLI's reading of a Fabric error (the chaincode's own message, or the gRPC reason). */
function oneLine(error: unknown): string {
  return fromFabricError(error).message.replace(/\s+/g, ' ');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A steady load of DID registrations (`identity:RegisterDID`, a clerk's everyday write) through
 * the three orgs' gateways in turn, each key new and signed by its own citizen key, with a
 * record of every transaction sent: its id, and whether it committed (and in which block, from
 * the commit status), failed (where and why) or was a resubmission. A failed write is resubmitted
 * with a fresh proposal through the next org's gateway; when an earlier attempt had in fact
 * committed, the chaincode refuses the resubmission (`ALREADY_EXISTS`), so a retry never
 * registers a DID twice.
 */
export class LoadGenerator {
  private readonly gateways: OrgGateway[];
  private readonly attempts: Attempt[] = [];
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private nextWrite = 0;
  /** Ticks that found `maxInFlight` writes still running and started none. */
  skipped = 0;

  /**
   * Open a gateway session per org (each org's first peer, as its `clerk`).
   *
   * @param env - the network's environment (`CIVIC_NETWORK_HOME`)
   * @param options - pace and retries
   * @throws UsageError when a profile or the clerk's identity is missing
   */
  constructor(
    env: NodeJS.ProcessEnv,
    private readonly options: LoadOptions = DEFAULT_LOAD,
  ) {
    const paths = civicPaths({ ...process.env, ...env });
    this.gateways = ORGS.map((org) => {
      const connection = loadOrgConnection(paths, org);
      const session = openSession(connection, readWalletIdentity(connection.walletDir, 'clerk'));
      return { org, session, identity: session.contract('identity') };
    });
  }

  /** Writes started and not yet finished (all their attempts). */
  get inFlight(): number {
    return this.running.size;
  }

  /** Every attempt recorded so far (a copy). */
  records(): Attempt[] {
    return [...this.attempts];
  }

  /** Start a write every 1/rate seconds until {@link stop}. */
  start(): void {
    this.timer = setInterval(() => {
      this.tick();
    }, 1000 / this.options.ratePerSecond);
  }

  /**
   * Start no more writes, wait for those in flight (each ends within its attempts' deadlines)
   * and close the sessions.
   *
   * @returns every attempt recorded
   */
  async stop(): Promise<Attempt[]> {
    clearInterval(this.timer);
    while (this.running.size > 0) {
      await Promise.all([...this.running]);
    }
    this.gateways.forEach((g) => {
      g.session.close();
    });
    return this.records();
  }

  private tick(): void {
    if (this.running.size >= this.options.maxInFlight) {
      this.skipped += 1;
      return;
    }
    const write = this.nextWrite;
    this.nextWrite += 1;
    const done = this.runWrite(write).finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /** One logical write: a new citizen key's DID, registered with up to `maxAttempts` attempts. */
  private async runWrite(write: number): Promise<void> {
    const key = generateCitizenKey();
    const request = JSON.stringify({
      did: key.did,
      publicKeyJwk: key.publicKeyJwk,
      proof: signWithKey(key, registerPayload(CHANNEL, key.did, key.publicKeyJwk)),
    });
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt += 1) {
      const gateway = this.gateways[(write + attempt - 1) % this.gateways.length];
      if (gateway === undefined) {
        return;
      }
      const startedAt = Date.now();
      const proposal = gateway.identity.newProposal('RegisterDID', { arguments: [request] });
      const result = await this.attemptOnce(proposal, attempt);
      this.attempts.push({ write, key: key.did, attempt, org: gateway.org, txId: proposal.getTransactionId(), startedAt, endedAt: Date.now(), ...result });
      if (result.outcome !== 'failed') {
        return;
      }
      await sleep(this.options.retryPauseMs);
    }
  }

  /** Endorse, submit and wait for the commit status of one proposal; never throws. */
  private async attemptOnce(proposal: ReturnType<Contract['newProposal']>, attempt: number): Promise<AttemptResult> {
    let stage: FailedStage = 'endorse';
    try {
      const transaction = await proposal.endorse();
      stage = 'submit';
      const submitted = await transaction.submit();
      stage = 'commit-status';
      const status = await submitted.getStatus();
      if (status.successful) {
        return { outcome: 'committed', blockNumber: status.blockNumber.toString() };
      }
      return { outcome: 'failed', stage: 'commit', error: `${statusName(status.code)} in block ${status.blockNumber.toString()}` };
    } catch (error) {
      if (attempt > 1 && error instanceof EndorseError && /ALREADY_EXISTS/.test(oneLine(error))) {
        return { outcome: 'refused-duplicate', error: oneLine(error) };
      }
      return { outcome: 'failed', stage: error instanceof CommitStatusError ? 'commit-status' : stage, error: oneLine(error), detail: gatewayDetail(error) };
    }
  }
}
