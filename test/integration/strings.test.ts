/**
 * String commands over TCP: ioredis (RESP3 by default, RESP2 where replies differ) for the client
 * library's view, RawConnection for exact bytes. Time is a ManualClock, so TTLs are exact; what
 * the server propagates (AOF / replicas) is captured from the propagator.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { ManualClock } from '../../src/clock.js';
import type { AggregateValue } from '../../src/keyspace/redis-value.js';

const T0 = 1_700_000_000_000;
const clock = new ManualClock(T0);
let ts: TestServer;
let r: Redis;
let raw: RawConnection;
/** Everything propagated since the last reset: [db, argv]. */
let propagated: [number, string[]][] = [];

beforeAll(async () => {
  ts = await startTestServer({}, clock);
  ts.server.propagator.subscribe((db, argv) => propagated.push([db, [...argv]]));
  r = await ts.client({ enableReadyCheck: false });
  raw = await RawConnection.connect(ts.port);
});
afterAll(async () => {
  raw.close();
  await ts.stop();
});
beforeEach(() => {
  for (const db of ts.server.keyspaces) db.flush();
  clock.set(T0);
  propagated = [];
});

const db0 = () => ts.server.keyspaces[0]!;
/** The key's expiry time (unix ms) in db 0, or undefined. */
const expiryOf = (key: string) => db0().expires.get(key);
/** A value of another type, standing in for a list until the list family exists. */
const aList: AggregateValue = { type: 'list', encoding: () => 'quicklist', copy: () => aList, bytes: 0, owner: null, stores: 0 };
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';

