/**
 * RedisList on its own: every operation agrees with a plain-array model over random sequences
 * (which drive denque's ring through wrap-around and growth); setAt writes the slot peekAt reads,
 * in O(1) on a large list; copies are independent.
 */
import { describe, expect, it } from 'vitest';
import { RedisList } from '../../src/datastructures/list.js';
import { prng } from '../helpers/prng.js';

describe('RedisList', () => {
  it('is a list encoded "quicklist"; from/toArray/copy round-trip and copies are independent', () => {
    const l = RedisList.from(['a', 'b', 'c']);
    expect([l.type, l.encoding(), l.length, l.toArray()]).toEqual(['list', 'quicklist', 3, ['a', 'b', 'c']]);
    const c = l.copy();
    c.pushBack('d');
    c.setAt(0, 'z');
    expect(l.toArray()).toEqual(['a', 'b', 'c']);
    expect(c.toArray()).toEqual(['z', 'b', 'c', 'd']);
  });

  it('setAt writes the element at() reads, after the ring wrapped around and grew', () => {
    const l = new RedisList();
    for (let i = 0; i < 5; i++) l.pushBack(`b${i}`);
    for (let i = 0; i < 7; i++) l.pushFront(`f${i}`);
    l.popBack();
    l.pushFront('x');
    const model = l.toArray();
    for (let i = 0; i < model.length; i++) {
      expect(l.setAt(i, `s${i}`)).toBe(true);
      model[i] = `s${i}`;
    }
    expect(l.toArray()).toEqual(model);
    for (let i = 0; i < model.length; i++) expect(l.at(i)).toBe(model[i]);
    expect([l.setAt(-1, 'y'), l.setAt(model.length, 'y'), l.setAt(1.5, 'y')]).toEqual([false, false, false]);
    expect(l.toArray()).toEqual(model);
  });

  it('at and setAt stay cheap on a list of a million elements', () => {
    const l = new RedisList();
    for (let i = 0; i < 1_000_000; i++) l.pushBack(String(i));
    const t = performance.now();
    for (let k = 0; k < 100_000; k++) {
      const i = (k * 7919) % 1_000_000;
      l.setAt(i, l.at(i)!);
    }
    expect(performance.now() - t).toBeLessThan(500);
    expect([l.at(0), l.at(500_000), l.at(999_999)]).toEqual(['0', '500000', '999999']);
  });

  it('random operations agree with an array model', () => {
    const rnd = prng(20240611);
    const int = (n: number) => Math.floor(rnd() * n);
    for (let round = 0; round < 300; round++) {
      const l = new RedisList();
      const m: string[] = [];
      for (let step = 0; step < 80; step++) {
        const v = `v${int(6)}`;
        switch (int(9)) {
          case 0: l.pushFront(v); m.unshift(v); break;
          case 1: l.pushBack(v); m.push(v); break;
          case 2: expect(l.popFront()).toBe(m.shift()); break;
          case 3: expect(l.popBack()).toBe(m.pop()); break;
          case 4: {
            const i = int(m.length + 1);
            l.insertAt(i, v);
            m.splice(i, 0, v);
            break;
          }
          case 5: {
            if (m.length === 0) break;
            const i = int(m.length);
            l.setAt(i, v);
            m[i] = v;
            break;
          }
          case 6: {
            const limit = int(3);
            const fromTail = int(2) === 1;
            const idx: number[] = [];
            m.forEach((x, i) => { if (x === v) idx.push(i); });
            const drop = new Set(limit === 0 ? idx : fromTail ? idx.slice(-limit) : idx.slice(0, limit));
            expect(l.removeMatching(v, limit, fromTail)).toBe(drop.size);
            const kept = m.filter((_, i) => !drop.has(i));
            m.length = 0;
            m.push(...kept);
            break;
          }
          case 7: {
            if (m.length === 0) break;
            const a = int(m.length);
            const b = a + int(m.length - a);
            l.keepRange(a, b);
            m.splice(0, m.length, ...m.slice(a, b + 1));
            break;
          }
          case 8: expect(l.indexOf(v)).toBe(m.indexOf(v)); break;
        }
        expect(l.length).toBe(m.length);
      }
      expect(l.toArray()).toEqual(m);
    }
  });
});
