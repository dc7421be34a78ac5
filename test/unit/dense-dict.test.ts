/**
 * DenseMap and DenseSet against a Map / Set model, with enough elements to span several
 * 4,096-slot chunks: random sets, overwrites and deletes (which move the last slot into the hole),
 * then every slot read back and compared.
 */
import { describe, expect, it } from 'vitest';
import { DenseMap, DenseSet } from '../../src/datastructures/dense-dict.js';
import { prng } from '../helpers/prng.js';

describe('DenseMap / DenseSet', () => {
  it('DenseMap matches a Map across chunk boundaries; its slots hold exactly the live keys', () => {
    const rand = prng(7);
    const d = new DenseMap<string>();
    const model = new Map<string, string>();
    for (let op = 0; op < 60000; op++) {
      const k = `k${Math.floor(rand() * 12000)}`;
      if (rand() < 0.3) expect(d.delete(k)).toBe(model.delete(k));
      else {
        const v = `v${op}`;
        expect(d.set(k, v)).toBe(!model.has(k));
        model.set(k, v);
      }
    }
    expect(d.size).toBe(model.size);
    expect(model.size).toBeGreaterThan(2 * 4096);
    const seen = new Map<string, string>();
    for (let slot = 0; slot < d.size; slot++) seen.set(d.keyAt(slot), d.valueAt(slot));
    expect(seen).toEqual(model);
    for (const [k, v] of model) expect(d.get(k)).toBe(v);
    expect(new Map(d.entries())).toEqual(model);
    // Emptied completely, through the chunks' removal.
    for (const k of model.keys()) d.delete(k);
    expect(d.size).toBe(0);
    expect(d.set('again', 'x')).toBe(true);
    expect(d.keyAt(0)).toBe('again');
  });

  it('DenseSet matches a Set across chunk boundaries', () => {
    const rand = prng(11);
    const d = new DenseSet();
    const model = new Set<string>();
    for (let op = 0; op < 50000; op++) {
      const m = `m${Math.floor(rand() * 10000)}`;
      if (rand() < 0.3) expect(d.delete(m)).toBe(model.delete(m));
      else {
        expect(d.add(m)).toBe(!model.has(m));
        model.add(m);
      }
    }
    expect(d.size).toBe(model.size);
    const slots = new Set<string>();
    for (let slot = 0; slot < d.size; slot++) slots.add(d.at(slot));
    expect(slots).toEqual(model);
    expect(new Set(d.values())).toEqual(model);
  });
});
