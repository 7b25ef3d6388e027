import type { ImportResult, RegisterParcelRequest } from '@civic-ledger/chaincode/dist/land/client';
import { FakeLedger } from '../../chaincode/src/test-support/fake-context';
import { registeredCitizen } from '../../chaincode/src/test-support/identity-fixtures';
import { DEED, land, registrar } from '../../chaincode/src/test-support/land-fixtures';
import { parseCsv, parseGeoJson } from '../../cli/src/land/import-file';
import { runImport } from '../../cli/src/land/import-run';

/**
 * `civic land import` logic against the land contract's real ImportParcels (on the
 * unit-test ledger fake): records parsed from CSV/GeoJSON, invalid ones reported
 * without being sent, the rest registered in batches, each parcel whole or not at all.
 */
const HEADER = 'cadastral_id,area_m2,land_use,owners,deed_hash,longitude,latitude';

function csvLine(id: string, owners: string, extra: Partial<Record<'area' | 'use' | 'lon', string>> = {}): string {
  return [id, extra.area ?? '250', extra.use ?? 'residential', owners, DEED, extra.lon ?? '4.9', '52.37'].join(',');
}

function submitter(ledger: FakeLedger): (batch: RegisterParcelRequest[]) => Promise<ImportResult> {
  return async (batch) => JSON.parse(await ledger.tx(registrar, (ctx) => land.ImportParcels(ctx, JSON.stringify({ parcels: batch })))) as ImportResult;
}

describe('land import files', () => {
  it('parses CSV lines into register requests and names what is wrong with the others', () => {
    const did = `did:civic:${'A'.repeat(43)}`;
    const records = parseCsv(
      [
        HEADER,
        csvLine('AM-I-1', `${did}=1/2;did:civic:${'B'.repeat(43)}=1/2`),
        csvLine('AM-I-2', `${did}=1`, { area: '-3' }),
        csvLine('AM-I-3', did),
        csvLine('AM-I-4', `${did}=1`, { use: 'moon base' }),
      ].join('\n'),
    );
    expect(records[0]).toEqual({
      source: 'line 2',
      request: {
        cadastralId: 'AM-I-1',
        areaM2: 250,
        landUse: 'residential',
        deedHash: DEED,
        location: { type: 'Point', coordinates: [4.9, 52.37] },
        owners: [
          { did, share: { num: 1, den: 2 } },
          { did: `did:civic:${'B'.repeat(43)}`, share: { num: 1, den: 2 } },
        ],
      },
    });
    expect(records.slice(1).map((r) => [r.source, r.error])).toEqual([
      ['line 3', 'areaM2: must be a positive whole number of m²'],
      ['line 4', expect.stringMatching(/^owners: '.*' is not an owner written DID=share/)],
      ['line 5', expect.stringMatching(/^landUse: /)],
    ]);
  });

  it('refuses a CSV without the expected header, and a GeoJSON that is not a FeatureCollection', () => {
    expect(() => parseCsv('id,area\nAM-I-1,5')).toThrow(/the CSV header lacks cadastral_id, area_m2, land_use, owners, deed_hash, longitude, latitude/);
    expect(() => parseGeoJson('{"type":"Feature"}')).toThrow('a GeoJSON import must be a FeatureCollection');
  });

  it('parses GeoJSON features with Polygon geometry', () => {
    const polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [4.9, 52.3],
          [4.91, 52.3],
          [4.91, 52.31],
          [4.9, 52.3],
        ],
      ],
    };
    const did = `did:civic:${'A'.repeat(43)}`;
    const records = parseGeoJson(
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', geometry: polygon, properties: { cadastralId: 'AM-G-1', areaM2: 900, landUse: 'public', owners: `${did}=1`, deedHash: DEED } },
          { type: 'Feature', geometry: null, properties: null },
        ],
      }),
    );
    expect(records[0]?.request).toMatchObject({ cadastralId: 'AM-G-1', location: polygon, owners: [{ did, share: { num: 1, den: 1 } }] });
    expect(records[1]).toMatchObject({ source: 'feature 1', error: expect.stringMatching(/^cadastralId: /) as unknown });
  });
});

describe('runImport', () => {
  it('registers 1,000 parcels in batches and reports every record it could not register, with its source', async () => {
    const ledger = new FakeLedger();
    const [alice, bob] = [await registeredCitizen(ledger), await registeredCitizen(ledger)];
    const lines = Array.from({ length: 1000 }, (_, i) => csvLine(`AM-B-${String(i)}`, `${alice.did}=1/3;${bob.did}=2/3`));
    lines[10] = csvLine('AM-B-10', `${alice.did}=1/3;${bob.did}=1/3`); // shares sum to 2/3: the chaincode refuses it
    lines[500] = csvLine('AM-B-500', `${alice.did}=1`, { lon: 'east' }); // refused before sending
    lines[999] = csvLine('AM-B-3', `${alice.did}=1`); // a repeat of line 5's parcel
    const progress: number[] = [];
    const summary = await runImport(parseCsv([HEADER, ...lines].join('\n')), submitter(ledger), 200, (done) => progress.push(done));
    expect(summary).toMatchObject({ total: 1000, registered: 997, batches: 5 });
    expect(summary.failures).toEqual([
      { source: 'line 502', cadastralId: null, code: 'INVALID_INPUT', reason: expect.stringMatching(/^location\.coordinates\.0: /) as unknown },
      { source: 'line 12', cadastralId: 'AM-B-10', code: 'INVALID_ARGUMENT', reason: 'request.parcels[10].owners: shares must sum to exactly 1' },
      { source: 'line 1001', cadastralId: 'AM-B-3', code: 'ALREADY_EXISTS', reason: 'parcel AM-B-3 is already registered' },
    ]);
    expect(progress.at(-1)).toBe(1000);
    const parcels = [...ledger.state.keys()].filter((k) => k.startsWith('\u0000civic.land.parcel\u0000'));
    expect(parcels).toHaveLength(997);
  });

  it('stops at a batch that cannot be committed and reports it and every later record as not attempted', async () => {
    const ledger = new FakeLedger();
    const alice = await registeredCitizen(ledger);
    const records = parseCsv([HEADER, ...Array.from({ length: 25 }, (_, i) => csvLine(`AM-F-${String(i)}`, `${alice.did}=1`))].join('\n'));
    let calls = 0;
    const flaky = async (batch: RegisterParcelRequest[]): Promise<ImportResult> => {
      calls += 1;
      if (calls === 2) {
        throw new Error('cannot reach the gateway peer');
      }
      return submitter(ledger)(batch);
    };
    const summary = await runImport(records, flaky, 10);
    expect(summary).toMatchObject({ registered: 10, batches: 1, stoppedBy: 'cannot reach the gateway peer' });
    expect(summary.failures.map((f) => [f.cadastralId, f.code])).toEqual(Array.from({ length: 15 }, (_, i) => [`AM-F-${String(i + 10)}`, 'NOT_ATTEMPTED']));
    expect([...ledger.state.keys()].filter((k) => k.startsWith('\u0000civic.land.parcel\u0000'))).toHaveLength(10);
  });
});
