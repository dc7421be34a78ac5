/**
 * List commands that never block, over TCP: ioredis (RESP3 by default) for the client library's
 * view, RawConnection for exact bytes in RESP2 and RESP3. What the server propagates (AOF /
 * replicas) is captured from the propagator. A large list checks that index reads and writes do
 * not depend on the position. The blocking commands are in list-blocking.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';

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
beforeEach(() => {
  for (const db of ts.server.keyspaces) db.flush();
  propagated = [];
});

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
/** The argv propagated since the last reset (db 0). */
const sent = () => propagated.map(([, argv]) => argv.join(' '));
const bulks = (...items: string[]) => `*${items.length}\r\n${items.map((s) => `$${s.length}\r\n${s}\r\n`).join('')}`;

describe('LPUSH RPUSH LPUSHX RPUSHX', () => {
  it('LPUSH and RPUSH add one element at a time, create the key and reply the new length', async () => {
    expect(await r.lpush('l', 'a', 'b', 'c')).toBe(3);
    expect(await r.rpush('l', 'd', 'e')).toBe(5);
    expect(await r.lrange('l', 0, -1)).toEqual(['c', 'b', 'a', 'd', 'e']);
    expect(await r.type('l')).toBe('list');
    expect(await r.object('ENCODING', 'l')).toBe('quicklist');
    expect(sent()).toEqual(['lpush l a b c', 'rpush l d e']);
  });

  it('LPUSHX and RPUSHX push only onto an existing list; a missing key stays missing and nothing is propagated', async () => {
    expect(await r.lpushx('l', 'a')).toBe(0);
    expect(await r.rpushx('l', 'a', 'b')).toBe(0);
    expect(await r.exists('l')).toBe(0);
    expect(sent()).toEqual([]);
    await r.rpush('l', 'm');
    expect(await r.lpushx('l', 'x', 'y')).toBe(3);
    expect(await r.rpushx('l', 'z')).toBe(4);
    expect(await r.lrange('l', 0, -1)).toEqual(['y', 'x', 'm', 'z']);
  });

  it('LPUSH RPUSH LPUSHX RPUSHX against a string are WRONGTYPE and change nothing', async () => {
    await r.set('s', 'v');
    for (const cmd of ['LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX']) expect(await raw.call(cmd, 's', 'a')).toBe(WRONGTYPE);
    expect(await r.get('s')).toBe('v');
    expect(await raw.call('LPUSH', 'l')).toBe("-ERR wrong number of arguments for 'lpush' command\r\n");
  });

  it('LPUSH keeps binary elements byte for byte', async () => {
    const bin = Buffer.from([0, 255, 13, 10, 128, 32]);
    await r.rpush('b', bin, '');
    expect(await r.lrangeBuffer('b', 0, -1)).toEqual([bin, Buffer.alloc(0)]);
  });
});