describe('GET SET', () => {
  it('GET and SET round-trip; GET of a missing key is nil in RESP2 and RESP3', async () => {
    expect(await r.set('k', 'v')).toBe('OK');
    expect(await r.get('k')).toBe('v');
    expect(await r.get('missing')).toBeNull();
    expect(await raw.call('GET', 'k')).toBe('$1\r\nv\r\n');
    expect(await raw.call('GET', 'missing')).toBe('$-1\r\n');
    const c3 = await RawConnection.connect(ts.port);
    await c3.call('HELLO', '3');
    expect(await c3.call('GET', 'missing')).toBe('_\r\n');
    expect(await c3.call('SET', 'missing', 'x', 'XX')).toBe('_\r\n');
    c3.close();
    const r2 = await ts.client({ protocol: 2, enableReadyCheck: false });
    expect(await r2.get('missing')).toBeNull();
    expect(await r2.set('k', 'w', 'GET')).toBe('v');
  });

  it('SET NX XX GET: replies and whether the value changed', async () => {
    expect(await raw.call('SET', 'k', 'v', 'NX')).toBe('+OK\r\n');
    expect(await raw.call('SET', 'k', 'w', 'NX')).toBe('$-1\r\n');
    expect(await raw.call('SET', 'k', 'w', 'nx', 'get')).toBe('$1\r\nv\r\n');
    expect(await r.get('k')).toBe('v');
    expect(await raw.call('SET', 'k', 'x', 'XX', 'GET')).toBe('$1\r\nv\r\n');
    expect(await raw.call('SET', 'new', 'x', 'XX')).toBe('$-1\r\n');
    expect(await raw.call('SET', 'new', 'x', 'XX', 'GET')).toBe('$-1\r\n');
    expect(db0().has('new')).toBe(false);
    expect(await raw.call('SET', 'new2', 'y', 'NX', 'GET')).toBe('$-1\r\n');
    expect(await r.get('new2')).toBe('y');
    expect(await raw.call('SET', 'k', 'z', 'GET', 'GET')).toBe('$1\r\nx\r\n');
  });

  it('SET EX PX EXAT PXAT set exact expiry times; KEEPTTL keeps one, a plain SET clears it', async () => {
    await r.set('a', '1', 'EX', 10);
    expect(expiryOf('a')).toBe(T0 + 10_000);
    await r.set('a', '1', 'PX', 1500);
    expect(expiryOf('a')).toBe(T0 + 1500);
    await r.set('a', '1', 'EXAT', 1_800_000_000);
    expect(expiryOf('a')).toBe(1_800_000_000_000);
    await r.set('a', '1', 'PXAT', T0 + 42);
    expect(expiryOf('a')).toBe(T0 + 42);
    await r.set('a', '2', 'KEEPTTL');
    expect(expiryOf('a')).toBe(T0 + 42);
    expect(await r.set('a', '3', 'KEEPTTL', 'GET')).toBe('2');
    expect(expiryOf('a')).toBe(T0 + 42);
    await r.set('a', '4');
    expect(expiryOf('a')).toBeUndefined();
    await r.call('SET', 'b', 'v', 'EX', '10', 'EX', '20');
    expect(expiryOf('b')).toBe(T0 + 20_000);
  });

  it('SET with a TTL: the key vanishes when the clock passes it, and a DEL is propagated', async () => {
    await r.set('a', 'v', 'PX', 100);
    clock.advance(99);
    expect(await r.get('a')).toBe('v');
    clock.advance(1);
    propagated = [];
    expect(await r.get('a')).toBeNull();
    expect(propagated).toEqual([[0, ['DEL', 'a']]]);
  });

  it('SET with an absolute time already past stores a key that is already expired', async () => {
    expect(await raw.call('SET', 'p', 'v', 'PXAT', '1')).toBe('+OK\r\n');
    expect(propagated).toEqual([[0, ['SET', 'p', 'v', 'PXAT', '1']]]);
    expect(await r.get('p')).toBeNull();
  });

  it('SET option errors: syntax, invalid expire time, not an integer', async () => {
    const syntax = '-ERR syntax error\r\n';
    const invalid = "-ERR invalid expire time in 'set' command\r\n";
    const notInt = '-ERR value is not an integer or out of range\r\n';
    const cases: [string[], string][] = [
      [['NX', 'XX'], syntax], [['XX', 'NX'], syntax], [['EX', '10', 'PX', '10'], syntax], [['KEEPTTL', 'EX', '1'], syntax],
      [['PX', '1', 'KEEPTTL'], syntax], [['EX'], syntax], [['FOO'], syntax], [['PERSIST'], syntax], [['EX', 'x', 'FOO'], syntax],
      [['EX', '0'], invalid], [['EX', '-1'], invalid], [['PX', '0'], invalid], [['EXAT', '0'], invalid], [['PXAT', '-1'], invalid],
      [['EX', '9223372036854775'], invalid], [['PX', '9223372036854775807'], invalid], [['EX', '9999999999999999'], invalid],
      [['EX', '1.5'], notInt], [['EX', 'abc'], notInt], [['PX', '9223372036854775808'], notInt],
    ];
    for (const [opts, err] of cases) expect([opts, await raw.call('SET', 'k', 'v', ...opts)]).toEqual([opts, err]);
    expect(await raw.call('SET', 'k')).toBe("-ERR wrong number of arguments for 'set' command\r\n");
    expect(db0().has('k')).toBe(false);
    expect(propagated).toEqual([]);
  });

  it('SET propagation: EX/PX/EXAT/PXAT become SET key value PXAT <abs ms>, other forms go as sent', async () => {
    await raw.call('SET', 'a', 'v', 'EX', '10');
    await raw.call('SET', 'b', 'v', 'px', '1500', 'GET');
    await raw.call('SET', 'c', 'v', 'EXAT', '1800000000', 'NX');
    await raw.call('SET', 'd', 'v', 'PXAT', '1800000000123');
    await raw.call('SET', 'e', 'v', 'KEEPTTL', 'GET');
    await raw.call('SET', 'e', 'w', 'NX', 'EX', '5');
    await raw.call('SET', 'huge', 'v', 'PXAT', '9223372036854775807');
    expect(propagated).toEqual([
      [0, ['SET', 'a', 'v', 'PXAT', String(T0 + 10_000)]],
      [0, ['SET', 'b', 'v', 'PXAT', String(T0 + 1500)]],
      [0, ['SET', 'c', 'v', 'PXAT', '1800000000000']],
      [0, ['SET', 'd', 'v', 'PXAT', '1800000000123']],
      [0, ['SET', 'e', 'v', 'KEEPTTL', 'GET']],
      [0, ['SET', 'huge', 'v', 'PXAT', '9223372036854775807']],
    ]);
  });

  it('SET, GET, GETSET, GETDEL, GETEX, SETNX and MSETNX against a key holding a list', async () => {
    db0().set('l', aList);
    for (const cmd of [['GET', 'l'], ['SET', 'l', 'v', 'GET'], ['SET', 'l', 'v', 'NX', 'GET'], ['GETSET', 'l', 'v'],
      ['GETDEL', 'l'], ['GETEX', 'l'], ['GETEX', 'l', 'EX', '0'], ['GETEX', 'l', 'PERSIST']]) {
      expect([cmd, await raw.call(...cmd)]).toEqual([cmd, WRONGTYPE]);
    }
    expect(await raw.call('GETEX', 'l', 'FOO')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('SET', 'l', 'v', 'EX', '0', 'GET')).toBe("-ERR invalid expire time in 'set' command\r\n");
    expect(await raw.call('SETNX', 'l', 'v')).toBe(':0\r\n');
    expect(await raw.call('MSETNX', 'x', '1', 'l', 'v')).toBe(':0\r\n');
    expect(await raw.call('SET', 'l', 'v', 'NX')).toBe('$-1\r\n');
    expect(db0().data.get('l')).toBe(aList);
    expect(await raw.call('SET', 'l', 'v', 'XX')).toBe('+OK\r\n');
    expect(await r.get('l')).toBe('v');
  });

  it('SET and GET are binary-safe for keys and values holding all 256 byte values', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(await raw.call('SET', all, all)).toBe('+OK\r\n');
    expect(await raw.call('GET', all)).toBe(`$256\r\n${all.toString('latin1')}\r\n`);
    expect((await r.getBuffer(all))!.equals(all)).toBe(true);
    await r.set(Buffer.from([0, 13, 10]), Buffer.from([255, 0]));
    expect(db0().data.get('\x00\r\n')).toBe('\xff\x00');
  });
});

