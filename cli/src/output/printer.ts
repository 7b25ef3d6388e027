import Table from 'cli-table3';
import { CliError } from '../errors';

/** Where output goes; injected so tests can capture it. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /**
   * The stream behind `out`, when there is one: for commands that stream lines and must know
   * when each was handed to the OS (`civic events follow`). Absent in tests' captures.
   */
  readonly stdout?: NodeJS.WritableStream;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  stdout: process.stdout,
};

/** A table: column headers and rows of cells. */
export interface TableData {
  readonly head: readonly string[];
  readonly rows: readonly (readonly (string | number | boolean | null)[])[];
}

/**
 * Prints results and errors in one of two forms: human text and tables, or
 * with `--json` one envelope `{status: "ok", result}` / `{status: "error", error}`.
 */
export class Printer {
  readonly #io: Io;
  readonly #json: boolean;
  readonly #verbose: boolean;

  constructor(io: Io, options: { json: boolean; verbose: boolean }) {
    this.#io = io;
    this.#json = options.json;
    this.#verbose = options.verbose;
  }

  /** Print a result: `human` renders it for people, `result` is the JSON form. */
  result(result: unknown, human: () => string | TableData): void {
    if (this.#json) {
      this.#io.out(JSON.stringify({ status: 'ok', result }, null, 2));
      return;
    }
    const rendered = human();
    this.#io.out(typeof rendered === 'string' ? rendered : renderTable(rendered));
  }

  /** Progress or detail for people; silent under `--json`. */
  info(text: string): void {
    if (!this.#json) {
      this.#io.err(text);
    }
  }

  /** Something the user must see even under `--json` (to stderr, never mixed into the JSON on stdout). */
  notice(text: string): void {
    this.#io.err(text);
  }

  /** Detail shown only with `--verbose`. */
  verbose(text: string): void {
    if (this.#verbose) {
      this.#io.err(text);
    }
  }

  /** Print an error in one line (plus detail with --verbose); returns the exit code. */
  error(error: unknown): number {
    const known = error instanceof CliError ? error : undefined;
    const exitCode = known?.exitCode ?? 2;
    const message = error instanceof Error ? error.message : String(error);
    if (this.#json) {
      const fields = known === undefined ? {} : { ...errorFields(known), code: known.code, ...(known.data === undefined ? {} : { data: known.data }) };
      this.#io.out(JSON.stringify({ status: 'error', error: { message, ...fields } }, null, 2));
    } else {
      this.#io.err(`error: ${message}`);
    }
    this.#printDetail(known, error);
    return exitCode;
  }

  #printDetail(known: CliError | undefined, error: unknown): void {
    const detail = known?.detail ?? (known === undefined && error instanceof Error ? error.stack : undefined);
    if (this.#verbose && detail !== undefined) {
      this.#io.err(detail);
    }
  }
}

function errorFields(error: CliError): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of ['transactionId', 'endorser'] as const) {
    if (key in error) {
      fields[key] = (error as unknown as Record<string, unknown>)[key];
    }
  }
  return fields;
}

/** Render a table with cli-table3 (no colours, so output is the same in a pipe). */
export function renderTable(data: TableData): string {
  const table = new Table({ head: [...data.head], style: { head: [], border: [] } });
  for (const row of data.rows) {
    table.push(row.map((cell) => (cell === null ? '-' : String(cell))));
  }
  return table.toString();
}
