/**
 * SortedSet: the value of a zset key, in Redis 7.0's two encodings.
 *
 * - "listpack" (small sets): two flat arrays, members and scores, kept sorted by (score, member
 *   bytes) — the order Redis's listpack holds them in, so replies come out in exactly Redis's
 *   order, and a small set costs two arrays. Member lookups scan, as in a listpack; sets stay
 *   small (zset-max-listpack-entries, default 128).
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
 */
import type { Bytes } from '../keyspace/bytes.js';
import {
  Skiplist,
  lexGteMin,
  lexLteMax,
  lexRangeNonEmpty,
  scoreGteMin,
  scoreLteMax,
  scoreRangeNonEmpty,
  type LexRange,
  type RandomSource,
  type ScoreRange,
} from './skiplist.js';

export type { LexRange, ScoreRange, RandomSource } from './skiplist.js';

/** The two thresholds that decide the encoding (the server's encodingLimits fit this shape). */
export interface ZsetLimits {
  readonly zsetMaxListpackEntries: number;
  readonly zsetMaxListpackValue: number;
}

/** Receives entries in order; returning false stops the walk. */
export type EntryVisitor = (member: Bytes, score: number) => boolean | void;

/** What each encoding provides. Ranks are 0-based in ascending order unless said otherwise. */
interface ZsetEncoding {
  readonly name: 'listpack' | 'skiplist';
  readonly size: number;
  score(member: Bytes): number | undefined;
  /** Adds a member that is not present. */
  add(member: Bytes, score: number): void;
  /** Changes the score of a present member. */
  rescore(member: Bytes, score: number): void;
  remove(member: Bytes): boolean;
  rank(member: Bytes): number | undefined;
  /** The entry at a rank (0 ≤ rank < size). */
  at(rank: number): [Bytes, number];
  /** Visits `count` entries from `start` (counted from the end when reverse), in that direction. */
  walkRank(start: number, reverse: boolean, count: number, visit: EntryVisitor): void;
  /**
   * Visits the entries in a score or lex range: from its first entry in the walk's direction,
   * `offset` entries are skipped, then up to `limit` (< 0: no limit) are visited while in range.
   */
  walkScore(r: ScoreRange, reverse: boolean, offset: number, limit: number, visit: EntryVisitor): void;
  walkLex(r: LexRange, reverse: boolean, offset: number, limit: number, visit: EntryVisitor): void;
  countScore(r: ScoreRange): number;
  countLex(r: LexRange): number;
  /** Removes the entries at ranks start..end (inclusive, valid). */
  deleteRanks(start: number, end: number): number;
  deleteScore(r: ScoreRange): number;
  deleteLex(r: LexRange): number;
  copy(): ZsetEncoding;
}

// ---- listpack encoding ----

/** +0 for -0, as a listpack's text form of a score does. */
function listpackScore(score: number): number {
  return score === 0 ? 0 : score;
}

class ListpackZset implements ZsetEncoding {
  readonly name = 'listpack';

  constructor(
    /** Members in (score, member) order. */
    public members: Bytes[] = [],
    /** Their scores, same positions. */
    public scores: number[] = [],
  ) {}

  get size(): number {
    return this.members.length;
  }

  score(member: Bytes): number | undefined {
    const i = this.members.indexOf(member);
    return i < 0 ? undefined : this.scores[i];
  }

