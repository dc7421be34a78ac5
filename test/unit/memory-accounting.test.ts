/**
 * The byte counts of the data structures and of a Keyspace (datastructures/heap-layout.ts,
 * keyspace/memory-usage.ts), after random sequences of mutations (fast-check):
 * - compact encodings (listpack hash and sorted set, intset) equal a recount from their contents;
 * - every encoding counts its strings right: the same operations with every string 8 bytes longer
 *   (one more word each) give exactly 8 bytes more per live string, whatever conversions happened;
 * - a Keyspace's counter equals a recount of its keys, values and TTLs, with aggregates changed in
 *   place after they were stored, moved between keys and databases, swapped and flushed.
 * How close the costs are to V8's real heap is test/integration/memory.test.ts's part.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RedisHash } from '../../src/datastructures/hash.js';
import { RedisList } from '../../src/datastructures/list.js';
import { RedisSet } from '../../src/datastructures/set.js';
import { SortedSet } from '../../src/datastructures/sorted-set.js';
import { arrayBytes, HEAP_NUMBER, MapShape, objectBytes, stringBytes } from '../../src/datastructures/heap-layout.js';
import { Keyspace, type KeyspaceHost } from '../../src/keyspace/keyspace.js';
import { valueBytes } from '../../src/keyspace/memory-usage.js';
import type { Bytes } from '../../src/keyspace/bytes.js';
import type { RedisValue } from '../../src/keyspace/redis-value.js';

const b = (s: string) => s as Bytes;
/** Strings of 2+ bytes (one-byte strings are V8's shared constants and cost nothing). */
const word = fc.integer({ min: 0, max: 30 }).map((i) => `w${i}`);
const PAD = 'padding!';

// ---- Operations, applied with or without padding every string by 8 bytes ----

type HashOp = ['set', string, string] | ['del', string];
const hashOps = fc.array(
  fc.oneof(fc.tuple(fc.constant('set' as const), word, word), fc.tuple(fc.constant('del' as const), word)),
  { maxLength: 120 },
);
function runHash(ops: HashOp[], pad: string, entries: number): RedisHash {
  const h = new RedisHash();
  const limits = { hashMaxListpackEntries: entries, hashMaxListpackValue: 64 };
  for (const op of ops) {
    if (op[0] === 'set') h.set(b(op[1] + pad), b(op[2] + pad), limits);
    else h.delete(b(op[1] + pad));
  }
  return h;
}

type ListOp = ['lpush' | 'rpush' | 'lpop' | 'rpop' | 'lrem' | 'lset' | 'linsert' | 'ltrim', string, number];
const listOps = fc.array(
  fc.tuple(fc.constantFrom('lpush', 'rpush', 'lpush', 'rpush', 'lpop', 'rpop', 'lrem', 'lset', 'linsert', 'ltrim'), word, fc.nat(40)) as fc.Arbitrary<ListOp>,
  { maxLength: 150 },
);
function runList(ops: ListOp[], pad: string): RedisList {
  const l = new RedisList();
  for (const [op, w, n] of ops) {
    const v = b(w + pad);
    if (op === 'lpush') l.pushFront(v);
    else if (op === 'rpush') l.pushBack(v);
    else if (op === 'lpop') l.popFront();
    else if (op === 'rpop') l.popBack();
    else if (op === 'lrem') l.removeMatching(v, n % 3, n % 2 === 0);
    else if (l.length > 0 && op === 'lset') l.setAt(n % l.length, v);
    else if (op === 'linsert') l.insertAt(n % (l.length + 1), v);
    else if (l.length > 0 && op === 'ltrim') l.keepRange(n % l.length, l.length - 1);
  }
  return l;
}

type SetOp = ['add' | 'del', string];
const setOps = fc.array(fc.tuple(fc.constantFrom('add', 'add', 'del'), word) as fc.Arbitrary<SetOp>, { maxLength: 120 });
function runSet(ops: SetOp[], pad: string, popAt: number): RedisSet {
  const s = new RedisSet();
  ops.forEach(([op, w], i) => {
    if (op === 'add') s.add(b(w + pad), 16);
    else s.delete(b(w + pad));
    if (i === popAt && s.size > 2) s.pop(2, () => 0.5);
  });
  return s;
}

