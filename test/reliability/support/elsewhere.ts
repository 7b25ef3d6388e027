import { existsSync } from 'node:fs';
import path from 'node:path';

/** A reliability or security property that a suite outside this one proves on a live network or in-process. */
export interface ProvenElsewhere {
  /** The property, one line. */
  readonly property: string;
  /** The test files that prove it, relative to the repository. */
  readonly files: readonly string[];
}

/**
 * The properties of the reliability and security suite that need no load and no fault, so they
 * are proven by the integration suites (on the test run's live network, through the gateways) and
 * by in-process unit tests, named here so the report says where each is checked.
 */
export const PROVEN_ELSEWHERE: readonly ProvenElsewhere[] = [
  {
    property: 'many clerks writing one key at once: it commits once; MVCC conflicts are retried by the CLI and shown with `--verbose`',
    files: ['test/integration/contention.test.ts', 'test/integration/land.test.ts'],
  },
  {
    property: 'a chaincode process SIGKILLed while it runs a (slow) invoke: that submit fails cleanly, nothing is written, the peer relaunches it',
    files: ['test/integration/probe-chaincode.test.ts'],
  },
  {
    property: 'a chaincode writing the wall clock is refused: the endorsing peers returned different results',
    files: ['test/integration/probe-chaincode.test.ts', 'test/integration/endorsement.last.test.ts', 'test/unit/determinism-lint.test.ts'],
  },
  {
    property: 'ledger semantics shared by the unit tests’ fake and a real peer (range order, no reading of own writes, deletes)',
    files: ['test/integration/probe-chaincode.test.ts'],
  },
  {
    property:
      'replays refused: a citizen’s signature used twice, a blind token used twice, a signed proposal sent again (duplicate transaction), an endorsed transaction resubmitted (DUPLICATE_TXID, one VALID copy)',
    files: ['test/integration/identity.test.ts', 'test/integration/petition.test.ts', 'test/integration/replay.test.ts'],
  },
  {
    property: 'identities refused by every peer: an expired certificate, one from a CA outside the channel, one revoked with `civic staff revoke`',
    files: ['test/integration/refused-certs.test.ts', 'test/integration/staff-revoke.test.ts'],
  },
  {
    property: 'endorser orgs down under a policy that needs them: the submit is refused naming the orgs with no peer up, and works once they are back',
    files: ['test/integration/endorsers-down.test.ts', 'test/integration/org-join.test.ts'],
  },
  {
    property: 'private data stays in its collection: no other org reads it by any transaction, no block holds it, key hashes link to no one',
    files: ['test/integration/debt.test.ts'],
  },
  {
    property:
      'hostile input to every transaction (fast-check): a result by the rules or a chaincode error code, no crash, no partial write; a bounded sample through the gateway, chaincode processes unrestarted',
    files: ['test/unit/fuzz-transactions.test.ts', 'test/integration/fuzz-gateway.test.ts'],
  },
  {
    property: 'the access-control matrix in the README, every transaction × org × role',
    files: ['test/unit/access-matrix.test.ts'],
  },
];

/**
 * The report's closing section: each property and the files proving it.
 *
 * @param repo - the repository's root folder
 * @throws Error naming a listed file that does not exist (so the list cannot drift from the suites)
 */
export function elsewhereSection(repo: string): string[] {
  const missing = PROVEN_ELSEWHERE.flatMap((p) => p.files).filter((f) => !existsSync(path.join(repo, f)));
  if (missing.length > 0) {
    throw new Error(`the reliability report names test files that do not exist: ${missing.join(', ')}`);
  }
  return [
    '## Proven by other suites',
    '',
    'Properties that need no load and no fault run with the integration suites on the test run’s live network, or in-process;',
    'this run did not repeat them.',
    '',
    '| property | where |',
    '|---|---|',
    ...PROVEN_ELSEWHERE.map((p) => `| ${p.property} | ${p.files.map((f) => `\`${f}\``).join(', ')} |`),
    '',
  ];
}
