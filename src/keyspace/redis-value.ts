/**
 * RedisValue: what a key holds. A string value is its bare Bytes (no wrapper object, so the
 * commonest key costs only its two strings); aggregates are classes that know their type and
 * their OBJECT ENCODING. Mirrors redis server.h robj's type and encoding fields.
 */
import type { Bytes } from './bytes.js';
import { isCanonicalInt } from './bytes.js';
import type { ByteCounter } from '../datastructures/heap-layout.js';

/** TYPE's answers. */
export type ValueType = 'string' | 'list' | 'hash' | 'set' | 'zset';

/** An aggregate value (list, hash, set, sorted set). */
export interface AggregateValue {
  readonly type: Exclude<ValueType, 'string'>;
  /** OBJECT ENCODING (listpack, quicklist, hashtable, intset, skiplist...). */
  encoding(): string;
  /** An independent deep copy (COPY): later writes to either value must not show in the other. */
  copy(): AggregateValue;
  /** Its bytes on the heap, kept up to date by its mutators (datastructures/heap-layout.ts). */
  readonly bytes: number;
  /** The database counter it reports its changes to while stored; null while stored nowhere. */
  owner: ByteCounter | null;
  /** Under how many keys it is stored (see AccountedValue). */
  stores: number;
}

export type RedisValue = Bytes | AggregateValue;

/** A value to store under another key (COPY): strings are immutable and shared, aggregates deep-copied. */
export function copyValue(v: RedisValue): RedisValue {
  return typeof v === 'string' ? v : v.copy();
}

export function typeOf(v: RedisValue): ValueType {
  return typeof v === 'string' ? 'string' : v.type;
}

/** Redis's OBJECT_ENCODING_EMBSTR_SIZE_LIMIT. */
const EMBSTR_LIMIT = 44;

/**
 * OBJECT ENCODING. Strings: "int" for a canonical integer, "embstr" up to 44 bytes, else "raw".
 * COMPAT: Redis turns a short string "raw" once APPEND or SETRANGE modified it in place; Kioku
 * keeps no such history and answers from the value alone.
 */
export function encodingOf(v: RedisValue): string {
  if (typeof v !== 'string') return v.encoding();
  if (isCanonicalInt(v)) return 'int';
  return v.length <= EMBSTR_LIMIT ? 'embstr' : 'raw';
}