describe('LPOP RPOP', () => {
  it('LPOP and RPOP without count: the element, nil for a missing key ($-1 in RESP2, _ in RESP3)', async () => {
    await r.rpush('l', 'a', 'b', 'c');
    expect(await raw.call('LPOP', 'l')).toBe('$1\r\na\r\n');
    expect(await raw.call('RPOP', 'l')).toBe('$1\r\nc\r\n');
    expect(await raw.call('LPOP', 'none')).toBe('$-1\r\n');
    expect(await raw3.call('RPOP', 'none')).toBe('_\r\n');
    expect(await r.lpop('l')).toBe('b');
    expect(await r.exists('l')).toBe(0);
    expect(sent()).toEqual(['rpush l a b c', 'LPOP l', 'RPOP l', 'lpop l']);
  });

  it('LPOP and RPOP with count: an array (empty for 0), a null array for a missing key (*-1 / _)', async () => {
    await r.rpush('l', 'a', 'b', 'c', 'd');
    expect(await raw.call('LPOP', 'l', '2')).toBe(bulks('a', 'b'));
    expect(await raw.call('RPOP', 'l', '0')).toBe('*0\r\n');
    expect(await raw3.call('RPOP', 'l', '1')).toBe(bulks('d'));
    expect(await raw.call('RPOP', 'l', '10')).toBe(bulks('c'));
    expect(await r.exists('l')).toBe(0);
    expect(await raw.call('LPOP', 'l', '2')).toBe('*-1\r\n');
    expect(await raw.call('LPOP', 'l', '0')).toBe('*-1\r\n');
    expect(await raw3.call('LPOP', 'l', '2')).toBe('_\r\n');
    expect(await r.lpop('l', 3)).toBeNull();
    // The zero-count pop changed nothing, so it is not propagated.
    expect(sent()).toEqual(['rpush l a b c d', 'LPOP l 2', 'RPOP l 1', 'RPOP l 10']);
  });

  it('LPOP RPOP count errors, arity, and WRONGTYPE (the count is checked first)', async () => {
    await r.rpush('l', 'a');
    await r.set('s', 'v');
    for (const c of ['-1', 'x', '1.5', '9223372036854775808']) {
      expect(await raw.call('LPOP', 'l', c)).toBe('-ERR value is out of range, must be positive\r\n');
      expect(await raw.call('RPOP', 's', c)).toBe('-ERR value is out of range, must be positive\r\n');
    }
    expect(await raw.call('LPOP', 'l', '1', '2')).toBe("-ERR wrong number of arguments for 'lpop' command\r\n");
    expect(await raw.call('RPOP', 'l', '1', '2')).toBe("-ERR wrong number of arguments for 'rpop' command\r\n");
    expect(await raw.call('LPOP', 's')).toBe(WRONGTYPE);
    expect(await raw.call('RPOP', 's', '0')).toBe(WRONGTYPE);
    expect(await r.lrange('l', 0, -1)).toEqual(['a']);
  });
});

