/**
 * HashedKeySet: a set of keys whose 32-bit hash the caller computes (and has at hand anyway), in
 * open addressing over arrays that `clear()` keeps: a set filled and emptied again and again (a
 * snapshot's `visited`, one bucket after another) allocates only while it grows the first time.
 *
 * Why not a Set: a V8 Set's `clear()` drops its table, and refilling it copies the table into
 * one twice as large again and again. A snapshot that filled 64 Sets to ~31,000 keys each, four
 * times, left about 330 MB of old-generation garbage behind, enough to bring on a major GC (a
 * pause of hundreds of milliseconds at a gigabyte of heap) in the middle of the save.
 *
 * - Linear probing, load at most 3/4; it doubles past that. It starts small: a fresh array's
 *   pages are faulted in as it is filled, and 48 MB of them at once (64 sets sized for two
 *   million keys) stalled the event loop for 49 ms. A caller that knows the size it will reach
 *   `reserve`s it a set at a time.
 * - `clear()` is O(1): a slot is taken only when its generation is the set's current one, and
 *   clearing starts a new generation (the arrays are wiped once every 255 clears). A cleared
 *   set keeps referring to its old keys until their slots are reused or it is dropped.
 * - The slot comes from the hash's top bits after a multiply, so callers may hand it hashes whose
 *   low bits or top bits they already used to pick this set (all equal within it).
 */
import type { Bytes } from '../keyspace/bytes.js';

const MIN_BITS = 4;
const MAX_GENERATION = 255;

export class HashedKeySet {
  private keys: (Bytes | undefined)[];
  private hashes: Int32Array;
  /** Per slot: the generation that filled it; a slot of an older one is free. */
  private generations: Uint8Array;
  private generation = 1;
  private bits = MIN_BITS;
  /** Keys in the set. */
  size = 0;

  constructor() {
    this.keys = new Array<Bytes | undefined>(1 << MIN_BITS).fill(undefined);
    this.hashes = new Int32Array(1 << MIN_BITS);
    this.generations = new Uint8Array(1 << MIN_BITS);
  }

  /** Slots in the arrays. */
  get capacity(): number {
    return this.keys.length;
  }

  /**
   * Makes room for `expected` keys without growing (a caller that knows the size spreads its sets'
   * first allocations over time: a fresh array's pages are faulted in when it is filled).
   */
  reserve(expected: number): void {
    let bits = this.bits;
    while ((1 << bits) * 3 < expected * 4) bits++;
    if (bits > this.bits) this.resize(bits);
  }

  /** Adds `key` (of hash `h`); false when it was there already. */
  add(key: Bytes, h: number): boolean {
    if (this.has(key, h)) return false;
    if ((this.size + 1) * 4 > this.keys.length * 3) this.resize(this.bits + 1);
    this.insert(key, h);
    this.size++;
    return true;
  }

  has(key: Bytes, h: number): boolean {
    const mask = this.keys.length - 1;
    for (let i = this.slot(h); this.generations[i] === this.generation; i = (i + 1) & mask) {
      if (this.hashes[i] === (h | 0) && this.keys[i] === key) return true;
    }
    return false;
  }

  /** Empties the set, keeping its arrays. */
  clear(): void {
    if (this.size === 0) return;
    this.size = 0;
    if (++this.generation > MAX_GENERATION) {
      this.generation = 1;
      this.generations.fill(0);
      this.keys.fill(undefined);
    }
  }

  private slot(h: number): number {
    return Math.imul(h, 0x2c1b3c6d) >>> (32 - this.bits);
  }

  /** Puts a key known to be absent in its first free slot. */
  private insert(key: Bytes, h: number): void {
    const mask = this.keys.length - 1;
    let i = this.slot(h);
    while (this.generations[i] === this.generation) i = (i + 1) & mask;
    this.keys[i] = key;
    this.hashes[i] = h;
    this.generations[i] = this.generation;
  }

  /** New arrays of 2^bits slots; the keys of the current generation move, older slots are dropped. */
  private resize(bits: number): void {
    const { keys, hashes, generations, generation } = this;
    this.bits = bits;
    this.keys = new Array<Bytes | undefined>(1 << this.bits).fill(undefined);
    this.hashes = new Int32Array(1 << this.bits);
    this.generations = new Uint8Array(1 << this.bits);
    this.generation = 1;
    for (let i = 0; i < keys.length; i++) {
      if (generations[i] === generation) this.insert(keys[i]!, hashes[i]!);
    }
  }
}
