import type { ImportResult, RegisterParcelRequest } from '@civic-ledger/chaincode/dist/land/client';
import type { ImportRecord } from './import-file';

/** A record that was not registered, and why. */
export interface ImportFailure {
  readonly source: string;
  readonly cadastralId: string | null;
  /** `INVALID_INPUT` (refused before sending), the chaincode's code, or `NOT_ATTEMPTED` (the import stopped first). */
  readonly code: string;
  readonly reason: string;
}

/** What an import did, record by record. */
export interface ImportSummary {
  readonly total: number;
  readonly registered: number;
  readonly batches: number;
  readonly failures: ImportFailure[];
  /** Why the import stopped early (a batch could not be committed), if it did. */
  readonly stoppedBy?: string;
}

/**
 * Register an import file's records in batches: invalid records are reported without being sent;
 * each batch is one `land:ImportParcels` transaction, in which every parcel is registered whole or
 * rejected with its reason. If a batch cannot be committed at all (network, endorsement), the import
 * stops there: that batch and all later ones are reported `NOT_ATTEMPTED`, so nothing is left
 * half-registered and a rerun of the same file reports the earlier parcels as already registered.
 *
 * @param records - from {@link readImportFile}
 * @param submitBatch - commits one batch (the CLI: `ImportParcels` through the gateway)
 * @param batchSize - parcels per transaction, 1–200
 * @param onBatch - told after each batch how many records are done (for a progress bar)
 */
export async function runImport(
  records: readonly ImportRecord[],
  submitBatch: (requests: RegisterParcelRequest[]) => Promise<ImportResult>,
  batchSize: number,
  onBatch: (done: number) => void = () => undefined,
): Promise<ImportSummary> {
  const failures: ImportFailure[] = [];
  const valid: { source: string; request: RegisterParcelRequest }[] = [];
  for (const r of records) {
    if (r.request === undefined) {
      failures.push({ source: r.source, cadastralId: null, code: 'INVALID_INPUT', reason: r.error });
    } else {
      valid.push({ source: r.source, request: r.request });
    }
  }
  const invalid = failures.length;
  onBatch(invalid);
  let registered = 0;
  let batches = 0;
  for (let start = 0; start < valid.length; start += batchSize) {
    const batch = valid.slice(start, start + batchSize);
    let result: ImportResult;
    try {
      result = await submitBatch(batch.map((b) => b.request));
    } catch (error) {
      const reason = (error as Error).message;
      for (const b of valid.slice(start)) {
        failures.push({
          source: b.source,
          cadastralId: b.request.cadastralId,
          code: 'NOT_ATTEMPTED',
          reason: `batch ${String(batches + 1)} was not committed: ${reason}`,
        });
      }
      return { total: records.length, registered, batches, failures, stoppedBy: reason };
    }
    batches += 1;
    registered += result.registered.length;
    for (const r of result.rejected) {
      failures.push({ source: batch[r.index]?.source ?? `batch item ${String(r.index)}`, cadastralId: r.cadastralId, code: r.code, reason: r.message });
    }
    onBatch(invalid + start + batch.length);
  }
  return { total: records.length, registered, batches, failures };
}
