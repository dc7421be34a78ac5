/**
 * Snapshot: a point-in-time image of every database, written while clients keep reading and
 * writing (BGSAVE, BGREWRITEAOF). Redis forks and lets the kernel copy pages on write; Node
 * cannot fork, so Kioku copies on write per key instead:
 *
 * - At the start, each non-empty database's `data` and `expires` Maps are captured by identity.
 *   FLUSHDB/FLUSHALL replace a keyspace's Maps and SWAPDB exchanges them, so the captured Maps
 *   keep their point-in-time contents under those commands for free.
 * - The image is produced in slices of SLICE_MS, each handed to a sink (a file: an asynchronous
 *   write; replicas' sockets for a diskless sync: replication/full-sync.ts), so the event loop
 *   keeps serving clients between slices. A sink may make the snapshot wait (backpressure).
 * - Before any key changes (its value, its TTL, its existence) while the snapshot runs, the
 *   keyspace and the dispatcher call `preserve(db, key)`. If the key has not been written out
 *   yet, its current value (deep-copied: aggregates change in place) and TTL are kept aside in
 *   `touched`, or ABSENT when the key did not exist at the start. The writer emits the kept
 *   version instead of the live one, skips ABSENT keys, and at the end emits kept keys that were
 *   deleted before it reached them.
 * - "Written out yet?" must be answerable without remembering every key written (that would cost
 *   a Set as large as the keyspace). Keys are split into `buckets` by a hash of their bytes and a
 *   database is written one bucket per pass over its Map: a key of an earlier bucket is written;
 *   within the current bucket, `visited` holds the keys written so far. With one bucket per two
 *   million keys, `visited` stays under two million entries whatever the keyspace size. It grows
 *   during the first bucket and is emptied and refilled by each next one without allocating
 *   (datastructures/hashed-key-set.ts). It and `touched` are sharded so that no single table
 *   grows (and rehashes) large in one go.
 * - `visited` is filled whether or not anything changes. Filling it only from a database's first
 *   change on (replaying the keys written so far) saved a third of the time with V8 Sets, but
 *   the replay of up to a whole Map's keys was one synchronous step: a first write late in a
 *   pass would have stalled the server for as long as a second.
 *
 * Extra memory is therefore the kept copies of keys written during the snapshot (as with a fork's
 * copied pages), `visited`, and one slice's output buffer.
 */
import fs from 'node:fs/promises';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Bytes } from '../keyspace/bytes.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import { copyValue, type RedisValue } from '../keyspace/redis-value.js';
import type { Server } from '../server.js';
import { valueBytes } from '../keyspace/memory-usage.js';
import { HashedKeySet } from '../datastructures/hashed-key-set.js';

/** Turns the image into bytes: RDB (rdb-file.ts) or AOF commands (aof-command-encoder.ts). */
export interface SnapshotEncoder {
  /** Before the first database. */
  begin(): void;
  /** A database with keys starts: its index and its sizes when the snapshot started. */
  selectDb(index: number, keys: number, expires: number): void;
  /** One key as it was when the snapshot started (expireAt: unix ms, or undefined for no TTL). */
  entry(key: Bytes, value: RedisValue, expireAt: number | undefined): void;
  /** After the last database. */
  end(): void;
  /** The bytes produced since the last take. */
  take(): Buffer;
}

/**
 * Where a snapshot's bytes go: a file (BGSAVE, AOF rewrite) or replicas' sockets (diskless
 * replication, replication/rdb-transfer.ts).
 */
export interface SnapshotSink {
  /** Takes the next chunk; a returned promise makes the snapshot wait (backpressure, or a failure: rejects). */
  write(chunk: Buffer): Promise<void> | undefined;
  /** After the last chunk: resolves once every byte is delivered (a file: written and fsynced). */
  finish(): Promise<void>;
  /** Always called last, after success or failure: releases what the sink holds. */
  close(): Promise<void>;
}

/** The file sink: positioned writes, several in flight (up to MAX_IN_FLIGHT bytes), fsync at the end. */
class FileSink implements SnapshotSink {
  private offset = 0;
  private inFlight: Promise<void>[] = [];
  private inFlightBytes = 0;
  private writeError: Error | undefined;

  private constructor(private readonly file: fs.FileHandle) {}

  static async open(path: string): Promise<FileSink> {
    return new FileSink(await fs.open(path, 'w'));
  }

