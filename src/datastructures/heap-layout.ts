/**
 * The byte costs of V8 heap objects (Node 20, 64-bit, no pointer compression, as Node's official
 * builds are), from which every value's memory is counted. This plays the part of Redis's
 * zmalloc_size()/allocator: Redis asks jemalloc what each allocation costs; a JavaScript program
 * cannot ask, so the layouts are written down here and checked against the real heap by
 * scripts/memory-accounting-check.mjs (docs/ARCHITECTURE.md "Memory accounting" has the table).
 *
 * Layouts (8-byte words): every heap object starts with its map pointer.
 * - one-byte string (SeqOneByteString): map, hash + length (one word), then the bytes rounded up
 *   to 8. The empty string and one-byte strings of length 1 are shared V8 constants.
 * - plain object with k fields: map, properties, elements, then the k fields in-object.
 * - JSArray: map, properties, elements, length (32); its FixedArray backing store: map, length,
 *   one word per slot (the empty array shares a constant store). Doubles in a number[] are
 *   unboxed (FixedDoubleArray, 8 bytes each).
 * - HeapNumber: a double outside a Smi's range stored in a Map or an object field (16).
 * - JSMap / JSSet: 4 words, plus an OrderedHashMap: a FixedArray of 3 header words, capacity/2
 *   buckets and 3 words per entry slot (key, value, chain) — 40 + 28 × capacity bytes.
 */

/** A pointer / tagged word. */
export const WORD = 8;
/** A HeapNumber (a boxed double). */
export const HEAP_NUMBER = 16;
/**
 * An entry of a Map holding a Smi at a typical load (3 words, and the table kept between one and
 * two times its size: 1.5 × 28 bytes): the access tracker's entries, whose Map is not followed.
 */
export const SMI_MAP_ENTRY = 42;
/** A JSMap or JSSet object, without its table. */
const MAP_OBJECT = 32;
/** An empty JSArray: its backing store is a shared constant. */
const EMPTY_ARRAY = 32;

/** A one-byte string of this length. */
export function stringBytes(length: number): number {
  return length <= 1 ? 0 : 16 + ((length + 7) & ~7);
}

/** A plain object (class instance) with this many in-object fields. */
export function objectBytes(fields: number): number {
  return 24 + WORD * fields;
}

/** A JSArray whose backing store holds exactly `slots` slots (8 bytes each). */
export function arrayBytes(slots: number): number {
  return slots === 0 ? EMPTY_ARRAY : EMPTY_ARRAY + 16 + WORD * slots;
}

/** A typed array view (JSTypedArray); its ArrayBuffer's store lives off the V8 heap. */
export const TYPED_ARRAY_VIEW = 72;
/** A JSArrayBuffer object (its store counted apart, by byteLength). */
export const ARRAY_BUFFER = 56;

/** The OrderedHashMap of a Map / Set of this capacity, plus the Map object. */
function mapBytes(capacity: number): number {
  return MAP_OBJECT + 40 + 28 * capacity;
}

/** V8's OrderedHashTable kInitialCapacity. */
const INITIAL_CAPACITY = 4;

/**
 * The capacity of a V8 Map or Set, followed as V8 changes it (OrderedHashTable
 * EnsureCapacityForAdding / Shrink), so that a table's bytes are known without asking V8:
 * - adding when live + deleted entries fill the capacity rehashes it: to the same capacity when at
 *   least half the slots hold deleted entries, else to twice the capacity;
 * - deleting so that fewer than a quarter of the slots are live halves it (never below 4).
 * Each call is two or three integer operations: it runs on every write of a key or a field.
 */
export class MapShape {
  /** Entry slots of the table. */
  private capacity = INITIAL_CAPACITY;
  /** Live entries. */
  private live = 0;
  /** Slots held by deleted entries until the next rehash. */
  private deleted = 0;

  /** Call after the Map gained an entry. */
  added(): void {
    if (this.live + this.deleted >= this.capacity) {
      if (this.deleted < this.capacity >> 1) this.capacity <<= 1;
      this.deleted = 0;
    }
    this.live++;
  }

  /** Call after the Map lost an entry. */
  removed(): void {
    this.live--;
    this.deleted++;
    if (this.live < this.capacity >> 2) {
      this.capacity = Math.max(INITIAL_CAPACITY, this.capacity >> 1);
      this.deleted = 0;
    }
  }

  /** Call after Keyspace.compactTable: V8 rehashed the table at the same capacity. */
  rehashedInPlace(): void {
    this.deleted = 0;
  }

  /** Call after an entry was deleted and set again (moved to the end of the Map's order). */
  reinserted(): void {
    this.removed();
    this.added();
  }

  /** Live entries above this share of the capacity. */
  liveAbove(share: number): number {
    return Math.max(0, this.live - Math.floor(this.capacity * share));
  }

  /** What doubling the table would add. */
  get doublingBytes(): number {
    return mapBytes(this.capacity << 1) - mapBytes(this.capacity);
  }

  /** Would adding `n` entries now fill the table and double it? */
  doublesIfAdding(n: number): boolean {
    return this.live + this.deleted + n > this.capacity && this.deleted < this.capacity >> 1;
  }

