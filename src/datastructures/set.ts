/**
 * RedisSet: the value of a set key, in Redis 7.0's two encodings.
 *
 * - "intset": while every member is a canonical int64 text and there are at most
 *   set-max-intset-entries of them, the members are one flat array of their texts in ascending
 *   numeric order (Redis's intset is a sorted array of integers). Lookups are binary searches
 *   comparing the texts numerically (sign, length, then characters: no BigInt, no parsing), and
 *   replies come out ascending, exactly as Redis's.
 * - "hashtable": a DenseSet (dense-dict.ts), with O(1) uniform random access for SPOP and
 *   SRANDMEMBER.
 *
 * Conversion is one-way, as in Redis: the first non-integer member, or a member beyond the
 * limit, turns the intset into a hashtable, and removals never turn it back.
 * Memory: `bytes` (AccountedValue) is this object, the intset array (kept exactly its length) or
 * the DenseSet (which counts itself), and the members' strings; every mutator charges its change.
 *
 * Mirrors redis t_set.c's setType* API and intset.c; knows nothing of the server or the protocol.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { DenseSet } from './dense-dict.js';
import { AccountedValue, arrayBytes, insertedAt, objectBytes, removedAt, stringBytes, WORD } from './heap-layout.js';

/** This object: type, ints, table, bytes, owner, stores. */
const OBJECT_BYTES = objectBytes(6);

/** A uniform random number in [0, 1) (Math.random, or a seeded one in tests). */
export type RandomSource = () => number;

// ---- Canonical int64 texts (the members an intset can hold) ----

const INT64_MAX_DIGITS = '9223372036854775807';
const INT64_MIN_DIGITS = '9223372036854775808';

/**
 * Can an intset hold this member? True for the canonical text of an int64, as Redis's
 * string2ll accepts it: an optional '-', digits without leading zeros ("0" itself, but not "-0"
 * or "01"), no '+' or spaces, within [-2^63, 2^63-1].
 */
export function isIntsetMember(s: Bytes): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  const neg = s.charCodeAt(0) === 45; /* - */
  const start = neg ? 1 : 0;
  if (start === n) return false;
  if (s.charCodeAt(start) === 48 /* 0 */) return n === 1;
  for (let i = start; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const digits = n - start;
  if (digits !== 19) return digits < 19;
  // Same length, all digits: string order is numeric order.
  return s.slice(start) <= (neg ? INT64_MIN_DIGITS : INT64_MAX_DIGITS);
}

/** Numeric order of two canonical int64 texts: < 0, 0 or > 0. */
function compareInts(a: Bytes, b: Bytes): number {
  const aNeg = a.charCodeAt(0) === 45;
  const bNeg = b.charCodeAt(0) === 45;
  if (aNeg !== bNeg) return aNeg ? -1 : 1;
  // Same sign: more digits is further from zero; equal lengths compare character by character.
  const magnitude = a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  return aNeg ? -magnitude : magnitude;
}

