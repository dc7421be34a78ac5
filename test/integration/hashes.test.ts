/**
 * Hash commands over TCP: ioredis (RESP3 by default) for the client's view, RawConnection for
 * exact bytes. Also: the encodings (listpack → hashtable, one-way, driven by the CONFIG limits),
 * WRONGTYPE for every command, what HINCRBYFLOAT propagates, the randomness of HRANDFIELD
 * (chi-square in both encodings) and HSCAN over a hash that changes between calls.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { parseResp, type RespNode } from '../helpers/resp-tree.js';

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
  await r.config('SET', 'hash-max-listpack-entries', '128');
  await r.config('SET', 'hash-max-listpack-value', '64');
  propagated = [];
});

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const sorted = (a: string[]) => a.slice().sort();
const range = (n: number, f: (i: number) => string = String) => Array.from({ length: n }, (_, i) => f(i));
const encoding = (key: string) => r.object('ENCODING', key);
/** The bulk strings of a raw reply, in order, flattened. */
const bulks = (reply: string): string[] => {
  const out: string[] = [];
  const walk = (n: RespNode) => (n.items ? n.items.forEach(walk) : n.type === '$' && out.push(n.value!));
  walk(parseResp(reply));
  return out;
};

describe('HSET HGET HMGET HMSET HSETNX', () => {
  it('HSET counts new fields; HGET and HMGET read them back, nil for missing', async () => {
    expect(await r.hset('h', 'a', '1', 'b', '2', 'a', '3')).toBe(2);
    expect(await r.hset('h', 'b', '20', 'c', '30')).toBe(1);
    expect(await r.hget('h', 'a')).toBe('3');
    expect(await r.hget('h', 'zz')).toBeNull();
    expect(await r.hget('missing', 'a')).toBeNull();
    expect(await r.hmget('h', 'a', 'zz', 'c')).toEqual(['3', null, '30']);
    expect(await r.hmget('missing', 'a', 'b')).toEqual([null, null]);
    expect(await raw.call('HMGET', 'h', 'zz', 'b')).toBe('*2\r\n$-1\r\n$2\r\n20\r\n');
    expect(await raw3.call('HMGET', 'h', 'zz', 'b')).toBe('*2\r\n_\r\n$2\r\n20\r\n');
    expect(await raw3.call('HGET', 'h', 'zz')).toBe('_\r\n');
  });

  it('HSET and HMSET need field/value pairs; HMSET replies OK', async () => {
    expect(await raw.call('HSET', 'h', 'a', '1', 'b')).toBe("-ERR wrong number of arguments for 'hset' command\r\n");
    expect(await raw.call('HSET', 'h', 'a')).toBe("-ERR wrong number of arguments for 'hset' command\r\n");
    expect(await raw.call('HMSET', 'h', 'a', '1', 'b')).toBe("-ERR wrong number of arguments for 'hmset' command\r\n");
    expect(await r.exists('h')).toBe(0);
    expect(await raw.call('HMSET', 'h', 'a', '1', 'b', '2')).toBe('+OK\r\n');
    expect(await r.hgetall('h')).toEqual({ a: '1', b: '2' });
  });

  it('HSETNX sets only a missing field and creates the key', async () => {
    expect(await r.hsetnx('h', 'a', '1')).toBe(1);
    expect(await r.hsetnx('h', 'a', '2')).toBe(0);
    expect(await r.hget('h', 'a')).toBe('1');
    expect(propagated.map(([, argv]) => argv)).toEqual([['hsetnx', 'h', 'a', '1']]);
  });

  it('fields and values are binary-safe, empty ones included', async () => {
    const bin = Buffer.from([0, 1, 13, 10, 255, 128]);
    raw.send('HSET', 'h', bin, bin, '', '');
    expect(await raw.readReply()).toBe(':2\r\n');
    raw.send('HGET', 'h', bin);
    expect(await raw.readReply()).toBe('$6\r\n' + bin.toString('latin1') + '\r\n');
    expect(await raw.call('HGET', 'h', '')).toBe('$0\r\n\r\n');
    expect(await raw.call('HSTRLEN', 'h', '')).toBe(':0\r\n');
  });
});

