/**
 * Skiplist: the ordered index of a large sorted set. A Pugh skiplist ordered by (score, member
 * bytes), with a span on every forward link so that a node's rank, and the node at a rank, are
 * found in O(log n); a backward link on level 0 for reverse walks. MAX_LEVEL 32, P 0.25, and an
 * injectable random source so tests are deterministic. Plays the part of redis t_zset.c's zsl*
 * functions (the algorithm as described in the header comment of that file); knows nothing of the
 * server.
 *
 * Layout — why it is not one object per node: a million JavaScript node objects, each with a
 * boxed double and a small array of links, would cost ~200 bytes per member and give the garbage
 * collector a million objects to trace. Here every node is a record in one pool (an ArrayBuffer
 * seen as a Float64Array and an Int32Array), and a node's id is its record's word offset:
 *
 *   [score: 2 words][back][level][member slot][forward 0][forward 1][span 1][forward 2][span 2]...
 *
 * so a level-1 node (three quarters of them) takes 24 bytes, and the score and links a search
 * reads are next to each other, as in Redis's node struct (one cache miss per step, not three).
 * Members live in a plain array (strings cannot live in the pool), indexed by the record's slot.
 * Freed records are recycled by level, freed slots through a stack. A level-0 span is always 1
 * and is not stored.
 *
 * Id 0 is the header's record (level MAX_LEVEL, no score or member); 0 also means "no node" in
 * forward and backward links, since no link ever points back to the header.
 *
 * Span convention: a link's span is the number of steps along level 0 it covers; a link with no
 * forward node has span (length - rank of its node), so that insertion and deletion can adjust
 * every span with the same arithmetic whether or not the link ends in a node.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { ARRAY_BUFFER, arrayBytes, objectBytes, pushedCapacity, TYPED_ARRAY_VIEW } from './heap-layout.js';

/** Redis's ZSKIPLIST_MAXLEVEL. */
export const MAX_LEVEL = 32;
/** Redis's ZSKIPLIST_P: the chance that a node reaches the next level. */
export const P = 0.25;

/** A random number in [0, 1). */
export type RandomSource = () => number;

/** A score interval (ZRANGEBYSCORE min max, where "(" makes a bound exclusive). */
export interface ScoreRange {
  min: number;
  max: number;
  minExclusive: boolean;
  maxExclusive: boolean;
}

/**
 * A lexicographic interval (ZRANGEBYLEX): each bound is a member ("[a" inclusive, "(a"
 * exclusive) or an edge: -1 for "-" (below everything), +1 for "+" (above everything).
 */
export interface LexRange {
  min: Bytes;
  max: Bytes;
  minExclusive: boolean;
  maxExclusive: boolean;
  /** -1: "-", +1: "+", 0: the bound is `min`. */
  minEdge: -1 | 0 | 1;
  /** -1: "-", +1: "+", 0: the bound is `max`. */
  maxEdge: -1 | 0 | 1;
}

/** Is the score at or above the range's lower bound? */
export function scoreGteMin(score: number, r: ScoreRange): boolean {
  return r.minExclusive ? score > r.min : score >= r.min;
}

/** Is the score at or below the range's upper bound? */
export function scoreLteMax(score: number, r: ScoreRange): boolean {
  return r.maxExclusive ? score < r.max : score <= r.max;
}

/** Can any score fall in the range? (min > max, or min = max with an exclusive bound: no.) */
export function scoreRangeNonEmpty(r: ScoreRange): boolean {
  return r.min < r.max || (r.min === r.max && !r.minExclusive && !r.maxExclusive);
}

/** Is the member at or above the range's lower bound? */
export function lexGteMin(member: Bytes, r: LexRange): boolean {
  if (r.minEdge !== 0) return r.minEdge < 0;
  return r.minExclusive ? member > r.min : member >= r.min;
}

/** Is the member at or below the range's upper bound? */
export function lexLteMax(member: Bytes, r: LexRange): boolean {
  if (r.maxEdge !== 0) return r.maxEdge > 0;
  return r.maxExclusive ? member < r.max : member <= r.max;
}

/** Can any member fall in the range? ("+" as min or "-" as max, or crossed bounds: no.) */
export function lexRangeNonEmpty(r: LexRange): boolean {
  if (r.minEdge > 0 || r.maxEdge < 0) return false;
  if (r.minEdge < 0 || r.maxEdge > 0) return true;
  return r.min < r.max || (r.min === r.max && !r.minExclusive && !r.maxExclusive);
}

