/**
 * Memory accounting (memory/accounting.ts, keyspace/memory-usage.ts): used_memory follows what
 * the data really costs on V8's heap within 15% per type (a child process under --expose-gc, so
 * MEMORY PURGE collects garbage and allocator_allocated is the live heap); every path that stores,
 * moves or drops values keeps each database's count equal to a recount of its keys; and the
 * MEMORY subcommands and INFO memory fields answer from those counts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { freePort } from '../helpers/redis-oracle.js';
import type { Keyspace } from '../../src/keyspace/keyspace.js';
import { valueBytes } from '../../src/keyspace/memory-usage.js';
import { HEAP_NUMBER, stringBytes } from '../../src/datastructures/heap-layout.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A field of INFO memory as a number. */
async function infoField(c: Redis, name: string): Promise<number> {
  const info = await c.info('memory');
  const m = new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info);
  if (m === null) throw new Error(`no ${name} in INFO memory`);
  return Number(m[1]);
}

/**
 * A database's counter against a recount of its contents: key strings, values (each aggregate's
 * own count, and it must report to this database) and TTL numbers. The Maps' tables are followed
 * separately (MapShape) and not recounted.
 */
function expectRecount(db: Keyspace): void {
  let bytes = 0;
  for (const [key, v] of db.data) {
    bytes += stringBytes(key.length) + valueBytes(v);
    if (typeof v !== 'string') {
      expect(v.owner).toBe(db.memory);
      expect(v.stores).toBe(1);
    }
  }
  bytes += db.expires.size * HEAP_NUMBER;
  expect(db.memory.bytes).toBe(bytes);
  expect(db.memory.main.size).toBe(db.data.size);
  expect(db.memory.expires.size).toBe(db.expires.size);
}

