/**
 * RDB persistence through real clients: SAVE, BGSAVE (a point-in-time image while clients write),
 * LASTSAVE and INFO persistence, save points, SHUTDOWN SAVE/NOSAVE, FLUSHALL with save points,
 * DEBUG RELOAD, loading dump.rdb at start (with -LOADING meanwhile), and dump.rdb files exchanged
 * with redis-server 7.0 in both directions.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startTestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { haveRedisServer, startRedisOracle } from '../helpers/redis-oracle.js';
import { pino } from 'pino';
import { Config } from '../../src/config.js';
import { Server } from '../../src/server.js';
import { readDataset } from '../helpers/dataset.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-rdb-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** One key of every type and encoding, in two databases, some with TTLs. */
async function fillMixed(c: Redis): Promise<void> {
  await c.set('str', 'hello');
  await c.set('int', '12345');
  await c.set('neg', '-9000000000');
  await c.set('big', 'x'.repeat(5000)); // LZF
  await c.set('bin', Buffer.from([0, 1, 2, 255, 13, 10]));
  await c.set('ttl', 'v', 'PX', 3_600_000);
  await c.rpush('list', 'a', 'b', '1', '2');
  await c.rpush('biglist', ...Array.from({ length: 1000 }, (_, i) => `item-${i}`));
  await c.hset('hash', 'f1', 'v1', 'f2', '2');
  await c.hset('bighash', ...Array.from({ length: 600 }, (_, i) => [`f${i}`, `v${i}`]).flat());
  await c.sadd('intset', '1', '2', '-3', '100000');
  await c.sadd('set', 'a', 'b', 'c');
  await c.zadd('zset', 1, 'a', 2.5, 'b', -1, 'c');
  await c.zadd('bigzset', ...Array.from({ length: 300 }, (_, i) => [i * 1.5, `m${i}`]).flat());
  await c.expire('bigzset', 5000);
  await c.select(3);
  await c.set('in-db3', 'yes');
  await c.select(0);
}

function infoField(info: string, name: string): string {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(info);
  if (m === null) throw new Error(`no ${name} in INFO`);
  return m[1]!.trim();
}

async function waitBgsave(c: Redis): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (infoField(await c.info('persistence'), 'rdb_bgsave_in_progress') === '0') return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('BGSAVE did not finish');
}

describe('SAVE and restart', () => {
  it('SAVE writes dump.rdb, and a server started on it has the same dataset', async () => {
    const dir = tempDir();
    const a = await startTestServer({ dir });
    const c = await a.client();
    await fillMixed(c);
    const before = await readDataset(c);
    const lastBefore = await c.lastsave();
    expect(await c.save()).toBe('OK');
    expect(fs.existsSync(path.join(dir, 'dump.rdb'))).toBe(true);
    expect(await c.lastsave()).toBeGreaterThanOrEqual(lastBefore);
    const info = await c.info('persistence');
    expect(infoField(info, 'rdb_changes_since_last_save')).toBe('0');
    expect(infoField(info, 'rdb_saves')).toBe('1');
    await a.stop();

    const b = await startTestServer({ dir });
    const c2 = await b.client();
    expect(await readDataset(c2)).toEqual(before);
    expect(infoField(await c2.info('persistence'), 'rdb_last_load_keys_loaded')).toBe('15');
    expect(await c2.object('ENCODING', 'intset')).toBe('intset');
    expect(await c2.object('ENCODING', 'bighash')).toBe('hashtable');
    expect(await c2.object('ENCODING', 'zset')).toBe('listpack');
    await b.stop();
  });

  it('skips keys whose TTL passed while the server was down', async () => {
    const dir = tempDir();
    const a = await startTestServer({ dir });
    const c = await a.client();
    await c.set('short', 'v', 'PX', 50);
    await c.set('long', 'v');
    await c.save();
    await a.stop();
    await new Promise((r) => setTimeout(r, 80));
    const b = await startTestServer({ dir });
    const c2 = await b.client();
    expect(await c2.keys('*')).toEqual(['long']);
    const info = await c2.info('persistence');
    expect(infoField(info, 'rdb_last_load_keys_expired')).toBe('1');
    expect(infoField(info, 'rdb_last_load_keys_loaded')).toBe('1');
    await b.stop();
  });

  it('a damaged dump.rdb stops the start with an error instead of loading part of it', async () => {
    const dir = tempDir();
    const a = await startTestServer({ dir });
    const c = await a.client();
    await fillMixed(c);
    await c.save();
    await a.stop();
    const file = path.join(dir, 'dump.rdb');
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 40));
    await expect(startTestServer({ dir })).rejects.toThrow();
  });
});