describe('HDEL HLEN HSTRLEN HEXISTS', () => {
  it('HDEL counts removed fields and deletes the emptied hash', async () => {
    await r.hset('h', 'a', '1', 'b', '2', 'c', '3');
    expect(await r.hdel('h', 'a', 'zz', 'a')).toBe(1);
    expect(await r.hlen('h')).toBe(2);
    expect(await r.hdel('missing', 'a')).toBe(0);
    propagated = [];
    expect(await r.hdel('h', 'b', 'c', 'd')).toBe(2);
    expect(await r.exists('h')).toBe(0);
    expect(propagated.map(([, argv]) => argv)).toEqual([['hdel', 'h', 'b', 'c', 'd']]);
    expect(await r.hdel('h', 'x')).toBe(0);
    expect(propagated.length).toBe(1); // nothing removed, nothing propagated
  });

  it('HLEN HSTRLEN HEXISTS on present and missing keys and fields', async () => {
    await r.hset('h', 'a', 'hello', 'n', '-12345');
    expect(await r.hlen('h')).toBe(2);
    expect(await r.hlen('missing')).toBe(0);
    expect(await r.hstrlen('h', 'a')).toBe(5);
    expect(await r.hstrlen('h', 'n')).toBe(6);
    expect(await r.hstrlen('h', 'zz')).toBe(0);
    expect(await r.hstrlen('missing', 'a')).toBe(0);
    expect(await r.hexists('h', 'a')).toBe(1);
    expect(await r.hexists('h', 'zz')).toBe(0);
    expect(await r.hexists('missing', 'a')).toBe(0);
    expect(await raw3.call('HEXISTS', 'h', 'a')).toBe(':1\r\n');
  });
});

describe('HKEYS HVALS HGETALL', () => {
  it('listpack replies come in insertion order; HGETALL is a map in RESP3, a flat array in RESP2', async () => {
    await r.hset('h', 'z', '1', 'a', '2', 'm', '3');
    await r.hset('h', 'a', '20');
    expect(await raw.call('HKEYS', 'h')).toBe('*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nm\r\n');
    expect(await raw.call('HVALS', 'h')).toBe('*3\r\n$1\r\n1\r\n$2\r\n20\r\n$1\r\n3\r\n');
    expect(await raw.call('HGETALL', 'h')).toBe('*6\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\na\r\n$2\r\n20\r\n$1\r\nm\r\n$1\r\n3\r\n');
    expect(await raw3.call('HGETALL', 'h')).toBe('%3\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\na\r\n$2\r\n20\r\n$1\r\nm\r\n$1\r\n3\r\n');
    expect(await raw3.call('HKEYS', 'h')).toBe('*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nm\r\n');
    expect(await r.hgetall('h')).toEqual({ z: '1', a: '20', m: '3' });
  });

  it('missing keys give empty replies (RESP3 HGETALL: an empty map)', async () => {
    expect(await raw.call('HKEYS', 'missing')).toBe('*0\r\n');
    expect(await raw.call('HVALS', 'missing')).toBe('*0\r\n');
    expect(await raw.call('HGETALL', 'missing')).toBe('*0\r\n');
    expect(await raw3.call('HGETALL', 'missing')).toBe('%0\r\n');
    expect(await raw3.call('HKEYS', 'missing')).toBe('*0\r\n');
  });

  it('a hashtable answers every field once, keys and values in matching order', async () => {
    const fields = range(300, (i) => `f${i}`);
    await r.hset('h', ...fields.flatMap((f) => [f, `v${f}`]));
    expect(await encoding('h')).toBe('hashtable');
    const keys = await r.hkeys('h');
    const vals = await r.hvals('h');
    expect(sorted(keys)).toEqual(sorted(fields));
    expect(vals).toEqual(keys.map((f) => `v${f}`));
    expect(Object.keys(await r.hgetall('h')).length).toBe(300);
  });
});

