/**
 * maxmemory and the eight maxmemory-policy values (memory/eviction.ts): which keys each policy
 * evicts and which it keeps, OOM under noeviction and for denyoom commands only, the effects of
 * an eviction (evicted_keys, the "evicted" event, DEL in the AOF and on a replica, WATCH), OBJECT
 * IDLETIME / FREQ, and used memory staying within maxmemory + 5% under a bounded fill loop.
 *
 * The limits are set relative to the used_memory INFO reports, with values of 10 KB, so the tests
 * do not depend on exact per-key costs (nor on the keyspace Map's table growing meanwhile). maxmemory-samples above the number of keys makes
 * the sampled policies (LFU, volatile-ttl) exact, so their victims are known.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { caughtUp, info, waitFor } from '../helpers/replication.js';
import { ManualClock } from '../../src/clock.js';

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";
const VALUE = 'x'.repeat(10_000);
/** Room for about `n` more keys of VALUE. */
const keysWorth = (n: number) => n * 10_100;

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function node(settings: Record<string, string> = {}, clock?: ManualClock): Promise<{ t: TestServer; c: Redis }> {
  const t = await startTestServer(settings, clock);
  servers.push(t);
  return { t, c: await t.client() };
}

/** SETs prefix:0 .. prefix:n-1 to VALUE (with a TTL in seconds from ttl(i), if given), pipelined. */
async function fill(c: Redis, prefix: string, n: number, ttl?: (i: number) => number): Promise<void> {
  for (let from = 0; from < n; from += 50) {
    const p = c.pipeline();
    for (let i = from; i < Math.min(n, from + 50); i++) {
      if (ttl === undefined) p.set(`${prefix}:${i}`, VALUE);
      else p.set(`${prefix}:${i}`, VALUE, 'EX', ttl(i));
    }
    for (const [err] of (await p.exec())!) if (err) throw err;
  }
}

/** Sets maxmemory to the used memory now plus `extra` bytes. */
async function limitTo(c: Redis, extra: number): Promise<void> {
  const used = Number((await info(c, 'memory')).used_memory);
  await c.config('SET', 'maxmemory', String(used + extra));
}

/** Which of prefix:0 .. prefix:n-1 exist (EXISTS does not count as an access). */
async function present(c: Redis, prefix: string, n: number): Promise<boolean[]> {
  const p = c.pipeline();
  for (let i = 0; i < n; i++) p.exists(`${prefix}:${i}`);
  const r = await p.exec();
  return r!.map(([, v]) => v === 1);
}

const evictedKeys = async (c: Redis) => Number((await info(c, 'stats')).evicted_keys);
const count = (flags: boolean[]) => flags.filter(Boolean).length;

