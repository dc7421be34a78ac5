/**
 * Sorted-set commands over TCP: ioredis for the client's view, RawConnection for exact bytes
 * (RESP2 and RESP3 shapes). Also: what each write propagates (AOF / replicas) and that replaying
 * it gives the same set, TTLs kept or dropped, encodings and their conversion, WRONGTYPE for
 * every command, ZSCAN over a skiplist that changes between calls, ZRANDMEMBER's randomness,
 * and a large set checked against a model.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { prng } from '../helpers/prng.js';

let ts: TestServer;
let r: Redis;
let raw: RawConnection;
let raw3: RawConnection;
/** Everything propagated since the last reset: [db, argv]. */
let propagated: [number, string[]][] = [];

beforeAll(async () => {
  ts = await startTestServer();
  ts.server.propagator.subscribe((db, argv) => propagated.push([db, [...argv]]));
  r = await ts.client({ enableReadyCheck: false });
  raw = await RawConnection.connect(ts.port);
  raw3 = await RawConnection.connect(ts.port);
  await raw3.call('HELLO', '3');
});
afterAll(async () => {
  raw.close();
  raw3.close();
  await ts.stop();
});
beforeEach(async () => {
  for (const db of ts.server.keyspaces) db.flush();
  await r.config('SET', 'zset-max-listpack-entries', '128');
  await r.config('SET', 'zset-max-listpack-value', '64');
  propagated = [];
});

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const encoding = (key: string) => r.object('ENCODING', key);
const range = (n: number, f: (i: number) => string = String) => Array.from({ length: n }, (_, i) => f(i));
/** ZRANGE key 0 -1 WITHSCORES as [member, score] pairs. */
async function contents(key: string, client: Redis = r): Promise<[string, string][]> {
  const flat = await client.zrange(key, '0', '-1', 'WITHSCORES');
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

describe('ZADD ZINCRBY ZSCORE ZMSCORE ZCARD', () => {
  it('ZADD counts new members, CH counts changed ones, INCR replies the score', async () => {
    expect(await r.zadd('z', 1, 'a', 2, 'b', 1, 'a')).toBe(2);
    expect(await r.zadd('z', 5, 'a', 3, 'c')).toBe(1);
    expect(await r.zadd('z', 'CH', 6, 'a', 3, 'c', 4, 'd')).toBe(2);
    expect(await r.zadd('z', 'INCR', 1.5, 'a')).toBe('7.5');
    expect(await r.zadd('z', 'NX', 'INCR', 1, 'a')).toBeNull();
    expect(await r.zadd('z', 'GT', 'CH', 1, 'a', 10, 'b')).toBe(1);
    expect(await r.zadd('z', 'LT', 'CH', 1, 'a', 10, 'b')).toBe(1);
    expect(await r.zadd('z', 'XX', 1, 'new')).toBe(0);
    expect(await contents('z')).toEqual([['a', '1'], ['c', '3'], ['d', '4'], ['b', '10']]);
    expect(await r.zcard('z')).toBe(4);
    expect(await r.zcard('missing')).toBe(0);
    expect(await raw.call('ZADD', 'z', 'XX', 'NX', '1', 'a')).toBe('-ERR XX and NX options at the same time are not compatible\r\n');
    expect(await raw.call('ZADD', 'z', 'GT', 'LT', '1', 'a')).toBe('-ERR GT, LT, and/or NX options at the same time are not compatible\r\n');
    expect(await raw.call('ZADD', 'z', 'INCR', '1', 'a', '2', 'b')).toBe('-ERR INCR option supports a single increment-element pair\r\n');
    expect(await raw.call('ZADD', 'z', '1', 'a', 'nan', 'b')).toBe('-ERR value is not a valid float\r\n');
    expect(await raw.call('ZADD', 'z', '1', 'a', '2')).toBe('-ERR syntax error\r\n');
  });

  it('ZADD validates every pair before writing anything', async () => {
    await r.zadd('z', 1, 'a');
    expect(await raw.call('ZADD', 'z', '5', 'a', '6', 'b', 'x', 'c')).toBe('-ERR value is not a valid float\r\n');
    expect(await contents('z')).toEqual([['a', '1']]);
    expect(await raw.call('ZADD', 'fresh', '1', 'a', 'bad', 'b')).toBe('-ERR value is not a valid float\r\n');
    expect(await r.exists('fresh')).toBe(0);
    expect(propagated.map(([, a]) => a[0])).toEqual(['zadd']);
  });

  it('ZINCRBY and ZADD INCR: inf sums, NaN refused, replies as doubles in RESP3', async () => {
    expect(await raw.call('ZINCRBY', 'z', '0.1', 'a')).toBe('$19\r\n0.10000000000000001\r\n');
    expect(await raw.call('ZINCRBY', 'z', '0.2', 'a')).toBe('$19\r\n0.30000000000000004\r\n');
    expect(await raw3.call('ZINCRBY', 'z', 'inf', 'a')).toBe(',inf\r\n');
    expect(await raw.call('ZINCRBY', 'z', '-inf', 'a')).toBe('-ERR resulting score is not a number (NaN)\r\n');
    expect(await raw.call('ZADD', 'z', 'INCR', '-inf', 'a')).toBe('-ERR resulting score is not a number (NaN)\r\n');
    expect(await raw.call('ZSCORE', 'z', 'a')).toBe('$3\r\ninf\r\n');
    expect(await raw.call('ZINCRBY', 'z', 'abc', 'a')).toBe('-ERR value is not a valid float\r\n');
    expect(await raw3.call('ZSCORE', 'z', 'none')).toBe('_\r\n');
    expect(await raw.call('ZSCORE', 'z', 'none')).toBe('$-1\r\n');
    expect(await raw3.call('ZMSCORE', 'z', 'a', 'none')).toBe('*2\r\n,inf\r\n_\r\n');
    expect(await raw.call('ZMSCORE', 'missing', 'a')).toBe('*1\r\n$-1\r\n');
  });

  it('ZADD on a key with a TTL keeps it; members are binary-safe and order by bytes on equal scores', async () => {
    await r.zadd('z', 1, 'a');
    await r.expire('z', 100);
    await raw.call('ZADD', 'z', '1', '\xff');
    await raw.call('ZADD', 'z', '1', '\x00');
    expect(await r.ttl('z')).toBe(100);
    expect(await raw.call('ZRANGE', 'z', '0', '-1')).toBe('*3\r\n$1\r\n\x00\r\n$1\r\na\r\n$1\r\n\xff\r\n');
  });

  it('ZADD ZINCRBY ZREM propagate as received, and nothing when nothing changed', async () => {
    await r.zadd('z', 1, 'a');
    await r.zadd('z', 'NX', 5, 'a');
    await r.zadd('z', 1, 'a');
    await r.zincrby('z', 2, 'a');
    await r.zrem('z', 'none');
    await r.zrem('z', 'a');
    expect(propagated).toEqual([
      [0, ['zadd', 'z', '1', 'a']],
      [0, ['zincrby', 'z', '2', 'a']],
      [0, ['zrem', 'z', 'a']],
    ]);
    expect(await r.exists('z')).toBe(0);
  });
});

describe('ZRANK ZREVRANK ZREM', () => {
  it('ranks from either end; nil for a missing member; ZREM deletes the emptied key', async () => {
    await r.zadd('z', 1, 'a', 2, 'b', 3, 'c');
    expect(await r.zrank('z', 'a')).toBe(0);
    expect(await r.zrevrank('z', 'a')).toBe(2);
    expect(await r.zrank('z', 'none')).toBeNull();
    expect(await r.zrevrank('missing', 'a')).toBeNull();
    expect(await r.zrem('z', 'a', 'b', 'none')).toBe(2);
    expect(await r.zrem('z', 'c')).toBe(1);
    expect(await r.exists('z')).toBe(0);
  });
});

describe('ZRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZREVRANGE ZCOUNT ZLEXCOUNT', () => {
  it('WITHSCORES: flat in RESP2, [member, double] pairs in RESP3', async () => {
    await r.zadd('z', 1, 'a', 2.5, 'b', -Infinity, 'c');
    expect(await raw.call('ZRANGE', 'z', '0', '-1', 'WITHSCORES')).toBe('*6\r\n$1\r\nc\r\n$4\r\n-inf\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n');
    expect(await raw3.call('ZRANGE', 'z', '0', '-1', 'WITHSCORES')).toBe(
      '*3\r\n*2\r\n$1\r\nc\r\n,-inf\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n');
    expect(await raw3.call('ZRANGEBYSCORE', 'z', '(1', '+inf', 'WITHSCORES')).toBe('*1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n');
    expect(await raw3.call('ZRANGE', 'z', '0', '0')).toBe('*1\r\n$1\r\nc\r\n');
  });

  it('by rank, score and lex, reversed and limited', async () => {
    await r.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd');
    expect(await r.zrange('z', '1', '2')).toEqual(['b', 'c']);
    expect(await r.zrange('z', '-2', '-1', 'REV')).toEqual(['b', 'a']);
    expect(await r.zrevrange('z', 0, 0)).toEqual(['d']);
    expect(await r.zrange('z', '(1', '3', 'BYSCORE')).toEqual(['b', 'c']);
    expect(await r.zrange('z', '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 1, 2)).toEqual(['c', 'b']);
    expect(await r.zrangebyscore('z', '-inf', '+inf', 'LIMIT', 2, -1)).toEqual(['c', 'd']);
    expect(await r.zrevrangebyscore('z', 3, '(1')).toEqual(['c', 'b']);
    expect(await r.zcount('z', '(1', '+inf')).toBe(3);
    await r.zadd('l', 0, 'a', 0, 'b', 0, 'c', 0, 'd');
    expect(await r.zrangebylex('l', '[b', '+')).toEqual(['b', 'c', 'd']);
    expect(await r.zrevrangebylex('l', '(d', '-', 'LIMIT', 0, 2)).toEqual(['c', 'b']);
    expect(await r.zrange('l', '[a', '(c', 'BYLEX')).toEqual(['a', 'b']);
    expect(await r.zlexcount('l', '-', '(c')).toBe(2);
    expect(await raw.call('ZRANGE', 'z', '0', '-1', 'LIMIT', '0', '1')).toBe(
      '-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n');
    expect(await raw.call('ZRANGE', 'l', '-', '+', 'BYLEX', 'WITHSCORES')).toBe(
      '-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n');
    expect(await raw.call('ZRANGEBYSCORE', 'z', 'x', '1')).toBe('-ERR min or max is not a float\r\n');
    expect(await raw.call('ZRANGEBYLEX', 'l', 'a', '+')).toBe('-ERR min or max not valid string range item\r\n');
  });
});

describe('ZRANGESTORE ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX', () => {
  it('ZRANGESTORE stores the range (dropping the destination\'s TTL) or deletes the destination', async () => {
    await r.zadd('src', 1, 'a', 2, 'b', 3, 'c');
    await r.set('dst', 'x', 'EX', 100);
    expect(await r.zrangestore('dst', 'src', 1, -1)).toBe(2);
    expect(await r.ttl('dst')).toBe(-1);
    expect(await contents('dst')).toEqual([['b', '2'], ['c', '3']]);
    expect(await r.zrangestore('dst', 'src', '(1', '+inf', 'BYSCORE', 'LIMIT', 0, 1)).toBe(1);
    expect(await contents('dst')).toEqual([['b', '2']]);
    expect(await r.zrangestore('dst', 'src', 5, 10)).toBe(0);
    expect(await r.exists('dst')).toBe(0);
    expect(propagated.slice(-3).map(([, a]) => a)).toEqual([
      ['zrangestore', 'dst', 'src', '1', '-1'],
      ['zrangestore', 'dst', 'src', '(1', '+inf', 'BYSCORE', 'LIMIT', '0', '1'],
      ['zrangestore', 'dst', 'src', '5', '10'],
    ]);
    propagated = [];
    expect(await r.zrangestore('dst', 'src', 5, 10)).toBe(0);
    expect(propagated).toEqual([]);
  });

  it('removal by rank, score and lex: counts, emptied keys, no propagation when nothing went', async () => {
    await r.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd');
    expect(await r.zremrangebyrank('z', -1, -1)).toBe(1);
    expect(await r.zremrangebyscore('z', '(1', 2)).toBe(1);
    expect(await r.zremrangebyscore('z', 100, 200)).toBe(0);
    await r.zadd('l', 0, 'a', 0, 'b');
    expect(await r.zremrangebylex('l', '-', '+')).toBe(2);
    expect(await r.exists('l')).toBe(0);
    expect(await r.zremrangebyrank('z', 0, -1)).toBe(2);
    expect(await r.exists('z')).toBe(0);
    expect(propagated.map(([, a]) => a[0])).toEqual(['zadd', 'zremrangebyrank', 'zremrangebyscore', 'zadd', 'zremrangebylex', 'zremrangebyrank']);
  });
});

describe('ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZINTERCARD', () => {
  it('with plain sets as inputs (score 1), weights and aggregates', async () => {
    await r.zadd('z', 1, 'a', 2, 'b', 3, 'c');
    await r.sadd('s', 'b', 'c', 'd');
    expect(await r.zunion(2, 'z', 's', 'WITHSCORES')).toEqual(['a', '1', 'd', '1', 'b', '3', 'c', '4']);
    expect(await r.zinter(2, 'z', 's', 'WEIGHTS', 2, 10, 'AGGREGATE', 'MAX', 'WITHSCORES')).toEqual(['b', '10', 'c', '10']);
    expect(await r.zdiff(2, 'z', 's', 'WITHSCORES')).toEqual(['a', '1']);
    expect(await r.zintercard(2, 'z', 's')).toBe(2);
    expect(await r.zintercard(2, 'z', 's', 'LIMIT', 1)).toBe(1);
    expect(await r.zunionstore('u', 2, 'z', 's', 'AGGREGATE', 'MIN')).toBe(4);
    expect(await contents('u')).toEqual([['a', '1'], ['b', '1'], ['c', '1'], ['d', '1']]);
    expect(await r.zinterstore('i', 2, 'z', 's')).toBe(2);
    expect(await r.zdiffstore('d', 2, 's', 'z')).toBe(1);
    expect(await contents('d')).toEqual([['d', '1']]);
    expect(await raw.call('ZUNIONSTORE', 'u', '0', 'z')).toBe("-ERR at least 1 input key is needed for 'zunionstore' command\r\n");
    expect(await raw.call('ZUNION', '1', 'z', 'WEIGHTS', 'x')).toBe('-ERR weight value is not a float\r\n');
    expect(await raw.call('ZINTERCARD', '1', 'z', 'LIMIT', '-1')).toBe("-ERR LIMIT can't be negative\r\n");
  });

  it('an empty result deletes the destination, and is propagated only if it existed', async () => {
    await r.zadd('dst', 1, 'x');
    propagated = [];
    expect(await r.zinterstore('dst', 2, 'dst', 'missing')).toBe(0);
    expect(await r.exists('dst')).toBe(0);
    expect(await r.zunionstore('dst', 1, 'missing')).toBe(0);
    expect(propagated).toEqual([[0, ['zinterstore', 'dst', '2', 'dst', 'missing']]]);
  });
});

describe('ZPOPMIN ZPOPMAX ZMPOP', () => {
  it('reply shapes with and without a count, in RESP2 and RESP3', async () => {
    await r.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd');
    expect(await raw.call('ZPOPMIN', 'z')).toBe('*2\r\n$1\r\na\r\n$1\r\n1\r\n');
    expect(await raw3.call('ZPOPMAX', 'z')).toBe('*2\r\n$1\r\nd\r\n,4\r\n');
    expect(await raw3.call('ZPOPMIN', 'z', '1')).toBe('*1\r\n*2\r\n$1\r\nb\r\n,2\r\n');
    expect(await raw.call('ZPOPMIN', 'missing')).toBe('*0\r\n');
    await r.zadd('z', 5, 'e');
    expect(await raw.call('ZMPOP', '2', 'missing', 'z', 'MAX', 'COUNT', '5')).toBe(
      '*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\ne\r\n$1\r\n5\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n');
    expect(await r.exists('z')).toBe(0);
    expect(await raw.call('ZMPOP', '1', 'z', 'MIN')).toBe('*-1\r\n');
    expect(await raw3.call('ZMPOP', '1', 'z', 'MIN')).toBe('_\r\n');
    expect(await raw.call('ZPOPMIN', 'z', '-1')).toBe('-ERR value is out of range, must be positive\r\n');
    expect(await raw.call('ZMPOP', '0', 'z', 'MIN')).toBe('-ERR numkeys should be greater than 0\r\n');
    expect(await raw.call('ZMPOP', '1', 'z', 'MIN', 'COUNT', '0')).toBe('-ERR count should be greater than 0\r\n');
  });

  it('propagation: ZPOPMIN/ZPOPMAX as received, ZMPOP as ZPOPMIN|ZPOPMAX key <number popped>', async () => {
    await r.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd', 5, 'e');
    propagated = [];
    await r.zpopmin('z');
    await r.zpopmax('z', 2);
    await r.zpopmin('z', 0);
    await r.zpopmin('missing');
    await raw.call('ZMPOP', '1', 'z', 'MAX', 'COUNT', '10');
    await raw.call('ZMPOP', '1', 'z', 'MIN');
    expect(propagated.map(([, a]) => a)).toEqual([['zpopmin', 'z'], ['zpopmax', 'z', '2'], ['ZPOPMAX', 'z', '2']]);
  });
});

describe('ZRANDMEMBER', () => {
  it('COMPAT: ZRANDMEMBER refuses a negative count past -10000000 instead of building a reply that large', async () => {
    await r.zadd('cap', 1, 'a');
    expect(await raw.call('ZRANDMEMBER', 'cap', '-10000001')).toBe('-ERR value is out of range\r\n');
    expect(await raw.call('ZRANDMEMBER', 'cap', '-9223372036854775807')).toBe('-ERR value is out of range\r\n');
    expect(await raw.call('ZRANDMEMBER', 'cap', '-2')).toBe('*2\r\n$1\r\na\r\n$1\r\na\r\n');
  });

  it('count ≥ size gives the whole set from the highest score down; negative counts repeat', async () => {
    await r.zadd('z', 3, 'a', 1, 'b', 2, 'c');
    expect(await r.zrandmember('z', 10)).toEqual(['a', 'c', 'b']);
    expect(await raw3.call('ZRANDMEMBER', 'z', '5', 'WITHSCORES')).toBe(
      '*3\r\n*2\r\n$1\r\na\r\n,3\r\n*2\r\n$1\r\nc\r\n,2\r\n*2\r\n$1\r\nb\r\n,1\r\n');
    const many = (await r.zrandmember('z', -30)) as string[];
    expect(many).toHaveLength(30);
    expect(new Set(many).size).toBeLessThanOrEqual(3);
    expect(await r.zrandmember('missing')).toBeNull();
    expect(await raw.call('ZRANDMEMBER', 'z', '-9223372036854775808')).toBe(
      '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n');
    expect(await raw.call('ZRANDMEMBER', 'z', '4611686018427387904', 'WITHSCORES')).toBe('-ERR value is out of range\r\n');
  });

  it('draws uniformly (chi-square over many draws), distinct members for a positive count, both encodings', async () => {
    for (const entries of ['128', '0']) {
      await r.config('SET', 'zset-max-listpack-entries', entries);
      await r.del('z');
      await r.zadd('z', ...range(20).flatMap((i) => [i, `m${i}`]));
      const counts = new Map<string, number>();
      const draws = 4000;
      const picked = (await r.zrandmember('z', -draws)) as string[];
      for (const m of picked) counts.set(m, (counts.get(m) ?? 0) + 1);
      const expected = draws / 20;
      let chi = 0;
      for (let i = 0; i < 20; i++) chi += ((counts.get(`m${i}`) ?? 0) - expected) ** 2 / expected;
      expect(chi).toBeLessThan(60); // 19 degrees of freedom: p < 1e-5 beyond ~50
      for (const count of [1, 5, 7, 15, 19]) {
        const got = (await r.zrandmember('z', count)) as string[];
        expect(new Set(got).size).toBe(count);
      }
    }
  });
});

describe('ZSCAN', () => {
  it('a listpack comes back whole with cursor 0, scores in the listpack\'s text', async () => {
    await r.zadd('z', 1e17, 'a', 0.5, 'b');
    expect(await raw.call('ZSCAN', 'z', '0')).toBe('*2\r\n$1\r\n0\r\n*4\r\n$1\r\nb\r\n$3\r\n0.5\r\n$1\r\na\r\n$18\r\n100000000000000000\r\n');
    expect(await raw.call('ZSCAN', 'missing', '0')).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
  });

  it('a skiplist: every member present from start to end is returned, while the set grows, shrinks and rescores', async () => {
    await r.zadd('z', ...range(1000).flatMap((i) => [i, `m${i}`]));
    expect(await encoding('z')).toBe('skiplist');
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, items] = (await r.zscan('z', cursor, 'COUNT', 37)) as [string, string[]];
      for (let i = 0; i < items.length; i += 2) seen.set(items[i]!, items[i + 1]!);
      cursor = next;
      calls++;
      // Members m0..m499 stay; m500.. are removed little by little; new ones arrive; scores change.
      await r.zrem('z', `m${1000 - calls}`);
      await r.zadd('z', -calls, `new${calls}`);
      await r.zincrby('z', 1000, `m${calls}`);
    } while (cursor !== '0' && calls < 1000);
    expect(cursor).toBe('0');
    // Each stays present throughout (only its score may change once, by +1000).
    for (let i = 0; i < 500; i++) expect([String(i), String(i + 1000)]).toContain(seen.get(`m${i}`));
  });
});

describe('encodings', () => {
  it('listpack → skiplist past zset-max-listpack-entries or -value, one way; STORE results by content; COPY keeps it', async () => {
    await r.config('SET', 'zset-max-listpack-entries', '3');
    await r.config('SET', 'zset-max-listpack-value', '4');
    await r.zadd('z', 1, 'a', 2, 'b', 3, 'c');
    expect(await encoding('z')).toBe('listpack');
    await r.zadd('z', 4, 'd');
    expect(await encoding('z')).toBe('skiplist');
    await r.zrem('z', 'a', 'b');
    expect(await encoding('z')).toBe('skiplist');
    await r.zunionstore('u', 1, 'z');
    expect(await encoding('u')).toBe('listpack');
    await r.zadd('long', 1, 'longer');
    expect(await encoding('long')).toBe('skiplist');
    await r.copy('z', 'z2');
    expect(await encoding('z2')).toBe('skiplist');
    await r.zadd('z2', 9, 'only-in-copy');
    expect(await r.zscore('z', 'only-in-copy')).toBeNull();
  });
});

describe('a large sorted set against a model', () => {
  it('20,000 random ZADD / ZINCRBY / ZREM, then ranks, score ranges and ZRANGE by rank agree', async () => {
    const rnd = prng(42);
    const model = new Map<string, number>();
    const pipeline = r.pipeline();
    for (let i = 0; i < 20000; i++) {
      const m = `m${Math.floor(rnd() * 5000)}`;
      const x = rnd();
      if (x < 0.6) {
        const s = Math.floor(rnd() * 1000) / 4;
        pipeline.zadd('big', s, m);
        model.set(m, s);
      } else if (x < 0.8) {
        pipeline.zincrby('big', 1.5, m);
        model.set(m, (model.get(m) ?? 0) + 1.5);
      } else {
        pipeline.zrem('big', m);
        model.delete(m);
      }
    }
    await pipeline.exec();
    const ordered = [...model].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
    expect(await r.zcard('big')).toBe(ordered.length);
    expect(await encoding('big')).toBe('skiplist');
    for (let k = 0; k < ordered.length; k += 211) {
      const [m, s] = ordered[k]!;
      expect(await r.zrank('big', m)).toBe(k);
      expect(await r.zrevrank('big', m)).toBe(ordered.length - 1 - k);
      expect(Number(await r.zscore('big', m))).toBe(s);
      expect(await r.zrange('big', String(k), String(k + 2))).toEqual(ordered.slice(k, k + 3).map(([x]) => x));
    }
    const inRange = ordered.filter(([, s]) => s > 50 && s <= 60).map(([m]) => m);
    expect(await r.zrangebyscore('big', '(50', 60)).toEqual(inRange);
    expect(await r.zcount('big', '(50', 60)).toBe(inRange.length);
    expect(await r.zrangebyscore('big', '(50', 60, 'LIMIT', 3, 4)).toEqual(inRange.slice(3, 7));
    expect(await r.zremrangebyscore('big', '(50', 60)).toBe(inRange.length);
    expect(await r.zcard('big')).toBe(ordered.length - inRange.length);
  });
});

describe('WRONGTYPE for every sorted-set command', () => {
  it('ZADD ZINCRBY ZREM ZSCORE ZMSCORE ZCARD ZCOUNT ZLEXCOUNT ZRANGE ZRANGESTORE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZREVRANGE ZRANK ZREVRANK ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN ZPOPMAX ZMPOP ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZINTERCARD ZRANDMEMBER ZSCAN BZPOPMIN BZPOPMAX BZMPOP', async () => {
    await r.set('str', 'v');
    await r.zadd('z', 1, 'a');
    const calls: string[][] = [
      ['ZADD', 'str', '1', 'a'], ['ZINCRBY', 'str', '1', 'a'], ['ZREM', 'str', 'a'], ['ZSCORE', 'str', 'a'], ['ZMSCORE', 'str', 'a'],
      ['ZCARD', 'str'], ['ZCOUNT', 'str', '0', '1'], ['ZLEXCOUNT', 'str', '-', '+'], ['ZRANGE', 'str', '0', '-1'],
      ['ZRANGESTORE', 'd', 'str', '0', '-1'], ['ZRANGEBYSCORE', 'str', '0', '1'], ['ZREVRANGEBYSCORE', 'str', '1', '0'],
      ['ZRANGEBYLEX', 'str', '-', '+'], ['ZREVRANGEBYLEX', 'str', '+', '-'], ['ZREVRANGE', 'str', '0', '-1'], ['ZRANK', 'str', 'a'],
      ['ZREVRANK', 'str', 'a'], ['ZREMRANGEBYRANK', 'str', '0', '1'], ['ZREMRANGEBYSCORE', 'str', '0', '1'],
      ['ZREMRANGEBYLEX', 'str', '-', '+'], ['ZPOPMIN', 'str'], ['ZPOPMAX', 'str', '2'], ['ZMPOP', '2', 'missing', 'str', 'MIN'],
      ['ZUNION', '2', 'z', 'str'], ['ZINTER', '2', 'z', 'str'], ['ZDIFF', '2', 'z', 'str'], ['ZUNIONSTORE', 'd', '2', 'z', 'str'],
      ['ZINTERSTORE', 'd', '2', 'z', 'str'], ['ZDIFFSTORE', 'd', '2', 'z', 'str'], ['ZINTERCARD', '2', 'z', 'str'],
      ['ZRANDMEMBER', 'str'], ['ZRANDMEMBER', 'str', '2'], ['ZSCAN', 'str', '0'], ['BZPOPMIN', 'missing', 'str', '0'],
      ['BZPOPMAX', 'str', '0'], ['BZMPOP', '0', '1', 'str', 'MAX'],
    ];
    for (const c of calls) expect([c.join(' '), await raw.call(...c)]).toEqual([c.join(' '), WRONGTYPE]);
    expect(await r.get('str')).toBe('v');
    expect(await r.exists('d')).toBe(0);
  });
});
