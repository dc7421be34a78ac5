/**
 * SortedSet: the value of a zset key, in Redis 7.0's two encodings.
 *
 * - "listpack" (small sets, sorted-set-listpack.ts): two flat arrays, members and scores, kept
 *   sorted by (score, member bytes) — the order Redis's listpack holds them in, so replies come out
 *   in exactly Redis's order, and a small set costs two arrays. Member lookups scan, as in a
 *   listpack; sets stay small (zset-max-listpack-entries, default 128).
 * - "skiplist": a Skiplist (ordered index with ranks) plus a Map from member to its skiplist node,
 *   Redis's dict + zskiplist pair: O(1) ZSCORE, O(log n) rank and range queries.
 *
 * A set starts as a listpack and converts to a skiplist, one way, when adding would make it hold
 * more than zset-max-listpack-entries members or a member longer than zset-max-listpack-value
 * bytes (the limits are passed in by the command layer). Results built in one go (ZUNIONSTORE,
 * ZRANGESTORE...) get the encoding their content calls for, as Redis 7.0 does (fromEntries).
 *
 * Range queries take score ranges ({min, max, minExclusive, maxExclusive}) and lex ranges (see
 * skiplist.ts); rank arguments are 0-based and already normalised by the caller.
 * Mirrors redis t_zset.c's zset* / zzl* layers; knows nothing of the server.
 *
 * A listpack stores scores as text, which turns -0 into 0: the listpack encoding does the same.
 *
 * Memory: each encoding knows its `bytes` in O(1) (the listpack's arrays are kept exactly their
 * length; the skiplist's Map capacity is followed by a MapShape; the members' strings are summed
 * as they come and go), and SortedSet (an AccountedValue) charges the change after each mutator.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { AccountedValue, MapShape, objectBytes, stringBytes } from './heap-layout.js';
import {
  Skiplist,
  lexGteMin,
  lexLteMax,
  scoreGteMin,
  scoreLteMax,
  type LexRange,
  type RandomSource,
  type ScoreRange,
} from './skiplist.js';
import { ListpackZset, listpackScore, type EntryVisitor, type ZsetEncoding } from './sorted-set-listpack.js';

export type { LexRange, ScoreRange, RandomSource } from './skiplist.js';
export type { EntryVisitor } from './sorted-set-listpack.js';

/** The two thresholds that decide the encoding (the server's encodingLimits fit this shape). */
export interface ZsetLimits {
  readonly zsetMaxListpackEntries: number;
  readonly zsetMaxListpackValue: number;
}

/** A JavaScript closure (the skiplist encoding's `forget`) with its context. */
const CLOSURE_BYTES = 64 + 48;

// ---- skiplist encoding ----

class SkiplistZset implements ZsetEncoding {
  readonly name = 'skiplist';

  /** The dict's capacity. */
  private readonly shape = new MapShape();
  /** The bytes of the members' strings. */
  private strings = 0;

  constructor(
    readonly zsl: Skiplist,
    /** member → its node in zsl. */
    readonly dict: Map<Bytes, number> = new Map(),
  ) {}

  get bytes(): number {
    return objectBytes(6) + CLOSURE_BYTES + this.shape.bytes + this.zsl.bytes + this.strings;
  }

  get size(): number {
    return this.dict.size;
  }

  score(member: Bytes): number | undefined {
    const id = this.dict.get(member);
    return id === undefined ? undefined : this.zsl.score(id);
  }

  add(member: Bytes, score: number): void {
    this.dict.set(member, this.zsl.insert(score, member));
    this.shape.added();
    this.strings += stringBytes(member.length);
  }

  rescore(member: Bytes, score: number): void {
    this.zsl.updateScore(this.dict.get(member)!, score);
  }

  remove(member: Bytes): boolean {
    const id = this.dict.get(member);
    if (id === undefined) return false;
    this.zsl.delete(this.zsl.score(id), member);
    this.forget(member);
    return true;
  }

