#!/usr/bin/env node
/**
 * Write-through in front of PostgreSQL: every stock change is written to PostgreSQL and to Kioku
 * in the same operation, so reads can come from Kioku and are never older than the last write.
 * Works against Kioku or Redis.
 *
 *   node examples/write-through/write-through.mjs [--host 127.0.0.1] [--port 6379] [--postgres URL]
 *        [--items 20] [--writes 400] [--workers 8]
 *
 * A write is one PostgreSQL transaction: UPDATE ... RETURNING the new row, SET item:<sku> <json>
 * EX 300, COMMIT. The SET happens while the transaction holds the row's lock, so two writers of
 * one item reach the cache in the order they commit. If PostgreSQL refuses the write (here: stock
 * would go below zero) nothing is cached; if the SET fails the transaction is rolled back; if the
 * COMMIT fails the key is deleted. Reads: GET; on a miss (the key expired) the row is loaded and
 * put back with SET ... NX, which never overwrites a newer written-through value.
 *
 * Without --postgres (or $DATABASE_URL) it starts a throw-away PostgreSQL (examples/lib/postgres.mjs);
 * it (re)creates the schema `write_through`.
 */
import { mulberry32, option, withKiokuAndPostgres } from '../lib/example-cli.mjs';

/** @typedef {import('ioredis').Redis} Redis @typedef {import('pg').Pool} Pool */

/** Seconds a cached item lives: only items nobody writes or reads for that long leave the cache. */
export const ITEM_TTL = 300;

export const itemKey = (sku) => `item:${sku}`;

const COLUMNS = 'sku, name, quantity, version';

/** Creates the schema afresh with an empty inventory table. */
export async function createInventory(db) {
  await db.query('DROP SCHEMA IF EXISTS write_through CASCADE');
  await db.query('CREATE SCHEMA write_through');
  await db.query(`CREATE TABLE write_through.inventory (
    sku text PRIMARY KEY, name text NOT NULL,
    quantity int NOT NULL CHECK (quantity >= 0),
    version int NOT NULL DEFAULT 1)`);
}

/** Stock kept in PostgreSQL and written through to Kioku. */
export class Inventory {
  /** @param {Pool} db  @param {Redis} redis  @param {{ ttlSeconds?: number }} [options] */
  constructor(db, redis, { ttlSeconds = ITEM_TTL } = {}) {
    this.db = db;
    this.redis = redis;
    this.ttlSeconds = ttlSeconds;
    /** Reads served by Kioku, and by PostgreSQL (cache misses). */
    this.stats = { cacheReads: 0, dbReads: 0 };
  }

  /** Adds an item; resolves to its row. */
  add(sku, name, quantity) {
    return this.#write(`INSERT INTO write_through.inventory (sku, name, quantity) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`, [sku, name, quantity]);
  }

  /** Adds `delta` (negative: takes) to an item's stock; resolves to the new row. */
  async adjust(sku, delta) {
    const item = await this.#write(`UPDATE write_through.inventory SET quantity = quantity + $2, version = version + 1 WHERE sku = $1 RETURNING ${COLUMNS}`, [sku, delta]);
    if (item === null) throw new Error(`no item ${sku}`);
    return item;
  }

