import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { IMPORT_BATCH_MAX, type ImportResult } from '@civic-ledger/chaincode/dist/land/client';
import { action, type Runtime } from '../context';
import { CheckFailed, UsageError } from '../errors';
import { submit } from '../gateway/transactions';
import { withContract } from '../gateway/with-contract';
import { CSV_COLUMNS, readImportFile } from '../land/import-file';
import { runImport, type ImportSummary } from '../land/import-run';

function render(file: string, s: ImportSummary): string {
  const lines = [
    `imported ${file}: ${String(s.registered)} of ${String(s.total)} parcels registered in ${String(s.batches)} transaction(s); ${String(s.failures.length)} not registered`,
  ];
  for (const f of s.failures.slice(0, 50)) {
    lines.push(`  ${f.source}${f.cadastralId === null ? '' : ` ${f.cadastralId}`}: ${f.code} ${f.reason}`);
  }
  if (s.failures.length > 50) {
    lines.push(`  … and ${String(s.failures.length - 50)} more (use --json for all)`);
  }
  return lines.join('\n');
}

/** `land import <file>`: bulk registration of a cadastre extract. */
export function addImportCommand(land: Command, runtime: Runtime): void {
  land
    .command('import')
    .description('register many parcels from a CSV or GeoJSON file, in batches; reports what failed and why (CityMSP registrar)')
    .argument('<file>', `.csv with header ${CSV_COLUMNS.join(',')}, or a .geojson FeatureCollection`)
    .option('--batch-size <n>', `parcels per transaction, 1-${String(IMPORT_BATCH_MAX)}`, '100')
    .option('--dry-run', 'only check the file; register nothing', false)
    .addHelpText(
      'after',
      '\nExit status 0 when every parcel was registered, 1 otherwise.\nExample:\n  civic --org city --user registrar land import cadastre-2026.csv',
    )
    .action(
      action(runtime, async (ctx, file: string, opts: { batchSize: string; dryRun: boolean }) => {
        const batchSize = Number(opts.batchSize);
        if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > IMPORT_BATCH_MAX) {
          throw new UsageError(`--batch-size: '${opts.batchSize}' must be a whole number from 1 to ${String(IMPORT_BATCH_MAX)}`);
        }
        const records = readImportFile(file);
        if (records.length === 0) {
          throw new UsageError(`import file: ${file} holds no parcels`);
        }
        const bar =
          !ctx.options.json && process.stderr.isTTY
            ? new SingleBar({ format: 'import |{bar}| {value}/{total} parcels | {eta_formatted} left', stream: process.stderr }, Presets.shades_classic)
            : undefined;
        bar?.start(records.length, 0);
        const summary = await (opts.dryRun
          ? runImport(records, (batch) => Promise.resolve({ registered: batch.map((p) => p.cadastralId), rejected: [] }), batchSize)
          : withContract(ctx, 'land', (c) =>
              runImport(
                records,
                async (batch) =>
                  JSON.parse(
                    (
                      await submit(c, 'ImportParcels', [JSON.stringify({ parcels: batch })], (m) => {
                        ctx.printer.verbose(m);
                      })
                    ).result,
                  ) as ImportResult,
                batchSize,
                (done) => {
                  bar?.update(done);
                  ctx.printer.verbose(`import: ${String(done)} of ${String(records.length)} records done`);
                },
              ),
            ).finally(() => bar?.stop()));
        if (summary.failures.length > 0) {
          throw new CheckFailed('IMPORT_INCOMPLETE', render(file, summary), summary);
        }
        ctx.printer.result(summary, () => (opts.dryRun ? `dry run: all ${String(summary.total)} parcels in ${file} are well-formed` : render(file, summary)));
      }),
    );
}
