/**
 * SORT and SORT_RO through ioredis (RESP3) and raw RESP2 bytes: the common uses (a leaderboard of
 * ids sorted by weights, objects fetched from hashes), STORE and what it propagates, WRONGTYPE.
 * test/compat/sort.diff.test.ts compares the edge cases with redis-server.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';

let ts: TestServer;
let r: Redis;
let raw: RawConnection;
let propagated: string[][] = [];

beforeAll(async () => {
  ts = await startTestServer();
  ts.server.propagator.subscribe((_db, argv) => propagated.push([...argv]));
  r = await ts.client();
  raw = await RawConnection.connect(ts.port);
});
afterAll(async () => {
  raw.close();
  await ts.stop();
});
beforeEach(async () => {
  await r.flushall();
  propagated = [];
});

describe('SORT', () => {
  it('SORT sorts a list numerically, ALPHA by bytes, DESC and LIMIT', async () => {
    await r.rpush('l', '10', '9', '-1', '2.5');
    expect(await r.sort('l')).toEqual(['-1', '2.5', '9', '10']);
    expect(await r.sort('l', 'ALPHA')).toEqual(['-1', '10', '2.5', '9']);
    expect(await r.sort('l', 'LIMIT', '1', '2', 'DESC')).toEqual(['9', '2.5']);
    expect(await raw.call('SORT', 'l', 'LIMIT', '0', '1')).toBe('*1\r\n$2\r\n-1\r\n');
  });

  it('SORT refuses scores strtod cannot read in range, and reads what it can', async () => {
    await r.rpush('big', '1', '1e400');
    expect(await raw.call('SORT', 'big')).toBe("-ERR One or more scores can't be converted into double\r\n");
    await r.rpush('tiny', '1', '1e-400');
    expect(await raw.call('SORT', 'tiny')).toBe("-ERR One or more scores can't be converted into double\r\n");
    await r.rpush('ok', 'inf', '-inf', '1e-5', '-0', '', ' 0x10');
    expect(await r.sort('ok')).toEqual(['-inf', '', '-0', '1e-5', ' 0x10', 'inf']);
  });

  it('SORT a set and a sorted set; BY nosort keeps a sorted set\'s order', async () => {
    await r.sadd('s', '3', '1', '2');
    await r.zadd('z', 1, 'b', 2, 'a', 3, 'c');
    expect(await r.sort('s')).toEqual(['1', '2', '3']);
    expect(await r.sort('z', 'ALPHA')).toEqual(['a', 'b', 'c']);
    expect(await r.sort('z', 'BY', 'nosort')).toEqual(['b', 'a', 'c']);
    expect(await r.sort('z', 'BY', 'nosort', 'DESC')).toEqual(['c', 'a', 'b']);
  });

  it('SORT BY weights and GET fields of hashes (the users-by-score pattern)', async () => {
    await r.rpush('users', '1', '2', '3');
    await r.mset('score_1', '50', 'score_2', '70', 'score_3', '60');
    await r.hset('user_1', 'name', 'ann');
    await r.hset('user_2', 'name', 'ben');
    expect(await r.call('SORT', 'users', 'BY', 'score_*', 'DESC', 'GET', '#', 'GET', 'user_*->name')).toEqual([
      '2', 'ben', '3', null, '1', 'ann',
    ]);
  });

  it('SORT STORE writes a list, counts it, deletes the destination for an empty result, and propagates as sent', async () => {
    await r.rpush('l', '3', '1', '2');
    await r.set('dst', 'old');
    expect(await r.sort('l', 'STORE', 'dst')).toBe(3);
    expect(await r.lrange('dst', 0, -1)).toEqual(['1', '2', '3']);
    expect(await r.sort('nothing', 'STORE', 'dst')).toBe(0);
    expect(await r.exists('dst')).toBe(0);
    expect(propagated).toEqual([
      ['rpush', 'l', '3', '1', '2'], ['set', 'dst', 'old'], ['sort', 'l', 'STORE', 'dst'], ['sort', 'nothing', 'STORE', 'dst'],
    ]);
  });

  it('SORT and SORT_RO on a string: WRONGTYPE; SORT_RO refuses STORE', async () => {
    await r.set('str', 'x');
    expect(await raw.call('SORT', 'str')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    expect(await raw.call('SORT_RO', 'str')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    expect(await raw.call('SORT_RO', 'l', 'STORE', 'd')).toBe('-ERR syntax error\r\n');
    await r.rpush('l', 'b', 'a');
    expect(await r.sort_ro('l', 'ALPHA')).toEqual(['a', 'b']);
  });
});