  /** An item, from Kioku when it is there; null when there is no such item. */
  async get(sku) {
    const cached = await this.redis.get(itemKey(sku));
    if (cached !== null) {
      this.stats.cacheReads++;
      return JSON.parse(cached);
    }
    this.stats.dbReads++;
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM write_through.inventory WHERE sku = $1`, [sku]);
    const item = rows[0] ?? null;
    if (item !== null) await this.redis.set(itemKey(sku), JSON.stringify(item), 'EX', this.ttlSeconds, 'NX');
    return item;
  }

  /** Runs one writing statement and caches the row it returns, in one transaction (see the file comment). */
  async #write(sql, params) {
    const client = await this.db.connect();
    let cachedKey = null;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(sql, params);
      const item = rows[0] ?? null;
      if (item !== null) {
        cachedKey = itemKey(item.sku);
        await this.redis.set(cachedKey, JSON.stringify(item), 'EX', this.ttlSeconds);
      }
      await client.query('COMMIT');
      client.release();
      return item;
    } catch (e) {
      const broken = await client.query('ROLLBACK').then(() => false, () => true);
      client.release(broken);
      // The value may have reached the cache before the commit failed: drop it (the TTL bounds it otherwise).
      if (cachedKey !== null) await this.redis.del(cachedKey).catch(() => {});
      throw e;
    }
  }
}

const skuOf = (i) => `sku-${String(i).padStart(2, '0')}`;

/** Stocks items, runs concurrent writers that read back what they wrote, shows a refused write; prints through `print`. */
export async function demo({ db, redis, items, writes, workers }, print) {
  await createInventory(db);
  const inventory = new Inventory(db, redis);
  await redis.del(...Array.from({ length: items }, (_, i) => itemKey(skuOf(i + 1))));
  for (let i = 1; i <= items; i++) await inventory.add(skuOf(i), `item ${i}`, 1000);
  print(`stocked ${items} items in PostgreSQL (schema write_through), each written through: SET item:<sku> <json> EX ${ITEM_TTL}`);

  // Each worker changes random items by -5..+5 and reads each one back from the cache at once:
  // a read older than the worker's own write would be stale.
  let stale = 0;
  const worker = async (w) => {
    const rand = mulberry32(w + 1);
    for (let n = w; n < writes; n += workers) {
      const sku = skuOf(1 + Math.floor(rand() * items));
      const written = await inventory.adjust(sku, Math.floor(rand() * 11) - 5);
      if ((await inventory.get(sku)).version < written.version) stale++;
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  print(`${writes} stock changes by ${workers} concurrent workers (BEGIN, UPDATE ... RETURNING, SET, COMMIT),`);
  print(`  each read back at once: ${inventory.stats.cacheReads} reads from Kioku, ${inventory.stats.dbReads} from PostgreSQL, ${stale} older than the write`);

  const { rows } = await db.query(`SELECT ${COLUMNS} FROM write_through.inventory ORDER BY sku`);
  const cached = await redis.mget(...rows.map((r) => itemKey(r.sku)));
  const equal = rows.filter((r, i) => cached[i] !== null && JSON.stringify(JSON.parse(cached[i])) === JSON.stringify(r)).length;
  print(`after the writes: ${equal} of ${rows.length} cached items equal their rows; total stock ${rows.reduce((s, r) => s + r.quantity, 0)}`);

  const target = skuOf(3);
  const before = await inventory.get(target);
  try {
    await inventory.adjust(target, -(before.quantity + 1));
    print(`taking ${before.quantity + 1} of ${target} succeeded?!`);
  } catch (e) {
    print(`taking ${before.quantity + 1} of ${target} (stock ${before.quantity}) fails in PostgreSQL: ${e.message}`);
  }
  const row = (await db.query(`SELECT ${COLUMNS} FROM write_through.inventory WHERE sku = $1`, [target])).rows[0];
  const inCache = JSON.parse(await redis.get(itemKey(target)));
  print(`  nothing was cached: PostgreSQL says ${row.quantity} (version ${row.version}), Kioku says ${inCache.quantity} (version ${inCache.version})`);

  const evicted = skuOf(5);
  await redis.del(itemKey(evicted));
  const reads = inventory.stats.dbReads;
  const reloaded = await inventory.get(evicted);
  print(`once item:${evicted} has expired (deleted here), a read goes to PostgreSQL (${inventory.stats.dbReads - reads} query)`);
  print(`  and puts version ${reloaded.version} back with SET ... NX EX ${ITEM_TTL}: TTL now ${await redis.ttl(itemKey(evicted))} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const workers = Number(option('workers', '8'));
  await withKiokuAndPostgres(workers, ({ db, redis }) =>
    demo({ db, redis, items: Number(option('items', '20')), writes: Number(option('writes', '400')), workers }, (s) => console.log(s)),
  );
}
