/**
 * rdb-values.ts: every value type × encoding written by writeValue and read back by readValue
 * (with and without compression), the type bytes Redis 7.0 writes, the encodings loading gives
 * under the thresholds (as redis-server 7.0.15's loader decides them — checked there with DEBUG
 * RELOAD), every older type Redis 7.0 still loads, and damaged input: always an RdbFormatError.
 */
import { describe, expect, it } from 'vitest';
import { RedisList } from '../../src/datastructures/list.js';
import { RedisHash } from '../../src/datastructures/hash.js';
import { RedisSet } from '../../src/datastructures/set.js';
import { SortedSet } from '../../src/datastructures/sorted-set.js';
import type { RedisValue } from '../../src/keyspace/redis-value.js';
import { encodingOf } from '../../src/keyspace/redis-value.js';
import type { EncodingLimits } from '../../src/server.js';
import { RdbOutput } from '../../src/persistence/rdb-output.js';
import { RdbFormatError, RdbInput, isEmptyValue, rdbTypeOf, readValue, writeValue } from '../../src/persistence/rdb-values.js';
import { encodeListpack } from '../../src/persistence/listpack.js';
import { encodeIntset } from '../../src/persistence/intset.js';
import { rdbBytes, textDouble, ziplist, zipmap } from '../helpers/rdb-builders.js';
import { prng } from '../helpers/prng.js';

const LIMITS: EncodingLimits = {
  hashMaxListpackEntries: 128,
  hashMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
};

/** A value's contents in a comparable form (hashtable orders sorted). */
function contents(v: RedisValue): unknown {
  if (typeof v === 'string') return v;
  if (v instanceof RedisList) return v.toArray();
  if (v instanceof RedisHash) {
    const pairs: [string, string][] = [];
    v.forEach((f, x) => void pairs.push([f, x]));
    return v.encoding() === 'listpack' ? pairs : pairs.sort();
  }
  if (v instanceof RedisSet) {
    const m = [...v.members()];
    return v.encoding() === 'intset' ? m : m.sort();
  }
  if (v instanceof SortedSet) return v.entries();
  throw new Error('unknown value');
}

function write(v: RedisValue, compress = false): Buffer {
  return rdbBytes((out) => writeValue(out, v), compress);
}

function read(type: number, body: Buffer, limits = LIMITS): RedisValue {
  const inp = new RdbInput(body);
  const v = readValue(inp, type, limits);
  expect(inp.pos).toBe(body.length);
  return v;
}

const list = (items: string[]) => RedisList.from(items);
function hash(pairs: [string, string][], limits = LIMITS): RedisHash {
  const h = new RedisHash();
  for (const [f, v] of pairs) h.set(f, v, limits);
  return h;
}
function set(members: string[], max = 512): RedisSet {
  return RedisSet.of(members, max);
}
function zset(entries: [string, number][], limits = LIMITS): SortedSet {
  const z = new SortedSet();
  for (const [m, s] of entries) z.insert(m, s, limits);
  return z;
}
const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

/** Every type × encoding Kioku has, in shapes that exercise the writer. */
function samples(): [string, RedisValue, number, string][] {
  const small = { ...LIMITS, hashMaxListpackEntries: 0, zsetMaxListpackEntries: 0 };
  return [
    ['short string', 'hello', 0, 'embstr'],
    ['int string', '-12345', 0, 'int'],
    ['int64 string beyond int32', '9223372036854775807', 0, 'int'],
    ['binary string', '\x00\x01\xff\r\n', 0, 'embstr'],
    ['empty string', '', 0, 'embstr'],
    ['long compressible string', 'abc'.repeat(5000), 0, 'raw'],
    ['list of mixed elements', list(['a', '1', '-70000', '9223372036854775807', '', 'x'.repeat(100)]), 18, 'quicklist'],
    ['list over several nodes', list(range(10000, (i) => (i % 2 ? `element-${i}` : String(i * 7919)))), 18, 'quicklist'],
    ['list with elements bigger than a node', list(['a', 'b'.repeat(20000), 'c', 'd'.repeat(9000)]), 18, 'quicklist'],
    ['listpack hash', hash([['f1', 'v1'], ['n', '42'], ['neg', '-9'], ['', 'empty field']]), 16, 'listpack'],
    ['hashtable hash', hash(range(500, (i) => `f${i}`).map((f, i) => [f, `value-${i}`])), 4, 'hashtable'],
    ['hashtable hash (small, converted by a long value)', hash([['a', 'x'.repeat(100)]]), 4, 'hashtable'],
    ['intset (16-bit)', set(['-3', '1', '300']), 11, 'intset'],
    ['intset (32-bit)', set(['1', '100000']), 11, 'intset'],
    ['intset (64-bit)', set(['-9223372036854775808', '0', '9223372036854775807']), 11, 'intset'],
    ['hashtable set', set(['a', 'b', '3']), 2, 'hashtable'],
    ['big hashtable set', set(range(2000, (i) => String(i))), 2, 'hashtable'],
    ['listpack zset', zset([['a', 1], ['b', -2.5], ['c', 1e20], ['d', Infinity], ['e', -Infinity], ['f', 0.1], ['g', 123456789012]]), 17, 'listpack'],
    ['skiplist zset', zset(range(300, (i) => `m${i}`).map((m, i) => [m, (i * 37) % 101 / 7]), small), 5, 'skiplist'],
  ];
}

