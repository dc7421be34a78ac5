/**
 * Eviction: maxmemory and the eight maxmemory-policy values. Mirrors redis evict.c
 * (performEvictions, evictionPoolPopulate, evictionTimeProc) and the maxmemory part of server.c
 * processCommand, as the "Key eviction" documentation and redis.conf describe them.
 *
 * Before every command, while maxmemory is set, the dispatcher calls beforeCommand: when used
 * memory (memory/accounting.ts usedForEviction) is over the limit, keys are evicted until it is
 * not; when nothing can be evicted (noeviction, or a volatile-* policy with no key left that has
 * a TTL), commands flagged denyoom — and, inside MULTI, every command but EXEC/DISCARD/QUIT/RESET
 * — are refused with Redis's OOM error. Each call evicts for at most the time
 * maxmemory-eviction-tenacity allows; the rest continues between commands (evictionTimeProc).
 *
 * How a victim is chosen:
 *   *-lru     the keyspace keeps its Map in access order (Keyspace.lruOrder: a key looked up is
 *             moved to the end), so the first key is the least recently used one: exact LRU,
 *             O(1), and no per-key memory. allkeys-lru orders `data`, volatile-lru `expires`.
 *   *-lfu     the AccessTracker (keyspace/access-tracker.ts) keeps Redis's logarithmic counter
 *             per key; keys are sampled maxmemory-samples at a time per database into the
 *             16-entry EvictionPool (eviction-pool.ts), scored 255 - counter.
 *   volatile-ttl  sampled like LFU, scored by nearest expiry.
 *   *-random  the next key of a rotating iterator, after a random skip.
 * Sampling walks each database's Map with a live iterator (Maps cannot be indexed at random),
 * so over successive rounds every key is looked at, like a clock hand.
 *
 * Evicted keys are deleted as Redis's performEvictions does: DEL (UNLINK under
 * lazyfree-lazy-eviction) propagated to the AOF and replicas, WATCH and client-side caching
 * invalidated, the "evicted" keyspace event, evicted_keys counted.
 *
 * COMPAT: LRU is exact rather than sampled, and across databases the LRU and random policies take
 * their victims from the databases in turn (Redis compares idle times across databases).
 */
import { performance } from 'node:perf_hooks';
import type { Server } from '../server.js';
import type { Client } from '../client.js';
import type { CommandSpec } from '../commands/command-spec.js';
import type { Bytes } from '../keyspace/bytes.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import { AccessTracker } from '../keyspace/access-tracker.js';
import { ReplyError, replyError } from '../protocol/reply-errors.js';
import { EvictionPool } from './eviction-pool.js';

export type EvictionPolicy =
  | 'noeviction'
  | 'allkeys-lru'
  | 'allkeys-lfu'
  | 'allkeys-random'
  | 'volatile-lru'
  | 'volatile-lfu'
  | 'volatile-random'
  | 'volatile-ttl';

/** performEvictions' outcome: under the limit, still evicting in the background, or stuck. */
export type EvictionResult = 'ok' | 'running' | 'fail';

/** Redis's shared.oomerr. */
export const OOM = replyError("OOM command not allowed when used memory > 'maxmemory'.");

/** Commands a client in MULTI may still send when out of memory (processCommand's exceptions). */
const MULTI_OOM_EXEMPT = new Set(['exec', 'discard', 'quit', 'reset']);

/** The LFU counter of a key the tracker has no entry for (Redis's LFU_INIT_VAL). */
const LFU_MAX = 255;

/**
 * How full a table may get (live keys / slots) while its doubling would not fit: each in-place
 * compaction costs a walk of the Map and frees the slots above this share for the next additions.
 */
const TABLE_FULLEST = 0.75;

