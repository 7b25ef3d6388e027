/**
 * Debt-sharing on the live network (three orgs, each with its own debt collection), driven through
 * the built `civic` CLI as creditors and the City's debt counsellor would drive it. It shows that:
 *  1. two creditors (Agencies, Utilities) record debts of one citizen, each in its own
 *     collection, each endorsed by its own org's peer only;
 *  2. with the citizen's consent the counsellor's overview returns both; with a consent never
 *     recorded, after the citizen revokes it and after it expires, nothing, with the reason;
 *  3. Utilities cannot read Agencies' records by any transaction of the debt contract, through
 *     Agencies' peer or its own, whatever role it uses;
 *  4. a repayment plan shares the citizen's capacity pro rata, every creditor accepts it, and a
 *     payment lowers only that creditor's share;
 *  5. the raw bytes of every block on every peer and orderer hold no amount, reference or
 *     description of the debts, and the subject's DID only in identity transactions;
 *  6. purging a debt removes its private data: neither the creditor nor the counsellor finds it;
 *     settling one keeps it, with nothing outstanding;
 *  7. a debt recorded again under the same client-chosen id (a retry) leaves one record, and
 *     another debt under that id is refused;
 *  8. an outsider hashing every composite key it can build from every DID and public id in the
 *     blocks links no private debt key hash to a person.
 * Every run uses a fresh citizen and references with a random suffix.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { consentIdOf, type DebtRecord, type Plan, type PlanShare, type SignedConsent } from '@civic-ledger/chaincode/dist/debt/client';
import { loadCitizenKey, signAuthorisation } from '../../cli/src/citizen/key-file';
import { counsellorName } from '../../cli/src/debt/consent-file';
import { ContractError } from '../../cli/src/errors';
import { CHANNEL, openSession, type Session } from '../../cli/src/gateway/connect';
import { loadOrgConnection } from '../../cli/src/gateway/profile';
import { evaluate, submit } from '../../cli/src/gateway/transactions';
import { readWalletIdentity } from '../../cli/src/gateway/wallet';
import type { OrgName } from '../../cli/src/options';
import { civicPaths } from '../../cli/src/paths';
import { civic, civicJson } from '../support/civic-cli';
import { liveNetworkEnv } from '../support/test-network';
import { blockFilesOf, rawBlocks, transactionsOf, type BlockTransaction } from './block-files';
import { attackDebtKeys } from './debt-attacker';

const PASSPHRASE = 'integration test passphrase';
const env: NodeJS.ProcessEnv = { ...liveNetworkEnv(), CIVIC_KEY_PASSPHRASE: PASSPHRASE };
const dir = mkdtempSync(path.join(os.tmpdir(), 'civic-it-debt-'));
const RUN = randomBytes(3).toString('hex').toUpperCase();
const MINUTES = 60_000;

/** The two debts of this run: references, amounts and descriptions that must never reach a block. */
const TAX = { org: 'agencies', msp: 'AgenciesMSP', reference: `AG-${RUN}-TAX`, euros: '480.17', cents: 48017, origin: `income tax ${RUN}` } as const;
const ENERGY = { org: 'utilities', msp: 'UtilitiesMSP', reference: `EN-${RUN}-PWR`, euros: '312.43', cents: 31243, origin: `energy bill ${RUN}` } as const;

interface Receipt<T> {
  readonly result: T;
  readonly transactionId?: string;
  readonly blockNumber?: string;
}
interface CreditorAnswer {
  readonly creditor: string;
  readonly records?: DebtRecord[];
  readonly refused?: string;
}

const file = (name: string): string => path.join(dir, name);
const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** `civic --org ORG --user USER ARGS…`, expected to succeed. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the result shape
function as<T>(org: string, user: string, args: readonly string[]): T {
  return civicJson<T>(['--org', org, '--user', user, ...args], env);
}

/** `civic --org ORG --user USER ARGS…`, expected to fail: exit code and both streams. */
function refusedAs(org: string, user: string, args: readonly string[]): { code: number; text: string } {
  const run = civic(['--org', org, '--user', user, ...args], env);
  return { code: run.code, text: `${run.stdout}${run.stderr}` };
}

/** A gateway session as one of an org's staff, with the CLI's own connection code. */
function sessionAs(org: OrgName, user: string): Session {
  const connection = loadOrgConnection(civicPaths({ ...process.env, ...env }), org);
  return openSession(connection, readWalletIdentity(connection.walletDir, user));
}