  /** Where (score, member) goes: the first position whose entry sorts after it. */
  private position(score: number, member: Bytes): number {
    let lo = 0;
    let hi = this.members.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.scores[mid]!;
      if (s < score || (s === score && this.members[mid]! < member)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(member: Bytes, score: number): void {
    score = listpackScore(score);
    const i = this.position(score, member);
    this.members.splice(i, 0, member);
    this.scores.splice(i, 0, score);
  }

  rescore(member: Bytes, score: number): void {
    this.remove(member);
    this.add(member, score);
  }

  remove(member: Bytes): boolean {
    const i = this.members.indexOf(member);
    if (i < 0) return false;
    this.members.splice(i, 1);
    this.scores.splice(i, 1);
    return true;
  }

  rank(member: Bytes): number | undefined {
    const i = this.members.indexOf(member);
    return i < 0 ? undefined : i;
  }

  at(rank: number): [Bytes, number] {
    return [this.members[rank]!, this.scores[rank]!];
  }

  walkRank(start: number, reverse: boolean, count: number, visit: EntryVisitor): void {
    const n = this.members.length;
    for (let k = 0; k < count; k++) {
      const i = reverse ? n - 1 - start - k : start + k;
      if (visit(this.members[i]!, this.scores[i]!) === false) return;
    }
  }

  /**
   * The listpack walk Redis does. Nothing when the range is empty or does not reach the set
   * (its last entry below the low bound, or its first above the high bound — tests that assume
   * the set is ordered by the range's key, as a lex range over mixed scores is not). Otherwise
   * from the first entry in the walk's direction that passes the near bound: skip `offset`, then
   * visit while the far bound holds.
   */
  private walkWhere(
    nonEmpty: boolean,
    gte: (i: number) => boolean,
    lte: (i: number) => boolean,
    reverse: boolean,
    offset: number,
    limit: number,
    visit: EntryVisitor,
  ): void {
    const n = this.members.length;
    if (!nonEmpty || n === 0 || !gte(n - 1) || !lte(0)) return;
    const near = reverse ? lte : gte;
    const far = reverse ? gte : lte;
    const step = reverse ? -1 : 1;
    let i = reverse ? n - 1 : 0;
    while (i >= 0 && i < n && !near(i)) i += step;
    if (i < 0 || i >= n || !far(i)) return;
    i += step * offset;
    for (; i >= 0 && i < n && limit !== 0 && far(i); i += step, limit--) {
      if (visit(this.members[i]!, this.scores[i]!) === false) return;
    }
  }

  walkScore(r: ScoreRange, reverse: boolean, offset: number, limit: number, visit: EntryVisitor): void {
    const gte = (i: number) => scoreGteMin(this.scores[i]!, r);
    const lte = (i: number) => scoreLteMax(this.scores[i]!, r);
    this.walkWhere(scoreRangeNonEmpty(r), gte, lte, reverse, offset, limit, visit);
  }

  walkLex(r: LexRange, reverse: boolean, offset: number, limit: number, visit: EntryVisitor): void {
    const gte = (i: number) => lexGteMin(this.members[i]!, r);
    const lte = (i: number) => lexLteMax(this.members[i]!, r);
    this.walkWhere(lexRangeNonEmpty(r), gte, lte, reverse, offset, limit, visit);
  }

  countScore(r: ScoreRange): number {
    let n = 0;
    this.walkScore(r, false, 0, -1, () => void n++);
    return n;
  }

  countLex(r: LexRange): number {
    let n = 0;
    this.walkLex(r, false, 0, -1, () => void n++);
    return n;
  }

  deleteRanks(start: number, end: number): number {
    this.members.splice(start, end - start + 1);
    this.scores.splice(start, end - start + 1);
    return end - start + 1;
  }

  /** Deletes the run that a forward walk of the range would visit. */
  private deleteRun(first: number, count: number): number {
    return count === 0 ? 0 : this.deleteRanks(first, first + count - 1);
  }

  deleteScore(r: ScoreRange): number {
    let first = -1;
    let count = 0;
    this.walkScore(r, false, 0, -1, (m) => {
      if (first < 0) first = this.members.indexOf(m);
      count++;
    });
    return this.deleteRun(first, count);
  }

  deleteLex(r: LexRange): number {
    let first = -1;
    let count = 0;
    this.walkLex(r, false, 0, -1, (m) => {
      if (first < 0) first = this.members.indexOf(m);
      count++;
    });
    return this.deleteRun(first, count);
  }

  copy(): ListpackZset {
    return new ListpackZset(this.members.slice(), this.scores.slice());
  }

  /**
   * Gives the arrays exactly the room they use: V8 grows an array by half again plus 16 slots,
   * which for a small set is more than the set itself.
   */
  trim(): void {
    this.members = this.members.slice();
    this.scores = this.scores.slice();
  }
}

// ---- skiplist encoding ----

class SkiplistZset implements ZsetEncoding {
  readonly name = 'skiplist';

  constructor(
    readonly zsl: Skiplist,
    /** member → its node in zsl. */
    readonly dict: Map<Bytes, number> = new Map(),
  ) {}

  get size(): number {
    return this.dict.size;
  }

  score(member: Bytes): number | undefined {
    const id = this.dict.get(member);
    return id === undefined ? undefined : this.zsl.score(id);
  }

  add(member: Bytes, score: number): void {
    this.dict.set(member, this.zsl.insert(score, member));
  }

  rescore(member: Bytes, score: number): void {
    this.zsl.updateScore(this.dict.get(member)!, score);
  }

  remove(member: Bytes): boolean {
    const id = this.dict.get(member);
    if (id === undefined) return false;
    this.zsl.delete(this.zsl.score(id), member);
    this.dict.delete(member);
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
    return new SkiplistZset(this.zsl.clone(), new Map(this.dict));
  }
}

// ---- the zset value ----

export class SortedSet {
  private enc: ZsetEncoding;

  /** `random` draws skiplist levels (tests inject a seeded one). */
  constructor(private readonly random: RandomSource = Math.random) {
    this.enc = new ListpackZset();
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
  }

  /**
   * Ends a write that added members: a listpack's arrays are cut to their size (see
   * ListpackZset.trim), so that small sets, the common case, cost as little as they can.
   */
  trim(): void {
    if (this.enc instanceof ListpackZset) this.enc.trim();
  }

  /** Gives a present member a new score. */
  update(member: Bytes, score: number): void {
    this.enc.rescore(member, score);
  }

  /** Removes a member; false if absent. */
  remove(member: Bytes): boolean {
    return this.enc.remove(member);
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
    return this.enc.deleteRanks(start, end);
  }

  /** ZREMRANGEBYSCORE; returns how many were removed. */
  deleteScore(r: ScoreRange): number {
    return this.enc.deleteScore(r);
  }

  /** ZREMRANGEBYLEX; returns how many were removed. */
  deleteLex(r: LexRange): number {
    return this.enc.deleteLex(r);
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
    if (max) this.enc.deleteRanks(this.size - n, this.size - 1);
    else this.enc.deleteRanks(0, n - 1);
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
  }
}
