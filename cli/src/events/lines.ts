import type { ChaincodeEvent } from '@hyperledger/fabric-gateway';

/**
 * One chaincode event as `civic events follow --json` prints it (one such object per line).
 * `blockNumber` is a decimal string (block numbers are 64-bit). `payload` is the payload parsed
 * as JSON when it is UTF-8 JSON (as every civic event's is), else its bytes in base64;
 * `payloadEncoding` says which, so that a JSON string payload is never taken for base64.
 */
export interface EventLine {
  readonly blockNumber: string;
  readonly transactionId: string;
  readonly chaincode: string;
  readonly eventName: string;
  readonly payload: unknown;
  readonly payloadEncoding: 'json' | 'base64';
}

/** The JSON-lines form of one event (see {@link EventLine}). */
export function eventLine(event: ChaincodeEvent): EventLine {
  const base = {
    blockNumber: event.blockNumber.toString(),
    transactionId: event.transactionId,
    chaincode: event.chaincodeName,
    eventName: event.eventName,
  };
  const parsed = parseJsonPayload(event.payload);
  return parsed.ok
    ? { ...base, payload: parsed.value, payloadEncoding: 'json' }
    : { ...base, payload: Buffer.from(event.payload).toString('base64'), payloadEncoding: 'base64' };
}

/** The line printed with `--json`: the event as one compact JSON object, no newline. */
export function jsonLine(event: ChaincodeEvent): string {
  return JSON.stringify(eventLine(event));
}

/**
 * The line printed for people: block, transaction id, event name and the payload as compact
 * JSON (or `base64:<bytes>` when it is not JSON), separated by two spaces; no newline.
 */
export function humanLine(event: ChaincodeEvent): string {
  const line = eventLine(event);
  const payload = line.payloadEncoding === 'json' ? JSON.stringify(line.payload) : `base64:${String(line.payload)}`;
  return `block ${line.blockNumber}  tx ${line.transactionId}  ${line.eventName}  ${payload}`;
}

function parseJsonPayload(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch {
    return { ok: false };
  }
}