describe('writeValue / readValue round trips', () => {
  for (const [name, value, type, encoding] of samples()) {
    it(`${name}: type ${type}, ${encoding}`, () => {
      expect(encodingOf(value)).toBe(encoding);
      expect(rdbTypeOf(value)).toBe(type);
      for (const compress of [false, true]) {
        const back = read(type, write(value, compress));
        expect(contents(back)).toEqual(contents(value));
        // A small hashtable hash / skiplist zset comes back in the encoding loading gives it.
        if (!name.includes('(small') && name !== 'skiplist zset') expect(encodingOf(back)).toBe(encoding);
      }
    });
  }

  it('splits lists into listpack nodes of at most 8 KB, as list-max-listpack-size -2 does', () => {
    const body = write(list(range(5000, (i) => `item-${i}`)));
    const inp = new RdbInput(body);
    const nodes = inp.length();
    expect(nodes).toBeGreaterThan(5);
    for (let i = 0; i < nodes; i++) {
      expect(inp.length()).toBe(2); // packed
      expect(inp.blob().length).toBeLessThanOrEqual(8192);
    }
  });

  it('writes skiplist zsets with binary scores, highest first, and listpack scores as %.17g text', () => {
    const z = zset([['a', 1], ['b', 2.5]], { ...LIMITS, zsetMaxListpackEntries: 0 });
    const inp = new RdbInput(write(z));
    expect(inp.length()).toBe(2);
    expect([inp.string(), inp.float64(), inp.string(), inp.float64()]).toEqual(['b', 2.5, 'a', 1]);
    const lp = zset([['a', 1 / 3], ['b', 2]]);
    expect(read(17, write(lp)) instanceof SortedSet).toBe(true);
    const raw = new RdbInput(write(lp)).blob();
    expect(raw.includes(Buffer.from('0.33333333333333331'))).toBe(true);
  });
});

describe('encodings given at load time (Redis 7.0 loader rules)', () => {
  const tight = { ...LIMITS, hashMaxListpackEntries: 2, hashMaxListpackValue: 5, setMaxIntsetEntries: 2, zsetMaxListpackEntries: 2, zsetMaxListpackValue: 5 };

  it('hash: a listpack converts only on the entry count; field/value pairs on count or length', () => {
    expect(encodingOf(read(16, write(hash([['a', '1'], ['b', '2'], ['c', '3']])), tight))).toBe('hashtable');
    expect(encodingOf(read(16, write(hash([['a', 'long value']])), tight))).toBe('listpack');
    const pairs = (p: [string, string][]) => rdbBytes((o) => {
      o.length(p.length);
      for (const [f, v] of p) (o.string(f), o.string(v));
    });
    expect(encodingOf(read(4, pairs([['a', '1'], ['b', '2']]), tight))).toBe('listpack');
    expect(encodingOf(read(4, pairs([['a', '1'], ['b', '2'], ['c', '3']]), tight))).toBe('hashtable');
    expect(encodingOf(read(4, pairs([['a', '123456']]), tight))).toBe('hashtable');
  });

  it('zset: a listpack converts only on the count; member/score pairs on count or member length', () => {
    expect(encodingOf(read(17, write(zset([['a', 1], ['b', 2], ['c', 3]])), tight))).toBe('skiplist');
    expect(encodingOf(read(17, write(zset([['long member', 1]])), tight))).toBe('listpack');
    const pairs = (p: [string, number][]) => rdbBytes((o) => {
      o.length(p.length);
      for (const [m, s] of p) (o.string(m), o.float64(s));
    });
    expect(encodingOf(read(5, pairs([['a', 1], ['b', 2]]), tight))).toBe('listpack');
    expect(encodingOf(read(5, pairs([['a', 1], ['b', 2], ['c', 3]]), tight))).toBe('skiplist');
    expect(encodingOf(read(5, pairs([['long member', 1]]), tight))).toBe('skiplist');
  });

  it('set: an intset converts beyond set-max-intset-entries; members become an intset when they can', () => {
    expect(encodingOf(read(11, write(set(['1', '2', '3'])), tight))).toBe('hashtable');
    expect(encodingOf(read(11, write(set(['1', '2'])), tight))).toBe('intset');
    const members = (m: string[]) => rdbBytes((o) => {
      o.length(m.length);
      for (const x of m) o.string(x);
    });
    const small = read(2, members(['5', '-1']), tight);
    expect([encodingOf(small), contents(small)]).toEqual(['intset', ['-1', '5']]);
    expect(encodingOf(read(2, members(['1', '2', '3']), tight))).toBe('hashtable');
    expect(encodingOf(read(2, members(['1', 'a']), tight))).toBe('hashtable');
  });
});

