/**
 * LfuSketch: Redis's per-key LFU counters (evict.c LFULogIncr / LFUDecrAndReturn, the redis.conf
 * "LFU" section: an 8-bit logarithmic counter, new keys at 5, one point lost per lfu-decay-time
 * idle minutes) kept in a count-min sketch instead of one entry per key.
 *
 * Why: Redis stores the counter in 24 spare bits of every object header, for free. A Map entry
 * per key costs ~42 bytes here, which used_memory counts, so under maxmemory an LFU policy would
 * hold about a fifth fewer keys than LRU and lose hit rate to Redis. The sketch costs 4 bytes per
 * column over 4 rows, with one to two columns per key (the width is a power of two, doubled when
 * the keys outnumber the columns): 4 to 8 bytes per key.
 *
 * A key's counter is the smallest of its 4 cells (one per row, chosen by independent hashes of
 * the key); an increment raises only the cells at that minimum (conservative update). Two keys
 * sharing all 4 cells is rare, and can only make a key look more used than it is. Decay is
 * applied to every cell at once, lazily, one point per lfu-decay-time minutes elapsed: the same
 * as Redis for a key not accessed, within the minute for one that is.
 *
 * COMPAT: deleting a key does not erase its cells, so a key created again starts at 5 or at what
 * is left of its earlier count, whichever is higher (Redis: always 5); OBJECT FREQ of such a key
 * can answer more than Redis would. For a cache this is an advantage: a popular key evicted and
 * written back is not the first to go again (the "TinyLFU" idea).
 */
import type { Bytes } from './bytes.js';

const ROWS = 4;
const EMPTY = new Uint8Array(0);
const LFU_INIT = 5;
const LFU_MAX = 255;
/** Columns per row at first (4 KB over the 4 rows), and at most (2^24: 64 MB). */
const MIN_WIDTH = 1 << 10;
const MAX_WIDTH = 1 << 24;

export class LfuSketch {
  /**
   * ROWS rows of `width` 8-bit counters, row after row; empty until the first use (an LFU policy
   * switches tracking on for all 16 databases, most of which stay empty).
   */
  private cells = EMPTY;
  private width = MIN_WIDTH;
  /** Keys created since tracking began, less those deleted: sizes the sketch (a column each, at least). */
  private keys = 0;
  /** Decay has been applied for every period up to this minute (counted from `since`). */
  private decayedTo = 0;
  /** The 4 cell indexes of the key last hashed (reused between one call's reads and writes). */
  private readonly at = new Int32Array(ROWS);

  constructor(
    /** Unix ms when tracking began: minute 0 of the decay periods. */
    private readonly since: number,
    /** Keys there are already: they count as created when tracking began (counter 5). */
    keys: number,
  ) {
    while (keys > this.width && this.width < MAX_WIDTH) this.width *= 2;
    this.keys = keys;
  }

  /** Bytes held (used_memory counts them). */
  get bytes(): number {
    return this.cells.length;
  }

  /** The counter after the decay due by `now`. */
  frequency(key: Bytes, now: number, decayMinutes: number): number {
    this.prepare(now, decayMinutes);
    this.hash(key);
    return this.min();
  }

  /** An access: Redis's LFULogIncr, with probability 1 / ((counter - 5) * logFactor + 1). */
  touch(key: Bytes, now: number, decayMinutes: number, logFactor: number, random: number): void {
    this.prepare(now, decayMinutes);
    this.hash(key);
    const counter = this.min();
    if (counter >= LFU_MAX) return;
    const base = Math.max(counter - LFU_INIT, 0);
    if (random < 1 / (base * logFactor + 1)) this.raise(counter + 1);
  }

  /** A new key: its counter is at least the initial 5. */
  created(key: Bytes, now: number, decayMinutes: number): void {
    this.prepare(now, decayMinutes);
    if (++this.keys > this.width) this.grow();
    this.hash(key);
    this.raise(LFU_INIT);
  }

  /** RESTORE ... FREQ: the key's counter becomes exactly `counter`. */
  set(key: Bytes, counter: number, now: number, decayMinutes: number): void {
    this.prepare(now, decayMinutes);
    this.hash(key);
    for (let r = 0; r < ROWS; r++) this.cells[this.at[r]!] = counter;
  }

  /** A key was deleted: one key fewer to size for (its cells fade with decay). */
  forget(): void {
    if (this.keys > 0) this.keys--;
  }

  /** Every key is gone (FLUSHDB). */
  clear(): void {
    this.cells = EMPTY;
    this.width = MIN_WIDTH;
    this.keys = 0;
  }

  /** The key's cell in each row, from two 32-bit hashes of its bytes (double hashing). */
  private hash(key: Bytes): void {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c ^ key.length;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h1 ^= h1 >>> 16;
    h1 = Math.imul(h1, 0x85ebca6b);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ (h2 >>> 16), 0xc2b2ae35) | 1;
    const mask = this.width - 1;
    for (let r = 0; r < ROWS; r++) this.at[r] = r * this.width + ((h1 + Math.imul(r, h2)) & mask);
  }

  private min(): number {
    let m = LFU_MAX;
    for (let r = 0; r < ROWS; r++) m = Math.min(m, this.cells[this.at[r]!]!);
    return m;
  }

  /** Conservative update: the key's cells below `value` are raised to it. */
  private raise(value: number): void {
    for (let r = 0; r < ROWS; r++) if (this.cells[this.at[r]!]! < value) this.cells[this.at[r]!] = value;
  }

  /**
   * Twice the columns. A key's column in the wider row is its old column or that plus the old
   * width, and both get the old cell: every count reads back the same as before.
   */
  private grow(): void {
    if (this.width >= MAX_WIDTH) return;
    const w = this.width;
    const next = new Uint8Array(ROWS * w * 2);
    for (let r = 0; r < ROWS; r++) {
      const row = this.cells.subarray(r * w, (r + 1) * w);
      next.set(row, r * 2 * w);
      next.set(row, r * 2 * w + w);
    }
    this.cells = next;
    this.width = w * 2;
  }

  /**
   * Before any use: the cells exist (at first every cell is 5: the keys there already count as
   * created now), and one point is taken off every cell per decay period elapsed since last time.
   */
  private prepare(now: number, decayMinutes: number): void {
    const minute = Math.floor((now - this.since) / 60_000);
    if (this.cells.length === 0) {
      this.cells = new Uint8Array(ROWS * this.width).fill(LFU_INIT);
      this.decayedTo = minute;
    }
    if (decayMinutes <= 0) return;
    const periods = Math.floor((minute - this.decayedTo) / decayMinutes);
    if (periods <= 0) return;
    this.decayedTo += periods * decayMinutes;
    const cells = this.cells;
    if (periods >= LFU_MAX) cells.fill(0);
    else for (let i = 0; i < cells.length; i++) cells[i] = Math.max(cells[i]! - periods, 0);
  }
}