describe('BGSAVE', () => {
  it('writes the dataset as it was when it started while clients keep writing (backup and restore: same DEBUG DIGEST)', async () => {
    const dir = tempDir();
    const a = await startTestServer({ dir });
    const c = await a.client();
    const writer = await a.client();
    const pipe = c.pipeline();
    for (let i = 0; i < 30000; i++) pipe.set(`key:${i}`, `value:${i}`);
    for (let i = 0; i < 200; i++) pipe.rpush(`list:${i}`, 'a', 'b', 'c');
    await pipe.exec();
    const before = await readDataset(c);
    const digest = await c.call('DEBUG', 'DIGEST');
    expect(await c.bgsave()).toBe('Background saving started');
    const during = await c.info('persistence');
    expect(infoField(during, 'rdb_bgsave_in_progress')).toBe('1');
    expect(infoField(during, 'current_save_keys_total')).toBe('30200');
    // Overwrite, delete, create and change in place while the image is written.
    let writes = 0;
    let saving = true;
    const done = waitBgsave(c).then(() => (saving = false));
    while (saving) {
      const p = writer.pipeline();
      for (let j = 0; j < 100; j++, writes++) {
        p.set(`key:${(writes * 7919) % 30000}`, 'changed');
        p.del(`key:${(writes * 104729) % 30000}`);
        p.set(`new:${writes}`, 'new');
        p.rpush(`list:${writes % 200}`, 'more');
        p.expire(`key:${(writes * 31) % 30000}`, 1000);
      }
      await p.exec();
    }
    await done;
    expect(writes).toBeGreaterThan(0);
    const info = await c.info('persistence');
    expect(infoField(info, 'rdb_last_bgsave_status')).toBe('ok');
    // Keys overwritten during the save were kept (copy-on-write); nothing is kept any more.
    expect(Number(infoField(info, 'rdb_last_cow_size'))).toBeGreaterThan(0);
    expect(infoField(info, 'current_cow_size')).toBe('0');
    expect(infoField(info, 'current_save_keys_total')).toBe('0');
    await a.stop();

    // Restore: a new server started on the file has the dataset of the moment BGSAVE began.
    const b = await startTestServer({ dir });
    const c2 = await b.client();
    expect(await readDataset(c2)).toEqual(before);
    expect(await c2.call('DEBUG', 'DIGEST')).toBe(digest);
    await b.stop();
  });

  it('answers Redis errors: already in progress, SCHEDULE, syntax', async () => {
    const a = await startTestServer();
    const c = await a.client();
    const pipe = c.pipeline();
    for (let i = 0; i < 50000; i++) pipe.set(`k${i}`, 'v');
    await pipe.exec();
    const raw = await RawConnection.connect(a.port);
    expect(await raw.call('BGSAVE', 'now')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('BGSAVE', 'SCHEDULE', 'x')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('BGSAVE')).toBe('+Background saving started\r\n');
    expect(await raw.call('BGSAVE')).toBe('-ERR Background save already in progress\r\n');
    expect(await raw.call('BGSAVE', 'SCHEDULE')).toBe('-ERR Background save already in progress\r\n');
    expect(await raw.call('SAVE')).toBe('-ERR Background save already in progress\r\n');
    await waitBgsave(c);
    expect(await raw.call('SAVE')).toBe('+OK\r\n');
    raw.close();
    await a.stop();
  });

  it('a save point starts a BGSAVE once enough changes are old enough', async () => {
    const dir = tempDir();
    const a = await startTestServer({ dir, save: '' });
    const c = await a.client();
    await c.set('k', 'v');
    await c.config('SET', 'save', '1 1');
    for (let i = 0; i < 300 && !fs.existsSync(path.join(dir, 'dump.rdb')); i++) await new Promise((r) => setTimeout(r, 10));
    expect(fs.existsSync(path.join(dir, 'dump.rdb'))).toBe(true);
    await waitBgsave(c);
    expect(infoField(await c.info('persistence'), 'rdb_changes_since_last_save')).toBe('0');
    await a.stop();
  });
});

