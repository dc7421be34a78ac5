/**
 * SortedSet (datastructures/sorted-set.ts) on its own: random operation sequences (fast-check)
 * against a naive sorted-array model, with limits small enough that sets convert from listpack
 * to skiplist midway — inserts, score updates, removals, ranks, walks by rank / score / lex (with
 * offset, limit and reverse), counts, range deletions, pops, copies — and the encoding rules:
 * one-way conversion, fromEntries choosing by content, -0 held as 0 by a listpack.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SortedSet, type LexRange, type ScoreRange, type ZsetLimits } from '../../src/datastructures/sorted-set.js';
import { lexGteMin, lexLteMax, scoreGteMin, scoreLteMax } from '../../src/datastructures/skiplist.js';
import { prng } from '../helpers/prng.js';

type Entry = [string, number];

const byScoreThenMember = (a: Entry, b: Entry) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

const member = fc.stringMatching(/^[a-f]{0,4}$/);
const score = fc.oneof(fc.integer({ min: -4, max: 4 }), fc.constantFrom(-Infinity, Infinity, 1.5));
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
  minEdge: fc.constantFrom(-1, 0, 0, 1) as fc.Arbitrary<-1 | 0 | 1>,
  maxEdge: fc.constantFrom(-1, 0, 0, 1) as fc.Arbitrary<-1 | 0 | 1>,
});

type Op =
  | { op: 'set'; m: string; s: number }
  | { op: 'remove'; m: string }
  | { op: 'delRanks'; a: number; b: number }
  | { op: 'delScore'; r: ScoreRange }
  | { op: 'delLex'; r: LexRange }
  | { op: 'pop'; n: number; max: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('set' as const), m: member, s: score }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), m: member }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delRanks' as const), a: fc.nat(20), b: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delScore' as const), r: scoreRange }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delLex' as const), r: lexRange }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pop' as const), n: fc.nat(4), max: fc.boolean() }) },
);

const sameScores = (model: Entry[]) => new Set(model.map(([, s]) => s)).size <= 1;

function apply(z: SortedSet, model: Entry[], o: Op, limits: ZsetLimits): void {
  const idx = (m: string) => model.findIndex((e) => e[0] === m);
  switch (o.op) {
    case 'set': {
      const i = idx(o.m);
      expect(z.score(o.m)).toBe(i < 0 ? undefined : model[i]![1]);
      if (i < 0) {
        z.insert(o.m, o.s, limits);
        model.push([o.m, o.s]);
      } else {
        z.update(o.m, o.s);
        model[i]![1] = o.s;
      }
      break;
    }
    case 'remove': {
      const i = idx(o.m);
      expect(z.remove(o.m)).toBe(i >= 0);
      if (i >= 0) model.splice(i, 1);
      break;
    }
    case 'delRanks': {
      const start = Math.min(o.a, o.b);
      const end = Math.min(Math.max(o.a, o.b), model.length - 1);
      if (start > end) return;
      expect(z.deleteRanks(start, end)).toBe(end - start + 1);
      model.splice(start, end - start + 1);
      break;
    }
    case 'delScore': {
      const keep = model.filter(([, s]) => !(scoreGteMin(s, o.r) && scoreLteMax(s, o.r)));
      expect(z.deleteScore(o.r)).toBe(model.length - keep.length);
      model.splice(0, model.length, ...keep);
      break;
    }
    case 'delLex': {
      if (!sameScores(model)) return;
      const keep = model.filter(([m]) => !(lexGteMin(m, o.r) && lexLteMax(m, o.r)));
      expect(z.deleteLex(o.r)).toBe(model.length - keep.length);
      model.splice(0, model.length, ...keep);
      break;
    }
    case 'pop': {
      const taken = o.max ? model.slice().reverse().slice(0, o.n) : model.slice(0, o.n);
      expect(z.pop(o.n, o.max)).toEqual(taken);
      for (const [m] of taken) model.splice(idx(m), 1);
      break;
    }
  }
  model.sort(byScoreThenMember);
}

interface Query {
  r: ScoreRange;
  lr: LexRange;
  offset: number;
  limit: number;
  reverse: boolean;
  start: number;
}

function collect(walk: (visit: (m: string, s: number) => void) => void): Entry[] {
  const out: Entry[] = [];
  walk((m, s) => void out.push([m, s]));
  return out;
}

function checkQueries(z: SortedSet, model: Entry[], q: Query): void {
  expect(z.size).toBe(model.length);
  expect(z.entries()).toEqual(model);
  expect(z.membersInOrder()).toEqual(model.map(([m]) => m));
  model.forEach(([m, s], i) => {
    expect(z.rank(m)).toBe(i);
    expect(z.score(m)).toBe(s);
    expect(z.at(i)).toEqual([m, s]);
  });
  expect(z.rank('zzz')).toBeUndefined();

  const ordered = q.reverse ? model.slice().reverse() : model;
  const count = Math.max(0, Math.min(3, model.length - q.start));
  expect(collect((v) => z.walkRank(q.start, q.reverse, count, v))).toEqual(ordered.slice(q.start, q.start + count));

  const window = (list: Entry[]) => list.slice(q.offset, q.limit < 0 ? undefined : q.offset + q.limit);
  const inScore = ordered.filter(([, s]) => scoreGteMin(s, q.r) && scoreLteMax(s, q.r));
  expect(collect((v) => z.walkScore(q.r, q.reverse, q.offset, q.limit, v))).toEqual(window(inScore));
  expect(z.countScore(q.r)).toBe(inScore.length);
  if (sameScores(model)) {
    const inLex = ordered.filter(([m]) => lexGteMin(m, q.lr) && lexLteMax(m, q.lr));
    expect(collect((v) => z.walkLex(q.lr, q.reverse, q.offset, q.limit, v))).toEqual(window(inLex));
    expect(z.countLex(q.lr)).toBe(inLex.length);
  }
}

const queryArb: fc.Arbitrary<Query> = fc.record({
  r: scoreRange,
  lr: lexRange,
  offset: fc.nat(4),
  limit: fc.integer({ min: -1, max: 5 }),
  reverse: fc.boolean(),
  start: fc.nat(8),
});

describe('SortedSet', () => {
  it('random operation sequences agree with a sorted-array model, across the listpack → skiplist conversion', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 60 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer(),
        queryArb,
        (ops, entries, value, seed, q) => {
          const limits = { zsetMaxListpackEntries: entries, zsetMaxListpackValue: value };
          const z = new SortedSet(prng(seed));
          const model: Entry[] = [];
          let converted = false;
          for (const o of ops) {
            apply(z, model, o, limits);
            if (z.encoding() === 'skiplist') converted = true;
            // One way: once a skiplist, always a skiplist.
            expect(z.encoding()).toBe(converted ? 'skiplist' : 'listpack');
            if (!converted) expect(model.length).toBeLessThanOrEqual(entries);
          }
          checkQueries(z, model, q);
          const copy = z.copy();
          expect(copy.encoding()).toBe(z.encoding());
          checkQueries(copy, model, q);
          copy.insert('copy-only', 0, limits);
          copy.pop(2, true);
          checkQueries(z, model, q);
          const rebuilt = SortedSet.fromEntries(model.slice().reverse(), limits, prng(seed + 1));
          checkQueries(rebuilt, model, q);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('converts when the next insert would exceed zset-max-listpack-entries, or for a long member', () => {
    const limits = { zsetMaxListpackEntries: 3, zsetMaxListpackValue: 4 };
    const z = new SortedSet();
    for (const m of ['a', 'b', 'c']) z.insert(m, 1, limits);
    expect(z.encoding()).toBe('listpack');
    z.insert('d', 1, limits);
    expect(z.encoding()).toBe('skiplist');
    for (const m of ['a', 'b', 'c']) z.remove(m);
    expect(z.encoding()).toBe('skiplist');

    const y = new SortedSet();
    y.insert('four', 1, limits);
    expect(y.encoding()).toBe('listpack');
    y.insert('fives', 1, limits);
    expect(y.encoding()).toBe('skiplist');

    const none = new SortedSet();
    none.insert('a', 1, { zsetMaxListpackEntries: 0, zsetMaxListpackValue: 64 });
    expect(none.encoding()).toBe('skiplist');
  });

  it('fromEntries picks the encoding by content: size and longest member against the limits', () => {
    const limits = { zsetMaxListpackEntries: 2, zsetMaxListpackValue: 3 };
    expect(SortedSet.fromEntries([['abc', 1], ['b', 2]], limits).encoding()).toBe('listpack');
    expect(SortedSet.fromEntries([['abcd', 1]], limits).encoding()).toBe('skiplist');
    expect(SortedSet.fromEntries([['a', 1], ['b', 2], ['c', 3]], limits).encoding()).toBe('skiplist');
    expect(SortedSet.fromEntries([['a', 1]], { zsetMaxListpackEntries: 0, zsetMaxListpackValue: 3 }).encoding()).toBe('skiplist');
  });

  it('a listpack holds -0 as 0 (its scores are text); a skiplist keeps -0', () => {
    const small = { zsetMaxListpackEntries: 128, zsetMaxListpackValue: 64 };
    const lp = new SortedSet();
    lp.insert('a', -0, small);
    expect(Object.is(lp.score('a'), 0)).toBe(true);
    const sl = new SortedSet();
    sl.insert('a', -0, { zsetMaxListpackEntries: 0, zsetMaxListpackValue: 64 });
    expect(Object.is(sl.score('a'), -0)).toBe(true);
    expect(Object.is(SortedSet.fromEntries([['a', -0]], small).score('a'), 0)).toBe(true);
  });

  it('scanDict is the skiplist encoding\'s member map, and absent for a listpack', () => {
    const z = new SortedSet();
    z.insert('a', 1, { zsetMaxListpackEntries: 128, zsetMaxListpackValue: 64 });
    expect(z.scanDict()).toBeUndefined();
    z.insert('b', 2, { zsetMaxListpackEntries: 1, zsetMaxListpackValue: 64 });
    expect([...z.scanDict()!.keys()]).toEqual(['a', 'b']);
  });
});