/** Binary search in an ascending intset: the index of `m`, or -(insertion point) - 1. */
function searchInts(ints: readonly Bytes[], m: Bytes): number {
  let lo = 0;
  let hi = ints.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareInts(ints[mid]!, m);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/**
 * `count` distinct uniformly random integers in [0, n), count ≤ n (Floyd's sampling: O(count)
 * whatever n is).
 */
function distinctSlots(n: number, count: number, random: RandomSource): number[] {
  const chosen = new Set<number>();
  for (let j = n - count; j < n; j++) {
    const t = Math.floor(random() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen];
}

// ---- The set value ----

export class RedisSet extends AccountedValue {
  readonly type = 'set' as const;
  /** The intset encoding: canonical int64 texts, ascending. null once converted. */
  private ints: Bytes[] | null;
  /** The hashtable encoding; null while the set is an intset. */
  private table: DenseSet | null;

  /** An empty set, in the intset encoding (Redis creates intsets until a member says otherwise). */
  constructor() {
    super();
    this.ints = [];
    this.table = null;
    this.charge(OBJECT_BYTES + arrayBytes(0));
  }

  /**
   * A new set of these members, encoded as adding them one by one makes it: an intset if all are
   * integers and few enough. Redis builds its result sets this way (SUNION, SINTERSTORE...).
   */
  static of(members: Iterable<Bytes>, maxIntsetEntries: number): RedisSet {
    const s = new RedisSet();
    for (const m of members) s.add(m, maxIntsetEntries);
    return s;
  }

  /** OBJECT ENCODING: "intset" or "hashtable". */
  encoding(): 'intset' | 'hashtable' {
    return this.ints !== null ? 'intset' : 'hashtable';
  }

  get size(): number {
    return this.ints !== null ? this.ints.length : this.table!.size;
  }

  has(member: Bytes): boolean {
    if (this.ints !== null) return isIntsetMember(member) && searchInts(this.ints, member) >= 0;
    return this.table!.has(member);
  }

  /**
   * Adds a member; true if it is new. An intset becomes a hashtable when the member is not an
   * integer, or when it grows past `maxIntsetEntries` (set-max-intset-entries).
   */
  add(member: Bytes, maxIntsetEntries: number): boolean {
    const ints = this.ints;
    if (ints !== null) {
      if (isIntsetMember(member)) {
        const i = searchInts(ints, member);
        if (i >= 0) return false;
        // A new array of exactly the new length (Redis reallocs its intset the same way).
        this.ints = insertedAt(ints, -i - 1, member);
        this.charge(WORD + (ints.length === 0 ? 16 : 0) + stringBytes(member.length));
        if (this.ints.length > maxIntsetEntries) this.toHashtable();
        return true;
      }
      this.toHashtable();
    }
    const table = this.table!;
    const before = table.bytes;
    const added = table.add(member);
    this.charge(table.bytes - before);
    return added;
  }

  /** Removes a member; true if it was there. The encoding stays as it is. */
  delete(member: Bytes): boolean {
    const ints = this.ints;
    if (ints !== null) {
      if (!isIntsetMember(member)) return false;
      const i = searchInts(ints, member);
      if (i < 0) return false;
      this.ints = removedAt(ints, i, 1);
      this.charge(arrayBytes(ints.length - 1) - arrayBytes(ints.length) - stringBytes(member.length));
      return true;
    }
    const table = this.table!;
    const before = table.bytes;
    const removed = table.delete(member);
    this.charge(table.bytes - before);
    return removed;
  }

  /** Every member, in the encoding's order: ascending for an intset. */
  members(): IterableIterator<Bytes> {
    return this.ints !== null ? this.ints.values() : this.table!.values();
  }

  /**
   * The hashtable behind the set, or undefined for an intset. SSCAN keeps live iterators over
   * it; since conversion is one-way it stays the same object for the value's life.
   */
  hashtable(): DenseSet | undefined {
    return this.table ?? undefined;
  }

  /** A uniformly random member; the set must not be empty. */
  randomMember(random: RandomSource): Bytes {
    const slot = Math.floor(random() * this.size);
    return this.ints !== null ? this.ints[slot]! : this.table!.at(slot);
  }

  /** `count` distinct random members, 0 < count < size (SRANDMEMBER with a positive count). */
  sample(count: number, random: RandomSource): Bytes[] {
    const slots = distinctSlots(this.size, count, random);
    const ints = this.ints;
    if (ints !== null) return slots.map((s) => ints[s]!);
    const table = this.table!;
    return slots.map((s) => table.at(s));
  }

  /** Removes and returns `count` distinct random members, 0 < count < size (SPOP with a count). */
  pop(count: number, random: RandomSource): Bytes[] {
    const ints = this.ints;
    if (ints === null) {
      // Each step takes a uniform slot among those left; the table fills the hole at once.
      const table = this.table!;
      const before = table.bytes;
      const out: Bytes[] = [];
      for (let i = 0; i < count; i++) {
        const m = table.at(Math.floor(random() * table.size));
        table.delete(m);
        out.push(m);
      }
      this.charge(table.bytes - before);
      return out;
    }
    // One pass over the array rather than a splice per member.
    const slots = distinctSlots(ints.length, count, random);
    const taken = new Uint8Array(ints.length);
    for (const s of slots) taken[s] = 1;
    const out = slots.map((s) => ints[s]!);
    const kept: Bytes[] = [];
    let strings = 0;
    for (let r = 0; r < ints.length; r++) {
      if (taken[r] === 0) kept.push(ints[r]!);
      else strings += stringBytes(ints[r]!.length);
    }
    this.ints = kept.slice();
    this.charge(arrayBytes(kept.length) - arrayBytes(ints.length) - strings);
    return out;
  }

  /** An independent copy in the same encoding (COPY). */
  copy(): RedisSet {
    const c = new RedisSet();
    if (this.ints !== null) {
      c.ints = this.ints.slice();
    } else {
      c.ints = null;
      c.table = new DenseSet();
      for (const m of this.table!.values()) c.table.add(m);
    }
    c.charge(OBJECT_BYTES + (c.table === null ? arrayBytes(c.ints!.length) : c.table.bytes) - c.bytes);
    if (c.ints !== null) for (const m of c.ints) c.charge(stringBytes(m.length));
    return c;
  }

  /** Converts to the hashtable encoding (Redis setTypeConvert); never the other way. */
  private toHashtable(): void {
    const ints = this.ints!;
    const table = new DenseSet();
    let strings = 0;
    for (const m of ints) {
      table.add(m);
      strings += stringBytes(m.length);
    }
    this.table = table;
    this.ints = null;
    this.charge(table.bytes - arrayBytes(ints.length) - strings);
  }
}
