import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MSP_IDS } from '../../chaincode/src/shared/access';
import { newLedger } from '../../chaincode/src/test-support/debt-fixtures';
import type { FakeIdentity } from '../../chaincode/src/test-support/fake-context';
import { probe, probeWorld, type ProbeWorld } from './access-matrix/probe';
import { MATRIX_COLUMNS, NO_ROLE, readAccessMatrix, type MatrixRow } from './access-matrix/readme-matrix';
import { contractTransactions, JOINED_MSP, MATRIX_ORGS, type ContractTransaction } from './access-matrix/transactions';

const README = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
const rows = readAccessMatrix(README);
const transactions = new Map(contractTransactions().map((t) => [t.name, t]));

const identity = (mspId: string, role: string): FakeIdentity => (role === NO_ROLE ? { mspId } : { mspId, role });
const letter = (mspId: string): string => (mspId === JOINED_MSP ? 'O' : mspId.charAt(0));

function transactionOf(row: MatrixRow): ContractTransaction {
  const tx = transactions.get(row.transaction);
  if (tx === undefined) {
    throw new Error(`${row.transaction} is in the README but not in the chaincode`);
  }
  return tx;
}

/** The (org, role) pairs a row lets through. */
const admitted = (row: MatrixRow): [string, string][] => [...row.allowed].flatMap(([role, msps]) => [...msps].map((m): [string, string] => [m, role]));

let world: ProbeWorld;
beforeAll(async () => {
  world = await probeWorld(newLedger());
});

describe('the README access-control matrix', () => {
  it('lists every transaction the contracts export, once, with its kind, and nothing else', () => {
    expect(rows.map((r) => r.transaction).sort()).toEqual([...transactions.keys()].sort());
    expect(rows.filter((r) => transactions.get(r.transaction)?.kind !== r.kind).map((r) => r.transaction)).toEqual([]);
  });

  it.each(rows.map((r) => [r.transaction, r] as const))('%s: FORBIDDEN for exactly the org × role pairs the table leaves out', async (_, row) => {
    const tx = transactionOf(row);
    const disagreements: string[] = [];
    for (const role of MATRIX_COLUMNS.slice(2, -1)) {
      for (const mspId of MATRIX_ORGS) {
        const expected = row.allowed.get(role)?.has(mspId) === true ? 'admitted' : 'forbidden';
        const got = await probe(world, tx, identity(mspId, role));
        if (got !== expected) {
          disagreements.push(`${letter(mspId)} ${role}: table says ${expected}, chaincode ${got}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  it.each([
    ['issuer-org', 'signed by the issuer of another org', 'issuerMsp'],
    ['own-peer', 'on a peer of another org', 'peerMspId'],
  ] as const)('refuses %s transactions %s to every caller the table lets through', async (check, _, vary) => {
    const checked = rows.filter((r) => r.recordCheck === check);
    expect(checked.length).toBeGreaterThan(0);
    const answers: string[] = [];
    for (const row of checked) {
      const pairs = admitted(row);
      expect(pairs.length).toBeGreaterThan(0);
      for (const [mspId, role] of pairs) {
        for (const other of MSP_IDS.filter((m) => m !== mspId)) {
          answers.push(`${row.transaction} ${mspId}/${role} ${other}: ${await probe(world, transactionOf(row), identity(mspId, role), { [vary]: other })}`);
        }
      }
    }
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((a) => !a.endsWith(': forbidden'))).toEqual([]);
  });
});

describe('readAccessMatrix', () => {
  const table = (row: string): string =>
    [`## Access-control matrix`, '', `| ${MATRIX_COLUMNS.join(' | ')} |`, `|${'---|'.repeat(MATRIX_COLUMNS.length)}`, row, ''].join('\n');
  const row = (cells: string[]): string => `| \`land:GetParcel\` | evaluate | ${cells.join(' | ')} | - |`;
  const twelve = (first: string): string[] => [first, ...Array<string>(11).fill('-')];

  it('reads org letters, "-" and a record check', () => {
    const [parsed] = readAccessMatrix(table(row(twelve('CUO'))).replace(/ - \|$/m, ' holder |'));
    expect(parsed?.allowed.get('admin')).toEqual(new Set(['CityMSP', 'UtilitiesMSP', JOINED_MSP]));
    expect(parsed?.allowed.get(NO_ROLE)).toEqual(new Set());
    expect(parsed?.recordCheck).toBe('holder');
  });

  it.each([
    ['an unknown letter', table(row(twelve('CX')))],
    ['letters out of order', table(row(twelve('AC')))],
    ['an empty cell', table(row(twelve('')))],
    ['a missing cell', table(row(twelve('C').slice(1)))],
    ['an unknown record check', table(row(twelve('C'))).replace(/ - \|$/m, ' owner |')],
    ['a row listed twice', table(`${row(twelve('C'))}\n${row(twelve('C'))}`)],
    ['a renamed column', table(row(twelve('C'))).replace('| no role |', '| nobody |')],
    ['no section', table(row(twelve('C'))).replace('## Access-control matrix', '## Access')],
  ])('refuses %s', (_, markdown) => {
    expect(() => readAccessMatrix(markdown)).toThrow();
  });
});