  rank(member: Bytes): number | undefined {
    const id = this.dict.get(member);
    return id === undefined ? undefined : this.zsl.rankOf(this.zsl.score(id), member) - 1;
  }

  at(rank: number): [Bytes, number] {
    const id = this.zsl.atRank(rank + 1);
    return [this.zsl.member(id), this.zsl.score(id)];
  }

  /** Visits from node id on, in a direction, up to limit nodes (< 0: all) while `inRange`. */
  private walkFrom(id: number, reverse: boolean, limit: number, inRange: (id: number) => boolean, visit: EntryVisitor): void {
    const zsl = this.zsl;
    for (; id !== 0 && limit !== 0 && inRange(id); limit--) {
      if (visit(zsl.member(id), zsl.score(id)) === false) return;
      id = reverse ? zsl.prev(id) : zsl.next(id);
    }
  }

  walkRank(start: number, reverse: boolean, count: number, visit: EntryVisitor): void {
    const id = this.zsl.atRank(reverse ? this.size - start : start + 1);
    this.walkFrom(id, reverse, count, () => true, visit);
  }

  /** The node `offset` steps after id in the walk's direction (a jump by rank), 0 past the end. */
  private skip(id: number, reverse: boolean, offset: number): number {
    if (id === 0 || offset === 0) return id;
    const rank = this.zsl.rankOf(this.zsl.score(id), this.zsl.member(id));
    return this.zsl.atRank(reverse ? rank - offset : rank + offset);
  }

  walkScore(r: ScoreRange, reverse: boolean, offset: number, limit: number, visit: EntryVisitor): void {
    const first = reverse ? this.zsl.lastInScoreRange(r) : this.zsl.firstInScoreRange(r);
    const inRange = reverse
      ? (id: number) => scoreGteMin(this.zsl.score(id), r)
      : (id: number) => scoreLteMax(this.zsl.score(id), r);
    this.walkFrom(this.skip(first, reverse, offset), reverse, limit, inRange, visit);
  }

  walkLex(r: LexRange, reverse: boolean, offset: number, limit: number, visit: EntryVisitor): void {
    const first = reverse ? this.zsl.lastInLexRange(r) : this.zsl.firstInLexRange(r);
    const inRange = reverse
      ? (id: number) => lexGteMin(this.zsl.member(id), r)
      : (id: number) => lexLteMax(this.zsl.member(id), r);
    this.walkFrom(this.skip(first, reverse, offset), reverse, limit, inRange, visit);
  }

  /** Ranks of the first and last node found, as Redis counts ranges. */
  private span(first: number, last: number): number {
    if (first === 0 || last === 0) return 0;
    const zsl = this.zsl;
    return zsl.rankOf(zsl.score(last), zsl.member(last)) - zsl.rankOf(zsl.score(first), zsl.member(first)) + 1;
  }

  countScore(r: ScoreRange): number {
    return this.span(this.zsl.firstInScoreRange(r), this.zsl.lastInScoreRange(r));
  }

  countLex(r: LexRange): number {
    return this.span(this.zsl.firstInLexRange(r), this.zsl.lastInLexRange(r));
  }

  private readonly forget = (member: Bytes): void => {
    this.dict.delete(member);
    this.shape.removed();
    this.strings -= stringBytes(member.length);
  };

  deleteRanks(start: number, end: number): number {
    return this.zsl.deleteRankRange(start + 1, end + 1, this.forget);
  }

  deleteScore(r: ScoreRange): number {
    return this.zsl.deleteScoreRange(r, this.forget);
  }

  deleteLex(r: LexRange): number {
    return this.zsl.deleteLexRange(r, this.forget);
  }

  copy(): SkiplistZset {
    const c = new SkiplistZset(this.zsl.clone(), new Map(this.dict));
    for (let i = 0; i < this.dict.size; i++) c.shape.added();
    c.strings = this.strings;
    return c;
  }
}

