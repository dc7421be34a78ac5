/**
 * EvictionPool (memory/eviction-pool.ts): keeps the 16 best-scored candidates offered, gives the
 * best first, and a key offered again replaces its older entry.
 */
import { describe, expect, it } from 'vitest';
import { EvictionPool } from '../../src/memory/eviction-pool.js';
import type { Keyspace } from '../../src/keyspace/keyspace.js';

const db0 = { index: 0 } as Keyspace;
const db1 = { index: 1 } as Keyspace;

function drain(pool: EvictionPool): string[] {
  const out: string[] = [];
  for (let e = pool.takeBest(); e !== undefined; e = pool.takeBest()) out.push(`${e.db.index}:${e.key}`);
  return out;
}

describe('EvictionPool', () => {
  it('keeps the 16 highest scores of everything offered and hands them out best first', () => {
    const pool = new EvictionPool();
    // Scores 0..39 in a scrambled order.
    for (let i = 0; i < 40; i++) {
      const score = (i * 17) % 40;
      pool.offer(db0, `k${score}`, score);
    }
    expect(pool.size).toBe(16);
    expect(drain(pool)).toEqual(Array.from({ length: 16 }, (_, i) => `0:k${39 - i}`));
    expect(pool.takeBest()).toBeUndefined();
  });

  it('a key offered again replaces its entry; the same name in another database is another key', () => {
    const pool = new EvictionPool();
    pool.offer(db0, 'a', 10);
    pool.offer(db1, 'a', 5);
    pool.offer(db0, 'b', 7);
    pool.offer(db0, 'a', 1);
    expect(drain(pool)).toEqual(['0:b', '1:a', '0:a']);
  });

  it('a full pool refuses a candidate no better than its worst, and clear empties it', () => {
    const pool = new EvictionPool();
    for (let i = 0; i < 16; i++) pool.offer(db0, `k${i}`, 100 + i);
    pool.offer(db0, 'low', 100);
    expect(pool.size).toBe(16);
    pool.offer(db0, 'high', 1000);
    expect(pool.takeBest()).toEqual({ db: db0, key: 'high' });
    pool.clear();
    expect(pool.size).toBe(0);
  });
});
