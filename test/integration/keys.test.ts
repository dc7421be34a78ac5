/**
 * Generic key commands over TCP: ioredis in RESP3 (its default) and RESP2 for the client
 * library's view, RawConnection for exact bytes. Time is a ManualClock, so TTLs are exact; what
 * the server propagates (AOF / replicas) is captured from the propagator.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { ManualClock } from '../../src/clock.js';
import type { AggregateValue } from '../../src/keyspace/redis-value.js';
import type { Bytes } from '../../src/keyspace/bytes.js';

const T0 = 1_700_000_000_000;
const clock = new ManualClock(T0);
let ts: TestServer;
let r: Redis;
let r2: Redis;
let raw: RawConnection;
let raw3: RawConnection;
/** Everything propagated since the last reset: [db, argv]. */
let propagated: [number, string[]][] = [];

beforeAll(async () => {
  ts = await startTestServer({}, clock);
  // The tests drive the manual clock and call activeExpireCycle themselves: the server's own cron
  // (real timers) would otherwise delete keys the manual clock has expired, whenever it fires.
  ts.server.activeExpireEnabled = false;
  ts.server.propagator.subscribe((db, argv) => propagated.push([db, [...argv]]));
  r = await ts.client({ enableReadyCheck: false });
  r2 = await ts.client({ protocol: 2, enableReadyCheck: false });
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
  for (const db of ts.server.keyspaces) {
    db.flush();
    db.accessTracker = undefined;
  }
  await raw.call('SELECT', '0');
  await raw3.call('SELECT', '0');
  await raw.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
  clock.set(T0);
  propagated = [];
});

const db = (i = 0) => ts.server.keyspaces[i]!;

/** A stand-in aggregate (the list family is not this file's): copy() gives a new object. */
function fakeList(tag: string): AggregateValue & { tag: string } {
  return { type: 'list', tag, encoding: () => 'listpack', copy: () => fakeList(`${tag}-copy`), bytes: 0, owner: null, stores: 0 };
}

describe('DEL UNLINK EXISTS TOUCH TYPE', () => {
  it('DEL and UNLINK count removed keys (repeats once); EXISTS and TOUCH count every argument', async () => {
    await r.mset('a', '1', 'b', '2', 'c', '3');
    expect(await r.exists('a', 'a', 'x', 'b')).toBe(3);
    expect(await r2.exists('x')).toBe(0);
    expect(await r.touch('a', 'a', 'x')).toBe(2);
    expect(await raw.call('TOUCH', 'c')).toBe(':1\r\n');
    expect(await r.del('a', 'a', 'x')).toBe(1);
    expect(await r2.unlink('b', 'c', 'b')).toBe(2);
    expect(await raw.call('DEL', 'a')).toBe(':0\r\n');
    expect(await raw3.call('UNLINK', 'a')).toBe(':0\r\n');
    expect(await raw.call('EXISTS', 'a', 'b')).toBe(':0\r\n');
    expect(await raw.call('DEL')).toBe("-ERR wrong number of arguments for 'del' command\r\n");
    expect(await raw.call('EXISTS')).toBe("-ERR wrong number of arguments for 'exists' command\r\n");
    expect(await raw.call('TOUCH')).toBe("-ERR wrong number of arguments for 'touch' command\r\n");
    expect(await raw.call('UNLINK')).toBe("-ERR wrong number of arguments for 'unlink' command\r\n");
    expect(propagated).toEqual([[0, ['mset', 'a', '1', 'b', '2', 'c', '3']], [0, ['del', 'a', 'a', 'x']], [0, ['unlink', 'b', 'c', 'b']]]);
  });

  it('TYPE reports string, an aggregate type, or none, as a simple string', async () => {
    await r.set('s', 'v');
    db().set('l' as Bytes, fakeList('x'));
    expect(await r.type('s')).toBe('string');
    expect(await r2.type('l')).toBe('list');
    expect(await r.type('nokey')).toBe('none');
    expect(await raw.call('TYPE', 's')).toBe('+string\r\n');
    expect(await raw3.call('TYPE', 'nokey')).toBe('+none\r\n');
    expect(await raw.call('TYPE', 'a', 'b')).toBe("-ERR wrong number of arguments for 'type' command\r\n");
  });

  it('EXISTS TYPE DEL treat an expired key as missing; the lazy expiry propagates DEL', async () => {
    await r.set('k', 'v', 'PX', 100);
    clock.advance(100);
    propagated = [];
    expect(await r.exists('k')).toBe(0);
    expect(await r.type('k')).toBe('none');
    expect(await r.del('k')).toBe(0);
    expect(propagated).toEqual([[0, ['DEL', 'k']]]);
  });
});

