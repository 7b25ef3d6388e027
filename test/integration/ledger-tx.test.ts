/**
 * The auditor's `civic ledger info` and `civic ledger tx` on the live network, driven through the
 * built CLI: a DID registered through Agencies and a private debt recorded by Utilities, each
 * read back by another org's auditor from its own peer; the heights and hashes of every org's
 * peer; the genesis configuration; refusals of an unknown and a malformed transaction id.
 * Nothing of the debt but hashes may appear in what the auditor sees.
 */
import { X509Certificate, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChainInfoReport } from '../../cli/src/ledger/chain-info';
import { envelopeHeaders } from '../../cli/src/ledger/transaction';
import type { LedgerTransaction } from '../../cli/src/ledger/tx-lookup';
import { civic, civicJson, type CivicRun } from '../support/civic-cli';
import { liveNetworkEnv, settledHeights } from '../support/test-network';
import { blockFilesOf, rawBlocks } from './block-files';
import { decodeStoredBlock } from '../../cli/src/ledger/block-store';

const env: NodeJS.ProcessEnv = { ...liveNetworkEnv(), CIVIC_KEY_PASSPHRASE: 'integration test passphrase' };
const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-it-ledger-'));
const RUN = randomBytes(3).toString('hex').toUpperCase();
const MINUTE = 60_000;
const HEX64 = /^[0-9a-f]{64}$/;

/** The debt of this run: none of it may reach what an auditor sees. */
const DEBT = { reference: `EN-${RUN}-AUD`, euros: '271.93', cents: '27193', origin: `audit energy bill ${RUN}` } as const;

interface Receipt {
  readonly transactionId: string;
  readonly blockNumber: string;
}

let did = '';
let registration: Receipt = { transactionId: '', blockNumber: '' };
let debt: Receipt = { transactionId: '', blockNumber: '' };

/** `civic --org ORG --user auditor ledger ARGS…`. */
const auditor = (org: string, args: readonly string[]): CivicRun => civic(['--org', org, '--user', 'auditor', 'ledger', ...args], env);
/** `civic --json --org ORG --user auditor ledger ARGS…`, expected to succeed: the envelope's result. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the result shape
function auditorJson<T>(org: string, args: readonly string[]): T {
  return civicJson<T>(['--org', org, '--user', 'auditor', 'ledger', ...args], env);
}

/** The namespace `civic` of an endorser transaction's read/write set. */
function civicNamespace(tx: LedgerTransaction): NonNullable<Extract<LedgerTransaction, { kind: 'endorser' }>['readWrites'][number]> {
  if (tx.kind !== 'endorser') {
    throw new Error(`${tx.txId} is a ${tx.kind} transaction`);
  }
  const ns = tx.readWrites.find((n) => n.namespace === 'civic');
  if (ns === undefined) {
    throw new Error(`${tx.txId} touches no key of the civic chaincode`);
  }
  return ns;
}

beforeAll(async () => {
  const keyFile = path.join(dir, 'erin.key.json');
  did = civicJson<{ did: string }>(['identity', 'keygen', '--out', keyFile], env).did;
  registration = civicJson<Receipt>(['--org', 'agencies', '--user', 'clerk', 'identity', 'register', '--key', keyFile], env);
  debt = civicJson<Receipt>(
    [
      '--org',
      'utilities',
      '--user',
      'creditor',
      'debt',
      'record',
      '--subject',
      did,
      '--reference',
      DEBT.reference,
      '--amount',
      DEBT.euros,
      '--origin',
      DEBT.origin,
      '--since',
      '2026-02-01',
    ],
    env,
  );
  // Every peer has committed both before another org's peer is asked.
  await settledHeights(env);
}, 3 * MINUTE);

