/**
 * The cache-aside example (examples/cache-aside/cache-aside.mjs) against Kioku and a real
 * PostgreSQL: run as a program (it starts its own PostgreSQL), the reads the cache took off the
 * database must equal its hits, and PostgreSQL's own count (pg_stat_statements) must agree; used
 * as a library, a cached product must equal its row, carry the TTL, be deleted by an update and
 * expire. Exercises GET, SET ... EX, DEL, TTL, PTTL and EXISTS through ioredis. Skips, saying so,
 * where PostgreSQL is not installed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import pg from 'pg';
import type { TestServer } from '../helpers/test-server.js';
import { haveRedisServer, startRedisOracle } from '../helpers/redis-oracle.js';
import { havePostgres, NO_POSTGRES } from '../../examples/lib/postgres.mjs';
import { runExampleProgram, startExampleStack, type ExampleStack } from '../helpers/example-program.js';

const program = fileURLToPath(new URL('../../examples/cache-aside/cache-aside.mjs', import.meta.url));

interface Product {
  id: number;
  name: string;
  price_cents: number;
  stock: number;
  reviews: number;
  rating: number;
}
interface ProductCatalog {
  stats: { reads: number; hits: number; misses: number; dbReads: number };
  get(id: number): Promise<Product | null>;
  updatePrice(id: number, priceCents: number): Promise<void>;
}
type CacheAsideModule = {
  PRODUCT_TTL: number;
  PRODUCT_QUERY: string;
  seedCatalog(db: pg.Pool, products: number): Promise<number>;
  ProductCatalog: new (db: pg.Pool, redis: Redis, options?: { ttlSeconds?: number; cache?: boolean }) => ProductCatalog;
};

const HAVE_POSTGRES = havePostgres();
if (!HAVE_POSTGRES) console.warn(NO_POSTGRES);

/** The arguments of the program runs: 500 products, 2000 operations, seed 42. */
const WORKLOAD = ['--products', '500', '--ops', '2000', '--seed', '42'];
/** What the seeded workload does with a cache, against Kioku and Redis 7.0 alike. */
const COUNTS = 'the cache took 1586 of 1960 reads off PostgreSQL (1586 hits, 374 misses); 40 updates deleted their key\n';

/** Runs the example against Kioku on `port`; resolves to its standard output. */
const runExample = (port: number, args: string[]): Promise<string> => runExampleProgram(program, ['--port', String(port), ...args]);

/** The integer after `label` in `text`. */
function numberAfter(text: string, label: RegExp): number {
  const m = label.exec(text);
  if (!m) throw new Error(`${label} not found in:\n${text}`);
  return Number(m[1]);
}

