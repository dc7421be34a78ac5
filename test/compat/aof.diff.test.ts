/**
 * AOF interoperability with Debian's redis-server 7.0.15, both directions: redis-server loads an
 * appendonlydir Kioku wrote (base with an RDB preamble and as RESP commands, plus incremental
 * files), and Kioku loads one redis-server wrote; the datasets must be equal (every type and
 * encoding, binary data, TTLs, several databases). Skips, saying so, without redis-server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { haveRedisServer, NO_REDIS, startRedisOracle } from '../helpers/redis-oracle.js';
import { startTestServer } from '../helpers/test-server.js';

const HAVE = haveRedisServer();
if (!HAVE) console.warn(NO_REDIS);

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-aof-compat-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let n = 0;
const newDir = () => {
  const d = path.join(tmpRoot, `d${++n}`);
  fs.mkdirSync(d);
  return d;
};

/** Writes a dataset with every type and encoding; `phase` 2 adds writes after a rewrite. */
async function populate(r: Redis, phase: 1 | 2): Promise<void> {
  const p = r.pipeline();
  if (phase === 1) {
    p.select(0);
    p.set('str', 'hello');
    p.set('int', '12345');
    p.set(Buffer.from([0, 1, 2, 255, 13, 10]), Buffer.from([255, 0, 10, 13]));
    p.set('big', 'abc'.repeat(10_000));
    p.rpush('list', 'a', 'b', '1', '2');
    p.rpush('biglist', ...Array.from({ length: 1000 }, (_, i) => `item${i}`));
    p.hset('hash', 'f', 'v', 'n', '1');
    p.hset('bighash', ...Array.from({ length: 600 }, (_, i) => [`f${i}`, `v${i}`]).flat());
    p.sadd('intset', '1', '2', '-3', '100000000000');
    p.sadd('set', 'a', 'b', 'c');
    p.sadd('bigset', ...Array.from({ length: 600 }, (_, i) => `m${i}`));
    p.zadd('zset', 1, 'a', 2.5, 'b', -1e10, 'c');
    p.zadd('bigzset', ...Array.from({ length: 300 }, (_, i) => [String(i / 7), `m${i}`]).flat());
    p.set('ttl', 'v', 'PX', 3_600_000);
    p.hset('ttlhash', 'a', 'b');
    p.expire('ttlhash', 7200);
    p.select(7);
    p.set('db7', 'seven');
    p.lpush('db7list', 'x');
  } else {
    p.select(0);
    p.incr('int');
    p.append('str', ' world');
    p.lpush('list', 'front');
    p.hdel('bighash', 'f0');
    p.srem('set', 'a');
    p.zincrby('zset', 10, 'a');
    p.del('big');
    p.call('MULTI');
    p.set('tx1', '1');
    p.set('tx2', '2');
    p.call('EXEC');
    p.select(7);
    p.set('db7b', 'late');
  }
  await p.exec();
}

type Dump = Record<string, unknown>;

/** Everything in databases 0..15, as comparable data (TTLs rounded to minutes). */
async function dumpAll(r: Redis): Promise<Dump> {
  const out: Dump = {};
  for (let db = 0; db < 16; db++) {
    await r.select(db);
    const keys = (await r.keysBuffer('*')).map((k) => k.toString('latin1')).sort();
    for (const key of keys) {
      const k = Buffer.from(key, 'latin1');
      const type = await r.type(k);
      let value: unknown;
      if (type === 'string') value = (await r.getBuffer(k))!.toString('latin1');
      else if (type === 'list') value = await r.lrange(k, 0, -1);
      else if (type === 'hash') value = Object.entries(await r.hgetall(k)).sort();
      else if (type === 'set') value = (await r.smembers(k)).sort();
      else if (type === 'zset') value = await r.zrange(k, '0', '-1', 'WITHSCORES');
      const pttl = await r.pttl(k);
      out[`${db}:${JSON.stringify(key)}`] = { type, value, ttl: pttl < 0 ? pttl : Math.round(pttl / 60_000) };
    }
  }
  await r.select(0);
  return out;
}

/** Starts redis-server with AOF on in `dir`, returns it and a client. */
async function startRedis(dir: string, preamble: boolean, timestamps = false) {
  const oracle = await startRedisOracle([
    '--appendonly', 'yes', '--dir', dir, '--aof-use-rdb-preamble', preamble ? 'yes' : 'no',
    '--aof-timestamp-enabled', timestamps ? 'yes' : 'no',
  ]);
  const r = new Redis({ port: oracle.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  return { r, stop: async () => { r.disconnect(); await oracle.stop(); } };
}

async function waitRewrite(r: Redis): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const info = await r.info('persistence');
    if (/aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info)) return;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error('rewrite did not finish');
}