describe('SETNX SETEX PSETEX GETSET GETDEL', () => {
  it('SETNX sets only a missing key', async () => {
    expect(await r.setnx('k', 'a')).toBe(1);
    expect(await r.setnx('k', 'b')).toBe(0);
    expect(await r.get('k')).toBe('a');
    expect(propagated).toEqual([[0, ['setnx', 'k', 'a']]]);
  });

  it('SETEX PSETEX set value and TTL, reject bad times, and propagate as SET PXAT', async () => {
    expect(await raw.call('SETEX', 'a', '10', 'v')).toBe('+OK\r\n');
    expect(await raw.call('PSETEX', 'b', '1500', 'w')).toBe('+OK\r\n');
    expect([expiryOf('a'), expiryOf('b')]).toEqual([T0 + 10_000, T0 + 1500]);
    expect(await raw.call('SETEX', 'a', '0', 'v')).toBe("-ERR invalid expire time in 'setex' command\r\n");
    expect(await raw.call('PSETEX', 'a', '-1', 'v')).toBe("-ERR invalid expire time in 'psetex' command\r\n");
    expect(await raw.call('PSETEX', 'a', '9223372036854775807', 'v')).toBe("-ERR invalid expire time in 'psetex' command\r\n");
    expect(await raw.call('SETEX', 'a', 'x', 'v')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('SETEX', 'a', '10')).toBe("-ERR wrong number of arguments for 'setex' command\r\n");
    expect(propagated).toEqual([
      [0, ['SET', 'a', 'v', 'PXAT', String(T0 + 10_000)]],
      [0, ['SET', 'b', 'w', 'PXAT', String(T0 + 1500)]],
    ]);
    clock.advance(1500);
    expect(await r.get('b')).toBeNull();
    expect(await r.get('a')).toBe('v');
  });

  it('GETSET returns the old value, clears the TTL, and is propagated as SET', async () => {
    await r.set('k', 'old', 'EX', 100);
    propagated = [];
    expect(await r.getset('k', 'new')).toBe('old');
    expect(await r.getset('fresh', 'x')).toBeNull();
    expect(expiryOf('k')).toBeUndefined();
    expect(propagated).toEqual([[0, ['SET', 'k', 'new']], [0, ['SET', 'fresh', 'x']]]);
  });

  it('GETDEL returns and deletes, propagating DEL; a missing key propagates nothing', async () => {
    await r.set('k', 'v');
    propagated = [];
    expect(await r.getdel('k')).toBe('v');
    expect(await r.getdel('k')).toBeNull();
    expect(db0().has('k')).toBe(false);
    expect(propagated).toEqual([[0, ['DEL', 'k']]]);
  });
});

