/**
 * RedisHash on its own: the listpack keeps insertion order and converts one-way to a hashtable on
 * Redis 7.0's rules; random operations agree with a Map model in both encodings; slots address
 * every field once; copies are independent and keep the encoding.
 */
import { describe, expect, it } from 'vitest';
import { RedisHash, type HashEncodingLimits } from '../../src/datastructures/hash.js';
import { prng } from '../helpers/prng.js';

const DEFAULTS: HashEncodingLimits = { hashMaxListpackEntries: 128, hashMaxListpackValue: 64 };

function pairsOf(h: RedisHash): string[] {
  const out: string[] = [];
  h.forEach((f, v) => out.push(f, v));
  return out;
}

describe('RedisHash encodings', () => {
  it('a listpack keeps insertion order; updates stay in place, deletions close the gap', () => {
    const h = new RedisHash();
    h.set('b', '1', DEFAULTS);
    h.set('a', '2', DEFAULTS);
    h.set('c', '3', DEFAULTS);
    expect(h.set('a', '20', DEFAULTS)).toBe(false);
    expect(pairsOf(h)).toEqual(['b', '1', 'a', '20', 'c', '3']);
    expect(h.delete('b')).toBe(true);
    expect(h.delete('b')).toBe(false);
    expect(pairsOf(h)).toEqual(['a', '20', 'c', '3']);
    expect(h.encoding()).toBe('listpack');
    expect([h.size, h.get('c'), h.get('zz'), h.has('a'), h.has('b')]).toEqual([2, '3', undefined, true, false]);
  });

  it('converts when a field or value passes the value limit, or the count passes the entry limit', () => {
    const limits: HashEncodingLimits = { hashMaxListpackEntries: 3, hashMaxListpackValue: 4 };
    const byValue = new RedisHash();
    byValue.set('f', 'xxxx', limits);
    expect(byValue.encoding()).toBe('listpack');
    byValue.set('g', 'xxxxx', limits);
    expect(byValue.encoding()).toBe('hashtable');
    const byField = new RedisHash();
    byField.set('fffff', 'v', limits);
    expect(byField.encoding()).toBe('hashtable');
    const byCount = new RedisHash();
    for (const f of ['a', 'b', 'c']) byCount.set(f, '1', limits);
    expect(byCount.encoding()).toBe('listpack');
    byCount.set('d', '1', limits);
    expect(byCount.encoding()).toBe('hashtable');
    // One-way: shrinking does not convert back.
    for (const f of ['a', 'b', 'c']) byCount.delete(f);
    expect([byCount.encoding(), byCount.size, byCount.get('d')]).toEqual(['hashtable', 1, '1']);
  });

  it('an update converts a listpack that outgrew a lowered entry limit; a delete does not', () => {
    const h = new RedisHash();
    for (const f of ['a', 'b', 'c']) h.set(f, '1', DEFAULTS);
    const lowered: HashEncodingLimits = { hashMaxListpackEntries: 2, hashMaxListpackValue: 64 };
    h.delete('zz');
    expect(h.encoding()).toBe('listpack');
    h.set('a', '2', lowered);
    expect(h.encoding()).toBe('hashtable');
    expect(pairsOf(h).sort()).toEqual(['1', '1', '2', 'a', 'b', 'c']);
  });

  it('copy() is deep and keeps the encoding and order', () => {
    const lp = new RedisHash();
    lp.set('x', '1', DEFAULTS);
    lp.set('y', '2', DEFAULTS);
    const c = lp.copy();
    c.set('z', '3', DEFAULTS);
    lp.delete('x');
    expect(pairsOf(c)).toEqual(['x', '1', 'y', '2', 'z', '3']);
    expect(pairsOf(lp)).toEqual(['y', '2']);
    const ht = new RedisHash();
    ht.set('k', 'v'.repeat(100), DEFAULTS);
    const c2 = ht.copy();
    expect(c2.encoding()).toBe('hashtable');
    c2.set('k', 'w', DEFAULTS);
    expect(ht.get('k')).toBe('v'.repeat(100));
    expect(ht.type).toBe('hash');
  });

  it.each([
    ['listpack', { hashMaxListpackEntries: 1000, hashMaxListpackValue: 64 }],
    ['hashtable', { hashMaxListpackEntries: 0, hashMaxListpackValue: 64 }],
    ['converting', { hashMaxListpackEntries: 20, hashMaxListpackValue: 6 }],
  ] as const)('random operations agree with a Map model (%s)', (_name, limits) => {
    const rnd = prng(42);
    const h = new RedisHash();
    const model = new Map<string, string>();
    for (let step = 0; step < 4000; step++) {
      const field = 'f' + Math.floor(rnd() * 40);
      const op = rnd();
      if (op < 0.55) {
        const value = 'v'.repeat(Math.floor(rnd() * 8));
        expect(h.set(field, value, limits)).toBe(!model.has(field));
        model.set(field, value);
      } else if (op < 0.85) {
        expect(h.delete(field)).toBe(model.delete(field));
      } else {
        expect(h.get(field)).toBe(model.get(field));
      }
      expect(h.size).toBe(model.size);
    }
    // Every slot addresses a distinct field with its value.
    const seen = new Map<string, string>();
    for (let s = 0; s < h.size; s++) seen.set(h.fieldAt(s), h.valueAt(s));
    expect(seen).toEqual(model);
    const listed = new Map<string, string>();
    h.forEach((f, v) => listed.set(f, v));
    expect(listed).toEqual(model);
    if (h.encoding() === 'listpack') expect([...listed.keys()]).toEqual([...model.keys()]);
  });

  it('hashtable() exposes the DenseMap only once converted', () => {
    const h = new RedisHash();
    h.set('a', '1', DEFAULTS);
    expect(h.hashtable()).toBeUndefined();
    h.set('b', 'x'.repeat(65), DEFAULTS);
    const t = h.hashtable()!;
    expect([...t.keys()]).toEqual(['a', 'b']);
  });
});