describe('older value types Redis 7.0 still loads', () => {
  it('1: linked list of strings', () => {
    const body = rdbBytes((o) => (o.length(3), o.string('a'), o.string('12'), o.string('c')));
    expect(contents(read(1, body))).toEqual(['a', '12', 'c']);
  });

  it('3: zset with text scores (nan refused, inf allowed)', () => {
    const body = rdbBytes((o) => {
      o.length(3);
      o.string('a'), textDouble(o, 1.5);
      o.string('b'), textDouble(o, Infinity);
      o.string('c'), textDouble(o, -Infinity);
    });
    const z = read(3, body);
    expect([encodingOf(z), contents(z)]).toEqual(['listpack', [['c', -Infinity], ['a', 1.5], ['b', Infinity]]]);
    const nan = rdbBytes((o) => (o.length(1), o.string('a'), textDouble(o, NaN)));
    expect(() => read(3, nan)).toThrow(/NaN/);
  });

  it('13: ziplist hash converts by count like a listpack; 9: zipmap hash by count or length', () => {
    const pairs: [string, string][] = [['a', '1'], ['b', 'two'], ['c', 'x'.repeat(100)]];
    const zl = rdbBytes((o) => o.blob(ziplist(pairs.flat())));
    const h = read(13, zl);
    expect([encodingOf(h), contents(h)]).toEqual(['listpack', pairs]);
    expect(encodingOf(read(13, zl, { ...LIMITS, hashMaxListpackEntries: 2 }))).toBe('hashtable');
    const short = pairs.slice(0, 2);
    const zm = rdbBytes((o) => o.blob(zipmap(short)));
    const hm = read(9, zm);
    expect([encodingOf(hm), contents(hm)]).toEqual(['listpack', short]);
    expect(encodingOf(read(9, zm, { ...LIMITS, hashMaxListpackEntries: 1 }))).toBe('hashtable');
    expect(encodingOf(read(9, rdbBytes((o) => o.blob(zipmap(pairs)))))).toBe('hashtable');
  });

  it('10: ziplist list, 14: quicklist of ziplists, 18: quicklist with a plain node', () => {
    expect(contents(read(10, rdbBytes((o) => o.blob(ziplist(['a', '1', 'b'])))))).toEqual(['a', '1', 'b']);
    const q1 = rdbBytes((o) => (o.length(2), o.blob(ziplist(['a', 'b'])), o.blob(ziplist(['3', 'd']))));
    expect(contents(read(14, q1))).toEqual(['a', 'b', '3', 'd']);
    const q2 = rdbBytes((o) => {
      o.length(3);
      o.length(2), o.blob(encodeListpack(['a', 'b']));
      o.length(1), o.string('plain element');
      o.length(2), o.blob(encodeListpack(['z']));
    }, true);
    expect(contents(read(18, q2))).toEqual(['a', 'b', 'plain element', 'z']);
  });

  it('12: ziplist zset with text scores', () => {
    const z = read(12, rdbBytes((o) => o.blob(ziplist(['a', '1', 'b', '2.5', 'c', 'inf']))));
    expect([encodingOf(z), contents(z)]).toEqual(['listpack', [['a', 1], ['b', 2.5], ['c', Infinity]]]);
  });

  it('streams and modules are refused, saying Kioku has none', () => {
    expect(() => read(15, Buffer.alloc(4))).toThrow(/Kioku has no streams/);
    expect(() => read(19, Buffer.alloc(4))).toThrow(/Kioku has no streams/);
    expect(() => read(7, Buffer.alloc(4))).toThrow(/Kioku has no modules/);
    expect(() => read(6, Buffer.alloc(4))).toThrow(RdbFormatError);
    expect(() => read(8, Buffer.alloc(4))).toThrow(/unknown RDB value type 8/);
    expect(() => read(20, Buffer.alloc(4))).toThrow(/unknown RDB value type 20/);
  });
});

