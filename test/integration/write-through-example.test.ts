/**
 * The write-through example (examples/write-through/write-through.mjs) against Kioku and a real
 * PostgreSQL: run as a program (it starts its own PostgreSQL) it must print what it prints against
 * Redis 7.0; used as a library, the cache must equal the database after concurrent writes to the
 * same rows, a write PostgreSQL refuses or one the cache cannot take must leave both as they were,
 * and a reload after expiry must not overwrite a newer written value. Exercises SET ... EX,
 * SET ... NX EX, GET, MGET, DEL, TTL and PTTL through ioredis. Skips, saying so, where PostgreSQL
 * is not installed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { TestServer } from '../helpers/test-server.js';
import { freePort, havePostgres, NO_POSTGRES } from '../../examples/lib/postgres.mjs';
import { itMatchesRedis, runExampleProgram, withoutPostgresLine, startExampleStack, type ExampleStack } from '../helpers/example-program.js';

const program = fileURLToPath(new URL('../../examples/write-through/write-through.mjs', import.meta.url));

interface Item {
  sku: string;
  name: string;
  quantity: number;
  version: number;
}
interface Inventory {
  stats: { cacheReads: number; dbReads: number };
  add(sku: string, name: string, quantity: number): Promise<Item>;
  adjust(sku: string, delta: number): Promise<Item>;
  get(sku: string): Promise<Item | null>;
}
/** What Inventory needs of a pg.Pool. */
type Queryable = Pick<pg.Pool, 'query' | 'connect'>;
type WriteThroughModule = {
  ITEM_TTL: number;
  createInventory(db: pg.Pool): Promise<void>;
  Inventory: new (db: Queryable, redis: Redis, options?: { ttlSeconds?: number }) => Inventory;
};

const HAVE_POSTGRES = havePostgres();
if (!HAVE_POSTGRES) console.warn(NO_POSTGRES);

/** Runs the example against a port; resolves to its standard output without the line naming the PostgreSQL port. */
const runExample = async (port: number): Promise<string> => withoutPostgresLine(await runExampleProgram(program, ['--port', String(port)]));

const EXPECTED = `stocked 20 items in PostgreSQL (schema write_through), each written through: SET item:<sku> <json> EX 300
400 stock changes by 8 concurrent workers (BEGIN, UPDATE ... RETURNING, SET, COMMIT),
  each read back at once: 400 reads from Kioku, 0 from PostgreSQL, 0 older than the write
after the writes: 20 of 20 cached items equal their rows; total stock 20047
taking 982 of sku-03 (stock 981) fails in PostgreSQL: new row for relation "inventory" violates check constraint "inventory_quantity_check"
  nothing was cached: PostgreSQL says 981 (version 16), Kioku says 981 (version 16)
once item:sku-05 has expired (deleted here), a read goes to PostgreSQL (1 query)
  and puts version 16 back with SET ... NX EX 300: TTL now 300 s
`;

