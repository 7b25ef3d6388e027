import { signAction, type CitizenKey } from '../test-support/citizen-keys';
import { refused } from '../test-support/refusal';
import { FakeLedger, type FakeIdentity } from '../test-support/fake-context';
import { cityAdmin, identityContract as contract, registeredCitizen } from '../test-support/identity-fixtures';
import { STATUS_LIST_SIZE, countSet, decodeList, getBit, pickUnusedIndex, withBit } from './bitstring';
import { allocationKey } from './status-index';

const issuerStaff: FakeIdentity = { mspId: 'AgenciesMSP', role: 'issuer' };
const ISSUER = 'did:civic:test-issuer';

/** A seeded uniform integer in [0, n) (mulberry32), so a run to exhaustion is reproducible. */
function seededBelow(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

describe('pickUnusedIndex', () => {
  it('hands out every one of the 131,072 indexes exactly once, then refuses naming the issuer and the list size', () => {
    const allocated = new Uint8Array(STATUS_LIST_SIZE / 8);
    const below = seededBelow(17);
    const order: number[] = [];
    let handedOutTwice = 0;
    for (let i = 0; i < STATUS_LIST_SIZE; i++) {
      const index = pickUnusedIndex(allocated, below, ISSUER);
      handedOutTwice += getBit(allocated, index) ? 1 : 0;
      allocated[index >> 3] = (allocated[index >> 3] ?? 0) | (0x80 >> (index & 7));
      order.push(index);
    }
    expect(handedOutTwice).toBe(0);
    expect(new Set(order).size).toBe(STATUS_LIST_SIZE);
    expect(order.every((index) => Number.isInteger(index) && index >= 0 && index < STATUS_LIST_SIZE)).toBe(true);
    expect(countSet(allocated)).toBe(STATUS_LIST_SIZE);
    // Random, not in issuance order: the first thousand are spread over the whole list.
    const first = order.slice(0, 1000);
    expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(STATUS_LIST_SIZE / 2);
    expect(() => pickUnusedIndex(allocated, below, ISSUER)).toThrow(`the status list of ${ISSUER} is full: all 131072 indexes are allocated`);
  });

  it('finds the last free indexes even when every random probe hits a taken one', () => {
    const allocated = new Uint8Array(STATUS_LIST_SIZE / 8).fill(0xff);
    const free = [5, 70_000, STATUS_LIST_SIZE - 1];
    let bits: Uint8Array = allocated;
    for (const i of free) {
      bits = withBit(bits, i, false);
    }
    // A source that always probes index 0 (taken), then asks for the n-th free index.
    const picks = [0, 1, 2].map((nth) => pickUnusedIndex(bits, (n) => (n === STATUS_LIST_SIZE ? 0 : nth), ISSUER));
    expect(picks).toEqual(free);
  });
});

async function setupIssuer(ledger: FakeLedger): Promise<CitizenKey> {
  const agency = await registeredCitizen(ledger);
  await ledger.tx(cityAdmin, (ctx) =>
    contract.RegisterIssuer(ctx, JSON.stringify({ did: agency.did, name: 'Youth Services', mspId: 'AgenciesMSP', credentialTypes: ['AgeCredential'] })),
  );
  return agency;
}

function reserve(ledger: FakeLedger, issuer: CitizenKey, index: number, who: FakeIdentity = issuerStaff): Promise<string> {
  const signed = signAction(issuer, 'identity:ReserveStatusIndex', { index });
  return ledger.tx(who, (ctx) => contract.ReserveStatusIndex(ctx, JSON.stringify(signed)));
}

async function allocation(ledger: FakeLedger, issuer: string): Promise<{ allocated: number; size: number; bits: Uint8Array }> {
  const got = JSON.parse(await ledger.tx(cityAdmin, (ctx) => contract.GetStatusIndexAllocation(ctx, issuer))) as {
    allocated: number;
    size: number;
    encodedList: string;
  };
  return { allocated: got.allocated, size: got.size, bits: decodeList(got.encodedList) };
}

describe('identity:ReserveStatusIndex', () => {
  it('takes an index once: the allocation shows it, and a second reservation of it is refused with nothing written', async () => {
    const ledger = new FakeLedger();
    const issuer = await setupIssuer(ledger);
    expect(JSON.parse(await reserve(ledger, issuer, 94_567))).toEqual({ issuer: issuer.did, index: 94_567, allocated: 1 });
    expect(ledger.events.at(-1)).toEqual({ name: 'identity.StatusIndexReserved', payload: { issuer: issuer.did, index: 94_567 } });
    const after = await allocation(ledger, issuer.did);
    expect(after.allocated).toBe(1);
    expect(after.size).toBe(STATUS_LIST_SIZE);
    expect(getBit(after.bits, 94_567)).toBe(true);

    const again = await refused(ledger, () => reserve(ledger, issuer, 94_567));
    expect(again.code).toBe('ALREADY_EXISTS');
    expect(again.message).toBe(`ALREADY_EXISTS: status index 94567 of ${issuer.did} is already allocated to another credential; pick a free one`);
  });

  it('reserves the last free indexes of a full-size list, then refuses any index, naming the issuer and the list size', async () => {
    const ledger = new FakeLedger();
    const issuer = await setupIssuer(ledger);
    let bits: Uint8Array = new Uint8Array(STATUS_LIST_SIZE / 8).fill(0xff);
    for (const i of [3, 65_536, STATUS_LIST_SIZE - 1]) {
      bits = withBit(bits, i, false);
    }
    await ledger.tx(cityAdmin, async (ctx) => {
      const record = { issuer: issuer.did, allocated: STATUS_LIST_SIZE - 3, bits: Buffer.from(bits).toString('base64'), updated: '2026-01-01T00:00:00.000Z' };
      await ctx.stub.putState(allocationKey(ctx, issuer.did), Buffer.from(JSON.stringify(record)));
    });
    const below = seededBelow(5);
    const taken: number[] = [];
    for (let i = 0; i < 3; i++) {
      const index = pickUnusedIndex((await allocation(ledger, issuer.did)).bits, below, issuer.did);
      taken.push((JSON.parse(await reserve(ledger, issuer, index)) as { index: number }).index);
    }
    expect(taken.sort((a, b) => a - b)).toEqual([3, 65_536, STATUS_LIST_SIZE - 1]);
    const full = await allocation(ledger, issuer.did);
    expect(full.allocated).toBe(STATUS_LIST_SIZE);
    expect(() => pickUnusedIndex(full.bits, below, issuer.did)).toThrow(`the status list of ${issuer.did} is full: all 131072 indexes are allocated`);
    const refusal = await refused(ledger, () => reserve(ledger, issuer, 3));
    expect(refusal.message).toBe(`FAILED_PRECONDITION: the status list of ${issuer.did} is full: all 131072 indexes are allocated`);
  });

  it('two desks racing for one index: the later is invalidated by MVCC, and its retry is refused as taken', async () => {
    const ledger = new FakeLedger();
    const issuer = await setupIssuer(ledger);
    const proposal = (index: number) => ({
      identity: issuerStaff,
      body: (ctx: Parameters<typeof contract.ReserveStatusIndex>[0]) =>
        contract.ReserveStatusIndex(ctx, JSON.stringify(signAction(issuer, 'identity:ReserveStatusIndex', { index }))),
    });
    const outcomes = await ledger.block([proposal(42), proposal(42)]);
    expect(outcomes.map((o) => o.status)).toEqual(['VALID', 'MVCC_READ_CONFLICT']);
    expect((await refused(ledger, () => reserve(ledger, issuer, 42))).code).toBe('ALREADY_EXISTS');
    expect(JSON.parse(await reserve(ledger, issuer, 43))).toMatchObject({ index: 43, allocated: 2 });
  });

  it("refuses another org's staff, a clerk, a non-issuer DID, a suspended issuer, a replay and an index out of range", async () => {
    const ledger = new FakeLedger();
    const issuer = await setupIssuer(ledger);
    expect((await refused(ledger, () => reserve(ledger, issuer, 1, { mspId: 'UtilitiesMSP', role: 'issuer' }))).message).toMatch(
      /identity:ReserveStatusIndex is not open to members of UtilitiesMSP/,
    );
    expect((await refused(ledger, () => reserve(ledger, issuer, 1, { mspId: 'AgenciesMSP', role: 'clerk' }))).message).toMatch(/requires role issuer/);
    const stranger = await registeredCitizen(ledger);
    expect((await refused(ledger, () => reserve(ledger, stranger, 1))).code).toBe('NOT_FOUND');
    expect((await refused(ledger, () => reserve(ledger, issuer, STATUS_LIST_SIZE))).message).toMatch(/^INVALID_ARGUMENT: request\.payload\.index: /);
    const once = signAction(issuer, 'identity:ReserveStatusIndex', { index: 1 });
    await ledger.tx(issuerStaff, (ctx) => contract.ReserveStatusIndex(ctx, JSON.stringify(once)));
    expect((await refused(ledger, () => ledger.tx(issuerStaff, (ctx) => contract.ReserveStatusIndex(ctx, JSON.stringify(once))))).message).toMatch(
      /replayed signature/,
    );
    await ledger.tx(cityAdmin, (ctx) => contract.SetIssuerStatus(ctx, JSON.stringify({ did: issuer.did, status: 'suspended' })));
    expect((await refused(ledger, () => reserve(ledger, issuer, 2))).message).toBe(
      `FAILED_PRECONDITION: issuer ${issuer.did} is suspended and issues no credentials`,
    );
  });
});
