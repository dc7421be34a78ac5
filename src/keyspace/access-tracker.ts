/**
 * AccessTracker: per-key access information for OBJECT IDLETIME (LRU: when was the key last
 * looked up) and OBJECT FREQ (LFU: a logarithmic access counter). Redis keeps 24 bits of this in
 * every object header (robj.lru); mirrors the behaviour of redis evict.c's LRU clock and
 * LFULogIncr / LFUDecrAndReturn, as the redis.conf "LFU" section documents it.
 *
 * Memory: a key costs nothing here until someone asks. Tracking is switched on for all
 * databases by the first OBJECT IDLETIME or OBJECT FREQ (Kioku evicts nothing, so nothing else
 * needs it); from then on each key looked up gets one Map entry holding a small integer (a V8
 * Smi: seconds, or minutes and counter packed, relative to when tracking began).
 *
 * COMPAT: a key not looked up since tracking began counts as accessed when tracking began, so
 * the first OBJECT IDLETIME of a server answers 0 for every key (Redis knows the real times).
 */
import type { Bytes } from './bytes.js';

/** What is tracked: last access (LRU policies, the default) or access frequency (LFU policies). */
export type TrackingMode = 'lru' | 'lfu';

/** Redis's LFU_INIT_VAL: the counter of a new key, so it is not evicted at once. */
const LFU_INIT = 5;
const LFU_MAX = 255;

/** LFU tuning, from the lfu-log-factor and lfu-decay-time parameters. */
export interface LfuParams {
  logFactor: number;
  decayMinutes: number;
}

export class AccessTracker {
  /**
   * key → LRU: seconds since `since` of the last access; LFU: (minutes since `since`) * 256 +
   * counter, the minute being when the counter last decayed or grew.
   */
  private entries = new Map<Bytes, number>();

  constructor(
    readonly mode: TrackingMode,
    /** Unix ms when tracking began: the access time of keys not looked up since. */
    private readonly since: number,
    /** LFU tuning; the OBJECT command refreshes it from the config. */
    public lfu: LfuParams = { logFactor: 10, decayMinutes: 1 },
    /** Random source in [0, 1) for the LFU counter's probabilistic increment. */
    private readonly random: () => number = Math.random,
  ) {}

  private seconds(now: number): number {
    return Math.floor(now / 1000) - Math.floor(this.since / 1000);
  }

  private minutes(now: number): number {
    return Math.floor((now - this.since) / 60_000);
  }

  /** The key was accessed at `now` (unix ms). */
  touch(key: Bytes, now: number): void {
    if (this.mode === 'lru') {
      this.entries.set(key, this.seconds(now));
      return;
    }
    let counter = this.frequency(key, now);
    if (counter < LFU_MAX) {
      const base = Math.max(counter - LFU_INIT, 0);
      if (this.random() < 1 / (base * this.lfu.logFactor + 1)) counter++;
    }
    this.entries.set(key, this.minutes(now) * 256 + counter);
  }

  /** The key was just created (or replaced): a new object in Redis, LFU counter at its start value. */
  created(key: Bytes, now: number): void {
    this.entries.set(key, this.mode === 'lru' ? this.seconds(now) : this.minutes(now) * 256 + LFU_INIT);
  }

  /** RESTORE ... IDLETIME: the key was last accessed `idle` seconds before `now` (LRU mode). */
  setIdle(key: Bytes, idle: number, now: number): void {
    this.entries.set(key, this.seconds(now) - idle);
  }

  /** RESTORE ... FREQ: the key's LFU counter is `counter` (0..255) as of `now` (LFU mode). */
  setFrequency(key: Bytes, counter: number, now: number): void {
    this.entries.set(key, this.minutes(now) * 256 + counter);
  }

  /** OBJECT IDLETIME: whole seconds since the key's last access. */
  idleSeconds(key: Bytes, now: number): number {
    const at = this.entries.get(key) ?? 0;
    return Math.max(this.seconds(now) - at, 0);
  }

  /** OBJECT FREQ: the LFU counter after the decay due by `now` (not counted as an access). */
  frequency(key: Bytes, now: number): number {
    const packed = this.entries.get(key);
    if (packed === undefined) return this.decayed(LFU_INIT, 0, now);
    return this.decayed(packed & 255, Math.floor(packed / 256), now);
  }

  /** The counter decreased by one per lfu-decay-time minutes elapsed since `minute`. */
  private decayed(counter: number, minute: number, now: number): number {
    if (this.lfu.decayMinutes <= 0) return counter;
    const periods = Math.floor((this.minutes(now) - minute) / this.lfu.decayMinutes);
    return Math.max(counter - periods, 0);
  }

  /** The key is gone. */
  forget(key: Bytes): void {
    this.entries.delete(key);
  }

  /** Every key is gone (FLUSHDB). */
  clear(): void {
    this.entries = new Map();
  }
}