describe('which keys each policy evicts', () => {
  it('allkeys-lru keeps the keys used recently and the new ones, evicting the least recently used', async () => {
    const { c } = await node({ 'maxmemory-policy': 'allkeys-lru' });
    await fill(c, 'old', 200);
    for (let i = 0; i < 50; i++) await c.get(`old:${i}`);
    await limitTo(c, keysWorth(50));
    await fill(c, 'new', 150);
    const evicted = await evictedKeys(c);
    expect(evicted).toBeGreaterThan(50);
    expect(evicted).toBeLessThan(150);
    const old = await present(c, 'old', 200);
    // The 50 keys read after filling are more recent than old:50..199: they all stay.
    expect(count(old.slice(0, 50))).toBe(50);
    expect(count(await present(c, 'new', 150))).toBe(150);
    // The victims are the oldest ones, in order.
    expect(old.slice(50)).toEqual(old.slice(50).map((_, i) => i >= evicted));
    expect(await c.dbsize()).toBe(350 - evicted);
  });

  it('allkeys-lfu keeps the keys accessed often', async () => {
    const { c } = await node({ 'maxmemory-policy': 'allkeys-lfu', 'lfu-log-factor': '0', 'maxmemory-samples': '1000' });
    await fill(c, 'k', 100);
    for (let i = 0; i < 100; i += 5) for (let n = 0; n < 3; n++) await c.get(`k:${i}`);
    expect(await c.object('FREQ', 'k:0')).toBe(8);
    expect(await c.object('FREQ', 'k:1')).toBe(5);
    await limitTo(c, keysWorth(20));
    await fill(c, 'new', 60);
    expect(await evictedKeys(c)).toBeGreaterThan(20);
    const k = await present(c, 'k', 100);
    expect(k.filter((_, i) => i % 5 === 0)).toEqual(Array(20).fill(true));
    expect(count(k.filter((_, i) => i % 5 !== 0))).toBeLessThan(80);
  });

  it('volatile-ttl evicts the keys that expire soonest, never a key without a TTL', async () => {
    const { c } = await node({ 'maxmemory-policy': 'volatile-ttl', 'maxmemory-samples': '1000' });
    await fill(c, 'v', 100, (i) => 1000 + i * 10);
    await fill(c, 'p', 50);
    await limitTo(c, keysWorth(20));
    await fill(c, 'q', 60);
    const evicted = await evictedKeys(c);
    expect(evicted).toBeGreaterThan(20);
    expect(await present(c, 'v', 100)).toEqual(Array.from({ length: 100 }, (_, i) => i >= evicted));
    expect(count(await present(c, 'p', 50))).toBe(50);
    expect(count(await present(c, 'q', 60))).toBe(60);
  });

  it('volatile-lru evicts the least recently used keys with a TTL, then answers OOM when none is left', async () => {
    const { c } = await node({ 'maxmemory-policy': 'volatile-lru' });
    await fill(c, 'v', 100, () => 10_000);
    await fill(c, 'p', 100);
    for (let i = 0; i < 30; i++) await c.get(`v:${i}`);
    await limitTo(c, keysWorth(20));
    await fill(c, 'q', 60);
    const evicted = await evictedKeys(c);
    expect(evicted).toBeGreaterThan(20);
    expect(evicted).toBeLessThan(70);
    const v = await present(c, 'v', 100);
    expect(count(v.slice(0, 30))).toBe(30);
    expect(v.slice(30)).toEqual(v.slice(30).map((_, i) => i >= evicted));
    expect(count(await present(c, 'p', 100))).toBe(100);
    // Keep writing keys without a TTL: the volatile ones run out, then writes are refused.
    let refused: unknown;
    for (let i = 0; i < 1000 && refused === undefined; i++) await c.set(`r:${i}`, VALUE).catch((e: unknown) => (refused = e));
    expect((refused as Error).message).toBe(OOM);
    expect(count(await present(c, 'v', 100))).toBe(0);
    expect(count(await present(c, 'p', 100))).toBe(100);
    expect(await c.get('p:0')).toBe(VALUE);
    expect(await c.del('p:1')).toBe(1);
  });

  it('volatile-lfu evicts the rarely used keys with a TTL only', async () => {
    const { c } = await node({ 'maxmemory-policy': 'volatile-lfu', 'lfu-log-factor': '0', 'maxmemory-samples': '1000' });
    await fill(c, 'v', 60, () => 10_000);
    await fill(c, 'p', 60);
    for (let i = 0; i < 60; i += 3) for (let n = 0; n < 4; n++) await c.get(`v:${i}`);
    await limitTo(c, keysWorth(10));
    await fill(c, 'q', 40);
    expect(await evictedKeys(c)).toBeGreaterThan(10);
    const v = await present(c, 'v', 60);
    expect(v.filter((_, i) => i % 3 === 0)).toEqual(Array(20).fill(true));
    expect(count(await present(c, 'p', 60))).toBe(60);
    expect(count(await present(c, 'q', 40))).toBe(40);
  });

  it('volatile-random evicts keys with a TTL only; allkeys-random evicts keys without one too', async () => {
    const { c } = await node({ 'maxmemory-policy': 'volatile-random' });
    await fill(c, 'v', 50, () => 10_000);
    await fill(c, 'p', 50);
    await limitTo(c, keysWorth(10));
    await fill(c, 'q', 30);
    expect(await evictedKeys(c)).toBeGreaterThan(10);
    expect(count(await present(c, 'v', 50))).toBeLessThan(40);
    expect(count(await present(c, 'p', 50))).toBe(50);
    await c.config('SET', 'maxmemory-policy', 'allkeys-random');
    await fill(c, 'r', 60);
    expect(count(await present(c, 'p', 50))).toBeLessThan(50);
  });
});

describe('LRU order and iteration', () => {
  it('SCAN under allkeys-lru returns every key, though the lookups between its calls move keys', async () => {
    const { c } = await node({ 'maxmemory-policy': 'allkeys-lru' });
    const p = c.pipeline();
    for (let i = 0; i < 500; i++) p.set(`s:${i}`, 'v');
    await p.exec();
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, keys] = await c.scan(cursor, 'COUNT', 20);
      for (const k of keys) seen.add(k);
      // Read keys on both sides of the cursor: each moves to the end of the keyspace Map.
      const reads = c.pipeline();
      for (let i = 0; i < 20; i++) reads.get(`s:${(calls * 37 + i * 23) % 500}`);
      await reads.exec();
      cursor = next;
      calls++;
    } while (cursor !== '0' && calls < 1000);
    expect(cursor).toBe('0');
    expect(seen.size).toBe(500);
  });
});

