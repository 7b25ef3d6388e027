/**
 * The land registry on the live network (three orgs, etcdraft, the civic chaincode), driven
 * through the built `civic` CLI as staff would drive it. It shows that:
 *  1. a sale needs three parties (the seller's signed offer, the buyer's signed acceptance, the
 *     City registrar's approval), after which every org's peer holds the same new title;
 *  2. without any one of the three the sale is refused with one clear line and nothing changes;
 *  3. a double sale of one share, submitted at the same moment through two orgs' gateways (two
 *     `civic` processes started together), commits exactly once; the other is refused;
 *  4. a disputed parcel cannot be sold until the dispute is resolved, nor a mortgaged one until
 *     the lender releases it;
 *  5. a split and the merge of its children conserve the area exactly, to the square metre;
 *  6. bad input (shares not summing to one, zero or negative area, an unknown parcel, a citizen
 *     signing away what they do not own, a registrar of the wrong org) is refused with one line,
 *     exit 1 and no change;
 *  7. `civic land import` registers a 5,000-parcel cadastre extract to the end, with progress,
 *     and an import with bad records registers the good ones and names every bad one.
 * Every run uses fresh citizens and parcel ids (a random suffix), so runs and files never meet.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Offer, Owner, Parcel, Provenance } from '@civic-ledger/chaincode/dist/land/client';
import type { ImportSummary } from '../../cli/src/land/import-run';
import { civicPaths } from '../../cli/src/paths';
import { civic, civicAsync, civicJson, type CivicRun } from '../support/civic-cli';
import { liveNetworkEnv } from '../support/test-network';

const env = { ...liveNetworkEnv(), CIVIC_KEY_PASSPHRASE: 'integration test passphrase' };
const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-it-land-'));
/** This run's parcels: `LT-<RUN>-…` (cadastral ids are upper-case letters, digits and dashes). */
const RUN = randomBytes(3).toString('hex').toUpperCase();
const ORGS = ['city', 'agencies', 'utilities'] as const;
type Org = (typeof ORGS)[number];
const WHOLE = { num: 1, den: 1 };
const HALF = { num: 1, den: 2 };
const MINUTES = 60_000;

interface Citizen {
  readonly name: string;
  readonly file: string;
  readonly did: string;
}
/** What `--json` prints for a submitted transaction. */
interface Receipt<T> {
  readonly result: T;
  readonly transactionId: string;
  readonly blockNumber: string;
}
interface OwnerList {
  readonly owner: string;
  readonly cadastralIds: string[];
  readonly bookmark: string;
}

const parcelId = (name: string): string => `LT-${RUN}-${name}`;
const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
const escapeRe = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const byDid = (owners: Owner[]): Owner[] => [...owners].sort((a, b) => (a.did < b.did ? -1 : a.did > b.did ? 1 : 0));

const run = (args: readonly string[]): CivicRun => civic(args, env);
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the result shape
const json = <T>(args: readonly string[]): T => civicJson<T>(args, env);

/** Fresh citizens: each makes a key on "their device", and a clerk of `org` registers the DID. */
async function citizens(names: readonly string[], org: Org = 'agencies'): Promise<Citizen[]> {
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, `${name}.key.json`);
      const made = await civicAsync(['--json', 'identity', 'keygen', '--out', file], env);
      if (made.code !== 0) {
        throw new Error(`keygen for ${name} failed: ${made.stdout}${made.stderr}`);
      }
      const did = (JSON.parse(made.stdout) as { result: { did: string } }).result.did;
      const registered = await civicAsync(['--org', org, '--user', 'clerk', 'identity', 'register', '--key', file], env);
      if (registered.code !== 0) {
        throw new Error(`registering ${name} failed: ${registered.stderr}`);
      }
      return { name, file, did };
    }),
  );
}

/** A refusal: exit 1 and exactly one line on stderr, `error: …`, matching `message`. */
function expectRefused(result: CivicRun, message: RegExp): void {
  const stderr = result.stderr.trim();
  // One object, so that a failure shows everything the command printed.
  expect({ code: result.code, stdout: result.stdout, oneLine: /^error: [^\n]+$/.test(stderr), stderr }).toEqual({ code: 1, stdout: '', oneLine: true, stderr });
  expect(stderr).toMatch(message);
}

