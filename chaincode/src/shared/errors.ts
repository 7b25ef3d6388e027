/**
 * Chaincode errors with a stable, machine-readable code prefix.
 *
 * Every refusal the chaincode makes is a {@link ChaincodeError}; its message is
 * `CODE: human text` (for example `NOT_FOUND: DID did:civic:abc is not registered`),
 * so clients map it to an exit code and a one-line message without guessing.
 */

/** The stable error codes the civic chaincode uses. */
export type ErrorCode = 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'ALREADY_EXISTS' | 'FORBIDDEN' | 'INVALID_SIGNATURE' | 'FAILED_PRECONDITION';

/**
 * The longest detail an error message carries, in UTF-16 code units. A detail that quotes a
 * caller's argument (an unknown id, a bad value) would otherwise grow with it: the peer's gateway
 * returns the message in its gRPC error details (trailers), and one of some hundreds of kilobytes
 * left the Node gateway client waiting for its deadline, its connection stuck for the calls after.
 */
export const MAX_DETAIL_LENGTH = 1024;

/**
 * `detail` cut to {@link MAX_DETAIL_LENGTH} code units (never between the two halves of a
 * surrogate pair), saying how much was left out.
 */
export function cappedDetail(detail: string): string {
  if (detail.length <= MAX_DETAIL_LENGTH) {
    return detail;
  }
  const high = detail.charCodeAt(MAX_DETAIL_LENGTH - 1);
  const cut = high >= 0xd800 && high <= 0xdbff ? MAX_DETAIL_LENGTH - 1 : MAX_DETAIL_LENGTH;
  return `${detail.slice(0, cut)}… (${String(detail.length - cut)} more characters)`;
}

/** An error raised by a transaction; nothing the transaction wrote is committed. */
export class ChaincodeError extends Error {
  /** The stable code, also the prefix of {@link Error.message}. */
  readonly code: ErrorCode;

  /**
   * @param code - stable error code
   * @param detail - human-readable detail, naming the field or record concerned (cut to
   *   {@link MAX_DETAIL_LENGTH} code units)
   */
  constructor(code: ErrorCode, detail: string) {
    super(`${code}: ${cappedDetail(detail)}`);
    this.name = 'ChaincodeError';
    this.code = code;
  }
}
