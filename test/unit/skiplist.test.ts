/**
 * Skiplist (datastructures/skiplist.ts) on its own: random operation sequences (fast-check)
 * against a naive model — an array kept sorted by (score, member) — checking after every step
 * the structure's invariants (order, back links, tail, every span), ranks, rank lookups, score
 * and lex range ends, range deletions and reverse walks. Levels come from a seeded PRNG.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAX_LEVEL,
  Skiplist,
  lexGteMin,
  lexLteMax,
  scoreGteMin,
  scoreLteMax,
  type LexRange,
  type ScoreRange,
} from '../../src/datastructures/skiplist.js';
import { prng } from '../helpers/prng.js';

type Entry = [string, number];

/** The model: entries sorted by (score, member bytes). */
function sortModel(m: Entry[]): void {
  m.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function contents(zsl: Skiplist): Entry[] {
  const out: Entry[] = [];
  for (let x = zsl.first(); x !== 0; x = zsl.next(x)) out.push([zsl.member(x), zsl.score(x)]);
  return out;
}

function backwards(zsl: Skiplist): Entry[] {
  const out: Entry[] = [];
  for (let x = zsl.last(); x !== 0; x = zsl.prev(x)) out.push([zsl.member(x), zsl.score(x)]);
  return out;
}

const member = fc.stringMatching(/^[a-e]{0,3}$/);
const score = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(-Infinity, Infinity, 0.5, -0.5));
const scoreRange: fc.Arbitrary<ScoreRange> = fc.record({
  min: score,
  max: score,
  minExclusive: fc.boolean(),
  maxExclusive: fc.boolean(),
});
const lexRange: fc.Arbitrary<LexRange> = fc.record({
  min: member,
  max: member,
  minExclusive: fc.boolean(),
  maxExclusive: fc.boolean(),
  minEdge: fc.constantFrom(-1, 0, 0, 0, 1) as fc.Arbitrary<-1 | 0 | 1>,
  maxEdge: fc.constantFrom(-1, 0, 0, 0, 1) as fc.Arbitrary<-1 | 0 | 1>,
});

type Op =
  | { op: 'insert'; m: string; s: number }
  | { op: 'delete'; m: string }
  | { op: 'update'; m: string; s: number }
  | { op: 'delScore'; r: ScoreRange }
  | { op: 'delLex'; r: LexRange }
  | { op: 'delRank'; a: number; b: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('insert' as const), m: member, s: score }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), m: member }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('update' as const), m: member, s: score }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delScore' as const), r: scoreRange }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delLex' as const), r: lexRange }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delRank' as const), a: fc.nat(40), b: fc.nat(40) }) },
);

/** Applies one operation to the skiplist and the model, checking what the skiplist reports. */
function apply(zsl: Skiplist, ids: Map<string, number>, model: Entry[], o: Op): void {
  const idx = (m: string) => model.findIndex((e) => e[0] === m);
  switch (o.op) {
    case 'insert':
      if (idx(o.m) >= 0) return;
      ids.set(o.m, zsl.insert(o.s, o.m));
      model.push([o.m, o.s]);
      break;
    case 'delete': {
      const i = idx(o.m);
      const s = i >= 0 ? model[i]![1] : 0;
      expect(zsl.delete(s, o.m)).toBe(i >= 0);
      if (i >= 0) {
        model.splice(i, 1);
        ids.delete(o.m);
      }
      break;
    }
    case 'update': {
      const i = idx(o.m);
      if (i < 0) return;
      zsl.updateScore(ids.get(o.m)!, o.s);
      expect(zsl.member(ids.get(o.m)!)).toBe(o.m);
      model[i]![1] = o.s;
      break;
    }
    case 'delScore': {
      const removed: string[] = [];
      const n = zsl.deleteScoreRange(o.r, (m) => removed.push(m));
      const want = model.filter(([, s]) => scoreGteMin(s, o.r) && scoreLteMax(s, o.r)).map(([m]) => m);
      expect(removed).toEqual(want);
      expect(n).toBe(want.length);
      for (const m of removed) {
        model.splice(idx(m), 1);
        ids.delete(m);
      }
      break;
    }
    case 'delLex': {
      // Lex ranges are defined for sets whose scores are all equal: compare only then.
      if (new Set(model.map(([, s]) => s)).size > 1) return;
      const removed: string[] = [];
      zsl.deleteLexRange(o.r, (m) => removed.push(m));
      expect(removed).toEqual(model.filter(([m]) => lexGteMin(m, o.r) && lexLteMax(m, o.r)).map(([m]) => m));
      for (const m of removed) {
        model.splice(idx(m), 1);
        ids.delete(m);
      }
      break;
    }
    case 'delRank': {
      const start = Math.min(o.a, o.b) + 1;
      const end = Math.min(Math.max(o.a, o.b) + 1, model.length);
      if (start > end) return;
      const removed: string[] = [];
      expect(zsl.deleteRankRange(start, end, (m) => removed.push(m))).toBe(end - start + 1);
      expect(removed).toEqual(model.slice(start - 1, end).map(([m]) => m));
      for (const m of removed) {
        model.splice(idx(m), 1);
        ids.delete(m);
      }
      break;
    }
  }
  sortModel(model);
}