describe.runIf(HAVE_POSTGRES)('write-through example (SET EX in the PostgreSQL transaction, GET, SET NX)', () => {
  let ts: TestServer;
  let r: Redis;
  let db: pg.Pool;
  let stack: ExampleStack;
  let lib: WriteThroughModule;
  let inventory: Inventory;
  const row = async (sku: string): Promise<Item> =>
    (await db.query<Item>('SELECT sku, name, quantity, version FROM write_through.inventory WHERE sku = $1', [sku])).rows[0]!;
  const cached = async (sku: string): Promise<Item | null> => {
    const v = await r.get(`item:${sku}`);
    return v === null ? null : (JSON.parse(v) as Item);
  };
  beforeAll(async () => {
    stack = await startExampleStack(8);
    ({ ts, r, db } = stack);
    lib = (await import(program)) as WriteThroughModule;
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(async () => {
    await r.flushall();
    await lib.createInventory(db);
    inventory = new lib.Inventory(db, r);
  });

  it('as a program, with its own PostgreSQL: prints what it prints against Redis 7.0', async () => {
    expect(await runExample(ts.port)).toBe(EXPECTED);
  });

  it('a write caches the row it committed, with the TTL', async () => {
    const added = await inventory.add('a', 'apple', 10);
    expect(added).toEqual({ sku: 'a', name: 'apple', quantity: 10, version: 1 });
    expect(await cached('a')).toEqual(added);
    const ttl = await r.ttl('item:a');
    expect(ttl).toBeGreaterThan(lib.ITEM_TTL - 5);
    expect(ttl).toBeLessThanOrEqual(lib.ITEM_TTL);
    const changed = await inventory.adjust('a', -3);
    expect(changed).toEqual({ sku: 'a', name: 'apple', quantity: 7, version: 2 });
    expect(await cached('a')).toEqual(await row('a'));
    expect(await inventory.get('a')).toEqual(changed);
    expect(inventory.stats).toEqual({ cacheReads: 1, dbReads: 0 });
  });

  it('concurrent writes to the same rows from 8 connections leave the cache equal to the database', async () => {
    for (const sku of ['x', 'y', 'z']) await inventory.add(sku, sku, 1000);
    let stale = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let n = 0; n < 30; n++) {
          const sku = ['x', 'y', 'z'][(w + n) % 3]!;
          const written = await inventory.adjust(sku, (w % 2) * 2 - 1);
          if ((await inventory.get(sku))!.version < written.version) stale++;
        }
      }),
    );
    expect(stale).toBe(0);
    for (const sku of ['x', 'y', 'z']) {
      const dbRow = await row(sku);
      expect(dbRow.version).toBe(81);
      expect(await cached(sku)).toEqual(dbRow);
    }
    expect((await row('x')).quantity + (await row('y')).quantity + (await row('z')).quantity).toBe(3000);
  });

  it('a write PostgreSQL refuses changes neither store; a write to a missing item caches nothing', async () => {
    await inventory.add('b', 'banana', 2);
    await expect(inventory.adjust('b', -3)).rejects.toThrow('violates check constraint "inventory_quantity_check"');
    expect(await row('b')).toEqual({ sku: 'b', name: 'banana', quantity: 2, version: 1 });
    expect(await cached('b')).toEqual(await row('b'));
    await expect(inventory.add('b', 'again', 1)).rejects.toThrow('duplicate key value violates unique constraint "inventory_pkey"');
    expect((await cached('b'))!.name).toBe('banana');
    await expect(inventory.adjust('nope', 1)).rejects.toThrow('no item nope');
    expect(await r.exists('item:nope')).toBe(0);
  });

  it('when the cache cannot take the write, the PostgreSQL transaction is rolled back', async () => {
    await inventory.add('c', 'cherry', 5);
    // Nobody listens there; without an offline queue every command fails at once.
    const down = new Redis({ host: '127.0.0.1', port: await freePort(), lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    down.on('error', () => {});
    try {
      const cut = new lib.Inventory(db, down);
      await expect(cut.adjust('c', 1)).rejects.toThrow("Stream isn't writeable");
      await expect(cut.add('d', 'date', 1)).rejects.toThrow("Stream isn't writeable");
    } finally {
      down.disconnect();
    }
    expect(await row('c')).toEqual({ sku: 'c', name: 'cherry', quantity: 5, version: 1 });
    expect((await db.query("SELECT count(*)::int AS n FROM write_through.inventory WHERE sku = 'd'")).rows).toEqual([{ n: 0 }]);
    expect(await cached('c')).toEqual(await row('c'));
  });

  it('after expiry a read reloads from PostgreSQL, and SET NX keeps a value written meanwhile', async () => {
    const short = new lib.Inventory(db, r, { ttlSeconds: 1 });
    await short.add('e', 'elderberry', 1);
    const pttl = await r.pttl('item:e');
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(1000);
    const end = Date.now() + 3000;
    while ((await r.exists('item:e')) === 1 && Date.now() < end) await new Promise((res) => setTimeout(res, 50));
    expect(await r.exists('item:e')).toBe(0);
    expect(await short.get('e')).toEqual({ sku: 'e', name: 'elderberry', quantity: 1, version: 1 });
    expect(short.stats).toEqual({ cacheReads: 0, dbReads: 1 });
    expect(await r.exists('item:e')).toBe(1);

    // A reader whose SELECT returns version 1 while a writer commits version 2 and caches it:
    // the reader's fill must not put version 1 back.
    await r.del('item:e');
    const racing: Queryable = {
      connect: () => db.connect(),
      query: (async (text: string, values: unknown[]) => {
        const result = await db.query(text, values);
        await inventory.adjust('e', 1);
        return result;
      }) as Queryable['query'],
    };
    expect((await new lib.Inventory(racing, r).get('e'))!.version).toBe(1);
    expect(await cached('e')).toEqual({ sku: 'e', name: 'elderberry', quantity: 2, version: 2 });
  });

  itMatchesRedis(runExample, EXPECTED);
});