describe('EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST', () => {
  it('set relative and absolute TTLs; read them back in seconds and milliseconds', async () => {
    await r.set('k', 'v');
    expect(await r.ttl('k')).toBe(-1);
    expect(await r.pttl('k')).toBe(-1);
    expect(await r.call('EXPIRETIME', 'k')).toBe(-1);
    expect(await r.call('PEXPIRETIME', 'k')).toBe(-1);
    expect(await r.expire('k', 100)).toBe(1);
    expect(await r.ttl('k')).toBe(100);
    expect(await r2.pttl('k')).toBe(100_000);
    expect(await r.call('PEXPIRETIME', 'k')).toBe(T0 + 100_000);
    expect(await r.call('EXPIRETIME', 'k')).toBe(T0 / 1000 + 100);
    expect(await r.pexpire('k', 1500)).toBe(1);
    expect(await r.ttl('k')).toBe(2); // 1.5 s rounds to the nearest second
    clock.advance(1001);
    expect(await r.ttl('k')).toBe(0); // 499 ms left
    expect(await r.pttl('k')).toBe(499);
    expect(await r.expireat('k', T0 / 1000 + 50)).toBe(1);
    expect(await raw.call('EXPIRETIME', 'k')).toBe(`:${T0 / 1000 + 50}\r\n`);
    expect(await r2.pexpireat('k', T0 + 7777)).toBe(1);
    expect(await raw3.call('PEXPIRETIME', 'k')).toBe(`:${T0 + 7777}\r\n`);
    expect(await raw.call('EXPIRETIME', 'k')).toBe(`:${T0 / 1000 + 8}\r\n`); // 7.777 s rounds up
    expect(await raw.call('PTTL', 'k')).toBe(`:${7777 - 1001}\r\n`);
  });

  it('TTL PTTL EXPIRETIME PEXPIRETIME answer -2 for a missing or expired key, -1 without TTL', async () => {
    for (const cmd of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) expect(await raw.call(cmd, 'nokey')).toBe(':-2\r\n');
    await r.set('k', 'v', 'PX', 10);
    await r.set('p', 'v');
    clock.advance(9);
    expect(await r.pttl('k')).toBe(1);
    clock.advance(1);
    for (const cmd of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) {
      expect(await raw.call(cmd, 'k')).toBe(':-2\r\n');
      expect(await raw3.call(cmd, 'p')).toBe(':-1\r\n');
    }
  });

  it('NX XX GT LT decide whether the TTL changes (no TTL counts as infinite)', async () => {
    await r.set('k', 'v');
    expect(await r.call('EXPIRE', 'k', '100', 'XX')).toBe(0);
    expect(await r.call('EXPIRE', 'k', '100', 'GT')).toBe(0);
    expect(await r.call('EXPIRE', 'k', '100', 'LT')).toBe(1);
    expect(await r.call('EXPIRE', 'k', '50', 'NX')).toBe(0);
    expect(await r.call('EXPIRE', 'k', '50', 'xx')).toBe(1);
    expect(await r.call('EXPIRE', 'k', '40', 'GT')).toBe(0);
    expect(await r.call('EXPIRE', 'k', '60', 'GT')).toBe(1);
    expect(await r.call('EXPIRE', 'k', '60', 'GT')).toBe(0);
    expect(await r.call('PEXPIRE', 'k', '60000', 'LT')).toBe(0);
    expect(await r.call('PEXPIRE', 'k', '59999', 'LT', 'XX')).toBe(1);
    expect(await r.call('EXPIREAT', 'k', String(T0 / 1000 + 59), 'XX', 'LT')).toBe(1);
    expect(await r.call('PEXPIREAT', 'k', String(T0 + 60_000), 'GT', 'GT')).toBe(1);
    expect(await r.pttl('k')).toBe(60_000);
    expect(await r.persist('k')).toBe(1);
    expect(await r.call('PEXPIREAT', 'k', String(T0 + 5), 'NX')).toBe(1);
    expect(await r.pttl('k')).toBe(5);
    expect(await r.call('EXPIRE', 'missing', '10', 'NX')).toBe(0);
  });

  it('conflicting or unknown options and bad numbers are refused before anything changes', async () => {
    await r.set('k', 'v');
    expect(await raw.call('EXPIRE', 'k', '10', 'NX', 'XX')).toBe('-ERR NX and XX, GT or LT options at the same time are not compatible\r\n');
    expect(await raw.call('PEXPIRE', 'k', '10', 'GT', 'NX')).toBe('-ERR NX and XX, GT or LT options at the same time are not compatible\r\n');
    expect(await raw.call('EXPIREAT', 'k', '10', 'GT', 'LT')).toBe('-ERR GT and LT options at the same time are not compatible\r\n');
    expect(await raw.call('PEXPIREAT', 'k', '10', 'FOO')).toBe('-ERR Unsupported option FOO\r\n');
    expect(await raw.call('EXPIRE', 'missing', 'abc', 'NX', 'XX')).toBe('-ERR NX and XX, GT or LT options at the same time are not compatible\r\n');
    expect(await raw.call('EXPIRE', 'k', 'abc')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('EXPIRE', 'k', '1.5')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('EXPIRE', 'k', '9223372036854775807')).toBe("-ERR invalid expire time in 'expire' command\r\n");
    expect(await raw.call('EXPIRE', 'k', '-9223372036854775808')).toBe("-ERR invalid expire time in 'expire' command\r\n");
    expect(await raw.call('PEXPIRE', 'k', '9223372036854775807')).toBe("-ERR invalid expire time in 'pexpire' command\r\n");
    expect(await raw.call('EXPIREAT', 'k', '9223372036854776')).toBe("-ERR invalid expire time in 'expireat' command\r\n");
    expect(await raw.call('EXPIRE', 'k')).toBe("-ERR wrong number of arguments for 'expire' command\r\n");
    expect(await r.ttl('k')).toBe(-1);
    expect(await r.call('PEXPIREAT', 'k', '9223372036854775807')).toBe(1);
    expect(await raw.call('PEXPIRETIME', 'k')).toBe(':9223372036854775807\r\n');
    expect(propagated.filter(([, a]) => a[0] !== 'set')).toEqual([[0, ['PEXPIREAT', 'k', '9223372036854775807']]]);
  });

  it('a time in the past (or negative, or zero) deletes the key and propagates DEL', async () => {
    for (const [cmd, arg] of [['EXPIRE', '-1'], ['PEXPIRE', '0'], ['EXPIREAT', String(T0 / 1000)], ['PEXPIREAT', '1']]) {
      await r.set('k', 'v');
      propagated = [];
      expect(await raw.call(cmd!, 'k', arg!)).toBe(':1\r\n');
      expect(await r.exists('k')).toBe(0);
      expect(propagated).toEqual([[0, ['DEL', 'k']]]);
    }
    expect(await raw.call('EXPIRE', 'k', '-1')).toBe(':0\r\n');
  });

  it('EXPIRE PEXPIRE EXPIREAT propagate as PEXPIREAT key <unix ms> with the options as given; PEXPIREAT as received', async () => {
    await r.set('k', 'v');
    propagated = [];
    await r.call('EXPIRE', 'k', '100');
    await r.call('PEXPIRE', 'k', '5000', 'LT');
    await r.call('EXPIREAT', 'k', String(T0 / 1000 + 9), 'gt');
    await r.call('pexpireat', 'k', String(T0 + 20_000), 'xx');
    await r.call('EXPIRE', 'k', '100', 'NX'); // condition fails: nothing propagated
    await r.persist('k');
    await r.persist('k'); // no TTL: nothing propagated
    expect(propagated).toEqual([
      [0, ['PEXPIREAT', 'k', String(T0 + 100_000)]],
      [0, ['PEXPIREAT', 'k', String(T0 + 5000), 'LT']],
      [0, ['PEXPIREAT', 'k', String(T0 + 9000), 'gt']],
      [0, ['pexpireat', 'k', String(T0 + 20_000), 'xx']],
      [0, ['persist', 'k']],
    ]);
  });

  it('PERSIST removes a TTL; 0 for a missing key or one without TTL', async () => {
    expect(await r.persist('nokey')).toBe(0);
    await r.set('k', 'v', 'EX', 10);
    expect(await r2.persist('k')).toBe(1);
    expect(await raw.call('PERSIST', 'k')).toBe(':0\r\n');
    clock.advance(20_000);
    expect(await r.get('k')).toBe('v');
  });

  it('a key expires when the clock passes its time (lazy and active expiry)', async () => {
    await r.set('lazy', 'v');
    await r.set('active', 'v');
    await r.pexpire('lazy', 10);
    await r.pexpire('active', 10);
    clock.advance(10);
    expect(await r.get('lazy')).toBeNull();
    expect(db().data.has('active' as Bytes)).toBe(true);
    db().activeExpireCycle(() => false);
    expect(db().data.has('active' as Bytes)).toBe(false);
    expect(propagated.filter(([, a]) => a[0] === 'DEL')).toEqual([[0, ['DEL', 'lazy']], [0, ['DEL', 'active']]]);
  });
});

