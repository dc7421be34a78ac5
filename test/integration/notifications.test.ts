/**
 * Keyspace notifications (notify-keyspace-events): a subscriber on `__keyevent@0__:*` and
 * `__keyspace@0__:*` sees the exact event sequence Redis 7.0 publishes for each command family
 * (strings, keys and expiry, lists including blocking pops, hashes, sets, sorted sets, SORT),
 * `expired` from lazy and active expiry, `new` with the n flag, the class filtering of every flag,
 * other databases' channels, CONFIG SET/GET of the flags, and the exact RESP2/RESP3 frames.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';

const END = '__keyevent@0__:zz-end';

/** Both messages of one event on `key` in db 0: the keyspace one, then the keyevent one. */
const ev = (event: string, key: string, db = 0): string[] => [`__keyspace@${db}__:${key} ${event}`, `__keyevent@${db}__:${event} ${key}`];
const evs = (...pairs: [string, string][]): string[] => pairs.flatMap(([e, k]) => ev(e, k));

describe('keyspace notifications', () => {
  let t: TestServer;
  let cmd: Redis;
  let sub: Redis;
  let received: string[] = [];
  let ended: (() => void) | undefined;

  beforeAll(async () => {
    t = await startTestServer();
    cmd = await t.client({ protocol: 2 });
    sub = await t.client({ protocol: 2 });
    sub.on('pmessage', (_pattern: string, channel: string, message: string) => {
      if (channel === END) ended?.();
      else received.push(`${channel} ${message}`);
    });
    await sub.psubscribe('__keyevent@0__:*', '__keyspace@0__:*');
  });
  afterAll(async () => {
    await t.stop();
  });
  afterEach(async () => {
    await cmd.config('SET', 'notify-keyspace-events', '');
    await cmd.flushall();
  });

  /** Runs the commands on empty databases with `flags` set; returns every event message they caused, in order. */
  async function events(flags: string, commands: (string | number)[][]): Promise<string[]> {
    await cmd.flushall();
    await cmd.config('SET', 'notify-keyspace-events', flags);
    received = [];
    for (const c of commands) await cmd.call(String(c[0]), ...c.slice(1).map(String)).catch(() => undefined);
    const done = new Promise<void>((resolve) => (ended = resolve));
    await cmd.publish(END, 'x');
    await done;
    return received;
  }

  it('strings: set, expire, incrby, incrbyfloat, append, setrange, del, persist (SET SETEX GETSET MSET INCR APPEND SETRANGE GETDEL GETEX)', async () => {
    expect(
      await events('KEA', [
        ['SET', 's', 'v'], ['SET', 's', 'v', 'EX', 100], ['SET', 's', 'v', 'NX'], ['SETNX', 's2', 'x'], ['SETEX', 's3', 10, 'x'],
        ['PSETEX', 's4', 10000, 'x'], ['GETSET', 's', 'w'], ['MSET', 'a', 1, 'b', 2], ['MSETNX', 'a', 1, 'c', 2], ['MSETNX', 'c', 1],
        ['INCR', 'n'], ['DECR', 'n'], ['INCRBY', 'n', 2], ['DECRBY', 'n', 2], ['INCRBYFLOAT', 'n', '0.5'],
        ['APPEND', 'p', 'x'], ['SETRANGE', 'p', 3, 'y'], ['SETRANGE', 'p', 0, ''], ['GETDEL', 'p'], ['GETDEL', 'p'],
        ['GETEX', 's', 'EX', 100], ['GETEX', 's', 'PERSIST'], ['GETEX', 's', 'PERSIST'], ['GETEX', 's', 'PXAT', 1],
      ]),
    ).toEqual(
      evs(
        ['set', 's'], ['set', 's'], ['expire', 's'], ['set', 's2'], ['set', 's3'], ['expire', 's3'], ['set', 's4'], ['expire', 's4'],
        ['set', 's'], ['set', 'a'], ['set', 'b'], ['set', 'c'], ['incrby', 'n'], ['incrby', 'n'], ['incrby', 'n'], ['incrby', 'n'],
        ['incrbyfloat', 'n'], ['append', 'p'], ['setrange', 'p'], ['del', 'p'], ['expire', 's'], ['persist', 's'], ['del', 's'],
      ),
    );
  });

  it('new (n flag) fires before the command event when a key is created, also when given with A', async () => {
    expect(await events('KEAn', [['SET', 'k', 'v'], ['SET', 'k', 'w'], ['RPUSH', 'l', 'a'], ['RPUSH', 'l', 'b']])).toEqual(
      evs(['new', 'k'], ['set', 'k'], ['set', 'k'], ['new', 'l'], ['rpush', 'l'], ['rpush', 'l']),
    );
    expect(await cmd.config('GET', 'notify-keyspace-events')).toEqual(['notify-keyspace-events', 'AKE']);
    expect(await events('En', [['SET', 'k2', 'v'], ['HSET', 'h', 'f', 'v']])).toEqual(['__keyevent@0__:new k2', '__keyevent@0__:new h']);
  });

  it('keys: del, rename_from/rename_to, copy_to, move_from/move_to, expire, persist (DEL UNLINK RENAME RENAMENX COPY MOVE EXPIRE PEXPIRE EXPIREAT PEXPIREAT PERSIST)', async () => {
    expect(
      await events('KEA', [
        ['SET', 'a', 1], ['DEL', 'a', 'nokey'], ['SET', 'a', 1], ['UNLINK', 'a'], ['SET', 'a', 1], ['RENAME', 'a', 'b'],
        ['RENAMENX', 'b', 'c'], ['RENAMENX', 'nokey', 'c'], ['COPY', 'c', 'd'], ['COPY', 'c', 'd'], ['EXPIRE', 'd', 100],
        ['PEXPIRE', 'd', 100000], ['EXPIREAT', 'd', 9999999999], ['PEXPIREAT', 'd', 9999999999999], ['EXPIRE', 'd', 10, 'NX'],
        ['PERSIST', 'd'], ['PERSIST', 'd'], ['EXPIRE', 'd', -1], ['SWAPDB', 0, 1], ['SWAPDB', 0, 1], ['FLUSHDB'],
      ]),
    ).toEqual(
      evs(
        ['set', 'a'], ['del', 'a'], ['set', 'a'], ['del', 'a'], ['set', 'a'], ['rename_from', 'a'], ['rename_to', 'b'],
        ['rename_from', 'b'], ['rename_to', 'c'], ['copy_to', 'd'], ['expire', 'd'], ['expire', 'd'], ['expire', 'd'],
        ['expire', 'd'], ['persist', 'd'], ['del', 'd'],
      ),
    );
  });

  it('MOVE and COPY DB publish on the other database\'s channels; SELECT changes the database in the channel', async () => {
    const all = await t.client({ protocol: 2 });
    const got: string[] = [];
    all.on('pmessage', (_p: string, ch: string, m: string) => {
      if (ch !== END) got.push(`${ch} ${m}`);
    });
    await all.psubscribe('__key*__:*');
    await events('KEA', [['SET', 'm', 1], ['MOVE', 'm', 3], ['SELECT', 3], ['COPY', 'm', 'm', 'DB', 5], ['SELECT', 0]]);
    await cmd.select(0);
    expect(got).toEqual([...ev('set', 'm'), ...ev('move_from', 'm'), ...ev('move_to', 'm', 3), ...ev('copy_to', 'm', 5)]);
    all.disconnect();
  });

  it('expired: from lazy expiry (a read of a key past its TTL) and from active expiry', async () => {
    expect(await events('KEA', [['SET', 'x', 1, 'PX', 1], ['DEBUG', 'SLEEP', '0.005'], ['GET', 'x']])).toEqual(
      evs(['set', 'x'], ['expire', 'x'], ['expired', 'x']),
    );
    await cmd.config('SET', 'notify-keyspace-events', 'Ex');
    received = [];
    await cmd.set('y', '1', 'PX', 20);
    const deadline = Date.now() + 3000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(received).toEqual(['__keyevent@0__:expired y']);
    expect(await cmd.exists('y')).toBe(0);
  });

  it('lists: lpush, rpush, lpop, rpop, linsert, lset, lrem, ltrim, del (LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LINSERT LSET LREM LTRIM LMOVE RPOPLPUSH LMPOP)', async () => {
    expect(
      await events('KEA', [
        ['LPUSH', 'l', 'a', 'b'], ['RPUSH', 'l', 'c'], ['LPUSHX', 'l', 'd'], ['RPUSHX', 'l', 'e'], ['RPUSHX', 'nokey', 'e'],
        ['LINSERT', 'l', 'BEFORE', 'a', 'z'], ['LSET', 'l', 0, 'q'], ['LREM', 'l', 0, 'z'], ['LTRIM', 'l', 0, -1], ['LTRIM', 'l', 0, 2],
        ['LPOP', 'l'], ['RPOP', 'l', 5], ['RPUSH', 'm', 1, 2], ['RPOPLPUSH', 'm', 'o'], ['LMOVE', 'm', 'm', 'LEFT', 'RIGHT'],
        ['LMOVE', 'm', 'o', 'LEFT', 'LEFT'], ['LMPOP', 1, 'o', 'RIGHT', 'COUNT', 10],
      ]),
    ).toEqual(
      evs(
        ['lpush', 'l'], ['rpush', 'l'], ['lpush', 'l'], ['rpush', 'l'], ['linsert', 'l'], ['lset', 'l'], ['lrem', 'l'],
        ['ltrim', 'l'], ['ltrim', 'l'], ['lpop', 'l'], ['rpop', 'l'], ['del', 'l'], ['rpush', 'm'], ['lpush', 'o'], ['rpop', 'm'],
        ['rpush', 'm'], ['lpop', 'm'], ['lpush', 'o'], ['lpop', 'm'], ['del', 'm'], ['rpop', 'o'], ['del', 'o'],
      ),
    );
  });

  it('blocking pops publish their serving command\'s events, also when woken by a push (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP)', async () => {
    const blocked = await t.client({ protocol: 2 });
    await cmd.config('SET', 'notify-keyspace-events', 'KEA');
    received = [];
    const served = blocked.blpop('w', 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(await events('KEA', [['RPUSH', 'w', 'x']])).toEqual(evs(['rpush', 'w'], ['lpop', 'w'], ['del', 'w']));
    expect(await served).toEqual(['w', 'x']);
    expect(
      await events('KEA', [
        ['RPUSH', 'a', 1, 2, 3, 4], ['BRPOP', 'a', 0], ['BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', 0], ['BRPOPLPUSH', 'a', 'b', 0], ['BLMPOP', 0, 1, 'a', 'LEFT'],
      ]),
    ).toEqual(
      evs(['rpush', 'a'], ['rpop', 'a'], ['rpush', 'b'], ['lpop', 'a'], ['lpush', 'b'], ['rpop', 'a'], ['lpop', 'a'], ['del', 'a']),
    );
    blocked.disconnect();
  });

  it('hashes: hset, hincrby, hincrbyfloat, hdel, del (HSET HMSET HSETNX HINCRBY HINCRBYFLOAT HDEL)', async () => {
    expect(
      await events('KEA', [
        ['HSET', 'h', 'a', 1], ['HMSET', 'h', 'b', 2], ['HSETNX', 'h', 'b', 3], ['HSETNX', 'h', 'c', 3], ['HINCRBY', 'h', 'n', 1],
        ['HINCRBYFLOAT', 'h', 'f', '1.5'], ['HDEL', 'h', 'zz'], ['HDEL', 'h', 'a', 'b'], ['HDEL', 'h', 'c', 'n', 'f'],
      ]),
    ).toEqual(
      evs(['hset', 'h'], ['hset', 'h'], ['hset', 'h'], ['hincrby', 'h'], ['hincrbyfloat', 'h'], ['hdel', 'h'], ['hdel', 'h'], ['del', 'h']),
    );
  });

  it('sets: sadd, srem, spop, s*store, del (SADD SREM SMOVE SPOP SINTERSTORE SUNIONSTORE SDIFFSTORE)', async () => {
    expect(
      await events('KEA', [
        ['SADD', 's', 'a', 'b'], ['SADD', 's', 'a'], ['SREM', 's', 'zz'], ['SMOVE', 's', 't', 'a'], ['SMOVE', 's', 't', 'b'],
        ['SADD', 'u', 'a'], ['SINTERSTORE', 'd', 't', 'u'], ['SUNIONSTORE', 'd', 't', 'u'], ['SDIFFSTORE', 'd', 't', 'u'],
        ['SDIFFSTORE', 'd', 'u', 't'], ['SPOP', 'u'], ['SADD', 'v', 1, 2], ['SPOP', 'v', 1], ['SPOP', 'v', 5], ['SREM', 't', 'a', 'b'],
      ]),
    ).toEqual(
      evs(
        ['sadd', 's'], ['srem', 's'], ['sadd', 't'], ['srem', 's'], ['del', 's'], ['sadd', 't'], ['sadd', 'u'],
        ['sinterstore', 'd'], ['sunionstore', 'd'], ['sdiffstore', 'd'], ['del', 'd'], ['spop', 'u'], ['del', 'u'],
        ['sadd', 'v'], ['spop', 'v'], ['spop', 'v'], ['del', 'v'], ['srem', 't'], ['del', 't'],
      ),
    );
  });

  it('sorted sets: zadd, zincr, zrem, zremrangeby*, zpopmin/zpopmax, z*store, del (ZADD ZINCRBY ZREM ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN ZPOPMAX BZPOPMIN BZPOPMAX ZMPOP BZMPOP ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZRANGESTORE)', async () => {
    expect(
      await events('KEA', [
        ['ZADD', 'z', 1, 'a', 2, 'b', 3, 'c', 4, 'd', 5, 'e', 6, 'f'], ['ZADD', 'z', 1, 'a'], ['ZADD', 'z', 'INCR', 1, 'a'], ['ZINCRBY', 'z', 1, 'a'],
        ['ZREM', 'z', 'zz'], ['ZREM', 'z', 'a'], ['ZREMRANGEBYRANK', 'z', 0, 0], ['ZREMRANGEBYSCORE', 'z', 3, 3], ['ZREMRANGEBYLEX', 'z', '[d', '[d'],
        ['ZPOPMIN', 'z'], ['ZPOPMAX', 'z'], ['ZADD', 'y', 1, 'q'], ['ZUNIONSTORE', 'd', 1, 'y'], ['ZINTERSTORE', 'd', 1, 'y'],
        ['ZDIFFSTORE', 'd', 1, 'y'], ['ZRANGESTORE', 'd', 'y', 0, -1], ['ZINTERSTORE', 'd', 2, 'y', 'nokey'], ['ZADD', 'z', 1, 'x', 2, 'w'],
        ['BZPOPMIN', 'z', 0], ['BZPOPMAX', 'z', 0], ['ZMPOP', 1, 'y', 'MIN'], ['ZADD', 'v', 1, 'a'], ['BZMPOP', 0, 1, 'v', 'MAX'],
      ]),
    ).toEqual(
      evs(
        ['zadd', 'z'], ['zincr', 'z'], ['zincr', 'z'], ['zrem', 'z'], ['zremrangebyrank', 'z'], ['zremrangebyscore', 'z'],
        ['zremrangebylex', 'z'], ['zpopmin', 'z'], ['zpopmax', 'z'], ['del', 'z'], ['zadd', 'y'], ['zunionstore', 'd'], ['zinterstore', 'd'],
        ['zdiffstore', 'd'], ['zrangestore', 'd'], ['del', 'd'], ['zadd', 'z'], ['zpopmin', 'z'], ['zpopmax', 'z'], ['del', 'z'],
        ['zpopmin', 'y'], ['del', 'y'], ['zadd', 'v'], ['zpopmax', 'v'], ['del', 'v'],
      ),
    );
  });

  it('SORT ... STORE: sortstore, or del when the result is empty', async () => {
    expect(await events('KEA', [['RPUSH', 'l', 2, 1], ['SORT', 'l', 'STORE', 'd'], ['SORT', 'nokey', 'STORE', 'd'], ['SORT', 'nokey', 'STORE', 'd']])).toEqual(
      evs(['rpush', 'l'], ['sortstore', 'd'], ['del', 'd']),
    );
  });

  it('each class flag enables only its events (keymiss: read misses only), K and E choose the channels', async () => {
    const script = [['SET', 'a', 1], ['EXPIRE', 'a', 10], ['RPUSH', 'l', 1], ['SADD', 's', 1], ['HSET', 'h', 'f', 1], ['ZADD', 'z', 1, 'm']];
    expect(await events('', script)).toEqual([]);
    expect(await events('KE', script)).toEqual([]);
    expect(await events('A', script)).toEqual([]);
    expect(await events('K$', script)).toEqual(['__keyspace@0__:a set']);
    expect(await events('Eg', script)).toEqual(['__keyevent@0__:expire a']);
    expect(await events('El', script)).toEqual(['__keyevent@0__:rpush l']);
    expect(await events('Ks', script)).toEqual(['__keyspace@0__:s sadd']);
    expect(await events('Kh', script)).toEqual(['__keyspace@0__:h hset']);
    expect(await events('Ez', script)).toEqual(['__keyevent@0__:zadd z']);
    expect(await events('Ex', [['SET', 'x', 1, 'PX', 1], ['DEBUG', 'SLEEP', '0.005'], ['GET', 'x']])).toEqual(['__keyevent@0__:expired x']);
    expect(await events('Em', [['GET', 'nokey'], ['HGET', 'h', 'f'], ['SET', 'k', 1], ['GET', 'k'], ['OBJECT', 'ENCODING', 'nokey'], ['LPUSH', 'l', 1]])).toEqual([
      '__keyevent@0__:keymiss nokey', '__keyevent@0__:keymiss h',
    ]);
    expect(await events('Kn', script)).toEqual(['__keyspace@0__:a new', '__keyspace@0__:l new', '__keyspace@0__:s new', '__keyspace@0__:h new', '__keyspace@0__:z new']);
  });

  it('CONFIG SET notify-keyspace-events: canonical form in CONFIG GET, invalid characters refused', async () => {
    const shown = async (v: string) => {
      await cmd.config('SET', 'notify-keyspace-events', v);
      return ((await cmd.config('GET', 'notify-keyspace-events')) as string[])[1];
    };
    expect([await shown('KEA'), await shown('EKx'), await shown('gn$K'), await shown('AmnKE'), await shown('K$lshzxetdE'), await shown('')]).toEqual([
      'AKE', 'xKE', 'g$nK', 'AKEm', '$lshzxetdKE', '',
    ]);
    await expect(cmd.config('SET', 'notify-keyspace-events', 'KEq')).rejects.toThrow(
      "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
    );
  });

  it('exact frames: RESP2 message arrays and RESP3 push frames', async () => {
    const r2 = await RawConnection.connect(t.port);
    const r3 = await RawConnection.connect(t.port);
    try {
      await r3.call('HELLO', '3');
      expect(await r2.call('SUBSCRIBE', '__keyevent@0__:set')).toBe('*3\r\n$9\r\nsubscribe\r\n$18\r\n__keyevent@0__:set\r\n:1\r\n');
      expect(await r3.call('PSUBSCRIBE', '__keyspace@0__:*')).toBe('>3\r\n$10\r\npsubscribe\r\n$16\r\n__keyspace@0__:*\r\n:1\r\n');
      await cmd.config('SET', 'notify-keyspace-events', 'KE$');
      await cmd.set('k', 'v');
      expect(await r2.readReply()).toBe('*3\r\n$7\r\nmessage\r\n$18\r\n__keyevent@0__:set\r\n$1\r\nk\r\n');
      expect(await r3.readReply()).toBe('>4\r\n$8\r\npmessage\r\n$16\r\n__keyspace@0__:*\r\n$16\r\n__keyspace@0__:k\r\n$3\r\nset\r\n');
    } finally {
      r2.close();
      r3.close();
    }
  });
});