/** Every endorser transaction in a peer's or orderer's block files, with the blocks' raw bytes. */
function ledgerOf(chainDir: string): { raw: Buffer[]; transactions: BlockTransaction[] } {
  const raw = blockFilesOf(chainDir).flatMap(rawBlocks);
  return { raw, transactions: raw.flatMap(transactionsOf) };
}

const chainDirs = (): string[] => {
  const home = env.CIVIC_NETWORK_HOME ?? '';
  return [
    ...['city', 'agencies', 'utilities'].map((org) => path.join(home, 'nodes', `peer-${org}`, 'data', 'ledgersData', 'chains', 'chains', CHANNEL)),
    ...['city', 'agencies', 'utilities'].map((org) => path.join(home, 'nodes', `orderer-${org}`, 'data', 'ledger', 'chains', CHANNEL)),
  ];
};

let carol = '';
const txIds: Record<string, string> = {};

beforeAll(() => {
  civic(['identity', 'keygen', '--out', file('carol.key.json')], env);
  carol = (JSON.parse(readFileSync(file('carol.key.json'), 'utf8')) as { did: string }).did;
  as('city', 'clerk', ['identity', 'register', '--key', file('carol.key.json')]);
}, 3 * MINUTES);

describe('debt-sharing on the live network', () => {
  it('two creditors record debts of one citizen, each in its own collection, endorsed by its own peer only', () => {
    for (const debt of [TAX, ENERGY]) {
      const receipt = as<Receipt<{ debtId: string; creditor: string }>>(debt.org, 'creditor', [
        'debt',
        'record',
        '--subject',
        carol,
        '--reference',
        debt.reference,
        '--amount',
        debt.euros,
        '--origin',
        debt.origin,
        '--since',
        '2026-03-01',
      ]);
      expect(receipt.result.creditor).toBe(debt.msp);
      txIds[debt.reference] = receipt.transactionId ?? '';
    }
    for (const debt of [TAX, ENERGY]) {
      const own = as<DebtRecord[]>(debt.org, 'creditor', ['debt', 'list', '--subject', carol]);
      expect(own.map((r) => [r.creditor, r.creditorReference, r.amountCents, r.outstandingCents, r.status])).toEqual([
        [debt.msp, debt.reference, debt.cents, debt.cents, 'open'],
      ]);
    }
    // The blocks say who endorsed: the creditor's own peer, and no other org's.
    const { transactions } = ledgerOf(chainDirs()[0] ?? '');
    for (const debt of [TAX, ENERGY]) {
      const tx = transactions.find((t) => t.txId === txIds[debt.reference]);
      expect(tx).toMatchObject({ fn: 'debt:RecordDebt', endorsers: [debt.msp], validationCode: 0 });
    }
  });

  it("returns both creditors' records to the counsellor with the citizen's consent", () => {
    as('city', 'debt-counsellor', ['debt', 'consent', '--key', file('carol.key.json'), '--creditors', 'agencies,utilities', '--out', file('consent.json')]);
    const answers = as<CreditorAnswer[]>('city', 'debt-counsellor', ['debt', 'overview', '--consent', file('consent.json'), '--out', file('overview.json')]);
    expect(answers.map((a) => [a.creditor, a.refused, a.records?.map((r) => [r.creditorReference, r.amountCents])])).toEqual([
      [TAX.msp, undefined, [[TAX.reference, TAX.cents]]],
      [ENERGY.msp, undefined, [[ENERGY.reference, ENERGY.cents]]],
    ]);
  });

  it(
    'returns nothing, with the reason, for a consent never recorded, a revoked one and an expired one',
    async () => {
      const key = await loadCitizenKey(file('carol.key.json'), PASSPHRASE);
      const counsellor = sessionAs('city', 'debt-counsellor');
      try {
        const name = counsellorName(
          'CityMSP',
          readWalletIdentity(loadOrgConnection(civicPaths({ ...process.env, ...env }), 'city').walletDir, 'debt-counsellor').certificate,
        );
        const sign = (expires: string): SignedConsent => ({
          ...(signAuthorisation(key, 'debt:Consent', CHANNEL, {
            counsellor: name,
            creditors: [TAX.msp, ENERGY.msp],
            expires,
            subjectSalt: randomBytes(32).toString('hex'),
          }) as Omit<SignedConsent, 'publicKeyJwk'>),
          publicKeyJwk: key.publicKeyJwk,
        });
        const inOneYear = new Date(Date.now() + 365 * 86_400_000).toISOString();

        // Never recorded: signed by the citizen, but not on the ledger.
        const unrecorded = sign(inOneYear);
        writeFileSync(file('unrecorded.json'), JSON.stringify(unrecorded));
        const never = refusedAs('city', 'debt-counsellor', ['debt', 'overview', '--consent', file('unrecorded.json')]);
        expect(never.code).toBe(1);
        expect(never.text).toContain(`AgenciesMSP: NOT_FOUND: consent ${consentIdOf(unrecorded)} was never recorded`);
        expect(never.text).toContain(`UtilitiesMSP: NOT_FOUND: consent ${consentIdOf(unrecorded)} was never recorded`);
        expect(never.text).not.toContain(TAX.reference);

        // Revoked by the citizen with her own key, at a front desk of another org.
        as('city', 'debt-counsellor', ['debt', 'consent', '--key', file('carol.key.json'), '--creditors', 'all', '--out', file('revoked.json')]);
        as('utilities', 'clerk', ['debt', 'revoke-consent', '--consent', file('revoked.json'), '--key', file('carol.key.json')]);
        const revoked = refusedAs('city', 'debt-counsellor', ['debt', 'overview', '--consent', file('revoked.json')]);
        expect(revoked.code).toBe(1);
        expect(revoked.text).toMatch(/AgenciesMSP: FAILED_PRECONDITION: consent [0-9a-f]{64} was revoked/);
        expect(revoked.text).not.toContain(TAX.reference);
        expect(revoked.text).not.toContain(ENERGY.reference);

        // Expired: a consent that lasts a few seconds, recorded, then used too late.
        const shortLived = sign(new Date(Date.now() + 8_000).toISOString());
        await submit(counsellor.contract('debt'), 'RecordConsent', [], undefined, 5, { transient: { consent: JSON.stringify(shortLived) } });
        writeFileSync(file('short.json'), JSON.stringify(shortLived));
        while (Date.now() < Date.parse(shortLived.payload.expires) + 1_000) {
          await sleep(500);
        }
        const expired = refusedAs('city', 'debt-counsellor', ['debt', 'overview', '--consent', file('short.json')]);
        expect(expired.code).toBe(1);
        expect(expired.text).toContain(`consent ${consentIdOf(shortLived)} expired at ${shortLived.payload.expires}`);
        expect(expired.text).not.toContain(TAX.reference);
      } finally {
        counsellor.close();
      }
    },
    3 * MINUTES,
  );

  it(
    "gives Utilities no way to read Agencies' records, by any debt transaction, through either org's peer",
    async () => {
      const consent = readFileSync(file('consent.json'), 'utf8');
      const attempts: [fn: string, args: string[], transient?: Record<string, string>][] = [
        ['ListDebts', [carol]],
        ['GetDebtOverview', [], { consent }],
        ['GetPlanShare', ['any-plan']],
      ];
      const seen: string[] = [];
      for (const user of ['creditor', 'debt-counsellor', 'clerk', 'admin', 'auditor']) {
        const session = sessionAs('utilities', user);
        try {
          for (const [fn, args, transient] of attempts) {
            for (const target of [[TAX.msp], [ENERGY.msp], undefined]) {
              let answer = '';
              try {
                answer = await evaluate(session.contract('debt'), fn, args, {
                  ...(transient === undefined ? {} : { transient }),
                  ...(target === undefined ? {} : { endorsingOrganizations: target }),
                });
              } catch (e) {
                expect(e).toBeInstanceOf(ContractError);
                seen.push(`${user} ${fn} ${(e as ContractError).code}`);
              }
              expect(answer).not.toContain(TAX.reference);
              expect(answer).not.toContain(String(TAX.cents));
            }
          }
        } finally {
          session.close();
        }
      }
      // The refusals are the contract's own access decisions, not network failures.
      expect(seen.filter((s) => s.startsWith('debt-counsellor GetDebtOverview'))).toEqual(Array(3).fill('debt-counsellor GetDebtOverview FORBIDDEN'));
      expect(seen.filter((s) => s.startsWith('creditor ListDebts'))).toContain('creditor ListDebts FORBIDDEN');
      // A creditor role at Utilities reads Utilities' own records, and only those.
      const own = as<DebtRecord[]>('utilities', 'creditor', ['debt', 'list', '--subject', carol]);
      expect(own.map((r) => r.creditor)).toEqual([ENERGY.msp]);
    },
    3 * MINUTES,
  );

  it(
    'shares a repayment plan pro rata; every creditor accepts it; a payment lowers only its own share',
    () => {
      const proposed = as<Receipt<{ planId: string; creditors: string[] }>>('city', 'debt-counsellor', [
        'debt',
        'plan',
        'propose',
        '--consent',
        file('consent.json'),
        '--overview',
        file('overview.json'),
        '--capacity',
        '100.00',
      ]);
      const planId = proposed.result.planId;
      expect([...proposed.result.creditors].sort()).toEqual([TAX.msp, ENERGY.msp]);
      // A retry under the printed plan id is answered at endorsement; another proposal under it is refused.
      const proposeAgain = (capacity: string): string[] => [
        'debt',
        'plan',
        'propose',
        '--consent',
        file('consent.json'),
        '--overview',
        file('overview.json'),
        '--capacity',
        capacity,
        '--plan-id',
        planId,
      ];
      const retried = as<Receipt<{ planId: string; status: string }>>('city', 'debt-counsellor', proposeAgain('100.00'));
      expect(retried.result).toMatchObject({ planId, status: 'already proposed' });
      expect(retried.transactionId).toBeUndefined();
      const other = refusedAs('city', 'debt-counsellor', proposeAgain('120.00'));
      expect(other.code).toBe(1);
      expect(other.text).toContain(`ALREADY_EXISTS: plan ${planId} was already proposed (tx ${proposed.transactionId ?? ''}) with other details`);
      for (const debt of [TAX, ENERGY]) {
        as(debt.org, 'creditor', ['debt', 'plan', 'accept', planId]);
      }
      const shown = as<{ plan: Plan; share: PlanShare | null }>('city', 'clerk', ['debt', 'plan', 'show', planId]);
      expect(shown.plan.status).toBe('active');
      expect(shown.plan.creditors.map((c) => c.decision)).toEqual(['accepted', 'accepted']);
      expect(shown.share).toBeNull();
      const shares = [TAX, ENERGY].map((debt) => as<{ share: PlanShare }>(debt.org, 'creditor', ['debt', 'plan', 'show', planId]).share);
      // 10000 cents a month shared 48017 : 31243 is 6058.16 : 3941.84; the cent the floors leave goes to the larger remainder.
      expect(shares.map((s) => [s.creditor, s.claimCents, s.monthlyCents])).toEqual([
        [TAX.msp, TAX.cents, 6058],
        [ENERGY.msp, ENERGY.cents, 3942],
      ]);
      as('agencies', 'creditor', ['debt', 'pay', '--plan', planId, '--amount', '60.58']);
      const after = [TAX, ENERGY].map((debt) => as<{ share: PlanShare }>(debt.org, 'creditor', ['debt', 'plan', 'show', planId]).share);
      expect(after.map((s) => [s.paidCents, s.outstandingCents])).toEqual([
        [6058, TAX.cents - 6058],
        [0, ENERGY.cents],
      ]);
      txIds.plan = proposed.transactionId ?? '';
      txIds.planId = planId;
    },
    5 * MINUTES,
  );

  it('keeps every amount, reference and description out of every block of every peer and orderer, and the DID out of all but identity transactions', () => {
    const secrets = [TAX, ENERGY].flatMap((d) => [d.reference, d.origin, d.euros, `"amountCents":${String(d.cents)}`, `:${String(d.cents)}`]);
    for (const chainDir of chainDirs()) {
      const { raw, transactions } = ledgerOf(chainDir);
      expect(transactions.some((t) => t.txId === txIds[TAX.reference])).toBe(true);
      for (const block of raw) {
        const text = block.toString('latin1');
        for (const secret of secrets) {
          expect(text).not.toContain(secret);
        }
      }
      // The DID is public where it was registered (an identity transaction), and nowhere else.
      const naming = transactions.filter((t) => t.envelope.includes(carol));
      expect(naming.length).toBeGreaterThan(0);
      expect([...new Set(naming.map((t) => t.fn))]).toEqual(['identity:RegisterDID']);
      const plan = transactions.find((t) => t.txId === txIds.plan);
      expect(plan?.fn).toBe('debt:ProposePlan');
      expect([...(plan?.endorsers ?? [])].sort()).toEqual(['AgenciesMSP', 'CityMSP', 'UtilitiesMSP']);
    }
  });

  it('purges a debt: its private data is gone for the creditor and for the counsellor; a settled one stays, with nothing outstanding', () => {
    const [record] = as<DebtRecord[]>('agencies', 'creditor', ['debt', 'list', '--subject', carol]);
    const purged = as<Receipt<{ creditor: string; status: string }>>('agencies', 'creditor', [
      'debt',
      'purge',
      '--subject',
      carol,
      '--debt',
      record?.debtId ?? '',
    ]);
    // The result is in the block: it names the creditor, never the debt id (the key's only attribute).
    expect(purged.result).toEqual({ creditor: TAX.msp, status: 'purged' });
    expect(as<DebtRecord[]>('agencies', 'creditor', ['debt', 'list', '--subject', carol])).toEqual([]);
    // Settling keeps the record, with nothing outstanding.
    const [energy] = as<DebtRecord[]>('utilities', 'creditor', ['debt', 'list', '--subject', carol]);
    as('utilities', 'creditor', ['debt', 'settle', '--subject', carol, '--debt', energy?.debtId ?? '']);
    const answers = as<CreditorAnswer[]>('city', 'debt-counsellor', ['debt', 'overview', '--consent', file('consent.json')]);
    expect(answers.map((a) => [a.creditor, a.records?.map((r) => [r.creditorReference, r.status, r.outstandingCents])])).toEqual([
      [TAX.msp, []],
      [ENERGY.msp, [[ENERGY.reference, 'settled', 0]]],
    ]);
  });

  it('records a debt under a client-chosen id once: a retry leaves one record and names the same id; another debt under that id is refused', () => {
    civic(['identity', 'keygen', '--out', file('dave.key.json')], env);
    const dave = (JSON.parse(readFileSync(file('dave.key.json'), 'utf8')) as { did: string }).did;
    const debtId = randomBytes(16).toString('hex');
    const water = (euros: string): string[] => [
      'debt',
      'record',
      '--subject',
      dave,
      '--reference',
      `WA-${RUN}-RETRY`,
      '--amount',
      euros,
      '--origin',
      `water ${RUN}`,
      '--since',
      '2026-05-01',
      '--debt-id',
      debtId,
    ];
    const first = as<Receipt<{ debtId: string; creditor: string; status: string }>>('utilities', 'creditor', water('75.00'));
    expect(first.result).toEqual({ debtId, creditor: ENERGY.msp, status: 'recorded' });
    expect(first.transactionId).toMatch(/^[0-9a-f]{64}$/);
    const retry = as<Receipt<{ debtId: string; creditor: string; status: string }>>('utilities', 'creditor', water('75.00'));
    expect(retry.result).toEqual({ debtId, creditor: ENERGY.msp, status: 'already recorded' });
    const other = refusedAs('utilities', 'creditor', water('76.00'));
    expect(other.code).toBe(1);
    expect(other.text).toContain(`ALREADY_EXISTS: debt ${debtId} of UtilitiesMSP is already recorded, with other details`);
    const listed = as<DebtRecord[]>('utilities', 'creditor', ['debt', 'list', '--subject', dave]);
    expect(listed.map((r) => [r.debtId, r.amountCents, r.status])).toEqual([[debtId, 7500, 'open']]);
    // The retry and the refusal reached no orderer: the first is the last RecordDebt in the blocks.
    const recorded = ledgerOf(chainDirs()[0] ?? '').transactions.filter((t) => t.fn === 'debt:RecordDebt' && t.blockNumber >= Number(first.blockNumber));
    expect(recorded.map((t) => t.txId)).toEqual([first.transactionId]);
  });

  it('links no private debt key hash in the blocks to a person, whatever DID and public id an outsider hashes', () => {
    const { raw, transactions } = ledgerOf(chainDirs()[0] ?? '');
    // This run's debt transactions: the ledger may hold earlier runs of an older chaincode.
    const firstBlock = transactions.find((t) => t.txId === txIds[TAX.reference])?.blockNumber ?? Number.POSITIVE_INFINITY;
    const attack = attackDebtKeys(raw, transactions, firstBlock);
    expect(attack.dids.has(carol)).toBe(true);
    expect(attack.keyHashes).toBeGreaterThan(0);
    // The attack works: plan shares are keyed by the public plan id (the plan names its creditors
    // anyway, and no person), and it finds them.
    expect(attack.found.some((f) => f.fn === 'debt:ProposePlan' && f.key[1] === txIds.planId)).toBe(true);
    // It links no key hash to a DID, and finds no debt record's key at all.
    expect(attack.found.filter((f) => f.did !== undefined).map((f) => `${f.fn} ${f.txId} ${f.collection}: ${f.key.join(' | ')}`)).toEqual([]);
    expect([...new Set(attack.found.map((f) => f.key[0]))]).toEqual(['civic.debt.planshare']);
  });
});