describe('stop-writes-on-bgsave-error', () => {
  it('after a failed BGSAVE, writes and PING get MISCONF until a save succeeds or the option is off', async () => {
    const dir = tempDir();
    const a = await startTestServer({ dir, save: '3600 1' });
    const c = await a.client();
    await c.set('a', '1');
    fs.mkdirSync(path.join(dir, 'dump.rdb', 'x'), { recursive: true }); // the final rename fails
    expect(await c.bgsave()).toBe('Background saving started');
    await waitBgsave(c);
    expect(infoField(await c.info('persistence'), 'rdb_last_bgsave_status')).toBe('err');
    const raw = await RawConnection.connect(a.port);
    const misconf =
      "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.\r\n";
    expect(await raw.call('SET', 'b', '1')).toBe(misconf);
    expect(await raw.call('PING')).toBe(misconf);
    expect(await raw.call('GET', 'a')).toBe('$1\r\n1\r\n');
    expect(await raw.call('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no')).toBe('+OK\r\n');
    expect(await raw.call('SET', 'b', '1')).toBe('+OK\r\n');
    expect(await raw.call('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'yes')).toBe('+OK\r\n');
    expect(await raw.call('SET', 'b', '2')).toBe(misconf);
    expect(await raw.call('SAVE')).toBe('-ERR\r\n');
    fs.rmSync(path.join(dir, 'dump.rdb'), { recursive: true });
    expect(await raw.call('SAVE')).toBe('+OK\r\n');
    expect(infoField(await c.info('persistence'), 'rdb_last_bgsave_status')).toBe('ok');
    expect(await raw.call('SET', 'b', '3')).toBe('+OK\r\n');
    raw.close();
    await a.stop();
  });
});

describe('SHUTDOWN and FLUSHALL', () => {
  async function shutdownWith(dir: string, save: string, ...args: string[]): Promise<void> {
    const a = await startTestServer({ dir, save });
    const c = await a.client();
    await c.set('k', 'v');
    const raw = await RawConnection.connect(a.port);
    raw.send('SHUTDOWN', ...args);
    expect(await raw.readUntilClosed()).toBe('');
    await a.stop();
  }

  it('SHUTDOWN saves when save points are configured, SHUTDOWN NOSAVE does not, SHUTDOWN SAVE always does', async () => {
    const d1 = tempDir();
    await shutdownWith(d1, '3600 1');
    expect(fs.existsSync(path.join(d1, 'dump.rdb'))).toBe(true);
    const d2 = tempDir();
    await shutdownWith(d2, '3600 1', 'NOSAVE');
    expect(fs.existsSync(path.join(d2, 'dump.rdb'))).toBe(false);
    const d3 = tempDir();
    await shutdownWith(d3, '');
    expect(fs.existsSync(path.join(d3, 'dump.rdb'))).toBe(false);
    const d4 = tempDir();
    await shutdownWith(d4, '', 'SAVE');
    expect(fs.existsSync(path.join(d4, 'dump.rdb'))).toBe(true);
  });

  it('SHUTDOWN is refused when the final save fails, unless FORCE', async () => {
    const dir = tempDir();
    const a = await startTestServer({ dir, save: '3600 1' });
    const c = await a.client();
    await c.set('k', 'v');
    fs.rmSync(dir, { recursive: true });
    const raw = await RawConnection.connect(a.port);
    expect(await raw.call('SHUTDOWN')).toBe('-ERR Errors trying to SHUTDOWN. Check logs.\r\n');
    expect(await raw.call('PING')).toBe('+PONG\r\n');
    raw.send('SHUTDOWN', 'FORCE');
    expect(await raw.readUntilClosed()).toBe('');
    await a.stop();
  });

  it('FLUSHALL with save points writes the empty dataset at once', async () => {
    const dir = tempDir();
    const a = await startTestServer({ dir, save: '3600 1' });
    const c = await a.client();
    await c.set('k', 'v');
    await c.save();
    await c.flushall();
    await a.stop();
    const b = await startTestServer({ dir });
    expect(await (await b.client()).dbsize()).toBe(0);
    await b.stop();
  });
});

describe('loading', () => {
  it('answers -LOADING while dump.rdb loads, and INFO says loading:1', async () => {
    const dir = tempDir();
    const a = await startTestServer({ dir });
    const c = await a.client();
    for (let n = 0; n < 5; n++) {
      const pipe = c.pipeline();
      for (let i = 0; i < 60000; i++) pipe.set(`key:${n}:${i}`, `value:${i}`);
      await pipe.exec();
    }
    await c.save();
    await a.stop();

    const config = new Config();
    for (const [k, v] of [['port', '0'], ['bind', '127.0.0.1'], ['dir', dir]]) config.set(k!, [v!], { startup: true });
    const b = new Server({ config, logger: pino({ level: 'silent' }) });
    let started = false;
    const starting = b.start().then(() => (started = true));
    // The server listens before it loads.
    while (b.port === 0) await new Promise((r) => setImmediate(r));
    const raw = await RawConnection.connect(b.port);
    expect(await raw.call('GET', 'key:0:1')).toBe('-LOADING Redis is loading the dataset in memory\r\n');
    expect(await raw.call('INFO', 'persistence')).toMatch(/\r\nloading:1\r\n[^]*\r\nloading_loaded_perc:/);
    expect(started).toBe(false);
    // ioredis, connecting meanwhile, waits for loading:0 (its ready check) and then gets the value.
    const io = new Redis({ port: b.port, host: '127.0.0.1' });
    const got = io.get('key:3:12345');
    await starting;
    expect(await got).toBe('value:12345');
    io.disconnect();
    expect(await raw.call('GET', 'key:4:59999')).toBe('$11\r\nvalue:59999\r\n');
    raw.close();
    await b.stop();
  });
});

describe('DEBUG RELOAD', () => {
  it('saves, empties and loads the dataset again', async () => {
    const a = await startTestServer();
    const c = await a.client();
    await fillMixed(c);
    const before = await readDataset(c);
    expect(await c.call('DEBUG', 'RELOAD')).toBe('OK');
    expect(await readDataset(c)).toEqual(before);
    const raw = await RawConnection.connect(a.port);
    expect(await raw.call('DEBUG', 'RELOAD', 'BOGUS')).toBe('-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n');
    raw.close();
    await a.stop();
  });
});

describe.runIf(haveRedisServer())('dump.rdb exchanged with redis-server 7.0', () => {
  it('redis-server loads the dump.rdb Kioku wrote: same dataset and DEBUG DIGEST', async () => {
    const dir = tempDir();
    const a = await startTestServer({ dir });
    const c = await a.client();
    await fillMixed(c);
    const before = await readDataset(c);
    const digest = await c.call('DEBUG', 'DIGEST');
    await c.save();
    await a.stop();
    const redis = await startRedisOracle(['--dir', dir]);
    const r = new Redis({ port: redis.port, host: '127.0.0.1' });
    expect(await readDataset(r)).toEqual(before);
    expect(await r.call('DEBUG', 'DIGEST')).toBe(digest);
    r.disconnect();
    await redis.stop();
  });

  it('Kioku loads the dump.rdb redis-server wrote: same dataset and DEBUG DIGEST', async () => {
    const dir = tempDir();
    const redis = await startRedisOracle(['--dir', dir]);
    const r = new Redis({ port: redis.port, host: '127.0.0.1' });
    await fillMixed(r);
    const before = await readDataset(r);
    const digest = await r.call('DEBUG', 'DIGEST');
    await r.save();
    r.disconnect();
    await redis.stop();
    const a = await startTestServer({ dir });
    const c = await a.client();
    expect(await readDataset(c)).toEqual(before);
    expect(await c.call('DEBUG', 'DIGEST')).toBe(digest);
    await a.stop();
  });
});