/**
 * Pool sampling (LFU, volatile-ttl) reads from this many cursors ("hands") spread over each
 * database's Map, a random one per sample, so that one round's samples do not all come from
 * neighbouring keys (keys created at about the same time). Redis samples at random places of
 * its table; a Map has no random access. Measured with scripts/hit-rate-bench.mjs (64 MB,
 * allkeys-lfu, Kioku's hit rate; Redis 80.99%): 1 hand 78.98%, 4 hands 79.57%, 8 hands 80.42%,
 * 16 hands 79.58%, 32 hands 78.63%; with --seed 7, 1 hand 78.97%, 8 hands 80.40%. Why the
 * optimum is there and not monotonic is not understood; 8 is what was measured best.
 */
const SAMPLING_HANDS = 8;

/** Rounds of pool sampling one pick may take before giving up (all sampled keys vanished). */
const MAX_SAMPLING_ROUNDS = 64;

/** A live iterator over one of a database's Maps, and which Map it walks. */
interface Cursor {
  owner: Map<Bytes, unknown>;
  it: Iterator<Bytes>;
}

export class Eviction {
  /** maxmemory in bytes (0: no limit). Read by the dispatcher before every command. */
  maxmemory = 0;
  private policy: EvictionPolicy = 'noeviction';
  /** maxmemory-samples: keys sampled per database per pool round. */
  private samples = 5;
  /** Microseconds one performEvictions call may spend (maxmemory-eviction-tenacity). */
  private timeLimitUs = 500;
  /** replica-ignore-maxmemory: a replica leaves eviction to its primary. */
  private replicaIgnores = true;
  /** lazyfree-lazy-eviction: evictions propagate as UNLINK rather than DEL. */
  private lazy = false;
  private readonly pool = new EvictionPool();
  /**
   * Position per database: where LFU, volatile-ttl and random policies sample next; for LRU
   * policies, the front of the access-ordered Map (everything before it has been evicted).
   */
  private readonly cursors = new Map<Keyspace, Cursor>();
  /** Pool policies: SAMPLING_HANDS cursors per database, started evenly spread over its Map. */
  private readonly hands = new Map<Keyspace, Cursor[]>();
  /** The database the next LRU or random victim is taken from first (Redis's next_db). */
  private nextDb = 0;
  /** evictionTimeProc: eviction went over its time limit and goes on between commands. */
  private timer: NodeJS.Immediate | undefined;

  constructor(private readonly server: Server) {}

  /** Reads the maxmemory parameters and sets up the per-key access data the policy needs. */
  configure(): void {
    const config = this.server.config;
    const maxmemory = config.getInt('maxmemory');
    const policy = config.get('maxmemory-policy') as EvictionPolicy;
    if (policy !== this.policy) {
      this.pool.clear();
      // An LRU cursor must start at the front of its Map.
      this.cursors.clear();
      this.hands.clear();
    }
    this.policy = policy;
    this.samples = config.getInt('maxmemory-samples');
    this.timeLimitUs = timeLimitUs(config.getInt('maxmemory-eviction-tenacity'));
    this.replicaIgnores = config.getBool('replica-ignore-maxmemory');
    this.lazy = config.getBool('lazyfree-lazy-eviction');
    const lfu = { logFactor: config.getInt('lfu-log-factor'), decayMinutes: config.getInt('lfu-decay-time') };
    const order = policy === 'allkeys-lru' ? 'data' : policy === 'volatile-lru' ? 'expires' : 'none';
    const now = this.server.now();
    for (const db of this.server.keyspaces) {
      db.lruOrder = order;
      if (policy.endsWith('-lfu')) {
        // Every key needs its counter from now on; keys not seen yet count as new ones.
        if (db.accessTracker?.mode !== 'lfu') db.accessTracker = new AccessTracker('lfu', now, lfu, Math.random, db.size);
        db.accessTracker.lfu = lfu;
      } else if (db.accessTracker?.mode === 'lfu') {
        // Counters mean nothing to the other policies; OBJECT IDLETIME starts LRU tracking anew.
        db.accessTracker = undefined;
      }
    }
    // A lower limit set at run time takes effect at once (Redis updateMaxmemory).
    if (maxmemory !== this.maxmemory && maxmemory !== 0) this.startTimer();
    this.maxmemory = maxmemory;
  }