const HEADER = 0;
/** Words (32-bit) of a record before its links: score (2), back, level, slot, level-0 forward. */
const FIXED_WORDS = 6;
const O_BACK = 2;
const O_LEVEL = 3;
const O_SLOT = 4;
const O_FWD0 = 5;
/** The header's record: level MAX_LEVEL. */
const HEADER_WORDS = FIXED_WORDS + 2 * (MAX_LEVEL - 1);

/** A record's size in words for a level, kept even so every score is 8-byte aligned. */
function recordWords(level: number): number {
  return FIXED_WORDS + 2 * (level - 1);
}

export class Skiplist {
  /** Node count (the header not included). */
  private len = 0;
  /** Highest level in use (1 when empty). */
  private level = 1;
  /** The last node, 0 when empty. */
  private tail = 0;

  /** The record pool, viewed as doubles (scores) and as 32-bit integers (everything else). */
  private f64: Float64Array;
  private i32: Int32Array;
  /** First never-used word of the pool. */
  private top = HEADER_WORDS;
  /** Heads of the freed records, by level (linked through their level-0 forward word). */
  private readonly freeByLevel = new Int32Array(MAX_LEVEL + 1);
  /** Members by slot, and the freed slots. */
  private members: (Bytes | undefined)[] = [];
  private freeSlots: number[] = [];
  /** Backing-store capacity of `members` (grown by push), for `bytes`. */
  private membersCapacity = 0;

  /** Scratch for insert/delete: the last node before the position on each level, and its rank. */
  private readonly update = new Int32Array(MAX_LEVEL);
  private readonly rank = new Float64Array(MAX_LEVEL);

  /** `capacity`: how many nodes to make room for at first (the pool grows by doubling). */
  constructor(
    private readonly random: RandomSource = Math.random,
    capacity = 16,
  ) {
    // An average record is about 6.7 words (a quarter of the nodes have more levels).
    const words = HEADER_WORDS + Math.ceil(Math.max(2, capacity) * 7);
    this.f64 = new Float64Array(Math.ceil(words / 2));
    this.i32 = new Int32Array(this.f64.buffer);
    this.i32[HEADER + O_LEVEL] = MAX_LEVEL;
  }

  /** Number of nodes. */
  get length(): number {
    return this.len;
  }

  /** An independent copy with the same structure (a copy of the pool, no re-insertion). */
  clone(): Skiplist {
    const c = new Skiplist(this.random, 0);
    c.len = this.len;
    c.level = this.level;
    c.tail = this.tail;
    c.f64 = this.f64.slice();
    c.i32 = new Int32Array(c.f64.buffer);
    c.top = this.top;
    c.freeByLevel.set(this.freeByLevel);
    c.members = this.members.slice();
    c.membersCapacity = c.members.length;
    c.freeSlots = this.freeSlots.slice();
    return c;
  }

  /**
   * The heap this skiplist takes, members' strings excluded (the sorted set counts them): this
   * object, the pool (off V8's heap, in `external`) and its views, the scratch arrays, the
   * members array and the free-slot stack. O(1).
   */
  get bytes(): number {
    return (
      objectBytes(13) +
      // f64 and i32 over the pool's buffer; freeByLevel, update and rank over their own.
      5 * TYPED_ARRAY_VIEW +
      4 * ARRAY_BUFFER +
      this.f64.byteLength +
      (MAX_LEVEL + 1) * 4 +
      MAX_LEVEL * 12 +
      arrayBytes(this.membersCapacity) +
      arrayBytes(this.freeSlots.length)
    );
  }

  // ---- Node fields ----
  // A node is the word offset of its record in the pool (always even, so f64[id >> 1] is its score).

  score(id: number): number {
    return this.f64[id >> 1]!;
  }

  member(id: number): Bytes {
    return this.members[this.i32[id + O_SLOT]!]!;
  }

  /** The first node (lowest score), 0 when empty. */
  first(): number {
    return this.i32[HEADER + O_FWD0]!;
  }

  /** The last node (highest score), 0 when empty. */
  last(): number {
    return this.tail;
  }

  /** The node after id, 0 at the end. */
  next(id: number): number {
    return this.i32[id + O_FWD0]!;
  }

  /** The node before id, 0 at the start. */
  prev(id: number): number {
    return this.i32[id + O_BACK]!;
  }

  // ---- Links and spans per level ----

  private forward(x: number, i: number): number {
    return this.i32[i === 0 ? x + O_FWD0 : x + FIXED_WORDS - 2 + 2 * i]!;
  }

