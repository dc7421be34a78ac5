/**
 * Set commands over TCP: ioredis (RESP3 by default) for the client's view, RawConnection for
 * exact bytes. Also: the encodings (intset → hashtable), WRONGTYPE for every command, what SPOP
 * propagates (and that replaying it gives the same set), the randomness of SRANDMEMBER and SPOP
 * (chi-square, as Redis's "SRANDMEMBER histogram distribution" test), and SSCAN over a set that
 * changes between calls.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';

let ts: TestServer;
let r: Redis;
let raw: RawConnection;
/** Everything propagated since the last reset: [db, argv]. */
let propagated: [number, string[]][] = [];

beforeAll(async () => {
  ts = await startTestServer();
  ts.server.propagator.subscribe((db, argv) => propagated.push([db, [...argv]]));
  r = await ts.client({ enableReadyCheck: false });
  raw = await RawConnection.connect(ts.port);
});
afterAll(async () => {
  raw.close();
  await ts.stop();
});
beforeEach(async () => {
  for (const db of ts.server.keyspaces) db.flush();
  await r.config('SET', 'set-max-intset-entries', '512');
  propagated = [];
});

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const sorted = (a: string[]) => a.slice().sort();
const range = (n: number, f: (i: number) => string = String) => Array.from({ length: n }, (_, i) => f(i));
const encoding = (key: string) => r.object('ENCODING', key);

describe('SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS', () => {
  it('SADD counts new members; SCARD SISMEMBER SMISMEMBER SMEMBERS read them back', async () => {
    expect(await r.sadd('s', 'a', 'b', 'a', 'c')).toBe(3);
    expect(await r.sadd('s', 'a', 'd')).toBe(1);
    expect(await r.scard('s')).toBe(4);
    expect(await r.scard('missing')).toBe(0);
    expect(await r.sismember('s', 'a')).toBe(1);
    expect(await r.sismember('s', 'z')).toBe(0);
    expect(await r.sismember('missing', 'a')).toBe(0);
    expect(await r.smismember('s', 'a', 'z', 'd')).toEqual([1, 0, 1]);
    expect(await r.smismember('missing', 'a', 'b')).toEqual([0, 0]);
    expect(sorted(await r.smembers('s'))).toEqual(['a', 'b', 'c', 'd']);
    expect(await r.smembers('missing')).toEqual([]);
  });

  it('SREM counts removed members and deletes the emptied set', async () => {
    await r.sadd('s', '1', '2', 'x');
    expect(await r.srem('s', '1', '9', 'x', 'x')).toBe(2);
    expect(await r.srem('missing', 'a')).toBe(0);
    expect(await r.srem('s', '2')).toBe(1);
    expect(await r.exists('s')).toBe(0);
  });

  it('SMEMBERS: a set reply in RESP3, an array in RESP2; intsets ascending; binary-safe members', async () => {
    await r.sadd('i', '10', '-3', '2', '9223372036854775807', '-9223372036854775808');
    expect(await raw.call('SMEMBERS', 'i')).toBe(
      '*5\r\n$20\r\n-9223372036854775808\r\n$2\r\n-3\r\n$1\r\n2\r\n$2\r\n10\r\n$19\r\n9223372036854775807\r\n',
    );
    const c3 = await RawConnection.connect(ts.port);
    await c3.call('HELLO', '3');
    expect(await c3.call('SMEMBERS', 'missing')).toBe('~0\r\n');
    expect(await c3.call('SADD', 'b', '\x00\xff\r\n')).toBe(':1\r\n');
    expect(await c3.call('SMEMBERS', 'b')).toBe('~1\r\n$4\r\n\x00\xff\r\n\r\n');
    expect(await c3.call('SISMEMBER', 'b', '\x00\xff\r\n')).toBe(':1\r\n');
    c3.close();
  });
});

