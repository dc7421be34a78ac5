#!/usr/bin/env node
/**
 * Cache-aside (lazy loading) in front of PostgreSQL: a product page is read from Kioku first
 * (GET product:<id>); on a miss it is queried from PostgreSQL and stored with a TTL
 * (SET product:<id> <json> EX 60). A price update writes PostgreSQL, then deletes the key
 * (DEL product:<id>), so the next read loads the new row. Works against Kioku or Redis.
 *
 *   node examples/cache-aside/cache-aside.mjs [--host 127.0.0.1] [--port 6379] [--postgres URL]
 *        [--products 1000] [--ops 5000] [--seed 42] [--update-every 50] [--ttl 60]
 *
 * Without --postgres (or $DATABASE_URL) it starts a throw-away PostgreSQL (examples/lib/postgres.mjs).
 * It (re)creates the schema `cache_aside`, seeds products and their reviews, then runs the same
 * seeded workload twice, straight to PostgreSQL and through the cache, and prints how many reads
 * the cache took off the database and the read latency of both.
 */
import { mulberry32, option, withKiokuAndPostgres } from '../lib/example-cli.mjs';

/** @typedef {import('ioredis').Redis} Redis @typedef {import('pg').Pool} Pool */

/** Seconds a cached product lives: bounds how stale a missed invalidation can leave it. */
export const PRODUCT_TTL = 60;

/** The cached read: a product with its review count and mean rating. */
export const PRODUCT_QUERY = `SELECT p.id, p.name, p.price_cents, p.stock,
       count(r.rating)::int AS reviews, round(avg(r.rating), 2)::float8 AS rating
  FROM cache_aside.products p LEFT JOIN cache_aside.reviews r ON r.product_id = p.id
 WHERE p.id = $1
 GROUP BY p.id`;

export const productKey = (id) => `product:${id}`;

/** Creates the schema afresh with `products` products and 1 to 20 reviews each; resolves to the review count. */
export async function seedCatalog(db, products) {
  await db.query('DROP SCHEMA IF EXISTS cache_aside CASCADE');
  await db.query('CREATE SCHEMA cache_aside');
  await db.query(`CREATE TABLE cache_aside.products (
    id int PRIMARY KEY, name text NOT NULL, price_cents int NOT NULL, stock int NOT NULL)`);
  await db.query(`CREATE TABLE cache_aside.reviews (
    product_id int NOT NULL REFERENCES cache_aside.products, rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5))`);
  await db.query(
    `INSERT INTO cache_aside.products
     SELECT i, 'product ' || lpad(i::text, 4, '0'), 99 + (i * 7919) % 10000, (i * 31) % 500 FROM generate_series(1, $1::int) i`,
    [products],
  );
  const reviews = await db.query(
    `INSERT INTO cache_aside.reviews
     SELECT i, 1 + (i * 31 + k * 17) % 5 FROM generate_series(1, $1::int) i, generate_series(1, 1 + i % 20) k`,
    [products],
  );
  await db.query('CREATE INDEX ON cache_aside.reviews (product_id)');
  await db.query('ANALYZE cache_aside.products, cache_aside.reviews');
  return reviews.rowCount;
}

/** Product reads through Kioku (or, with `cache: false`, straight to PostgreSQL), counting both. */
export class ProductCatalog {
  /**
   * @param {Pool} db  @param {Redis} redis
   * @param {{ ttlSeconds?: number, cache?: boolean }} [options]
   */
  constructor(db, redis, { ttlSeconds = PRODUCT_TTL, cache = true } = {}) {
    this.db = db;
    this.redis = redis;
    this.ttlSeconds = ttlSeconds;
    this.cache = cache;
    /** reads asked for; of those, found in the cache, missed; PostgreSQL queries made for reads. */
    this.stats = { reads: 0, hits: 0, misses: 0, dbReads: 0 };
  }

  /** A product by id, or null when there is none (a missing product is not cached). */
  async get(id) {
    this.stats.reads++;
    if (this.cache) {
      const cached = await this.redis.get(productKey(id));
      if (cached !== null) {
        this.stats.hits++;
        return JSON.parse(cached);
      }
      this.stats.misses++;
    }
    this.stats.dbReads++;
    const { rows } = await this.db.query(PRODUCT_QUERY, [id]);
    const product = rows[0] ?? null;
    if (this.cache && product !== null) await this.redis.set(productKey(id), JSON.stringify(product), 'EX', this.ttlSeconds);
    return product;
  }

  /** Changes a price in PostgreSQL, then drops the cached copy. */
  async updatePrice(id, priceCents) {
    await this.db.query('UPDATE cache_aside.products SET price_cents = $2 WHERE id = $1', [id, priceCents]);
    if (this.cache) await this.redis.del(productKey(id));
  }
}

/** Deletes the cached copies of products 1..n. */
export async function clearCache(redis, n) {
  for (let first = 1; first <= n; first += 500) {
    const keys = [];
    for (let id = first; id < Math.min(first + 500, n + 1); id++) keys.push(productKey(id));
    await redis.del(...keys);
  }
}

