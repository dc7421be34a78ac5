/**
 * Keyspace: one logical database (a SELECT index). Owns the values, the expiry times, lazy and
 * active expiry, and typed lookups. Mirrors redis db.c ("C-level DB API") and expire.c.
 *
 * Values live in one Map and expiry times (unix ms) in a second, so that keys without a TTL cost
 * nothing extra. Expired keys disappear on access (lazy) or through activeExpireCycle (sampled).
 * On a replica, expired keys are reported missing but kept until the primary's DEL arrives.
 * This module knows nothing of clients or the protocol; it reports through KeyspaceHost.
 *
 * Lookups "touch" the key (OBJECT IDLETIME / FREQ) once an AccessTracker is attached, which the
 * OBJECT command does on first use and LFU eviction policies do at once (see access-tracker.ts);
 * under an LRU policy a touch also moves the key to the end of its Map (lruOrder). The *NoTouch
 * lookups are for commands Redis runs with LOOKUP_NOTOUCH (TYPE, EXISTS, TTL, OBJECT...).
 */
import type { Bytes } from './bytes.js';
import type { RedisValue, ValueType, AggregateValue } from './redis-value.js';
import { typeOf } from './redis-value.js';
import type { AccessTracker } from './access-tracker.js';
import { DatasetMemory } from './memory-usage.js';
import { WRONGTYPE } from '../protocol/reply-errors.js';

/** What a keyspace needs from the server around it. */
export interface KeyspaceHost {
  /** The current command's frozen time (unix ms), or the clock's outside commands. */
  now(): number;
  /** True on a replica: expired keys are not deleted here. */
  isReplica(): boolean;
  /** On a replica: the running command is its primary's, for which expired keys are still there. */
  seesExpiredKeys?(): boolean;
  /** CLIENT PAUSE is in force: an expired key reads as absent but is not deleted yet. */
  expiryPaused?(): boolean;
  /** A key expired and was deleted (count it, propagate DEL, notify). */
  keyExpired(db: Keyspace, key: Bytes): void;
  /** A key was created (Redis dbAdd: the "new" keyspace event). */
  keyCreated?(db: Keyspace, key: Bytes): void;
  /** A read lookup missed, counted in keyspace_misses (the "keymiss" keyspace event). */
  keyMissed?(db: Keyspace, key: Bytes): void;
  /** May a table grow by this many bytes at once (within maxmemory)? Asked before an LRU move would double one. */
  tableMayGrow?(bytes: number): boolean;
  /** keyspace_hits / keyspace_misses */
  readonly stats: { keyspaceHits: number; keyspaceMisses: number };
}

/** The types a typed lookup can ask for, and what comes back. */
export type TypedValue<T extends ValueType> = T extends 'string' ? Bytes : AggregateValue & { type: T };

/** Active expiry: keys sampled per round, and the stale share above which another round runs. */
const ACTIVE_EXPIRE_SAMPLE = 20;
const ACTIVE_EXPIRE_STALE_PERCENT = 10;
/** LRU order: a key moved to the end is not moved again until this many other keys were. */
const LRU_MOVE_WINDOW = 1024;

export class Keyspace {
  /** key → value. Insertion-ordered; SCAN iterates it live. */
  data = new Map<Bytes, RedisValue>();
  /** key → expiry time in unix ms, only for keys with a TTL. */
  expires = new Map<Bytes, number>();
  /** On a writable replica: keys its own clients gave a TTL, which it expires itself (not its primary's). */
  private localExpires: Set<Bytes> | undefined;
  /** Where activeExpireCycle resumes sampling (a live iterator over `expires`). */
  private expireCursor: Iterator<[Bytes, number]> | null = null;
  /** Where randomKey resumes (a live iterator over `data`). */
  private randomCursor: Iterator<Bytes> | null = null;
  /** Average TTL of the keys sampled by the active cycle (INFO keyspace avg_ttl). */
  avgTtl = 0;
  /**
   * The bytes this database's keys, values and TTLs take, counted as they change (every write
   * below reports to it; aggregates stored here add their own changes to it). memory-usage.ts.
   */
  memory = new DatasetMemory();
  /** Access times / LFU counters (OBJECT IDLETIME, FREQ, LFU eviction); undefined until needed. */
  accessTracker: AccessTracker | undefined;
  /**
   * Under an LRU eviction policy (memory/eviction.ts): the Map kept in access order — a key
   * looked up or written moves to the end, so the first key is the least recently used. 'data'
   * for allkeys-lru, 'expires' for volatile-lru (only keys with a TTL are candidates). Costs no
   * memory per key, unlike an access time per key.
   */
  lruOrder: 'none' | 'data' | 'expires' = 'none';
  /** LRU order: the keys moved to the end lately, which need not move again yet (mayMove). */
  private recentlyMoved: Set<Bytes> | undefined;
  /**
   * Set while a snapshot runs (persistence/snapshot.ts): called before a key's value, TTL or
   * existence changes, so the snapshot can keep the key's state as it was when it started.
   */
  writeGuard: ((db: Keyspace, key: Bytes) => void) | undefined;

