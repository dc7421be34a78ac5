/**
 * RedisHash: the value of a hash key, in one of Redis 7.0's two encodings.
 *
 * - "listpack": a flat array [f1, v1, f2, v2, ...] in insertion order, searched linearly. Small
 *   hashes (the common case) cost one array and no per-field objects, and every reply that walks
 *   the hash (HGETALL, HKEYS, HSCAN...) comes out in exactly Redis's order.
 * - "hashtable": a DenseMap (dense-dict.ts), O(1) lookups and O(1) uniform random picks.
 *
 * The conversion is one-way, as in Redis: a write that makes a field or value longer than
 * hash-max-listpack-value, or the field count larger than hash-max-listpack-entries, turns the
 * listpack into a hashtable, which stays one however small the hash becomes again. Redis checks
 * both after every set of a field (new or updated), so a plain update can convert a listpack that
 * outgrew a lowered limit; deletions never convert.
 *
 * Memory: `bytes` (AccountedValue) is this object, the listpack array (always exactly its length,
 * so its size is known) or the DenseMap (which counts itself), and the strings; every mutator
 * charges its change in O(1), a conversion in O(N) once.
 *
 * Mirrors redis t_hash.c's hashType* API (hashTypeSet, hashTypeDelete, hashTypeConvert) and the
 * OBJ_ENCODING_LISTPACK / OBJ_ENCODING_HT split. Knows nothing of the server: the limits are
 * passed in by the caller.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { DenseMap } from './dense-dict.js';
import { AccountedValue, arrayBytes, objectBytes, removedAt, stringBytes } from './heap-layout.js';

/** This object: data, bytes, owner, stores. */
const OBJECT_BYTES = objectBytes(4);

/** The thresholds a write is checked against (the server's cached hash-max-listpack-* values). */
export interface HashEncodingLimits {
  /** hash-max-listpack-entries: more fields than this → hashtable. */
  readonly hashMaxListpackEntries: number;
  /** hash-max-listpack-value: a field or value longer than this (bytes) → hashtable. */
  readonly hashMaxListpackValue: number;
}

export class RedisHash extends AccountedValue {
  /**
   * The fields and values: a flat array while listpack-encoded, a DenseMap once hashtable-encoded.
   * One slot for both keeps a small hash at one object plus one array.
   */
  private data: Bytes[] | DenseMap<Bytes>;

  /** `data`: a listpack array is taken as it is (it must be exactly its length: slice() it). */
  constructor(data: Bytes[] | DenseMap<Bytes> = []) {
    super();
    this.data = data;
    let bytes = OBJECT_BYTES;
    if (Array.isArray(data)) {
      bytes += arrayBytes(data.length);
      for (const s of data) bytes += stringBytes(s.length);
    } else {
      bytes += data.bytes;
    }
    this.charge(bytes);
  }

  /** TYPE's answer (a prototype getter, so it costs no slot per hash). */
  get type(): 'hash' {
    return 'hash';
  }

  /** OBJECT ENCODING: "listpack" or "hashtable". */
  encoding(): 'listpack' | 'hashtable' {
    return Array.isArray(this.data) ? 'listpack' : 'hashtable';
  }

  /** An independent copy in the same encoding (and, for a listpack, the same order). */
  copy(): RedisHash {
    const d = this.data;
    if (Array.isArray(d)) return new RedisHash(d.slice());
    const m = new DenseMap<Bytes>();
    for (const [f, v] of d.entries()) m.set(f, v);
    return new RedisHash(m);
  }

  /** Number of fields (HLEN). */
  get size(): number {
    const d = this.data;
    return Array.isArray(d) ? d.length >> 1 : d.size;
  }

  /** Index of the field in the listpack array, or -1. */
  private static find(lp: readonly Bytes[], field: Bytes): number {
    for (let i = 0; i < lp.length; i += 2) if (lp[i] === field) return i;
    return -1;
  }

  /** The field's value, or undefined. */
  get(field: Bytes): Bytes | undefined {
    const d = this.data;
    if (!Array.isArray(d)) return d.get(field);
    const i = RedisHash.find(d, field);
    return i < 0 ? undefined : d[i + 1];
  }

