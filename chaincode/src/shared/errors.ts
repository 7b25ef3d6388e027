/**
 * Chaincode errors with a stable, machine-readable code prefix.
 *
 * Every refusal the chaincode makes is a {@link ChaincodeError}; its message is
 * `CODE: human text` (for example `NOT_FOUND: DID did:civic:abc is not registered`),
 * so clients map it to an exit code and a one-line message without guessing.
 */

/** The stable error codes the civic chaincode uses. */
export type ErrorCode = 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'ALREADY_EXISTS' | 'FORBIDDEN' | 'INVALID_SIGNATURE' | 'FAILED_PRECONDITION';

/** An error raised by a transaction; nothing the transaction wrote is committed. */
export class ChaincodeError extends Error {
  /** The stable code, also the prefix of {@link Error.message}. */
  readonly code: ErrorCode;

  /**
   * @param code - stable error code
   * @param detail - human-readable detail, naming the field or record concerned
   */
  constructor(code: ErrorCode, detail: string) {
    super(`${code}: ${detail}`);
    this.name = 'ChaincodeError';
    this.code = code;
  }
}
