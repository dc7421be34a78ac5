/**
 * DenseMap and DenseSet: the "hashtable" encoding of hashes and sets. A Map from each key to its
 * slot, plus the keys (and values) packed in arrays, so that a uniformly random element is one
 * array read: HRANDFIELD, SRANDMEMBER and SPOP pick as Redis's dictGetFairRandomKey intends,
 * without walking the Map. Removal moves the last slot into the hole, so the arrays stay dense.
 *
 * Iteration (and SCAN, through live Map iterators) follows the index Map: moving a key to another
 * slot re-sets its index entry, which keeps its place in the Map's order, so a live iterator sees
 * every key present from its start to its end exactly once.
 *
 * The arrays are chunked (SlotList): a plain array that grows by copying leaves its old backing
 * stores behind as old-generation garbage, about twice the final array, which a million-field hash
 * carried until V8's next major GC; chunks of 4,096 slots grow without copying.
 *
 * Memory: each keeps `bytes` — the objects, the index Map's table (its capacity followed by a
 * MapShape), the chunks (the last one's capacity followed as V8 grows and trims it) and the
 * strings — updated by every set / add / delete in O(1). Values that are not strings (a generic
 * DenseMap<V>) count as one slot each.
 * Mirrors the role of redis dict.c for these types; knows nothing of the server.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { arrayBytes, MapShape, objectBytes, poppedCapacity, pushedCapacity, stringBytes } from './heap-layout.js';

const CHUNK_BITS = 12;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;

/** The capacity a chunk reaches when push() fills it from one slot to CHUNK_SIZE. */
const FULL_CHUNK_CAPACITY = (() => {
  let c = 1;
  for (let n = 2; n <= CHUNK_SIZE; n++) c = pushedCapacity(c, n);
  return c;
})();

/** The bytes of a string, or nothing for a value that is not one. */
function itemBytes(v: unknown): number {
  return typeof v === 'string' ? stringBytes(v.length) : 0;
}

/** An array of slots in chunks of 4,096: push / pop at the end, get / set anywhere. */
class SlotList<T> {
  private readonly chunks: T[][] = [];
  length = 0;
  /** Backing-store capacity of the last chunk, as V8 grows and trims it. */
  private lastCapacity = 0;
  /** Backing-store capacity of `chunks`. */
  private chunksCapacity = 0;

  /** The object, the chunk list and the chunks' stores (not the items). */
  get bytes(): number {
    const n = this.chunks.length;
    if (n === 0) return objectBytes(4) + arrayBytes(this.chunksCapacity);
    return objectBytes(4) + arrayBytes(this.chunksCapacity) + (n - 1) * arrayBytes(FULL_CHUNK_CAPACITY) + arrayBytes(this.lastCapacity);
  }

  get(i: number): T {
    return this.chunks[i >>> CHUNK_BITS]![i & CHUNK_MASK]!;
  }

  set(i: number, v: T): void {
    this.chunks[i >>> CHUNK_BITS]![i & CHUNK_MASK] = v;
  }

  push(v: T): void {
    const c = this.length >>> CHUNK_BITS;
    if (c === this.chunks.length) {
      this.chunks.push([v]);
      this.chunksCapacity = pushedCapacity(this.chunksCapacity, this.chunks.length);
      this.lastCapacity = 1;
    } else {
      const chunk = this.chunks[c]!;
      chunk.push(v);
      this.lastCapacity = pushedCapacity(this.lastCapacity, chunk.length);
    }
    this.length++;
  }

  /** Removes the last slot. */
  pop(): void {
    const last = this.chunks[this.chunks.length - 1]!;
    last.pop();
    this.lastCapacity = poppedCapacity(this.lastCapacity, last.length);
    if (last.length === 0) {
      this.chunks.pop();
      this.chunksCapacity = poppedCapacity(this.chunksCapacity, this.chunks.length);
      this.lastCapacity = FULL_CHUNK_CAPACITY;
    }
    this.length--;
  }
}

