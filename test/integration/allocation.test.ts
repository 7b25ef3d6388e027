/**
 * Fair allocation on the live network (three orgs, the civic chaincode), driven through the built
 * `civic` CLI for every step an allocation officer or auditor takes (open, commit, close, reveal,
 * draw, shares, no-show, results, explain, verify, export):
 * - a round of 500 applicants (each a registered DID signing their own application) for 100
 *   sites runs end to end, and its result keeps the mechanism's promises;
 * - `civic allocation verify` agrees through another org's gateway;
 * - changing any application on an exported copy makes `verify --data` fail, naming the difference;
 * - each org's allocation officer commits to a secret share kept in a local file; the draw's seed is
 *   the hash of all three shares, revealed only after the close;
 * - after the close, applications and attestations are refused; a revealed share that does not
 *   match its commitment and a draw before every org revealed are refused and change nothing;
 * - an application withdrawn before the draw takes no part in it; a winner's release and the
 *   officer's no-shows move each site to the first applicant waiting who listed it, and `verify`
 *   replays them; a withdrawal after the draw and a release of a site not held are refused;
 * - a priority group counts once `civic allocation attest` has verified the applicant's credential
 *   presentation against the ledger: the attested applicant is drawn first; a presentation of
 *   another holder, the group's claim disclosed as false and a group not in the round are refused;
 * - the draw for 10,000 applications fits in one draw transaction within Fabric's default limits.
 * Citizens' keys are made in-process and their registrations and applications are submitted
 * concurrently through the three orgs' gateways (test/integration/allocation-support.ts): the
 * same transactions `civic identity register` and `civic allocation apply` send, without a
 * second of process start and key-file encryption per citizen.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  seedFromShares,
  shareCommitment,
  type DrawSummary,
  type RoundRecord,
  type ShareRecord,
  type SiteChange,
} from '@civic-ledger/chaincode/dist/allocation/client';
import type { RoundAuditData } from '../../cli/src/allocation/audit';
import { saveCitizenKey, type CitizenKeyFile } from '../../cli/src/citizen/key-file';
import { ContractError } from '../../cli/src/errors';
import { CHANNEL } from '../../cli/src/gateway/connect';
import { evaluate } from '../../cli/src/gateway/transactions';
import { loadOrgConnection } from '../../cli/src/gateway/profile';
import type { OrgName } from '../../cli/src/options';
import { civicPaths } from '../../cli/src/paths';
import { civic, civicJson, type CivicRun } from '../support/civic-cli';
import { liveNetworkEnv, settledHeights } from '../support/test-network';
import { applyAll, openFrontDesks, preferencesOf, registerAndApply, registerCitizens, siteList, type FrontDesks } from './allocation-support';

const env = { ...liveNetworkEnv(), CIVIC_KEY_PASSPHRASE: 'allocation integration passphrase' };
const work = mkdtempSync(path.join(os.tmpdir(), 'civic-it-allocation-'));
/** Unique per run, so a reused network never sees the same round twice. */
const RUN = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
/** Transactions in flight at once when submitting citizens' registrations and applications. */
const IN_FLIGHT = 100;
const OFFICER = ['--org', 'city', '--user', 'allocation-officer'] as const;
const CLOSES = new Date(Date.now() + 7 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

type Site = { id: string; category: string };
type Difference = { what: string; stored: unknown; recomputed: unknown };
interface VerifyReport {
  roundId: string;
  agrees: boolean;
  applications: number;
  applicationsChecked: boolean;
  changesReplayed: number;
  differences: Difference[];
}

let desks: FrontDesks;
beforeAll(() => {
  desks = openFrontDesks(env);
});
afterAll(() => {
  desks.close();
});

/** Write the sites as the CSV `allocation open --sites` reads. */
function sitesFile(name: string, sites: readonly Site[]): string {
  const file = path.join(work, `${name}.sites.csv`);
  writeFileSync(file, `id,category\n${sites.map((s) => `${s.id},${s.category}`).join('\n')}\n`);
  return file;
}

/** The orgs by short name and MSP ID, in the order the seed takes their shares. */
const ORGS = [
  ['city', 'CityMSP'],
  ['agencies', 'AgenciesMSP'],
  ['utilities', 'UtilitiesMSP'],
] as const;
const officerOf = (org: OrgName): string[] => ['--org', org, '--user', 'allocation-officer'];
/** Where `civic allocation commit` keeps an org's share: under the org's wallet in the network home. */
const shareFileOf = (org: OrgName, roundId: string): string =>
  path.join(loadOrgConnection(civicPaths({ ...process.env, ...env }), org).walletDir, 'allocation-shares', `${roundId}.share`);
/** The seed the draw must use: the hash of the three orgs' shares, as kept in their local share files. */
const seedOfShareFiles = (roundId: string): string =>
  seedFromShares(
    roundId,
    ORGS.map(([org, mspId]) => ({ mspId, share: readFileSync(shareFileOf(org, roundId), 'utf8').trim() })),
  );

/**
 * `civic allocation open` as the City's allocation officer, then `civic allocation commit` as each
 * org's allocation officer: each share is made by the CLI and kept in an owner-only file in that
 * org's wallet; only its commitment goes on the ledger.
 */
function openRound(roundId: string, sites: readonly Site[], extra: readonly string[] = []): void {
  const opened = civicJson<{ result: RoundRecord }>(
    [
      ...OFFICER,
      'allocation',
      'open',
      '--round',
      roundId,
      '--title',
      `Integration round ${roundId}`,
      '--sites',
      sitesFile(roundId, sites),
      '--closes',
      CLOSES,
      ...extra,
    ],
    env,
  );
  expect(opened.result).toMatchObject({ roundId, status: 'open', closedAt: null, seed: null, shares: null, result: null });
  for (const [org, mspId] of ORGS) {
    const committed = civicJson<{ result: ShareRecord }>([...officerOf(org), 'allocation', 'commit', '--round', roundId], env);
    const share = readFileSync(shareFileOf(org, roundId), 'utf8').trim();
    expect(statSync(shareFileOf(org, roundId)).mode & 0o777).toBe(0o600);
    expect(committed.result).toMatchObject({ roundId, mspId, commitment: shareCommitment(roundId, mspId, share), share: null });
  }
}

/** Wait until each org's peer holds the round's share records in a state `ready` accepts. */
async function untilEveryPeerHasShares(roundId: string, ready: (shares: ShareRecord[]) => boolean): Promise<void> {
  for (let org = 0; org < 3; org += 1) {
    const contract = desks.at(org).contract('allocation');
    for (let attempt = 1; !ready(JSON.parse(await evaluate(contract, 'GetShares', [roundId])) as ShareRecord[]); attempt += 1) {
      if (attempt >= 120) {
        throw new Error(`the peer of org ${String(org)} still does not have the shares of round ${roundId} ready`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** `civic allocation close` as the City's officer; waits until every peer has the round closed. */
async function closeRound(roundId: string): Promise<void> {
  const closed = civicJson<{ result: RoundRecord }>([...OFFICER, 'allocation', 'close', '--round', roundId], env);
  expect(closed.result).toMatchObject({ roundId, status: 'closed' });
  await untilEveryPeerHas(roundId, 'the close', (round) => round.status === 'closed');
}

/** `civic allocation reveal` as each org's allocation officer, from its share file; waits until every peer has all three. */
async function revealAll(roundId: string): Promise<void> {
  for (const [org, mspId] of ORGS) {
    const revealed = civicJson<{ result: ShareRecord }>([...officerOf(org), 'allocation', 'reveal', '--round', roundId], env);
    expect(revealed.result).toMatchObject({ roundId, mspId, share: readFileSync(shareFileOf(org, roundId), 'utf8').trim() });
  }
  await untilEveryPeerHasShares(roundId, (shares) => shares.length === 3 && shares.every((s) => s.share !== null));
}

/** Close, reveal every share and draw (the draw as `drawer`'s allocation officer); returns `allocation draw --json`. */
async function closeAndDraw(roundId: string, drawer: OrgName = 'city', timeout?: number): Promise<CivicRun> {
  await closeRound(roundId);
  await revealAll(roundId);
  return civic(['--json', ...officerOf(drawer), 'allocation', 'draw', '--round', roundId], env, timeout);
}

/** The JSON envelope of a successful `allocation draw --json`. */
function drawnSummary(run: CivicRun): { result: DrawSummary; transactionId: string } {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  return (JSON.parse(run.stdout) as { result: { result: DrawSummary; transactionId: string } }).result;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const results = (roundId: string, org = 'city'): RoundRecord =>
  civicJson<RoundRecord>(['--org', org, '--user', 'auditor', 'allocation', 'results', roundId], env);

/** A refusal: exit 1 and one line on stderr matching `message`. */
function expectRefused(run: CivicRun, message: RegExp): void {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '' });
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(message);
}

/** How many sites of each category were assigned, and the position whose assignment filled each quota. */
function quotaFills(
  round: RoundRecord,
  result: NonNullable<RoundRecord['result']>,
  categoryOf: ReadonlyMap<string, string>,
): { filledAt: Map<string, number>; used: Map<string, number> } {
  const filledAt = new Map<string, number>();
  const used = new Map<string, number>();
  for (const p of result.order) {
    const category = p.site === null ? undefined : categoryOf.get(p.site);
    if (category !== undefined) {
      used.set(category, (used.get(category) ?? 0) + 1);
      if (used.get(category) === round.quotas[category]) {
        filledAt.set(category, p.position);
      }
    }
  }
  return { filledAt, used };
}

/** Where the serial dictatorship was not followed: a site not listed, or a preferred site passed over while still free. */
function turnViolations(
  round: RoundRecord,
  result: NonNullable<RoundRecord['result']>,
  preferences: ReadonlyMap<string, readonly string[]>,
): { broken: string[]; used: Map<string, number> } {
  const categoryOf = new Map(round.sites.map((s) => [s.id, s.category]));
  const positionOf = new Map(result.order.map((p) => [p.applicant, p.position]));
  const { filledAt, used } = quotaFills(round, result, categoryOf);
  const goneBefore = (site: string, position: number): boolean =>
    (positionOf.get(result.assignments[site] ?? '') ?? Infinity) < position || (filledAt.get(categoryOf.get(site) ?? '') ?? Infinity) < position;
  const broken: string[] = [];
  for (const p of result.order) {
    const listed = preferences.get(p.applicant) ?? [];
    if (p.site !== null && !listed.includes(p.site)) {
      broken.push(`position ${String(p.position)} got ${p.site}, which it did not list`);
    }
    const passedOver = listed.slice(0, p.site === null ? listed.length : listed.indexOf(p.site)).filter((s) => !goneBefore(s, p.position));
    if (passedOver.length > 0) {
      broken.push(`position ${String(p.position)} (${p.site ?? 'waiting'}) passed over ${passedOver.join(', ')}, still free at its turn`);
    }
  }
  return { broken, used };
}

/**
 * The promises of random serial dictatorship, checked on a drawn round without rerunning the
 * draw: everyone is placed once, in positions 1..n; each winner got a site they listed, in a
 * category within its quota; each site has one holder; and nobody, at their turn, passed over a
 * site they preferred that was still free with its category under quota (so a waiting applicant's
 * listed sites were all gone).
 */
function expectFairResult(round: RoundRecord, preferences: ReadonlyMap<string, readonly string[]>): void {
  const result = round.result;
  if (result === null) {
    throw new Error(`round ${round.roundId} has no result`);
  }
  expect(result.order.map((p) => p.position)).toEqual(Array.from({ length: preferences.size }, (_, i) => i + 1));
  expect(new Set(result.order.map((p) => p.applicant))).toEqual(new Set(preferences.keys()));
  expect(Object.fromEntries(result.order.filter((p) => p.site !== null).map((p) => [p.site, p.applicant]))).toEqual(result.assignments);
  expect(result.waitingList).toEqual(result.order.filter((p) => p.site === null).map((p) => p.applicant));
  const { broken, used } = turnViolations(round, result, preferences);
  expect(broken.slice(0, 10)).toEqual([]);
  for (const [category, quota] of Object.entries(round.quotas)) {
    expect(used.get(category) ?? 0).toBeLessThanOrEqual(quota);
  }
}

describe('a round of 500 applicants for 100 sites', () => {
  const roundId = `fairs-${RUN}`;
  const sites = siteList(100, 'F', ['food', 'food', 'crafts', 'books']);
  const preferences = new Map<string, readonly string[]>();
  let exported = '';

  it("runs end to end: opened by a City allocation officer, a share committed by each org, 500 signed applications through the three orgs, closed, every org's share revealed, and drawn with the seed derived from all three", async () => {
    openRound(roundId, sites, ['--quota', 'crafts=15', '--priority-group', 'local-producer']);

    // Two applicants the way a citizen and a front desk do it: key files, `identity register`, `allocation apply`.
    for (const [i, org] of [
      [0, 'agencies'],
      [1, 'utilities'],
    ] as const) {
      const file = path.join(work, `applicant-${String(i)}.key.json`);
      const { did } = civicJson<{ did: string }>(['identity', 'keygen', '--out', file], env);
      expect(civic(['--org', org, '--user', 'clerk', 'identity', 'register', '--key', file], env).code).toBe(0);
      const prefer = preferencesOf(i, sites);
      const applied = civicJson<{ result: { applicant: string; preferences: string[]; status: string }; transactionId: string }>(
        ['--org', org, '--user', 'clerk', 'allocation', 'apply', '--key', file, '--round', roundId, '--prefer', ...prefer],
        env,
      );
      expect(applied.result).toMatchObject({ applicant: did, preferences: prefer, status: 'active' });
      expect(applied.transactionId).toMatch(/^[0-9a-f]{64}$/);
      preferences.set(did, prefer);
    }
    // The other 498 through the gateways, concurrently: the same signed transactions.
    const { citizens, stats: registered } = await registerCitizens(desks, 498, IN_FLIGHT);
    const applied = await applyAll(desks, roundId, citizens, (i) => preferencesOf(i + 2, sites), IN_FLIGHT);
    citizens.forEach((c, i) => preferences.set(c.did, preferencesOf(i + 2, sites)));
    process.stderr.write(
      `500-applicant round: 498 DIDs registered in ${registered.seconds.toFixed(1)} s, 498 applications in ${applied.seconds.toFixed(1)} s\n`,
    );

    // A second application by the same DID is refused.
    expectRefused(
      civic(
        ['--org', 'agencies', '--user', 'clerk', 'allocation', 'apply', '--key', path.join(work, 'applicant-0.key.json'), '--round', roundId, '--prefer', 'F1'],
        env,
      ),
      /ALREADY_EXISTS: did:civic:\S+ has already applied to round/,
    );

    const seed = seedOfShareFiles(roundId);
    // The draw is run by another org's allocation officer: anyone holding a share may run it once all are revealed.
    const closed = drawnSummary(await closeAndDraw(roundId, 'utilities'));
    expect(closed.result).toMatchObject({ roundId, status: 'drawn', seed, applications: 500, drawTxId: closed.transactionId });
    await untilEveryPeerHas(roundId, 'the draw', (r) => r.status === 'drawn');

    const round = results(roundId);
    expect(round).toMatchObject({ status: 'drawn', seed });
    expect(round.shares?.map((s) => [s.mspId, s.commitment])).toEqual(
      ORGS.map(([org, mspId]) => [mspId, shareCommitment(roundId, mspId, readFileSync(shareFileOf(org, roundId), 'utf8').trim())]),
    );
    expect(round.result).toMatchObject({
      drawTxId: closed.transactionId,
      randomness: closed.result.randomness,
      inputsDigest: closed.result.inputsDigest,
      changes: [],
    });
    expect([Object.keys(round.result?.assignments ?? {}).length, round.result?.waitingList.length]).toEqual([closed.result.assigned, closed.result.waiting]);
    expect(round.result?.order).toHaveLength(500);
    const assigned = Object.keys(round.result?.assignments ?? {}).length;
    expect(assigned).toBeGreaterThan(50);
    expect(assigned + (round.result?.waitingList.length ?? 0)).toBe(500);
    expectFairResult(round, preferences);

    // Drawn: no second close, no second draw, no late reveal.
    expectRefused(civic([...OFFICER, 'allocation', 'close', '--round', roundId], env), /FAILED_PRECONDITION: round \S+ is already drawn/);
    expectRefused(civic([...OFFICER, 'allocation', 'draw', '--round', roundId], env), /FAILED_PRECONDITION: round \S+ has already been drawn/);
  }, 900_000);

  it("verifies through the other orgs' gateways: the draw recomputed from the ledger is what the ledger holds", () => {
    for (const org of ['utilities', 'agencies']) {
      const report = civicJson<VerifyReport>(['--org', org, '--user', 'auditor', 'allocation', 'verify', roundId], env);
      expect(report).toEqual({ roundId, agrees: true, applications: 500, applicationsChecked: true, changesReplayed: 0, differences: [] });
    }
    const human = civic(['--org', 'utilities', '--user', 'auditor', 'allocation', 'verify', roundId], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      new RegExp(`^round ${roundId} verifies: every org's share matches its commitment and the seed is their hash, and the draw of 500 applications`),
    );
    expect(results(roundId, 'utilities')).toEqual(results(roundId, 'agencies'));
  });

  it('fails `verify --data` on an exported copy in which any application was changed, naming the difference', () => {
    exported = path.join(work, `${roundId}.export.json`);
    expect(
      civicJson<{ applications: number }>(['--org', 'agencies', '--user', 'auditor', 'allocation', 'export', roundId, '--out', exported], env).applications,
    ).toBe(500);
    const original = JSON.parse(readFileSync(exported, 'utf8')) as RoundAuditData;
    expect(civicJson<VerifyReport>(['allocation', 'verify', roundId, '--data', exported], env)).toMatchObject({ agrees: true, applications: 500 });

    const result = original.round.result as NonNullable<RoundRecord['result']>;
    const winner = result.order.find((p) => p.site !== null && p.position > 1) as { applicant: string; site: string };
    const waiting = result.order.filter((p) => p.site === null);
    const lastWaiting = waiting[waiting.length - 1]?.applicant ?? '';
    const multiPreference = waiting.find((p) => (preferences.get(p.applicant) ?? []).length > 1)?.applicant ?? '';
    const edits: { name: string; edit: (d: RoundAuditData) => void; names: RegExp }[] = [
      {
        name: "a winner's preferences no longer list the site they won",
        edit: (d) => {
          setPreferences(
            d,
            winner.applicant,
            sites
              .map((s) => s.id)
              .filter((id) => id !== winner.site)
              .slice(0, 3),
          );
        },
        names: new RegExp(`site ${winner.site}|position \\d+`),
      },
      {
        name: "a waiting applicant's preferences in another order",
        edit: (d) => {
          setPreferences(d, multiPreference, [...(preferences.get(multiPreference) ?? [])].reverse());
        },
        names: /applications \(SHA-256 of every application/,
      },
      {
        name: 'the last applicant on the waiting list with one more site listed',
        edit: (d) => {
          const listed = preferences.get(lastWaiting) ?? [];
          setPreferences(d, lastWaiting, [
            ...listed,
            ...sites
              .map((s) => s.id)
              .filter((id) => !listed.includes(id))
              .slice(0, 1),
          ]);
        },
        names: /applications \(SHA-256 of every application|site |position /,
      },
      {
        name: 'an application claiming a priority group',
        edit: (d) => {
          const a = d.inputs.find((i) => i.applicant === lastWaiting);
          if (a !== undefined) a.group = 'local-producer';
        },
        names: /applications \(SHA-256 of every application|position 1\b/,
      },
      {
        name: 'an application removed',
        edit: (d) =>
          d.inputs.splice(
            d.inputs.findIndex((i) => i.applicant === lastWaiting),
            1,
          ),
        names: /randomness/,
      },
      {
        name: 'an application attributed to another DID',
        edit: (d) => {
          const a = d.inputs.find((i) => i.applicant === lastWaiting);
          if (a !== undefined) a.applicant = `did:civic:${'A'.repeat(43)}`;
        },
        names: /randomness/,
      },
    ];
    for (const { name, edit, names } of edits) {
      const copy = JSON.parse(JSON.stringify(original)) as RoundAuditData;
      edit(copy);
      expect(JSON.stringify(copy)).not.toBe(JSON.stringify(original));
      const file = path.join(work, `${roundId}.${name.replace(/\W+/g, '-')}.json`);
      writeFileSync(file, JSON.stringify(copy, null, 2));
      const run = civic(['--json', 'allocation', 'verify', roundId, '--data', file], env);
      const envelope = JSON.parse(run.stdout) as { status: string; error?: { code: string; message: string; data?: VerifyReport } };
      expect({ edit: name, code: run.code, status: envelope.status, error: envelope.error?.code }).toEqual({
        edit: name,
        code: 1,
        status: 'error',
        error: 'ALLOCATION_MISMATCH',
      });
      expect(envelope.error?.message).toMatch(new RegExp(`^round ${roundId} does not verify: \\d+ difference\\(s\\)\\n`));
      expect({ edit: name, named: names.test(envelope.error?.message ?? '') }).toEqual({ edit: name, named: true });
      // The human form: exit 1, the differences listed on stderr.
      const human = civic(['allocation', 'verify', roundId, '--data', file], env);
      expect(human.code).toBe(1);
      expect(human.stderr).toMatch(new RegExp(`^error: round ${roundId} does not verify`));
    }
  }, 300_000);
});

/** Set an applicant's preferences in a copy of a round's data. */
function setPreferences(data: RoundAuditData, applicant: string, prefer: string[]): void {
  const application = data.inputs.find((a) => a.applicant === applicant);
  if (application === undefined) {
    throw new Error(`no application of ${applicant} in the copy`);
  }
  application.preferences = prefer;
}

describe('the freeze at close and the reveal of the shares', () => {
  it('refuses applications after the close, a share that does not match its commitment and a draw before every org revealed, each with a clear error and nothing changed; the right shares then draw', async () => {
    const roundId = `wrong-share-${RUN}`;
    const sites = siteList(5, 'W', ['market']);
    openRound(roundId, sites);
    const { citizens } = await registerCitizens(desks, 6, 6);
    await applyAll(desks, roundId, citizens.slice(0, 5), (i) => preferencesOf(i, sites), 5);
    await untilEveryPeerHas(roundId, 'every application', (_, inputs) => inputs.length === 5);

    // Shares are revealed only after the close.
    expectRefused(
      civic([...officerOf('agencies'), 'allocation', 'reveal', '--round', roundId], env),
      /FAILED_PRECONDITION: round \S+ is still open; shares are revealed only after it is closed/,
    );
    await closeRound(roundId);
    // Frozen: a sixth application is refused.
    await expect(applyAll(desks, roundId, citizens.slice(5), () => ['W1'], 1)).rejects.toThrow(/FAILED_PRECONDITION: round \S+ is closed/);

    const before = results(roundId);
    const heights = await settledHeights(env);
    const wrongShare = path.join(work, `${roundId}.wrong.share`);
    writeFileSync(wrongShare, `${randomBytes(32).toString('base64url')}\n`);
    expectRefused(
      civic([...officerOf('agencies'), 'allocation', 'reveal', '--round', roundId, '--share-file', wrongShare], env),
      /INVALID_ARGUMENT: request\.share does not match the commitment AgenciesMSP made for round \S+ \(tx [0-9a-f]{64}\) \(endorser \w+MSP, tx [0-9a-f]{64}\)/,
    );
    // A share that differs in one character only is refused too, and so is another org's share.
    const share = readFileSync(shareFileOf('agencies', roundId), 'utf8').trim();
    const nearMiss = path.join(work, `${roundId}.near.share`);
    writeFileSync(nearMiss, `${share.slice(0, -1)}${share.endsWith('A') ? 'B' : 'A'}\n`);
    expectRefused(
      civic([...officerOf('agencies'), 'allocation', 'reveal', '--round', roundId, '--share-file', nearMiss], env),
      /INVALID_ARGUMENT: request\.share does not match the commitment/,
    );
    expectRefused(
      civic([...officerOf('agencies'), 'allocation', 'reveal', '--round', roundId, '--share-file', shareFileOf('city', roundId)], env),
      /INVALID_ARGUMENT: request\.share does not match the commitment AgenciesMSP made/,
    );
    // No draw before every org revealed.
    expectRefused(
      civic([...OFFICER, 'allocation', 'draw', '--round', roundId], env),
      /FAILED_PRECONDITION: round \S+ cannot be drawn before every org revealed its share; not revealed: CityMSP, AgenciesMSP, UtilitiesMSP/,
    );
    expect(await settledHeights(env)).toEqual(heights);
    expect(results(roundId)).toEqual(before);
    expect(before).toMatchObject({ status: 'closed', seed: null, shares: null, result: null });

    await revealAll(roundId);
    const shares = civicJson<ShareRecord[]>(['--org', 'agencies', '--user', 'auditor', 'allocation', 'shares', roundId], env);
    expect(shares.map((s) => [s.mspId, s.revealTxId !== null])).toEqual(ORGS.map(([, mspId]) => [mspId, true]));
    const closed = drawnSummary(civic(['--json', ...officerOf('agencies'), 'allocation', 'draw', '--round', roundId], env));
    expect(closed.result).toMatchObject({ status: 'drawn', seed: seedOfShareFiles(roundId), applications: 5 });
    expect(results(roundId).result?.order).toHaveLength(5);
  }, 300_000);
});

/** An applicant of a round made here: their DID and the key file the CLI signs with. */
interface Applicant {
  readonly did: string;
  readonly keyFile: string;
  readonly prefer: readonly string[];
}

/**
 * Wait until each org's peer has the round in a state `ready` accepts: the CLI returns once its
 * own gateway peer has committed a transaction, and another org's peer may be a block behind.
 */
async function untilEveryPeerHas(roundId: string, what: string, ready: (round: RoundRecord, inputs: { applicant: string }[]) => boolean): Promise<void> {
  for (let org = 0; org < 3; org += 1) {
    const contract = desks.at(org).contract('allocation');
    for (let attempt = 1; ; attempt += 1) {
      const round = JSON.parse(await evaluate(contract, 'GetRound', [roundId])) as RoundRecord;
      const inputs = JSON.parse(await evaluate(contract, 'GetDrawInputs', [roundId])) as { applicant: string }[];
      if (ready(round, inputs)) {
        break;
      }
      if (attempt >= 120) {
        throw new Error(`the peer of org ${String(org)} still does not have ${what} in round ${roundId}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/**
 * Register a citizen for each preference list, write each one's key file (as `civic identity keygen`
 * does) for the CLI to sign with, and submit their signed applications to the round.
 */
async function applyWithKeyFiles(roundId: string, prefer: readonly (readonly string[])[]): Promise<Applicant[]> {
  const { citizens } = await registerCitizens(desks, prefer.length, prefer.length);
  const applicants = await Promise.all(
    citizens.map(async (key, i): Promise<Applicant> => {
      const keyFile = path.join(work, `${roundId}-${String(i)}.key.json`);
      await saveCitizenKey(keyFile, key, env.CIVIC_KEY_PASSPHRASE);
      return { did: key.did, keyFile, prefer: prefer[i] as readonly string[] };
    }),
  );
  await applyAll(desks, roundId, citizens, (i) => [...(applicants[i] as Applicant).prefer], prefer.length);
  await untilEveryPeerHas(roundId, 'every application', (_, inputs) => inputs.length === prefer.length);
  return applicants;
}

/** The applicant with this DID. */
function applicantIn(applicants: readonly Applicant[], did: string | null | undefined): Applicant {
  const found = applicants.find((a) => a.did === did);
  if (found === undefined) {
    throw new Error(`${String(did)} is not one of the applicants`);
  }
  return found;
}

/** `civic allocation explain` as an org's auditor, parsed. */
const explained = (roundId: string, did: string, org: string): Record<string, unknown> =>
  civicJson<Record<string, unknown>>(['--org', org, '--user', 'auditor', 'allocation', 'explain', roundId, did], env);

describe('changes to a round through the CLI: a withdrawal before the draw, a release and no-shows after it', () => {
  const roundId = `changes-${RUN}`;
  const [c1, c2, c3] = ['C1', 'C2', 'C3'] as const;
  // Six citizens: the first lists every site and withdraws before the draw; two want only C1, two
  // only C2 and one only C3, so whatever the seeded order one of each pair waits, and the two
  // waiting applicants want different sites.
  const prefer = [[c3, c1, c2], [c1], [c1], [c2], [c2], [c3]];

  /** Open the round, apply, withdraw the first applicant through the CLI, close; returns the applicants and the drawn round. */
  async function drawAfterAWithdrawal(): Promise<{ applicants: Applicant[]; draw: RoundRecord }> {
    openRound(roundId, siteList(3, 'C', ['market']));
    const applicants = await applyWithKeyFiles(roundId, prefer);
    const withdrawer = applicants[0] as Applicant;
    const withdrawn = civicJson<{ result: { applicant: string; roundId: string; status: string; preferences: string[] }; transactionId: string }>(
      ['--org', 'utilities', '--user', 'clerk', 'allocation', 'withdraw', '--key', withdrawer.keyFile, '--round', roundId],
      env,
    );
    expect(withdrawn.result).toMatchObject({ applicant: withdrawer.did, roundId, status: 'withdrawn', preferences: prefer[0] });
    expect(withdrawn.transactionId).toMatch(/^[0-9a-f]{64}$/);
    await untilEveryPeerHas(roundId, 'the withdrawal', (_, inputs) => inputs.length === prefer.length - 1);
    // A second withdrawal is refused and writes nothing.
    expectRefused(
      civic(['--org', 'city', '--user', 'clerk', 'allocation', 'withdraw', '--key', withdrawer.keyFile, '--round', roundId], env),
      new RegExp(`^error: FAILED_PRECONDITION: the application of ${withdrawer.did} to round ${roundId} is already withdrawn \\(`),
    );

    // The draw runs on the five applications still active.
    const closed = drawnSummary(await closeAndDraw(roundId));
    expect(closed.result).toMatchObject({ roundId, status: 'drawn', applications: 5, assigned: 3, waiting: 2 });
    await untilEveryPeerHas(roundId, 'the draw', (round) => round.status === 'drawn');
    return { applicants, draw: results(roundId, 'agencies') };
  }

  it('withdraw takes an application out of the draw, release and no-show move the waiting list up to the first applicant who listed the site, and verify replays them through another org', async () => {
    const { applicants, draw } = await drawAfterAWithdrawal();
    const applicant = (did: string | null | undefined): Applicant => applicantIn(applicants, did);
    const [withdrawer, ...drawn] = applicants as [Applicant, ...Applicant[]];
    const c3Holder = applicants[5] as Applicant;
    const result = draw.result as NonNullable<RoundRecord['result']>;
    expect(new Set(result.order.map((p) => p.applicant))).toEqual(new Set(drawn.map((a) => a.did)));
    expect(result.order.map((p) => p.applicant)).not.toContain(withdrawer.did);
    expectFairResult(draw, new Map(drawn.map((a) => [a.did, a.prefer])));
    // Of each pair the one drawn first holds the site; the other waits, in draw order.
    const firstWanting = (site: string): string | undefined =>
      result.order.find((p) => applicant(p.applicant).prefer.length === 1 && applicant(p.applicant).prefer[0] === site)?.applicant;
    expect(result.assignments).toEqual({ [c1]: firstWanting(c1), [c2]: firstWanting(c2), [c3]: c3Holder.did });
    expect(result.waitingList).toEqual(result.order.filter((p) => p.site === null).map((p) => p.applicant));
    expect(result.changes).toEqual([]);
    // The withdrawn application took no part: `explain` through another org finds none.
    expectRefused(
      civic(['--org', 'utilities', '--user', 'auditor', 'allocation', 'explain', roundId, withdrawer.did], env),
      new RegExp(`^error: ${withdrawer.did} did not apply to round ${roundId}$`),
    );
    // After the draw a withdrawal is refused with its reason.
    const [firstWaiting, secondWaiting] = result.waitingList.map(applicant) as [Applicant, Applicant];
    expectRefused(
      civic(['--org', 'agencies', '--user', 'clerk', 'allocation', 'withdraw', '--key', firstWaiting.keyFile, '--round', roundId], env),
      new RegExp(`FAILED_PRECONDITION: round ${roundId} is closed`),
    );

    // A winner gives back the site the second waiting applicant wants: the first waiting applicant
    // did not list it and is passed over; the second gets it.
    const released = secondWaiting.prefer[0] as string;
    const releaser = applicant(result.assignments[released]);
    expect(firstWaiting.prefer).not.toContain(released);
    const release = civicJson<{ result: SiteChange; transactionId: string }>(
      ['--org', 'agencies', '--user', 'clerk', 'allocation', 'release', '--key', releaser.keyFile, '--round', roundId, '--site', released],
      env,
    );
    const releaseChange = { site: released, released: releaser.did, promoted: secondWaiting.did, txId: release.transactionId, reason: 'withdrawn' };
    expect(release.result).toEqual({ roundId, ...releaseChange });
    await untilEveryPeerHas(roundId, 'the release', (round) => round.result?.changes.length === 1);
    const afterRelease = results(roundId, 'utilities');
    expect(afterRelease.result?.assignments).toEqual({ ...result.assignments, [released]: secondWaiting.did });
    expect(afterRelease.result?.waitingList).toEqual([firstWaiting.did]);
    expect(afterRelease.result?.order).toEqual(
      result.order.map((p) => (p.applicant === releaser.did ? { ...p, site: null } : p.applicant === secondWaiting.did ? { ...p, site: released } : p)),
    );
    // `explain` through another org: the draw as it was, and the change since.
    expect(explained(roundId, releaser.did, 'city')).toMatchObject({ applicant: releaser.did, site: released, laterChanges: [releaseChange] });
    expect(explained(roundId, secondWaiting.did, 'agencies')).toMatchObject({
      applicant: secondWaiting.did,
      site: null,
      preferences: [
        { site: released, outcome: `already taken by the applicant at position ${String(result.order.find((p) => p.site === released)?.position)}` },
      ],
      laterChanges: [releaseChange],
    });

    // Refusals, each with its reason, changing nothing: releasing a site one no longer holds,
    // releasing another's site, a no-show naming someone who does not hold the site, and a
    // no-show recorded by a front-desk clerk.
    const held = firstWaiting.prefer[0] as string;
    const holder = applicant(result.assignments[held]);
    for (const [args, reason] of [
      [
        ['--org', 'city', '--user', 'clerk', 'allocation', 'release', '--key', releaser.keyFile, '--round', roundId, '--site', released],
        `FAILED_PRECONDITION: site ${released} of round ${roundId} is not held by ${releaser.did}`,
      ],
      [
        ['--org', 'utilities', '--user', 'clerk', 'allocation', 'release', '--key', firstWaiting.keyFile, '--round', roundId, '--site', held],
        `FAILED_PRECONDITION: site ${held} of round ${roundId} is not held by ${firstWaiting.did}`,
      ],
      [
        [...OFFICER, 'allocation', 'no-show', '--round', roundId, '--site', held, '--holder', releaser.did],
        `FAILED_PRECONDITION: site ${held} of round ${roundId} is not held by ${releaser.did}`,
      ],
      [
        ['--org', 'city', '--user', 'clerk', 'allocation', 'no-show', '--round', roundId, '--site', held, '--holder', holder.did],
        'FORBIDDEN: allocation:MarkNoShow requires role allocation-officer; caller from CityMSP has role clerk',
      ],
    ] as const) {
      expectRefused(civic(args, env), new RegExp(`^error: ${reason} \\(`));
    }
    expect(results(roundId, 'utilities')).toEqual(afterRelease);

    // The officer records that the holder of the first waiting applicant's site did not show: it goes to them.
    const noShow = civicJson<{ result: SiteChange; transactionId: string }>(
      [...OFFICER, 'allocation', 'no-show', '--round', roundId, '--site', held, '--holder', holder.did],
      env,
    );
    const noShowChange = { site: held, released: holder.did, promoted: firstWaiting.did, txId: noShow.transactionId, reason: 'no-show' };
    expect(noShow.result).toEqual({ roundId, ...noShowChange });
    // And that the holder of C3 did not show: nobody waiting listed it, so it stays free.
    const unclaimed = civic([...OFFICER, 'allocation', 'no-show', '--round', roundId, '--site', c3, '--holder', c3Holder.did], env);
    expect({ code: unclaimed.code, stderr: unclaimed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(unclaimed.stdout).toMatch(new RegExp(`^site ${c3}: nobody waiting wanted it\\n  tx [0-9a-f]{64} in block \\d+\\n$`));
    const unclaimedChange = { site: c3, released: c3Holder.did, promoted: null, txId: /tx ([0-9a-f]{64})/.exec(unclaimed.stdout)?.[1], reason: 'no-show' };
    await untilEveryPeerHas(roundId, 'both no-shows', (round) => round.result?.changes.length === 3);

    const final = results(roundId, 'agencies');
    expect(final.result?.assignments).toEqual({ [released]: secondWaiting.did, [held]: firstWaiting.did });
    expect(final.result?.waitingList).toEqual([]);
    expect(final.result?.changes).toEqual([releaseChange, noShowChange, unclaimedChange]);
    expect(final.result?.order.filter((p) => p.site !== null).map((p) => [p.applicant, p.site])).toEqual(
      result.order
        .filter((p) => p.applicant === firstWaiting.did || p.applicant === secondWaiting.did)
        .map((p) => [p.applicant, p.applicant === firstWaiting.did ? held : released]),
    );
    expect(results(roundId, 'utilities')).toEqual(final);
    expect(explained(roundId, c3Holder.did, 'utilities')).toMatchObject({ site: c3, laterChanges: [unclaimedChange] });

    // The audit recomputes the draw and replays the release and both no-shows, through the other orgs.
    for (const org of ['utilities', 'agencies']) {
      expect(civicJson<VerifyReport>(['--org', org, '--user', 'auditor', 'allocation', 'verify', roundId], env)).toEqual({
        roundId,
        agrees: true,
        applications: 5,
        applicationsChecked: true,
        changesReplayed: 3,
        differences: [],
      });
    }
    const human = civic(['--org', 'agencies', '--user', 'auditor', 'allocation', 'verify', roundId], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      new RegExp(
        `^round ${roundId} verifies: .* draw of 5 applications recomputed here, with 3 later change\\(s\\) replayed, is exactly what the ledger holds`,
      ),
    );
  }, 600_000);
});

/** One application as the draw takes it (`allocation:GetDrawInputs`): the group only where attested. */
interface DrawInput {
  readonly applicant: string;
  readonly preferences: string[];
  readonly group: string | null;
}

/** The draw's exact input as an org's peer holds it. */
async function drawInputsAt(org: number, roundId: string): Promise<DrawInput[]> {
  return JSON.parse(await evaluate(desks.at(org).contract('allocation'), 'GetDrawInputs', [roundId])) as DrawInput[];
}

/**
 * Wait until each org's peer answers an identity query (a trusted issuer, a credential schema)
 * committed through another org's gateway; `NOT_FOUND` means that peer is still a block behind.
 */
async function untilEveryPeerAnswers(fn: string, args: readonly string[]): Promise<void> {
  for (let org = 0; org < 3; org += 1) {
    const contract = desks.at(org).contract('identity');
    for (let attempt = 1; ; attempt += 1) {
      try {
        await evaluate(contract, fn, [...args]);
        break;
      } catch (e) {
        if (attempt >= 120 || !(e instanceof ContractError && e.code === 'NOT_FOUND')) {
          throw e;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

describe("a priority group attested by the City's allocation officer after verifying the applicant's credential presentation", () => {
  const roundId = `priority-${RUN}`;
  const group = 'local-producer';
  const claim = 'local_producer';
  /** A credential type of this run's own: a schema is registered once per (type, version). */
  const credentialType = `ProducerCredentialR${RUN.replace(/[^a-z0-9]/g, '').toUpperCase()}`;
  const issuerName = `Local Producers Register ${RUN}`;
  const audience = `https://markets-${RUN}.example.city`;

  /** Save a citizen's key as `civic identity keygen` writes it, for the CLI to sign with. */
  async function keyFileOf(key: CitizenKeyFile, name: string): Promise<string> {
    const file = path.join(work, `${roundId}-${name}.key.json`);
    await saveCitizenKey(file, key, env.CIVIC_KEY_PASSPHRASE);
    return file;
  }

  /** `civic identity issue` by the Agencies' issuer staff: a credential with the group's claim set to `value`. */
  function issue(issuerKeyFile: string, holder: string, value: 'true' | 'false', name: string): string {
    const out = path.join(work, `${roundId}-${name}.sd-jwt`);
    const issued = civicJson<{ file: string }>(
      [
        '--org',
        'agencies',
        '--user',
        'issuer',
        'identity',
        'issue',
        '--issuer-key',
        issuerKeyFile,
        '--holder',
        holder,
        '--type',
        credentialType,
        '--claim',
        `${claim}=${value}`,
        '--out',
        out,
      ],
      env,
    );
    expect(issued.file).toBe(out);
    return out;
  }

  /** The officer's challenge, and the holder's `civic identity present` of the group's claim alone, signed over it. */
  function present(holderKeyFile: string, credential: string, name: string): { file: string; nonce: string } {
    const { nonce } = civicJson<{ nonce: string }>(['identity', 'challenge'], env);
    const file = path.join(work, `${roundId}-${name}.presentation.txt`);
    civicJson(
      ['identity', 'present', '--key', holderKeyFile, '--credential', credential, '--disclose', claim, '--audience', audience, '--nonce', nonce, '--out', file],
      env,
    );
    return { file, nonce };
  }

  /** `civic allocation attest` as the City's allocation officer. */
  const attest = (applicant: string, presentation: { file: string; nonce: string }, extra: readonly string[] = []): CivicRun =>
    civic(
      [
        ...OFFICER,
        'allocation',
        'attest',
        '--round',
        roundId,
        '--applicant',
        applicant,
        '--group',
        group,
        '--presentation',
        presentation.file,
        '--audience',
        audience,
        '--nonce',
        presentation.nonce,
        ...extra,
      ],
      env,
    );

  it('attest verifies the presentation against the ledger and records the group, the draw then places the attested applicant first, and results and explain show it through other orgs; a presentation of another holder, a claim disclosed as false and a group not in the round are refused', async () => {
    const site = 'L1';
    openRound(roundId, siteList(1, 'L', ['market']), ['--priority-group', group]);
    // The issuing body's DID, a producer and a claimant who both apply as local producers, then
    // five applicants without a group; everyone wants the one site.
    const registered = (await registerCitizens(desks, 3, 3)).citizens as [CitizenKeyFile, CitizenKeyFile, CitizenKeyFile];
    const [issuerKey, producer, claimant] = registered;
    const [issuerFile, producerFile, claimantFile] = await Promise.all([
      keyFileOf(issuerKey, 'issuer'),
      keyFileOf(producer, 'producer'),
      keyFileOf(claimant, 'claimant'),
    ]);
    // Committed after the three registrations: once every peer has them, it has those DIDs too.
    const others = await applyWithKeyFiles(roundId, [[site], [site], [site], [site], [site]]);

    // The City trusts the Agencies' register of local producers to issue this run's credential type.
    const schemaFile = path.join(work, `${roundId}.schema.json`);
    writeFileSync(schemaFile, JSON.stringify({ type: credentialType, version: 1, claims: [{ name: claim, type: 'boolean' }] }));
    expect(civicJson<{ schema: unknown }>(['--org', 'city', '--user', 'admin', 'identity', 'schema-register', '--file', schemaFile], env).schema).toMatchObject(
      {
        type: credentialType,
        version: 1,
      },
    );
    expect(
      civicJson<{ issuer: unknown }>(
        [
          '--org',
          'city',
          '--user',
          'admin',
          'identity',
          'issuer-register',
          '--did',
          issuerKey.did,
          '--name',
          issuerName,
          '--issuer-org',
          'agencies',
          '--types',
          credentialType,
        ],
        env,
      ).issuer,
    ).toMatchObject({ did: issuerKey.did, mspId: 'AgenciesMSP', credentialTypes: [credentialType], status: 'active' });
    await untilEveryPeerAnswers('GetCredentialSchema', [credentialType, '1']);
    await untilEveryPeerAnswers('ResolveIssuer', [issuerKey.did]);

    // Both apply claiming the group, at two orgs' front desks.
    for (const [key, file, org] of [
      [producer, producerFile, 'agencies'],
      [claimant, claimantFile, 'utilities'],
    ] as const) {
      const applied = civicJson<{ result: { applicant: string; group: string | null; status: string } }>(
        ['--org', org, '--user', 'clerk', 'allocation', 'apply', '--key', file, '--round', roundId, '--prefer', site, '--group', group],
        env,
      );
      expect(applied.result).toEqual(expect.objectContaining({ applicant: key.did, group, status: 'active' }));
    }
    await untilEveryPeerHas(roundId, 'every application', (_, inputs) => inputs.length === 7);
    // A claimed group is not attested yet: the draw's input carries none.
    expect((await drawInputsAt(0, roundId)).filter((a) => a.group !== null)).toEqual([]);

    const producerPresentation = present(producerFile, issue(issuerFile, producer.did, 'true', 'producer'), 'producer');
    const claimantPresentation = present(claimantFile, issue(issuerFile, claimant.did, 'false', 'claimant'), 'claimant');

    // Refused, each with its reason: the producer's presentation handed in for the claimant, the
    // claimant's own credential disclosing the claim as false, and a group the round does not have.
    expectRefused(
      attest(claimant.did, producerPresentation),
      new RegExp(`^error: the presentation is held by ${producer.did}, not the applicant ${claimant.did}$`),
    );
    expectRefused(
      attest(claimant.did, claimantPresentation),
      new RegExp(`^error: the presentation does not disclose ${claim}: true \\(it discloses ${claim}\\)$`),
    );
    expectRefused(
      attest(producer.did, producerPresentation, ['--group', 'street-trader', '--claim', claim]),
      new RegExp(
        `^error: INVALID_ARGUMENT: request\\.group: street-trader is not a priority group of round ${roundId} \\(endorser \\w+MSP, tx [0-9a-f]{64}\\)$`,
      ),
    );
    expect((await drawInputsAt(0, roundId)).filter((a) => a.group !== null)).toEqual([]);

    // The producer's presentation verifies against the ledger (trusted issuer, holder, the claim true) and is attested.
    const attested = attest(producer.did, producerPresentation);
    expect({ code: attested.code, stderr: attested.stderr }).toEqual({ code: 0, stderr: '' });
    const evidenceHash = sha256(readFileSync(producerPresentation.file, 'utf8').trim());
    expect(attested.stdout).toMatch(
      new RegExp(
        `^attested ${producer.did} as ${group} in round ${roundId} \\(${credentialType} from ${issuerName}; presentation sha256 ${evidenceHash}\\)\\n  tx [0-9a-f]{64} in block \\d+\\n$`,
      ),
    );
    await untilEveryPeerHas(roundId, 'the attestation', (_, inputs) => (inputs as DrawInput[]).some((a) => a.applicant === producer.did && a.group === group));
    // Only the attested claim counts: the claimant's group stays out of the draw's input.
    expect((await drawInputsAt(2, roundId)).filter((a) => a.group !== null).map((a) => [a.applicant, a.group])).toEqual([[producer.did, group]]);

    await closeRound(roundId);
    // Frozen: no attestation after the close, even of a verified presentation.
    expectRefused(attest(producer.did, producerPresentation), /FAILED_PRECONDITION: round \S+ is closed/);
    await revealAll(roundId);
    const closed = drawnSummary(civic(['--json', ...OFFICER, 'allocation', 'draw', '--round', roundId], env));
    expect(closed.result).toMatchObject({ roundId, status: 'drawn', applications: 7, assigned: 1, waiting: 6 });
    await untilEveryPeerHas(roundId, 'the draw', (round) => round.status === 'drawn');

    // Through the Agencies: the priority group is served first, so the producer holds the site.
    const round = results(roundId, 'agencies');
    const result = round.result as NonNullable<RoundRecord['result']>;
    expect(result.order[0]).toEqual({ applicant: producer.did, position: 1, site });
    expect(result.assignments).toEqual({ [site]: producer.did });
    expect(new Set(result.waitingList)).toEqual(new Set([claimant.did, ...others.map((a) => a.did)]));
    expectFairResult(round, new Map([producer.did, claimant.did, ...others.map((a) => a.did)].map((did) => [did, [site]])));
    expect(results(roundId, 'utilities')).toEqual(round);

    // Through the Utilities: `explain` shows the producer's group and position, and the claimant drawn without one.
    expect(explained(roundId, producer.did, 'utilities')).toEqual({
      applicant: producer.did,
      position: 1,
      group,
      site,
      preferences: [{ site, outcome: 'assigned' }],
      laterChanges: [],
    });
    const claimantPosition = result.order.find((p) => p.applicant === claimant.did)?.position;
    expect(explained(roundId, claimant.did, 'utilities')).toEqual({
      applicant: claimant.did,
      position: claimantPosition,
      group: null,
      site: null,
      preferences: [{ site, outcome: 'already taken by the applicant at position 1' }],
      laterChanges: [],
    });
    const human = civic(['--org', 'agencies', '--user', 'auditor', 'allocation', 'explain', roundId, producer.did], env);
    expect(human).toEqual({ code: 0, stdout: `${producer.did}: position 1 of 7 (priority group ${group}) → ${site}\n  1. ${site}: assigned\n`, stderr: '' });
    expect(civicJson<VerifyReport>(['--org', 'utilities', '--user', 'auditor', 'allocation', 'verify', roundId], env)).toEqual({
      roundId,
      agrees: true,
      applications: 7,
      applicationsChecked: true,
      changesReplayed: 0,
      differences: [],
    });
  }, 600_000);
});

/** Size in bytes of the block that holds a transaction (from the peer's qscc, through the City's gateway). */
async function blockSizeOf(transactionId: string): Promise<number> {
  const qscc = desks.at(0).gateway.getNetwork(CHANNEL).getContract('qscc');
  return (await qscc.evaluateTransaction('GetBlockByTxID', CHANNEL, transactionId)).length;
}

describe('a round of 10,000 applications', () => {
  it("is drawn in one draw transaction within Fabric's default limits, and verifies", async () => {
    const roundId = `city-plots-${RUN}`;
    const sites = siteList(1000, 'P', ['allotment', 'allotment', 'market', 'kiosk']);
    openRound(roundId, sites, ['--quota', 'kiosk=200']);
    const count = 10_000;
    // Each citizen's DID is registered, then their signed application submitted, 100 in flight.
    const { citizens, seconds } = await registerAndApply(desks, roundId, count, (i) => preferencesOf(i, sites), IN_FLIGHT);
    process.stderr.write(`10,000-application round: ${String(count)} DIDs registered and ${String(count)} applications submitted in ${seconds.toFixed(0)} s\n`);

    await closeRound(roundId);
    await revealAll(roundId);
    const closeStarted = Date.now();
    const closed = civic(['--json', ...OFFICER, 'allocation', 'draw', '--round', roundId], env, 300_000);
    const closeSeconds = (Date.now() - closeStarted) / 1000;
    process.stderr.write(`10,000-application round: civic allocation draw took ${closeSeconds.toFixed(1)} s (one transaction; exit ${String(closed.code)})\n`);
    expect({ code: closed.code, stderr: closed.stderr, error: closed.code === 0 ? undefined : closed.stdout }).toEqual({
      code: 0,
      stderr: '',
      error: undefined,
    });
    const { result: summary, transactionId } = (JSON.parse(closed.stdout) as { result: { result: DrawSummary; transactionId: string } }).result;
    expect(summary).toMatchObject({ roundId, status: 'drawn', applications: count, drawTxId: transactionId });
    const blockBytes = await blockSizeOf(transactionId);
    process.stderr.write(`10,000-application round: the block holding the draw transaction is ${(blockBytes / 1024 / 1024).toFixed(2)} MiB\n`);
    // Well within Fabric's defaults (99 MB per block, 100 MB per gRPC message at peers and
    // orderers) and within the 4 MiB a gRPC client (this CLI, Fabric's gateway SDKs) accepts by default.
    expect(blockBytes).toBeLessThan(4 * 1024 * 1024);

    const round = results(roundId, 'agencies');
    const assigned = Object.keys(round.result?.assignments ?? {}).length;
    const waiting = round.result?.waitingList.length ?? 0;
    process.stderr.write(`10,000-application round: ${String(assigned)} allocated, ${String(waiting)} waiting\n`);
    expect(round.status).toBe('drawn');
    expect([assigned, waiting]).toEqual([summary.assigned, summary.waiting]);
    expect(round.result?.order).toHaveLength(count);
    expect(assigned).toBeGreaterThan(500);
    expect(assigned).toBeLessThanOrEqual(1000);
    expect(assigned + waiting).toBe(count);
    expectFairResult(round, new Map(citizens.map((c, i) => [c.did, preferencesOf(i, sites)])));
    expect(civicJson<VerifyReport>(['--org', 'utilities', '--user', 'auditor', 'allocation', 'verify', roundId], env)).toMatchObject({
      agrees: true,
      applications: count,
      differences: [],
    });
  }, 1_800_000);
});
