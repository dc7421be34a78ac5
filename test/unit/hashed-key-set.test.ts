/**
 * HashedKeySet (datastructures/hashed-key-set.ts): random adds, lookups and clears against a
 * plain Set, with hashes that collide on purpose, and the property it exists for: clear() keeps
 * its arrays, so refilling to the same size allocates nothing.
 */
import { describe, expect, it } from 'vitest';
import { HashedKeySet } from '../../src/datastructures/hashed-key-set.js';
import { prng } from '../helpers/prng.js';

describe('HashedKeySet', () => {
  for (const [label, hashOf] of [
    ['a spread hash', (k: string) => (Number(k.slice(1)) * 2654435761) >>> 0],
    ['hashes that collide in eights', (k: string) => (Number(k.slice(1)) >> 3) >>> 0],
    ['one hash for every key', () => 0xdeadbeef],
  ] as const) {
    it(`agrees with a Set through adds, lookups and clears (${label})`, () => {
      const rand = prng(label.length);
      const set = new HashedKeySet();
      const model = new Set<string>();
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 3000; i++) {
          // A fresh string each time: membership is by content, not by identity.
          const key = `k${Math.floor(rand() * (label.startsWith('one') ? 300 : 5000))}`;
          if (rand() < 0.6) {
            expect(set.add(key, hashOf(key))).toBe(!model.has(key));
            model.add(key);
          } else expect(set.has(key, hashOf(key))).toBe(model.has(key));
          expect(set.size).toBe(model.size);
        }
        for (let i = 0; i < 6000; i++) expect(set.has(`k${i}`, hashOf(`k${i}`))).toBe(model.has(`k${i}`));
        set.clear();
        model.clear();
        expect(set.size).toBe(0);
        expect(set.has('k1', hashOf('k1'))).toBe(false);
      }
    });
  }

  it('grows past 3/4 load, keeps its arrays through clear(), and forgets across 255+ generations', () => {
    const set = new HashedKeySet();
    expect(set.capacity).toBe(16);
    for (let i = 0; i < 3072; i++) set.add(`k${i}`, i);
    expect(set.capacity).toBe(4096);
    set.add('one more', 7);
    expect(set.capacity).toBe(8192);
    expect(set.has('k17', 17)).toBe(true);
    set.clear();
    expect(set.capacity).toBe(8192);
    expect(set.has('k17', 17)).toBe(false);
    for (let i = 0; i < 5000; i++) expect(set.add(`k${i}`, i)).toBe(true);
    expect(set.capacity).toBe(8192);
    // Past the generation counter's wrap, keys of old generations are still gone.
    for (let g = 0; g < 600; g++) {
      set.clear();
      expect(set.add(`g${g % 3}`, g % 3)).toBe(true);
      expect(set.has(`g${(g + 1) % 3}`, (g + 1) % 3)).toBe(false);
      expect(set.add(`g${g % 3}`, g % 3)).toBe(false);
    }
    expect(set.capacity).toBe(8192);
  });

  it('reserve() makes room ahead (keeping what it holds) and never shrinks', () => {
    const set = new HashedKeySet();
    for (let i = 0; i < 10; i++) set.add(`k${i}`, i);
    set.reserve(3000);
    expect(set.capacity).toBe(4096);
    for (let i = 0; i < 10; i++) expect(set.has(`k${i}`, i)).toBe(true);
    for (let i = 10; i < 3072; i++) set.add(`k${i}`, i);
    expect(set.capacity).toBe(4096);
    set.reserve(100);
    expect(set.capacity).toBe(4096);
    expect(set.size).toBe(3072);
  });
});
