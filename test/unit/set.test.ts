/**
 * RedisSet (datastructures/set.ts) on its own: which texts an intset may hold (against bytes.ts's
 * string2ll-style parser), numeric order without BigInt, one-way conversion, the random
 * operations, copies, and random operation sequences against a plain Set model.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RedisSet, isIntsetMember } from '../../src/datastructures/set.js';
import { parseI64 } from '../../src/keyspace/bytes.js';
import { prng } from '../helpers/prng.js';

const numericOrder = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

describe('isIntsetMember', () => {
  it('accepts exactly the canonical int64 texts', () => {
    const yes = ['0', '1', '-1', '10', '9223372036854775807', '-9223372036854775808', '1000000000000000000', '-999'];
    const no = ['', '-', '-0', '01', '+1', ' 1', '1 ', '1.0', '1e3', '0x10', '9223372036854775808',
      '-9223372036854775809', '18446744073709551616', '99999999999999999999', '-00', 'a', '1a', '١'];
    for (const s of yes) expect([s, isIntsetMember(s)]).toEqual([s, true]);
    for (const s of no) expect([s, isIntsetMember(s)]).toEqual([s, false]);
  });

  it('agrees with parseI64 on random texts (canonical = parses and prints back the same)', () => {
    const digits = fc.stringMatching(/^-?[0-9]{0,21}$/);
    fc.assert(
      fc.property(fc.oneof(digits, fc.string({ maxLength: 22 })), (s) => {
        const v = parseI64(s);
        expect(isIntsetMember(s)).toBe(v !== undefined && String(v) === s);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('RedisSet', () => {
  it('an intset keeps its members in ascending numeric order, whatever the insertion order', () => {
    const members = ['5', '-5', '10', '-10', '0', '9223372036854775807', '-9223372036854775808', '99', '100', '-99', '-100'];
    const s = new RedisSet();
    for (const m of members) expect(s.add(m, 512)).toBe(true);
    expect(s.add('10', 512)).toBe(false);
    expect(s.encoding()).toBe('intset');
    expect([...s.members()]).toEqual(members.slice().sort(numericOrder));
  });

  it('converts to a hashtable on a non-integer member or past the limit, and never back', () => {
    const a = RedisSet.of(['1', '2'], 512);
    expect(a.encoding()).toBe('intset');
    expect(a.has('01')).toBe(false);
    expect(a.delete('x')).toBe(false);
    expect(a.encoding()).toBe('intset');
    a.add('x', 512);
    expect(a.encoding()).toBe('hashtable');
    a.delete('x');
    expect(a.encoding()).toBe('hashtable');
    expect([...a.members()].sort()).toEqual(['1', '2']);

    const b = RedisSet.of(['1', '2', '3'], 3);
    expect(b.encoding()).toBe('intset');
    b.add('4', 3);
    expect(b.encoding()).toBe('hashtable');
    expect(RedisSet.of(['1'], 0).encoding()).toBe('hashtable');
    expect(RedisSet.of([], 0).encoding()).toBe('intset');
  });

  it('copy() is independent and keeps the encoding', () => {
    for (const members of [['1', '2', '3'], ['a', 'b', '1']]) {
      const s = RedisSet.of(members, 512);
      const c = s.copy();
      expect(c.encoding()).toBe(s.encoding());
      c.add('zz', 512);
      c.delete(members[0]!);
      expect([...s.members()].sort()).toEqual(members.slice().sort());
      expect(s.has('zz')).toBe(false);
    }
  });

  it('sample() gives distinct members; pop() removes exactly what it returns (both encodings)', () => {
    const rand = prng(7);
    for (const members of [Array.from({ length: 50 }, (_, i) => String(i * 3 - 40)), Array.from({ length: 50 }, (_, i) => `m${i}`)]) {
      for (const count of [1, 2, 10, 25, 49]) {
        const s = RedisSet.of(members, 512);
        const sample = s.sample(count, rand);
        expect(new Set(sample).size).toBe(count);
        for (const m of sample) expect(s.has(m)).toBe(true);
        const popped = s.pop(count, rand);
        expect(new Set(popped).size).toBe(count);
        expect(s.size).toBe(50 - count);
        for (const m of popped) expect(s.has(m)).toBe(false);
        for (const m of members) expect(s.has(m) || popped.includes(m)).toBe(true);
        if (s.encoding() === 'intset') expect([...s.members()]).toEqual([...s.members()].sort(numericOrder));
      }
    }
  });

  it('random operation sequences agree with a Set model (encoding, membership, order)', () => {
    const member = fc.oneof(
      fc.integer({ min: -30, max: 30 }).map(String),
      fc.constantFrom('a', 'b', '01', '-0', '9223372036854775807', '-9223372036854775808', '9223372036854775808'),
    );
    const op = fc.tuple(fc.constantFrom('add', 'add', 'delete', 'pop'), member);
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 0, max: 20 }), (ops, limit) => {
        const s = new RedisSet();
        const model = new Set<string>();
        let converted = false;
        const rand = prng(limit + 1);
        for (const [kind, m] of ops) {
          if (kind === 'add') {
            expect(s.add(m, limit)).toBe(!model.has(m));
            model.add(m);
            if (!isIntsetMember(m) || model.size > limit) converted = true;
          } else if (kind === 'delete') {
            expect(s.delete(m)).toBe(model.delete(m));
          } else if (s.size > 1) {
            for (const p of s.pop(1, rand)) expect(model.delete(p)).toBe(true);
          }
          expect(s.size).toBe(model.size);
          expect(s.encoding()).toBe(converted ? 'hashtable' : 'intset');
        }
        const listed = [...s.members()];
        expect(new Set(listed)).toEqual(model);
        if (!converted) expect(listed).toEqual([...model].sort(numericOrder));
      }),
      { numRuns: 500 },
    );
  });
});