  /**
   * processCommand's maxmemory step: evict as needed, then the OOM error to refuse the command
   * with, or undefined to run it.
   */
  beforeCommand(client: Client, spec: CommandSpec, argc: number): ReplyError | undefined {
    const adds = this.policy !== 'noeviction' && spec.has('denyoom') ? argc : 0;
    if (this.perform(adds) !== 'fail') return undefined;
    // COMPAT: a replica (with replica-ignore-maxmemory no) still applies its primary's stream.
    if (client.fromPrimary) return undefined;
    const multi = client.multi;
    let refuse = spec.has('denyoom');
    if (multi !== undefined) {
      // Queuing takes memory too; EXEC is refused only when it would run a denyoom command.
      if (spec.fullName === 'exec') refuse = multi.queue.some((q) => q.spec.has('denyoom'));
      else if (!MULTI_OOM_EXEMPT.has(spec.fullName)) refuse = true;
    }
    return refuse ? OOM : undefined;
  }

  /**
   * Redis performEvictions: evicts until used memory is within maxmemory, or time is up. Before
   * a command that may add keys (`adds`: how many at most, 0 for others and the background
   * eviction), it also keeps the databases' tables from doubling past maxmemory.
   *
   * Why: a Map's table holds its entries (28 bytes a slot), and V8 doubles it when additions fill
   * it while fewer than half its slots are deleted ones — in a cache under eviction, deletions and
   * additions fill it again and again. For millions of keys a doubling is tens of megabytes in one
   * insertion, after which eviction shrinks the keyspace below a quarter of the new table, V8
   * halves it, and so on. Redis 7.0 refuses to expand a database's table past maxmemory
   * (dictExpandAllowed). A Map cannot refuse, so while a doubling would not fit: the keys above
   * three quarters of a table are evicted (tableDebt), and when this command's additions would
   * fill the table it is compacted in place first (Keyspace.compactTable).
   */
  perform(adds = 0): EvictionResult {
    if (!this.safe()) return 'ok';
    let result: EvictionResult;
    const room = this.maxmemory - this.server.memory.usedForEviction();
    if (room >= 0 && (adds === 0 || !this.tablesAtRisk(room, adds))) result = 'ok';
    else if (this.policy === 'noeviction') result = room >= 0 ? 'ok' : 'fail';
    else {
      result = this.evictUntilFits(adds);
      if (result !== 'fail') this.compactFullTables(adds);
    }
    this.measureExceeded(result);
    return result;
  }

  /** Stops the background eviction (server shutdown). */
  stop(): void {
    if (this.timer !== undefined) clearImmediate(this.timer);
    this.timer = undefined;
  }

  /**
   * Redis isSafeToPerformEvictions: not while loading, nor on a replica that ignores maxmemory,
   * nor while CLIENT PAUSE holds the dataset still.
   */
  private safe(): boolean {
    if (this.maxmemory === 0 || this.server.persistence.loading !== undefined || this.server.pause.active) return false;
    return !(this.replicaIgnores && this.server.isReplica());
  }

  private evictUntilFits(adds: number): EvictionResult {
    const memory = this.server.memory;
    const started = performance.now();
    let freed = 0;
    while (memory.usedForEviction() > this.maxmemory || (adds !== 0 && this.tableDebt() !== 0)) {
      const victim = this.pick();
      // Nothing left to evict: refused only when over the limit itself (table debt is not).
      if (victim === undefined || !this.evict(victim.db, victim.key)) return memory.usedForEviction() <= this.maxmemory ? 'ok' : 'fail';
      // As Redis: look at the clock every 16 keys; past the limit, go on between commands —
      // unless this command's additions would double a table that does not fit (all at once).
      if ((++freed & 15) === 0 && (performance.now() - started) * 1000 > this.timeLimitUs && !this.doublingDue(adds)) {
        if (memory.usedForEviction() <= this.maxmemory) return 'ok';
        this.startTimer();
        return 'running';
      }
    }
    return 'ok';
  }

