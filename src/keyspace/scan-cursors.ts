/**
 * ScanCursors: the cursors of SCAN, HSCAN, SSCAN and ZSCAN.
 *
 * Redis's cursor is a position in its hash table's reverse-binary bucket order, stateless and
 * valid across rehashing. Kioku's collections are JavaScript Maps and Sets, whose iteration order
 * is insertion order and whose live iterators stay valid while entries are added and deleted
 * (V8 re-points them across rehashes). So a cursor names a live iterator kept here: every element
 * present from the first call to the last is returned exactly once, however the collection grows
 * or shrinks meanwhile — Redis's guarantee, without its duplicates.
 *
 * COMPAT: a cursor is only valid for the collection that issued it and while this table keeps it
 * (the newest MAX_CURSORS); an unknown cursor starts the iteration again from the beginning.
 */

import type { Bytes } from './bytes.js';

const MAX_CURSORS = 16384;
const U64 = 1n << 64n;

/**
 * A SCAN-family cursor argument as the canonical decimal string of its unsigned 64-bit value,
 * or undefined when Redis answers "invalid cursor". Redis reads it with strtoul: optional sign,
 * decimal digits (none at all means 0), no leading space, no trailing bytes, no overflow; a
 * minus sign wraps around ("-1" is 18446744073709551615).
 */
export function parseScanCursor(arg: Bytes): string | undefined {
  const m = /^([+-]?)(\d*)$/.exec(arg);
  if (m === null || (m[1] !== '' && m[2] === '')) return undefined;
  const n = m[2] === '' ? 0n : BigInt(m[2]!);
  if (n >= U64) return undefined;
  return String(m[1] === '-' && n !== 0n ? U64 - n : n);
}

interface OpenCursor {
  owner: object;
  iterator: Iterator<unknown>;
}

export class ScanCursors {
  private open = new Map<string, OpenCursor>();
  private nextId = 1;

  /** The iterator to continue for `cursor` over `owner`, or a new one from `start()`. */
  resume<T>(owner: object, cursor: string, start: () => Iterator<T>): Iterator<T> {
    if (cursor !== '0') {
      const found = this.open.get(cursor);
      this.open.delete(cursor);
      if (found !== undefined && found.owner === owner) return found.iterator as Iterator<T>;
    }
    return start();
  }

  /** Keeps an unfinished iterator and returns the cursor that resumes it. */
  save(owner: object, iterator: Iterator<unknown>): string {
    const id = String(this.nextId++);
    this.open.set(id, { owner, iterator });
    if (this.open.size > MAX_CURSORS) this.open.delete(this.open.keys().next().value!);
    return id;
  }
}

/**
 * Takes up to `count` items from the iterator; returns them and whether the iterator is done.
 */
export function takeFrom<T>(iterator: Iterator<T>, count: number): { items: T[]; done: boolean } {
  const items: T[] = [];
  while (items.length < count) {
    const r = iterator.next();
    if (r.done) return { items, done: true };
    items.push(r.value);
  }
  return { items, done: false };
}
