import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateCitizenKey, signAuthorisation, type CitizenKeyFile } from '@civic-ledger/cli/dist/citizen/key-file';
import { ownCollectionEndorsers } from '@civic-ledger/cli/dist/debt/endorsers';
import { CHANNEL } from '@civic-ledger/cli/dist/gateway/connect';
import { ORG_MSP_IDS } from '@civic-ledger/cli/dist/options';
import { civic } from './civic-cli';
import { parcelId, registerDidTx, sha256, stepOnly, submitAllClosedLoop, type PreloadStep, type World } from './preload';
import { ORGS, type Sessions } from './sessions';
import type { TxSpec } from './submit';

/** What a workload's preparation may use. */
export interface WorkloadContext {
  readonly sessions: Sessions;
  readonly world: World;
  /** Environment naming the network, for the `civic` CLI. */
  readonly env: NodeJS.ProcessEnv;
  /** In-flight bound while preparing (closed loop, not measured). */
  readonly inFlight: number;
  /** Parcels the land workload has used up so far (each approved transfer changes its parcel). */
  parcelsUsed: number;
  /** Set-up transactions done for the workloads, for the report. */
  readonly setup: PreloadStep[];
}

/** One transaction type the benchmark drives. */
export interface Workload {
  /** Short name, e.g. `put`. */
  readonly name: string;
  /** The transaction, as `contract:Function (role)`. */
  readonly transaction: string;
  /** Which orgs' gateways submit it. */
  readonly orgs: string;
  /**
   * Prepare `count` transactions, the i-th to be sent i-th: everything a client would have ready
   * (keys generated, signatures made, prerequisite transactions committed), so that only the
   * transaction itself is measured.
   */
  prepare(ctx: WorkloadContext, count: number, label: string): Promise<TxSpec[]>;
}

const orgOf = (i: number): (typeof ORGS)[number] => ORGS[i % ORGS.length] ?? 'city';

/** `bench:Put` of a unique key and a 100-byte value, by the clerks of the three orgs in turn. */
export const putWorkload: Workload = {
  name: 'put',
  transaction: 'bench:Put (clerk)',
  orgs: 'city, agencies, utilities',
  prepare: (ctx, count, label) => {
    const value = 'v'.repeat(100);
    return Promise.resolve(
      Array.from({ length: count }, (_, i) => ({
        org: orgOf(i),
        user: 'clerk',
        contract: 'bench',
        fn: 'Put',
        args: [`${ctx.world.runId}-${label}-${String(i)}`, value],
      })),
    );
  },
};

/** `identity:RegisterDID` of a fresh citizen key (signed beforehand), by the three orgs' clerks. */
export const didWorkload: Workload = {
  name: 'did',
  transaction: 'identity:RegisterDID (clerk)',
  orgs: 'city, agencies, utilities',
  prepare: (_ctx, count) => Promise.resolve(Array.from({ length: count }, (_, i) => registerDidTx(generateCitizenKey(), i))),
};

/**
 * `debt:RecordDebt` of a preloaded citizen, by the creditor of each org in turn, into that org's
 * private collection: the debt in the transient map, endorsed by the creditor's own peer (the
 * collection's endorsement policy), so its endorsement differs from the other transactions'.
 */
export const debtWorkload: Workload = {
  name: 'debt',
  transaction: 'debt:RecordDebt (creditor; private data)',
  orgs: 'city, agencies, utilities',
  prepare: (ctx, count) =>
    Promise.resolve(
      Array.from({ length: count }, (_, i) => {
        const org = orgOf(i);
        const subject = ctx.world.citizens[i % ctx.world.citizens.length] as CitizenKeyFile;
        const debt = {
          debtId: randomBytes(16).toString('hex'),
          subject: subject.did,
          creditorReference: `BN-${String(i)}`,
          amountCents: 1000 + ((i * 7919) % 100_000),
          origin: 'bench',
          since: '2026-07-01',
        };
        return {
          org,
          user: 'creditor',
          contract: 'debt',
          fn: 'RecordDebt',
          args: [],
          transient: { debt: JSON.stringify(debt) },
          endorsingOrganizations: ownCollectionEndorsers(ORG_MSP_IDS[org]),
        };
      }),
    ),
};

/**
 * `allocation:Apply`: preloaded citizens' signed applications to a round opened for this run
 * (100 sites), by the three orgs' clerks. One application per citizen per round, so at most as
 * many as there are preloaded DIDs.
 */
