import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { common } from '@hyperledger/fabric-protos';
import { blockFilesOf, decodeStoredBlock, findChainDir, rawBlocks } from '../../cli/src/ledger/block-store';
import { civic, civicJson } from '../support/civic-cli';
import { liveNetworkEnv, settledHeights } from '../support/test-network';

/**
 * `civic ledger verify` and `ledger blocks` on the live network, and verify's offline mode on
 * copies of a stopped peer's real block files, one of them with one byte changed. The running
 * network's own files are only ever copied.
 */
const env = { ...liveNetworkEnv(), CIVIC_KEY_PASSPHRASE: 'integration test passphrase' };
const home = String(liveNetworkEnv().CIVIC_NETWORK_HOME);

interface ChainReport {
  source: string;
  blocks: number;
  signaturesChecked: number;
  configBlocks: number[];
  genesisHash: string;
  lastHash: string;
  problem?: { block: number; reason: string };
}
interface VerifyResult {
  ok: boolean;
  copies: ChainReport[];
  compared: number;
  disagreement?: { block: number; reason: string; copies: Record<string, string | null> };
}
interface BlockRow {
  number: number;
  hash: string;
  dataHash: string;
  previousHash: string;
  transactions: number;
  timestamp: string;
  config: boolean;
}

/** A DID registered through Agencies' gateway, so the chain holds more than the deployment. */
function registerDid(name: string): void {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'civic-it-verify-')), `${name}.key.json`);
  civicJson(['identity', 'keygen', '--out', file], env);
  civicJson(['--org', 'agencies', '--user', 'clerk', 'identity', 'register', '--key', file], env);
}