  constructor(
    readonly index: number,
    private readonly host: KeyspaceHost,
  ) {}

  get size(): number {
    return this.data.size;
  }

  // ---- Lookups ----

  /** Deletes the key if it is expired (not on a replica); true if it is expired (never for the primary's own commands on a replica). */
  private expireIfNeeded(key: Bytes): boolean {
    const at = this.expires.get(key);
    if (at === undefined || at > this.host.now()) return false;
    // A replica leaves its primary's keys for the primary's DEL; keys its own clients gave a TTL
    // (a writable replica) it expires itself.
    if (this.host.isReplica() && this.localExpires?.has(key) !== true) return this.host.seesExpiredKeys?.() !== true;
    if (this.host.expiryPaused?.() === true) return true;
    this.localExpires?.delete(key);
    this.deleteExpired(key);
    return true;
  }

  private deleteExpired(key: Bytes): void {
    if (this.writeGuard !== undefined) this.writeGuard(this, key);
    this.memory.keyRemoved(key, this.data.get(key)!);
    this.data.delete(key);
    if (this.expires.delete(key)) this.memory.expireRemoved();
    this.accessTracker?.forget(key);
    this.host.keyExpired(this, key);
  }

  /** Expires the key now if its TTL is past (lazy expiry without a lookup of the value). */
  expireIfDue(key: Bytes): void {
    if (this.expires.size !== 0) this.expireIfNeeded(key);
  }

  /** The live value (expiring it first if due), without touching it or counting stats. */
  private live(key: Bytes): RedisValue | undefined {
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    return this.data.get(key);
  }

  /** lookupKeyRead: the live value, counting a keyspace hit or miss. */
  getForRead(key: Bytes): RedisValue | undefined {
    const v = this.peek(key);
    if (v === undefined) {
      this.host.stats.keyspaceMisses++;
      this.host.keyMissed?.(this, key);
    } else {
      this.host.stats.keyspaceHits++;
    }
    return v;
  }

  /** lookupKeyWrite / no stats: the live value, expiring it first if due. */
  peek(key: Bytes): RedisValue | undefined {
    const v = this.live(key);
    if (v !== undefined) {
      if (this.accessTracker !== undefined) this.accessTracker.touch(key, this.host.now());
      if (this.lruOrder !== 'none') this.moveToEnd(key, v);
    }
    return v;
  }

  /**
   * LRU order: the key was used, so it goes to the end of its Map. Live iterators (SCAN,
   * sampling) still reach it.
   */
  private moveToEnd(key: Bytes, v: RedisValue): void {
    if (this.lruOrder === 'data') {
      if (!this.mayMove(key)) return;
      this.data.delete(key);
      this.data.set(key, v);
      this.memory.main.reinserted();
      return;
    }
    const at = this.expires.get(key);
    if (at === undefined || !this.mayMove(key)) return;
    this.expires.delete(key);
    this.expires.set(key, at);
    this.memory.expires.reinserted();
  }