  /** evictionTimeProc: keeps evicting on later event-loop turns until done or stuck. */
  private startTimer(): void {
    if (this.timer !== undefined) return;
    const tick = (): void => {
      this.timer = undefined;
      if (this.perform() === 'running' && this.timer === undefined) this.timer = setImmediate(tick);
    };
    this.timer = setImmediate(tick);
  }

  /** Is a table whose doubling would not fit in `room` too full, or about to fill with `adds` additions? */
  private tablesAtRisk(room: number, adds: number): boolean {
    for (const db of this.server.keyspaces) {
      const { main, expires } = db.memory;
      if (main.doublingBytes > room && (main.liveAbove(TABLE_FULLEST) !== 0 || main.doublesIfAdding(adds))) return true;
      if (expires.doublingBytes > room && (expires.liveAbove(TABLE_FULLEST) !== 0 || expires.doublesIfAdding(adds))) return true;
    }
    return false;
  }

  /** Keys above three quarters of their table, in the tables whose doubling would not fit (see perform). */
  private tableDebt(): number {
    const room = this.maxmemory - this.server.memory.usedForEviction();
    let debt = 0;
    for (const db of this.server.keyspaces) {
      const { main, expires } = db.memory;
      if (main.doublingBytes > room) debt += main.liveAbove(TABLE_FULLEST);
      if (expires.doublingBytes > room) debt += expires.liveAbove(TABLE_FULLEST);
    }
    return debt;
  }

  /** Would `adds` additions double a table whose doubling does not fit? */
  private doublingDue(adds: number): boolean {
    if (adds === 0) return false;
    const room = this.maxmemory - this.server.memory.usedForEviction();
    return this.server.keyspaces.some(({ memory: { main, expires } }) =>
      (main.doublesIfAdding(adds) && main.doublingBytes > room) || (expires.doublesIfAdding(adds) && expires.doublingBytes > room));
  }

  /** Compacts in place the tables that `adds` additions would double past maxmemory. */
  private compactFullTables(adds: number): void {
    const room = this.maxmemory - this.server.memory.usedForEviction();
    for (const db of this.server.keyspaces) {
      const { main, expires } = db.memory;
      if (main.doublesIfAdding(adds) && main.doublingBytes > room) db.compactTable('data');
      if (expires.doublesIfAdding(adds) && expires.doublingBytes > room) db.compactTable('expires');
    }
  }

  /** INFO total_ / current_eviction_exceeded_time: how long used memory has been over the limit. */
  private measureExceeded(result: EvictionResult): void {
    const stats = this.server.stats;
    if (result !== 'ok') {
      if (stats.evictionExceededSince === 0) stats.evictionExceededSince = performance.now();
    } else if (stats.evictionExceededSince !== 0) {
      stats.evictionExceededMs += performance.now() - stats.evictionExceededSince;
      stats.evictionExceededSince = 0;
    }
  }

  // ---- Choosing a victim ----

  private pick(): { db: Keyspace; key: Bytes } | undefined {
    switch (this.policy) {
      case 'allkeys-lru':
      case 'volatile-lru':
      case 'allkeys-random':
      case 'volatile-random':
        return this.pickInTurn();
      default:
        return this.pickFromPool();
    }
  }

  /** The dictionary a policy evicts from: every key, or only those with a TTL. */
  private dict(db: Keyspace): Map<Bytes, unknown> {
    return this.policy.startsWith('allkeys') ? db.data : db.expires;
  }

