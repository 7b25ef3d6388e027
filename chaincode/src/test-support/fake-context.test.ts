import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from 'fabric-contract-api';
import { FakeLedger, type FakeIdentity } from './fake-context';
import { collect } from '../shared/iterators';
import { debt, counsellor, newLedger } from './debt-fixtures';

const who: FakeIdentity = { mspId: 'CityMSP', role: 'admin' };

/** A read-modify-write of one counter key: the hot-key pattern that conflicts under concurrency. */
async function increment(ctx: Context): Promise<void> {
  const now = Number(Buffer.from(await ctx.stub.getState('counter')).toString('utf8') || '0');
  await ctx.stub.putState('counter', Buffer.from(String(now + 1)));
}

describe('FakeLedger.block (MVCC validation of one block)', () => {
  it('invalidates a transaction whose read key an earlier transaction of the block wrote, as a peer does', async () => {
    const ledger = new FakeLedger();
    const outcomes = await ledger.block([1, 2, 3].map(() => ({ identity: who, body: increment })));
    expect(outcomes.map((o) => o.status)).toEqual(['VALID', 'MVCC_READ_CONFLICT', 'MVCC_READ_CONFLICT']);
    expect(ledger.state.get('counter')?.toString('utf8')).toBe('1');
  });

  it('invalidates a range read when an earlier transaction added a key in the range (phantom read)', async () => {
    const ledger = new FakeLedger();
    const insert = async (ctx: Context): Promise<void> => ctx.stub.putState(ctx.stub.createCompositeKey('item', ['a']), Buffer.from('1'));
    const scan = async (ctx: Context): Promise<number> => {
      const iterator = await ctx.stub.getStateByPartialCompositeKey('item', []);
      let n = 0;
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
        n += 1;
      }
      await ctx.stub.putState('scanned', Buffer.from(String(n)));
      return n;
    };
    const outcomes = await ledger.block<unknown>([
      { identity: who, body: insert },
      { identity: who, body: scan },
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['VALID', 'PHANTOM_READ_CONFLICT']);
    expect(ledger.state.has('scanned')).toBe(false);
  });

  it('reports an endorsement failure without writing anything', async () => {
    const ledger = new FakeLedger();
    const outcomes = await ledger.block([{ identity: who, body: () => Promise.reject(new Error('refused')) }]);
    expect(outcomes[0]).toEqual({ status: 'ENDORSEMENT_FAILURE', error: new Error('refused') });
    expect(ledger.state.size).toBe(0);
  });
});

/** Drain an iterator from the fake into its keys. */
async function keysOf(iterator: Promise<{ next(): Promise<{ value?: { key: string }; done?: boolean }>; close(): Promise<void> }>): Promise<string[]> {
  return (await collect(await iterator)).map((kv) => kv.key);
}

const put =
  (key: string, value = '1') =>
  async (ctx: Context) =>
    ctx.stub.putState(key, Buffer.from(value));