/** Stop a node by the pid the network recorded, and wait until the process is gone. */
async function stopNode(name: string): Promise<void> {
  const pid = Number(readFileSync(path.join(home, 'pids', `${name}.pid`), 'utf8').trim());
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 120; i += 1) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} (pid ${String(pid)}) did not stop`);
}

/** Flip one byte of the file at `offset`. */
function flipByte(file: string, offset: number, mask = 0x01): void {
  const bytes = readFileSync(file);
  bytes[offset] = (bytes[offset] ?? 0) ^ mask;
  writeFileSync(file, bytes);
}

/** The number of bytes of `n` as a protobuf varint. */
const varintLength = (n: number): number => (n < 0x80 ? 1 : 1 + varintLength(Math.floor(n / 0x80)));

/** Where a block with transactions sits in a copy's block file, and where its first envelope and validation flags are. */
function locateBlock(
  copy: string,
  wanted: (number: number, txs: number) => boolean,
): { number: number; file: string; envelopeAt: number; flagsAt: number; flags: string } {
  const chainDir = findChainDir(copy, 'civic');
  for (const file of blockFilesOf(chainDir)) {
    for (const stored of rawBlocks(file)) {
      const block = decodeStoredBlock(stored.bytes);
      const number = block.getHeader()!.getNumber();
      const envelopes = block.getData()!.getDataList_asU8();
      if (wanted(number, envelopes.length)) {
        const raw = Buffer.from(stored.bytes);
        const envelope = Buffer.from(envelopes[0]!);
        const metadata = block.getMetadata()!.getMetadataList_asU8();
        // The metadata entries close the stored block, each after its length as a varint:
        // walk back over those after the validation flags to find where the flags end.
        let end = stored.offset + stored.bytes.length;
        for (let i = metadata.length - 1; i > common.BlockMetadataIndex.TRANSACTIONS_FILTER; i -= 1) {
          end -= metadata[i]!.length + varintLength(metadata[i]!.length);
        }
        return {
          number,
          file,
          envelopeAt: stored.offset + raw.indexOf(envelope) + Math.floor(envelope.length / 2),
          flagsAt: end - metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER]!.length,
          flags: Buffer.from(metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER]!).toString('hex'),
        };
      }
    }
  }
  throw new Error(`no such block in ${copy}`);
}

const verify = (...args: string[]) => civic(['--json', '--org', 'utilities', '--user', 'auditor', 'ledger', 'verify', ...args], env, 600_000);

beforeAll(() => {
  registerDid('verify-a');
  registerDid('verify-b');
});

describe('civic ledger verify on the live network', () => {
  it('recomputes every block on one peer of each org, checks every orderer signature, and finds the three chains equal', async () => {
    const heights = await settledHeights(env);
    const run = verify();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = (JSON.parse(run.stdout) as { result: VerifyResult }).result;
    expect(result.ok).toBe(true);
    expect(result.copies.map((c) => c.source.split(' ')[0])).toEqual(['city', 'agencies', 'utilities']);
    for (const copy of result.copies) {
      expect(copy.problem).toBeUndefined();
      expect(copy.blocks).toBeGreaterThanOrEqual(heights[0]!);
      // Every block after the genesis block carries an orderer signature (the copy verified, so each block had a valid one).
      expect(copy.signaturesChecked).toBeGreaterThanOrEqual(copy.blocks - 1);
      expect(copy.configBlocks[0]).toBe(0);
      expect(copy.genesisHash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(new Set(result.copies.map((c) => c.genesisHash)).size).toBe(1);
    expect(result.compared).toBeGreaterThanOrEqual(heights[0]!);
    expect(result.disagreement).toBeUndefined();
  }, 600_000);

  it('lists blocks whose previous hashes link up, the genesis block first', () => {
    const blocks = civicJson<{ blocks: BlockRow[] }>(['--org', 'city', '--user', 'auditor', 'ledger', 'blocks', '--from', '0', '--to', '3'], env).blocks;
    expect(blocks.map((b) => b.number)).toEqual([0, 1, 2, 3]);
    expect(blocks[0]).toMatchObject({ config: true, transactions: 1, previousHash: '' });
    for (let i = 1; i < blocks.length; i += 1) {
      expect(blocks[i]!.previousHash).toBe(blocks[i - 1]!.hash);
      expect(blocks[i]!.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
  });

  it('refuses a block range it cannot show, naming the option', () => {
    const bad = civic(['--org', 'city', '--user', 'auditor', 'ledger', 'blocks', '--from', 'ten'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe("error: --from: 'ten' is not a block number (a whole number from 0)");
    const beyond = civic(['--org', 'city', '--user', 'auditor', 'ledger', 'blocks', '--to', '999999999'], env);
    expect(beyond.code).toBe(1);
    expect(beyond.stderr).toMatch(/--to 999999999: the peer's ledger ends at block \d+/);
  });
});

describe('civic ledger verify --ledger-dir on copies of a stopped peer’s block files', () => {
  const copies = mkdtempSync(path.join(os.tmpdir(), 'civic-it-ledger-copy-'));
  const pristine = path.join(copies, 'pristine');
  const tampered = path.join(copies, 'tampered');
  const flagged = path.join(copies, 'flags-changed');
  let height = 0;

  beforeAll(async () => {
    height = (await settledHeights(env))[0]!;
    await stopNode('peer-utilities');
    let copied: unknown;
    try {
      for (const copy of [pristine, tampered, flagged]) {
        cpSync(path.join(home, 'nodes', 'peer-utilities', 'data', 'ledgersData'), copy, { recursive: true });
      }
    } catch (error) {
      copied = error;
    }
    const up = civic(['network', 'up'], env, 600_000);
    if (up.code !== 0 || copied !== undefined) {
      throw new Error(
        `copying the stopped peer's ledger: ${copied instanceof Error ? copied.message : 'done'}; network up: exit ${String(up.code)} ${up.stderr}`,
      );
    }
    await settledHeights(env);
  }, 700_000);

  it('passes on an unchanged copy, offline', () => {
    const run = verify('--ledger-dir', pristine);
    expect(run.code).toBe(0);
    const result = (JSON.parse(run.stdout) as { result: VerifyResult }).result;
    expect(result.copies).toHaveLength(1);
    expect(result.copies[0]!.blocks).toBe(height);
  });

  it('fails a copy whose genesis block is not the one the orgs agreed on (--expect-genesis)', () => {
    const genesis = (JSON.parse(verify('--ledger-dir', pristine).stdout) as { result: VerifyResult }).result.copies[0]!.genesisHash;
    expect(verify('--ledger-dir', pristine, '--expect-genesis', genesis.toUpperCase()).code).toBe(0);
    const run = verify('--ledger-dir', pristine, '--expect-genesis', 'a'.repeat(64));
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as { error: { message: string } }).error.message).toMatch(
      new RegExp(`block 0: the genesis block hashes to ${genesis}, not the expected a{64}$`),
    );
  });

  it('names the block in which one byte was changed', () => {
    const target = locateBlock(tampered, (n, txs) => n >= Math.floor(height / 2) && txs > 0);
    flipByte(target.file, target.envelopeAt);
    const run = verify('--ledger-dir', tampered);
    expect(run.code).toBe(1);
    const error = (JSON.parse(run.stdout) as { error: { message: string; data: VerifyResult } }).error;
    expect(error.message).toMatch(
      new RegExp(`block ${String(target.number)}: data hash mismatch: the header says [0-9a-f]{64}, the envelopes hash to [0-9a-f]{64}$`),
    );
    expect(error.data.copies[0]!.problem?.block).toBe(target.number);
    expect(error.data.copies[0]!.blocks).toBe(target.number);
  });

  it('catches changed validation flags only by comparing copies (the orderers do not sign them)', () => {
    const target = locateBlock(flagged, (n, txs) => n >= Math.floor(height / 2) && txs > 0);
    flipByte(target.file, target.flagsAt, 0x0b);
    // The byte changed is the first transaction's validation code (e.g. VALID 00 → MVCC conflict 0b).
    const changed = (parseInt(target.flags.slice(0, 2), 16) ^ 0x0b).toString(16).padStart(2, '0');
    expect(locateBlock(flagged, (n) => n === target.number).flags).toBe(`${changed}${target.flags.slice(2)}`);
    expect(verify('--ledger-dir', flagged).code).toBe(0);
    const run = verify('--ledger-dir', pristine, '--ledger-dir', flagged);
    expect(run.code).toBe(1);
    const error = (JSON.parse(run.stdout) as { error: { message: string; data: VerifyResult } }).error;
    expect(error.data.disagreement).toMatchObject({ block: target.number, reason: 'the copies hold the same block but different validation flags' });
    expect(error.message).toContain(`block ${String(target.number)}: the copies hold the same block but different validation flags`);
  });

  it('left the running network as it was: it still verifies', () => {
    const run = verify();
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { result: VerifyResult }).result.ok).toBe(true);
  });
});
