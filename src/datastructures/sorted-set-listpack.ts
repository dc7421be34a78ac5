/**
 * The listpack encoding of a sorted set (SortedSet, sorted-set.ts), and the interface both
 * encodings implement: two flat arrays, members and scores, kept sorted by (score, member bytes)
 * as Redis's listpack holds them; member lookups scan, as in a listpack. The arrays are replaced by
 * new ones of exactly their length on every insertion or deletion (Redis reallocs its listpack the
 * same way), so their size is known and small sets cost as little as they can.
 * Mirrors redis t_zset.c's zzl* functions; knows nothing of the server.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { arrayBytes, insertedAt, insertedNumberAt, objectBytes, removedAt, removedNumbersAt, stringBytes } from './heap-layout.js';
import {
  lexGteMin,
  lexLteMax,
  lexRangeNonEmpty,
  scoreGteMin,
  scoreLteMax,
  scoreRangeNonEmpty,
  type LexRange,
  type ScoreRange,
} from './skiplist.js';

/** Receives entries in order; returning false stops the walk. */
export type EntryVisitor = (member: Bytes, score: number) => boolean | void;

/** What each encoding provides. Ranks are 0-based in ascending order unless said otherwise. */
export interface ZsetEncoding {
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
  /** The heap the encoding takes, members' strings included: O(1). */
  readonly bytes: number;
}

/** +0 for -0, as a listpack's text form of a score does. */
export function listpackScore(score: number): number {
  return score === 0 ? 0 : score;
}

export class ListpackZset implements ZsetEncoding {
  readonly name = 'listpack';

  /** The bytes of the members' strings. */
  private strings = 0;

  constructor(
    /** Members in (score, member) order; the arrays are always exactly their length. */
    public members: Bytes[] = [],
    /** Their scores, same positions. */
    public scores: number[] = [],
  ) {
    for (const m of members) this.strings += stringBytes(m.length);
  }

  get bytes(): number {
    return objectBytes(4) + arrayBytes(this.members.length) + arrayBytes(this.scores.length) + this.strings;
  }

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
    // New arrays of exactly the new length, as Redis reallocs its listpack: splice() would leave
    // up to half the store spare, more than a small set itself.
    this.members = insertedAt(this.members, i, member);
    this.scores = insertedNumberAt(this.scores, i, score);
    this.strings += stringBytes(member.length);
  }

  rescore(member: Bytes, score: number): void {
    this.remove(member);
    this.add(member, score);
  }

  remove(member: Bytes): boolean {
    const i = this.members.indexOf(member);
    if (i < 0) return false;
    this.deleteRanks(i, i);
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
    for (let i = start; i <= end; i++) this.strings -= stringBytes(this.members[i]!.length);
    this.members = removedAt(this.members, start, end - start + 1);
    this.scores = removedNumbersAt(this.scores, start, end - start + 1);
    return end - start + 1;
  }

  /** Deletes the run that a forward walk (walkScore / walkLex of a range) visits. */
  private deleteWalked(walk: (visit: EntryVisitor) => void): number {
    let first = -1;
    let count = 0;
    walk((m) => {
      if (first < 0) first = this.members.indexOf(m);
      count++;
    });
    return count === 0 ? 0 : this.deleteRanks(first, first + count - 1);
  }

  deleteScore(r: ScoreRange): number {
    return this.deleteWalked((visit) => this.walkScore(r, false, 0, -1, visit));
  }

  deleteLex(r: LexRange): number {
    return this.deleteWalked((visit) => this.walkLex(r, false, 0, -1, visit));
  }

  copy(): ListpackZset {
    return new ListpackZset(this.members.slice(), this.scores.slice());
  }
}