describe('HINCRBY HINCRBYFLOAT', () => {
  it('HINCRBY adds to an integer field, creating key and field', async () => {
    expect(await r.hincrby('h', 'n', 5)).toBe(5);
    expect(await r.hincrby('h', 'n', -7)).toBe(-2);
    expect(await raw.call('HINCRBY', 'h', 'n', '9223372036854775807')).toBe(':9223372036854775805\r\n');
    expect(await raw.call('HINCRBY', 'h', 'n', '3')).toBe('-ERR increment or decrement would overflow\r\n');
    expect(await r.hget('h', 'n')).toBe('9223372036854775805');
    await r.hset('h', 's', 'abc', 'sp', ' 1', 'e', '');
    for (const f of ['s', 'sp', 'e']) {
      expect(await raw.call('HINCRBY', 'h', f, '1')).toBe('-ERR hash value is not an integer\r\n');
    }
    expect(await raw.call('HINCRBY', 'h', 'n', '1.5')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('HINCRBY', 'h', 'n', '9223372036854775808')).toBe('-ERR value is not an integer or out of range\r\n');
  });

  it('HINCRBYFLOAT adds in long double and is propagated as HSET key field value', async () => {
    expect(await raw.call('HINCRBYFLOAT', 'h', 'f', '10.5')).toBe('$4\r\n10.5\r\n');
    expect(await raw.call('HINCRBYFLOAT', 'h', 'f', '0.1')).toBe('$4\r\n10.6\r\n');
    expect(await raw.call('HINCRBYFLOAT', 'h', 'f', '5.0e3')).toBe('$22\r\n5010.60000000000000009\r\n');
    expect(await raw.call('HINCRBYFLOAT', 'h', 'f', '-5010.6')).toBe('$1\r\n0\r\n');
    expect(await raw.call('HINCRBYFLOAT', 'h', 'x', '0x10')).toBe('$2\r\n16\r\n');
    expect(propagated.map(([, argv]) => argv)).toEqual([
      ['HSET', 'h', 'f', '10.5'], ['HSET', 'h', 'f', '10.6'], ['HSET', 'h', 'f', '5010.60000000000000009'], ['HSET', 'h', 'f', '0'],
      ['HSET', 'h', 'x', '16'],
    ]);
  });

  it('HINCRBYFLOAT errors: bad increment, infinite increment, bad stored value, infinite result', async () => {
    await r.hset('h', 's', 'abc', 'big', '1e4932', 'inf', 'inf');
    expect(await raw.call('HINCRBYFLOAT', 'h', 'f', 'abc')).toBe('-ERR value is not a valid float\r\n');
    expect(await raw.call('HINCRBYFLOAT', 'h', 'f', 'nan')).toBe('-ERR value is not a valid float\r\n');
    expect(await raw.call('HINCRBYFLOAT', 'h', 'f', 'inf')).toBe('-ERR value is NaN or Infinity\r\n');
    expect(await raw.call('HINCRBYFLOAT', 'h', 'f', '-Infinity')).toBe('-ERR value is NaN or Infinity\r\n');
    expect(await raw.call('HINCRBYFLOAT', 'h', 's', '1')).toBe('-ERR hash value is not a float\r\n');
    expect(await raw.call('HINCRBYFLOAT', 'h', 'big', '1e4932')).toBe('-ERR increment would produce NaN or Infinity\r\n');
    expect(await raw.call('HINCRBYFLOAT', 'h', 'inf', '1')).toBe('-ERR increment would produce NaN or Infinity\r\n');
    expect(await r.hlen('h')).toBe(3);
    expect(propagated).toEqual([[0, ['hset', 'h', 's', 'abc', 'big', '1e4932', 'inf', 'inf']]]);
  });

  it('an increment error on a key of another type is reported before WRONGTYPE (HINCRBY, HINCRBYFLOAT)', async () => {
    await r.set('str', 'x');
    expect(await raw.call('HINCRBY', 'str', 'f', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('HINCRBYFLOAT', 'str', 'f', 'x')).toBe('-ERR value is not a valid float\r\n');
    expect(await raw.call('HINCRBY', 'str', 'f', '1')).toBe(WRONGTYPE);
    expect(await raw.call('HINCRBYFLOAT', 'str', 'f', '1')).toBe(WRONGTYPE);
  });
});

describe('encodings (OBJECT ENCODING listpack / hashtable)', () => {
  it('a long value or field converts to hashtable; the conversion is one-way', async () => {
    await r.hset('h', 'f', 'x'.repeat(64));
    expect(await encoding('h')).toBe('listpack');
    await r.hset('h', 'g', 'x'.repeat(65));
    expect(await encoding('h')).toBe('hashtable');
    await r.hdel('h', 'g');
    expect(await encoding('h')).toBe('hashtable');
    await r.hset('k', 'y'.repeat(65), '1');
    expect(await encoding('k')).toBe('hashtable');
    await r.hincrby('k2', 'z'.repeat(65), 1);
    expect(await encoding('k2')).toBe('hashtable');
    await r.hincrbyfloat('k3', 'f', '1e70'); // a 72-byte result
    expect(await encoding('k3')).toBe('hashtable');
  });

  it('more than hash-max-listpack-entries fields converts; deleting and re-creating the key starts over', async () => {
    await r.hset('h', ...range(128).flatMap((i) => [`f${i}`, 'v']));
    expect(await encoding('h')).toBe('listpack');
    await r.hset('h', 'one-more', 'v');
    expect(await encoding('h')).toBe('hashtable');
    await r.del('h');
    await r.hset('h', 'a', '1');
    expect(await encoding('h')).toBe('listpack');
  });

  it('CONFIG SET of the limits applies to the next write: an update converts, HSETNX of an existing field does not', async () => {
    await r.hset('h', 'a', '1', 'b', '2', 'c', '3');
    await r.config('SET', 'hash-max-listpack-entries', '2');
    expect(await r.hget('h', 'a')).toBe('1');
    expect(await r.hsetnx('h', 'a', '9')).toBe(0);
    expect(await r.hdel('h', 'zz')).toBe(0);
    expect(await encoding('h')).toBe('listpack');
    await r.hset('h', 'a', '5');
    expect(await encoding('h')).toBe('hashtable');
    await r.config('SET', 'hash-max-listpack-entries', '0');
    await r.hset('zero', 'a', '1');
    expect(await encoding('zero')).toBe('hashtable');
    await r.config('SET', 'hash-max-listpack-entries', '128');
    await r.config('SET', 'hash-max-listpack-value', '0');
    await r.hset('empty', '', '');
    expect(await encoding('empty')).toBe('listpack');
    await r.hset('empty', 'a', '');
    expect(await encoding('empty')).toBe('hashtable');
  });

  it('COPY keeps the encoding and makes an independent hash', async () => {
    await r.hset('src', 'a', '1', 'b', '2');
    await r.hset('big', 'a', 'x'.repeat(100));
    await r.copy('src', 'dst');
    await r.copy('big', 'big2');
    expect([await encoding('dst'), await encoding('big2')]).toEqual(['listpack', 'hashtable']);
    await r.hset('dst', 'c', '3');
    await r.hdel('big2', 'a');
    expect(await r.hkeys('src')).toEqual(['a', 'b']);
    expect(await r.hkeys('dst')).toEqual(['a', 'b', 'c']);
    expect(await r.hget('big', 'a')).toBe('x'.repeat(100));
  });
});

describe('HRANDFIELD', () => {
  it('HRANDFIELD without count: one field, nil for a missing key', async () => {
    await r.hset('h', 'a', '1', 'b', '2');
    expect(['a', 'b']).toContain(await r.hrandfield('h'));
    expect(await raw.call('HRANDFIELD', 'missing')).toBe('$-1\r\n');
    expect(await raw3.call('HRANDFIELD', 'missing')).toBe('_\r\n');
  });

  it('count 0 and missing keys give empty arrays; counts are checked before the key and the syntax', async () => {
    await r.hset('h', 'a', '1');
    await r.set('str', 'x');
    expect(await raw.call('HRANDFIELD', 'h', '0')).toBe('*0\r\n');
    expect(await raw3.call('HRANDFIELD', 'h', '0', 'WITHVALUES')).toBe('*0\r\n');
    expect(await raw.call('HRANDFIELD', 'missing', '5')).toBe('*0\r\n');
    expect(await raw3.call('HRANDFIELD', 'missing', '-5', 'withvalues')).toBe('*0\r\n');
    expect(await raw.call('HRANDFIELD', 'str', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('HRANDFIELD', 'h', 'x', 'foo')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await raw.call('HRANDFIELD', 'h', '1', 'foo')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('HRANDFIELD', 'h', '1', 'withvalues', 'x')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('HRANDFIELD', 'h', '-9223372036854775808')).toBe(
      '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n');
    expect(await raw.call('HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES')).toBe('-ERR value is out of range\r\n');
    expect(await raw.call('HRANDFIELD', 'h', '-4611686018427387904', 'WITHVALUES')).toBe('-ERR value is out of range\r\n');
    expect(await raw.call('HRANDFIELD', 'h', '9223372036854775807')).toBe('*1\r\n$1\r\na\r\n');
    expect(await raw.call('HRANDFIELD', 'str', '1')).toBe(WRONGTYPE);
  });

  it('COMPAT: a negative count past -10000000 is refused instead of building a reply that large', async () => {
    await r.hset('h', 'a', '1');
    expect(await raw.call('HRANDFIELD', 'h', '-10000001')).toBe('-ERR value is out of range\r\n');
    expect(await raw.call('HRANDFIELD', 'h', '-2')).toBe('*2\r\n$1\r\na\r\n$1\r\na\r\n');
    expect(await raw.call('HRANDFIELD', 'missing', '-9223372036854775807')).toBe('-ERR value is out of range\r\n');
  });

  it('WITHVALUES: flat in RESP2, [field, value] pairs in RESP3', async () => {
    await r.hset('h', 'a', '1', 'b', '2');
    expect(await raw.call('HRANDFIELD', 'h', '5', 'WITHVALUES')).toBe('*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n');
    expect(await raw3.call('HRANDFIELD', 'h', '5', 'withvalues')).toBe(
      '*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n');
    const neg3 = parseResp(await raw3.call('HRANDFIELD', 'h', '-3', 'WITHVALUES'));
    expect(neg3.items!.length).toBe(3);
    for (const pair of neg3.items!) {
      expect(pair.type).toBe('*');
      const [f, v] = pair.items!.map((n) => n.value!);
      expect({ a: '1', b: '2' }[f as 'a' | 'b']).toBe(v);
    }
    const neg2 = bulks(await raw.call('HRANDFIELD', 'h', '-4', 'WITHVALUES'));
    expect(neg2.length).toBe(8);
  });

  for (const enc of ['listpack', 'hashtable'] as const) {
    it(`positive counts give distinct fields, in listpack order for a listpack (${enc})`, async () => {
      const n = enc === 'listpack' ? 100 : 300;
      const fields = range(n, (i) => `f${String(i).padStart(3, '0')}`);
      await r.hset('h', ...fields.flatMap((f) => [f, `v-${f}`]));
      expect(await encoding('h')).toBe(enc);
      for (const count of [1, 2, 10, Math.floor(n / 3) + 1, n - 1, n, n + 5]) {
        const got = await r.hrandfield('h', count) as string[];
        expect(got.length).toBe(Math.min(count, n));
        expect(new Set(got).size).toBe(got.length);
        for (const f of got) expect(fields).toContain(f);
        if (enc === 'listpack') expect(got).toEqual(sorted(got));
        const pairs = bulks(await raw.call('HRANDFIELD', 'h', String(count), 'WITHVALUES'));
        for (let i = 0; i < pairs.length; i += 2) expect(pairs[i + 1]).toBe(`v-${pairs[i]}`);
      }
      const repeated = await r.hrandfield('h', -(n * 2)) as string[];
      expect(repeated.length).toBe(n * 2);
      expect(new Set(repeated).size).toBeLessThan(n * 2);
    });

    it(`draws are uniform (chi-square over 10 fields) for every strategy (${enc})`, async () => {
      if (enc === 'hashtable') await r.config('SET', 'hash-max-listpack-entries', '0');
      await r.hset('h', ...range(10).flatMap((i) => [`f${i}`, 'v']));
      expect(await encoding('h')).toBe(enc);
      // Chi-square with 9 degrees of freedom: 40 is far beyond p = 0.0001 (33.7).
      const chi = (counts: Map<string, number>, total: number) => {
        const expected = total / 10;
        let x = 0;
        for (let i = 0; i < 10; i++) x += ((counts.get(`f${i}`) ?? 0) - expected) ** 2 / expected;
        return x;
      };
      const tally = (items: string[], into = new Map<string, number>()) => {
        for (const f of items) into.set(f, (into.get(f) ?? 0) + 1);
        return into;
      };
      expect(chi(tally(await r.hrandfield('h', -20000) as string[]), 20000)).toBeLessThan(40);
      // count 2 (random picks) and count 5 (drop at random / listpack sampling), many times over.
      for (const count of [2, 5]) {
        const counts = new Map<string, number>();
        const pipe = r.pipeline();
        for (let i = 0; i < 2000; i++) pipe.hrandfield('h', count);
        for (const [, items] of (await pipe.exec())!) tally(items as string[], counts);
        expect(chi(counts, 2000 * count)).toBeLessThan(40);
      }
      const singles = new Map<string, number>();
      const pipe = r.pipeline();
      for (let i = 0; i < 5000; i++) pipe.hrandfield('h');
      for (const [, f] of (await pipe.exec())!) tally([f as string], singles);
      expect(chi(singles, 5000)).toBeLessThan(40);
    });
  }
});

describe('HSCAN', () => {
  it('a listpack answers everything at once with cursor 0, in order, MATCH applied to fields', async () => {
    await r.hset('h', 'b1', 'x', 'a1', 'y', 'b2', 'z');
    expect(await raw.call('HSCAN', 'h', '0')).toBe(
      '*2\r\n$1\r\n0\r\n*6\r\n$2\r\nb1\r\n$1\r\nx\r\n$2\r\na1\r\n$1\r\ny\r\n$2\r\nb2\r\n$1\r\nz\r\n');
    expect(await r.hscan('h', '0', 'MATCH', 'b*', 'COUNT', '1')).toEqual(['0', ['b1', 'x', 'b2', 'z']]);
    expect(await r.hscan('h', '12345')).toEqual(['0', ['b1', 'x', 'a1', 'y', 'b2', 'z']]);
    expect(await raw3.call('HSCAN', 'missing', '0')).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
  });

  it('the cursor is checked before the key, the options only when the key holds a hash', async () => {
    await r.set('str', 'x');
    await r.hset('h', 'a', '1');
    expect(await raw.call('HSCAN', 'missing', 'x')).toBe('-ERR invalid cursor\r\n');
    expect(await raw.call('HSCAN', 'str', 'x')).toBe('-ERR invalid cursor\r\n');
    expect(await raw.call('HSCAN', 'str', '0', 'COUNT', '0')).toBe(WRONGTYPE);
    expect(await raw.call('HSCAN', 'missing', '0', 'COUNT', '0')).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
    expect(await raw.call('HSCAN', 'h', '0', 'COUNT', '0')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('HSCAN', 'h', '0', 'TYPE', 'string')).toBe('-ERR syntax error\r\n');
    expect(await raw.call('HSCAN', 'h', '0', 'MATCH')).toBe('-ERR syntax error\r\n');
  });

  it('a hashtable is walked COUNT fields per call; a full iteration returns every field present throughout', async () => {
    const fields = range(1000, (i) => `f${i}`);
    await r.hset('h', ...fields.flatMap((f) => [f, `v${f}`]));
    expect(await encoding('h')).toBe('hashtable');
    const first = await r.hscan('h', '0', 'COUNT', '50');
    expect(first[1].length).toBe(100);
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const [next, items] = await r.hscan('h', cursor, 'COUNT', '25');
      for (let i = 0; i < items.length; i += 2) {
        expect(items[i + 1]).toBe(items[i]!.startsWith('new') ? 'x' : `v${items[i]}`);
        seen.add(items[i]!);
      }
      // The hash changes between calls: new fields come, fields of the second half go and return.
      await r.hset('h', `new${round}`, 'x');
      if (round < 100) await r.hdel('h', `f${900 + (round % 100)}`);
      if (round >= 10 && round < 110) await r.hset('h', `f${900 + (round - 10)}`, `vf${900 + (round - 10)}`);
      cursor = next;
      round++;
    } while (cursor !== '0');
    for (let i = 0; i < 900; i++) expect(seen.has(`f${i}`)).toBe(true);
    const matched = await r.hscan('h', '0', 'MATCH', 'new*', 'COUNT', '100000');
    expect(matched[0]).toBe('0');
    expect(matched[1].length).toBe(round * 2);
  });

  it('a listpack never hands out a cursor, so a hash converting between calls is scanned whole from cursor 0', async () => {
    await r.hset('h', 'a', '1', 'b', '2');
    expect(await r.hscan('h', '0', 'COUNT', '1')).toEqual(['0', ['a', '1', 'b', '2']]);
    await r.hset('h', 'c', 'x'.repeat(65));
    expect(await encoding('h')).toBe('hashtable');
    // A stale or made-up cursor is unknown: the walk starts over and still sees every field.
    const seen: string[] = [];
    let cursor = '777';
    do {
      const [next, items] = await r.hscan('h', cursor, 'COUNT', '1');
      for (let i = 0; i < items.length; i += 2) seen.push(items[i]!);
      cursor = next;
    } while (cursor !== '0');
    expect(sorted(seen)).toEqual(['a', 'b', 'c']);
  });

  it('a cursor of a deleted and re-created hash starts the iteration again', async () => {
    await r.hset('h', ...range(200).flatMap((i) => [`f${i}`, 'v']));
    const [cursor] = await r.hscan('h', '0', 'COUNT', '10');
    expect(cursor).not.toBe('0');
    await r.del('h');
    await r.hset('h', ...range(200).flatMap((i) => [`g${i}`, 'v']));
    const [next, items] = await r.hscan('h', cursor, 'COUNT', '10');
    expect(next).not.toBe('0');
    expect(items[0]).toBe('g0');
  });
});

describe('WRONGTYPE for every hash command', () => {
  it.each([
    ['HSET', 'str', 'f', 'v'], ['HSETNX', 'str', 'f', 'v'], ['HMSET', 'str', 'f', 'v'], ['HGET', 'str', 'f'],
    ['HMGET', 'str', 'f'], ['HDEL', 'str', 'f'], ['HLEN', 'str'], ['HSTRLEN', 'str', 'f'], ['HEXISTS', 'str', 'f'],
    ['HKEYS', 'str'], ['HVALS', 'str'], ['HGETALL', 'str'], ['HINCRBY', 'str', 'f', '1'],
    ['HINCRBYFLOAT', 'str', 'f', '1'], ['HRANDFIELD', 'str'], ['HRANDFIELD', 'str', '2', 'WITHVALUES'],
    ['HSCAN', 'str', '0'],
  ])('%s against a string', async (...cmd) => {
    await r.set('str', 'x');
    expect(await raw.call(...cmd)).toBe(WRONGTYPE);
    expect(await r.get('str')).toBe('x');
  });

  it('string commands refuse a hash; TYPE says hash', async () => {
    await r.hset('h', 'a', '1');
    expect(await raw.call('GET', 'h')).toBe(WRONGTYPE);
    expect(await r.type('h')).toBe('hash');
  });
});