describe('OBJECT ENCODING of sets: intset and hashtable', () => {
  it('intset while every member is a canonical int64; a non-canonical text converts for good', async () => {
    await r.sadd('s', '1', '-1', '9223372036854775807', '-9223372036854775808');
    expect(await encoding('s')).toBe('intset');
    for (const bad of ['01', '-0', '+1', ' 1', '1.0', '9223372036854775808', '']) {
      await r.del('t');
      await r.sadd('t', '1', bad);
      expect([bad, await encoding('t')]).toEqual([bad, 'hashtable']);
      await r.srem('t', bad);
      expect([bad, await encoding('t')]).toEqual([bad, 'hashtable']);
    }
    await r.sadd('h', 'x');
    expect(await encoding('h')).toBe('hashtable');
  });

  it('converts past set-max-intset-entries (CONFIG SET applies at once)', async () => {
    await r.sadd('s', ...range(512));
    expect(await encoding('s')).toBe('intset');
    await r.sadd('s', '512');
    expect(await encoding('s')).toBe('hashtable');
    await r.config('SET', 'set-max-intset-entries', '2');
    await r.sadd('t', '1', '2');
    expect(await encoding('t')).toBe('intset');
    await r.sadd('t', '3');
    expect(await encoding('t')).toBe('hashtable');
    await r.config('SET', 'set-max-intset-entries', '0');
    await r.sadd('u', '1');
    expect(await encoding('u')).toBe('hashtable');
  });

  it('STORE results are built afresh: an intset when all members are integers and few enough', async () => {
    await r.sadd('h', 'x', '1', '2');
    await r.srem('h', 'x');
    expect(await encoding('h')).toBe('hashtable');
    for (const cmd of ['sinterstore', 'sunionstore', 'sdiffstore'] as const) {
      expect(await r[cmd]('d', 'h')).toBe(2);
      expect([cmd, await encoding('d')]).toEqual([cmd, 'intset']);
    }
  });
});

describe('WRONGTYPE for every set command', () => {
  it('SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SSCAN SINTER SINTERCARD SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE', async () => {
    await r.set('str', 'v');
    await r.sadd('s', '1');
    const calls: string[][] = [
      ['SADD', 'str', 'a'], ['SREM', 'str', 'a'], ['SMEMBERS', 'str'], ['SISMEMBER', 'str', 'a'],
      ['SMISMEMBER', 'str', 'a'], ['SCARD', 'str'], ['SPOP', 'str'], ['SPOP', 'str', '0'], ['SPOP', 'str', '2'],
      ['SRANDMEMBER', 'str'], ['SRANDMEMBER', 'str', '0'], ['SRANDMEMBER', 'str', '-2'],
      ['SMOVE', 'str', 's', '1'], ['SMOVE', 's', 'str', '1'], ['SMOVE', 's', 'str', 'absent'], ['SSCAN', 'str', '0'],
      ['SINTER', 'missing', 'str'], ['SINTER', 's', 'str'], ['SINTERCARD', '2', 'missing', 'str'],
      ['SUNION', 's', 'str'], ['SDIFF', 'missing', 'str'], ['SDIFF', 's', 'missing', 'str'],
      ['SINTERSTORE', 'd', 'missing', 'str'], ['SUNIONSTORE', 'd', 's', 'str'], ['SDIFFSTORE', 'd', 'missing', 'str'],
    ];
    for (const c of calls) expect([c.join(' '), await raw.call(...c)]).toEqual([c.join(' '), WRONGTYPE]);
    expect(await r.get('str')).toBe('v');
    expect(await r.smembers('s')).toEqual(['1']);
    expect(await r.exists('d')).toBe(0);
    // SMOVE from a missing source answers 0 before looking at the destination's type.
    expect(await raw.call('SMOVE', 'missing', 'str', '1')).toBe(':0\r\n');
  });
});

