import { captured } from '../test-support/ledger-fixtures';
import { decodeProcessedTransaction } from './transaction';
import { KEY_SEPARATOR, readableKey, transactionText } from './transaction-text';
import type { LedgerTransaction } from './tx-lookup';

const at = { blockNumber: '5', indexInBlock: 0 };

describe('the human form of a transaction', () => {
  it('shows composite keys with a visible separator and other control characters escaped', () => {
    expect(readableKey('\u0000civic.identity.did\u0000did:civic:x\u0000')).toBe(
      `${KEY_SEPARATOR}civic.identity.did${KEY_SEPARATOR}did:civic:x${KEY_SEPARATOR}`,
    );
    expect(readableKey('a\tb\u007f')).toBe('a\\u{9}b\\u{7f}');
    // Terminal escapes (ESC, C1 CSI), a right-to-left override and a zero-width space are shown, not obeyed.
    expect(readableKey('a\u001b[2Jb\u009b1mc\u202ed\u200be')).toBe('a\\u{1b}[2Jb\\u{9b}1mc\\u{202e}d\\u{200b}e');
    expect(readableKey('Zoë ✓')).toBe('Zoë ✓');
    expect(readableKey('\u0000a\u2400b')).toBe('␀a\\u{2400}b');
    expect(readableKey('namespaces/fields/civic/Sequence')).toBe('namespaces/fields/civic/Sequence');
  });

  it('a DID registration: header fields, the function without its argument, keys readable, the written value as a size, and says what ␀ is', () => {
    const text = transactionText({ ...decodeProcessedTransaction(captured.registerDid.bytes), ...at });
    const lines = text.split('\n');
    expect(lines.slice(0, 12)).toEqual([
      `transaction ${captured.registerDid.txId}`,
      '  type        ENDORSER_TRANSACTION (a chaincode transaction)',
      '  channel     civic',
      '  block       5 (transaction 0 in the block)',
      '  validation  VALID',
      '  timestamp   2026-12-01T00:58:38.330Z',
      '  creator     AgenciesMSP   C=NL, L=Civic Ledger, O=AgenciesMSP, OU=client, CN=clerk',
      '  chaincode   civic version 0.1.0-55249c48115a0b3cb3',
      '  function    identity:RegisterDID (+ 1 argument, values not shown)',
      '  response    200',
      '  endorsers   AgenciesMSP   C=NL, L=Civic Ledger, O=AgenciesMSP, OU=peer, CN=peer0',
      '              CityMSP       C=NL, L=Civic Ledger, O=CityMSP, OU=peer, CN=peer0',
    ]);
    expect(text).toMatch(/│ civic +│ ␀civic\.identity\.did␀did:civic:lrMYEEU99a-ougG-LY8IgAnEMu2jF4hGJxQN-kSfkr8␀ │ 418 bytes \(value not shown\) │/);
    expect(text).toMatch(/│ _lifecycle │ namespaces\/fields\/civic\/Sequence +│ 4:0 +│ key +│/);
    expect(lines.at(-1)).toBe('(␀ stands for U+0000, the separator of composite keys; --json gives keys exactly as stored)');
    expect(text).not.toContain('\u0000');
    expect(text).not.toContain('uVe3yQ2uaiRJxFmueWL99pYUszFMj6xqUHCuPN2NJqE');
    expect(text).not.toContain('private data');
  });

  it('a private debt record: the collection as key and value hashes, no public write', () => {
    const tx = decodeProcessedTransaction(captured.recordDebt.bytes);
    const text = transactionText({ ...tx, ...at });
    const collection = tx.kind === 'endorser' ? tx.readWrites[1]?.collections[0] : undefined;
    expect(text).toContain('writes: none');
    expect(text).toContain('private data (SHA-256 hashes only: keys and values stay with the collection members):');
    expect(text).toContain(`│ debtUtilitiesMSP │ write  │ ${collection?.writes[0]?.keyHash ?? '?'} │ ${collection?.writes[0]?.valueHash ?? '?'} │ -`);
    expect(text).toContain(`│ debtUtilitiesMSP │ read   │ ${collection?.reads[0]?.keyHash ?? '?'} │ -`);
    expect(text).not.toContain(KEY_SEPARATOR);
  });

  it('a config transaction says so, with no reads or writes', () => {
    const config: LedgerTransaction = {
      kind: 'config',
      txId: 'ab'.repeat(32),
      channel: 'civic',
      type: 'CONFIG',
      timestamp: '2026-12-01T00:56:13.000Z',
      creator: null,
      configSequence: 0,
      updateSigners: [],
      validationCode: 'VALID',
      blockNumber: '0',
      indexInBlock: 0,
    };
    expect(transactionText(config).split('\n')).toEqual([
      `transaction ${'ab'.repeat(32)}`,
      '  type        CONFIG: a channel configuration (sequence 0), not a chaincode transaction: it reads and writes no keys',
      '  channel     civic',
      '  block       0 (transaction 0 in the block)',
      '  validation  VALID',
      '  timestamp   2026-12-01T00:56:13.000Z',
      '  creator     none (no client signed it)',
      '  signed by   no config update signatures (a genesis configuration)',
    ]);
  });

  it('range queries with the keys they returned, deletes, metadata writes, private deletes and purges', () => {
    const tx: LedgerTransaction = {
      kind: 'endorser',
      txId: 'cd'.repeat(32),
      channel: 'civic',
      type: 'ENDORSER_TRANSACTION',
      timestamp: null,
      creator: null,
      chaincode: 'civic',
      chaincodeVersion: null,
      function: 'land:ListParcels\u001b[1A\u001b[2K',
      argumentCount: 0,
      endorsers: [],
      responseStatus: 200,
      validationCode: 'PHANTOM_READ_CONFLICT',
      blockNumber: '9',
      indexInBlock: 3,
      readWrites: [
        {
          namespace: 'civic',
          reads: [],
          rangeQueries: [
            { startKey: '\u0000p\u0000', endKey: '\u0000p\u0000\u{10ffff}', exhausted: false, reads: [{ key: '\u0000p\u0000P-1\u0000', version: '7:1' }] },
            { startKey: 'a', endKey: 'b', exhausted: true, reads: null },
          ],
          writes: [{ key: 'plain', delete: true, valueBytes: 0 }],
          metadataWrites: [{ key: 'plain', entries: ['VALIDATION_PARAMETER'] }],
          collections: [
            {
              collection: 'debtCityMSP',
              reads: [],
              writes: [
                { keyHash: '01'.repeat(32), delete: true, purge: true, valueHash: null },
                { keyHash: '02'.repeat(32), delete: true, purge: false, valueHash: null },
              ],
              metadataWrites: [],
              privateRwsetHash: '03'.repeat(32),
            },
          ],
        },
      ],
    };
    const text = transactionText(tx);
    expect(text).toContain('  validation  PHANTOM_READ_CONFLICT');
    expect(text).toContain('  function    land:ListParcels\\u{1b}[1A\\u{1b}[2K\n');
    expect(text).not.toContain('\u001b');
    expect(text).toContain('  block       9 (transaction 3 in the block)');
    expect(text).toMatch(/│ civic +│ ␀p␀P-1␀ +│ 7:1 +│ range ␀p␀ … ␀p␀\u{10ffff} \(stopped early\) │/u);
    expect(text).toMatch(/│ civic +│ \(keys summarised as Merkle hashes\) +│ - +│ range a … b +│/);
    expect(text).toMatch(/│ civic +│ plain +│ DELETE +│/);
    expect(text).toMatch(/│ civic +│ plain +│ metadata: VALIDATION_PARAMETER +│/);
    expect(text).toContain(`│ debtCityMSP │ PURGE  │ ${'01'.repeat(32)} │ -`);
    expect(text).toContain(`│ debtCityMSP │ DELETE │ ${'02'.repeat(32)} │ -`);
  });
});