  write(chunk: Buffer): Promise<void> | undefined {
    if (this.writeError !== undefined) return Promise.reject(this.writeError);
    const done = this.file.write(chunk, 0, chunk.length, this.offset).then(
      () => undefined,
      (e: Error) => {
        this.writeError ??= e;
      },
    );
    this.offset += chunk.length;
    this.inFlight.push(done);
    this.inFlightBytes += chunk.length;
    return this.inFlightBytes > MAX_IN_FLIGHT ? this.drain() : undefined;
  }

  private async drain(): Promise<void> {
    const writes = this.inFlight;
    this.inFlight = [];
    this.inFlightBytes = 0;
    await Promise.all(writes);
    if (this.writeError !== undefined) throw this.writeError;
  }

  async finish(): Promise<void> {
    await this.drain();
    await this.file.sync();
  }

  async close(): Promise<void> {
    await this.drain().catch(() => undefined);
    await this.file.close();
  }
}

/** How a snapshot paces itself. */
export interface SnapshotOptions {
  /** Work done between two yields to the event loop (ms). */
  sliceMs?: number;
  /** Keys per bucket pass: bounds `visited`, at the cost of one pass over the Map per bucket. */
  keysPerBucket?: number;
}
const SLICE_MS = 3;
/** Bytes of file writes allowed in flight before the snapshot waits for them. */
const MAX_IN_FLIGHT = 8 << 20;
const KEYS_PER_BUCKET = 1 << 21;
/**
 * `touched` and `visited` are split into this many tables by key hash: growing one huge Map
 * rehashes it in one go (measured: a ~80 ms pause at a million keys), a shard's rehash is tiny.
 */
const SHARDS = 64;
/** Keys looked at between two clock reads. */
const CLOCK_EVERY = 64;

/** A key kept aside: its value and TTL when the snapshot started, and what keeping it costs. */
interface Kept {
  value: RedisValue;
  expireAt: number | undefined;
  bytes: number;
}
/** A kept entry's own cost: the record and its Map entry (a string value is shared, not copied). */
const KEPT_ENTRY_BYTES = 64;
/** A key that did not exist when the snapshot started. */
const ABSENT = null;

/** One database's part of the image. */
class DbImage {
  /** Keys written during the snapshot and not yet written out: their start-time state (by shard). */
  readonly touched: Map<Bytes, Kept | typeof ABSENT>[] = Array.from({ length: SHARDS }, () => new Map());
  touchedCount = 0;
  /**
   * Keys of the current bucket written out so far (by shard): emptied after each bucket and
   * filled again, in sets that keep their arrays (HashedKeySet says why).
   */
  readonly visited: HashedKeySet[] = Array.from({ length: SHARDS }, () => new HashedKeySet());
  /** The bucket being written; keys of lower buckets are written. */
  bucket = 0;
  readonly buckets: number;
  finished = false;
  readonly keys: number;
  readonly expiring: number;
  /** The keys a bucket puts in one shard of `visited` (and a twentieth more). */
  readonly visitedPerShard: number;

  constructor(
    readonly index: number,
    readonly data: Map<Bytes, RedisValue>,
    readonly expires: Map<Bytes, number>,
    keysPerBucket: number,
  ) {
    this.keys = data.size;
    this.expiring = expires.size;
    this.buckets = Math.max(1, Math.ceil(data.size / keysPerBucket));
    this.visitedPerShard = Math.ceil((Math.min(data.size, keysPerBucket) * 1.05) / SHARDS);
  }

  /** Has the key (of hash h) been written out already? */
  written(key: Bytes, h: number): boolean {
    if (this.finished) return true;
    const b = h % this.buckets;
    return b < this.bucket || (b === this.bucket && this.visited[shardOf(h)]!.has(key, h));
  }
}

/**
 * A hash (uint32) of all the key's bytes. It picks the bucket, the shard and the slot in
 * `visited`, which probes linearly: keys that hashed alike because the hash skipped the bytes
 * they differ in would make one chain, quadratic to fill. Writing the key out reads every byte
 * anyway.
 */
function keyHash(key: Bytes): number {
  const n = key.length;
  let h = n | 0;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x9e3779b1);
  h ^= h >>> 15;
  return h >>> 0;
}

/** The shard of `touched` / `visited` for a key hash (bits independent of the bucket's). */
function shardOf(h: number): number {
  return Math.imul(h, 0x85ebca6b) >>> 26;
}

export class Snapshot {
  /** Resolves once the file is complete and fsynced; rejects with the I/O error otherwise. */
  readonly done: Promise<void>;
  private readonly images: DbImage[] = [];
  /** Captured `data` Map → its image (a keyspace's Map may move: SWAPDB). */
  private readonly byMap = new Map<Map<Bytes, RedisValue>, DbImage>();
  private cancelled = false;
  /** Bytes handed to the sink so far. */
  bytesWritten = 0;
  /** Keys of the image (at the start), and those written out so far (INFO current_save_keys_*). */
  readonly keysTotal: number;
  keysProcessed = 0;
  /**
   * Estimated bytes held by kept copies now, and at most (INFO current_cow_size / _peak): what
   * a forked Redis reports as copy-on-write memory.
   */
  keptBytes = 0;
  peakKeptBytes = 0;