/** Everything a query can ask, against the model. */
function checkQueries(zsl: Skiplist, model: Entry[], r: ScoreRange, lr: LexRange): void {
  expect(zsl.check()).toBeUndefined();
  expect(zsl.length).toBe(model.length);
  expect(contents(zsl)).toEqual(model);
  expect(backwards(zsl)).toEqual(model.slice().reverse());
  model.forEach(([m, s], i) => {
    expect(zsl.rankOf(s, m)).toBe(i + 1);
    const at = zsl.atRank(i + 1);
    expect([zsl.member(at), zsl.score(at)]).toEqual([m, s]);
  });
  expect(zsl.rankOf(0, 'zz')).toBe(0);
  expect(zsl.atRank(0)).toBe(0);
  expect(zsl.atRank(model.length + 1)).toBe(0);

  const inScore = model.filter(([, s]) => scoreGteMin(s, r) && scoreLteMax(s, r));
  const first = zsl.firstInScoreRange(r);
  const last = zsl.lastInScoreRange(r);
  expect(first === 0 ? undefined : zsl.member(first)).toBe(inScore[0]?.[0]);
  expect(last === 0 ? undefined : zsl.member(last)).toBe(inScore[inScore.length - 1]?.[0]);

  if (new Set(model.map(([, s]) => s)).size <= 1) {
    const inLex = model.filter(([m]) => lexGteMin(m, lr) && lexLteMax(m, lr));
    const lf = zsl.firstInLexRange(lr);
    const ll = zsl.lastInLexRange(lr);
    expect(lf === 0 ? undefined : zsl.member(lf)).toBe(inLex[0]?.[0]);
    expect(ll === 0 ? undefined : zsl.member(ll)).toBe(inLex[inLex.length - 1]?.[0]);
  }
}

describe('Skiplist', () => {
  it('random operation sequences agree with a sorted-array model (ranks, ranges, deletions, reverse)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), fc.integer(), scoreRange, lexRange, (ops, seed, r, lr) => {
        const zsl = new Skiplist(prng(seed), 2);
        const ids = new Map<string, number>();
        const model: Entry[] = [];
        for (const o of ops) {
          apply(zsl, ids, model, o);
          expect(zsl.check()).toBeUndefined();
        }
        checkQueries(zsl, model, r, lr);
        const copy = zsl.clone();
        checkQueries(copy, model, r, lr);
        copy.insert(100, 'only-in-copy');
        expect(zsl.length).toBe(model.length);
      }),
      { numRuns: 400 },
    );
  });

  it('equal scores sort by member bytes (memcmp order, bytes above 0x7f after ASCII)', () => {
    const zsl = new Skiplist(prng(1));
    for (const m of ['b', '\xff', 'a', 'B', '', 'ab', '\x00']) zsl.insert(1, m);
    expect(contents(zsl).map(([m]) => m)).toEqual(['', '\x00', 'B', 'a', 'ab', 'b', '\xff']);
  });

  it('levels stay within MAX_LEVEL even when the random source always says "up"', () => {
    const zsl = new Skiplist(() => 0);
    for (let i = 0; i < 50; i++) zsl.insert(i, `m${i}`);
    expect(zsl.check()).toBeUndefined();
    expect(zsl.atRank(50)).toBe(zsl.last());
    expect(MAX_LEVEL).toBe(32);
  });

  it('a large list: ranks, rank lookups and in-place / moving score updates stay consistent', () => {
    const rnd = prng(7);
    const zsl = new Skiplist(rnd);
    const ids: number[] = [];
    const n = 5000;
    for (let i = 0; i < n; i++) ids.push(zsl.insert(Math.floor(rnd() * 1000), `m${i}`));
    for (let i = 0; i < n; i += 3) zsl.updateScore(ids[i]!, Math.floor(rnd() * 1000));
    for (let i = 1; i < n; i += 7) zsl.delete(zsl.score(ids[i]!), zsl.member(ids[i]!));
    expect(zsl.check()).toBeUndefined();
    const all = contents(zsl);
    for (let k = 0; k < all.length; k += 97) {
      const [m, s] = all[k]!;
      expect(zsl.rankOf(s, m)).toBe(k + 1);
      expect(zsl.member(zsl.atRank(k + 1))).toBe(m);
    }
    // Freed ids and level blocks are recycled by these inserts.
    for (let i = 0; i < 1000; i++) zsl.insert(-i, `new${i}`);
    expect(zsl.check()).toBeUndefined();
  });
});
