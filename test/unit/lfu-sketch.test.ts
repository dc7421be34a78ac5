/**
 * LfuSketch (keyspace/lfu-sketch.ts): Redis's LFU counter semantics kept in a count-min sketch —
 * new keys at 5, logarithmic increments, one point of decay per period, growth that keeps every
 * count, and few keys read above their true count at the sizes the sketch keeps.
 */
import { describe, expect, it } from 'vitest';
import { LfuSketch } from '../../src/keyspace/lfu-sketch.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

describe('LfuSketch', () => {
  it('counts like Redis with lfu-log-factor 0: 5 for a new key, +1 per access, -1 per idle minute', () => {
    const s = new LfuSketch(T0, 0);
    s.created('a', T0, 1);
    s.created('b', T0, 1);
    for (let i = 0; i < 20; i++) s.touch('a', T0, 1, 0, 0.5);
    expect(s.frequency('a', T0, 1)).toBe(25);
    expect(s.frequency('b', T0, 1)).toBe(5);
    expect(s.frequency('a', T0 + 3 * MIN + 10, 1)).toBe(22);
    expect(s.frequency('b', T0 + 3 * MIN + 10, 1)).toBe(2);
    // Decay-time 0: no decay at all.
    expect(s.frequency('a', T0 + 60 * MIN, 0)).toBe(22);
  });

  it('takes no memory until used; keys that existed before count as created at first use', () => {
    const s = new LfuSketch(T0, 1000);
    expect(s.bytes).toBe(0);
    expect(s.frequency('old', T0, 1)).toBe(5);
    expect(s.frequency('old', T0 + 2 * MIN, 1)).toBe(3);
  });

  it('increments logarithmically: 1 / ((counter - 5) * factor + 1)', () => {
    const s = new LfuSketch(T0, 0);
    s.created('k', T0, 1);
    s.touch('k', T0, 1, 10, 0.99); // counter 5: base 0, probability 1
    expect(s.frequency('k', T0, 1)).toBe(6);
    s.touch('k', T0, 1, 10, 0.2); // base 1: probability 1/11 < 0.2
    expect(s.frequency('k', T0, 1)).toBe(6);
    s.touch('k', T0, 1, 10, 0.05);
    expect(s.frequency('k', T0, 1)).toBe(7);
    s.set('k', 255, T0, 1);
    s.touch('k', T0, 1, 0, 0);
    expect(s.frequency('k', T0, 1)).toBe(255);
  });

  it('grows with the keys without changing any count, and rarely overestimates', () => {
    const s = new LfuSketch(T0, 0);
    const n = 50_000;
    const bytesAt1k: number[] = [];
    for (let i = 0; i < n; i++) {
      s.created(`key:${i}`, T0, 1);
      if (i % 7 === 0) for (let j = 0; j < 3; j++) s.touch(`key:${i}`, T0, 1, 0, 0.5);
      if (i === 999) bytesAt1k.push(s.bytes);
    }
    expect(s.bytes).toBeGreaterThan(bytesAt1k[0]!);
    expect(s.bytes).toBeLessThanOrEqual(n * 2 * 4 * 2);
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      const f = s.frequency(`key:${i}`, T0, 1);
      const want = i % 7 === 0 ? 8 : 5;
      expect(f).toBeGreaterThanOrEqual(want);
      if (f !== want) wrong++;
    }
    expect(wrong / n).toBeLessThan(0.03);
  });

  it('forgets nothing of a deleted key; FLUSHDB forgets everything and frees the cells', () => {
    const s = new LfuSketch(T0, 0);
    s.created('k', T0, 1);
    for (let i = 0; i < 5; i++) s.touch('k', T0, 1, 0, 0.5);
    s.forget();
    s.created('k', T0, 1);
    expect(s.frequency('k', T0, 1)).toBe(10);
    const bytes = s.bytes;
    s.clear();
    expect(s.bytes).toBe(0);
    expect(s.frequency('k', T0, 1)).toBe(5);
    expect(s.bytes).toBe(bytes);
  });
});