  private readonly sliceMs: number;
  /**
   * rdb-key-save-delay (µs per key; a testing hook of Redis's that slows its child down): here the
   * snapshot waits that long per key, between slices, while the server keeps serving.
   */
  private readonly keyDelayUs: number;
  private delayOwedUs = 0;

  private constructor(
    private readonly server: Server,
    private readonly encoder: SnapshotEncoder,
    out: string | SnapshotSink,
    opts: SnapshotOptions,
  ) {
    this.sliceMs = opts.sliceMs ?? SLICE_MS;
    this.keyDelayUs = server.config.getInt('rdb-key-save-delay');
    for (const db of server.keyspaces) {
      if (db.size === 0) continue;
      const image = new DbImage(db.index, db.data, db.expires, opts.keysPerBucket ?? KEYS_PER_BUCKET);
      this.images.push(image);
      this.byMap.set(db.data, image);
    }
    this.keysTotal = this.images.reduce((n, image) => n + image.keys, 0);
    const guard = (db: Keyspace, key: Bytes) => this.preserve(db, key);
    for (const db of server.keyspaces) db.writeGuard = guard;
    server.snapshotGuard = guard;
    server.snapshot = this;
    this.done = this.write(out).finally(() => this.release());
  }

  /**
   * Starts an image of every database as it is now, written in slices to `out`: a file path
   * (written and fsynced) or a sink. Until it ends, every keyspace calls `preserve` before
   * changing a key. One at a time.
   */
  static start(server: Server, encoder: SnapshotEncoder, out: string | SnapshotSink, opts: SnapshotOptions = {}): Snapshot {
    if (server.snapshotGuard !== undefined) throw new Error('a snapshot is already running');
    return new Snapshot(server, encoder, out, opts);
  }

  /** Stops writing; `done` rejects. The caller removes the partial file. */
  cancel(): void {
    this.cancelled = true;
  }

  /** Called before `key` of `db` changes in any way. */
  preserve(db: Keyspace, key: Bytes): void {
    const image = this.byMap.get(db.data);
    if (image === undefined || image.finished) return;
    const h = keyHash(key);
    const touched = image.touched[shardOf(h)]!;
    if (touched.has(key) || image.written(key, h)) return;
    const value = image.data.get(key);
    if (value === undefined) touched.set(key, ABSENT);
    else {
      const bytes = KEPT_ENTRY_BYTES + (typeof value === 'string' ? 0 : valueBytes(value));
      touched.set(key, { value: copyValue(value), expireAt: image.expires.get(key), bytes });
      this.keptBytes += bytes;
      if (this.keptBytes > this.peakKeptBytes) this.peakKeptBytes = this.keptBytes;
    }
    image.touchedCount++;
  }

  private release(): void {
    for (const db of this.server.keyspaces) db.writeGuard = undefined;
    this.server.snapshotGuard = undefined;
    this.server.snapshot = undefined;
    this.keptBytes = 0;
  }

  private async write(out: string | SnapshotSink): Promise<void> {
    const sink = typeof out === 'string' ? await FileSink.open(out) : out;
    try {
      this.encoder.begin();
      for (const image of this.images) {
        this.encoder.selectDb(image.index, image.keys, image.expiring);
        await this.writeDb(sink, image);
      }
      this.encoder.end();
      await this.flush(sink);
      await sink.finish();
    } finally {
      await sink.close();
    }
  }

