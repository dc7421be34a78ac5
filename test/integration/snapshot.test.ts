/**
 * The snapshot engine (src/persistence/snapshot.ts): while keys change under it (overwrites,
 * deletes, new keys, TTL changes, in-place changes of aggregates, FLUSHDB, SWAPDB, lazy expiry),
 * the image it writes holds every key exactly once, exactly as it was when it started.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Config } from '../../src/config.js';
import { Server } from '../../src/server.js';
import { Snapshot, type SnapshotEncoder } from '../../src/persistence/snapshot.js';
import { startTestServer } from '../helpers/test-server.js';
import type { RedisValue } from '../../src/keyspace/redis-value.js';
import { RedisList } from '../../src/datastructures/list.js';
import { RedisHash } from '../../src/datastructures/hash.js';
import type { Bytes } from '../../src/keyspace/bytes.js';
import { prng } from '../helpers/prng.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-snapshot-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A value as comparable data. */
function describeValue(v: RedisValue): unknown {
  if (typeof v === 'string') return v;
  if (v instanceof RedisList) return ['list', v.toArray()];
  if (v instanceof RedisHash) {
    const out: [Bytes, Bytes][] = [];
    v.forEach((f, x) => out.push([f, x]));
    return ['hash', out];
  }
  throw new Error(`unexpected value ${v.type}`);
}

/** Records what the snapshot emits, as [db, key, value, expireAt] rows. */
class RecordingEncoder implements SnapshotEncoder {
  rows: [number, Bytes, unknown, number | undefined][] = [];
  dbs: number[] = [];
  private db = -1;
  ended = false;
  begin(): void {}
  selectDb(index: number): void {
    this.db = index;
    this.dbs.push(index);
  }
  entry(key: Bytes, value: RedisValue, expireAt: number | undefined): void {
    this.rows.push([this.db, key, describeValue(value), expireAt]);
  }
  end(): void {
    this.ended = true;
  }
  take(): Buffer {
    return Buffer.from('x');
  }
}

function newServer(): Server {
  const config = new Config();
  config.set('dir', [tmp], { startup: true });
  return new Server({ config, logger: pino({ level: 'silent' }) });
}

/** Every key of every database as rows sorted like the recorder's. */
function image(server: Server): [number, Bytes, unknown, number | undefined][] {
  const rows: [number, Bytes, unknown, number | undefined][] = [];
  for (const db of server.keyspaces) {
    for (const [k, v] of db.data) rows.push([db.index, k, describeValue(v), db.expires.get(k)]);
  }
  return sortRows(rows);
}

function sortRows<T extends [number, Bytes, ...unknown[]]>(rows: T[]): T[] {
  return rows.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
}

function fill(server: Server, keysPerDb: number): void {
  const far = Date.now() + 3_600_000;
  for (const idx of [0, 1, 3, 4]) {
    const db = server.keyspaces[idx]!;
    for (let i = 0; i < keysPerDb; i++) {
      const key = `k:${idx}:${i}`;
      if (i % 10 === 0) db.set(key, RedisList.from([`a${i}`, `b${i}`]));
      else if (i % 10 === 1) {
        const h = new RedisHash();
        h.set('f', `v${i}`, { hashMaxListpackEntries: 128, hashMaxListpackValue: 64 });
        db.set(key, h);
      } else db.set(key, `value-${i}`);
      if (i % 7 === 0) db.setExpire(key, far + i);
    }
  }
}

/** Random changes of every kind, one batch per turn of the event loop, until `done` settles. */
async function churn(server: Server, done: Promise<void>, keysPerDb: number, seed: number, ready = () => true): Promise<number> {
  const rnd = prng(seed);
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  let turns = 0;
  const far = Date.now() + 7_200_000;
  while (!finished) {
    if (!ready()) {
      await new Promise((r) => setImmediate(r));
      continue;
    }
    turns++;
    for (let n = 0; n < 50; n++) {
      const db = server.keyspaces[[0, 1, 3, 4][Math.floor(rnd() * 4)]!]!;
      const key = `k:${db.index}:${Math.floor(rnd() * keysPerDb * 1.2)}`;
      const op = Math.floor(rnd() * 7);
      const v = db.peek(key);
      if (op === 0) db.set(key, `new-${turns}-${n}`);
      else if (op === 1) db.delete(key);
      else if (op === 2 && v !== undefined) db.setExpire(key, far + n);
      else if (op === 3 && v !== undefined) db.persist(key);
      else if (op === 4 && v instanceof RedisList) (db.getTypedForWrite(key, 'list') as unknown as RedisList).pushBack(`pushed-${turns}`);
      else if (op === 5 && v !== undefined) {
        // Deleted and created again: the key moves behind the snapshot's iterator.
        db.delete(key);
        db.set(key, `again-${turns}`);
      } else if (op === 6 && typeof v === 'string') db.overwrite(key, `${v}+`);
    }
    if (turns === 3) server.keyspaces[3]!.flush();
    if (turns === 5) server.keyspaces[1]!.swapWith(server.keyspaces[4]!);
    await new Promise((r) => setImmediate(r));
  }
  return turns;
}

