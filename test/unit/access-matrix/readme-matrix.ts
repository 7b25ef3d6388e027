import { ROLES } from '../../../chaincode/src/shared/access';
import { JOINED_MSP, type TransactionKind } from './transactions';

/** The heading of the README section that holds the matrix. */
export const MATRIX_HEADING = 'Access-control matrix';

/** The column of a certificate without a `civic.role`. */
export const NO_ROLE = 'no role';

/** The further record checks the last column may name, as the README's legend explains them. */
export const RECORD_CHECKS = ['issuer-org', 'own-peer', 'holder', 'signer', 'counsellor', 'creditor'] as const;
export type RecordCheck = (typeof RECORD_CHECKS)[number];

/** The org letters of a cell, in the order a cell lists them. */
const ORG_LETTERS: readonly (readonly [string, string])[] = [
  ['C', 'CityMSP'],
  ['A', 'AgenciesMSP'],
  ['U', 'UtilitiesMSP'],
  ['O', JOINED_MSP],
];

/** The columns the table must have, in this order. */
export const MATRIX_COLUMNS: readonly string[] = ['transaction', 'kind', ...ROLES, NO_ROLE, 'record check'];

/** One row of the matrix. */
export interface MatrixRow {
  /** `contract:Function`. */
  readonly transaction: string;
  readonly kind: TransactionKind;
  /** Per role column (a role, or {@link NO_ROLE}): the MSP IDs let through ({@link JOINED_MSP} for `O`). */
  readonly allowed: ReadonlyMap<string, ReadonlySet<string>>;
  readonly recordCheck: RecordCheck | undefined;
}

const cellsOf = (line: string): string[] =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());

/** A cell's orgs: `-` for none, else the letters C, A, U, O, each at most once and in that order. */
function parseOrgs(cell: string, where: string): Set<string> {
  if (cell === '-') {
    return new Set();
  }
  const pattern = new RegExp(`^${ORG_LETTERS.map(([letter]) => `(${letter})?`).join('')}$`);
  const match = pattern.exec(cell);
  if (match === null || cell === '') {
    throw new Error(`${where}: '${cell}' is neither '-' nor org letters in the order CAUO`);
  }
  return new Set(ORG_LETTERS.filter((_, i) => match[i + 1] !== undefined).map(([, msp]) => msp));
}

function parseRow(line: string, lineNo: number): MatrixRow {
  const cells = cellsOf(line);
  const where = `README line ${lineNo}`;
  if (cells.length !== MATRIX_COLUMNS.length) {
    throw new Error(`${where}: ${cells.length} cells, expected ${MATRIX_COLUMNS.length}`);
  }
  const { transaction, kind } = parseName(cells[0] ?? '', cells[1] ?? '', where);
  const roleColumns = MATRIX_COLUMNS.slice(2, -1);
  const allowed = new Map(roleColumns.map((role, i) => [role, parseOrgs(cells[i + 2] ?? '', `${where}, column ${role}`)]));
  return { transaction, kind, allowed, recordCheck: parseRecordCheck(cells[cells.length - 1] ?? '', where) };
}

function parseName(nameCell: string, kind: string, where: string): { transaction: string; kind: TransactionKind } {
  const name = /^`([a-z]+:[A-Za-z]+)`$/.exec(nameCell);
  if (name?.[1] === undefined || (kind !== 'submit' && kind !== 'evaluate')) {
    throw new Error(`${where}: expected \`contract:Function\` and submit|evaluate, got '${nameCell}' '${kind}'`);
  }
  return { transaction: name[1], kind };
}

function parseRecordCheck(cell: string, where: string): RecordCheck | undefined {
  if (cell === '-') {
    return undefined;
  }
  if (!(RECORD_CHECKS as readonly string[]).includes(cell)) {
    throw new Error(`${where}: record check '${cell}' is not one of ${RECORD_CHECKS.join(', ')}`);
  }
  return cell as RecordCheck;
}

/**
 * Read the access-control matrix from the README: the first table after a heading named
 * {@link MATRIX_HEADING}, with exactly the columns {@link MATRIX_COLUMNS}.
 *
 * @param markdown - the README's text
 * @returns one row per table row, in table order
 * @throws Error naming the line when the section or table is missing, a header differs, a cell
 *   is malformed or a transaction is listed twice
 */
export function readAccessMatrix(markdown: string): MatrixRow[] {
  const lines = markdown.split('\n');
  const heading = lines.findIndex((l) => new RegExp(`^#+ ${MATRIX_HEADING}\\s*$`).test(l));
  if (heading < 0) {
    throw new Error(`README has no section '${MATRIX_HEADING}'`);
  }
  const start = lines.findIndex((l, i) => i > heading && l.trim().startsWith('|'));
  if (start < 0) {
    throw new Error(`README section '${MATRIX_HEADING}' has no table`);
  }
  const header = cellsOf(lines[start] ?? '');
  if (header.join('|') !== MATRIX_COLUMNS.join('|')) {
    throw new Error(`README line ${start + 1}: the matrix columns are '${header.join(', ')}', expected '${MATRIX_COLUMNS.join(', ')}'`);
  }
  if (!/^\|(\s*:?-+:?\s*\|)+$/.test((lines[start + 1] ?? '').trim())) {
    throw new Error(`README line ${start + 2}: expected the table's delimiter row`);
  }
  const rows: MatrixRow[] = [];
  for (let i = start + 2; i < lines.length && (lines[i] ?? '').trim().startsWith('|'); i++) {
    const row = parseRow(lines[i] ?? '', i + 1);
    if (rows.some((r) => r.transaction === row.transaction)) {
      throw new Error(`README line ${i + 1}: ${row.transaction} is listed twice`);
    }
    rows.push(row);
  }
  return rows;
}
