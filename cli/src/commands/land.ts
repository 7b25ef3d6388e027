import { Command } from 'commander';
import { z } from 'zod';
import { landUseSchema, locationSchema, type OwnerPage, type Parcel, type Provenance } from '@civic-ledger/chaincode/dist/land/client';
import { action, type Runtime } from '../context';
import { UsageError } from '../errors';
import { evaluate } from '../gateway/transactions';
import { submitAndReport, withContract } from '../gateway/with-contract';
import { parseJson, parseWith, readInput } from '../input';
import { decodeBookmark, documentHash, encodeBookmark, parseLocation, parseOwner } from '../land/arguments';
import { provenanceTable, renderParcel } from '../land/render';
import { addCertificateCommands } from './land-certificates';
import { addEncumbranceCommands } from './land-encumbrances';
import { addImportCommand } from './land-import';
import { addTransferCommands } from './land-transfers';

const childrenSchema = z.array(z.object({ cadastralId: z.string(), areaM2: z.number(), location: locationSchema }).strict()).min(2);

/** Split children from a GeoJSON FeatureCollection (properties cadastralId, areaM2) or a JSON array. */
function readChildren(file: string): z.infer<typeof childrenSchema> {
  const doc = parseJson(readInput(file, '--children').toString('utf8'), `--children ${file}`) as { type?: unknown; features?: unknown };
  const list =
    doc.type === 'FeatureCollection' && Array.isArray(doc.features)
      ? (doc.features as { geometry?: unknown; properties?: { cadastralId?: unknown; areaM2?: unknown } }[]).map((f) => ({
          cadastralId: f.properties?.cadastralId,
          areaM2: f.properties?.areaM2,
          location: f.geometry,
        }))
      : doc;
  return parseWith(childrenSchema, list, '--children');
}

function registerCommand(land: Command, runtime: Runtime): void {
  land
    .command('register')
    .description('register a cadastral parcel with its owners and exact shares (CityMSP registrar)')
    .requiredOption('--parcel <id>', 'cadastral parcel id, e.g. AM-K-1234')
    .requiredOption('--area <m2>', 'area in whole square metres')
    .requiredOption('--land-use <use>', `one of ${landUseSchema.options.join(', ')}`)
    .requiredOption('--location <where>', '"lon,lat" (WGS 84), or a GeoJSON Point/Polygon file')
    .requiredOption('--owner <owners...>', 'each owner as DID=share, shares summing to exactly 1, e.g. did:civic:…=1/2')
    .option('--deed <file>', 'the deed document (its SHA-256 is recorded)')
    .option('--deed-hash <sha256>', "or the deed's SHA-256, hex")
    .addHelpText(
      'after',
      '\nExample:\n  civic --org city --user registrar land register --parcel AM-K-1234 --area 250 --land-use residential \\\n    --location 4.9,52.37 --owner did:civic:…=1/2 did:civic:…=1/2 --deed deed.pdf',
    )
    .action(
      action(
        runtime,
        async (ctx, opts: { parcel: string; area: string; landUse: string; location: string; owner: string[]; deed?: string; deedHash?: string }) => {
          if (!/^\d+$/.test(opts.area)) {
            throw new UsageError(`--area: '${opts.area}' is not a whole number of square metres`);
          }
          const request = {
            cadastralId: opts.parcel,
            areaM2: Number(opts.area),
            landUse: opts.landUse,
            location: parseLocation(opts.location, '--location'),
            owners: opts.owner.map((o) => parseOwner(o, '--owner')),
            deedHash: documentHash(opts.deed, opts.deedHash, 'deed'),
          };
          await withContract(ctx, 'land', (c) =>
            submitAndReport(ctx, c, 'RegisterParcel', [JSON.stringify(request)], (p: Parcel) => `registered ${p.cadastralId}\n${renderParcel(p)}`),
          );
        },
      ),
    );
}