describe('LLEN LRANGE LINDEX', () => {
  it('LLEN counts, 0 for a missing key; WRONGTYPE for a string', async () => {
    await r.rpush('l', 'a', 'b');
    expect(await r.llen('l')).toBe(2);
    expect(await r.llen('none')).toBe(0);
    await r.set('s', 'v');
    expect(await raw.call('LLEN', 's')).toBe(WRONGTYPE);
  });

  it('LRANGE clamps and counts negative indexes from the tail; errors before the lookup', async () => {
    await r.rpush('l', 'a', 'b', 'c', 'd', 'e');
    expect(await r.lrange('l', 1, 3)).toEqual(['b', 'c', 'd']);
    expect(await r.lrange('l', -2, -1)).toEqual(['d', 'e']);
    expect(await r.lrange('l', -100, 100)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await r.lrange('l', 3, 1)).toEqual([]);
    expect(await r.lrange('l', 5, 10)).toEqual([]);
    expect(await raw.call('LRANGE', 'l', '0', '9223372036854775807')).toBe(bulks('a', 'b', 'c', 'd', 'e'));
    expect(await raw.call('LRANGE', 'l', '-9223372036854775808', '0')).toBe(bulks('a'));
    expect(await raw.call('LRANGE', 'none', '0', '-1')).toBe('*0\r\n');
    await r.set('s', 'v');
    expect(await raw.call('LRANGE', 's', '0', '-1')).toBe(WRONGTYPE);
    expect(await raw.call('LRANGE', 's', 'x', '1')).toBe('-ERR value is not an integer or out of range\r\n');
  });

  it('LINDEX reads one element, nil out of range; the key is looked up before the index is parsed', async () => {
    await r.rpush('l', 'a', 'b', 'c');
    expect(await r.lindex('l', 0)).toBe('a');
    expect(await r.lindex('l', -1)).toBe('c');
    expect(await raw.call('LINDEX', 'l', '3')).toBe('$-1\r\n');
    expect(await raw3.call('LINDEX', 'l', '-4')).toBe('_\r\n');
    expect(await raw.call('LINDEX', 'l', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('LINDEX', 'none', 'x')).toBe('$-1\r\n');
    await r.set('s', 'v');
    expect(await raw.call('LINDEX', 's', 'x')).toBe(WRONGTYPE);
  });
});

describe('LSET LINSERT LREM LTRIM', () => {
  it('LSET replaces by index; "no such key" and WRONGTYPE come before the index checks', async () => {
    await r.rpush('l', 'a', 'b', 'c');
    expect(await r.lset('l', 1, 'B')).toBe('OK');
    expect(await r.lset('l', -1, 'C')).toBe('OK');
    expect(await r.lrange('l', 0, -1)).toEqual(['a', 'B', 'C']);
    expect(await raw.call('LSET', 'l', '3', 'x')).toBe('-ERR index out of range\r\n');
    expect(await raw.call('LSET', 'l', '-4', 'x')).toBe('-ERR index out of range\r\n');
    expect(await raw.call('LSET', 'l', 'x', 'y')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('LSET', 'none', 'x', 'y')).toBe('-ERR no such key\r\n');
    await r.set('s', 'v');
    expect(await raw.call('LSET', 's', 'x', 'y')).toBe(WRONGTYPE);
    expect(sent()).toEqual(['rpush l a b c', 'lset l 1 B', 'lset l -1 C', 'set s v']);
  });

  it('LINSERT BEFORE|AFTER the first matching pivot; -1 without the pivot, 0 for a missing key', async () => {
    await r.rpush('l', 'a', 'b', 'a');
    expect(await r.linsert('l', 'BEFORE', 'a', 'x')).toBe(4);
    expect(await r.linsert('l', 'AFTER', 'a', 'y')).toBe(5);
    expect(await raw.call('LINSERT', 'l', 'after', 'b', 'z')).toBe(':6\r\n');
    expect(await r.lrange('l', 0, -1)).toEqual(['x', 'a', 'y', 'b', 'z', 'a']);
    expect(await r.linsert('l', 'BEFORE', 'nope', 'q')).toBe(-1);
    expect(await r.linsert('none', 'BEFORE', 'a', 'q')).toBe(0);
    expect(await r.exists('none')).toBe(0);
    expect(await raw.call('LINSERT', 'none', 'MIDDLE', 'a', 'q')).toBe('-ERR syntax error\r\n');
    await r.set('s', 'v');
    expect(await raw.call('LINSERT', 's', 'BEFORE', 'a', 'q')).toBe(WRONGTYPE);
    expect(await raw.call('LINSERT', 's', 'MIDDLE', 'a', 'q')).toBe('-ERR syntax error\r\n');
  });

  it('LREM removes from the head, the tail or everywhere, and deletes the emptied key', async () => {
    await r.rpush('l', 'a', 'b', 'a', 'c', 'a', 'b', 'a');
    expect(await r.lrem('l', 1, 'a')).toBe(1);
    expect(await r.lrange('l', 0, -1)).toEqual(['b', 'a', 'c', 'a', 'b', 'a']);
    expect(await r.lrem('l', -2, 'a')).toBe(2);
    expect(await r.lrange('l', 0, -1)).toEqual(['b', 'a', 'c', 'b']);
    expect(await r.lrem('l', 0, 'b')).toBe(2);
    expect(await r.lrem('l', 0, 'zz')).toBe(0);
    expect(await r.lrem('l', 0, 'a')).toBe(1);
    expect(await r.lrem('l', 0, 'c')).toBe(1);
    expect(await r.exists('l')).toBe(0);
    expect(await r.lrem('none', 0, 'a')).toBe(0);
    expect(await raw.call('LREM', 'none', 'x', 'a')).toBe('-ERR value is not an integer or out of range\r\n');
    await r.set('s', 'v');
    expect(await raw.call('LREM', 's', '0', 'a')).toBe(WRONGTYPE);
    expect(sent().filter((c) => c.startsWith('lrem'))).toEqual(['lrem l 1 a', 'lrem l -2 a', 'lrem l 0 b', 'lrem l 0 a', 'lrem l 0 c']);
  });

  it('LTRIM keeps a range (indexes as LRANGE), deletes the key for an empty range', async () => {
    await r.rpush('l', '1', '2', '3', '4', '5', '6');
    expect(await r.ltrim('l', 1, -2)).toBe('OK');
    expect(await r.lrange('l', 0, -1)).toEqual(['2', '3', '4', '5']);
    expect(await r.ltrim('l', -100, 100)).toBe('OK');
    expect(await r.llen('l')).toBe(4);
    expect(await r.ltrim('l', 2, 2)).toBe('OK');
    expect(await r.lrange('l', 0, -1)).toEqual(['4']);
    expect(await r.ltrim('l', 1, 0)).toBe('OK');
    expect(await r.exists('l')).toBe(0);
    expect(await r.ltrim('none', 0, 1)).toBe('OK');
    expect(await raw.call('LTRIM', 'none', 'x', '1')).toBe('-ERR value is not an integer or out of range\r\n');
    await r.set('s', 'v');
    expect(await raw.call('LTRIM', 's', '0', '1')).toBe(WRONGTYPE);
  });

  it('LTRIM keeps a small range of a large list, and a large range, exactly', async () => {
    const n = 10_000;
    const all = Array.from({ length: n }, (_, i) => `e${i}`);
    await r.rpush('l', ...all);
    await r.ltrim('l', 10, n - 11);
    expect(await r.lrange('l', 0, -1)).toEqual(all.slice(10, n - 10));
    await r.ltrim('l', 4000, 4002);
    expect(await r.lrange('l', 0, -1)).toEqual(all.slice(4010, 4013));
  });
});

describe('list writes that change nothing', () => {
  it('LTRIM LREM LINSERT LPUSHX LPOP LMPOP that change nothing are not propagated (as in Redis 7.0\'s AOF); LSET always is', async () => {
    await r.rpush('l', 'a', 'b', 'c');
    await r.ltrim('l', 0, -1);
    await r.ltrim('l', -10, 100);
    await r.ltrim('none', 0, 1);
    await r.lrem('l', 0, 'zz');
    await r.linsert('l', 'BEFORE', 'zz', 'x');
    await r.lpushx('none', 'a');
    await r.lpop('l', 0);
    await r.lmpop(1, 'none', 'LEFT');
    await r.lset('l', 0, 'a');
    await r.ltrim('l', 1, 1);
    expect(sent()).toEqual(['rpush l a b c', 'lset l 0 a', 'ltrim l 1 1']);
  });
});

describe('LPOS', () => {
  it('LPOS finds the first match, the rank-th from either end, COUNT of them, within MAXLEN', async () => {
    await r.rpush('l', 'a', 'b', 'c', 'a', 'b', 'c', 'a');
    expect(await r.lpos('l', 'a')).toBe(0);
    expect(await r.lpos('l', 'c')).toBe(2);
    expect(await r.lpos('l', 'a', 'RANK', 2)).toBe(3);
    expect(await r.lpos('l', 'a', 'RANK', -1)).toBe(6);
    expect(await r.lpos('l', 'a', 'RANK', -3)).toBe(0);
    expect(await r.lpos('l', 'a', 'RANK', 4)).toBeNull();
    expect(await r.lpos('l', 'a', 'COUNT', 0)).toEqual([0, 3, 6]);
    expect(await r.lpos('l', 'a', 'RANK', -1, 'COUNT', 2)).toEqual([6, 3]);
    expect(await r.lpos('l', 'a', 'COUNT', 0, 'MAXLEN', 4)).toEqual([0, 3]);
    expect(await r.lpos('l', 'c', 'MAXLEN', 2)).toBeNull();
    expect(await r.lpos('l', 'zz', 'COUNT', 0)).toEqual([]);
    expect(await raw.call('LPOS', 'none', 'a')).toBe('$-1\r\n');
    expect(await raw3.call('LPOS', 'none', 'a')).toBe('_\r\n');
    expect(await raw.call('LPOS', 'none', 'a', 'COUNT', '1')).toBe('*0\r\n');
  });

  it('LPOS RANK of LLONG_MIN behaves as Redis 7.0 does: from the tail, every match within MAXLEN', async () => {
    await r.rpush('l', 'a', 'b', 'a', 'b', 'a');
    expect(await raw.call('LPOS', 'l', 'a', 'RANK', '-9223372036854775808')).toBe(':4\r\n');
    expect(await raw.call('LPOS', 'l', 'a', 'RANK', '-9223372036854775808', 'COUNT', '1')).toBe('*3\r\n:4\r\n:2\r\n:0\r\n');
    expect(await raw.call('LPOS', 'l', 'a', 'RANK', '-9223372036854775808', 'COUNT', '0', 'MAXLEN', '3')).toBe('*2\r\n:4\r\n:2\r\n');
  });

  it('LPOS option errors (checked before the key is looked up) and WRONGTYPE', async () => {
    await r.set('s', 'v');
    expect(await raw.call('LPOS', 's', 'a', 'RANK', '0')).toBe(
      "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n",
    );
    expect(await raw.call('LPOS', 's', 'a', 'RANK', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('LPOS', 's', 'a', 'COUNT', '-1')).toBe("-ERR COUNT can't be negative\r\n");
    expect(await raw.call('LPOS', 's', 'a', 'COUNT', 'x')).toBe("-ERR COUNT can't be negative\r\n");
    expect(await raw.call('LPOS', 's', 'a', 'MAXLEN', '-1')).toBe("-ERR MAXLEN can't be negative\r\n");
    expect(await raw.call('LPOS', 's', 'a', 'MAXLEN', 'x')).toBe("-ERR MAXLEN can't be negative\r\n");
    expect(await raw.call('LPOS', 's', 'a', 'FOO', '1')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('LPOS', 's', 'a', 'RANK')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('LPOS', 's', 'a')).toBe(WRONGTYPE);
  });
});

describe('LMOVE RPOPLPUSH', () => {
  it('LMOVE moves between any ends; RPOPLPUSH is RIGHT LEFT; both are propagated as sent', async () => {
    await r.rpush('src', '1', '2', '3');
    expect(await r.lmove('src', 'dst', 'LEFT', 'RIGHT')).toBe('1');
    expect(await r.lmove('src', 'dst', 'RIGHT', 'LEFT')).toBe('3');
    expect(await r.rpoplpush('src', 'dst')).toBe('2');
    expect(await r.exists('src')).toBe(0);
    expect(await r.lrange('dst', 0, -1)).toEqual(['2', '3', '1']);
    expect(await raw.call('LMOVE', 'none', 'dst', 'left', 'left')).toBe('$-1\r\n');
    expect(await raw3.call('RPOPLPUSH', 'none', 'dst')).toBe('_\r\n');
    expect(sent()).toEqual(['rpush src 1 2 3', 'lmove src dst LEFT RIGHT', 'lmove src dst RIGHT LEFT', 'rpoplpush src dst']);
  });

  it('LMOVE and RPOPLPUSH onto the same key rotate it, also with a single element', async () => {
    await r.rpush('l', 'a', 'b', 'c');
    expect(await r.rpoplpush('l', 'l')).toBe('c');
    expect(await r.lmove('l', 'l', 'LEFT', 'RIGHT')).toBe('c');
    expect(await r.lrange('l', 0, -1)).toEqual(['a', 'b', 'c']);
    await r.rpush('one', 'x');
    expect(await r.lmove('one', 'one', 'LEFT', 'LEFT')).toBe('x');
    expect(await r.lrange('one', 0, -1)).toEqual(['x']);
  });

  it('LMOVE RPOPLPUSH: WRONGTYPE for either key changes nothing; a missing source ignores the destination type', async () => {
    await r.rpush('l', 'a');
    await r.set('s', 'v');
    expect(await raw.call('LMOVE', 'l', 's', 'LEFT', 'LEFT')).toBe(WRONGTYPE);
    expect(await raw.call('LMOVE', 's', 'l', 'LEFT', 'LEFT')).toBe(WRONGTYPE);
    expect(await raw.call('RPOPLPUSH', 'l', 's')).toBe(WRONGTYPE);
    expect(await raw.call('RPOPLPUSH', 's', 'l')).toBe(WRONGTYPE);
    expect(await r.lrange('l', 0, -1)).toEqual(['a']);
    expect(await raw.call('LMOVE', 'none', 's', 'LEFT', 'LEFT')).toBe('$-1\r\n');
    expect(await raw.call('LMOVE', 's', 'l', 'UP', 'LEFT')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('LMOVE', 'l', 'x', 'LEFT', 'DOWN')).toBe('-ERR syntax error\r\n');
  });
});

describe('LMPOP', () => {
  it('LMPOP pops from the first non-empty key: [key, [elements]], null array when none; propagated as LPOP|RPOP key n', async () => {
    await r.rpush('b', '1', '2', '3');
    expect(await raw.call('LMPOP', '2', 'a', 'b', 'LEFT')).toBe('*2\r\n$1\r\nb\r\n' + bulks('1'));
    expect(await raw3.call('LMPOP', '2', 'a', 'b', 'RIGHT', 'COUNT', '5')).toBe('*2\r\n$1\r\nb\r\n' + bulks('3', '2'));
    expect(await r.exists('b')).toBe(0);
    expect(await raw.call('LMPOP', '2', 'a', 'b', 'LEFT')).toBe('*-1\r\n');
    expect(await raw3.call('LMPOP', '1', 'a', 'LEFT', 'COUNT', '3')).toBe('_\r\n');
    expect(sent()).toEqual(['rpush b 1 2 3', 'LPOP b 1', 'RPOP b 2']);
  });

  it('LMPOP errors: numkeys, direction, COUNT; WRONGTYPE for a key met before a list', async () => {
    expect(await raw.call('LMPOP', '0', 'a', 'LEFT')).toBe('-ERR numkeys should be greater than 0\r\n');
    expect(await raw.call('LMPOP', 'x', 'a', 'LEFT')).toBe('-ERR numkeys should be greater than 0\r\n');
    expect(await raw.call('LMPOP', '2', 'a', 'LEFT')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('LMPOP', '1', 'a', 'UP')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('LMPOP', '1', 'a', 'LEFT', 'COUNT', '0')).toBe('-ERR count should be greater than 0\r\n');
    expect(await raw.call('LMPOP', '1', 'a', 'LEFT', 'COUNT', '1', 'COUNT', '1')).toBe('-ERR syntax error\r\n');
    await r.set('s', 'v');
    await r.rpush('l', 'x');
    expect(await raw.call('LMPOP', '2', 'none', 's', 'LEFT')).toBe(WRONGTYPE);
    expect(await raw.call('LMPOP', '2', 'l', 's', 'LEFT')).toBe('*2\r\n$1\r\nl\r\n' + bulks('x'));
  });

  it('LMPOP and BLMPOP keys: COMMAND GETKEYS follows numkeys', async () => {
    expect(await r.call('COMMAND', 'GETKEYS', 'LMPOP', '2', 'a', 'b', 'LEFT')).toEqual(['a', 'b']);
    expect(await r.call('COMMAND', 'GETKEYS', 'BLMPOP', '0', '3', 'a', 'b', 'c', 'RIGHT', 'COUNT', '2')).toEqual(['a', 'b', 'c']);
  });
});

describe('large lists', () => {
  const N = 1_000_000;

  it('LINDEX and LSET cost the same at any position of a list of a million elements; LRANGE streams a big range', async () => {
    const chunk = 50_000;
    for (let i = 0; i < N; i += chunk) {
      await r.rpush('big', ...Array.from({ length: chunk }, (_, k) => String(i + k)));
    }
    expect(await r.llen('big')).toBe(N);
    const pipe = r.pipeline();
    for (let k = 0; k < 2000; k++) {
      const i = (k * 7919) % N;
      pipe.lset('big', i, `s${i}`);
      pipe.lindex('big', i);
    }
    const t = performance.now();
    const out = await pipe.exec();
    expect(performance.now() - t).toBeLessThan(2000);
    for (let k = 0; k < 2000; k++) expect(out![2 * k + 1]![1]).toBe(`s${(k * 7919) % N}`);
    expect(await r.lindex('big', N / 2)).toBe(String(N / 2));
    const range = await r.lrange('big', 100_000, 299_999);
    expect(range.length).toBe(200_000);
    expect([range[0], range[199_999]]).toEqual(['100000', '299999']);
    expect(await r.copy('big', 'copy')).toBe(1);
    await r.lset('copy', 1, 'changed');
    expect([await r.lindex('big', 1), await r.lindex('copy', 1)]).toEqual(['1', 'changed']);
    await r.del('big', 'copy');
  }, 60_000);
});
