import { StatusCode } from '@hyperledger/fabric-gateway';

const NAMES = new Map<number, string>(Object.entries(StatusCode).map(([name, code]) => [code, name]));

/**
 * The name of a Fabric transaction validation code (peer.TxValidationCode),
 * e.g. 11 → `MVCC_READ_CONFLICT`.
 */
export function statusName(code: number): string {
  return NAMES.get(code) ?? `VALIDATION_CODE_${code}`;
}