/** Draws ids 1..n with Zipf(s = 1) weights: id k is drawn in proportion to 1/k. */
function zipf(n, rand) {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 1; k <= n; k++) cdf[k - 1] = sum += 1 / k;
  return () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}

/** p50, p99 and mean of latencies in microseconds. */
function summarize(us) {
  const sorted = Float64Array.from(us).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { p50: at(0.5), p99: at(0.99), mean: us.reduce((a, b) => a + b, 0) / us.length };
}

/**
 * Runs `ops` operations, one at a time: every `updateEvery`-th a price update, the others reads,
 * of Zipf-drawn products. Resolves to the read latency summary (µs) and the number of updates.
 */
export async function runWorkload(catalog, { products, ops, seed, updateEvery }) {
  const rand = mulberry32(seed);
  const pick = zipf(products, rand);
  const latencies = [];
  let updates = 0;
  for (let i = 1; i <= ops; i++) {
    const id = pick();
    if (updateEvery > 0 && i % updateEvery === 0) {
      await catalog.updatePrice(id, 99 + Math.floor(rand() * 10000));
      updates++;
      continue;
    }
    const start = process.hrtime.bigint();
    await catalog.get(id);
    latencies.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return { latency: summarize(latencies), updates };
}

/** Calls of PRODUCT_QUERY that PostgreSQL counted since the last reset, or null without pg_stat_statements. */
async function countedByPostgres(db, reset) {
  try {
    if (reset) {
      await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await db.query('SELECT pg_stat_statements_reset()');
      return 0;
    }
    // PostgreSQL stores the query with its constants as parameters: match on its FROM clause.
    const { rows } = await db.query('SELECT coalesce(sum(calls), 0)::int AS calls FROM pg_stat_statements WHERE query LIKE $1', [
      '%FROM cache_aside.products p LEFT JOIN cache_aside.reviews r%',
    ]);
    return rows[0].calls;
  } catch {
    return null;
  }
}

/** Seeds, warms up, runs the workload without and with the cache; prints through `print`; resolves to the figures. */
export async function demo({ db, redis, products, ops, seed, updateEvery, ttlSeconds }, print) {
  const reviews = await seedCatalog(db, products);
  print(`seeded ${products} products and ${reviews} reviews in PostgreSQL (schema cache_aside)`);
  print(`workload: ${ops} operations over ${products} products, Zipf s=1 (seed ${seed}), every ${updateEvery}th a price update`);
  // Warm-up (JIT, connections, PostgreSQL's buffers) with another seed, then a cold cache.
  for (const cache of [false, true]) await runWorkload(new ProductCatalog(db, redis, { ttlSeconds, cache }), { products, ops: 500, seed: seed + 1, updateEvery });
  const runs = [];
  for (const cache of [false, true]) {
    await clearCache(redis, products);
    await countedByPostgres(db, true);
    const catalog = new ProductCatalog(db, redis, { ttlSeconds, cache });
    const { latency, updates } = await runWorkload(catalog, { products, ops, seed, updateEvery });
    runs.push({ cache, ...catalog.stats, latency, updates, counted: await countedByPostgres(db, false) });
  }
  const [direct, cached] = runs;
  const f = (x) => x.toFixed(1).padStart(8);
  print('                       reads  DB reads  hit rate   p50 µs   p99 µs  mean µs');
  for (const r of runs) {
    const rate = r.cache ? `${((100 * r.hits) / r.reads).toFixed(1)}%` : '-';
    print(`  ${(r.cache ? 'cache-aside' : 'without the cache').padEnd(18)} ${String(r.reads).padStart(6)} ${String(r.dbReads).padStart(9)} ${rate.padStart(9)} ${f(r.latency.p50)} ${f(r.latency.p99)} ${f(r.latency.mean)}`);
  }
  const saved = direct.dbReads - cached.dbReads;
  print(`the cache took ${saved} of ${direct.dbReads} reads off PostgreSQL (${cached.hits} hits, ${cached.misses} misses); ${cached.updates} updates deleted their key`);
  if (direct.counted !== null) print(`PostgreSQL's own count (pg_stat_statements): ${direct.counted} product queries without the cache, ${cached.counted} with it`);
  print(`mean read latency ${(direct.latency.mean / cached.latency.mean).toFixed(1)}x lower with the cache (p50 ${direct.latency.p50.toFixed(1)} -> ${cached.latency.p50.toFixed(1)} µs)`);
  return { direct, cached, saved };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = (name, fallback) => Number(option(name, fallback));
  await withKiokuAndPostgres(4, ({ db, redis }) =>
    demo(
      { db, redis, products: n('products', '1000'), ops: n('ops', '5000'), seed: n('seed', '42'), updateEvery: n('update-every', '50'), ttlSeconds: n('ttl', String(PRODUCT_TTL)) },
      (s) => console.log(s),
    ),
  );
}