describe.skipIf(!HAVE)('AOF interop with redis-server 7.0', () => {
  for (const [preamble, timestamps] of [[true, false], [false, false], [false, true]] as const) {
    const label = `${preamble ? 'RDB preamble base' : 'RESP base'}${timestamps ? ', #TS annotations' : ''}`;
    const settings = (dir: string) => ({
      appendonly: 'yes',
      dir,
      'aof-use-rdb-preamble': preamble ? 'yes' : 'no',
      'aof-timestamp-enabled': timestamps ? 'yes' : 'no',
    });
    it(`redis-server loads Kioku's appendonlydir (${label}, incr files, BGREWRITEAOF)`, async () => {
      const dir = newDir();
      const ts = await startTestServer(settings(dir));
      const k = await ts.client();
      await populate(k, 1);
      await k.bgrewriteaof();
      await waitRewrite(k);
      await populate(k, 2);
      const expected = await dumpAll(k);
      expect(Object.keys(expected).length).toBe(19);
      await ts.stop();
      const redis = await startRedis(dir, preamble, timestamps);
      try {
        expect(await dumpAll(redis.r)).toEqual(expected);
      } finally {
        await redis.stop();
      }
    });

    it(`Kioku loads redis-server's appendonlydir (${label}, incr files, BGREWRITEAOF)`, async () => {
      const dir = newDir();
      const redis = await startRedis(dir, preamble, timestamps);
      let expected: Dump;
      try {
        await populate(redis.r, 1);
        await redis.r.bgrewriteaof();
        await waitRewrite(redis.r);
        await populate(redis.r, 2);
        expected = await dumpAll(redis.r);
        expect(Object.keys(expected).length).toBe(19);
      } finally {
        await redis.stop();
      }
      const ts = await startTestServer(settings(dir));
      try {
        expect(await dumpAll(await ts.client())).toEqual(expected);
      } finally {
        await ts.stop();
      }
    });
  }

  it('the same commands give the same incremental file as redis-server (times masked)', async () => {
    const script: (string | number)[][] = [
      ['SET', 'a', '1'],
      ['SET', 'b', '2', 'EX', 100],
      ['SET', 'b2', '2', 'PX', 100000, 'NX'],
      ['SET', 'c', '3', 'EXAT', 4000000000],
      ['SET', 'c', '4', 'KEEPTTL'],
      ['SETEX', 'd', 100, 'v'],
      ['PSETEX', 'e', 100000, 'v'],
      ['EXPIRE', 'a', 100],
      ['PEXPIRE', 'a', 100000],
      ['EXPIREAT', 'a', 4000000000],
      ['PEXPIREAT', 'a', 4000000000123],
      ['PERSIST', 'a'],
      ['GETEX', 'a', 'EX', 100],
      ['GETEX', 'a', 'PERSIST'],
      ['GETDEL', 'e'],
      ['INCRBYFLOAT', 'f', '1.5'],
      ['SADD', 's', 'x'],
      ['SPOP', 's'],
      ['RPUSH', 'l', 'x', 'y'],
      ['LPOP', 'l'],
      ['BLPOP', 'l', 0],
      ['HSET', 'h', 'f', '1'],
      ['HINCRBYFLOAT', 'h', 'f', '0.5'],
      ['ZADD', 'z', 1, 'm'],
      ['BZPOPMIN', 'z', 0],
      ['MULTI'],
      ['SET', 't1', '1'],
      ['INCR', 't1'],
      ['EXEC'],
      ['SELECT', 4],
      ['SET', 'in4', 'x'],
      ['SWAPDB', 0, 4],
      ['SELECT', 0],
      ['FLUSHDB'],
      ['SET', 'gone', 'x', 'PX', 50],
      ['DEL', 'nothing'],
      ['EXPIRE', 'nothing', 10],
    ];
    const run = async (r: Redis) => {
      for (const cmd of script) await r.call(String(cmd[0]), ...cmd.slice(1).map(String)).catch(() => {});
      await new Promise((res) => setTimeout(res, 120));
      await r.get('gone');
    };
    const masked = (text: string) => text.replace(/\$13\r\n\d{13}\r\n/g, '$13\r\n<ms>\r\n');
    const redisDir = newDir();
    const redis = await startRedis(redisDir, true);
    let redisText: string;
    try {
      await redis.r.config('SET', 'hz', '1');
      await run(redis.r);
      redisText = fs.readFileSync(path.join(redisDir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'latin1');
      for (const effect of ['SREM', 'ZPOPMIN', 'PXAT', 'PEXPIREAT', 'KEEPTTL', 'MULTI', 'SWAPDB', 'DEL\r\n$4\r\ngone']) expect(redisText).toContain(effect);
    } finally {
      await redis.stop();
    }
    const kiokuDir = newDir();
    const ts = await startTestServer({ appendonly: 'yes', dir: kiokuDir, hz: '1' });
    try {
      await run(await ts.client());
      const kiokuText = fs.readFileSync(path.join(kiokuDir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'latin1');
      expect(masked(kiokuText).split('\r\n')).toEqual(masked(redisText).split('\r\n'));
    } finally {
      await ts.stop();
    }
  });

  it("redis-server loads Kioku's files after an upgrade from a single appendonly.aof", async () => {
    const dir = newDir();
    fs.writeFileSync(path.join(dir, 'appendonly.aof'), '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$3\r\nold\r\n$1\r\nv\r\n');
    const ts = await startTestServer({ appendonly: 'yes', dir });
    const k = await ts.client();
    await k.set('new', 'n');
    const expected = await dumpAll(k);
    await ts.stop();
    const redis = await startRedis(dir, true);
    try {
      expect(await dumpAll(redis.r)).toEqual(expected);
    } finally {
      await redis.stop();
    }
  });
});