describe('Snapshot', () => {
  // Changes from the start, or only once part of the first database is written (the snapshot
  // then replays what it wrote so far when the first change comes: DbImage.startTracking).
  for (const [keysPerBucket, startAt] of [[1 << 20, 0], [997, 0], [1 << 20, 2500], [997, 2500]] as const) {
    it(`writes every key once, as it was at the start, while keys change (keysPerBucket ${keysPerBucket}, changes from key ${startAt})`, async () => {
      const server = newServer();
      const keysPerDb = 6000;
      fill(server, keysPerDb);
      const before = image(server);
      const enc = new RecordingEncoder();
      const snap = Snapshot.start(server, enc, path.join(tmp, `snap-${keysPerBucket}-${startAt}.out`), { sliceMs: 0.2, keysPerBucket });
      const turns = await churn(server, snap.done, keysPerDb, keysPerBucket + startAt, () => snap.keysProcessed >= startAt);
      await snap.done;
      expect(turns).toBeGreaterThan(10); // the changes really ran during the snapshot
      expect(enc.ended).toBe(true);
      expect(enc.dbs).toEqual([0, 1, 3, 4]);
      expect(sortRows(enc.rows)).toEqual(before);
      expect(image(server)).not.toEqual(before);
      // Progress and copy-on-write accounting (INFO current_save_keys_*, current_cow_*).
      expect(snap.keysTotal).toBe(4 * keysPerDb);
      expect(snap.keysProcessed).toBe(before.length);
      expect(snap.peakKeptBytes).toBeGreaterThan(64 * 10);
      expect(snap.keptBytes).toBe(0);
      expect(server.snapshot).toBeUndefined();
      // The guards are gone once it ends.
      expect(server.snapshotGuard).toBeUndefined();
      expect(server.keyspaces.every((db) => db.writeGuard === undefined)).toBe(true);
    });
  }

  it('long keys that differ only in their middle bytes are written once each, in linear time', async () => {
    // 1,000-byte keys differing only at bytes 480-487. A hash that sampled a long key's bytes
    // (every 59th here) gave them all one hash: one probe chain in `visited`, quadratic to fill
    // (measured: 11.2 s for this snapshot, against well under a second).
    const server = newServer();
    const db = server.keyspaces[0]!;
    const keyOf = (i: number) => `${'a'.repeat(480)}${String(i).padStart(8, '0')}${'b'.repeat(512)}`;
    for (let i = 0; i < 20_000; i++) db.set(keyOf(i), `v${i}`);
    const before = image(server);
    const enc = new RecordingEncoder();
    const started = performance.now();
    const snap = Snapshot.start(server, enc, path.join(tmp, 'snap-long-keys.out'), { keysPerBucket: 7_000 });
    db.set(keyOf(5), 'changed during the snapshot');
    await snap.done;
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(sortRows(enc.rows)).toEqual(before);
  }, 30_000);

  it('keeps keys deleted by lazy expiry during the snapshot', async () => {
    const server = newServer();
    const db = server.keyspaces[0]!;
    for (let i = 0; i < 3000; i++) db.set(`e${i}`, `v${i}`);
    const soon = Date.now() + 20;
    for (let i = 0; i < 3000; i += 2) db.setExpire(`e${i}`, soon);
    await new Promise((r) => setTimeout(r, 30)); // past their TTL, still in the Map (no cron here)
    const before = image(server);
    const enc = new RecordingEncoder();
    const snap = Snapshot.start(server, enc, path.join(tmp, 'snap-expiry.out'), { sliceMs: 0.1, keysPerBucket: 500 });
    for (let i = 0; i < 3000; i++) db.peek(`e${i}`); // lazy expiry deletes the even keys
    expect(db.size).toBe(1500);
    await snap.done;
    expect(sortRows(enc.rows)).toEqual(before);
  });

  it('rdb-key-save-delay slows the snapshot down per key while the server keeps answering', async () => {
    const t = await startTestServer({ 'rdb-key-save-delay': '2000' });
    try {
      const c = await t.client();
      const p = c.pipeline();
      for (let i = 0; i < 200; i++) p.set(`k${i}`, `v${i}`);
      await p.exec();
      const started = performance.now();
      expect(await c.bgsave()).toBe('Background saving started');
      let pings = 0;
      while ((await c.info('persistence')).includes('rdb_bgsave_in_progress:1')) {
        const t0 = performance.now();
        expect(await c.ping()).toBe('PONG');
        expect(performance.now() - t0).toBeLessThan(100);
        pings++;
        await new Promise((r) => setTimeout(r, 20));
      }
      // 200 keys × 2 ms: at least 0.4 s, during which the server answered.
      expect(performance.now() - started).toBeGreaterThanOrEqual(380);
      expect(pings).toBeGreaterThan(5);
      expect((await c.info('persistence')).includes('rdb_last_bgsave_status:ok')).toBe(true);
    } finally {
      await t.stop();
    }
  });

  it('refuses a second snapshot while one runs, and a cancelled one rejects', async () => {
    const server = newServer();
    for (let i = 0; i < 20000; i++) server.keyspaces[0]!.set(`c${i}`, 'v');
    const snap = Snapshot.start(server, new RecordingEncoder(), path.join(tmp, 'snap-cancel.out'), { sliceMs: 0.1 });
    expect(() => Snapshot.start(server, new RecordingEncoder(), path.join(tmp, 'snap-2.out'))).toThrow('a snapshot is already running');
    snap.cancel();
    await expect(snap.done).rejects.toThrow('snapshot cancelled');
    expect(server.snapshotGuard).toBeUndefined();
  });
});
