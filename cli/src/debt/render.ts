import type { DebtRecord } from '@civic-ledger/chaincode/dist/debt/client';
import { euros } from '../output/money';
import type { TableData } from '../output/printer';

/** Debt records as a table (amounts in euros). */
export function debtTable(records: readonly DebtRecord[]): TableData {
  return {
    head: ['creditor', 'debt', 'reference', 'origin', 'since', 'amount', 'outstanding', 'status'],
    rows: records.map((r) => [
      r.creditor,
      r.debtId.slice(0, 12),
      r.creditorReference,
      r.origin,
      r.since,
      euros(r.amountCents),
      euros(r.outstandingCents),
      r.status,
    ]),
  };
}