describe('noeviction and OOM', () => {
  it('refuses denyoom commands with Redis OOM text; reads and deletions still run', async () => {
    const { c } = await node();
    await fill(c, 'k', 20);
    await limitTo(c, -keysWorth(5));
    await expect(c.set('x', '1')).rejects.toThrow(OOM);
    await expect(c.lpush('l', 'a')).rejects.toThrow(OOM);
    await expect(c.append('k:0', 'more')).rejects.toThrow(OOM);
    expect(await c.get('k:0')).toBe(VALUE);
    expect(await c.exists('k:1')).toBe(1);
    expect(await c.del('k:1', 'k:2', 'k:3', 'k:4', 'k:5', 'k:6', 'k:7', 'k:8')).toBe(8);
    expect(await c.set('x', '1')).toBe('OK');
    expect(await evictedKeys(c)).toBe(0);
    expect(Number((await info(c, 'stats')).current_eviction_exceeded_time)).toBe(0);
  });

  it('inside MULTI refuses every command but EXEC/DISCARD; EXEC of a denyoom command aborts', async () => {
    const { c } = await node();
    const other = await servers[0]!.client();
    await fill(c, 'k', 10);
    await limitTo(c, -keysWorth(3));
    expect(await c.call('MULTI')).toBe('OK');
    await expect(c.call('GET', 'k:0')).rejects.toThrow(OOM);
    await expect(c.call('EXEC')).rejects.toThrow('EXECABORT Transaction discarded because of previous errors.');
    await c.config('SET', 'maxmemory', '0');
    expect(await c.call('MULTI')).toBe('OK');
    expect(await c.call('SET', 'k:0', 'v')).toBe('QUEUED');
    await limitTo(other, -keysWorth(3));
    await expect(c.call('EXEC')).rejects.toThrow(`EXECABORT Transaction discarded because of: ${OOM}`);
    await expect(c.call('EXEC')).rejects.toThrow('ERR EXEC without MULTI');
    expect(await c.get('k:0')).toBe(VALUE);
  });
});

describe('what an eviction does', () => {
  it('counts evicted_keys, fires "evicted", writes DEL to the AOF, touches WATCH', async () => {
    const { t, c } = await node({ 'maxmemory-policy': 'allkeys-lru', appendonly: 'yes', 'notify-keyspace-events': 'Ee' });
    const sub = await t.client();
    const events: string[] = [];
    sub.on('message', (_ch: string, key: string) => events.push(key));
    await sub.subscribe('__keyevent@0__:evicted');
    const watcher = await t.client();
    await fill(c, 'k', 50);
    await watcher.watch('k:0');
    await limitTo(c, keysWorth(5));
    await fill(c, 'n', 20);
    const evicted = await evictedKeys(c);
    expect(evicted).toBeGreaterThan(10);
    const gone = (await present(c, 'k', 50)).flatMap((p, i) => (p ? [] : [`k:${i}`]));
    expect(gone.length).toBe(evicted);
    expect(gone[0]).toBe('k:0');
    await waitFor('the evicted events', async () => events.length === evicted);
    expect(events).toEqual(gone);
    expect(await watcher.multi().set('w', '1').exec()).toBeNull();
    const dir = String((await c.config('GET', 'dir'))[1]);
    const aof = path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    await waitFor('the AOF to hold the DELs', async () => fs.readFileSync(aof, 'latin1').includes(`DEL\r\n$${gone.at(-1)!.length}\r\n${gone.at(-1)}\r\n`));
    const text = fs.readFileSync(aof, 'latin1');
    for (const key of gone) expect(text).toContain(`*2\r\n$3\r\nDEL\r\n$${key.length}\r\n${key}\r\n`);
  });

  it('a replica receives the DELs and does not evict by itself', async () => {
    const p = await node({ 'maxmemory-policy': 'allkeys-lru', 'repl-diskless-sync-delay': '0' });
    const r = await node({ 'maxmemory-policy': 'allkeys-lru' });
    expect(await r.c.call('REPLICAOF', '127.0.0.1', String(p.t.port))).toBe('OK');
    await fill(p.c, 'k', 40);
    await caughtUp(p.c, r.c);
    // The replica's own limit is lower still, but replica-ignore-maxmemory leaves it to the primary.
    await r.c.config('SET', 'maxmemory', '1');
    await limitTo(p.c, keysWorth(5));
    await fill(p.c, 'n', 20);
    await caughtUp(p.c, r.c);
    expect(await evictedKeys(p.c)).toBeGreaterThan(10);
    expect(await evictedKeys(r.c)).toBe(0);
    expect(await r.c.dbsize()).toBe(await p.c.dbsize());
    expect(await present(r.c, 'k', 40)).toEqual(await present(p.c, 'k', 40));
  });
});