type ZsetOp = ['add' | 'del' | 'remrange', string, number];
const zsetOps = fc.array(
  fc.tuple(fc.constantFrom('add', 'add', 'add', 'del', 'remrange'), word, fc.integer({ min: 0, max: 50 })) as fc.Arbitrary<ZsetOp>,
  { maxLength: 150 },
);
function runZset(ops: ZsetOp[], pad: string, entries: number): SortedSet {
  let seed = 1;
  const z = new SortedSet(() => ((seed = (seed * 16807) % 2147483647) / 2147483647));
  const limits = { zsetMaxListpackEntries: entries, zsetMaxListpackValue: 64 };
  for (const [op, w, n] of ops) {
    const m = b(w + pad);
    if (op === 'add') {
      if (z.score(m) === undefined) z.insert(m, n / 4, limits);
      else z.update(m, n / 4);
    } else if (op === 'del') {
      z.remove(m);
    } else if (z.size > 0) {
      z.deleteRanks(0, n % z.size);
    }
  }
  return z;
}

describe('compact encodings: the count equals a recount of the contents', () => {
  it('listpack hash: this object, an exact array, the strings', () => {
    fc.assert(
      fc.property(hashOps, (ops) => {
        const h = runHash(ops, '', 1000);
        expect(h.encoding()).toBe('listpack');
        let strings = 0;
        h.forEach((f, v) => (strings += stringBytes(f.length) + stringBytes(v.length)));
        expect(h.bytes).toBe(objectBytes(4) + arrayBytes(2 * h.size) + strings);
      }),
    );
  });

  it('intset: this object, an exact array, the member texts', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: -500, max: 500 })), { maxLength: 200 }), (ops) => {
        const s = new RedisSet();
        for (const [add, n] of ops) {
          if (add) s.add(b(String(n * 1000)), 512);
          else s.delete(b(String(n * 1000)));
        }
        let strings = 0;
        for (const m of s.members()) strings += stringBytes(m.length);
        expect(s.bytes).toBe(objectBytes(6) + arrayBytes(s.size) + strings);
      }),
    );
  });

  it('listpack sorted set: two exact arrays and the members', () => {
    fc.assert(
      fc.property(zsetOps, (ops) => {
        const z = runZset(ops, '', 1000);
        expect(z.encoding()).toBe('listpack');
        let strings = 0;
        for (const m of z.membersInOrder()) strings += stringBytes(m.length);
        expect(z.bytes).toBe(objectBytes(5) + objectBytes(4) + 2 * arrayBytes(z.size) + strings);
      }),
    );
  });
});

describe('every encoding counts its strings: 8 bytes longer strings cost 8 bytes more each', () => {
  it('hash, through listpack → hashtable conversions', () => {
    fc.assert(
      fc.property(hashOps, fc.integer({ min: 1, max: 20 }), (ops, entries) => {
        const a = runHash(ops, '', entries);
        const p = runHash(ops, PAD, entries);
        expect(p.encoding()).toBe(a.encoding());
        expect(p.bytes - a.bytes).toBe(8 * 2 * a.size);
      }),
    );
  });

  it('list, through ring growth, shrinking rebuilds and middle edits', () => {
    fc.assert(
      fc.property(listOps, (ops) => {
        const a = runList(ops, '');
        const p = runList(ops, PAD);
        expect(p.bytes - a.bytes).toBe(8 * a.length);
      }),
    );
  });

  it('set (hashtable), with SPOP', () => {
    fc.assert(
      fc.property(setOps, fc.nat(120), (ops, popAt) => {
        const a = runSet(ops, '', popAt);
        const p = runSet(ops, PAD, popAt);
        expect(p.bytes - a.bytes).toBe(8 * a.size);
      }),
    );
  });

  it('sorted set, through listpack → skiplist conversions and range deletions', () => {
    fc.assert(
      fc.property(zsetOps, fc.integer({ min: 1, max: 20 }), (ops, entries) => {
        const a = runZset(ops, '', entries);
        const p = runZset(ops, PAD, entries);
        expect(p.encoding()).toBe(a.encoding());
        expect(p.bytes - a.bytes).toBe(8 * a.size);
      }),
    );
  });

  it('copies count what they hold and report to no database', () => {
    const h = runHash([['set', 'w1', 'w2'], ['set', 'w3', 'w4']], '', 1);
    expect(h.copy().bytes).toBe(h.bytes);
    const z = runZset([['add', 'w1', 3], ['add', 'w2', 4], ['add', 'w3', 5]], '', 2);
    const zc = z.copy();
    expect(zc.owner).toBeNull();
    // The copy's members array is exactly its length; the original's grew by push().
    expect(zc.bytes).toBe(z.bytes - 8 * (17 - 3));
  });
});

describe('MapShape follows V8 OrderedHashTable capacities', () => {
  it('doubles when full, halves below a quarter, rehashes in place when half is deleted', () => {
    const s = new MapShape();
    const cap = () => (s.bytes - objectBytes(3) - 72) / 28;
    expect(cap()).toBe(4);
    for (let i = 0; i < 5; i++) s.added();
    expect(cap()).toBe(8);
    for (let i = 0; i < 4; i++) s.removed();
    expect(cap()).toBe(4); // 1 live < 8 / 4
    // 4 adds and deletes in turn: deleted slots fill the table, a rehash keeps its size.
    for (let i = 0; i < 10; i++) s.reinserted();
    expect(cap()).toBe(4);
    expect(s.size).toBe(1);
  });
});

