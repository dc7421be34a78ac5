/**
 * RedisList: the value of a list key, on a `denque` ring buffer — the counterpart of Redis 7.0's
 * quicklist (a linked list of listpacks), which is the only list encoding 7.0 reports.
 *
 * Why a ring buffer: pushes and pops at both ends are O(1), and so is reading or writing any index
 * (LINDEX, LSET, each step of LRANGE), where the quicklist has to walk its nodes. Insertion and
 * removal in the middle (LINSERT, LREM) move the elements on the shorter side, O(N) as in Redis.
 * A small list costs one object and one short array (denque starts at 4 slots and doubles).
 *
 * Indexes here are already normalised (0 = head, length-1 = tail); the command layer turns
 * Redis's negative indexes and out-of-range values into these.
 * Memory: `bytes` (AccountedValue) is this object, the Denque and its ring, and the elements'
 * strings; every mutator charges its change (the ring's growth read from denque's capacity mask).
 *
 * Mirrors redis t_list.c's listType* API (listTypePush, listTypePop, listTypeReplace...) and the
 * role of quicklist.c. Knows nothing of the server.
 */
import Denque from 'denque';
import type { Bytes } from '../keyspace/bytes.js';
import { AccountedValue, arrayBytes, objectBytes, stringBytes, WORD } from './heap-layout.js';

/**
 * denque's ring as it lays it out (v2.x): element i of the queue lives at
 * `_list[(_head + i) & _capacityMask]`. denque has no "set at index"; LSET must be O(1), so
 * setAt writes the slot directly. test/unit/list.test.ts checks this against peekAt after
 * wrap-around and growth.
 */
interface DenqueRing<T> {
  _list: (T | undefined)[];
  _head: number;
  _capacityMask: number;
}

/**
 * The ring's backing-store capacity after denque changed its capacity mask from `oldMask` to
 * `newMask`. Growing with the head at slot 0, denque doubles `_list.length` in place and V8 grows
 * the store to max(new length, capacity × 1.5 + 16); otherwise (and when shrinking) denque copies
 * into a new array of exactly the new length.
 */
function ringCapacity(capacity: number, oldMask: number, newMask: number, headWasZero: boolean): number {
  if (newMask === oldMask) return capacity;
  const length = newMask + 1;
  if (newMask < oldMask || !headWasZero) return length;
  return length <= capacity ? capacity : Math.max(length, capacity + (capacity >> 1) + 16);
}

/** This object (5 fields) and the Denque object (5 fields): the ring is counted by its capacity. */
const FIXED_BYTES = objectBytes(5) + objectBytes(5);

export class RedisList extends AccountedValue {
  private items: Denque<Bytes>;
  /** The ring's backing-store capacity, followed as denque and V8 change it (see ringCapacity). */
  private capacity = 0;

  constructor(items?: Denque<Bytes>) {
    super();
    this.items = items ?? new Denque<Bytes>();
    this.recount();
  }

  /** Sets `bytes` from scratch (after a rebuild of the ring, whose store is then exact): O(N). */
  private recount(): void {
    let strings = 0;
    const n = this.items.length;
    for (let i = 0; i < n; i++) strings += stringBytes(this.items.peekAt(i)!.length);
    this.capacity = this.ring()._capacityMask + 1;
    this.charge(FIXED_BYTES + arrayBytes(this.capacity) + strings - this.bytes);
  }

  private ring(): DenqueRing<Bytes> {
    return this.items as unknown as DenqueRing<Bytes>;
  }

  /**
   * Charges an operation that added (`sign` 1) or removed (-1) the string v, given the ring's
   * mask and head before it: the strings' change and the ring store's.
   */
  private charged(v: Bytes, sign: number, mask: number, head: number): void {
    const ring = this.ring();
    const before = this.capacity;
    this.capacity = ringCapacity(before, mask, ring._capacityMask, head === 0);
    this.charge(sign * stringBytes(v.length) + (this.capacity - before) * WORD);
  }

  /** A list holding these elements, head first (SORT ... STORE, tests). */
  static from(elements: readonly Bytes[]): RedisList {
    return new RedisList(new Denque<Bytes>(elements.slice()));
  }

  /** TYPE's answer (a prototype getter, so it costs no slot per list). */
  get type(): 'list' {
    return 'list';
  }

  /** OBJECT ENCODING: always "quicklist", as Redis 7.0 reports every list. */
  encoding(): 'quicklist' {
    return 'quicklist';
  }

  /** An independent copy with the same elements (COPY). */
  copy(): RedisList {
    return RedisList.from(this.items.toArray());
  }

  /** Number of elements (LLEN). */
  get length(): number {
    return this.items.length;
  }