  /**
   * Compacts a table in place (Map or expires), keeping its capacity and its order: the last
   * entries are deleted and added back in order, so that V8 rehashes the table at the same
   * capacity (it does so when it fills with at least half of it deleted slots) rather than doubling
   * it. The eviction code calls it before a command whose additions would double a table past
   * maxmemory (memory/eviction.ts). Costs a walk of the Map and one rehash, as a doubling does.
   * Not while a snapshot walks the Maps (it would meet the entries added back twice).
   */
  compactTable(which: 'data' | 'expires'): boolean {
    if (this.writeGuard !== undefined) return false;
    const map: Map<Bytes, unknown> = which === 'data' ? this.data : this.expires;
    const shape = which === 'data' ? this.memory.main : this.memory.expires;
    const n = shape.entriesToCycle;
    // Deleting them must not bring the Map below a quarter of its capacity (V8 would shrink it).
    if (map.size - n < shape.slots >> 2) return false;
    const keys: Bytes[] = [];
    const values: unknown[] = [];
    let skip = map.size - n;
    for (const [k, v] of map) {
      if (skip-- > 0) continue;
      keys.push(k);
      values.push(v);
    }
    for (const k of keys) map.delete(k);
    for (let i = 0; i < keys.length; i++) map.set(keys[i]!, values[i]);
    shape.rehashedInPlace();
    return true;
  }

  /**
   * LRU order: should the key move to the end now? Not while a snapshot walks the Map (it would
   * meet the key twice), nor again while it is among the last LRU_MOVE_WINDOW keys moved: it is
   * near the end already, and V8 keeps a deleted entry in its bucket's chain until the table is
   * rehashed, so moving a hot key on every access would make that chain, and every lookup of the
   * key, grow with each access (measured: 17 µs per GET under a Zipf load).
   */
  private mayMove(key: Bytes): boolean {
    if (this.writeGuard !== undefined) return false;
    // A move that would fill and double the table past maxmemory compacts it in place first.
    const shape = this.lruOrder === 'data' ? this.memory.main : this.memory.expires;
    if (shape.doublesIfAdding(1) && this.host.tableMayGrow?.(shape.doublingBytes) === false && !this.compactTable(this.lruOrder === 'data' ? 'data' : 'expires')) return false;
    const recent = (this.recentlyMoved ??= new Set());
    if (recent.has(key)) return false;
    if (recent.size >= LRU_MOVE_WINDOW) recent.clear();
    recent.add(key);
    return true;
  }

  /**
   * As getForRead (counts a hit or miss) without touching the key (Redis LOOKUP_NOTOUCH);
   * `notifyMiss` false: no "keymiss" event (LOOKUP_NONOTIFY).
   */
  getForReadNoTouch(key: Bytes, notifyMiss = true): RedisValue | undefined {
    const v = this.live(key);
    if (v === undefined) {
      this.host.stats.keyspaceMisses++;
      if (notifyMiss) this.host.keyMissed?.(this, key);
    } else {
      this.host.stats.keyspaceHits++;
    }
    return v;
  }

  /** As peek (expires, no stats) without touching the key. */
  peekNoTouch(key: Bytes): RedisValue | undefined {
    return this.live(key);
  }

  /** Is the key's TTL past? (No deletion: KEYS reports such keys as absent and leaves them.) */
  isExpired(key: Bytes): boolean {
    const at = this.expires.size === 0 ? undefined : this.expires.get(key);
    return at !== undefined && at <= this.host.now();
  }

  /** The value if it has type t, undefined if missing; throws WRONGTYPE otherwise. Counts hits. */
  getTyped<T extends ValueType>(key: Bytes, t: T): TypedValue<T> | undefined {
    const v = this.getForRead(key);
    if (v === undefined) return undefined;
    if (typeOf(v) !== t) throw WRONGTYPE;
    return v as TypedValue<T>;
  }

  /** As getTyped, for a command about to write the key: no hit/miss counting. */
  getTypedForWrite<T extends ValueType>(key: Bytes, t: T): TypedValue<T> | undefined {
    const v = this.peek(key);
    if (v === undefined) return undefined;
    if (typeOf(v) !== t) throw WRONGTYPE;
    if (this.writeGuard !== undefined) this.writeGuard(this, key);
    return v as TypedValue<T>;
  }

  /** Is the key present (and not expired)? */
  has(key: Bytes): boolean {
    return this.peek(key) !== undefined;
  }

  // ---- Writes ----