// ---- the zset value ----

/** A SortedSet object: enc, random, bytes, owner, stores. */
const OBJECT_BYTES = objectBytes(5);

export class SortedSet extends AccountedValue {
  private enc: ZsetEncoding;

  /** `random` draws skiplist levels (tests inject a seeded one). */
  constructor(private readonly random: RandomSource = Math.random) {
    super();
    this.enc = new ListpackZset();
    this.sync();
  }

  /** Charges the change of the encoding's size since the last call (after every mutator). */
  private sync(): void {
    this.charge(OBJECT_BYTES + this.enc.bytes - this.bytes);
  }

  /**
   * A set holding these entries (members distinct), encoded as their content calls for: a
   * listpack when there are at most zset-max-listpack-entries of them and no member is longer
   * than zset-max-listpack-value, else a skiplist. (Redis 7.0's result of ZUNIONSTORE,
   * ZINTERSTORE, ZDIFFSTORE and ZRANGESTORE.)
   */
  static fromEntries(entries: Iterable<readonly [Bytes, number]>, limits: ZsetLimits, random?: RandomSource): SortedSet {
    const list = [...entries];
    list.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const z = new SortedSet(random);
    const fits =
      list.length <= limits.zsetMaxListpackEntries && list.every(([m]) => m.length <= limits.zsetMaxListpackValue);
    if (fits) {
      z.enc = new ListpackZset(list.map(([m]) => m), list.map(([, s]) => listpackScore(s)));
    } else {
      const zs = new SkiplistZset(new Skiplist(z.random, list.length));
      for (const [m, s] of list) zs.add(m, s);
      z.enc = zs;
    }
    z.sync();
    return z;
  }

  /** TYPE's answer (a prototype getter, so it costs no slot per set). */
  get type(): 'zset' {
    return 'zset';
  }

  /** OBJECT ENCODING. */
  encoding(): 'listpack' | 'skiplist' {
    return this.enc.name;
  }

  /** An independent deep copy with the same encoding (COPY). */
  copy(): SortedSet {
    const z = new SortedSet(this.random);
    z.enc = this.enc.copy();
    z.sync();
    return z;
  }

  /** ZCARD. */
  get size(): number {
    return this.enc.size;
  }

  /** The member's score, undefined if absent. */
  score(member: Bytes): number | undefined {
    return this.enc.score(member);
  }

  /**
   * Adds a member that is not present, converting to a skiplist first when the listpack would
   * outgrow the limits.
   */
  insert(member: Bytes, score: number, limits: ZsetLimits): void {
    if (
      this.enc instanceof ListpackZset &&
      (this.enc.size + 1 > limits.zsetMaxListpackEntries || member.length > limits.zsetMaxListpackValue)
    ) {
      this.toSkiplist();
    }
    this.enc.add(member, score);
    this.sync();
  }

  /** Gives a present member a new score. */
  update(member: Bytes, score: number): void {
    this.enc.rescore(member, score);
    this.sync();
  }

  /** Removes a member; false if absent. */
  remove(member: Bytes): boolean {
    const removed = this.enc.remove(member);
    this.sync();
    return removed;
  }

  /** The member's 0-based rank in ascending order, undefined if absent. */
  rank(member: Bytes): number | undefined {
    return this.enc.rank(member);
  }

  /** The entry at a 0-based ascending rank (0 ≤ rank < size). */
  at(rank: number): [Bytes, number] {
    return this.enc.at(rank);
  }

  /** Visits `count` entries from rank `start` (counted from the highest when reverse). */
  walkRank(start: number, reverse: boolean, count: number, visit: EntryVisitor): void {
    if (count > 0) this.enc.walkRank(start, reverse, count, visit);
  }

  /** Visits the entries in a score range (skipping `offset`, at most `limit`, < 0: all). */
  walkScore(r: ScoreRange, reverse: boolean, offset: number, limit: number, visit: EntryVisitor): void {
    this.enc.walkScore(r, reverse, offset, limit, visit);
  }

