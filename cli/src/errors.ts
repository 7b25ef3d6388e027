/**
 * Errors the CLI reports, each with the exit code it maps to:
 * 1 for a user or contract error, 2 for a network or unexpected error.
 */

/** Base of every error the CLI reports as one line. */
export abstract class CliError extends Error {
  /** Process exit code for this error. */
  abstract readonly exitCode: 1 | 2;
  /** Machine-readable code for `--json` output. */
  abstract readonly code: string;
  /** Extra detail shown with `--verbose`. */
  readonly detail: string | undefined;
  /** Structured data for the `--json` error envelope (e.g. failed doctor checks). */
  data: unknown;

  constructor(message: string, detail?: string) {
    super(message);
    this.name = new.target.name;
    this.detail = detail;
  }
}

/** Bad command-line input: an unknown org, a malformed option, a missing file. Exit 1. */
export class UsageError extends CliError {
  readonly exitCode = 1;
  readonly code = 'USAGE';
}

/**
 * The chaincode refused the transaction. `code` is the chaincode's stable error
 * code (e.g. `INVALID_SIGNATURE`), `endorser` names the peer and MSP ID that said so.
 */
export class ContractError extends CliError {
  readonly exitCode = 1;
  readonly code: string;
  readonly transactionId: string | undefined;
  readonly endorser: string | undefined;

  constructor(code: string, message: string, options: { transactionId?: string; endorser?: string; detail?: string }) {
    super(message, options.detail);
    this.code = code;
    this.transactionId = options.transactionId;
    this.endorser = options.endorser;
  }
}

/** The network could not be reached, a node failed, or a script failed. Exit 2. */
export class NetworkError extends CliError {
  readonly exitCode = 2;
  readonly code: string;
  /** The transaction concerned, when there is one (e.g. `COMMIT_STATUS_UNKNOWN`: submitted, fate unknown). */
  readonly transactionId: string | undefined;

  constructor(message: string, options: { code?: string; detail?: string; transactionId?: string } = {}) {
    super(message, options.detail);
    this.code = options.code ?? 'NETWORK';
    this.transactionId = options.transactionId;
  }
}

/**
 * What the user asked to check or do did not pass in full: a certificate that is not valid,
 * an import with records left unregistered. `data` carries every finding for `--json`. Exit 1.
 */
export class CheckFailed extends CliError {
  readonly exitCode = 1;
  readonly code: string;

  constructor(code: string, message: string, data: unknown) {
    super(message);
    this.code = code;
    this.data = data;
  }
}