describe('SPOP', () => {
  it('SPOP without count: a member or nil; propagated as SREM; the emptied set is deleted', async () => {
    expect(await raw.call('SPOP', 'missing')).toBe('$-1\r\n');
    await r.sadd('s', 'a');
    expect(await r.spop('s')).toBe('a');
    expect(await r.exists('s')).toBe(0);
    expect(propagated.slice(1)).toEqual([[0, ['SREM', 's', 'a']]]);
  });

  it('SPOP with count: errors, 0, partial pops as one SREM each, the whole set as DEL', async () => {
    expect(await raw.call('SPOP', 's', '-1')).toBe('-ERR value is out of range, must be positive\r\n');
    expect(await raw.call('SPOP', 's', 'x')).toBe('-ERR value is out of range, must be positive\r\n');
    expect(await raw.call('SPOP', 's', '1', '2')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('SPOP', 'missing', '3')).toBe('*0\r\n');
    await r.sadd('s', ...range(10));
    propagated = [];
    expect(await raw.call('SPOP', 's', '0')).toBe('*0\r\n');
    const popped = (await r.spop('s', 3)) as string[];
    expect(new Set(popped).size).toBe(3);
    expect(await r.scard('s')).toBe(7);
    expect(propagated).toEqual(popped.map((m) => [0, ['SREM', 's', m]]));
    propagated = [];
    // The whole set: replied as a fresh set would list it (ascending integers), key deleted.
    expect(await raw.call('SPOP', 's', '100')).toBe(
      '*7\r\n' + range(10).filter((m) => !popped.includes(m)).map((m) => `$${m.length}\r\n${m}\r\n`).join(''),
    );
    expect(await r.exists('s')).toBe(0);
    expect(propagated).toEqual([[0, ['DEL', 's']]]);
  });

  it('SPOP: replaying what was propagated gives the same set (intset and hashtable, small and large counts)', async () => {
    const replica = await startTestServer();
    const rc = await replica.client({ enableReadyCheck: false });
    try {
      for (const members of [range(40), range(40, (i) => `m${i}`), range(1000, (i) => `x${i}`)]) {
        for (const count of [undefined, 1, 5, 30, 39, 39]) {
          await r.del('s');
          await rc.del('s');
          await r.sadd('s', ...members);
          await rc.sadd('s', ...members);
          propagated = [];
          if (count === undefined) await r.spop('s');
          else await r.spop('s', count);
          for (const [, argv] of propagated) await rc.call(argv[0]!, ...argv.slice(1));
          expect(sorted(await rc.smembers('s'))).toEqual(sorted(await r.smembers('s')));
        }
      }
    } finally {
      await replica.stop();
    }
  });

  it('SPOP with count keeps the encoding (a hashtable holding only integers stays one)', async () => {
    await r.sadd('s', 'x', ...range(20));
    await r.srem('s', 'x');
    await r.spop('s', 18);
    expect(await r.scard('s')).toBe(2);
    expect(await encoding('s')).toBe('hashtable');
  });
});

/** Pearson's chi-square of observed counts against a uniform expectation. */
function chiSquare(counts: Map<string, number>, members: string[]): number {
  const total = members.reduce((sum, m) => sum + (counts.get(m) ?? 0), 0);
  const expected = total / members.length;
  return members.reduce((sum, m) => sum + ((counts.get(m) ?? 0) - expected) ** 2 / expected, 0);
}