describe('civic ledger tx', () => {
  it(
    "shows a DID registration to another org's auditor: the clerk as creator, the function, VALID, its block and the DID key it wrote",
    () => {
      const tx = auditorJson<LedgerTransaction>('city', ['tx', registration.transactionId]);
      const clerk = new X509Certificate(readFileSync(path.join(env.CIVIC_NETWORK_HOME ?? '', 'wallet', 'agencies', 'clerk', 'msp', 'signcerts', 'cert.pem')));
      const didKey = `\u0000civic.identity.did\u0000${did}\u0000`;
      expect(tx).toMatchObject({
        txId: registration.transactionId,
        kind: 'endorser',
        type: 'ENDORSER_TRANSACTION',
        channel: 'civic',
        creator: { mspId: 'AgenciesMSP', subject: clerk.subject.split('\n').join(', ') },
        chaincode: 'civic',
        function: 'identity:RegisterDID',
        argumentCount: 1,
        validationCode: 'VALID',
        blockNumber: registration.blockNumber,
      });
      expect(tx.kind === 'endorser' ? tx.endorsers.map((e) => e.mspId) : []).toContain('AgenciesMSP');
      const civicKeys = civicNamespace(tx);
      expect(civicKeys.reads).toContainEqual({ key: didKey, version: null });
      expect(civicKeys.writes).toEqual([{ key: didKey, delete: false, valueBytes: expect.any(Number) as number }]);

      const human = auditor('utilities', ['tx', registration.transactionId]);
      expect(human.code).toBe(0);
      expect(human.stdout).toContain(`  block       ${registration.blockNumber} (transaction `);
      expect(human.stdout).toContain('  function    identity:RegisterDID (+ 1 argument, values not shown)');
      expect(human.stdout).toContain(`␀civic.identity.did␀${did}␀`);
      expect(human.stdout).toContain('(␀ stands for U+0000, the separator of composite keys; --json gives keys exactly as stored)');
    },
    MINUTE,
  );

  it(
    "shows a private debt record only as its collection's hashes: no subject, reference, amount or description anywhere",
    () => {
      const tx = auditorJson<LedgerTransaction>('agencies', ['tx', debt.transactionId]);
      expect(tx).toMatchObject({ function: 'debt:RecordDebt', creator: { mspId: 'UtilitiesMSP' }, validationCode: 'VALID', blockNumber: debt.blockNumber });
      expect(tx.kind === 'endorser' ? tx.endorsers.map((e) => e.mspId) : []).toEqual(['UtilitiesMSP']);
      const civicKeys = civicNamespace(tx);
      expect(civicKeys.writes).toEqual([]);
      expect(civicKeys.collections.map((c) => c.collection)).toEqual(['debtUtilitiesMSP']);
      const [collection] = civicKeys.collections;
      expect(collection?.writes.length).toBeGreaterThan(0);
      for (const write of collection?.writes ?? []) {
        expect(write.keyHash).toMatch(HEX64);
        expect(write.valueHash).toMatch(HEX64);
      }

      const outputs = [JSON.stringify(tx), auditor('agencies', ['tx', debt.transactionId]).stdout, auditor('city', ['tx', debt.transactionId]).stdout];
      expect(outputs[1]).toContain('private data (SHA-256 hashes only');
      for (const output of outputs) {
        for (const secret of [did, DEBT.reference, DEBT.euros, DEBT.origin]) {
          expect(output).not.toContain(secret);
        }
        // The amount in cents, as a number of its own (not a run of digits inside a hex hash).
        expect(output).not.toMatch(new RegExp(`(?<![0-9a-f])${DEBT.cents}(?![0-9a-f])`));
      }
    },
    MINUTE,
  );

  it(
    'says that the genesis transaction is a channel configuration',
    () => {
      const chainDir = path.join(env.CIVIC_NETWORK_HOME ?? '', 'nodes', 'peer-city', 'data', 'ledgersData', 'chains', 'chains', 'civic');
      const genesis = decodeStoredBlock(rawBlocks(blockFilesOf(chainDir)[0] ?? '')[0] ?? Buffer.alloc(0));
      const txId = envelopeHeaders(genesis.getData()?.getDataList_asU8()[0] ?? new Uint8Array()).channelHeader.getTxId();
      expect(auditorJson<LedgerTransaction>('utilities', ['tx', txId])).toMatchObject({ kind: 'config', type: 'CONFIG', configSequence: 0, blockNumber: '0' });
      const human = auditor('utilities', ['tx', txId]);
      expect(human.code).toBe(0);
      expect(human.stdout).toContain('CONFIG: a channel configuration (sequence 0), not a chaincode transaction');
    },
    MINUTE,
  );

  it(
    'refuses an unknown transaction id naming it, and a malformed one as usage, each with exit 1 and one line',
    () => {
      const unknown = randomBytes(32).toString('hex');
      const missing = auditor('city', ['tx', unknown]);
      expect([missing.code, missing.stderr.trim()]).toEqual([1, `error: no transaction ${unknown} on channel civic (asked CityMSP's peer)`]);
      const malformed = auditor('city', ['tx', registration.transactionId.slice(0, 40)]);
      expect(malformed.code).toBe(1);
      expect(malformed.stderr.trim()).toMatch(/^error: '[0-9a-f]{40}' is not a transaction id \(64 hex digits/);
    },
    MINUTE,
  );
});

describe('civic ledger info', () => {
  it(
    'shows the three peers at one height past both transactions, with hashes that fit one chain',
    () => {
      const report = auditorJson<ChainInfoReport>('utilities', ['info']);
      expect(report.peers.map((p) => [p.org, p.mspId, p.error])).toEqual([
        ['city', 'CityMSP', null],
        ['agencies', 'AgenciesMSP', null],
        ['utilities', 'UtilitiesMSP', null],
      ]);
      expect(report).toMatchObject({ channel: 'civic', allAnswered: true, heightsAgree: true, hashesConsistent: true });
      const heights = report.peers.map((p) => p.chain?.height);
      expect(new Set(heights).size).toBe(1);
      expect(heights[0]).toBeGreaterThanOrEqual(Math.max(Number(registration.blockNumber), Number(debt.blockNumber)) + 1);
      for (const peer of report.peers) {
        expect(peer.chain?.currentBlockHash).toMatch(HEX64);
        expect(peer.chain?.previousBlockHash).toMatch(HEX64);
      }

      const human = auditor('city', ['info']);
      expect(human.code).toBe(0);
      expect(human.stdout).toContain(`│ agencies  │ ${report.peers[1]?.endpoint ?? '?'} │`);
      expect(human.stdout.trim().split('\n').at(-1)).toMatch(/^heights agree: \d+ on all 3 peers; hashes fit one chain$/);
    },
    MINUTE,
  );

  it(
    'reports a peer that does not answer in its row, the others as they are, and exits 2',
    () => {
      // The network's own profiles, but with Utilities' peer at port 1, where nothing listens.
      const profiles = mkdtempSync(path.join(os.tmpdir(), 'civic-it-profiles-'));
      for (const org of ['city', 'agencies', 'utilities']) {
        const profile = readFileSync(path.join(env.CIVIC_NETWORK_HOME ?? '', 'connection-profiles', `${org}.json`), 'utf8');
        writeFileSync(path.join(profiles, `${org}.json`), org === 'utilities' ? profile.replace(/grpcs:\/\/127\.0\.0\.1:\d+/, 'grpcs://127.0.0.1:1') : profile);
      }
      const run = civic(['--org', 'city', '--user', 'auditor', 'ledger', 'info'], { ...env, CIVIC_PROFILES_DIR: profiles });
      expect(run.code).toBe(2);
      expect(run.stdout).toMatch(/│ city +│ 127\.0\.0\.1:\d+ +│ \d+ +│ [0-9a-f]{64} +│ [0-9a-f]{64} +│/);
      expect(run.stdout).toMatch(/│ agencies +│ 127\.0\.0\.1:\d+ +│ \d+ +│ [0-9a-f]{64} +│ [0-9a-f]{64} +│/);
      expect(run.stdout).toMatch(/│ utilities +│ 127\.0\.0\.1:1 +│ - +│ no answer: cannot reach the gateway peer/);
      expect(run.stderr.trim()).toMatch(/^error: heights agree: \d+ on the 2 peers that answered \(no answer from utilities\); hashes fit one chain$/);
    },
    MINUTE,
  );
});