describe('damaged values', () => {
  it('refuses duplicates, odd pair counts, bad scores and lying lengths', () => {
    expect(() => read(16, rdbBytes((o) => o.blob(encodeListpack(['a', '1', 'a', '2']))))).toThrow(/duplicate hash field/);
    expect(() => read(16, rdbBytes((o) => o.blob(encodeListpack(['a', '1', 'b']))))).toThrow(/odd number/);
    expect(() => read(17, rdbBytes((o) => o.blob(encodeListpack(['a', 'x']))))).toThrow(/not a number/);
    expect(() => read(17, rdbBytes((o) => o.blob(encodeListpack(['a', '1', 'a', '2']))))).toThrow(/duplicate zset member/);
    expect(() => read(2, rdbBytes((o) => (o.length(2), o.string('a'), o.string('a'))))).toThrow(/duplicate set member/);
    expect(() => read(5, rdbBytes((o) => (o.length(1), o.string('a'), o.float64(NaN))))).toThrow(/NaN/);
    expect(() => read(2, rdbBytes((o) => o.length(1000)))).toThrow(/count 1000 exceeds the data/);
    expect(() => read(0, rdbBytes((o) => o.length(10)))).toThrow(/unexpected end of data/);
    expect(() => read(11, rdbBytes((o) => o.blob(encodeIntset(['1']).subarray(0, 9))))).toThrow(/invalid intset/);
    // An LZF header claiming an absurd length is refused before any allocation.
    expect(() => read(0, Buffer.from([0xc3, 0x02, 0x80, 0x7f, 0xff, 0xff, 0xff, 0x00, 0x61]))).toThrow(/impossible length/);
    expect(() => read(0, Buffer.from([0xc4]))).toThrow(/unknown string encoding 4/);
  });

  it('reports empty aggregates so that callers drop them', () => {
    expect(isEmptyValue(read(2, Buffer.from([0])))).toBe(true);
    expect(isEmptyValue(read(18, Buffer.from([0])))).toBe(true);
    expect(isEmptyValue(read(16, rdbBytes((o) => o.blob(encodeListpack([])))))).toBe(true);
    expect(isEmptyValue('')).toBe(false);
  });

  it('mutated and truncated payloads of every type raise RdbFormatError or decode, nothing else', () => {
    const rand = prng(11);
    const bodies = samples()
      .filter(([, v]) => typeof v !== 'string' || v.length < 1000)
      .flatMap(([, v, type]) => [[type, write(v, false)], [type, write(v, true)]] as [number, Buffer][]);
    bodies.push([13, rdbBytes((o) => o.blob(ziplist(['a', '1', 'b', 'x'.repeat(300)])))]);
    bodies.push([9, rdbBytes((o) => o.blob(zipmap([['a', '1'], ['bb', '22']])))]);
    bodies.push([12, rdbBytes((o) => o.blob(ziplist(['a', '1', 'b', '2'])))]);
    bodies.push([14, rdbBytes((o) => (o.length(1), o.blob(ziplist(['a', 'b']))))]);
    let errors = 0;
    for (let t = 0; t < 20000; t++) {
      const [type, good] = bodies[Math.floor(rand() * bodies.length)]!;
      let b = Buffer.from(good);
      const mode = rand();
      if (mode < 0.3) b = b.subarray(0, Math.floor(rand() * b.length));
      else {
        const flips = 1 + Math.floor(rand() * 4);
        for (let k = 0; k < flips; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      }
      const useType = rand() < 0.1 ? Math.floor(rand() * 20) : type;
      try {
        readValue(new RdbInput(b), useType, LIMITS);
      } catch (e) {
        if (!(e instanceof RdbFormatError)) throw e;
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(1000);
  });
});

describe('RdbInput primitives', () => {
  it('reads back every length form and integer-encoded strings', () => {
    const out = new RdbOutput();
    for (const n of [0, 63, 64, 16383, 16384, 2 ** 32 - 1, 2 ** 32, 2 ** 40]) out.length(n);
    for (const s of ['0', '-128', '32767', '-2147483648', 'plain']) out.string(s);
    out.millis(1_700_000_000_123);
    const inp = new RdbInput(out.take());
    expect([0, 63, 64, 16383, 16384, 2 ** 32 - 1, 2 ** 32, 2 ** 40].map(() => inp.length())).toEqual([0, 63, 64, 16383, 16384, 2 ** 32 - 1, 2 ** 32, 2 ** 40]);
    expect(range(5, () => inp.string())).toEqual(['0', '-128', '32767', '-2147483648', 'plain']);
    expect(inp.millis()).toBe(1_700_000_000_123);
    expect(inp.remaining).toBe(0);
    expect(() => inp.byte()).toThrow(/unexpected end of data reading a byte at offset/);
  });

  it('refuses a string encoding where a length belongs', () => {
    expect(() => new RdbInput(Buffer.from([0xc0, 1])).length()).toThrow(/string encoding where a length belongs/);
    expect(() => new RdbInput(Buffer.from([0x82])).length()).toThrow(/bad length encoding 0x82/);
  });
});