  /** Sets the value. The TTL is removed unless keepTtl (Redis setKey with KEEPTTL). */
  set(key: Bytes, value: RedisValue, keepTtl = false): void {
    if (this.writeGuard !== undefined) this.writeGuard(this, key);
    if (this.accessTracker !== undefined) {
      // A new key starts its LFU counter afresh; a replaced value keeps the key's (as Redis does).
      if (this.data.has(key)) this.accessTracker.touch(key, this.host.now());
      else this.accessTracker.created(key, this.host.now());
    }
    const size = this.data.size;
    const old = this.data.get(key);
    // LRU order: a replaced value is a use of the key (delete first so set appends it).
    if (old !== undefined && this.lruOrder === 'data' && this.mayMove(key)) {
      this.data.delete(key);
      this.memory.main.reinserted();
    }
    this.data.set(key, value);
    if (old === undefined) this.memory.keyAdded(key, value);
    else this.memory.valueReplaced(old, value);
    if (this.expires.size !== 0 && (!keepTtl || this.staleOnReplica(key)) && this.expires.delete(key)) this.memory.expireRemoved();
    if (this.data.size !== size) this.host.keyCreated?.(this, key);
  }

  /**
   * A writable replica's client writes over a key whose TTL passed but which its primary has not
   * deleted yet: the key counts as absent, so it keeps no TTL (Redis deletes it at the lookup).
   */
  private staleOnReplica(key: Bytes): boolean {
    const at = this.expires.get(key);
    return at !== undefined && at <= this.host.now() && this.replicaOwnCommand();
  }

  /** A replica runs a command of one of its own clients (not of its primary's stream). */
  private replicaOwnCommand(): boolean {
    return this.host.isReplica() && this.host.seesExpiredKeys?.() !== true;
  }

  /**
   * Adds a key read from a dataset file (RDB loading): no keyspace event, no access tracking.
   * An existing key is replaced; the loader tells a duplicate by the size not growing.
   */
  load(key: Bytes, value: RedisValue, expireAt: number | undefined): void {
    this.putValue(key, value);
    if (expireAt !== undefined) this.setExpireEntry(key, expireAt);
    else if (this.expires.size !== 0 && this.expires.delete(key)) this.memory.expireRemoved();
  }

  /** data.set, counting the key's memory (a new key, or a value replacing another). */
  private putValue(key: Bytes, value: RedisValue): void {
    const old = this.data.get(key);
    this.data.set(key, value);
    if (old === undefined) this.memory.keyAdded(key, value);
    else this.memory.valueReplaced(old, value);
  }

  /** expires.set, counting a new entry. */
  private setExpireEntry(key: Bytes, at: number): void {
    const n = this.expires.size;
    this.expires.set(key, at);
    if (this.expires.size !== n) this.memory.expireAdded();
  }

  /** Replaces the value of an existing key, keeping its TTL (APPEND, INCR, SETRANGE...). */
  overwrite(key: Bytes, value: RedisValue): void {
    if (this.writeGuard !== undefined) this.writeGuard(this, key);
    this.putValue(key, value);
    if (this.accessTracker !== undefined) this.accessTracker.touch(key, this.host.now());
    if (this.lruOrder !== 'none') this.moveToEnd(key, value);
  }

  /** Deletes the key; true if it existed (expired keys count as missing). */
  delete(key: Bytes): boolean {
    const v = this.live(key);
    if (v === undefined) return false;
    if (this.writeGuard !== undefined) this.writeGuard(this, key);
    this.data.delete(key);
    this.memory.keyRemoved(key, v);
    if (this.expires.size !== 0 && this.expires.delete(key)) this.memory.expireRemoved();
    this.accessTracker?.forget(key);
    return true;
  }

  /** Removes every key. */
  flush(): number {
    const n = this.data.size;
    this.data = new Map();
    this.expires = new Map();
    this.memory = new DatasetMemory();
    this.expireCursor = null;
    this.randomCursor = null;
    this.localExpires = undefined;
    this.avgTtl = 0;
    this.accessTracker?.clear();
    return n;
  }