  /** LRU: the least recently used key; random: a key at random; from the databases in turn. */
  private pickInTurn(): { db: Keyspace; key: Bytes } | undefined {
    const dbs = this.server.keyspaces;
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[(this.nextDb + i) % dbs.length]!;
      const dict = this.dict(db);
      if (dict.size === 0) continue;
      this.nextDb = (this.nextDb + i + 1) % dbs.length;
      // The front of the Map, through the kept cursor: a new iterator would step over every hole
      // that deletions left at the front of V8's table (until it compacts), on each eviction.
      if (this.policy.endsWith('-lru')) return { db, key: this.sample(db, dict) };
      let skip = Math.floor(Math.random() * Math.min(dict.size, 32));
      let key = this.sample(db, dict);
      while (skip-- > 0) key = this.sample(db, dict);
      return { db, key };
    }
    return undefined;
  }

  /** LFU and volatile-ttl: fill the pool from every database, take its best live entry. */
  private pickFromPool(): { db: Keyspace; key: Bytes } | undefined {
    const now = this.server.now();
    for (let round = 0; round < MAX_SAMPLING_ROUNDS; round++) {
      let keys = 0;
      for (const db of this.server.keyspaces) {
        const dict = this.dict(db);
        if (dict.size === 0) continue;
        keys += dict.size;
        const n = Math.min(this.samples, dict.size);
        for (let i = 0; i < n; i++) {
          // Sampling as many keys as there are: one cursor's walk offers each exactly once.
          const key = n === dict.size ? this.sample(db, dict) : this.sampleSpread(db, dict);
          this.pool.offer(db, key, this.score(db, key, now));
        }
      }
      if (keys === 0) return undefined;
      for (let best = this.pool.takeBest(); best !== undefined; best = this.pool.takeBest()) {
        if (this.dict(best.db).has(best.key)) return best;
      }
    }
    return undefined;
  }

  /** Higher is evicted first: 255 - LFU counter, or the earlier expiry for volatile-ttl. */
  private score(db: Keyspace, key: Bytes, now: number): number {
    if (this.policy === 'volatile-ttl') return -(db.expires.get(key) ?? 0);
    const tracker = db.accessTracker;
    return LFU_MAX - (tracker === undefined ? 0 : tracker.frequency(key, now));
  }

  /** A sample for the pool: the next key of one of the database's hands, chosen at random. */
  private sampleSpread(db: Keyspace, dict: Map<Bytes, unknown>): Bytes {
    let hands = this.hands.get(db);
    if (hands === undefined || hands[0]!.owner !== dict) {
      // Spread the hands evenly: one walk of the Map, when the policy or the Map changes.
      hands = [];
      const gap = Math.floor(dict.size / SAMPLING_HANDS);
      for (let h = 0; h < SAMPLING_HANDS; h++) {
        const hand = { owner: dict, it: dict.keys() };
        for (let i = 0; i < h * gap; i++) hand.it.next();
        hands.push(hand);
      }
      this.hands.set(db, hands);
    }
    const hand = hands[Math.floor(Math.random() * hands.length)]!;
    let r = hand.it.next();
    if (r.done === true) {
      hand.it = dict.keys();
      r = hand.it.next();
    }
    return r.value as Bytes;
  }

  /**
   * The next key of the database's rotating iterator over `dict` (not empty). Keys are only ever
   * added at the end, so under LRU order, once the keys it passed are evicted, it stays on the
   * least recently used key.
   */
  private sample(db: Keyspace, dict: Map<Bytes, unknown>): Bytes {
    let cursor = this.cursors.get(db);
    if (cursor === undefined || cursor.owner !== dict) {
      cursor = { owner: dict, it: dict.keys() };
      this.cursors.set(db, cursor);
    }
    let r = cursor.it.next();
    if (r.done === true) {
      cursor.it = dict.keys();
      r = cursor.it.next();
    }
    return r.value as Bytes;
  }

  // ---- Deleting ----

  /**
   * Deletes one victim as Redis's performEvictions does, with its DEL, event and counters.
   * False when the key could not be deleted (a replica keeps keys whose TTL passed).
   */
  private evict(db: Keyspace, key: Bytes): boolean {
    const server = this.server;
    // A key whose TTL passed is deleted as an expiry (it frees the memory all the same).
    if (db.peekNoTouch(key) === undefined) return !this.dict(db).has(key);
    db.delete(key);
    server.keyDeletedByServer(db, key, this.lazy ? 'UNLINK' : 'DEL', 'evicted');
    server.stats.evictedKeys++;
    return true;
  }
}

/** Redis evictionTimeLimitUs: 50µs per tenacity step up to 10, then +15% a step; 100: no limit. */
function timeLimitUs(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return 500 * Math.pow(1.15, tenacity - 10);
  return Infinity;
}
