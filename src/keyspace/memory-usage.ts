/**
 * MEMORY USAGE's estimate: the bytes a key and its value take on V8's heap (64-bit, no pointer
 * compression, as Node 20 is built), from the layout of each encoding. Mirrors redis object.c
 * objectComputeSize(): collections are estimated from a sample of their first elements (5 by
 * default, all with SAMPLES 0), scaled to their size.
 *
 * The per-structure constants are V8's: a one-byte string is a 16-byte header plus its bytes
 * rounded up to 8; an array slot is 8 bytes; an OrderedHashMap entry is 3 slots plus its share of
 * the buckets and of the free capacity the table keeps (about 40 bytes at a typical load); a
 * double stored in a Map or a plain array is a 16-byte HeapNumber.
 */
import type { Bytes } from './bytes.js';
import type { RedisValue } from './redis-value.js';
import type { RedisList } from '../datastructures/list.js';
import type { RedisHash } from '../datastructures/hash.js';
import type { RedisSet } from '../datastructures/set.js';
import type { SortedSet } from '../datastructures/sorted-set.js';

const OBJECT = 32;
const ARRAY_HEADER = 32;
const SLOT = 8;
const MAP_ENTRY = 40;
const HEAP_NUMBER = 16;
/** A skiplist record in the pooled Int32Array: about 7 words of 4 bytes (levels, spans, links). */
const SKIPLIST_RECORD = 28;

/** A one-byte V8 string of this many bytes. */
export function stringBytes(length: number): number {
  return 16 + ((length + 7) & ~7);
}

/** The average string cost of the first `samples` items (all when 0), times `size`. */
function sampledStrings(size: number, samples: number, itemAt: (i: number) => number): number {
  if (size === 0) return 0;
  const n = samples === 0 ? size : Math.min(samples, size);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += itemAt(i);
  return Math.round((sum / n) * size);
}

function listBytes(l: RedisList, samples: number): number {
  // denque keeps a power-of-two ring of slots.
  const ring = 2 ** Math.ceil(Math.log2(Math.max(l.length, 4)));
  return OBJECT * 2 + ARRAY_HEADER + ring * SLOT + sampledStrings(l.length, samples, (i) => stringBytes(l.at(i)!.length));
}

function hashBytes(h: RedisHash, samples: number): number {
  const strings = sampledStrings(h.size, samples, (i) => stringBytes(h.fieldAt(i).length) + stringBytes(h.valueAt(i).length));
  if (h.encoding() === 'listpack') return OBJECT + ARRAY_HEADER + 2 * h.size * SLOT + strings;
  // DenseMap: the index Map plus the key and value arrays.
  return OBJECT * 2 + 3 * ARRAY_HEADER + h.size * (MAP_ENTRY + 2 * SLOT) + strings;
}

function setBytes(s: RedisSet, samples: number): number {
  const members: Bytes[] = [];
  const n = samples === 0 ? s.size : Math.min(samples, s.size);
  for (const m of s.members()) {
    if (members.length >= n) break;
    members.push(m);
  }
  const strings = sampledStrings(s.size, samples, (i) => stringBytes(members[i]!.length));
  if (s.encoding() === 'intset') return OBJECT + ARRAY_HEADER + s.size * SLOT + strings;
  return OBJECT * 2 + 2 * ARRAY_HEADER + s.size * (MAP_ENTRY + SLOT) + strings;
}

function zsetBytes(z: SortedSet, samples: number): number {
  const members: Bytes[] = [];
  z.walkRank(0, false, samples === 0 ? z.size : Math.min(samples, z.size), (m) => {
    members.push(m);
  });
  const strings = sampledStrings(z.size, samples, (i) => stringBytes(members[i]!.length));
  if (z.encoding() === 'listpack') return OBJECT * 2 + 2 * ARRAY_HEADER + z.size * (2 * SLOT + HEAP_NUMBER) + strings;
  // Skiplist records in a typed-array pool, the members by slot, and the member → score Map.
  return OBJECT * 3 + 3 * ARRAY_HEADER + z.size * (SKIPLIST_RECORD + SLOT + MAP_ENTRY + HEAP_NUMBER) + strings;
}

/** The estimated bytes of a key and its value (MEMORY USAGE). */
export function keyMemoryUsage(key: Bytes, v: RedisValue, samples: number): number {
  const keyBytes = stringBytes(key.length) + MAP_ENTRY;
  if (typeof v === 'string') return keyBytes + stringBytes(v.length);
  switch (v.type) {
    case 'list':
      return keyBytes + listBytes(v as RedisList, samples);
    case 'hash':
      return keyBytes + hashBytes(v as RedisHash, samples);
    case 'set':
      return keyBytes + setBytes(v as RedisSet, samples);
    case 'zset':
      return keyBytes + zsetBytes(v as SortedSet, samples);
  }
}
