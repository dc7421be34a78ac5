/**
 * AccessTracker: per-key access information for OBJECT IDLETIME (LRU: when was the key last
 * looked up) and OBJECT FREQ (LFU: a logarithmic access counter). Redis keeps 24 bits of this in
 * every object header (robj.lru); mirrors the behaviour of redis evict.c's LRU clock and
 * LFULogIncr / LFUDecrAndReturn, as the redis.conf "LFU" section documents it.
 *
 * Memory: a key costs nothing here until someone asks. LFU tracking is switched on for all
 * databases as soon as an LFU maxmemory-policy is set (memory/eviction.ts samples the counters);
 * otherwise tracking starts with the first OBJECT IDLETIME or OBJECT FREQ (LRU eviction needs no
 * per-key data: it uses the keyspace Map's order, Keyspace.lruOrder). LFU counters live in a
 * count-min sketch of 4 to 8 bytes per key (lfu-sketch.ts); access times in one Map entry per key
 * looked up, holding a small integer (a V8 Smi: seconds since tracking began).
 *
 * COMPAT: a key not looked up since tracking began counts as accessed when tracking began, so
 * the first OBJECT IDLETIME of a server answers 0 for every key (Redis knows the real times).
 */
import type { Bytes } from './bytes.js';
import { LfuSketch } from './lfu-sketch.js';
import { SMI_MAP_ENTRY } from '../datastructures/heap-layout.js';

/** What is tracked: last access (LRU policies, the default) or access frequency (LFU policies). */
export type TrackingMode = 'lru' | 'lfu';


/** LFU tuning, from the lfu-log-factor and lfu-decay-time parameters. */
export interface LfuParams {
  logFactor: number;
  decayMinutes: number;
}

export class AccessTracker {
  /** LRU mode: key → seconds since `since` of the last access. */
  private entries = new Map<Bytes, number>();
  /** LFU mode: the counters. */
  private readonly sketch: LfuSketch | undefined;

  constructor(
    readonly mode: TrackingMode,
    /** Unix ms when tracking began: the access time of keys not looked up since. */
    private readonly since: number,
    /** LFU tuning; the OBJECT command refreshes it from the config. */
    public lfu: LfuParams = { logFactor: 10, decayMinutes: 1 },
    /** Random source in [0, 1) for the LFU counter's probabilistic increment. */
    private readonly random: () => number = Math.random,
    /** LFU mode: the keys there are already (sizes the sketch). */
    keys = 0,
  ) {
    if (mode === 'lfu') this.sketch = new LfuSketch(since, keys);
  }

  private seconds(now: number): number {
    return Math.floor(now / 1000) - Math.floor(this.since / 1000);
  }

  /** The key was accessed at `now` (unix ms). */
  touch(key: Bytes, now: number): void {
    if (this.sketch !== undefined) this.sketch.touch(key, now, this.lfu.decayMinutes, this.lfu.logFactor, this.random());
    else this.entries.set(key, this.seconds(now));
  }

  /** The key was just created (or replaced): a new object in Redis, LFU counter at its start value. */
  created(key: Bytes, now: number): void {
    if (this.sketch !== undefined) this.sketch.created(key, now, this.lfu.decayMinutes);
    else this.entries.set(key, this.seconds(now));
  }

  /** RESTORE ... IDLETIME: the key was last accessed `idle` seconds before `now` (LRU mode). */
  setIdle(key: Bytes, idle: number, now: number): void {
    this.entries.set(key, this.seconds(now) - idle);
  }

  /** RESTORE ... FREQ: the key's LFU counter is `counter` (0..255) as of `now` (LFU mode). */
  setFrequency(key: Bytes, counter: number, now: number): void {
    this.sketch?.set(key, counter, now, this.lfu.decayMinutes);
  }

  /** OBJECT IDLETIME: whole seconds since the key's last access. */
  idleSeconds(key: Bytes, now: number): number {
    const at = this.entries.get(key) ?? 0;
    return Math.max(this.seconds(now) - at, 0);
  }

  /** OBJECT FREQ: the LFU counter after the decay due by `now` (not counted as an access). */
  frequency(key: Bytes, now: number): number {
    return this.sketch === undefined ? 0 : this.sketch.frequency(key, now, this.lfu.decayMinutes);
  }

  /** What used_memory counts for this tracker: its LRU Map's entries, or the sketch. */
  get bytes(): number {
    return this.sketch === undefined ? this.entries.size * SMI_MAP_ENTRY : this.sketch.bytes;
  }

  /** The key is gone. */
  forget(key: Bytes): void {
    if (this.sketch !== undefined) this.sketch.forget();
    else this.entries.delete(key);
  }

  /** Every key is gone (FLUSHDB). */
  clear(): void {
    this.entries = new Map();
    this.sketch?.clear();
  }
}