describe('OBJECT IDLETIME and FREQ', () => {
  it('IDLETIME counts seconds since the last access; FREQ answers only under an LFU policy', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const { c } = await node({ 'maxmemory-policy': 'allkeys-lru' }, clock);
    await c.set('k', 'v');
    expect(await c.object('IDLETIME', 'k')).toBe(0);
    clock.advance(5_000);
    expect(await c.object('IDLETIME', 'k')).toBe(5);
    await c.get('k');
    expect(await c.object('IDLETIME', 'k')).toBe(0);
    await expect(c.object('FREQ', 'k')).rejects.toThrow(
      'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
    await c.config('SET', 'maxmemory-policy', 'allkeys-lfu');
    await expect(c.object('IDLETIME', 'k')).rejects.toThrow('ERR An LFU maxmemory policy is selected, idle time not tracked.');
    await c.config('SET', 'lfu-log-factor', '0');
    await c.set('f', 'v');
    for (let i = 0; i < 10; i++) await c.get('f');
    expect(await c.object('FREQ', 'f')).toBe(15);
    // lfu-decay-time 1: one point less per idle minute.
    clock.advance(3 * 60_000);
    expect(await c.object('FREQ', 'f')).toBe(12);
  });
});

describe('the memory limit holds', () => {
  it('allkeys-lru with maxmemory 100mb: a 200 MB fill never takes used_memory above 105 MB', async () => {
    const { c } = await node({ maxmemory: '100mb', 'maxmemory-policy': 'allkeys-lru' });
    const big = 'v'.repeat(64 * 1024);
    let peak = 0;
    for (let batch = 0; batch < 64; batch++) {
      const p = c.pipeline();
      for (let i = 0; i < 50; i++) p.set(`big:${batch}:${i}`, big);
      await p.exec();
      peak = Math.max(peak, Number((await info(c, 'memory')).used_memory));
    }
    expect(peak).toBeGreaterThan(90 * 1024 * 1024);
    expect(peak).toBeLessThanOrEqual(105 * 1024 * 1024);
    expect(await evictedKeys(c)).toBeGreaterThan(1000);
  }, 60_000);

  it('allkeys-lru with maxmemory 100mb and a million small keys: the keyspace table never doubles past the limit', async () => {
    // ~112 bytes a key (key string, 60-byte value) plus its table slots: about 670k keys fit, with
    // a table of 2^20 slots (29 MB). Churning through 1.6M distinct keys fills that table with
    // deleted slots; with more than half of it live, V8 would double it (+29 MB, 128% of the
    // limit) but for the eviction's in-place compaction.
    const { t, c } = await node({ maxmemory: '100mb', 'maxmemory-policy': 'allkeys-lru' });
    const limit = 100 * 1024 * 1024;
    const total = 1_600_000;
    const value = 'v'.repeat(60);
    for (let from = 0; from < total; from += 2000) {
      const p = c.pipeline();
      for (let i = from; i < from + 2000; i++) p.set(`k:${i}`, value);
      await p.exec();
    }
    const mem = await info(c, 'memory');
    expect(Number(mem.used_memory_peak)).toBeGreaterThan(limit * 0.95);
    expect(Number(mem.used_memory_peak)).toBeLessThanOrEqual(limit * 1.05);
    expect(t.server.keyspaces[0]!.memory.main.slots).toBe(2 ** 20);
    // What fits is kept (the table up to 3/4 full), and it is the newest keys.
    const keys = await c.dbsize();
    expect(keys).toBeGreaterThan(600_000);
    expect(await evictedKeys(c)).toBe(total - keys);
    expect(count(await present(c, 'k', 1000))).toBe(0);
    const newest = await c.mget(...Array.from({ length: 1000 }, (_, i) => `k:${total - 1000 + i}`));
    expect(newest.every((v) => v === value)).toBe(true);
  }, 120_000);
});