  /** All elements, head first. */
  toArray(): Bytes[] {
    return this.items.toArray();
  }

  // ---- Ends ----

  /** Adds an element at the head (LPUSH). */
  pushFront(v: Bytes): void {
    const { _capacityMask: m, _head: h } = this.ring();
    this.items.unshift(v);
    this.charged(v, 1, m, h);
  }

  /** Adds an element at the tail (RPUSH). */
  pushBack(v: Bytes): void {
    const { _capacityMask: m, _head: h } = this.ring();
    this.items.push(v);
    this.charged(v, 1, m, h);
  }

  /** Removes and returns the head element, undefined when empty. */
  popFront(): Bytes | undefined {
    const { _capacityMask: m, _head: h } = this.ring();
    const v = this.items.shift();
    if (v !== undefined) this.charged(v, -1, m, h);
    return v;
  }

  /** Removes and returns the tail element, undefined when empty. */
  popBack(): Bytes | undefined {
    const { _capacityMask: m, _head: h } = this.ring();
    const v = this.items.pop();
    if (v !== undefined) this.charged(v, -1, m, h);
    return v;
  }

  // ---- Random access (O(1)) ----

  /** The element at index i (0 ≤ i < length), else undefined. */
  at(i: number): Bytes | undefined {
    return this.items.peekAt(i);
  }

  /** Replaces the element at index i (0 ≤ i < length) in O(1); false when out of range. */
  setAt(i: number, v: Bytes): boolean {
    if (!Number.isInteger(i) || i < 0 || i >= this.items.length) return false;
    const ring = this.items as unknown as DenqueRing<Bytes>;
    const slot = (ring._head + i) & ring._capacityMask;
    this.charge(stringBytes(v.length) - stringBytes(ring._list[slot]!.length));
    ring._list[slot] = v;
    return true;
  }

  // ---- Middle edits (O(N)) ----

  /** Inserts v so that it becomes the element at index i (0 ≤ i ≤ length). */
  insertAt(i: number, v: Bytes): void {
    const { _capacityMask: m, _head: h } = this.ring();
    if (i === 0) this.items.unshift(v);
    else if (i === this.items.length) this.items.push(v);
    else this.items.splice(i, 0, v);
    this.charged(v, 1, m, h);
  }

  /** Index of the first element equal to v, from the head; -1 if none. */
  indexOf(v: Bytes): number {
    const n = this.items.length;
    for (let i = 0; i < n; i++) if (this.items.peekAt(i) === v) return i;
    return -1;
  }

  /**
   * Removes elements equal to v (LREM): the first `limit` from the head, or from the tail when
   * fromTail; every one when limit is 0. Returns how many were removed.
   */
  removeMatching(v: Bytes, limit: number, fromTail: boolean): number {
    const n = this.items.length;
    // Mark the matches to remove, then rebuild once: O(N), like Redis's walk over the quicklist.
    const drop: number[] = [];
    if (fromTail) {
      for (let i = n - 1; i >= 0 && (limit === 0 || drop.length < limit); i--) {
        if (this.items.peekAt(i) === v) drop.push(i);
      }
      drop.reverse();
    } else {
      for (let i = 0; i < n && (limit === 0 || drop.length < limit); i++) {
        if (this.items.peekAt(i) === v) drop.push(i);
      }
    }
    if (drop.length === 0) return 0;
    if (drop.length === 1) {
      const { _capacityMask: m, _head: h } = this.ring();
      this.items.removeOne(drop[0]!);
      this.charged(v, -1, m, h);
      return 1;
    }
    const kept: Bytes[] = new Array<Bytes>(n - drop.length);
    let k = 0;
    let d = 0;
    for (let i = 0; i < n; i++) {
      if (d < drop.length && drop[d] === i) d++;
      else kept[k++] = this.items.peekAt(i)!;
    }
    this.items = new Denque<Bytes>(kept);
    this.recount();
    return drop.length;
  }

  /**
   * Keeps only the elements [start, end] (0 ≤ start ≤ end < length) (LTRIM). Costs the smaller
   * of the removed count (popping the ends) and the kept count (rebuilding).
   */
  keepRange(start: number, end: number): void {
    const n = this.items.length;
    const kept = end - start + 1;
    if (kept < n - kept) {
      const out: Bytes[] = new Array<Bytes>(kept);
      for (let i = 0; i < kept; i++) out[i] = this.items.peekAt(start + i)!;
      this.items = new Denque<Bytes>(out);
      this.recount();
      return;
    }
    for (let i = end + 1; i < n; i++) this.popBack();
    for (let i = 0; i < start; i++) this.popFront();
  }
}