export const allocationWorkload: Workload = {
  name: 'allocation',
  transaction: 'allocation:Apply (clerk; citizen-signed)',
  orgs: 'city, agencies, utilities',
  prepare: (ctx, count, label) => {
    const citizens = ctx.world.citizens;
    if (count > citizens.length) {
      throw new RangeError(`allocation: ${String(count)} applications need as many preloaded DIDs; there are ${String(citizens.length)}`);
    }
    const roundId = `bench-${ctx.world.runId}-${label}`.toLowerCase();
    const dir = mkdtempSync(path.join(tmpdir(), 'civic-bench-'));
    const sites = path.join(dir, 'sites.csv');
    writeFileSync(sites, ['id,category', ...Array.from({ length: 100 }, (_, i) => `S${String(i + 1)},plot`)].join('\n'));
    const closes = new Date(Date.now() + 7 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    civic(
      ['--org', 'city', '--user', 'allocation-officer', 'allocation', 'open', '--round', roundId, '--title', 'bench', '--sites', sites, '--closes', closes],
      ctx.env,
    );
    return Promise.resolve(
      Array.from({ length: count }, (_, i) => ({
        org: orgOf(i),
        user: 'clerk',
        contract: 'allocation',
        fn: 'Apply',
        args: [
          JSON.stringify(
            signAuthorisation(citizens[i] as CitizenKeyFile, 'allocation:Apply', CHANNEL, {
              roundId,
              preferences: [`S${String(1 + (i % 100))}`, `S${String(1 + ((i * 7) % 100))}`].filter((s, k, all) => all.indexOf(s) === k),
              group: null,
            }),
          ),
        ],
      })),
    );
  },
};

/**
 * `land:ApproveTransfer`, the registrar's step of a title transfer: for each preloaded parcel
 * used, the seller's signed offer and the buyer's signed acceptance are committed beforehand
 * (clerks of the three orgs); the approvals are then driven through the City's gateway alone,
 * since only a City registrar may approve.
 */
export const landWorkload: Workload = {
  name: 'land',
  transaction: 'land:ApproveTransfer (City registrar; after offer + accept)',
  orgs: 'city',
  prepare: async (ctx, count) => {
    const { world } = ctx;
    if (ctx.parcelsUsed + count > world.parcels) {
      throw new RangeError(`land: ${String(count)} approvals need as many unused preloaded parcels; ${String(world.parcels - ctx.parcelsUsed)} are left`);
    }
    const n = world.citizens.length;
    const deals = Array.from({ length: count }, (_, k) => {
      const p = ctx.parcelsUsed + k;
      return {
        cadastralId: parcelId(world.runId, p),
        seller: world.citizens[p % n] as CitizenKeyFile,
        buyer: world.citizens[(p + 1) % n] as CitizenKeyFile,
        i: k,
      };
    });
    ctx.parcelsUsed += count;
    const offers = deals.map((d) => ({
      org: orgOf(d.i),
      user: 'clerk',
      contract: 'land',
      fn: 'OfferTransfer',
      args: [
        JSON.stringify(
          signAuthorisation(d.seller, 'land:OfferTransfer', CHANNEL, {
            cadastralId: d.cadastralId,
            parcelVersion: 1,
            share: { num: 1, den: 1 },
            buyer: d.buyer.did,
            priceCents: 25_000_000,
            deedHash: sha256(`new deed ${d.cadastralId}`),
          }),
        ),
      ],
    }));
    const offered = await submitAllClosedLoop(ctx.sessions, `${String(count)} land offers`, offers, ctx.inFlight);
    ctx.setup.push(stepOnly(offered));
    const accepts = deals.map((d, k) => ({
      org: orgOf(d.i + 1),
      user: 'clerk',
      contract: 'land',
      fn: 'AcceptOffer',
      args: [JSON.stringify(signAuthorisation(d.buyer, 'land:AcceptOffer', CHANNEL, { cadastralId: d.cadastralId, offerId: offered.transactionIds[k] ?? '' }))],
    }));
    ctx.setup.push(stepOnly(await submitAllClosedLoop(ctx.sessions, `${String(count)} land acceptances`, accepts, ctx.inFlight)));
    return deals.map((d, k) => ({
      org: 'city',
      user: 'registrar',
      contract: 'land',
      fn: 'ApproveTransfer',
      args: [JSON.stringify({ cadastralId: d.cadastralId, offerId: offered.transactionIds[k] ?? '' })],
    }));
  },
};