/** Field → value with O(1) random access (a hash's hashtable encoding). */
export class DenseMap<V> {
  /** key → its slot in `keys` / `vals`. */
  private readonly index = new Map<Bytes, number>();
  private readonly keyList = new SlotList<Bytes>();
  private readonly valList = new SlotList<V>();
  /** The index Map's capacity. */
  private readonly shape = new MapShape();
  /** The bytes of the keys' and values' strings. */
  private itemBytes = 0;

  /** Everything this map holds on the heap: O(1). */
  get bytes(): number {
    return objectBytes(5) + objectBytes(3) + this.shape.bytes + this.keyList.bytes + this.valList.bytes + this.itemBytes;
  }

  get size(): number {
    return this.keyList.length;
  }

  has(key: Bytes): boolean {
    return this.index.has(key);
  }

  get(key: Bytes): V | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.valList.get(i);
  }

  /** Sets the value; true if the key is new. */
  set(key: Bytes, value: V): boolean {
    const i = this.index.get(key);
    if (i !== undefined) {
      this.itemBytes += itemBytes(value) - itemBytes(this.valList.get(i));
      this.valList.set(i, value);
      return false;
    }
    this.index.set(key, this.keyList.length);
    this.shape.added();
    this.keyList.push(key);
    this.valList.push(value);
    this.itemBytes += stringBytes(key.length) + itemBytes(value);
    return true;
  }

  /** Removes the key; true if it was there. */
  delete(key: Bytes): boolean {
    const i = this.index.get(key);
    if (i === undefined) return false;
    this.index.delete(key);
    this.shape.removed();
    this.itemBytes -= stringBytes(key.length) + itemBytes(this.valList.get(i));
    const last = this.keyList.length - 1;
    if (i !== last) {
      const moved = this.keyList.get(last);
      this.keyList.set(i, moved);
      this.valList.set(i, this.valList.get(last));
      this.index.set(moved, i);
    }
    this.keyList.pop();
    this.valList.pop();
    return true;
  }

  /** The key in a slot, 0 ≤ slot < size: with a random slot, a uniformly random key. */
  keyAt(slot: number): Bytes {
    return this.keyList.get(slot);
  }

  valueAt(slot: number): V {
    return this.valList.get(slot);
  }

  /** Keys in the index Map's order; a live iterator (SCAN cursors keep it across calls). */
  keys(): IterableIterator<Bytes> {
    return this.index.keys();
  }

  *entries(): IterableIterator<[Bytes, V]> {
    for (const [key, i] of this.index) yield [key, this.valList.get(i)];
  }
}

/** Members with O(1) random access (a set's hashtable encoding). */
export class DenseSet {
  private readonly index = new Map<Bytes, number>();
  private readonly list = new SlotList<Bytes>();
  /** The index Map's capacity. */
  private readonly shape = new MapShape();
  /** The bytes of the members' strings. */
  private itemBytes = 0;

  /** Everything this set holds on the heap: O(1). */
  get bytes(): number {
    return objectBytes(4) + this.shape.bytes + this.list.bytes + this.itemBytes;
  }

  get size(): number {
    return this.list.length;
  }

  has(member: Bytes): boolean {
    return this.index.has(member);
  }

  /** Adds the member; true if it is new. */
  add(member: Bytes): boolean {
    if (this.index.has(member)) return false;
    this.index.set(member, this.list.length);
    this.shape.added();
    this.list.push(member);
    this.itemBytes += stringBytes(member.length);
    return true;
  }

  /** Removes the member; true if it was there. */
  delete(member: Bytes): boolean {
    const i = this.index.get(member);
    if (i === undefined) return false;
    this.index.delete(member);
    this.shape.removed();
    this.itemBytes -= stringBytes(member.length);
    const last = this.list.length - 1;
    if (i !== last) {
      const moved = this.list.get(last);
      this.list.set(i, moved);
      this.index.set(moved, i);
    }
    this.list.pop();
    return true;
  }

  /** The member in a slot, 0 ≤ slot < size. */
  at(slot: number): Bytes {
    return this.list.get(slot);
  }

  /** Members in the index Map's order; a live iterator. */
  values(): IterableIterator<Bytes> {
    return this.index.keys();
  }
}