  /** Exchanges contents with another database (SWAPDB). */
  swapWith(other: Keyspace): void {
    [this.data, other.data] = [other.data, this.data];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.memory, other.memory] = [other.memory, this.memory];
    [this.avgTtl, other.avgTtl] = [other.avgTtl, this.avgTtl];
    [this.localExpires, other.localExpires] = [other.localExpires, this.localExpires];
    [this.accessTracker, other.accessTracker] = [other.accessTracker, this.accessTracker];
    this.expireCursor = other.expireCursor = null;
    this.randomCursor = other.randomCursor = null;
  }

  // ---- Expiry ----

  /** Unix ms at which the key expires, or undefined for no TTL. Assumes the key is live. */
  getExpire(key: Bytes): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  /** Sets an existing key's expiry time (unix ms). */
  setExpire(key: Bytes, at: number): void {
    if (this.writeGuard !== undefined) this.writeGuard(this, key);
    this.setExpireEntry(key, at);
    // A writable replica's own client set it: this replica expires the key (Redis rememberSlaveKeyWithExpire).
    if (this.replicaOwnCommand()) (this.localExpires ??= new Set()).add(key);
  }

  /**
   * On a replica: expires the keys its own clients gave a TTL whose time has passed, and forgets
   * those that lost their TTL or are gone (Redis expireSlaveKeys). Returns the number expired.
   */
  expireLocalKeys(): number {
    const local = this.localExpires;
    if (local === undefined) return 0;
    let expired = 0;
    const now = this.host.now();
    for (const key of local) {
      const at = this.expires.get(key);
      if (at === undefined) local.delete(key);
      else if (at <= now) {
        local.delete(key);
        this.deleteExpired(key);
        expired++;
      }
    }
    if (local.size === 0) this.localExpires = undefined;
    return expired;
  }

  /** Removes the TTL; true if there was one. */
  persist(key: Bytes): boolean {
    if (this.writeGuard !== undefined) this.writeGuard(this, key);
    if (!this.expires.delete(key)) return false;
    this.memory.expireRemoved();
    return true;
  }

  /**
   * One active expiry pass over this database, as Redis's activeExpireCycle: sample keys with a
   * TTL, delete the stale ones, and sample again while more than 10% of a sample was stale and
   * time remains. Returns the number of keys expired. Never runs on a replica.
   */
  activeExpireCycle(timeUp: () => boolean): number {
    if (this.expires.size === 0 || this.host.isReplica()) return 0;
    let expired = 0;
    let ttlSum = 0;
    let ttlSamples = 0;
    for (let round = 0; ; round++) {
      let sampled = 0;
      let stale = 0;
      const now = this.host.now();
      while (sampled < ACTIVE_EXPIRE_SAMPLE && this.expires.size > 0) {
        this.expireCursor ??= this.expires.entries();
        const r = this.expireCursor.next();
        if (r.done) {
          this.expireCursor = null;
          if (sampled >= this.expires.size) break;
          continue;
        }
        sampled++;
        const [key, at] = r.value;
        if (at <= now) {
          this.deleteExpired(key);
          stale++;
        } else {
          ttlSum += at - now;
          ttlSamples++;
        }
      }
      expired += stale;
      if (sampled === 0 || stale * 100 <= sampled * ACTIVE_EXPIRE_STALE_PERCENT) break;
      if ((round & 15) === 15 && timeUp()) break;
    }
    if (ttlSamples > 0) {
      const avg = ttlSum / ttlSamples;
      // Redis smooths avg_ttl over cycles the same way (2% of the new sample each time)
      this.avgTtl = this.avgTtl === 0 ? avg : (this.avgTtl / 50) * 49 + avg / 50;
    }
    return expired;
  }

  // ---- Iteration ----

  /** A random live key, or undefined when empty (RANDOMKEY). */
  randomKey(): Bytes | undefined {
    for (let tries = 0; tries < 100 && this.data.size > 0; tries++) {
      // Skip a random number of keys from a rotating live iterator: cheap, and spread over the map.
      let skip = Math.floor(Math.random() * Math.min(this.data.size, 64));
      for (;;) {
        this.randomCursor ??= this.data.keys();
        const r = this.randomCursor.next();
        if (r.done) {
          this.randomCursor = null;
          continue;
        }
        if (skip-- > 0) continue;
        const key = r.value;
        const at = this.expires.get(key);
        if (at !== undefined && at <= this.host.now()) {
          if (this.host.isReplica()) {
            if (this.expires.size === this.data.size) return key; // all volatile on a replica: give up
            break;
          }
          this.deleteExpired(key);
          break;
        }
        return key;
      }
    }
    return undefined;
  }
}