  /** Visits the entries in a lex range (skipping `offset`, at most `limit`, < 0: all). */
  walkLex(r: LexRange, reverse: boolean, offset: number, limit: number, visit: EntryVisitor): void {
    this.enc.walkLex(r, reverse, offset, limit, visit);
  }

  /** ZCOUNT. */
  countScore(r: ScoreRange): number {
    return this.enc.countScore(r);
  }

  /** ZLEXCOUNT. */
  countLex(r: LexRange): number {
    return this.enc.countLex(r);
  }

  /** Removes ranks start..end (0-based, inclusive, valid); returns how many. */
  deleteRanks(start: number, end: number): number {
    const n = this.enc.deleteRanks(start, end);
    this.sync();
    return n;
  }

  /** ZREMRANGEBYSCORE; returns how many were removed. */
  deleteScore(r: ScoreRange): number {
    const n = this.enc.deleteScore(r);
    this.sync();
    return n;
  }

  /** ZREMRANGEBYLEX; returns how many were removed. */
  deleteLex(r: LexRange): number {
    const n = this.enc.deleteLex(r);
    this.sync();
    return n;
  }

  /**
   * Removes and returns up to `count` entries from the low end (or the high end when `max`),
   * in the order they were taken (ZPOPMIN / ZPOPMAX).
   */
  pop(count: number, max: boolean): [Bytes, number][] {
    const n = Math.min(count, this.size);
    const out: [Bytes, number][] = [];
    if (n <= 0) return out;
    this.enc.walkRank(0, max, n, (m, s) => void out.push([m, s]));
    if (max) this.deleteRanks(this.size - n, this.size - 1);
    else this.deleteRanks(0, n - 1);
    return out;
  }

  /** A uniformly random entry (the set must not be empty). */
  randomEntry(random: RandomSource): [Bytes, number] {
    return this.enc.at(Math.floor(random() * this.size));
  }

  /**
   * `count` distinct random entries (0 < count < size), in random order: a partial shuffle of
   * all ranks when count is a large share of the set, else rejection of repeated draws.
   */
  sample(count: number, random: RandomSource): [Bytes, number][] {
    const n = this.size;
    const ranks: number[] = [];
    if (count * 3 > n) {
      const all = Array.from({ length: n }, (_, i) => i);
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(random() * (n - i));
        [all[i], all[j]] = [all[j]!, all[i]!];
        ranks.push(all[i]!);
      }
    } else {
      const seen = new Set<number>();
      while (ranks.length < count) {
        const r = Math.floor(random() * n);
        if (seen.has(r)) continue;
        seen.add(r);
        ranks.push(r);
      }
    }
    return ranks.map((r) => this.enc.at(r));
  }

  /** All entries in ascending order. */
  entries(): [Bytes, number][] {
    const out: [Bytes, number][] = [];
    this.enc.walkRank(0, false, this.size, (m, s) => void out.push([m, s]));
    return out;
  }

  /** The members in ascending order (SORT's input). */
  membersInOrder(): Bytes[] {
    const out: Bytes[] = [];
    this.enc.walkRank(0, false, this.size, (m) => void out.push(m));
    return out;
  }

  /**
   * For ZSCAN on a skiplist: the member Map, whose live key iterator a cursor keeps (a member
   * present from the first call to the last is returned exactly once). Undefined for a listpack,
   * which ZSCAN returns whole.
   */
  scanDict(): Map<Bytes, number> | undefined {
    return this.enc instanceof SkiplistZset ? this.enc.dict : undefined;
  }

  private toSkiplist(): void {
    const lp = this.enc as ListpackZset;
    const zs = new SkiplistZset(new Skiplist(this.random, 2 * lp.size + 2));
    for (let i = 0; i < lp.size; i++) zs.add(lp.members[i]!, lp.scores[i]!);
    this.enc = zs;
    this.sync();
  }
}