describe('SRANDMEMBER', () => {
  it('COMPAT: SRANDMEMBER refuses a negative count past -10000000 instead of building a reply that large', async () => {
    await r.sadd('cap', 'a');
    expect(await raw.call('SRANDMEMBER', 'cap', '-10000001')).toBe('-ERR value is out of range\r\n');
    expect(await raw.call('SRANDMEMBER', 'cap', '-9223372036854775807')).toBe('-ERR value is out of range\r\n');
    expect(await raw.call('SRANDMEMBER', 'cap', '-2')).toBe('*2\r\n$1\r\na\r\n$1\r\na\r\n');
  });

  it('SRANDMEMBER: nil or a member; counts 0, positive (distinct), negative (repeats), errors', async () => {
    expect(await raw.call('SRANDMEMBER', 'missing')).toBe('$-1\r\n');
    expect(await raw.call('SRANDMEMBER', 'missing', '5')).toBe('*0\r\n');
    expect(await raw.call('SRANDMEMBER', 'missing', '-5')).toBe('*0\r\n');
    expect(await raw.call('SRANDMEMBER', 'missing', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('SRANDMEMBER', 's', '1', '2')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('SRANDMEMBER', 's', '-9223372036854775808')).toBe(
      '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n',
    );
    await r.sadd('s', 'a', 'b', 'c');
    expect(['a', 'b', 'c']).toContain(await r.srandmember('s'));
    expect(await raw.call('SRANDMEMBER', 's', '0')).toBe('*0\r\n');
    const two = (await r.srandmember('s', 2)) as string[];
    expect(new Set(two).size).toBe(2);
    expect(sorted((await r.srandmember('s', 3)) as string[])).toEqual(['a', 'b', 'c']);
    expect(await raw.call('SRANDMEMBER', 's', '9223372036854775807')).toMatch(/^\*3\r\n/);
    const many = (await r.srandmember('s', -30)) as string[];
    expect(many.length).toBe(30);
    expect(new Set(many).size).toBeLessThanOrEqual(3);
    expect(await r.scard('s')).toBe(3);
    // An array, not a set, in RESP3; the whole intset in ascending order.
    await r.sadd('i', '3', '1', '2');
    const c3 = await RawConnection.connect(ts.port);
    await c3.call('HELLO', '3');
    expect(await c3.call('SRANDMEMBER', 'i', '10')).toBe('*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');
    expect(await c3.call('SPOP', 'i', '0')).toBe('~0\r\n');
    c3.close();
  });

  // Redis's unit/type/set.tcl "SRANDMEMBER histogram distribution": 50 members, chi-square with
  // 49 degrees of freedom. The threshold 100 is exceeded by a fair sampler with p ≈ 2e-5.
  for (const kind of ['intset', 'hashtable'] as const) {
    it(`SRANDMEMBER and SPOP pick uniformly (${kind}, chi-square)`, async () => {
      const members = kind === 'intset' ? range(50, (i) => String(i * 7 - 100)) : range(50, (i) => `m${i}`);
      await r.sadd('s', ...members);
      expect(await encoding('s')).toBe(kind);
      for (const count of [-1000, 5, 20, 45]) {
        const counts = new Map<string, number>();
        const rounds = count < 0 ? 50 : Math.ceil(50_000 / count);
        const replies = await Promise.all(range(rounds).map(() => r.srandmember('s', count) as Promise<string[]>));
        for (const reply of replies) for (const m of reply) counts.set(m, (counts.get(m) ?? 0) + 1);
        expect({ count, chi: chiSquare(counts, members) < 100 }).toEqual({ count, chi: true });
      }
      const popped = new Map<string, number>();
      for (let i = 0; i < 400; i++) {
        for (const m of (await r.spop('s', 10)) as string[]) popped.set(m, (popped.get(m) ?? 0) + 1);
        await r.sadd('s', ...members);
      }
      expect(chiSquare(popped, members)).toBeLessThan(100);
    });
  }
});

describe('SMOVE', () => {
  it('SMOVE: moves, creates the destination, deletes an emptied source, same key, absent member', async () => {
    await r.sadd('a', '1', 'x');
    expect(await r.smove('a', 'b', '1')).toBe(1);
    expect(await r.smembers('b')).toEqual(['1']);
    expect(await encoding('b')).toBe('intset');
    expect(await r.smove('a', 'b', 'absent')).toBe(0);
    expect(await r.smove('missing', 'b', '1')).toBe(0);
    expect(await r.smove('b', 'b', '1')).toBe(1);
    expect(await r.smove('b', 'b', '2')).toBe(0);
    expect(await r.smove('a', 'b', 'x')).toBe(1);
    expect(await r.exists('a')).toBe(0);
    expect(await encoding('b')).toBe('hashtable');
    // Already in the destination: still removed from the source.
    await r.sadd('c', 'x', 'y');
    expect(await r.smove('c', 'b', 'x')).toBe(1);
    expect(sorted(await r.smembers('c'))).toEqual(['y']);
    expect(sorted(await r.smembers('b'))).toEqual(['1', 'x']);
  });
});

describe('SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE', () => {
  beforeEach(async () => {
    await r.sadd('a', '1', '2', '3', '4');
    await r.sadd('b', '3', '4', '5');
    await r.sadd('c', '4', 'x');
  });

  it('SINTER SUNION SDIFF: results, missing keys, one key, repeated keys', async () => {
    expect(await r.sinter('a', 'b')).toEqual(['3', '4']);
    expect(await r.sinter('a', 'b', 'c')).toEqual(['4']);
    expect(await r.sinter('a', 'missing')).toEqual([]);
    expect(await r.sinter('a')).toEqual(['1', '2', '3', '4']);
    expect(await r.sinter('a', 'a')).toEqual(['1', '2', '3', '4']);
    expect(await r.sunion('a', 'b', 'missing')).toEqual(['1', '2', '3', '4', '5']);
    expect(sorted(await r.sunion('a', 'c'))).toEqual(['1', '2', '3', '4', 'x']);
    expect(await r.sdiff('a', 'b')).toEqual(['1', '2']);
    expect(await r.sdiff('a', 'b', 'c')).toEqual(['1', '2']);
    expect(await r.sdiff('a', 'a')).toEqual([]);
    expect(await r.sdiff('missing', 'a')).toEqual([]);
    expect(await r.sdiff('a', 'missing')).toEqual(['1', '2', '3', '4']);
    expect(await raw.call('SINTER', 'a', 'missing')).toBe('*0\r\n');
  });

  it('SINTERCARD: counts, LIMIT, numkeys and LIMIT errors, COMMAND GETKEYS', async () => {
    expect(await r.sintercard(2, 'a', 'b')).toBe(2);
    expect(await r.sintercard(1, 'a', 'LIMIT', 3)).toBe(3);
    expect(await r.sintercard(1, 'a', 'LIMIT', 0)).toBe(4);
    expect(await r.sintercard(2, 'a', 'missing')).toBe(0);
    expect(await raw.call('SINTERCARD', '1', 'a', 'LIMIT', '1', 'LIMIT', '2')).toBe(':2\r\n');
    expect(await raw.call('SINTERCARD', '0', 'a')).toBe('-ERR numkeys should be greater than 0\r\n');
    expect(await raw.call('SINTERCARD', 'x', 'a')).toBe('-ERR numkeys should be greater than 0\r\n');
    expect(await raw.call('SINTERCARD', '3', 'a', 'b')).toBe("-ERR Number of keys can't be greater than number of args\r\n");
    expect(await raw.call('SINTERCARD', '1', 'a', 'LIMIT', '-1')).toBe("-ERR LIMIT can't be negative\r\n");
    expect(await raw.call('SINTERCARD', '1', 'a', 'LIMIT')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('SINTERCARD', '1', 'a', 'b')).toBe('-ERR syntax error\r\n');
    expect(await r.command('GETKEYS', 'SINTERCARD', '2', 'a', 'b', 'LIMIT', '1')).toEqual(['a', 'b']);
    expect(await raw.call('COMMAND', 'GETKEYS', 'SINTERCARD', '3', 'a', 'b')).toBe(
      '-ERR Invalid arguments specified for command\r\n',
    );
    expect(await raw.call('COMMAND', 'GETKEYS', 'SINTERCARD', '0', 'a')).toBe('-ERR Invalid arguments specified for command\r\n');
  });

  it('SINTERSTORE SUNIONSTORE SDIFFSTORE: replace any value and TTL; an empty result deletes the destination', async () => {
    await r.set('d', 'string', 'EX', 100);
    expect(await r.sinterstore('d', 'a', 'b')).toBe(2);
    expect(await r.ttl('d')).toBe(-1);
    expect(await r.smembers('d')).toEqual(['3', '4']);
    expect(await r.sunionstore('d', 'a', 'c')).toBe(5);
    expect(await encoding('d')).toBe('hashtable');
    expect(await r.sdiffstore('d', 'a', 'b')).toBe(2);
    expect(await r.smembers('d')).toEqual(['1', '2']);
    expect(await r.sdiffstore('a', 'a', 'c')).toBe(3);
    expect(await r.smembers('a')).toEqual(['1', '2', '3']);
    propagated = [];
    expect(await r.sinterstore('d', 'a', 'missing')).toBe(0);
    expect(await r.exists('d')).toBe(0);
    expect(propagated).toEqual([[0, ['sinterstore', 'd', 'a', 'missing']]]);
    propagated = [];
    expect(await r.sunionstore('d', 'missing')).toBe(0);
    expect(propagated).toEqual([]);
  });

  it('SDIFFSTORE picks Redis\'s algorithm, which decides the encoding of the result', async () => {
    // |first| x 4 sets / 2 = 8 > 4 + 1 + 1 + 1: the whole first set is added, then x removed.
    await r.sadd('f', 'x', '1', '2', '3');
    await r.sadd('g1', 'x');
    await r.sadd('g2', 'q');
    await r.sadd('g3', 'r');
    expect(await r.sdiffstore('d', 'f', 'g1', 'g2', 'g3')).toBe(3);
    expect(await encoding('d')).toBe('hashtable');
    expect(await r.sdiffstore('d', 'f', 'g1')).toBe(3);
    expect(await encoding('d')).toBe('intset');
    // Missing keys do not count as sets.
    expect(await r.sdiffstore('d', 'f', 'g1', 'n1', 'n2', 'n3')).toBe(3);
    expect(await encoding('d')).toBe('intset');
  });

  it('set-algebra lookups count keyspace hits and misses for every key', async () => {
    await r.config('RESETSTAT');
    await r.sinter('a', 'missing', 'b');
    await r.sintercard(2, 'missing', 'a');
    await r.sunionstore('d', 'a', 'missing');
    const info = await r.info('stats');
    expect(info).toContain('keyspace_hits:4\r\n');
    expect(info).toContain('keyspace_misses:3\r\n');
  });
});

describe('SSCAN', () => {
  it('SSCAN of an intset: everything at once with cursor 0, whatever the cursor and COUNT; MATCH filters', async () => {
    await r.sadd('s', '1', '2', '3', '10', '20');
    expect(await r.sscan('s', '0', 'COUNT', '1')).toEqual(['0', ['1', '2', '3', '10', '20']]);
    expect(await r.sscan('s', '12345')).toEqual(['0', ['1', '2', '3', '10', '20']]);
    expect(await r.sscan('s', '0', 'MATCH', '1*')).toEqual(['0', ['1', '10']]);
    expect(await r.sscan('missing', '0')).toEqual(['0', []]);
  });

  it('SSCAN errors: the cursor is checked before the key, the options after it', async () => {
    await r.sadd('s', '1');
    await r.set('str', 'v');
    expect(await raw.call('SSCAN', 'missing', 'x')).toBe('-ERR invalid cursor\r\n');
    expect(await raw.call('SSCAN', 'missing', '0', 'COUNT', '0')).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
    expect(await raw.call('SSCAN', 'str', '0', 'COUNT', '0')).toBe(WRONGTYPE);
    expect(await raw.call('SSCAN', 's', '0', 'COUNT', '0')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('SSCAN', 's', '0', 'COUNT', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('SSCAN', 's', '0', 'TYPE', 'set')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('SSCAN', 's', '0', 'MATCH')).toBe('-ERR syntax error\r\n');
  });

  it('SSCAN of a hashtable returns every member present throughout, while the set grows and shrinks', async () => {
    const stable = range(300, (i) => `s${i}`);
    await r.sadd('h', ...stable, ...range(300, (i) => `gone${i}`));
    const seen: string[] = [];
    let cursor = '0';
    let round = 0;
    do {
      const [next, items] = await r.sscan('h', cursor, 'COUNT', '25');
      seen.push(...items);
      cursor = next;
      // Between calls: add new members, remove some that were never stable.
      await r.sadd('h', ...range(20, (i) => `new${round}_${i}`));
      await r.srem('h', ...range(15, (i) => `gone${round * 15 + i}`));
      round++;
    } while (cursor !== '0' && round < 1000);
    expect(cursor).toBe('0');
    const seenSet = new Set(seen);
    for (const m of stable) expect(seenSet.has(m)).toBe(true);
    expect(seen.length).toBe(seenSet.size);
  });

  it('SSCAN of a set that converted to a hashtable walks it with cursors; a replaced key starts over', async () => {
    await r.sadd('h', ...range(600));
    expect(await encoding('h')).toBe('hashtable');
    const [cursor, first] = await r.sscan('h', '0', 'COUNT', '100');
    expect(cursor).not.toBe('0');
    expect(first.length).toBe(100);
    // The key now holds another set: the old cursor starts this one from the beginning.
    await r.sunionstore('h', 'h');
    const seen: string[] = [];
    let c = cursor;
    do {
      const [next, items] = await r.sscan('h', c, 'COUNT', '100');
      seen.push(...items);
      c = next;
    } while (c !== '0');
    expect(sorted(seen)).toEqual(sorted(range(600)));
  });
});

describe('SADD SREM SPOP with COPY: a copied set is independent', () => {
  it('COPY of intset and hashtable sets', async () => {
    await r.sadd('i', '1', '2');
    await r.sadd('h', 'a', 'b');
    await r.copy('i', 'i2');
    await r.copy('h', 'h2');
    await r.sadd('i2', '3');
    await r.srem('h2', 'a');
    expect(await r.smembers('i')).toEqual(['1', '2']);
    expect(sorted(await r.smembers('h'))).toEqual(['a', 'b']);
    expect(await encoding('i2')).toBe('intset');
    expect(await encoding('h2')).toBe('hashtable');
  });
});