describe('used_memory against the real heap (child process, --expose-gc)', () => {
  let child: ChildProcess;
  let c: Redis;

  beforeAll(async () => {
    const port = await freePort();
    child = spawn(process.execPath, ['--expose-gc', path.join(root, 'dist', 'main.js'), '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
    c.on('error', () => {}); // refused connections while the child starts
    for (let i = 0; i < 100; i++) {
      try {
        await c.connect();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }, 20_000);

  afterAll(async () => {
    c.disconnect();
    child.kill('SIGKILL');
  });

  /** [used_memory, heap] after two full collections. */
  async function settled(): Promise<[number, number]> {
    await c.memory('PURGE');
    await c.memory('PURGE');
    return [await infoField(c, 'used_memory'), await infoField(c, 'allocator_allocated')];
  }

  /** Runs the commands in pipelines of 500. */
  async function run(commands: (string | number)[][]): Promise<void> {
    for (let i = 0; i < commands.length; i += 500) {
      const p = c.pipeline();
      for (const cmd of commands.slice(i, i + 500)) p.call(String(cmd[0]), ...cmd.slice(1).map(String));
      const res = await p.exec();
      for (const [err] of res!) expect(err).toBeNull();
    }
  }

  const v = (len: number, i: number) => `${i}:`.padEnd(len, 'v');
  /** `keys` keys of `per` elements each, added 50 per command. */
  const coll = (cmd: string, keys: number, per: number, el: (e: number, k: number) => (string | number)[]) => () => {
    const out: (string | number)[][] = [];
    for (let k = 0; k < keys; k++) {
      for (let j = 0; j < per; j += 50) {
        const args: (string | number)[] = [cmd, `key:${k}`];
        for (let e = j; e < Math.min(per, j + 50); e++) args.push(...el(e, k));
        out.push(args);
      }
    }
    return out;
  };

  /**
   * Cases: name, commands, and the args of 2 to 4 bytes they store that the decoder shares (one
   * string for every copy, resp-decoder.ts sharedShort): used_memory counts each stored copy, so
   * it is above the heap's growth by their bytes. (Integers' few short texts are left out.)
   */
  const cases: [string, () => (string | number)[][], number?][] = [
    ['strings, 10-byte values', () => Array.from({ length: 60_000 }, (_, i) => ['SET', `key:${i}`, v(10, i)])],
    ['strings, 200-byte values with a TTL', () => Array.from({ length: 20_000 }, (_, i) => ['SET', `key:${i}`, v(200, i), 'EX', 100_000])],
    ['strings, integers', () => Array.from({ length: 60_000 }, (_, i) => ['SET', `key:${i}`, i * 3])],
    ['small lists', coll('RPUSH', 5_000, 10, (e) => [v(12, e)])],
    ['big lists', coll('LPUSH', 5, 10_000, (e) => [v(40, e)])],
    ['small hashes (listpack)', coll('HSET', 5_000, 10, (e) => [`f${e}`, v(10, e)]), 5_000 * 10],
    ['big hashes (hashtable)', coll('HSET', 5, 10_000, (e) => [`field:${e}`, v(20, e)])],
    ['small sets (intset)', coll('SADD', 5_000, 10, (e, k) => [e * 100_000 + k])],
    ['small sets (hashtable)', coll('SADD', 5_000, 10, (e) => [`member:${e}`])],
    ['big sets (hashtable)', coll('SADD', 5, 10_000, (e) => [`member:${e}`])],
    ['small sorted sets (listpack)', coll('ZADD', 5_000, 10, (e) => [e * 1.5, `m${e}`]), 5_000 * 10],
    ['big sorted sets (skiplist)', coll('ZADD', 5, 10_000, (e) => [e * 1.5, `member:${e}`])],
  ];

  for (const [name, commands, sharedTwoByteArgs = 0] of cases) {
    it(`${name}: used_memory growth within 15% of the heap's`, async () => {
      await c.flushall();
      const [used0, heap0] = await settled();
      await run(commands());
      const [used1, heap1] = await settled();
      const estimate = used1 - used0 - sharedTwoByteArgs * stringBytes(2);
      const measured = heap1 - heap0;
      expect(measured).toBeGreaterThan(1_000_000);
      expect(Math.abs(estimate - measured) / measured).toBeLessThan(0.15);
      // Deleting it all gives the memory back, in the count and on the heap.
      await c.flushall();
      const [used2, heap2] = await settled();
      expect(used2).toBe(used0);
      // (The heap itself settles within a few hundred KB of where it was: code compiled meanwhile,
      // the Maps' tables; a leak would leave about `measured`.)
      expect(Math.abs(heap2 - heap0)).toBeLessThan(Math.max(measured * 0.15, 1_000_000));
    }, 60_000);
  }
});

describe('every path that stores or drops values keeps the count', () => {
  let t: TestServer;
  let c: Redis;

  beforeAll(async () => {
    t = await startTestServer();
    c = await t.client();
  });
  afterAll(async () => {
    await t.stop();
  });

  const dbs = () => t.server.keyspaces;
  const recountAll = () => dbs().forEach(expectRecount);
  const dataset = () => dbs().reduce((n, db) => n + db.memory.total(db.accessTracker?.bytes ?? 0), 0);

  async function fill(): Promise<void> {
    await c.set('s', 'a string value');
    await c.set('t', 'with a ttl', 'EX', 1000);
    await c.rpush('l', ...Array.from({ length: 300 }, (_, i) => `element ${i}`));
    await c.hset('h', ...Array.from({ length: 20 }, (_, i) => [`f${i}`, `v${i}`]).flat());
    await c.hset('H', ...Array.from({ length: 300 }, (_, i) => [`field${i}`, `value${i}`]).flat());
    await c.sadd('i', ...Array.from({ length: 50 }, (_, i) => i * 7));
    await c.sadd('S', ...Array.from({ length: 300 }, (_, i) => `m${i}`));
    await c.zadd('z', ...Array.from({ length: 20 }, (_, i) => [i, `z${i}`]).flat());
    await c.zadd('Z', ...Array.from({ length: 300 }, (_, i) => [i / 3, `member${i}`]).flat());
  }

  it('FLUSHALL and DEL return to the empty figure exactly; in-place writes reach the database', async () => {
    await c.flushall();
    const empty = dataset();
    const used0 = await infoField(c, 'used_memory');
    await fill();
    recountAll();
    const full = dataset();
    expect(full).toBeGreaterThan(empty + 30_000);
    // In-place mutations of stored aggregates change the total.
    await c.rpush('l', 'x'.repeat(1000));
    await c.hset('H', 'new', 'y'.repeat(1000));
    await c.sadd('S', 'z'.repeat(1000));
    await c.zadd('Z', 1, 'w'.repeat(1000));
    expect(dataset()).toBeGreaterThan(full + 4000);
    await c.lpop('l', 100);
    await c.hdel('H', 'f0', 'field1', 'field2');
    await c.srem('S', 'm1', 'm2');
    await c.spop('S', 5);
    await c.zremrangebyrank('Z', 0, 50);
    await c.zpopmax('z', 3);
    await c.ltrim('l', 10, 150);
    await c.lrem('l', 0, 'element 120');
    await c.linsert('l', 'BEFORE', 'element 130', 'inserted');
    await c.lset('l', 0, 'set by lset');
    await c.sadd('i', 'not an integer');
    await c.hset('h', 'long', 'v'.repeat(100));
    await c.append('s', ' appended');
    await c.incr('counter');
    await c.expire('s', 100);
    await c.persist('t');
    recountAll();
    await c.del('s', 't', 'l', 'h', 'H', 'i', 'S', 'z', 'Z', 'counter');
    recountAll();
    expect(dataset()).toBe(empty);
    await fill();
    await c.flushall();
    expect(dataset()).toBe(empty);
    expect(await infoField(c, 'used_memory')).toBe(used0);
  });

  it('RENAME, COPY, MOVE, SWAPDB, RESTORE, SORT STORE and the *STORE commands', async () => {
    await c.flushall();
    const empty = dataset();
    await fill();
    const full = dataset();
    await c.rename('H', 'X');
    recountAll();
    expect(dataset()).toBe(full);
    await c.copy('X', 'Y');
    await c.copy('Z', 'Y2');
    recountAll();
    await c.move('Y', 1);
    await c.move('Y2', 2);
    recountAll();
    await c.swapdb(0, 1);
    recountAll();
    await c.swapdb(0, 1);
    const dump = await c.dumpBuffer('S');
    await c.restore('R', 0, dump!);
    await c.restore('R', 0, dump!, 'REPLACE');
    recountAll();
    await c.sort('l', 'ALPHA', 'STORE', 'sorted');
    await c.sunionstore('u', 'S', 'i');
    await c.sinterstore('u', 'S', 'i');
    await c.zunionstore('zu', 2, 'z', 'Z');
    await c.zrangestore('zr', 'Z', 0, 10);
    await c.lmove('l', 'l2', 'LEFT', 'RIGHT');
    await c.smove('S', 'S2', 'm5');
    await c.set('l', 'overwritten by a string');
    await c.getdel('s');
    await c.unlink('sorted');
    recountAll();
    await c.flushall();
    expect(dataset()).toBe(empty);
  });

  it('expired keys (lazy and active) and FLUSHDB give their bytes back', async () => {
    await c.flushall();
    const empty = dataset();
    await c.set('gone', 'v', 'PX', 1);
    await c.hset('gone2', 'f', 'v');
    await c.pexpire('gone2', 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(await c.get('gone')).toBeNull();
    expect(await c.hget('gone2', 'f')).toBeNull();
    recountAll();
    expect(dataset()).toBe(empty);
    await c.select(3);
    await c.set('k', 'v');
    await c.flushdb();
    await c.select(0);
    expect(dataset()).toBe(empty);
  });
});

describe('MEMORY subcommands and INFO memory', () => {
  let t: TestServer;
  let c: Redis;

  beforeAll(async () => {
    t = await startTestServer();
    c = await t.client();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('MEMORY USAGE: the key, its value and its TTL entry; nil for a missing key', async () => {
    await c.flushall();
    expect(await c.memory('USAGE', 'missing')).toBeNull();
    await c.set('k', 'v'.repeat(100));
    const plain = (await c.memory('USAGE', 'k')) as number;
    // key string (a shared one-character string: 0) + a Map entry's share (28 to 112: one entry
    // in a table of 4) + the 100-byte string (120)
    expect(plain).toBeGreaterThanOrEqual(120 + 28);
    expect(plain).toBeLessThanOrEqual(120 + 28 * 4);
    await c.expire('k', 100);
    expect(await c.memory('USAGE', 'k')).toBeGreaterThan(plain + HEAP_NUMBER);
    await c.rpush('l', ...Array.from({ length: 1000 }, (_, i) => `element ${i}`));
    const list = (await c.memory('USAGE', 'l')) as number;
    expect(list).toBeGreaterThan(1000 * 32);
    expect(await c.memory('USAGE', 'l', 'SAMPLES', 0)).toBe(list);
    expect(await c.memory('USAGE', 'l', 'SAMPLES', 2)).toBe(list);
  });

  it('MEMORY STATS: the dataset and per-database figures add up', async () => {
    await c.flushall();
    await c.set('a', 'b');
    await c.select(2);
    await c.set('c', 'd', 'EX', 100);
    await c.select(0);
    const stats = (await c.memory('STATS')) as unknown[];
    const map = new Map<string, unknown>();
    for (let i = 0; i < stats.length; i += 2) map.set(String(stats[i]), stats[i + 1]);
    expect([...map.keys()].slice(0, 10)).toEqual([
      'peak.allocated', 'total.allocated', 'startup.allocated', 'replication.backlog', 'clients.slaves',
      'clients.normal', 'cluster.links', 'aof.buffer', 'lua.caches', 'functions.caches',
    ]);
    expect(map.get('db.0')).toEqual(['overhead.hashtable.main', t.server.keyspaces[0]!.memory.main.bytes, 'overhead.hashtable.expires', expect.any(Number), 'overhead.hashtable.slot-to-keys', 0]);
    expect(map.has('db.2')).toBe(true);
    expect(map.has('db.1')).toBe(false);
    expect(map.get('keys.count')).toBe(2);
    const total = map.get('total.allocated') as number;
    expect(map.get('dataset.bytes')).toBe(total - (map.get('overhead.total') as number));
    expect(map.get('peak.allocated') as number).toBeGreaterThanOrEqual(total);
  });

  it('INFO memory: used_memory is the accounted figure, peak and dataset follow it', async () => {
    await c.flushall();
    const used0 = await infoField(c, 'used_memory');
    const startup = await infoField(c, 'used_memory_startup');
    expect(used0).toBeGreaterThanOrEqual(startup);
    await c.set('big', 'x'.repeat(1_000_000));
    const used1 = await infoField(c, 'used_memory');
    expect(used1 - used0).toBeGreaterThanOrEqual(1_000_000);
    expect(used1 - used0).toBeLessThan(1_001_000);
    await c.del('big');
    expect(await infoField(c, 'used_memory')).toBe(used0);
    expect(await infoField(c, 'used_memory_peak')).toBeGreaterThanOrEqual(used1);
    await c.config('SET', 'maxmemory', '100mb');
    expect(await infoField(c, 'maxmemory')).toBe(100 * 1024 * 1024);
    expect(await c.info('memory')).toContain('maxmemory_human:100.00M\r\n');
    await c.config('SET', 'maxmemory', '0');
  });

  it('MEMORY DOCTOR, MEMORY MALLOC-STATS, MEMORY PURGE', async () => {
    await c.flushall();
    expect(await c.memory('DOCTOR')).toMatch(/^Hi Sam, this instance is empty or is using very little memory/);
    await c.set('big', 'x'.repeat(6_000_000));
    expect(await c.memory('DOCTOR')).toMatch(/^(Hi Sam, I can't find any memory issue|Sam, I detected a few issues)/);
    await c.del('big');
    expect(await c.memory('MALLOC-STATS')).toMatch(/^___ Begin V8 heap statistics ___\ntotal_heap_size: \d+\n/);
    expect(await c.memory('PURGE')).toBe('OK');
  });
});