  private setForward(x: number, i: number, to: number): void {
    this.i32[i === 0 ? x + O_FWD0 : x + FIXED_WORDS - 2 + 2 * i] = to;
  }

  private span(x: number, i: number): number {
    return i === 0 ? 1 : this.i32[x + FIXED_WORDS - 1 + 2 * i]!;
  }

  private setSpan(x: number, i: number, n: number): void {
    if (i !== 0) this.i32[x + FIXED_WORDS - 1 + 2 * i] = n;
  }

  // ---- Allocation ----

  private allocNode(level: number, score: number, member: Bytes): number {
    let id = this.freeByLevel[level]!;
    if (id !== 0) {
      this.freeByLevel[level] = this.i32[id + O_FWD0]!;
    } else {
      const words = recordWords(level);
      if (this.top + words > this.i32.length) {
        const grown = new Float64Array(Math.max(this.f64.length * 2, (this.top + words) / 2));
        grown.set(this.f64);
        this.f64 = grown;
        this.i32 = new Int32Array(grown.buffer);
      }
      id = this.top;
      this.top += words;
    }
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.members.length;
      this.members.push(member);
      this.membersCapacity = pushedCapacity(this.membersCapacity, this.members.length);
    } else {
      this.members[slot] = member;
    }
    this.f64[id >> 1] = score;
    this.i32[id + O_LEVEL] = level;
    this.i32[id + O_SLOT] = slot;
    return id;
  }

  private freeNode(id: number): void {
    const level = this.i32[id + O_LEVEL]!;
    const slot = this.i32[id + O_SLOT]!;
    this.members[slot] = undefined;
    this.freeSlots.push(slot);
    this.i32[id + O_FWD0] = this.freeByLevel[level]!;
    this.freeByLevel[level] = id;
  }

  /** 1, then one more level with probability P each time, up to MAX_LEVEL. */
  private randomLevel(): number {
    let level = 1;
    while (level < MAX_LEVEL && this.random() < P) level++;
    return level;
  }

  // ---- Insertion, deletion, score update ----

  /** Does node f sort before (score, member)? */
  private before(f: number, score: number, member: Bytes): boolean {
    const s = this.f64[f >> 1]!;
    return s < score || (s === score && this.member(f) < member);
  }

  /**
   * Fills `update` with the last node before (score, member) on every level in use, and `rank`
   * with those nodes' ranks.
   */
  private findPredecessors(score: number, member: Bytes): void {
    // The hottest loop of inserts and deletes: links and spans are read straight from the pool.
    const { update, rank, i32, f64 } = this;
    let x = HEADER;
    let r = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      const at = i === 0 ? O_FWD0 : FIXED_WORDS - 2 + 2 * i;
      for (let f = i32[x + at]!; f !== 0; f = i32[x + at]!) {
        const s = f64[f >> 1]!;
        if (s > score || (s === score && this.member(f) >= member)) break;
        r += i === 0 ? 1 : i32[x + at + 1]!;
        x = f;
      }
      rank[i] = r;
      update[i] = x;
    }
  }

  /** Links node id (its level already set) at its place, after findPredecessors for its key. */
  private link(id: number): void {
    const { update, rank } = this;
    const level = this.i32[id + O_LEVEL]!;
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = HEADER;
        this.setSpan(HEADER, i, this.len);
      }
      this.level = level;
    }
    const r0 = rank[0]!;
    for (let i = 0; i < level; i++) {
      const u = update[i]!;
      this.setForward(id, i, this.forward(u, i));
      this.setForward(u, i, id);
      this.setSpan(id, i, this.span(u, i) - (r0 - rank[i]!));
      this.setSpan(u, i, r0 - rank[i]! + 1);
    }
    for (let i = level; i < this.level; i++) this.setSpan(update[i]!, i, this.span(update[i]!, i) + 1);
    this.i32[id + O_BACK] = update[0]!;
    const next = this.i32[id + O_FWD0]!;
    if (next !== 0) this.i32[next + O_BACK] = id;
    else this.tail = id;
    this.len++;
  }

  /** Unlinks node id, with `update` holding its predecessors on every level in use. */
  private unlink(id: number): void {
    const update = this.update;
    for (let i = 0; i < this.level; i++) {
      const u = update[i]!;
      if (this.forward(u, i) === id) {
        this.setSpan(u, i, this.span(u, i) + this.span(id, i) - 1);
        this.setForward(u, i, this.forward(id, i));
      } else {
        this.setSpan(u, i, this.span(u, i) - 1);
      }
    }
    const next = this.i32[id + O_FWD0]!;
    if (next !== 0) this.i32[next + O_BACK] = this.i32[id + O_BACK]!;
    else this.tail = this.i32[id + O_BACK]!;
    while (this.level > 1 && this.forward(HEADER, this.level - 1) === 0) this.level--;
    this.len--;
  }

  /** Inserts a member that is not in the list yet; returns its node id. */
  insert(score: number, member: Bytes): number {
    this.findPredecessors(score, member);
    const id = this.allocNode(this.randomLevel(), score, member);
    this.link(id);
    return id;
  }

  /** Removes (score, member); false if no such node. */
  delete(score: number, member: Bytes): boolean {
    this.findPredecessors(score, member);
    const x = this.i32[this.update[0]! + O_FWD0]!;
    if (x === 0 || this.score(x) !== score || this.member(x) !== member) return false;
    this.unlink(x);
    this.freeNode(x);
    return true;
  }

  /**
   * Gives node id a new score. The node keeps its id (and level); it moves only when its
   * neighbours no longer bracket the new score.
   */
  updateScore(id: number, score: number): void {
    const member = this.member(id);
    const prev = this.i32[id + O_BACK]!;
    const next = this.i32[id + O_FWD0]!;
    if ((prev === 0 || this.before(prev, score, member)) && (next === 0 || !this.before(next, score, member))) {
      this.f64[id >> 1] = score;
      return;
    }
    this.findPredecessors(this.score(id), member);
    this.unlink(id);
    this.f64[id >> 1] = score;
    this.findPredecessors(score, member);
    this.link(id);
  }

  // ---- Ranks ----

  /** The 1-based rank of (score, member), 0 if absent. */
  rankOf(score: number, member: Bytes): number {
    const { i32, f64 } = this;
    let x = HEADER;
    let r = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      const at = i === 0 ? O_FWD0 : FIXED_WORDS - 2 + 2 * i;
      for (let f = i32[x + at]!; f !== 0; f = i32[x + at]!) {
        const s = f64[f >> 1]!;
        if (s > score || (s === score && this.member(f) > member)) break;
        r += i === 0 ? 1 : i32[x + at + 1]!;
        x = f;
      }
      if (x !== HEADER && f64[x >> 1] === score && this.member(x) === member) return r;
    }
    return 0;
  }

  /** The node at a 1-based rank, 0 when out of range. */
  atRank(rank: number): number {
    if (rank < 1 || rank > this.len) return 0;
    let x = HEADER;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = this.forward(x, i); f !== 0 && traversed + this.span(x, i) <= rank; f = this.forward(x, i)) {
        traversed += this.span(x, i);
        x = f;
      }
      if (traversed === rank) return x;
    }
    return 0;
  }

  // ---- Score ranges ----

  /** Does the list hold any score in the range? */
  private touchesScoreRange(r: ScoreRange): boolean {
    if (!scoreRangeNonEmpty(r) || this.tail === 0) return false;
    return scoreGteMin(this.score(this.tail), r) && scoreLteMax(this.score(this.next(HEADER)), r);
  }

  /**
   * The descent shared by the score-range searches (reading the pool directly, as rankOf does):
   * the last node whose score is below the range (`below`), or the last one not above it; the
   * header (0) when there is none.
   */
  private lastScoreWhile(r: ScoreRange, below: boolean): number {
    const { i32, f64 } = this;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      const at = i === 0 ? O_FWD0 : FIXED_WORDS - 2 + 2 * i;
      for (let f = i32[x + at]!; f !== 0; f = i32[x + at]!) {
        const s = f64[f >> 1]!;
        if (below ? scoreGteMin(s, r) : !scoreLteMax(s, r)) break;
        x = f;
      }
    }
    return x;
  }

  /** The first node whose score is in the range, 0 if none. */
  firstInScoreRange(r: ScoreRange): number {
    if (!this.touchesScoreRange(r)) return 0;
    const x = this.next(this.lastScoreWhile(r, true));
    return scoreLteMax(this.score(x), r) ? x : 0;
  }

  /** The last node whose score is in the range, 0 if none. */
  lastInScoreRange(r: ScoreRange): number {
    if (!this.touchesScoreRange(r)) return 0;
    const x = this.lastScoreWhile(r, false);
    return scoreGteMin(this.score(x), r) ? x : 0;
  }

  // ---- Lex ranges (meaningful when all scores are equal, as in Redis) ----
  // Over members with different scores the answer depends on which nodes the descent visits,
  // that is on the random levels — in Redis as here, so no two servers need agree there.

  private touchesLexRange(r: LexRange): boolean {
    if (!lexRangeNonEmpty(r) || this.tail === 0) return false;
    return lexGteMin(this.member(this.tail), r) && lexLteMax(this.member(this.next(HEADER)), r);
  }

  /** The first node whose member is in the range, 0 if none. */
  firstInLexRange(r: LexRange): number {
    if (!this.touchesLexRange(r)) return 0;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = this.forward(x, i); f !== 0 && !lexGteMin(this.member(f), r); f = this.forward(x, i)) x = f;
    }
    x = this.next(x);
    return lexLteMax(this.member(x), r) ? x : 0;
  }

  /** The last node whose member is in the range, 0 if none. */
  lastInLexRange(r: LexRange): number {
    if (!this.touchesLexRange(r)) return 0;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = this.forward(x, i); f !== 0 && lexLteMax(this.member(f), r); f = this.forward(x, i)) x = f;
    }
    return lexGteMin(this.member(x), r) ? x : 0;
  }

  // ---- Range deletion ----

  /** Deletes nodes from x on while `keep` says so, with `update` set for x; calls onRemove first. */
  private deleteRun(x: number, inRange: (id: number) => boolean, onRemove: (member: Bytes) => void): number {
    let removed = 0;
    while (x !== 0 && inRange(x)) {
      const next = this.next(x);
      onRemove(this.member(x));
      this.unlink(x);
      this.freeNode(x);
      removed++;
      x = next;
    }
    return removed;
  }

  /** Deletes every node whose score is in the range; onRemove sees each member. Returns the count. */
  deleteScoreRange(r: ScoreRange, onRemove: (member: Bytes) => void): number {
    if (!scoreRangeNonEmpty(r)) return 0;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = this.forward(x, i); f !== 0 && !scoreGteMin(this.score(f), r); f = this.forward(x, i)) x = f;
      this.update[i] = x;
    }
    return this.deleteRun(this.next(x), (id) => scoreLteMax(this.score(id), r), onRemove);
  }

  /** Deletes every node whose member is in the lex range. Returns the count. */
  deleteLexRange(r: LexRange, onRemove: (member: Bytes) => void): number {
    if (!lexRangeNonEmpty(r)) return 0;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = this.forward(x, i); f !== 0 && !lexGteMin(this.member(f), r); f = this.forward(x, i)) x = f;
      this.update[i] = x;
    }
    return this.deleteRun(this.next(x), (id) => lexLteMax(this.member(id), r), onRemove);
  }

  /** Deletes the nodes at 1-based ranks start..end (inclusive, within range). Returns the count. */
  deleteRankRange(start: number, end: number, onRemove: (member: Bytes) => void): number {
    let x = HEADER;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = this.forward(x, i); f !== 0 && traversed + this.span(x, i) < start; f = this.forward(x, i)) {
        traversed += this.span(x, i);
        x = f;
      }
      this.update[i] = x;
    }
    let rank = traversed;
    return this.deleteRun(this.next(x), () => ++rank <= end, onRemove);
  }

  /**
   * Checks every invariant (order, back links, tail, spans against level-0 ranks); returns a
   * description of the first violation, or undefined. For tests.
   */
  check(): string | undefined {
    const rankOf = new Map<number, number>();
    let r = 0;
    let prev = 0;
    for (let x = this.first(); x !== 0; x = this.next(x)) {
      rankOf.set(x, ++r);
      if (this.prev(x) !== prev) return `back link of rank ${r}`;
      if (prev !== 0 && !this.before(prev, this.score(x), this.member(x))) return `order at rank ${r}`;
      prev = x;
    }
    if (r !== this.len) return `length ${this.len} but ${r} nodes`;
    if (this.tail !== prev) return 'tail';
    for (let i = 1; i < this.level; i++) {
      let x = HEADER;
      while (x !== 0) {
        const f = this.forward(x, i);
        const from = x === HEADER ? 0 : rankOf.get(x)!;
        const want = f === 0 ? this.len - from : rankOf.get(f)! - from;
        if (this.span(x, i) !== want) return `span at level ${i} from rank ${from}`;
        x = f;
      }
    }
    if (this.level > 1 && this.forward(HEADER, this.level - 1) === 0) return 'level too high';
    return undefined;
  }
}