describe('GETEX', () => {
  it('GETEX EX PX EXAT PXAT PERSIST change the TTL and reply the value', async () => {
    await r.set('k', 'v');
    expect(await r.getex('k')).toBe('v');
    expect(await r.getex('k', 'EX', 10)).toBe('v');
    expect(expiryOf('k')).toBe(T0 + 10_000);
    expect(await r.getex('k', 'PX', 500)).toBe('v');
    expect(expiryOf('k')).toBe(T0 + 500);
    expect(await r.getex('k', 'EXAT', 1_800_000_000)).toBe('v');
    expect(expiryOf('k')).toBe(1_800_000_000_000);
    expect(await r.getex('k', 'PXAT', T0 + 7)).toBe('v');
    expect(expiryOf('k')).toBe(T0 + 7);
    expect(await r.getex('k', 'PERSIST')).toBe('v');
    expect(expiryOf('k')).toBeUndefined();
    expect(await r.getex('missing', 'EX', 10)).toBeNull();
  });

  it('GETEX propagation: PEXPIREAT for any time, PERSIST only when a TTL went, DEL for a past time', async () => {
    await r.set('k', 'v');
    await r.set('j', 'v');
    propagated = [];
    await r.getex('k');
    await r.getex('k', 'PERSIST');
    await r.getex('k', 'EX', 10);
    await r.getex('k', 'PX', 20);
    await r.getex('k', 'EXAT', 1_800_000_000);
    await r.getex('k', 'PXAT', 1_800_000_000_555);
    await r.getex('k', 'PERSIST');
    await r.getex('missing', 'EX', 10);
    expect(await r.getex('j', 'PXAT', T0)).toBe('v');
    expect(db0().data.has('j')).toBe(false);
    expect(await r.getex('k', 'EXAT', 1)).toBe('v');
    expect(propagated).toEqual([
      [0, ['PEXPIREAT', 'k', String(T0 + 10_000)]],
      [0, ['PEXPIREAT', 'k', String(T0 + 20)]],
      [0, ['PEXPIREAT', 'k', '1800000000000']],
      [0, ['PEXPIREAT', 'k', '1800000000555']],
      [0, ['PERSIST', 'k']],
      [0, ['DEL', 'j']],
      [0, ['DEL', 'k']],
    ]);
  });

  it('GETEX errors: options checked first, the number only for an existing string', async () => {
    await r.set('k', 'v');
    expect(await raw.call('GETEX', 'k', 'EX', '0')).toBe("-ERR invalid expire time in 'getex' command\r\n");
    expect(await raw.call('GETEX', 'k', 'PXAT', '-1')).toBe("-ERR invalid expire time in 'getex' command\r\n");
    expect(await raw.call('GETEX', 'k', 'EX', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    for (const opts of [['PERSIST', 'EX', '1'], ['EX', '1', 'PERSIST'], ['EX', '1', 'PX', '1'], ['EX'], ['KEEPTTL'], ['FOO']]) {
      expect([opts, await raw.call('GETEX', 'k', ...opts)]).toEqual([opts, '-ERR syntax error\r\n']);
    }
    expect(await raw.call('GETEX', 'missing', 'EX', '0')).toBe('$-1\r\n');
    expect(await raw.call('GETEX', 'missing', 'FOO')).toBe('-ERR syntax error\r\n');
    expect(expiryOf('k')).toBeUndefined();
  });
});

describe('MGET MSET MSETNX', () => {
  it('MSET sets all and clears TTLs; MGET gives nil for missing and non-string keys', async () => {
    await r.set('a', 'old', 'EX', 100);
    db0().set('l', aList);
    expect(await r.mset('a', '1', 'b', '2', 'a', '3')).toBe('OK');
    expect(expiryOf('a')).toBeUndefined();
    expect(await r.mget('a', 'b', 'c', 'l')).toEqual(['3', '2', null, null]);
    expect(await raw.call('MGET', 'a', 'nope')).toBe('*2\r\n$1\r\n3\r\n$-1\r\n');
    expect(await raw.call('MSET', 'a', '1', 'b')).toBe("-ERR wrong number of arguments for 'mset' command\r\n");
    expect(await raw.call('MGET')).toBe("-ERR wrong number of arguments for 'mget' command\r\n");
  });

  it('MSETNX sets all or nothing', async () => {
    await r.set('a', '1');
    expect(await r.msetnx('b', '2', 'a', 'x')).toBe(0);
    expect(await r.mget('a', 'b')).toEqual(['1', null]);
    expect(await r.msetnx('b', '2', 'c', '3')).toBe(1);
    expect(await r.mget('b', 'c')).toEqual(['2', '3']);
    expect(await raw.call('MSETNX', 'x', '1', 'y')).toBe("-ERR wrong number of arguments for 'msetnx' command\r\n");
    expect(propagated.map(([, argv]) => argv[0])).toEqual(['set', 'msetnx']);
  });
});

describe('INCR DECR INCRBY DECRBY', () => {
  it('INCR DECR INCRBY DECRBY count from 0 and keep the TTL', async () => {
    expect(await r.incr('n')).toBe(1);
    expect(await r.incrby('n', 10)).toBe(11);
    expect(await r.decr('n')).toBe(10);
    expect(await r.decrby('n', 15)).toBe(-5);
    db0().setExpire('n', T0 + 100);
    expect(await r.incr('n')).toBe(-4);
    expect(expiryOf('n')).toBe(T0 + 100);
    expect(await r.get('n')).toBe('-4');
  });

  it('INCR INCRBY DECRBY are exact over the whole int64 range and refuse overflow', async () => {
    await r.set('n', '9223372036854775806');
    expect(await raw.call('INCR', 'n')).toBe(':9223372036854775807\r\n');
    expect(await raw.call('INCR', 'n')).toBe('-ERR increment or decrement would overflow\r\n');
    expect(await raw.call('INCRBY', 'n', '-9223372036854775807')).toBe(':0\r\n');
    expect(await raw.call('INCRBY', 'n', '-9223372036854775808')).toBe(':-9223372036854775808\r\n');
    expect(await raw.call('DECR', 'n')).toBe('-ERR increment or decrement would overflow\r\n');
    expect(await raw.call('DECRBY', 'n', '-9223372036854775808')).toBe('-ERR decrement would overflow\r\n');
    await r.set('n', '9007199254740992');
    expect(await raw.call('INCR', 'n')).toBe(':9007199254740993\r\n');
    expect(await r.get('n')).toBe('9007199254740993');
  });

  it('INCR refuses values and increments that are not canonical integers', async () => {
    const notInt = '-ERR value is not an integer or out of range\r\n';
    for (const v of ['+1', ' 1', '1 ', '01', '-0', '1e3', '1.0', '', 'abc', '9223372036854775808']) {
      await r.set('n', v);
      expect([v, await raw.call('INCR', 'n')]).toEqual([v, notInt]);
      expect([v, await raw.call('INCRBY', 'm', v)]).toEqual([v, notInt]);
    }
    expect(await r.get('n')).toBe('9223372036854775808');
  });

  it('INCR DECR INCRBY DECRBY against a key holding a list (the increment is parsed first)', async () => {
    db0().set('l', aList);
    for (const cmd of [['INCR', 'l'], ['DECR', 'l'], ['INCRBY', 'l', '1'], ['DECRBY', 'l', '1']]) {
      expect([cmd, await raw.call(...cmd)]).toEqual([cmd, WRONGTYPE]);
    }
    expect(await raw.call('INCRBY', 'l', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('DECRBY', 'l', '-9223372036854775808')).toBe('-ERR decrement would overflow\r\n');
  });
});

describe('INCRBYFLOAT', () => {
  it('INCRBYFLOAT adds in long double and formats as Redis', async () => {
    const cases: [string, string, string][] = [
      ['10.5', '0.1', '10.6'], ['0.1', '0.2', '0.3'], ['5.0e3', '2.0e2', '5200'], ['-0', '0', '0'], ['1', '-1.1', '-0.1'],
      ['3', '1e-17', '3.00000000000000001'], ['123456789.123456789', '0', '123456789.12345678899873747'],
      ['0.000003814697265625', '0', '0.00000381469726562'], ['0x10', '0x1p3', '24'],
      ['12345678901234567890', '1', '12345678901234567891'], ['1e-300', '0', '0'],
    ];
    for (const [v, inc, want] of cases) {
      await r.set('f', v);
      expect([v, inc, await r.incrbyfloat('f', inc)]).toEqual([v, inc, want]);
      expect(await r.get('f')).toBe(want);
    }
    await r.set('f', '1e308');
    const sum = await r.incrbyfloat('f', '9e308');
    expect(sum).toMatch(/^9999999999999999999863494245812564547663\d{269}$/);
    expect(await r.incrbyfloat('fresh', '2.5')).toBe('2.5');
  });

  it('INCRBYFLOAT errors: not a valid float, NaN or Infinity', async () => {
    await r.set('f', '1');
    for (const inc of ['abc', '', ' 1', '1 ', 'nan', '1e4933', '1e-5000', '0x']) {
      expect([inc, await raw.call('INCRBYFLOAT', 'f', inc)]).toEqual([inc, '-ERR value is not a valid float\r\n']);
    }
    for (const inc of ['inf', '-inf', 'Infinity']) {
      expect([inc, await raw.call('INCRBYFLOAT', 'f', inc)]).toEqual([inc, '-ERR increment would produce NaN or Infinity\r\n']);
    }
    await r.set('f', '1.18e4932');
    expect(await raw.call('INCRBYFLOAT', 'f', '1.18e4932')).toBe('-ERR increment would produce NaN or Infinity\r\n');
    await r.set('f', 'x');
    expect(await raw.call('INCRBYFLOAT', 'f', '1')).toBe('-ERR value is not a valid float\r\n');
    db0().set('l', aList);
    expect(await raw.call('INCRBYFLOAT', 'l', 'abc')).toBe(WRONGTYPE);
  });

  it('INCRBYFLOAT keeps the TTL and is propagated as SET key value KEEPTTL', async () => {
    await r.set('f', '1.5', 'PX', 1000);
    propagated = [];
    expect(await raw.call('INCRBYFLOAT', 'f', '1')).toBe('$3\r\n2.5\r\n');
    expect(expiryOf('f')).toBe(T0 + 1000);
    await raw.call('INCRBYFLOAT', 'f', 'bad');
    expect(propagated).toEqual([[0, ['SET', 'f', '2.5', 'KEEPTTL']]]);
  });
});

describe('APPEND STRLEN GETRANGE SUBSTR SETRANGE', () => {
  it('APPEND creates or extends (keeping the TTL); STRLEN counts bytes', async () => {
    expect(await r.append('s', 'Hello')).toBe(5);
    await r.set('s', 'Hello', 'PX', 100);
    expect(await r.append('s', ', World')).toBe(12);
    expect(expiryOf('s')).toBe(T0 + 100);
    expect(await r.append('s', '')).toBe(12);
    expect(await r.strlen('s')).toBe(12);
    expect(await r.strlen('missing')).toBe(0);
    expect(await raw.call('APPEND', 'b', '\x00\xff')).toBe(':2\r\n');
    expect(await raw.call('STRLEN', 'b')).toBe(':2\r\n');
  });

  it('GETRANGE SUBSTR: negative indexes, clamping, Redis 7.0 quirks, missing keys', async () => {
    await r.set('s', 'Hello, World');
    const cases: [number | string, number | string, string][] = [
      [0, 4, 'Hello'], [-5, -1, 'World'], [0, -1, 'Hello, World'], [7, 100, 'World'], [5, 3, ''], [20, 30, ''],
      [-1, -2, ''], [-100, -200, ''], [0, -100, 'H'], [-100, 2, 'Hel'], [11, 11, 'd'], [12, 12, ''],
      ['-9223372036854775808', '9223372036854775807', 'Hello, World'], ['9223372036854775807', '-9223372036854775808', ''],
    ];
    for (const [a, b, want] of cases) expect([a, b, await r.getrange('s', a as number, b as number)]).toEqual([a, b, want]);
    expect(await r.call('SUBSTR', 's', 0, 4)).toBe('Hello');
    expect(await raw.call('GETRANGE', 'missing', '0', '-1')).toBe('$0\r\n\r\n');
    expect(await raw.call('GETRANGE', 's', 'a', '1')).toBe('-ERR value is not an integer or out of range\r\n');
    await r.set('e', '');
    expect(await raw.call('GETRANGE', 'e', '0', '-1')).toBe('$0\r\n\r\n');
  });

  it('SETRANGE overwrites, pads with zero bytes, keeps the TTL; empty values change nothing', async () => {
    expect(await r.setrange('s', 3, 'ab')).toBe(5);
    expect(await raw.call('GET', 's')).toBe('$5\r\n\x00\x00\x00ab\r\n');
    db0().setExpire('s', T0 + 100);
    expect(await r.setrange('s', 0, 'xyzw')).toBe(5);
    expect(await r.get('s')).toBe('xyzwb');
    expect(await r.setrange('s', 4, 'LONG')).toBe(8);
    expect(await r.get('s')).toBe('xyzwLONG');
    expect(expiryOf('s')).toBe(T0 + 100);
    propagated = [];
    expect(await r.setrange('s', 1000, '')).toBe(8);
    expect(await r.setrange('none', 5, '')).toBe(0);
    expect(db0().has('none')).toBe(false);
    expect(propagated).toEqual([]);
    expect(await raw.call('SETRANGE', 's', '-1', 'x')).toBe('-ERR offset is out of range\r\n');
    expect(await raw.call('SETRANGE', 's', 'x', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('SETRANGE', 's', '536870912', 'x')).toBe(
      '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n',
    );
  });

  it('APPEND STRLEN GETRANGE SUBSTR SETRANGE against a key holding a list', async () => {
    db0().set('l', aList);
    for (const cmd of [['APPEND', 'l', 'x'], ['STRLEN', 'l'], ['GETRANGE', 'l', '0', '1'], ['SUBSTR', 'l', '0', '1'],
      ['SETRANGE', 'l', '0', 'x'], ['SETRANGE', 'l', '0', ''], ['GETRANGE', 'l', '-1', '-5']]) {
      expect([cmd, await raw.call(...cmd)]).toEqual([cmd, WRONGTYPE]);
    }
    expect(await raw.call('SETRANGE', 'l', '-1', 'x')).toBe('-ERR offset is out of range\r\n');
  });

  it('APPEND SETRANGE refuse results longer than proto-max-bulk-len', async () => {
    const small = await startTestServer({ 'proto-max-bulk-len': '1048576' });
    const c = await RawConnection.connect(small.port);
    try {
      expect(await c.call('APPEND', 'a', 'y'.repeat(1048576))).toBe(':1048576\r\n');
      expect(await c.call('APPEND', 'a', 'z')).toBe('-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n');
      expect(await c.call('SETRANGE', 'b', '1048575', 'x')).toBe(':1048576\r\n');
      expect(await c.call('SETRANGE', 'b', '1048575', 'xy')).toBe(
        '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n',
      );
      expect(await c.call('STRLEN', 'a')).toBe(':1048576\r\n');
    } finally {
      c.close();
      await small.stop();
    }
  });
});

describe('LCS', () => {
  beforeEach(async () => {
    await r.mset('a', 'ohmytext', 'b', 'mynewtext');
  });

  it('LCS plain and LEN, over ioredis', async () => {
    expect(await r.call('LCS', 'a', 'b')).toBe('mytext');
    expect(await r.call('LCS', 'a', 'b', 'LEN')).toBe(6);
    expect(await r.call('LCS', 'a', 'missing')).toBe('');
  });

  it('LCS IDX: an array in RESP2, a map in RESP3, with MINMATCHLEN and WITHMATCHLEN', async () => {
    expect(await r.call('LCS', 'a', 'b', 'IDX', 'WITHMATCHLEN')).toEqual(['matches', [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], 'len', 6]);
    const r3 = await ts.client({ enableReadyCheck: false, replyMapping: 'resp3' });
    expect(await r3.call('LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4')).toEqual({ matches: [[[4, 7], [5, 8]]], len: 6 });
    const body = '$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n';
    expect(await raw.call('LCS', 'a', 'b', 'IDX')).toBe('*4\r\n' + body);
    const c3 = await RawConnection.connect(ts.port);
    await c3.call('HELLO', '3');
    expect(await c3.call('LCS', 'a', 'b', 'IDX')).toBe('%2\r\n' + body);
    c3.close();
  });

  it('LCS errors: LEN with IDX, syntax, MINMATCHLEN, a non-string key', async () => {
    expect(await raw.call('LCS', 'a', 'b', 'LEN', 'IDX')).toBe('-ERR If you want both the length and indexes, please just use IDX.\r\n');
    expect(await raw.call('LCS', 'a', 'b', 'FOO')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('LCS', 'a', 'b', 'MINMATCHLEN')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('LCS', 'a', 'b', 'MINMATCHLEN', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    db0().set('l', aList);
    expect(await raw.call('LCS', 'a', 'l')).toBe('-ERR The specified keys must contain string values\r\n');
    expect(await raw.call('LCS', 'l', 'a', 'FOO')).toBe('-ERR The specified keys must contain string values\r\n');
  });
});

describe('string writes and the dirty counter', () => {
  it('SET APPEND INCR count as changes; SET NX on an existing key and GET do not', async () => {
    const before = ts.server.dirty;
    await r.set('k', 'v');
    await r.append('k', 'w');
    await r.incr('n');
    expect(ts.server.dirty - before).toBe(3);
    await r.set('k', 'x', 'NX');
    await r.get('k');
    await r.setrange('k', 0, '');
    expect(ts.server.dirty - before).toBe(3);
  });
});