describe('KEYS SCAN RANDOMKEY', () => {
  it('KEYS returns the keys matching a glob, skipping expired keys', async () => {
    await r.mset('hello', '1', 'hallo', '2', 'hxllo', '3', 'foo:1', '4', 'foo:22', '5', 'a*b', '6');
    await r.set('gone', 'v', 'PX', 1);
    clock.advance(1);
    expect((await r.keys('*')).sort()).toEqual(['a*b', 'foo:1', 'foo:22', 'hallo', 'hello', 'hxllo']);
    expect((await r2.keys('h[ae]llo')).sort()).toEqual(['hallo', 'hello']);
    expect(await r.keys('foo:?')).toEqual(['foo:1']);
    expect(await r.keys('a\\*b')).toEqual(['a*b']);
    expect(await raw.call('KEYS', 'h[^ae]llo')).toBe('*1\r\n$5\r\nhxllo\r\n');
    expect(await raw3.call('KEYS', 'nomatch*')).toBe('*0\r\n');
    expect(await raw.call('KEYS')).toBe("-ERR wrong number of arguments for 'keys' command\r\n");
    expect(db().data.has('gone' as Bytes)).toBe(true); // KEYS does not delete
  });

  it('SCAN walks every key once with MATCH and COUNT; cursor 0 ends the iteration', async () => {
    const keys = Array.from({ length: 95 }, (_, i) => `key:${i}`);
    await r.mset(...keys.flatMap((k) => [k, 'v']));
    await r.set('other', 'v');
    const seen: string[] = [];
    let cursor = '0';
    let calls = 0;
    do {
      const [next, batch] = await r.scan(cursor, 'MATCH', 'key:*', 'COUNT', 10);
      expect(batch.length).toBeLessThanOrEqual(10);
      seen.push(...batch);
      cursor = next;
      calls++;
    } while (cursor !== '0' && calls < 100);
    expect(seen.sort()).toEqual([...keys].sort());
    expect(calls).toBe(10);
    const [c2, all] = await r2.scan('0', 'COUNT', 1000);
    expect(c2).toBe('0');
    expect(all.length).toBe(96);
  });

  it('SCAN returns every key present from start to end while keys are added and deleted', async () => {
    const stable = Array.from({ length: 200 }, (_, i) => `stable:${i}`);
    await r.mset(...stable.flatMap((k) => [k, 'v']));
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const [next, batch] = await r.scan(cursor, 'COUNT', 7);
      for (const k of batch) seen.add(k);
      cursor = next;
      // Between calls: add fresh keys, delete some of the added ones, rewrite stable ones.
      await r.mset(`new:${round}:a`, 'v', `new:${round}:b`, 'v');
      await r.del(`new:${round - 1}:a`);
      await r.set(stable[(round * 13) % stable.length]!, 'rewritten');
      round++;
    } while (cursor !== '0' && round < 1000);
    expect(cursor).toBe('0');
    for (const k of stable) expect(seen.has(k)).toBe(true);
  });

  it('SCAN TYPE filters by type; expired keys are skipped and removed', async () => {
    await r.mset('s1', 'a', 's2', 'b');
    db().set('l1' as Bytes, fakeList('x'));
    await r.set('old', 'v', 'PX', 5);
    clock.advance(5);
    const [, lists] = await r.scan('0', 'COUNT', 100, 'TYPE', 'list');
    expect(lists).toEqual(['l1']);
    const [, strings] = await r2.scan('0', 'COUNT', 100, 'TYPE', 'STRING');
    expect(strings.sort()).toEqual(['s1', 's2']);
    const [, none] = await r.scan('0', 'COUNT', 100, 'TYPE', 'nosuchtype');
    expect(none).toEqual([]);
    expect(db().data.has('old' as Bytes)).toBe(false);
  });

  it('SCAN exact bytes in RESP2 and RESP3, and argument errors', async () => {
    await r.set('only', 'v');
    expect(await raw.call('SCAN', '0')).toBe('*2\r\n$1\r\n0\r\n*1\r\n$4\r\nonly\r\n');
    expect(await raw3.call('SCAN', '0', 'MATCH', 'x*')).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
    expect(await raw.call('SCAN', 'abc')).toBe('-ERR invalid cursor\r\n');
    expect(await raw.call('SCAN', ' 1')).toBe('-ERR invalid cursor\r\n');
    expect(await raw.call('SCAN', '18446744073709551616')).toBe('-ERR invalid cursor\r\n');
    expect(await raw.call('SCAN', 'abc', 'COUNT', '0')).toBe('-ERR invalid cursor\r\n');
    expect(await raw.call('SCAN', '0', 'COUNT', '0')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('SCAN', '0', 'COUNT', '-5')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('SCAN', '0', 'COUNT', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('SCAN', '0', 'MATCH')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('SCAN', '0', 'BOGUS', 'x')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('SCAN')).toBe("-ERR wrong number of arguments for 'scan' command\r\n");
  });

  it('SCAN with a cursor the server does not know starts again; FLUSHDB invalidates cursors', async () => {
    await r.mset('a', '1', 'b', '2', 'c', '3');
    const [cursor, first] = await r.scan('0', 'COUNT', 2);
    expect(first.length).toBe(2);
    await r.flushdb();
    await r.mset('x', '1');
    expect(await r.scan(cursor, 'COUNT', 10)).toEqual(['0', ['x']]);
    expect(await r.scan('987654321', 'COUNT', 10)).toEqual(['0', ['x']]);
  });

  it('RANDOMKEY returns a live key, or nil (RESP2 $-1, RESP3 _) when there is none', async () => {
    expect(await r.randomkey()).toBeNull();
    expect(await raw.call('RANDOMKEY')).toBe('$-1\r\n');
    expect(await raw3.call('RANDOMKEY')).toBe('_\r\n');
    await r.set('only', 'v');
    expect(await r2.randomkey()).toBe('only');
    expect(await raw.call('RANDOMKEY')).toBe('$4\r\nonly\r\n');
    await r.pexpire('only', 1);
    clock.advance(1);
    expect(await r.randomkey()).toBeNull();
    await r.mset('a', '1', 'b', '2', 'c', '3');
    const picks = new Set<string>();
    for (let i = 0; i < 200 && picks.size < 3; i++) picks.add((await r.randomkey())!);
    expect([...picks].sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('RENAME RENAMENX COPY MOVE', () => {
  it('RENAME moves the value and TTL, replacing the destination; RENAMENX refuses an existing one', async () => {
    await r.set('a', '1', 'PX', 5000);
    await r.set('b', '2', 'EX', 100);
    expect(await r.rename('a', 'b')).toBe('OK');
    expect(await r.get('b')).toBe('1');
    expect(await r.pttl('b')).toBe(5000);
    expect(await r.exists('a')).toBe(0);
    await r.set('c', '3');
    expect(await r.renamenx('b', 'c')).toBe(0);
    expect(await r2.renamenx('b', 'd')).toBe(1);
    expect(await r.pttl('d')).toBe(5000);
    expect(await raw.call('RENAME', 'c', 'd')).toBe('+OK\r\n');
    expect(await r.ttl('d')).toBe(-1);
    expect(await raw.call('RENAME', 'd', 'd')).toBe('+OK\r\n');
    expect(await raw3.call('RENAMENX', 'd', 'd')).toBe(':0\r\n');
    expect(await raw.call('RENAME', 'nokey', 'x')).toBe('-ERR no such key\r\n');
    expect(await raw.call('RENAMENX', 'nokey', 'nokey')).toBe('-ERR no such key\r\n');
    expect(propagated.filter(([, a]) => a[0]!.toLowerCase().startsWith('rename'))).toEqual([
      [0, ['rename', 'a', 'b']], [0, ['renamenx', 'b', 'd']], [0, ['RENAME', 'c', 'd']],
    ]);
  });

  it('COPY copies value and TTL, within a database or to another with DB; REPLACE overwrites', async () => {
    await r.set('src', 'v', 'PX', 3000);
    expect(await r.copy('src', 'dst')).toBe(1);
    expect(await r.get('dst')).toBe('v');
    expect(await r.pttl('dst')).toBe(3000);
    await r.set('dst', 'other');
    expect(await r.copy('src', 'dst')).toBe(0);
    expect(await r.get('dst')).toBe('other');
    expect(await r2.copy('src', 'dst', 'REPLACE')).toBe(1);
    expect(await r.get('dst')).toBe('v');
    expect(await raw.call('COPY', 'src', 'src', 'DB', '3')).toBe(':1\r\n');
    expect(db(3).getExpire('src' as Bytes)).toBe(T0 + 3000);
    expect(await raw.call('COPY', 'nokey', 'x')).toBe(':0\r\n');
    expect(await raw.call('COPY', 'src', 'src')).toBe('-ERR source and destination objects are the same\r\n');
    expect(await raw.call('COPY', 'src', 'x', 'DB', '16')).toBe('-ERR DB index is out of range\r\n');
    expect(await raw.call('COPY', 'src', 'x', 'DB', 'abc')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('COPY', 'src', 'x', 'DB', '2147483648')).toBe('-ERR value is out of range, value must between -2147483648 and 2147483647\r\n');
    expect(await raw.call('COPY', 'src', 'x', 'DB')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('COPY', 'src', 'x', 'EXTRA')).toBe('-ERR syntax error\r\n');
    expect(propagated.filter(([, a]) => a[0]!.toLowerCase() === 'copy')).toEqual([
      [0, ['copy', 'src', 'dst']], [0, ['copy', 'src', 'dst', 'REPLACE']], [0, ['COPY', 'src', 'src', 'DB', '3']],
    ]);
  });

  it('COPY of an aggregate stores an independent copy', async () => {
    const original = fakeList('orig');
    db().set('l' as Bytes, original);
    expect(await r.copy('l', 'l2')).toBe(1);
    const copied = db().peekNoTouch('l2' as Bytes) as ReturnType<typeof fakeList>;
    expect(copied).not.toBe(original);
    expect(copied.tag).toBe('orig-copy');
    expect(await r.type('l2')).toBe('list');
  });

  it('MOVE moves a key and its TTL to another database unless it exists there', async () => {
    await r.set('k', 'v', 'PX', 2000);
    expect(await r.move('k', 1)).toBe(1);
    expect(await r.exists('k')).toBe(0);
    expect(db(1).peekNoTouch('k' as Bytes)).toBe('v');
    expect(db(1).getExpire('k' as Bytes)).toBe(T0 + 2000);
    await r.set('k', 'again');
    expect(await r2.move('k', 1)).toBe(0);
    expect(await raw.call('MOVE', 'nokey', '1')).toBe(':0\r\n');
    expect(await raw.call('MOVE', 'k', '0')).toBe('-ERR source and destination objects are the same\r\n');
    expect(await raw.call('MOVE', 'k', '16')).toBe('-ERR DB index is out of range\r\n');
    expect(await raw.call('MOVE', 'k', '-1')).toBe('-ERR DB index is out of range\r\n');
    expect(await raw.call('MOVE', 'k', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('MOVE', 'k', '99999999999')).toBe('-ERR value is out of range, value must between -2147483648 and 2147483647\r\n');
    expect(propagated.filter(([, a]) => a[0] === 'move')).toEqual([[0, ['move', 'k', '1']]]);
  });
});

describe('DBSIZE FLUSHDB FLUSHALL SWAPDB', () => {
  it('DBSIZE counts keys of the selected database', async () => {
    expect(await r.dbsize()).toBe(0);
    await r.mset('a', '1', 'b', '2');
    expect(await r2.dbsize()).toBe(2);
    expect(await raw.call('DBSIZE')).toBe(':2\r\n');
    await raw.call('SELECT', '5');
    expect(await raw.call('DBSIZE')).toBe(':0\r\n');
  });

  it('FLUSHDB empties the selected database only; always propagated; ASYNC SYNC accepted', async () => {
    await r.set('a', '1');
    db(2).set('z' as Bytes, 'v' as Bytes);
    expect(await r.flushdb()).toBe('OK');
    expect(await r.dbsize()).toBe(0);
    expect(db(2).size).toBe(1);
    expect(await r2.flushdb('ASYNC')).toBe('OK');
    expect(await raw.call('FLUSHDB', 'sync')).toBe('+OK\r\n');
    expect(await raw.call('FLUSHDB', 'foo')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('FLUSHDB', 'ASYNC', 'SYNC')).toBe('-ERR syntax error\r\n');
    expect(propagated.filter(([, a]) => a[0]!.toLowerCase() === 'flushdb')).toEqual([
      [0, ['flushdb']], [0, ['flushdb', 'ASYNC']], [0, ['FLUSHDB', 'sync']],
    ]);
  });

  it('FLUSHALL empties every database and is always propagated', async () => {
    await r.set('a', '1');
    db(7).set('z' as Bytes, 'v' as Bytes);
    expect(await r.flushall()).toBe('OK');
    expect(db(7).size).toBe(0);
    expect(await raw.call('FLUSHALL', 'ASYNC')).toBe('+OK\r\n');
    expect(await raw3.call('FLUSHALL', 'x')).toBe('-ERR syntax error\r\n');
    expect(propagated.filter(([, a]) => a[0]!.toLowerCase() === 'flushall')).toEqual([[0, ['flushall']], [0, ['FLUSHALL', 'ASYNC']]]);
  });

  it('SWAPDB exchanges two databases (values and TTLs) and is propagated; errors', async () => {
    await r.set('a', 'db0', 'PX', 500);
    db(1).set('b' as Bytes, 'db1' as Bytes);
    expect(await r.swapdb(0, 1)).toBe('OK');
    expect(await r.get('a')).toBeNull();
    expect(await r.get('b')).toBe('db1');
    expect(db(1).getExpire('a' as Bytes)).toBe(T0 + 500);
    expect(await raw.call('SWAPDB', '1', '1')).toBe('+OK\r\n');
    expect(await raw.call('SWAPDB', 'x', '1')).toBe('-ERR invalid first DB index\r\n');
    expect(await raw.call('SWAPDB', '0', 'x')).toBe('-ERR invalid second DB index\r\n');
    expect(await raw.call('SWAPDB', '2147483648', '0')).toBe('-ERR invalid first DB index\r\n');
    expect(await raw.call('SWAPDB', '0', '16')).toBe('-ERR DB index is out of range\r\n');
    expect(await raw3.call('SWAPDB', '-1', '0')).toBe('-ERR DB index is out of range\r\n');
    expect(propagated.filter(([, a]) => a[0]!.toLowerCase() === 'swapdb')).toEqual([[0, ['swapdb', '0', '1']], [0, ['SWAPDB', '1', '1']]]);
  });
});

describe('OBJECT', () => {
  it('OBJECT ENCODING reports int, embstr, raw and aggregate encodings; nil for a missing key', async () => {
    await r.mset('i', '12345', 'e', 'hello', 'r', 'x'.repeat(45), 'n', '01');
    db().set('l' as Bytes, fakeList('x'));
    expect(await r.object('ENCODING', 'i')).toBe('int');
    expect(await r.object('ENCODING', 'e')).toBe('embstr');
    expect(await r2.object('ENCODING', 'r')).toBe('raw');
    expect(await r.object('ENCODING', 'n')).toBe('embstr');
    expect(await r.object('ENCODING', 'l')).toBe('listpack');
    expect(await r.object('ENCODING', 'nokey')).toBeNull();
    expect(await raw.call('OBJECT', 'ENCODING', 'i')).toBe('$3\r\nint\r\n');
    expect(await raw.call('OBJECT', 'ENCODING', 'nokey')).toBe('$-1\r\n');
    expect(await raw3.call('OBJECT', 'ENCODING', 'nokey')).toBe('_\r\n');
  });

  it('OBJECT REFCOUNT: shared small integers report INT_MAX, everything else 1', async () => {
    await r.mset('small', '9999', 'big', '10000', 's', 'abc');
    expect(await r.object('REFCOUNT', 'small')).toBe(2147483647);
    expect(await r.object('REFCOUNT', 'big')).toBe(1);
    expect(await raw.call('OBJECT', 'REFCOUNT', 's')).toBe(':1\r\n');
    expect(await raw.call('OBJECT', 'REFCOUNT', 'nokey')).toBe('$-1\r\n');
  });

  it('OBJECT IDLETIME counts seconds since the last access; TYPE EXISTS TTL OBJECT do not touch, GET TOUCH do', async () => {
    await r.set('k', 'v');
    expect(await r.object('IDLETIME', 'k')).toBe(0); // tracking starts now
    clock.advance(10_000);
    expect(await r.object('IDLETIME', 'k')).toBe(10);
    await r.type('k');
    await r.exists('k');
    await r.ttl('k');
    await r.object('ENCODING', 'k');
    expect(await raw.call('OBJECT', 'IDLETIME', 'k')).toBe(':10\r\n');
    await r.get('k');
    expect(await r.object('IDLETIME', 'k')).toBe(0);
    clock.advance(3000);
    await r.touch('k');
    expect(await r2.object('IDLETIME', 'k')).toBe(0);
    clock.advance(2500);
    await r.set('new', 'v');
    clock.advance(1000);
    expect(await r.object('IDLETIME', 'k')).toBe(3);
    expect(await r.object('IDLETIME', 'new')).toBe(1);
    expect(await raw3.call('OBJECT', 'IDLETIME', 'nokey')).toBe('_\r\n');
  });

  it('OBJECT FREQ needs an LFU policy; under one, IDLETIME is refused and FREQ counts accesses', async () => {
    await r.set('k', 'v');
    expect(await raw.call('OBJECT', 'FREQ', 'k')).toBe(
      '-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n',
    );
    expect(await raw.call('OBJECT', 'FREQ', 'nokey')).toBe('$-1\r\n');
    await r.config('SET', 'maxmemory-policy', 'allkeys-lfu');
    expect(await raw.call('OBJECT', 'IDLETIME', 'k')).toBe(
      '-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n',
    );
    expect(await r.object('FREQ', 'k')).toBe(5);
    await r.set('fresh', 'v');
    expect(await r.object('FREQ', 'fresh')).toBe(5);
    for (let i = 0; i < 50; i++) await r.get('fresh');
    expect(await r.object('FREQ', 'fresh')).toBeGreaterThan(5);
  });

  it('OBJECT HELP text, unknown subcommands and arity errors', async () => {
    const help = await raw.call('OBJECT', 'HELP');
    expect(help).toBe([
      '*15',
      '+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
      '+ENCODING <key>',
      '+    Return the kind of internal representation used in order to store the value',
      '+    associated with a <key>.',
      '+FREQ <key>',
      '+    Return the access frequency index of the <key>. The returned integer is',
      '+    proportional to the logarithm of the recent access frequency of the key.',
      '+IDLETIME <key>',
      '+    Return the idle time of the <key>, that is the approximated number of',
      '+    seconds elapsed since the last access to the key.',
      '+REFCOUNT <key>',
      '+    Return the number of references of the value associated with the specified',
      '+    <key>.',
      '+HELP',
      '+    Prints this help.',
      '',
    ].join('\r\n'));
    expect(await raw3.call('OBJECT', 'help')).toBe(help);
    expect(await raw.call('OBJECT', 'FOO', 'k')).toBe("-ERR unknown subcommand 'FOO'. Try OBJECT HELP.\r\n");
    expect(await raw.call('OBJECT')).toBe("-ERR wrong number of arguments for 'object' command\r\n");
    expect(await raw.call('OBJECT', 'ENCODING')).toBe("-ERR wrong number of arguments for 'object|encoding' command\r\n");
    expect(await raw.call('OBJECT', 'HELP', 'x')).toBe("-ERR wrong number of arguments for 'object|help' command\r\n");
  });
});