// ---- Keyspace ----

class Host implements KeyspaceHost {
  readonly stats = { keyspaceHits: 0, keyspaceMisses: 0 };
  time = 1_700_000_000_000;
  now(): number {
    return this.time;
  }
  isReplica(): boolean {
    return false;
  }
  keyExpired(): void {}
}

function expectRecount(db: Keyspace): void {
  let bytes = 0;
  for (const [key, v] of db.data) {
    bytes += stringBytes(key.length) + valueBytes(v);
    if (typeof v !== 'string') expect(v.owner).toBe(db.memory);
  }
  expect(db.memory.bytes).toBe(bytes + db.expires.size * HEAP_NUMBER);
  expect(db.memory.main.size).toBe(db.data.size);
  expect(db.memory.expires.size).toBe(db.expires.size);
}

type DbOp = [number, number, number, number];

describe('Keyspace: the counter equals a recount after any sequence of writes', () => {
  it('set / overwrite / delete / expire / persist / rename / move / swap / flush / in-place edits', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(13), fc.nat(5), fc.nat(5), fc.nat(1000)), { maxLength: 200 }), (ops: DbOp[]) => {
        const host = new Host();
        const dbs = [new Keyspace(0, host), new Keyspace(1, host)];
        const key = (n: number) => b(`key:${n}`);
        const limits = { hashMaxListpackEntries: 4, hashMaxListpackValue: 64 };
        for (const [op, k1, k2, n] of ops) {
          const db = dbs[n % 2]!;
          const other = dbs[1 - (n % 2)]!;
          const v = db.peek(key(k1));
          switch (op) {
            case 0:
              db.set(key(k1), b(`value ${n}`));
              break;
            case 1: {
              const l = new RedisList();
              l.pushBack(b(`e${n}`));
              db.set(key(k1), l, n % 3 === 0);
              break;
            }
            case 2:
              if (v !== undefined && typeof v !== 'string' && v.type === 'list') (v as RedisList).pushFront(b(`more ${n}`));
              break;
            case 3:
              if (v !== undefined && typeof v !== 'string' && v.type === 'hash') (v as RedisHash).set(b(`f${n % 7}`), b(`${n}`), limits);
              else if (v === undefined) db.set(key(k1), new RedisHash());
              break;
            case 4:
              db.delete(key(k1));
              break;
            case 5:
              if (v !== undefined) db.setExpire(key(k1), host.time + 1000 + n);
              break;
            case 6:
              if (v !== undefined) db.persist(key(k1));
              break;
            case 7:
              // RENAME: the new key first, then the old one goes.
              if (v !== undefined && k1 !== k2) {
                db.delete(key(k2));
                db.set(key(k2), v);
                db.delete(key(k1));
              }
              break;
            case 8:
              // MOVE
              if (v !== undefined && other.peek(key(k1)) === undefined) {
                other.set(key(k1), v);
                db.delete(key(k1));
              }
              break;
            case 9:
              dbs[0]!.swapWith(dbs[1]!);
              break;
            case 10:
              if (n % 10 === 0) db.flush();
              break;
            case 11:
              if (v !== undefined) db.overwrite(key(k1), typeof v === 'string' ? b(v + 'x') : v.copy());
              break;
            case 12:
              db.load(key(k1), b(`loaded ${n}`), n % 2 === 0 ? host.time + 5000 : undefined);
              break;
            case 13:
              // Lazy expiry deletes through the keyspace.
              host.time += n;
              db.peek(key(k1));
              break;
          }
          dbs.forEach(expectRecount);
        }
        // Emptying a database brings its total back to an empty one's.
        const empty = new Keyspace(9, host).memory.total(0);
        for (const db of dbs) {
          for (const k of [...db.data.keys()]) db.delete(k);
          expect(db.memory.total(0)).toBe(empty);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a value dropped from a database no longer changes its total', () => {
    const db = new Keyspace(0, new Host());
    const l = new RedisList();
    db.set(b('k'), l);
    l.pushBack(b('inside'));
    const stored = db.memory.total(0);
    db.delete(b('k'));
    const after = db.memory.total(0);
    expect(after).toBeLessThan(stored);
    l.pushBack(b('outside'));
    expect(db.memory.total(0)).toBe(after);
    const v: RedisValue = l;
    expect(valueBytes(v)).toBeGreaterThan(0);
  });
});
