/**
 * The bytes a database's dataset takes, counted as it changes, and MEMORY USAGE's answer for one
 * key. Mirrors the role of Redis's per-allocation accounting (zmalloc's used_memory, which every
 * dbAdd / dbDelete / setKey moves) and of object.c objectComputeSize() for MEMORY USAGE.
 *
 * A Keyspace owns one DatasetMemory and reports every key added or removed, every value replaced
 * and every TTL set or dropped; an aggregate stored in it points at it (AccountedValue.owner) and
 * adds the change of its own size after each of its mutations. So the total is exact after any
 * command, in O(1) per write, with no walk over the keys: maxmemory and eviction can read it
 * before every command. The costs come from datastructures/heap-layout.ts.
 *
 * What one key costs: its key string, its share of the keyspace Map's table, its value (a string
 * value's string, or the aggregate's `bytes`), and with a TTL an entry in the expires Map plus the
 * time as a HeapNumber. Keys with access tracking (LFU policies, OBJECT FREQ / IDLETIME) add an
 * entry in the tracker's Map.
 */
import type { Bytes } from './bytes.js';
import type { RedisValue } from './redis-value.js';
import { HEAP_NUMBER, MapShape, stringBytes, type ByteCounter } from '../datastructures/heap-layout.js';

/** The bytes of a value: a string value's string, or an aggregate's own count. */
export function valueBytes(v: RedisValue): number {
  return typeof v === 'string' ? stringBytes(v.length) : v.bytes;
}

export class DatasetMemory implements ByteCounter {
  /**
   * Key strings, values (aggregates report their changes here while `owner` is this) and the
   * HeapNumbers of the TTLs. The two Maps' tables are in `main` and `expires`.
   */
  bytes = 0;
  /** The capacity of the keyspace Map (Keyspace.data). */
  readonly main = new MapShape();
  /** The capacity of the expires Map (Keyspace.expires). */
  readonly expires = new MapShape();

  /** The dataset's bytes, the access tracker's `trackerBytes` included. O(1). */
  total(trackerBytes: number): number {
    return this.bytes + this.main.bytes + this.expires.bytes + trackerBytes;
  }

  /** A key and its value were added. */
  keyAdded(key: Bytes, value: RedisValue): void {
    this.main.added();
    this.bytes += stringBytes(key.length) + this.attach(value);
  }

  /** A key and its value were removed. */
  keyRemoved(key: Bytes, value: RedisValue): void {
    this.main.removed();
    this.bytes -= stringBytes(key.length) + this.detach(value);
  }

  /** An existing key got another value (the key string stays: the Map keeps its first one). */
  valueReplaced(old: RedisValue, value: RedisValue): void {
    const freed = this.detach(old);
    this.bytes += this.attach(value) - freed;
  }

  /** A key got a TTL (a new entry in the expires Map). */
  expireAdded(): void {
    this.expires.added();
    this.bytes += HEAP_NUMBER;
  }

  /** A key lost its TTL. */
  expireRemoved(): void {
    this.expires.removed();
    this.bytes -= HEAP_NUMBER;
  }

  /** The value is stored here from now on: its later changes count here. Returns its bytes. */
  private attach(v: RedisValue): number {
    if (typeof v === 'string') return stringBytes(v.length);
    v.owner = this;
    v.stores++;
    return v.bytes;
  }

  /** The value is no longer stored here. Returns its bytes. */
  private detach(v: RedisValue): number {
    if (typeof v === 'string') return stringBytes(v.length);
    if (--v.stores === 0) v.owner = null;
    return v.bytes;
  }

  /**
   * MEMORY USAGE of a key stored here: its string, its share of the keyspace Map's table, its
   * value, and with a TTL its share of the expires Map's table plus the HeapNumber.
   */
  keyUsage(key: Bytes, value: RedisValue, hasTtl: boolean): number {
    let n = stringBytes(key.length) + this.main.entryShare + valueBytes(value);
    if (hasTtl) n += this.expires.entryShare + HEAP_NUMBER;
    return n;
  }
}