function document(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Register a parcel (City registrar) owned as given, e.g. `[[alice, '1/2'], [bob, '1/2']]`. */
function register(id: string, owners: readonly (readonly [Citizen, string])[], area = 250): Parcel {
  const deed = document(`${id}.deed.txt`, `deed of ${id}`);
  const owner = owners.map(([c, share]) => `${c.did}=${share}`);
  return json<Receipt<Parcel>>([
    '--org',
    'city',
    '--user',
    'registrar',
    'land',
    'register',
    '--parcel',
    id,
    '--area',
    String(area),
    '--land-use',
    'residential',
    '--location',
    '4.9,52.37',
    '--owner',
    ...owner,
    '--deed',
    deed,
  ]).result;
}

const offerArgs = (desk: Org, seller: Citizen, id: string, buyer: Citizen, share = '1'): string[] => [
  '--org',
  desk,
  '--user',
  'clerk',
  'land',
  'offer',
  '--key',
  seller.file,
  '--parcel',
  id,
  '--buyer',
  buyer.did,
  '--price',
  '325000.50',
  '--share',
  share,
  '--deed-hash',
  sha256(`new deed of ${id} for ${buyer.name}`),
];
const acceptArgs = (desk: Org, buyer: Citizen, id: string, offerId: string): string[] => [
  '--org',
  desk,
  '--user',
  'clerk',
  'land',
  'accept',
  '--key',
  buyer.file,
  '--parcel',
  id,
  '--offer',
  offerId,
];
const approveArgs = (id: string, offerId: string): string[] => ['--org', 'city', '--user', 'registrar', 'land', 'approve', '--parcel', id, '--offer', offerId];

const offer = (desk: Org, seller: Citizen, id: string, buyer: Citizen, share = '1'): Offer =>
  json<Receipt<Offer>>(offerArgs(desk, seller, id, buyer, share)).result;
const accept = (desk: Org, buyer: Citizen, id: string, offerId: string): Offer => json<Receipt<Offer>>(acceptArgs(desk, buyer, id, offerId)).result;
const approve = (id: string, offerId: string): Parcel => json<Receipt<Parcel>>(approveArgs(id, offerId)).result;

/** A parcel through one org's gateway, as that org's auditor sees it. */
function show(org: Org, id: string): CivicRun {
  return run(['--json', '--org', org, '--user', 'auditor', 'land', 'show', id]);
}

/**
 * A parcel through one org's gateway once that org's peer has committed `version` (a submit
 * returns when the submitting org's peer has committed; the others follow within moments).
 */
async function parcelAt(org: Org, id: string, version: number): Promise<Parcel> {
  for (let attempt = 1; ; attempt += 1) {
    const shown = show(org, id);
    const parcel = shown.code === 0 ? (JSON.parse(shown.stdout) as { result: Parcel }).result : undefined;
    if ((parcel !== undefined && parcel.version >= version) || attempt >= 20) {
      if (parcel === undefined) {
        throw new Error(`land show ${id} through ${org} exited ${String(shown.code)}: ${shown.stdout}${shown.stderr}`);
      }
      return parcel;
    }
    await sleep(500);
  }
}

/** The parcel read through each of the three orgs' gateways: identical, at `version`. */
async function parcelEverywhere(id: string, version: number): Promise<Parcel> {
  const [city, agencies, utilities] = [await parcelAt('city', id, version), await parcelAt('agencies', id, version), await parcelAt('utilities', id, version)];
  expect(city.version).toBe(version);
  expect(agencies).toEqual(city);
  expect(utilities).toEqual(city);
  return city;
}

/** A parcel is unchanged: through every org exactly as before (same version, same last transaction). */
async function expectUnchanged(before: Parcel): Promise<void> {
  expect(await parcelEverywhere(before.cadastralId, before.version)).toEqual(before);
}

/** A parcel id that no org's peer holds. */
function expectAbsent(id: string): void {
  for (const org of ORGS) {
    expectRefused(run(['--org', org, '--user', 'auditor', 'land', 'show', id]), new RegExp(`NOT_FOUND: parcel ${escapeRe(id)} does not exist`));
  }
}

const ownedBy = (c: Citizen, org: Org = 'utilities'): string[] =>
  json<OwnerList>(['--org', org, '--user', 'auditor', 'land', 'list', '--owner', c.did, '--all']).cadastralIds;

/**
 * A connection profile for the City's staff through the Agencies' gateway peer: approvals are the
 * City registrar's alone, so a second gateway for them is another org's peer, which accepts any
 * channel member's client.
 */
function cityThroughAgenciesProfile(): string {
  const paths = civicPaths({ ...process.env, ...env });
  type Profile = { 'x-civic-wallet'?: string; organizations: Record<string, { peers: string[] }>; peers: Record<string, unknown> };
  const read = (org: Org): Profile => JSON.parse(readFileSync(path.join(paths.profiles, `${org}.json`), 'utf8')) as Profile;
  const city = read('city');
  const agencies = read('agencies');
  const peerName = agencies.organizations.AgenciesMSP?.peers[0] ?? 'missing';
  const profile = {
    name: 'civic-city-through-agencies',
    version: '1.0.0',
    'x-civic-wallet': city['x-civic-wallet'] ?? path.join(paths.wallet, 'city'),
    client: { organization: 'CityMSP' },
    organizations: { CityMSP: { mspid: 'CityMSP', peers: [peerName], certificateAuthorities: [] } },
    peers: { [peerName]: agencies.peers[peerName] },
  };
  return document('city-through-agencies.json', JSON.stringify(profile, null, 2));
}

describe('a title transfer needs the seller, the buyer and the City registrar', () => {
  it(
    'completes a sale with all three, and every org then reads the same title with the new owner',
    async () => {
      const [seller, buyer] = await citizens([`sale-seller`, `sale-buyer`]);
      if (seller === undefined || buyer === undefined) {
        throw new Error('no citizens');
      }
      const id = parcelId('SALE');
      const registered = register(id, [[seller, '1']]);
      expect(await parcelEverywhere(id, 1)).toEqual(registered);

      const offered = offer('agencies', seller, id, buyer);
      expect(offered).toMatchObject({
        cadastralId: id,
        parcelVersion: 1,
        seller: seller.did,
        buyer: buyer.did,
        share: WHOLE,
        priceCents: 32_500_050,
        status: 'offered',
      });
      expect(accept('utilities', buyer, id, offered.offerId)).toMatchObject({ offerId: offered.offerId, status: 'accepted' });
      const approved = approve(id, offered.offerId);
      expect(approved).toMatchObject({ version: 2, owners: [{ did: buyer.did, share: WHOLE }], deedHash: offered.deedHash });

      const title = await parcelEverywhere(id, 2);
      expect(title).toEqual(approved);
      expect(title).toMatchObject({
        cadastralId: id,
        status: 'active',
        areaM2: 250,
        owners: [{ did: buyer.did, share: WHOLE }],
        deedHash: sha256(`new deed of ${id} for ${buyer.name}`),
      });
      expect(title.lastTxId).not.toBe(registered.lastTxId);
      expect(ownedBy(buyer, 'city')).toEqual([id]);
      expect(ownedBy(seller, 'agencies')).toEqual([]);
      // A title certificate issued through Utilities checks out against the ledger through Agencies.
      const certificate = path.join(dir, `${id}.title.json`);
      expect(
        json<{ title: { owners: Owner[]; version: number } }>(['--org', 'utilities', '--user', 'auditor', 'land', 'certificate', id, '--out', certificate])
          .title,
      ).toMatchObject({ owners: title.owners, version: 2 });
      expect(json<{ valid: boolean }>(['--org', 'agencies', '--user', 'clerk', 'land', 'verify-certificate', certificate]).valid).toBe(true);
      // The history, oldest first: registration to the seller, then the sale to the buyer.
      const history = json<Provenance>(['--org', 'agencies', '--user', 'auditor', 'land', 'history', id]);
      expect(history.versions.map((v) => [v.parcel.version, v.parcel.owners.map((o) => o.did), v.txId])).toEqual([
        [1, [seller.did], registered.lastTxId],
        [2, [buyer.did], title.lastTxId],
      ]);
    },
    10 * MINUTES,
  );

  it(
    'refuses the sale without each one of the three, with one clear line each, and changes nothing',
    async () => {
      const [seller, buyer, stranger] = await citizens([`three-seller`, `three-buyer`, `three-stranger`]);
      if (seller === undefined || buyer === undefined || stranger === undefined) {
        throw new Error('no citizens');
      }
      const id = parcelId('THREE');
      const before = register(id, [[seller, '1']]);
      const ghostOffer = randomBytes(32).toString('hex');

      // No offer by the seller: nothing to accept or approve, and no one else can offer her parcel.
      expectRefused(run(acceptArgs('agencies', buyer, id, ghostOffer)), new RegExp(`NOT_FOUND: offer ${ghostOffer} on parcel ${escapeRe(id)} does not exist`));
      expectRefused(run(approveArgs(id, ghostOffer)), new RegExp(`NOT_FOUND: offer ${ghostOffer} on parcel ${escapeRe(id)} does not exist`));
      expectRefused(
        run(offerArgs('agencies', stranger, id, buyer)),
        new RegExp(`FAILED_PRECONDITION: request\\.payload\\.share: ${escapeRe(stranger.did)} does not own 1/1 of parcel ${escapeRe(id)}`),
      );
      await expectUnchanged(before);

      // An offer, but no acceptance by the buyer: the registrar cannot approve, nor anyone else accept.
      const offered = offer('agencies', seller, id, buyer);
      expectRefused(run(approveArgs(id, offered.offerId)), new RegExp(`FAILED_PRECONDITION: offer ${offered.offerId} is offered, not accepted by the buyer`));
      for (const impostor of [seller, stranger]) {
        expectRefused(
          run(acceptArgs('utilities', impostor, id, offered.offerId)),
          new RegExp(`FORBIDDEN: only the buyer named in offer ${offered.offerId} may accept it`),
        );
      }
      await expectUnchanged(before);

      // Offer and acceptance, but no approval by a City registrar.
      accept('utilities', buyer, id, offered.offerId);
      const approveAs = (org: Org, user: string): CivicRun =>
        run(['--org', org, '--user', user, 'land', 'approve', '--parcel', id, '--offer', offered.offerId]);
      expectRefused(
        approveAs('city', 'clerk'),
        /FORBIDDEN: land:ApproveTransfer requires role registrar; caller from CityMSP has role clerk \(endorser \w+MSP, tx [0-9a-f]{64}\)/,
      );
      expectRefused(approveAs('city', 'court'), /FORBIDDEN: land:ApproveTransfer requires role registrar; caller from CityMSP has role court/);
      expectRefused(approveAs('agencies', 'registrar'), /FORBIDDEN: land:ApproveTransfer is not open to members of AgenciesMSP \(allowed: CityMSP\)/);
      expectRefused(approveAs('utilities', 'registrar'), /FORBIDDEN: land:ApproveTransfer is not open to members of UtilitiesMSP \(allowed: CityMSP\)/);
      await expectUnchanged(before);
      expect(ownedBy(seller)).toEqual([id]);
      expect(ownedBy(buyer)).toEqual([]);

      // The refusals spoiled nothing: with the registrar's approval the sale goes through, once.
      expect(approve(id, offered.offerId).owners).toEqual([{ did: buyer.did, share: WHOLE }]);
      expectRefused(run(approveArgs(id, offered.offerId)), new RegExp(`FAILED_PRECONDITION: offer ${offered.offerId} is approved, not accepted by the buyer`));
      expect((await parcelEverywhere(id, 2)).owners).toEqual([{ did: buyer.did, share: WHOLE }]);
    },
    10 * MINUTES,
  );
});

describe('a double sale submitted concurrently through two gateways', () => {
  it(
    'commits exactly once: one buyer owns the parcel and the other approval is refused',
    async () => {
      const [seller, first, second] = await citizens([`race-seller`, `race-buyer-1`, `race-buyer-2`]);
      if (seller === undefined || first === undefined || second === undefined) {
        throw new Error('no citizens');
      }
      const id = parcelId('RACE');
      register(id, [[seller, '1']]);
      const viaAgencies = cityThroughAgenciesProfile();

      // The seller offers the same whole parcel to two buyers at two desks at the same moment: two
      // open offers on version 1 (offers change no title, so both stand).
      const offers = await Promise.all([
        civicAsync(['--json', ...offerArgs('agencies', seller, id, first)], env),
        civicAsync(['--json', ...offerArgs('utilities', seller, id, second)], env),
      ]);
      expect(offers.map((o) => [o.code, o.stderr])).toEqual([
        [0, ''],
        [0, ''],
      ]);
      const [toFirst, toSecond] = offers.map((o) => (JSON.parse(o.stdout) as { result: Receipt<Offer> }).result.result);
      if (toFirst === undefined || toSecond === undefined) {
        throw new Error('no offers');
      }
      expect([toFirst.parcelVersion, toSecond.parcelVersion]).toEqual([1, 1]);
      // Both buyers accept at the same moment.
      const accepts = await Promise.all([
        civicAsync(acceptArgs('agencies', first, id, toFirst.offerId), env),
        civicAsync(acceptArgs('utilities', second, id, toSecond.offerId), env),
      ]);
      expect(accepts.map((a) => [a.code, a.stderr])).toEqual([
        [0, ''],
        [0, ''],
      ]);

      // Two approvals, one per offer, started together: through the City's gateway and the Agencies'.
      const [throughCity, throughAgencies] = await Promise.all([
        civicAsync(approveArgs(id, toFirst.offerId), env),
        civicAsync(['--profile', viaAgencies, '--user', 'registrar', 'land', 'approve', '--parcel', id, '--offer', toSecond.offerId], env),
      ]);
      expect([throughCity.code, throughAgencies.code].sort()).toEqual([0, 1]);
      const firstWon = throughCity.code === 0;
      const [winner, loser] = firstWon ? [first, second] : [second, first];
      const [won, lost] = firstWon ? [throughCity, throughAgencies] : [throughAgencies, throughCity];
      const [winning, losing] = firstWon ? [toFirst, toSecond] : [toSecond, toFirst];
      expect(won.stdout).toMatch(new RegExp(`approved: parcel ${escapeRe(id)} is now at version 2`));
      // The loser read version 1 and found version 2 (on endorsement, or on the retry after its MVCC conflict).
      expectRefused(
        lost,
        new RegExp(
          `FAILED_PRECONDITION: parcel ${escapeRe(id)} changed since the offer \\(version 1, now 2\\); the offer is void \\(endorser \\w+MSP, tx [0-9a-f]{64}\\)`,
        ),
      );

      const title = await parcelEverywhere(id, 2);
      expect(title.owners).toEqual([{ did: winner.did, share: WHOLE }]);
      expect(title.deedHash).toBe(winning.deedHash);
      expect(ownedBy(winner)).toEqual([id]);
      expect(ownedBy(loser)).toEqual([]);
      expect(ownedBy(seller)).toEqual([]);
      const history = json<Provenance>(['--org', 'utilities', '--user', 'auditor', 'land', 'history', id]);
      expect(history.versions.map((v) => v.parcel.owners.map((o) => o.did))).toEqual([[seller.did], [winner.did]]);
      // The losing offer stays void.
      expectRefused(run(approveArgs(id, losing.offerId)), /changed since the offer \(version 1, now 2\); the offer is void/);
      await expectUnchanged(title);
    },
    10 * MINUTES,
  );
});

describe('disputes and mortgages hold a parcel', () => {
  it(
    'refuses every transfer of a disputed parcel until the dispute is resolved',
    async () => {
      const [seller, buyer] = await citizens([`dispute-seller`, `dispute-buyer`]);
      if (seller === undefined || buyer === undefined) {
        throw new Error('no citizens');
      }
      const id = parcelId('DISPUTE');
      register(id, [[seller, '1']]);
      const early = offer('agencies', seller, id, buyer);
      accept('agencies', buyer, id, early.offerId);

      const filing = document(`${id}.claim.txt`, `claim against ${id}`);
      expectRefused(
        run(['--org', 'agencies', '--user', 'court', 'land', 'dispute', '--parcel', id, '--filing', filing]),
        /FORBIDDEN: land:OpenDispute is not open to members of AgenciesMSP \(allowed: CityMSP\)/,
      );
      const disputed = json<Receipt<Parcel>>(['--org', 'city', '--user', 'court', 'land', 'dispute', '--parcel', id, '--filing', filing]).result;
      expect(disputed).toMatchObject({ status: 'disputed', version: 2, owners: [{ did: seller.did, share: WHOLE }] });
      await parcelEverywhere(id, 2);

      const frozen = new RegExp(`FAILED_PRECONDITION: parcel ${escapeRe(id)} is disputed; it cannot change until it is active`);
      expectRefused(run(approveArgs(id, early.offerId)), frozen);
      expectRefused(run(offerArgs('utilities', seller, id, buyer)), frozen);
      await expectUnchanged(disputed);

      const ruling = document(`${id}.ruling.txt`, `ruling on ${id}`);
      const resolved = json<Receipt<Parcel>>(['--org', 'city', '--user', 'court', 'land', 'resolve', '--parcel', id, '--ruling', ruling]).result;
      expect(resolved).toMatchObject({ status: 'active', version: 3 });
      // The offer made before the dispute is void; a new one goes through.
      expectRefused(
        run(approveArgs(id, early.offerId)),
        new RegExp(`parcel ${escapeRe(id)} changed since the offer \\(version 1, now 3\\); the offer is void`),
      );
      const fresh = offer('utilities', seller, id, buyer);
      expect(fresh.parcelVersion).toBe(3);
      accept('utilities', buyer, id, fresh.offerId);
      approve(id, fresh.offerId);
      expect(await parcelEverywhere(id, 4)).toMatchObject({ status: 'active', owners: [{ did: buyer.did, share: WHOLE }] });
    },
    10 * MINUTES,
  );

  it(
    'refuses to transfer a mortgaged parcel until the lender releases it',
    async () => {
      const [seller, coOwner, buyer] = await citizens([`mortgage-seller`, `mortgage-co-owner`, `mortgage-buyer`]);
      if (seller === undefined || coOwner === undefined || buyer === undefined) {
        throw new Error('no citizens');
      }
      const id = parcelId('MORTGAGE');
      register(id, [
        [seller, '1/2'],
        [coOwner, '1/2'],
      ]);
      const consent = (owner: Citizen): string => {
        const file = path.join(dir, `${id}.${owner.name}.consent.json`);
        json(['--org', 'agencies', '--user', 'clerk', 'land', 'consent-mortgage', '--key', owner.file, '--parcel', id, '--lender', 'agencies', '--out', file]);
        return file;
      };
      const [sellerConsent, coOwnerConsent] = [consent(seller), consent(coOwner)];
      const mortgageArgs = (...consents: string[]): string[] => [
        '--org',
        'agencies',
        '--user',
        'lender',
        'land',
        'mortgage',
        '--parcel',
        id,
        '--description',
        `loan ${RUN}`,
        '--consent',
        ...consents,
      ];
      expectRefused(
        run(mortgageArgs(sellerConsent)),
        new RegExp(`FAILED_PRECONDITION: a mortgage needs the consent of every owner; missing: ${escapeRe(coOwner.did)}`),
      );
      const mortgaged = json<Receipt<Parcel>>(mortgageArgs(sellerConsent, coOwnerConsent)).result;
      const [mortgage] = mortgaged.encumbrances;
      expect(mortgaged.encumbrances).toHaveLength(1);
      expect(mortgage).toMatchObject({ kind: 'mortgage', holder: 'AgenciesMSP', description: `loan ${RUN}` });
      const mortgageId = mortgage?.id ?? '';

      const early = offer('agencies', seller, id, buyer, '1/2');
      expect(early.parcelVersion).toBe(2);
      accept('agencies', buyer, id, early.offerId);
      expectRefused(
        run(approveArgs(id, early.offerId)),
        new RegExp(
          `FAILED_PRECONDITION: parcel ${escapeRe(id)} is mortgaged to AgenciesMSP \\(${mortgageId}\\); the lender must release it or consent to this transfer first`,
        ),
      );
      // Only the holder releases it: another org's lender cannot.
      expectRefused(
        run(['--org', 'utilities', '--user', 'lender', 'land', 'release', '--parcel', id, '--encumbrance', mortgageId]),
        new RegExp(`FORBIDDEN: only AgenciesMSP, the holder, may release encumbrance ${mortgageId}`),
      );
      await expectUnchanged(mortgaged);

      const released = json<Receipt<Parcel>>(['--org', 'agencies', '--user', 'lender', 'land', 'release', '--parcel', id, '--encumbrance', mortgageId]).result;
      expect(released).toMatchObject({ version: 3, encumbrances: [] });
      expectRefused(run(approveArgs(id, early.offerId)), /changed since the offer \(version 2, now 3\); the offer is void/);
      const fresh = offer('utilities', seller, id, buyer, '1/2');
      accept('utilities', buyer, id, fresh.offerId);
      approve(id, fresh.offerId);
      const title = await parcelEverywhere(id, 4);
      expect(title.owners).toEqual(
        byDid([
          { did: buyer.did, share: HALF },
          { did: coOwner.did, share: HALF },
        ]),
      );
      expect(title.encumbrances).toEqual([]);
    },
    10 * MINUTES,
  );

  it(
    "sells a mortgaged parcel with the lender's consent, the mortgage and a utility's easement staying on it; a withdrawn offer cannot be accepted",
    async () => {
      const [seller, buyer] = await citizens([`encumbered-seller`, `encumbered-buyer`]);
      if (seller === undefined || buyer === undefined) {
        throw new Error('no citizens');
      }
      const id = parcelId('ENCUMBERED');
      register(id, [[seller, '1']]);
      const consentFile = path.join(dir, `${id}.consent.json`);
      json([
        '--org',
        'city',
        '--user',
        'clerk',
        'land',
        'consent-mortgage',
        '--key',
        seller.file,
        '--parcel',
        id,
        '--lender',
        'agencies',
        '--out',
        consentFile,
      ]);
      const mortgageId =
        json<Receipt<Parcel>>([
          '--org',
          'agencies',
          '--user',
          'lender',
          'land',
          'mortgage',
          '--parcel',
          id,
          '--description',
          `loan ${RUN}`,
          '--consent',
          consentFile,
        ]).result.encumbrances[0]?.id ?? '';
      const easement = json<Receipt<Parcel>>([
        '--org',
        'utilities',
        '--user',
        'engineer',
        'land',
        'easement',
        '--parcel',
        id,
        '--description',
        `water main ${RUN}`,
      ]).result;
      expect(easement.encumbrances.map((e) => [e.kind, e.holder])).toEqual([
        ['mortgage', 'AgenciesMSP'],
        ['easement', 'UtilitiesMSP'],
      ]);

      const withdrawn = offer('city', seller, id, buyer);
      json(['--org', 'city', '--user', 'clerk', 'land', 'withdraw', '--key', seller.file, '--parcel', id, '--offer', withdrawn.offerId]);
      expectRefused(run(acceptArgs('agencies', buyer, id, withdrawn.offerId)), /withdrawn/);

      const sale = offer('city', seller, id, buyer);
      accept('agencies', buyer, id, sale.offerId);
      json(['--org', 'agencies', '--user', 'lender', 'land', 'consent-transfer', '--parcel', id, '--offer', sale.offerId, '--encumbrance', mortgageId]);
      approve(id, sale.offerId);
      const title = await parcelEverywhere(id, 4);
      expect(title.owners).toEqual([{ did: buyer.did, share: WHOLE }]);
      expect(title.encumbrances.map((e) => [e.kind, e.holder])).toEqual([
        ['mortgage', 'AgenciesMSP'],
        ['easement', 'UtilitiesMSP'],
      ]);
    },
    10 * MINUTES,
  );
});

describe('subdivision', () => {
  it(
    'splits a parcel and merges the pieces back with the area conserved exactly',
    async () => {
      const [one, two] = await citizens([`split-owner-1`, `split-owner-2`]);
      if (one === undefined || two === undefined) {
        throw new Error('no citizens');
      }
      const id = parcelId('SPLIT');
      const parent = register(
        id,
        [
          [one, '1/3'],
          [two, '2/3'],
        ],
        1001,
      );
      const square = (lon: number): { type: 'Polygon'; coordinates: number[][][] } => ({
        type: 'Polygon',
        coordinates: [
          [
            [lon, 52.37],
            [lon + 0.001, 52.37],
            [lon + 0.001, 52.371],
            [lon, 52.371],
            [lon, 52.37],
          ],
        ],
      });
      const children = (areas: number[]): string =>
        document(
          `${id}.children.${areas.join('-')}.geojson`,
          JSON.stringify({
            type: 'FeatureCollection',
            features: areas.map((areaM2, i) => ({
              type: 'Feature',
              geometry: square(4.9 + i / 1000),
              properties: { cadastralId: `${id}-${String(i + 1)}`, areaM2 },
            })),
          }),
        );
      const split = (file: string): CivicRun => run(['--org', 'city', '--user', 'registrar', 'land', 'split', '--parcel', id, '--children', file]);

      expectRefused(split(children([333, 333, 334])), new RegExp(`INVALID_ARGUMENT: request\\.children: areas sum to 1000 m², not the parent's 1001 m²`));
      expectRefused(split(children([333, 333, 336])), /INVALID_ARGUMENT: request\.children: areas sum to 1002 m², not the parent's 1001 m²/);
      await expectUnchanged(parent);

      const done = split(children([333, 333, 335]));
      expect({ code: done.code, stderr: done.stderr }).toEqual({ code: 0, stderr: '' });
      const ids = [1, 2, 3].map((i) => `${id}-${String(i)}`);
      const pieces = await Promise.all(ids.map((child) => parcelEverywhere(child, 1)));
      expect(pieces.map((p) => p.areaM2)).toEqual([333, 333, 335]);
      expect(pieces.reduce((sum, p) => sum + p.areaM2, 0)).toBe(parent.areaM2);
      for (const piece of pieces) {
        expect(piece).toMatchObject({ status: 'active', owners: parent.owners, parents: [id], landUse: parent.landUse, deedHash: parent.deedHash });
      }
      expect(await parcelEverywhere(id, 2)).toMatchObject({ status: 'retired', children: ids, areaM2: 1001 });

      const mergedId = `${id}-M`;
      const location = document(`${mergedId}.geojson`, JSON.stringify({ type: 'Feature', geometry: square(4.9), properties: {} }));
      const merged = json<Receipt<Parcel>>([
        '--org',
        'city',
        '--user',
        'registrar',
        'land',
        'merge',
        '--parcels',
        ...ids,
        '--into',
        mergedId,
        '--location',
        location,
      ]).result;
      expect(merged).toMatchObject({ areaM2: 1001, owners: parent.owners, parents: ids, status: 'active', version: 1 });
      expect(await parcelEverywhere(mergedId, 1)).toEqual(merged);
      for (const child of ids) {
        expect(await parcelEverywhere(child, 2)).toMatchObject({ status: 'retired', children: [mergedId] });
      }
      expect(ownedBy(one)).toEqual([mergedId]);
      expect(ownedBy(two, 'agencies')).toEqual([mergedId]);
      // Provenance runs back through the pieces to the parcel first registered.
      const history = json<Provenance>(['--org', 'city', '--user', 'auditor', 'land', 'history', mergedId]);
      expect(history.parents.map((p) => [p.cadastralId, p.versions.map((v) => v.parcel.status), p.parents.map((g) => g.cadastralId)])).toEqual(
        ids.map((child) => [child, ['active', 'retired'], [id]]),
      );
      expect(history.parents[0]?.parents[0]?.versions.map((v) => [v.parcel.version, v.parcel.areaM2, v.parcel.status])).toEqual([
        [1, 1001, 'active'],
        [2, 1001, 'retired'],
      ]);
    },
    10 * MINUTES,
  );
});

describe('bad input', () => {
  it(
    'refuses each with one clear line and a non-zero exit, and changes nothing',
    async () => {
      const [one, two, outsider] = await citizens([`bad-owner-1`, `bad-owner-2`, `bad-outsider`]);
      if (one === undefined || two === undefined || outsider === undefined) {
        throw new Error('no citizens');
      }
      const id = parcelId('BAD');
      const before = register(
        id,
        [
          [one, '1/2'],
          [two, '1/2'],
        ],
        500,
      );
      const newId = parcelId('BAD-NEW');
      const unknownId = parcelId('NOPE');
      const registerArgs = (area: string, ...owners: string[]): string[] => [
        '--org',
        'city',
        '--user',
        'registrar',
        'land',
        'register',
        '--parcel',
        newId,
        '--area',
        area,
        '--land-use',
        'residential',
        '--location',
        '4.9,52.37',
        '--owner',
        ...owners,
        '--deed-hash',
        sha256(newId),
      ];

      // Shares that do not sum to exactly one.
      expectRefused(
        run(registerArgs('100', `${one.did}=1/2`, `${two.did}=1/3`)),
        /INVALID_ARGUMENT: request\.owners: shares must sum to exactly 1 \(endorser CityMSP, tx [0-9a-f]{64}\)/,
      );
      expectRefused(run(registerArgs('100', `${one.did}=2/3`, `${two.did}=2/3`)), /INVALID_ARGUMENT: request\.owners: shares must sum to exactly 1/);
      // Zero and negative areas, for a new parcel and for the pieces of a split.
      expectRefused(run(registerArgs('0', `${one.did}=1`)), /INVALID_ARGUMENT: request\.areaM2: must be a positive whole number of m²/);
      expectRefused(run(registerArgs('-5', `${one.did}=1`)), /--area: '-5' is not a whole number of square metres/);
      const pieces = (areas: number[]): string =>
        document(
          `${id}.pieces.${areas.join('_')}.json`,
          JSON.stringify(areas.map((areaM2, i) => ({ cadastralId: `${id}-${String(i)}`, areaM2, location: { type: 'Point', coordinates: [4.9, 52.37] } }))),
        );
      for (const areas of [
        [500, 0],
        [600, -100],
      ]) {
        expectRefused(
          run(['--org', 'city', '--user', 'registrar', 'land', 'split', '--parcel', id, '--children', pieces(areas)]),
          /INVALID_ARGUMENT: request\.children\.1\.areaM2: /,
        );
      }
      // An unknown parcel.
      const notFound = new RegExp(`NOT_FOUND: parcel ${escapeRe(unknownId)} does not exist`);
      expectRefused(run(['--org', 'agencies', '--user', 'auditor', 'land', 'show', unknownId]), notFound);
      expectRefused(run(offerArgs('agencies', one, unknownId, outsider)), notFound);
      expectRefused(run(['--org', 'city', '--user', 'court', 'land', 'dispute', '--parcel', unknownId, '--filing-hash', sha256(unknownId)]), notFound);
      // Owners signing away what they do not own: an outsider, and an owner of half offering the whole.
      expectRefused(
        run(offerArgs('agencies', outsider, id, two, '1/2')),
        new RegExp(`FAILED_PRECONDITION: request\\.payload\\.share: ${escapeRe(outsider.did)} does not own 1/2 of parcel ${escapeRe(id)}`),
      );
      expectRefused(
        run(offerArgs('utilities', one, id, outsider)),
        new RegExp(`FAILED_PRECONDITION: request\\.payload\\.share: ${escapeRe(one.did)} does not own 1/1 of parcel ${escapeRe(id)}`),
      );
      // A registrar of the wrong org, and a City member without the registrar role.
      expectRefused(
        run(['--org', 'agencies', ...registerArgs('100', `${one.did}=1`).slice(2)]),
        /FORBIDDEN: land:RegisterParcel is not open to members of AgenciesMSP \(allowed: CityMSP\) \(endorser AgenciesMSP, tx [0-9a-f]{64}\)/,
      );
      expectRefused(
        run(['--org', 'utilities', '--user', 'registrar', 'land', 'split', '--parcel', id, '--children', pieces([250, 250])]),
        /FORBIDDEN: land:SplitParcel is not open to members of UtilitiesMSP \(allowed: CityMSP\)/,
      );
      expectRefused(
        run(['--org', 'city', '--user', 'clerk', ...registerArgs('100', `${one.did}=1`).slice(4)]),
        /FORBIDDEN: land:RegisterParcel requires role registrar; caller from CityMSP has role clerk/,
      );

      // Nothing changed: the parcel as registered, no new parcel, nothing for the outsider.
      await expectUnchanged(before);
      expectAbsent(newId);
      expectAbsent(unknownId);
      expectAbsent(`${id}-0`);
      expect(ownedBy(outsider)).toEqual([]);
      expect(ownedBy(one, 'city')).toEqual([id]);
    },
    10 * MINUTES,
  );
});

describe('land import', () => {
  const PARCELS = 5000;
  const LAND_USES = ['residential', 'commercial', 'industrial', 'agricultural', 'public', 'mixed'] as const;

  it(
    `registers a ${String(PARCELS)}-parcel CSV extract to the end, with progress, and every parcel is on the ledger`,
    async () => {
      const owners = await citizens([`import-0`, `import-1`, `import-2`, `import-3`], 'city');
      const dids = owners.map((o) => o.did);
      const [d0 = '', d1 = '', d2 = '', d3 = ''] = dids;
      /** Parcel i: owned half-and-half by d0 and d1 when i % 4 is 0, else by one of d1, d2, d3 whole. */
      const row = (i: number): { id: string; areaM2: number; landUse: string; owners: Owner[]; deedHash: string; lon: string; lat: string } => ({
        id: parcelId(`IMP-${String(i).padStart(4, '0')}`),
        areaM2: 50 + ((i * 37) % 4950),
        landUse: LAND_USES[i % LAND_USES.length] ?? 'mixed',
        owners:
          i % 4 === 0
            ? byDid([
                { did: d0, share: HALF },
                { did: d1, share: HALF },
              ])
            : [{ did: [d1, d2, d3][(i % 4) - 1] ?? '', share: WHOLE }],
        deedHash: sha256(`deed ${RUN} ${String(i)}`),
        lon: (4.8 + (i % 100) / 1000).toFixed(4),
        lat: (52.3 + Math.floor(i / 100) / 1000).toFixed(4),
      });
      const lines = ['cadastral_id,area_m2,land_use,owners,deed_hash,longitude,latitude'];
      for (let i = 0; i < PARCELS; i += 1) {
        const r = row(i);
        lines.push(
          [
            r.id,
            String(r.areaM2),
            r.landUse,
            r.owners.map((o) => `${o.did}=${String(o.share.num)}/${String(o.share.den)}`).join(';'),
            r.deedHash,
            r.lon,
            r.lat,
          ].join(','),
        );
      }
      const csv = document(`cadastre-${RUN}.csv`, `${lines.join('\n')}\n`);

      const imported = civic(['--json', '--verbose', '--org', 'city', '--user', 'registrar', 'land', 'import', csv, '--batch-size', '100'], env, 30 * MINUTES);
      expect({ code: imported.code, out: imported.code === 0 ? '' : imported.stdout }).toEqual({ code: 0, out: '' });
      const summary = (JSON.parse(imported.stdout) as { result: ImportSummary }).result;
      expect(summary).toEqual({ total: PARCELS, registered: PARCELS, batches: PARCELS / 100, failures: [] });
      // Progress after every batch, rising to the end.
      const progress = [...imported.stderr.matchAll(/^import: (\d+) of 5000 records done$/gm)].map((m) => Number(m[1]));
      expect(progress.length).toBeGreaterThanOrEqual(PARCELS / 100);
      expect(progress.every((n, i) => i === 0 || n > (progress[i - 1] ?? 0))).toBe(true);
      expect(progress.at(-1)).toBe(PARCELS);

      // A few parcels, through every org, exactly as the file had them.
      for (const i of [0, 1, 2, 3, 2499, 4998, PARCELS - 1]) {
        const r = row(i);
        const parcel = await parcelEverywhere(r.id, 1);
        expect(parcel).toMatchObject({
          cadastralId: r.id,
          areaM2: r.areaM2,
          landUse: r.landUse,
          owners: r.owners,
          deedHash: r.deedHash,
          status: 'active',
          location: { type: 'Point', coordinates: [Number(r.lon), Number(r.lat)] },
        });
      }
      // Each owner's list, across pages: d0 holds a half of every fourth parcel, d3 every fourth whole.
      const quarter = (rest: number): string[] => Array.from({ length: PARCELS / 4 }, (_, k) => row(4 * k + rest).id).sort();
      expect([...ownedBy(owners[0] as Citizen, 'agencies')].sort()).toEqual(quarter(0));
      expect([...ownedBy(owners[3] as Citizen, 'city')].sort()).toEqual(quarter(3));
      expect(ownedBy(owners[1] as Citizen)).toHaveLength(PARCELS / 2);
      // And a page at a time, carrying the printed bookmark back on the command line.
      const page = (bookmark?: string): OwnerList =>
        json<OwnerList>([
          '--org',
          'utilities',
          '--user',
          'auditor',
          'land',
          'list',
          '--owner',
          d2,
          '--page-size',
          '100',
          ...(bookmark === undefined ? [] : ['--bookmark', bookmark]),
        ]);
      const pageOne = page();
      const pageTwo = page(pageOne.bookmark);
      expect([pageOne.cadastralIds.length, pageTwo.cadastralIds.length]).toEqual([100, 100]);
      expect(pageTwo.cadastralIds.filter((c) => pageOne.cadastralIds.includes(c))).toEqual([]);
      expect([...pageOne.cadastralIds, ...pageTwo.cadastralIds]).toEqual(quarter(2).slice(0, 200));
    },
    40 * MINUTES,
  );

  it(
    'registers the good records of a file with bad ones, names each bad record and why, and exits 1',
    async () => {
      const [owner] = await citizens([`import-small`], 'city');
      if (owner === undefined) {
        throw new Error('no citizens');
      }
      const stranger = json<{ did: string }>(['identity', 'keygen', '--out', path.join(dir, 'import-unregistered.key.json')]).did;
      const ids = ['OK', 'SHARES', 'ZERO', 'OK', 'UNKNOWN-OWNER'].map((name) => parcelId(`SMALL-${name}`));
      const csvRow = (cadastralId: string, area: string, owners: string): string =>
        [cadastralId, area, 'residential', owners, sha256(cadastralId), '4.9', '52.37'].join(',');
      const csv = document(
        `small-${RUN}.csv`,
        [
          'cadastral_id,area_m2,land_use,owners,deed_hash,longitude,latitude',
          csvRow(ids[0] ?? '', '120', `${owner.did}=1`),
          csvRow(ids[1] ?? '', '120', `${owner.did}=1/2;${stranger}=1/3`),
          csvRow(ids[2] ?? '', '0', `${owner.did}=1`),
          csvRow(ids[3] ?? '', '130', `${owner.did}=1`),
          csvRow(ids[4] ?? '', '140', `${stranger}=1`),
          '',
        ].join('\n'),
      );
      const imported = run(['--json', '--org', 'city', '--user', 'registrar', 'land', 'import', csv]);
      expect(imported.code).toBe(1);
      const envelope = JSON.parse(imported.stdout) as { status: string; error: { code: string; data: ImportSummary } };
      expect(envelope).toMatchObject({ status: 'error', error: { code: 'IMPORT_INCOMPLETE' } });
      const summary = envelope.error.data;
      expect({ total: summary.total, registered: summary.registered, batches: summary.batches }).toEqual({ total: 5, registered: 1, batches: 1 });
      expect(summary.failures.map((f) => [f.source, f.cadastralId, f.code])).toEqual([
        ['line 4', null, 'INVALID_INPUT'],
        ['line 3', ids[1], 'INVALID_ARGUMENT'],
        ['line 5', ids[3], 'ALREADY_EXISTS'],
        ['line 6', ids[4], 'NOT_FOUND'],
      ]);
      expect(summary.failures.map((f) => f.reason)).toEqual([
        expect.stringMatching(/areaM2: must be a positive whole number of m²/),
        expect.stringMatching(/shares must sum to exactly 1/),
        expect.stringMatching(/appears earlier in this batch/),
        expect.stringMatching(new RegExp(escapeRe(stranger))),
      ]);
      expect((await parcelEverywhere(ids[0] ?? '', 1)).areaM2).toBe(120);
      for (const bad of [ids[1], ids[2], ids[4]]) {
        expectAbsent(bad ?? '');
      }
    },
    10 * MINUTES,
  );
});