function queryCommands(land: Command, runtime: Runtime): void {
  land
    .command('show')
    .description('a parcel as the ledger holds it now (any org member)')
    .argument('<parcel>', 'cadastral parcel id')
    .action(
      action(runtime, async (ctx, id: string) => {
        const parcel = JSON.parse(await withContract(ctx, 'land', (c) => evaluate(c, 'GetParcel', [id]))) as Parcel;
        ctx.printer.result(parcel, () => renderParcel(parcel));
      }),
    );
  land
    .command('history')
    .description("a parcel's provenance: every committed version, through splits and merges")
    .argument('<parcel>', 'cadastral parcel id')
    .action(
      action(runtime, async (ctx, id: string) => {
        const provenance = JSON.parse(await withContract(ctx, 'land', (c) => evaluate(c, 'GetParcelHistory', [id]))) as Provenance;
        ctx.printer.result(provenance, () => provenanceTable(provenance));
      }),
    );
  land
    .command('list')
    .description("a DID's active parcels, a page at a time (or --all)")
    .requiredOption('--owner <did>', "the owner's DID")
    .option('--page-size <n>', 'parcels per page, 1-100', '50')
    .option('--bookmark <b>', 'continue from the bookmark a previous page printed (with --json: result.bookmark)')
    .option('--all', 'follow bookmarks to the end', false)
    .action(
      action(runtime, async (ctx, opts: { owner: string; pageSize: string; bookmark?: string; all: boolean }) => {
        const start = opts.bookmark === undefined ? '' : decodeBookmark(opts.bookmark, '--bookmark');
        const pages = await withContract(ctx, 'land', async (c) => {
          const got: OwnerPage[] = [];
          let bookmark = start;
          do {
            const page = JSON.parse(await evaluate(c, 'ListParcelsByOwner', [opts.owner, opts.pageSize, bookmark])) as OwnerPage;
            got.push(page);
            bookmark = page.bookmark;
          } while (opts.all && bookmark !== '');
          return got;
        });
        const cadastralIds = pages.flatMap((p) => p.cadastralIds);
        const bookmark = encodeBookmark(pages.at(-1)?.bookmark ?? '');
        ctx.printer.result(
          { owner: opts.owner, cadastralIds, bookmark },
          () => [...cadastralIds, ...(bookmark === '' ? [] : [`(more: --bookmark '${bookmark}')`])].join('\n') || `${opts.owner} owns no active parcel`,
        );
      }),
    );
}

function subdivisionCommands(land: Command, runtime: Runtime): void {
  land
    .command('split')
    .description("subdivide a parcel: children's areas must sum exactly to the parent's (CityMSP registrar)")
    .requiredOption('--parcel <id>', 'the parent parcel')
    .requiredOption('--children <file>', 'GeoJSON FeatureCollection (properties cadastralId, areaM2) or JSON [{cadastralId, areaM2, location}]')
    .action(
      action(runtime, async (ctx, opts: { parcel: string; children: string }) => {
        const request = JSON.stringify({ cadastralId: opts.parcel, children: readChildren(opts.children) });
        await withContract(ctx, 'land', (c) =>
          submitAndReport(
            ctx,
            c,
            'SplitParcel',
            [request],
            (kids: Parcel[]) => `split ${opts.parcel} into ${kids.map((k) => `${k.cadastralId} (${String(k.areaM2)} m²)`).join(', ')}`,
          ),
        );
      }),
    );
  land
    .command('merge')
    .description('merge parcels with identical owners into one (CityMSP registrar)')
    .requiredOption('--parcels <ids...>', 'the parcels to merge')
    .requiredOption('--into <id>', 'the new cadastral parcel id')
    .requiredOption('--location <where>', '"lon,lat" or a GeoJSON Point/Polygon file for the merged parcel')
    .action(
      action(runtime, async (ctx, opts: { parcels: string[]; into: string; location: string }) => {
        const request = JSON.stringify({
          cadastralIds: opts.parcels,
          merged: { cadastralId: opts.into, location: parseLocation(opts.location, '--location') },
        });
        await withContract(ctx, 'land', (c) =>
          submitAndReport(ctx, c, 'MergeParcels', [request], (p: Parcel) => `merged ${opts.parcels.join(', ')} into ${p.cadastralId} (${String(p.areaM2)} m²)`),
        );
      }),
    );
}

/** `civic land …`: the land registry */
export function landCommand(runtime: Runtime): Command {
  const land = new Command('land').description('land registry: cadastral parcels, title transfers, encumbrances, title certificates');
  registerCommand(land, runtime);
  queryCommands(land, runtime);
  addTransferCommands(land, runtime);
  addEncumbranceCommands(land, runtime);
  subdivisionCommands(land, runtime);
  addCertificateCommands(land, runtime);
  addImportCommand(land, runtime);
  return land;
}