  /**
   * For compacting the table in place (Keyspace.compactTable): how many entries, taken from the
   * end and added back, make V8 rehash it at the same capacity — enough deleted slots to reach
   * half the table, and enough additions to fill it.
   */
  get entriesToCycle(): number {
    return Math.min(this.live, Math.max((this.capacity >> 1) - this.deleted, this.capacity - this.live - this.deleted + 1));
  }

  /** Entry slots of the table. */
  get slots(): number {
    return this.capacity;
  }

  /** A live entry's share of the table's entry slots (MEMORY USAGE). */
  get entryShare(): number {
    return Math.round((28 * this.capacity) / Math.max(1, this.live));
  }

  /** Live entries. */
  get size(): number {
    return this.live;
  }

  /** The Map object and its table, and this object. */
  get bytes(): number {
    return objectBytes(3) + mapBytes(this.capacity);
  }
}

/**
 * The backing-store capacity of an array after push() made it `length` long (V8's
 * CalculateNewElementsCapacity: new length × 1.5 + 16 when full).
 */
export function pushedCapacity(capacity: number, length: number): number {
  return length <= capacity ? capacity : length + (length >> 1) + 16;
}

/**
 * The capacity after pop() made it `length` long: V8 (ElementsAccessor SetLengthImpl) gives back
 * half the unused slots once more than half the store is unused, and all of it at length 0.
 */
export function poppedCapacity(capacity: number, length: number): number {
  if (length === 0) return 0;
  return 2 * length + 16 <= capacity ? capacity - ((capacity - length) >> 1) : capacity;
}

/**
 * What a counter owned by one database holds: the bytes of its values that change in place.
 * An aggregate stored in a database points at its counter and adds every change of its own size
 * to it, so the database's total is right after any mutation without a walk.
 */
export interface ByteCounter {
  bytes: number;
}

/**
 * The part every aggregate (list, hash, set, sorted set) shares: its byte count and the counter
 * of the database that stores it (null while it is a free-standing temporary: a SINTER result, a
 * snapshot's copy). Mutators call charge() with the change of their size.
 */
export abstract class AccountedValue {
  /** This value's bytes on the heap, every object it owns included (the key excluded). */
  bytes = 0;
  /** The counter of the database the value is stored in; null while stored nowhere. */
  owner: ByteCounter | null = null;
  /**
   * Under how many keys it is stored: 2 for a moment while RENAME or MOVE store it under the new
   * key before deleting the old one, so that deleting the old key leaves it counted where it went.
   */
  stores = 0;

  /** Adds a change of this value's size to its own count and to its database's. */
  protected charge(delta: number): void {
    this.bytes += delta;
    if (this.owner !== null) this.owner.bytes += delta;
  }
}

/**
 * Longest array copied slot by slot into `new Array(n)` (V8 gives a longer `new Array(n)`
 * dictionary elements); longer ones are built with slice/concat.
 */
const MAX_LOOP_COPY = 50_000;

/**
 * A copy of `a` with `v` inserted at index i, in a backing store of exactly its length. Built
 * slot by slot so that numbers stay unboxed (concat() of number arrays can box every double in a
 * 16-byte HeapNumber: measured, 85 bytes more per 10-member sorted set).
 */
export function insertedAt<T>(a: readonly T[], i: number, v: T): T[] {
  const n = a.length + 1;
  if (n > MAX_LOOP_COPY) return a.slice(0, i).concat([v], a.slice(i));
  const out = new Array<T>(n);
  for (let j = 0; j < i; j++) out[j] = a[j]!;
  out[i] = v;
  for (let j = i; j < a.length; j++) out[j + 1] = a[j]!;
  return out;
}

/**
 * insertedAt for an array of doubles. A separate function, because V8 remembers per allocation
 * site what kind of elements its arrays got: one `new Array(n)` that made string arrays too would
 * start number arrays as generic ones, boxing every double again.
 */
export function insertedNumberAt(a: readonly number[], i: number, v: number): number[] {
  const n = a.length + 1;
  if (n > MAX_LOOP_COPY) return a.slice(0, i).concat([v], a.slice(i));
  const out = new Array<number>(n);
  for (let j = 0; j < i; j++) out[j] = a[j]!;
  out[i] = v;
  for (let j = i; j < a.length; j++) out[j + 1] = a[j]!;
  return out;
}

/** removedAt for an array of doubles (see insertedNumberAt). */
export function removedNumbersAt(a: readonly number[], i: number, count: number): number[] {
  const n = a.length - count;
  if (n > MAX_LOOP_COPY) return a.slice(0, i).concat(a.slice(i + count));
  const out = new Array<number>(n);
  for (let j = 0; j < i; j++) out[j] = a[j]!;
  for (let j = i + count; j < a.length; j++) out[j - count] = a[j]!;
  return out;
}

/** A copy of `a` without the `count` elements from index i, exactly its length (as insertedAt). */
export function removedAt<T>(a: readonly T[], i: number, count: number): T[] {
  const n = a.length - count;
  if (n > MAX_LOOP_COPY) return a.slice(0, i).concat(a.slice(i + count));
  const out = new Array<T>(n);
  for (let j = 0; j < i; j++) out[j] = a[j]!;
  for (let j = i + count; j < a.length; j++) out[j - count] = a[j]!;
  return out;
}