describe.runIf(HAVE_POSTGRES)('cache-aside example (GET, SET EX, DEL in front of PostgreSQL)', () => {
  let ts: TestServer;
  let r: Redis;
  let db: pg.Pool;
  let stack: ExampleStack;
  let lib: CacheAsideModule;
  beforeAll(async () => {
    stack = await startExampleStack(2);
    ({ ts, r, db } = stack);
    lib = (await import(program)) as CacheAsideModule;
    await lib.seedCatalog(db, 50);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  // The program leaves product keys of its own database behind.
  beforeEach(async () => {
    await r.flushall();
  });

  it('as a program, with its own PostgreSQL: the reads taken off the database are the hits, and PostgreSQL counts the rest', async () => {
    const out = await runExample(ts.port, WORKLOAD);
    expect(out).toMatch(/^started a throw-away PostgreSQL on 127\.0\.0\.1:\d+\n/);
    expect(out).toContain('seeded 500 products and 5250 reviews in PostgreSQL (schema cache_aside)\n');
    const direct = /without the cache +(\d+) +(\d+) +- +[\d.]+ +[\d.]+ +[\d.]+\n/.exec(out);
    const cached = /cache-aside +(\d+) +(\d+) +([\d.]+)% +[\d.]+ +[\d.]+ +[\d.]+\n/.exec(out);
    expect(direct, out).not.toBeNull();
    expect(cached, out).not.toBeNull();
    // 2000 operations, every 50th an update: 1960 reads in each run, all to PostgreSQL without the cache.
    expect([Number(direct![1]), Number(direct![2])]).toEqual([1960, 1960]);
    const misses = Number(cached![2]);
    const saved = numberAfter(out, /the cache took (\d+) of 1960 reads off PostgreSQL/);
    expect(numberAfter(out, /\((\d+) hits/)).toBe(saved);
    expect(numberAfter(out, /hits, (\d+) misses\)/)).toBe(misses);
    expect(saved + misses).toBe(1960);
    // The seeded workload is deterministic: these counts hold against Redis 7.0 as well.
    expect(out).toContain(COUNTS);
    expect(Number(cached![3])).toBeCloseTo((100 * 1586) / 1960, 1);
    expect(out).toContain(`PostgreSQL's own count (pg_stat_statements): 1960 product queries without the cache, ${misses} with it\n`);
    expect(out).toMatch(/mean read latency [\d.]+x lower with the cache \(p50 [\d.]+ -> [\d.]+ µs\)\n$/);
  });

  it('a miss loads the row and caches it for PRODUCT_TTL seconds; the next read is a hit that skips PostgreSQL', async () => {
    const catalog = new lib.ProductCatalog(db, r);
    const { rows } = await db.query(lib.PRODUCT_QUERY, [7]);
    expect(rows[0]).toMatchObject({ id: 7, name: 'product 0007', reviews: 8 });
    expect(await catalog.get(7)).toEqual(rows[0]);
    expect(JSON.parse((await r.get('product:7'))!)).toEqual(rows[0]);
    const ttl = await r.ttl('product:7');
    expect(ttl).toBeGreaterThan(lib.PRODUCT_TTL - 5);
    expect(ttl).toBeLessThanOrEqual(lib.PRODUCT_TTL);
    expect(await catalog.get(7)).toEqual(rows[0]);
    expect(catalog.stats).toEqual({ reads: 2, hits: 1, misses: 1, dbReads: 1 });
  });

  it('an update deletes the key, and the next read sees the new price; a missing product is not cached', async () => {
    const catalog = new lib.ProductCatalog(db, r);
    await catalog.get(8);
    expect(await r.exists('product:8')).toBe(1);
    await catalog.updatePrice(8, 12_345);
    expect(await r.exists('product:8')).toBe(0);
    expect((await db.query('SELECT price_cents FROM cache_aside.products WHERE id = 8')).rows).toEqual([{ price_cents: 12_345 }]);
    expect((await catalog.get(8))!.price_cents).toBe(12_345);
    expect((await catalog.get(8))!.price_cents).toBe(12_345);
    expect(await catalog.get(999)).toBeNull();
    expect(await r.exists('product:999')).toBe(0);
    expect(catalog.stats).toEqual({ reads: 4, hits: 1, misses: 3, dbReads: 3 });
  });

  it('a cached product expires after its TTL, and the read after that goes to PostgreSQL again', async () => {
    const catalog = new lib.ProductCatalog(db, r, { ttlSeconds: 1 });
    await catalog.get(9);
    const pttl = await r.pttl('product:9');
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(1000);
    const end = Date.now() + 3000;
    while ((await r.exists('product:9')) === 1 && Date.now() < end) await new Promise((res) => setTimeout(res, 50));
    expect(await r.exists('product:9')).toBe(0);
    await catalog.get(9);
    expect(catalog.stats).toEqual({ reads: 2, hits: 0, misses: 2, dbReads: 2 });
  });

  it('without the cache every read queries PostgreSQL and Kioku is not touched', async () => {
    await r.del('product:10');
    const catalog = new lib.ProductCatalog(db, r, { cache: false });
    for (let i = 0; i < 3; i++) expect((await catalog.get(10))!.id).toBe(10);
    expect(await r.exists('product:10')).toBe(0);
    expect(catalog.stats).toEqual({ reads: 3, hits: 0, misses: 0, dbReads: 3 });
  });

  it.runIf(haveRedisServer())('counts the same hits and misses against a live redis-server', async () => {
    const oracle = await startRedisOracle();
    try {
      const out = await runExample(oracle.port, WORKLOAD);
      expect(out).toContain(COUNTS);
      expect(out).toContain("PostgreSQL's own count (pg_stat_statements): 1960 product queries without the cache, 374 with it\n");
    } finally {
      await oracle.stop();
    }
  });
});
