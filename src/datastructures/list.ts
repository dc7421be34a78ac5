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
 * Mirrors redis t_list.c's listType* API (listTypePush, listTypePop, listTypeReplace...) and the
 * role of quicklist.c. Knows nothing of the server.
 */
import Denque from 'denque';
import type { Bytes } from '../keyspace/bytes.js';

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

export class RedisList {
  private items: Denque<Bytes>;

  constructor(items?: Denque<Bytes>) {
    this.items = items ?? new Denque<Bytes>();
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
    this.items.unshift(v);
  }

  /** Adds an element at the tail (RPUSH). */
  pushBack(v: Bytes): void {
    this.items.push(v);
  }

  /** Removes and returns the head element, undefined when empty. */
  popFront(): Bytes | undefined {
    return this.items.shift();
  }

  /** Removes and returns the tail element, undefined when empty. */
  popBack(): Bytes | undefined {
    return this.items.pop();
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
    ring._list[(ring._head + i) & ring._capacityMask] = v;
    return true;
  }

  // ---- Middle edits (O(N)) ----

  /** Inserts v so that it becomes the element at index i (0 ≤ i ≤ length). */
  insertAt(i: number, v: Bytes): void {
    if (i === 0) this.items.unshift(v);
    else if (i === this.items.length) this.items.push(v);
    else this.items.splice(i, 0, v);
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
      this.items.removeOne(drop[0]!);
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
      return;
    }
    for (let i = end + 1; i < n; i++) this.items.pop();
    for (let i = 0; i < start; i++) this.items.shift();
  }
}