  has(field: Bytes): boolean {
    const d = this.data;
    return Array.isArray(d) ? RedisHash.find(d, field) >= 0 : d.has(field);
  }

  /**
   * Sets the field (hashTypeSet): an existing field keeps its place in a listpack. Converts to a
   * hashtable when the field or the value is longer than the value limit, or when the hash then
   * holds more fields than the entry limit. Returns true if the field is new.
   */
  set(field: Bytes, value: Bytes, limits: HashEncodingLimits): boolean {
    let d = this.data;
    if (Array.isArray(d) && (field.length > limits.hashMaxListpackValue || value.length > limits.hashMaxListpackValue)) {
      d = this.toHashtable();
    }
    if (!Array.isArray(d)) {
      const before = d.bytes;
      const added = d.set(field, value);
      this.charge(d.bytes - before);
      return added;
    }
    const i = RedisHash.find(d, field);
    if (i >= 0) {
      this.charge(stringBytes(value.length) - stringBytes(d[i + 1]!.length));
      d[i + 1] = value;
    } else {
      // A new array of exactly the new length, like Redis's listpack realloc: push() would leave
      // up to half the backing store spare (measured: ~200 bytes more per 10-field hash).
      d = d.concat(field, value);
      this.data = d;
      this.charge(2 * 8 + (d.length === 2 ? 16 : 0) + stringBytes(field.length) + stringBytes(value.length));
    }
    if (d.length >> 1 > limits.hashMaxListpackEntries) this.toHashtable();
    return i < 0;
  }

  /** Removes the field; true if it was there. Never changes the encoding. */
  delete(field: Bytes): boolean {
    const d = this.data;
    if (!Array.isArray(d)) {
      const before = d.bytes;
      const removed = d.delete(field);
      this.charge(d.bytes - before);
      return removed;
    }
    const i = RedisHash.find(d, field);
    if (i < 0) return false;
    this.charge(arrayBytes(d.length - 2) - arrayBytes(d.length) - stringBytes(d[i]!.length) - stringBytes(d[i + 1]!.length));
    this.data = removedAt(d, i, 2);
    return true;
  }

  /** hashTypeConvert(OBJ_ENCODING_HT): moves the pairs into a DenseMap, in listpack order. */
  private toHashtable(): DenseMap<Bytes> {
    const lp = this.data as Bytes[];
    const m = new DenseMap<Bytes>();
    let strings = 0;
    for (let i = 0; i < lp.length; i += 2) {
      m.set(lp[i]!, lp[i + 1]!);
      strings += stringBytes(lp[i]!.length) + stringBytes(lp[i + 1]!.length);
    }
    this.data = m;
    this.charge(m.bytes - arrayBytes(lp.length) - strings);
    return m;
  }

  /**
   * Calls fn for every field and value: listpack order, or the DenseMap's iteration order.
   * fn must not modify the hash.
   */
  forEach(fn: (field: Bytes, value: Bytes) => void): void {
    const d = this.data;
    if (Array.isArray(d)) {
      for (let i = 0; i < d.length; i += 2) fn(d[i]!, d[i + 1]!);
    } else {
      for (const [f, v] of d.entries()) fn(f, v);
    }
  }

  /**
   * The field in a slot, 0 ≤ slot < size. Slots are listpack positions or DenseMap slots, so a
   * uniformly random slot is a uniformly random field (HRANDFIELD). For a listpack, ascending
   * slots are insertion order.
   */
  fieldAt(slot: number): Bytes {
    const d = this.data;
    return Array.isArray(d) ? d[slot * 2]! : d.keyAt(slot);
  }

  /** The value in a slot (see fieldAt). */
  valueAt(slot: number): Bytes {
    const d = this.data;
    return Array.isArray(d) ? d[slot * 2 + 1]! : d.valueAt(slot);
  }

  /**
   * The DenseMap of a hashtable-encoded hash (HSCAN keeps live iterators over its keys, with the
   * map as the cursor's owner); undefined while listpack-encoded.
   */
  hashtable(): DenseMap<Bytes> | undefined {
    const d = this.data;
    return Array.isArray(d) ? undefined : d;
  }
}