  /**
   * Between two slices: hands what the slice produced to the sink (waiting when it asks to),
   * then yields to the event loop so that clients are read and served before the next slice.
   */
  private async flush(sink: SnapshotSink): Promise<void> {
    if (this.cancelled) throw new Error('snapshot cancelled');
    const chunk = this.encoder.take();
    if (chunk.length > 0) {
      this.bytesWritten += chunk.length;
      const wait = sink.write(chunk);
      if (wait !== undefined) await wait;
    }
    if (this.delayOwedUs >= 1000) {
      // rdb-key-save-delay: the delay is waited out without blocking the event loop.
      const ms = Math.floor(this.delayOwedUs / 1000);
      this.delayOwedUs -= ms * 1000;
      await new Promise((resolve) => setTimeout(resolve, ms));
    } else {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Writes a kept key out; its copy is then garbage. */
  private emitKept(key: Bytes, kept: Kept): void {
    this.encoder.entry(key, kept.value, kept.expireAt);
    this.keptBytes -= kept.bytes;
    this.keysProcessed++;
  }

  /** Writes one database, bucket by bucket, a slice at a time. */
  private async writeDb(sink: SnapshotSink, image: DbImage): Promise<void> {
    const enc = this.encoder;
    // `visited` is sized for a bucket up front, a few shards per slice, rather than grown during
    // the first pass: its small arrays, young and surviving, made scavenges of up to 8 ms there.
    let deadline = performance.now() + this.sliceMs;
    for (const visited of image.visited) {
      visited.reserve(image.visitedPerShard);
      if (performance.now() >= deadline) {
        await this.flush(sink);
        this.server.flushPendingReplies();
        deadline = performance.now() + this.sliceMs;
      }
    }
    for (image.bucket = 0; image.bucket < image.buckets; image.bucket++) {
      const it = image.data.entries();
      for (;;) {
        // Replies ready since the last slice leave first, not one slice later.
        this.server.flushPendingReplies();
        const deadline = performance.now() + this.sliceMs;
        let exhausted = false;
        let n = 0;
        for (;;) {
          if (++n % CLOCK_EVERY === 0 && performance.now() >= deadline) break;
          const next = it.next();
          if (next.done === true) {
            exhausted = true;
            break;
          }
          const [key, value] = next.value;
          const h = keyHash(key);
          if (image.buckets > 1 && h % image.buckets !== image.bucket) continue;
          const shard = shardOf(h);
          // Already there: deleted and created again behind the iterator.
          if (!image.visited[shard]!.add(key, h)) continue;
          let kept: Kept | typeof ABSENT | undefined;
          if (image.touchedCount !== 0) {
            const touched = image.touched[shard]!;
            kept = touched.get(key);
            if (kept !== undefined) {
              touched.delete(key);
              image.touchedCount--;
            }
          }
          if (kept === undefined) {
            enc.entry(key, value, image.expires.size === 0 ? undefined : image.expires.get(key));
            this.keysProcessed++;
          } else if (kept !== ABSENT) this.emitKept(key, kept);
          // rdb-key-save-delay: the slice ends once a millisecond of delay is owed (paid in flush).
          if (this.keyDelayUs !== 0 && (this.delayOwedUs += this.keyDelayUs) >= 1000) break;
        }
        if (exhausted) break;
        await this.flush(sink);
      }
      // Keys of this bucket deleted before the pass reached them: their kept state. The scan
      // yields like the pass (it meets every bucket's kept keys: a tenth of a second's worth at
      // a few hundred thousand). `visited` stays whole until it ends: a key written behind the
      // iterator meanwhile is one new since the pass ended (kept as ABSENT, harmlessly).
      let deadline = performance.now() + this.sliceMs;
      let n = 0;
      for (let shard = 0; shard < SHARDS; shard++) {
        const touched = image.touched[shard]!;
        for (const [key, kept] of touched) {
          if (++n % CLOCK_EVERY === 0 && performance.now() >= deadline) {
            await this.flush(sink);
            this.server.flushPendingReplies();
            deadline = performance.now() + this.sliceMs;
          }
          const h = keyHash(key);
          if (h % image.buckets !== image.bucket) continue;
          touched.delete(key);
          image.touchedCount--;
          if (kept === ABSENT) continue;
          if (image.visited[shard]!.has(key, h)) this.keptBytes -= kept.bytes;
          else this.emitKept(key, kept);
        }
      }
      for (const visited of image.visited) visited.clear();
      await this.flush(sink);
    }
    image.finished = true;
  }
}

/**
 * Writes every non-empty database through `enc` into `path` at once, blocking, and fsyncs it
 * (SAVE, SHUTDOWN's save, the AOF base made at start-up). Returns the bytes written.
 */
export function writeImageSync(server: Server, enc: SnapshotEncoder, path: string): number {
  const fd = openSync(path, 'w');
  let size = 0;
  const drain = () => {
    const chunk = enc.take();
    if (chunk.length > 0) size += writeSync(fd, chunk);
  };
  try {
    enc.begin();
    let n = 0;
    for (const db of server.keyspaces) {
      if (db.size === 0) continue;
      enc.selectDb(db.index, db.size, db.expires.size);
      for (const [key, value] of db.data) {
        enc.entry(key, value, db.expires.size === 0 ? undefined : db.expires.get(key));
        if (++n % 1024 === 0) drain();
      }
    }
    enc.end();
    drain();
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return size;
}