describe('FakeLedger stub, as fabric-shim 2.5 and a Fabric 3.1 LevelDB peer behave', () => {
  it('validates composite key parts as fabric-shim lib/stub.js createCompositeKey does', async () => {
    const ledger = new FakeLedger();
    await ledger.tx(who, (ctx) => {
      const refusal = 'object type or attribute not a non-zero length string';
      expect(() => ctx.stub.createCompositeKey('', ['a'])).toThrow(refusal);
      expect(() => ctx.stub.createCompositeKey('item', ['a', ''])).toThrow(refusal);
      expect(() => ctx.stub.createCompositeKey('item', [7 as unknown as string])).toThrow(refusal);
      expect(() => ctx.stub.createCompositeKey('item', 'a' as unknown as string[])).toThrow('attributes must be an array');
      expect(() => ctx.stub.getStateByPartialCompositeKey('item', [''])).toThrow(refusal);
      // The JS shim does not refuse U+0000 (the delimiter) or U+10FFFF: keys can collide.
      expect(ctx.stub.createCompositeKey('item', ['a\u0000b'])).toBe(ctx.stub.createCompositeKey('item', ['a', 'b']));
      expect(ctx.stub.createCompositeKey('item', ['a', 'b'])).toBe('\u0000item\u0000a\u0000b\u0000');
      expect(ctx.stub.splitCompositeKey('\u0000item\u0000a\u0000b\u0000')).toEqual({ objectType: 'item', attributes: ['a', 'b'] });
      return Promise.resolve();
    });
  });

  it('turns an empty or delimiter-carrying id from the caller into INVALID_ARGUMENT, not a raw shim error', async () => {
    const ledger = newLedger();
    for (const planId of ['', 'a\u0000b']) {
      await expect(ledger.tx(counsellor, (ctx) => debt.GetPlan(ctx, planId))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    await expect(ledger.tx(counsellor, (ctx) => debt.RevokeConsent(ctx, ''))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('returns range and partial-key results in LevelDB byte order, simple and composite keys apart', async () => {
    const ledger = new FakeLedger();
    // UTF-16 order puts U+10000 (a surrogate pair, 0xD800…) before U+FFFF; UTF-8 byte order does not.
    const attrs = ['\u{10000}', '\uffff', 'a', 'B'];
    for (const a of attrs) {
      await ledger.tx(who, async (ctx) => ctx.stub.putState(ctx.stub.createCompositeKey('item', [a]), Buffer.from('1')));
    }
    await ledger.tx(who, put('zeta'));
    await ledger.tx(who, put('alpha'));
    await ledger.tx(who, async (ctx) => {
      const composite = await keysOf(ctx.stub.getStateByPartialCompositeKey('item', []));
      expect(composite.map((k) => ctx.stub.splitCompositeKey(k).attributes[0])).toEqual(['B', 'a', '\uffff', '\u{10000}']);
      expect(await keysOf(ctx.stub.getStateByRange('', ''))).toEqual(['alpha', 'zeta']);
      await expect(ctx.stub.getStateByRange('\u0000item', '')).rejects.toThrow('contains a null character which is not allowed');
    });
  });

  it('refuses rich queries as a LevelDB peer does, and no chaincode uses them', async () => {
    const ledger = new FakeLedger();
    const error = await ledger.tx(who, (ctx) =>
      ctx.stub.getQueryResult('{"selector":{}}').then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    // core/ledger/kvledger/txmgmt/statedb/stateleveldb/stateleveldb.go, wrapped by core/chaincode/handler.go.
    expect(error).toEqual(new Error('GET_QUERY_RESULT failed: transaction ID: tx0001: ExecuteQuery not supported for leveldb'));
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : [],
      );
    const users = sources(path.join(__dirname, '..'))
      .filter((f) => !f.includes('test-support'))
      .filter((f) => /getQueryResult|getPrivateDataQueryResult/.test(readFileSync(f, 'utf8')));
    expect(users).toEqual([]);
  });

  it('does not let a transaction read its own writes (reads see committed state)', async () => {
    const ledger = new FakeLedger();
    await ledger.tx(who, put('k', 'committed'));
    const seen = await ledger.tx(who, async (ctx) => {
      await ctx.stub.putState('k', Buffer.from('pending'));
      await ctx.stub.putState('fresh', Buffer.from('pending'));
      return [Buffer.from(await ctx.stub.getState('k')).toString('utf8'), (await ctx.stub.getState('fresh')).length];
    });
    expect(seen).toEqual(['committed', 0]);
    expect(ledger.state.get('k')?.toString('utf8')).toBe('pending');
  });

  it('deletes a key written with an empty value, as a peer does (rwsetutil newKVWrite: IsDelete when the value is empty)', async () => {
    const ledger = new FakeLedger();
    await ledger.tx(who, put('k', 'committed'));
    await ledger.tx(who, async (ctx) => ctx.stub.putState('k', Buffer.alloc(0)));
    await ledger.tx(who, async (ctx) => ctx.stub.putState('never', new Uint8Array(0)));
    expect([...ledger.state.keys()]).toEqual([]);
    expect(ledger.history.get('k')?.map((h) => h.value?.toString('utf8') ?? 'deleted')).toEqual(['committed', 'deleted']);
  });

  it('lets a contract iterate a query with for await, closing the iterator, as fabric-shim lib/stub.js convertToAsyncIterator does', async () => {
    const ledger = new FakeLedger();
    await ledger.tx(who, async (ctx) => {
      await ctx.stub.putState('b', Buffer.from('2'));
      await ctx.stub.putState('a', Buffer.from('1'));
      await ctx.stub.putState(ctx.stub.createCompositeKey('item', ['x']), Buffer.from('3'));
    });
    const seen = await ledger.tx(who, async (ctx) => {
      const keys: string[] = [];
      for await (const kv of ctx.stub.getStateByRange('', '')) {
        keys.push(`${kv.key}=${Buffer.from(kv.value).toString('utf8')}`);
      }
      for await (const kv of ctx.stub.getStateByPartialCompositeKey('item', [])) {
        keys.push(ctx.stub.splitCompositeKey(kv.key).attributes.join('/'));
      }
      for await (const h of ctx.stub.getHistoryForKey('a')) {
        keys.push(`history ${Buffer.from(h.value).toString('utf8')}`);
      }
      for await (const kv of ctx.stub.getStateByRange('a', '')) {
        keys.push(`first ${kv.key}`);
        break;
      }
      return keys;
    });
    expect(seen).toEqual(['a=1', 'b=2', 'x', 'history 1', 'first a']);
  });

  it('keeps only the last event a transaction sets, and refuses an empty event name (fabric-shim setEvent)', async () => {
    const ledger = new FakeLedger();
    await ledger.tx(who, (ctx) => {
      ctx.stub.setEvent('first', Buffer.from('{"n":1}'));
      ctx.stub.setEvent('second', Buffer.from('{"n":2}'));
      expect(() => {
        ctx.stub.setEvent('', Buffer.from('{}'));
      }).toThrow('Event name must be a non-empty string');
      return Promise.resolve();
    });
    expect(ledger.events).toEqual([{ name: 'second', payload: { n: 2 } }]);
  });

  it('returns a key history newest first, as the history database is read (core/ledger/kvledger/history)', async () => {
    const ledger = new FakeLedger();
    await ledger.tx(who, put('k', 'v1'), 100);
    await ledger.tx(who, put('k', 'v2'), 200);
    await ledger.tx(who, async (ctx) => ctx.stub.deleteState('k'), 300);
    const history = await ledger.tx(who, async (ctx) => collect(await ctx.stub.getHistoryForKey('k')));
    expect(history.map((h) => [Buffer.from(h.value).toString('utf8'), h.isDelete, Number(h.timestamp.seconds)])).toEqual([
      ['', true, 300],
      ['v2', false, 200],
      ['v1', false, 100],
    ]);
  });

  it('stops range queries silently at the total query limit', async () => {
    const ledger = new FakeLedger({}, { totalQueryLimit: 3 });
    for (const k of ['a', 'b', 'c', 'd', 'e']) {
      await ledger.tx(who, async (ctx) => ctx.stub.putState(ctx.stub.createCompositeKey('item', [k]), Buffer.from('1')));
    }
    const keys = await ledger.tx(who, async (ctx) =>
      (await keysOf(ctx.stub.getStateByPartialCompositeKey('item', []))).map((k) => ctx.stub.splitCompositeKey(k).attributes[0]),
    );
    expect(keys).toEqual(['a', 'b', 'c']);
    expect(new FakeLedger().totalQueryLimit).toBe(100_000);
  });

  it("builds ctx.clientIdentity with fabric-shim's ClientIdentity from an enrolment certificate carrying the Fabric CA attributes", async () => {
    const ledger = new FakeLedger();
    const identity = await ledger.tx({ mspId: 'AgenciesMSP', role: 'clerk', name: 'desk-7' }, (ctx) =>
      Promise.resolve({
        id: ctx.clientIdentity.getID(),
        msp: ctx.clientIdentity.getMSPID(),
        role: ctx.clientIdentity.getAttributeValue('civic.role'),
        enrollmentId: ctx.clientIdentity.getAttributeValue('hf.EnrollmentID'),
        other: ctx.clientIdentity.getAttributeValue('civic.other'),
        cert: new X509Certificate(Buffer.from(ctx.clientIdentity.getIDBytes())),
      }),
    );
    expect(identity).toMatchObject({
      id: 'x509::/OU=client/CN=desk-7::/CN=ca.agenciesmsp',
      msp: 'AgenciesMSP',
      role: 'clerk',
      enrollmentId: 'desk-7',
      other: null,
    });
    expect(identity.cert.subject).toBe('OU=client\nCN=desk-7');
    const noRole = await ledger.tx({ mspId: 'CityMSP' }, (ctx) => Promise.resolve(ctx.clientIdentity.getAttributeValue('civic.role')));
    expect(noRole).toBeNull();
  });
});

describe('FakeLedger private data, as a Fabric 3.1 peer versions and serves it', () => {
  const collections = { secrets: { members: ['CityMSP'], memberOnlyRead: false, memberOnlyWrite: false } };
  const bump = (read: 'getPrivateData' | 'getPrivateDataHash') => async (ctx: Context) => {
    const current = await ctx.stub[read]('secrets', 'counter');
    await ctx.stub.putPrivateData('secrets', 'counter', Buffer.from(`${current.length}+1`));
  };

  it.each(['getPrivateData', 'getPrivateDataHash'] as const)(
    'invalidates the second of two updates of one private key read with %s in one block (hashed read set, MVCC_READ_CONFLICT)',
    async (read) => {
      const ledger = new FakeLedger(collections);
      await ledger.tx(who, async (ctx) => ctx.stub.putPrivateData('secrets', 'counter', Buffer.from('0')));
      const outcomes = await ledger.block([1, 2].map(() => ({ identity: who, body: bump(read) })));
      expect(outcomes.map((o) => o.status)).toEqual(['VALID', 'MVCC_READ_CONFLICT']);
      // A later block sees the new version and is valid.
      expect((await ledger.block([{ identity: who, body: bump(read) }]))[0]?.status).toBe('VALID');
    },
  );

  it('refuses getPrivateData of an existing key on a peer of a non-member org, as the peer has only its hash', async () => {
    const ledger = new FakeLedger(collections);
    await ledger.tx(who, async (ctx) => ctx.stub.putPrivateData('secrets', 'k', Buffer.from('v')));
    const onAgencies = { peerMspId: 'AgenciesMSP' };
    const error = await ledger.tx(
      who,
      (ctx) =>
        ctx.stub.getPrivateData('secrets', 'k').then(
          () => undefined,
          (e: unknown) => e,
        ),
      undefined,
      onAgencies,
    );
    // core/ledger/kvledger/txmgmt/txmgr/query_executor.go GetPrivateData, wrapped by core/chaincode/handler.go.
    expect(error).toEqual(
      new Error(
        'GET_STATE failed: transaction ID: tx0002: private data matching public hash version is not available. Public hash version = {BlockNum: 1, TxNum: 0}, Private data version = <nil>',
      ),
    );
    const absent = await ledger.tx(who, async (ctx) => (await ctx.stub.getPrivateData('secrets', 'nothing')).length, undefined, onAgencies);
    expect(absent).toBe(0);
    const hash = await ledger.tx(who, async (ctx) => Buffer.from(await ctx.stub.getPrivateDataHash('secrets', 'k')).length, undefined, onAgencies);
    expect(hash).toBe(32);
  });
});

describe('FakeLedger query-and-write rules of the peer transaction simulator', () => {
  // core/ledger/kvledger/txmgmt/txmgr/tx_simulator.go checkBeforePaginatedQueries / checkBeforePvtdataQueries
  // / checkWritePrecondition, errors wrapped by core/chaincode/handler.go.
  const collections = { secrets: { members: ['CityMSP'], memberOnlyRead: false, memberOnlyWrite: false } };
  const attempt = (ledger: FakeLedger, body: (ctx: Context) => Promise<unknown>) =>
    ledger.tx(who, body).then(
      () => undefined,
      (e: unknown) => e,
    );

  it('refuses a paginated query after a write, and a write after a paginated query', async () => {
    const ledger = new FakeLedger();
    expect(
      await attempt(ledger, async (ctx) => {
        await ctx.stub.putState('k', Buffer.from('1'));
        await ctx.stub.getStateByPartialCompositeKeyWithPagination('item', [], 10, '');
      }),
    ).toEqual(
      new Error(
        'GET_STATE_BY_RANGE failed: transaction ID: tx0001: txid [tx0001]: unsuppored transaction. Paginated queries are supported only in a read-only transaction',
      ),
    );
    expect(
      await attempt(ledger, async (ctx) => {
        await ctx.stub.getStateByPartialCompositeKeyWithPagination('item', [], 10, '');
        await ctx.stub.putState('k', Buffer.from('1'));
      }),
    ).toEqual(
      new Error(
        'PUT_STATE failed: transaction ID: tx0002: txid [tx0002]: unsuppored transaction. Transaction has already performed a paginated query. Writes are not allowed',
      ),
    );
  });

  it('refuses a private data range query in a transaction that writes, before or after it', async () => {
    const ledger = new FakeLedger(collections);
    expect(
      await attempt(ledger, async (ctx) => {
        await ctx.stub.putPrivateData('secrets', 'k', Buffer.from('1'));
        await ctx.stub.getPrivateDataByPartialCompositeKey('secrets', 'item', []);
      }),
    ).toEqual(
      new Error(
        'GET_STATE_BY_RANGE failed: transaction ID: tx0001: txid [tx0001]: unsuppored transaction. Queries on pvt data is supported only in a read-only transaction',
      ),
    );
    expect(
      await attempt(ledger, async (ctx) => {
        await ctx.stub.getPrivateDataByPartialCompositeKey('secrets', 'item', []);
        await ctx.stub.putState('k', Buffer.from('1'));
      }),
    ).toEqual(
      new Error(
        'PUT_STATE failed: transaction ID: tx0002: txid [tx0002]: unsuppored transaction. Transaction has already performed queries on pvt data. Writes are not allowed',
      ),
    );
    expect(ledger.state.size + ledger.privateData.state.size).toBe(0);
  });
});
