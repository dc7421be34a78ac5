/**
 * The value part of the RDB format: how each key's value is written after its type byte, and
 * read back — shared by dump.rdb files, AOF bases with an RDB preamble and DUMP / RESTORE payloads.
 *
 * Written as Redis 7.0 writes (RDB version 10):
 *   string → 0 (STRING); list → 18 (QUICKLIST_2: nodes of ≤ 8 KB listpacks, the size
 *   list-max-listpack-size -2, the default, gives); hash → 16 (HASH_LISTPACK) / 4 (HASH: field, value pairs);
 *   set → 11 (SET_INTSET) / 2 (SET: members); zset → 17 (ZSET_LISTPACK) / 5 (ZSET_2: member and
 *   binary double, highest score first as Redis writes them).
 * Read: every type Redis 7.0 loads that Kioku has — also the older 1 (linked list), 3 (zset with
 * text scores), 9 (zipmap hash), 10 (ziplist list), 12 / 13 (ziplist zset / hash) and 14
 * (quicklist of ziplists). Loading applies Redis 7.0's conversions: a set, hash or zset gets the
 * encoding its size and element lengths call for under the current thresholds, as Redis's loader
 * decides it (see readValue). Damaged input raises RdbFormatError, never anything else.
 * Mirrors redis rdb.c rdbSaveObject / rdbLoadObject.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { formatDouble, parseDouble } from '../keyspace/bytes.js';
import type { RedisValue } from '../keyspace/redis-value.js';
import type { EncodingLimits } from '../server.js';
import { RedisList } from '../datastructures/list.js';
import { RedisHash } from '../datastructures/hash.js';
import { RedisSet } from '../datastructures/set.js';
import { SortedSet } from '../datastructures/sorted-set.js';
import { DenseMap } from '../datastructures/dense-dict.js';
import { RdbOutput, RDB_ENC } from './rdb-output.js';
import { ListpackBuilder, decodeListpack } from './listpack.js';
import { decodeIntset, encodeIntset } from './intset.js';
import { decodeZiplist, decodeZipmap } from './ziplist.js';
import { lzfDecompress } from './lzf.js';

/** The RDB version Kioku writes (Redis 7.0's). */
export const RDB_VERSION = 10;

/** RDB opcodes: the byte before a key's type in a file, or a record instead of a key. */
export const RDB_OPCODE = {
  FUNCTION2: 245,
  FUNCTION_PRE_GA: 246,
  MODULE_AUX: 247,
  IDLE: 248,
  FREQ: 249,
  AUX: 250,
  RESIZEDB: 251,
  EXPIRETIME_MS: 252,
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const;

/** RDB value types. */
export const RDB_TYPE = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE_PRE_GA: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
} as const;

/** Quicklist-2 node containers. */
const QUICKLIST_PLAIN = 1;
const QUICKLIST_PACKED = 2;
/** Node size limit Redis uses with list-max-listpack-size -2 (its default). */
const LIST_NODE_BYTES = 8192;
/** What Redis adds to an element's length to estimate its size in a listpack node. */
const LIST_ENTRY_OVERHEAD_ESTIMATE = 8;

/** A damaged or unsupported RDB value or file; the message names what and where. */
export class RdbFormatError extends Error {
  override readonly name = 'RdbFormatError';
}

// ---- Writing ----

/** The type byte Redis 7.0 writes for this value. */
export function rdbTypeOf(v: RedisValue): number {
  if (typeof v === 'string') return RDB_TYPE.STRING;
  if (v instanceof RedisList) return RDB_TYPE.LIST_QUICKLIST_2;
  if (v instanceof RedisHash) return v.encoding() === 'listpack' ? RDB_TYPE.HASH_LISTPACK : RDB_TYPE.HASH;
  if (v instanceof RedisSet) return v.encoding() === 'intset' ? RDB_TYPE.SET_INTSET : RDB_TYPE.SET;
  if (v instanceof SortedSet) return v.encoding() === 'listpack' ? RDB_TYPE.ZSET_LISTPACK : RDB_TYPE.ZSET_2;
  throw new Error(`no RDB type for a ${v.type} value`);
}

/** Writes the value's body (what follows its type byte, see rdbTypeOf). */
export function writeValue(out: RdbOutput, v: RedisValue): void {
  if (typeof v === 'string') {
    out.string(v);
  } else if (v instanceof RedisList) {
    writeList(out, v);
  } else if (v instanceof RedisHash) {
    if (v.encoding() === 'listpack') {
      const lp = new ListpackBuilder();
      v.forEach((f, val) => {
        lp.add(f);
        lp.add(val);
      });
      out.blob(lp.finish());
    } else {
      out.length(v.size);
      v.forEach((f, val) => {
        out.string(f);
        out.string(val);
      });
    }
  } else if (v instanceof RedisSet) {
    if (v.encoding() === 'intset') {
      out.blob(encodeIntset([...v.members()]));
    } else {
      out.length(v.size);
      for (const m of v.members()) out.string(m);
    }
  } else if (v instanceof SortedSet) {
    if (v.encoding() === 'listpack') {
      const lp = new ListpackBuilder();
      v.walkRank(0, false, v.size, (m, s) => {
        lp.add(m);
        lp.add(formatDouble(s));
      });
      out.blob(lp.finish());
    } else {
      out.length(v.size);
      v.walkRank(0, true, v.size, (m, s) => {
        out.string(m);
        out.float64(s);
      });
    }
  } else {
    throw new Error(`cannot write a ${v.type} value`);
  }
}

/**
 * A list as quicklist-2 nodes: packed listpacks filled as Redis fills them when elements are
 * pushed at the tail — an element goes to a new node when the node's bytes + the element's
 * length + 8 (Redis's estimate of an entry's overhead) would pass 8 KB — so a list built by
 * pushes is written with exactly Redis's node layout.
 */
function writeList(out: RdbOutput, list: RedisList): void {
  const n = list.length;
  const nodes: Buffer[] = [];
  let lp = new ListpackBuilder();
  for (let i = 0; i < n; i++) {
    const e = list.at(i)!;
    if (lp.count > 0 && lp.bytes + e.length + LIST_ENTRY_OVERHEAD_ESTIMATE > LIST_NODE_BYTES) {
      nodes.push(lp.finish());
      lp = new ListpackBuilder();
    }
    lp.add(e);
  }
  if (lp.count > 0) nodes.push(lp.finish());
  out.length(nodes.length);
  for (const node of nodes) {
    out.length(QUICKLIST_PACKED);
    out.blob(node);
  }
}

// ---- Reading ----

const TWO_32 = 4294967296;
/** Most an LZF stream can expand: a 3-byte back reference yields 264 bytes. */
const LZF_MAX_RATIO = 88;

/** A cursor over RDB bytes with the RDB's primitive decodings; errors are RdbFormatErrors. */
export class RdbInput {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}

  /** Bytes left. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Throws an RdbFormatError about the current offset. */
  fail(what: string, at = this.pos): never {
    throw new RdbFormatError(`${what} at offset ${at}`);
  }

  private need(n: number, what: string): void {
    if (n > this.buf.length - this.pos) this.fail(`unexpected end of data reading ${what}`);
  }

  byte(): number {
    this.need(1, 'a byte');
    return this.buf[this.pos++]!;
  }

  /** n raw bytes (a view into the input). */
  bytes(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** Reads a length; `special` receives the low 6 bits of a special encoding (11xxxxxx). */
  private lengthOrSpecial(): { n: number; special: boolean } {
    const first = this.byte();
    const kind = first >>> 6;
    if (kind === 0) return { n: first & 0x3f, special: false };
    if (kind === 1) return { n: ((first & 0x3f) << 8) | this.byte(), special: false };
    if (kind === 3) return { n: first & 0x3f, special: true };
    if (first === 0x80) {
      this.need(4, 'a length');
      const n = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return { n, special: false };
    }
    if (first === 0x81) {
      this.need(8, 'a length');
      const n = this.buf.readUInt32BE(this.pos) * TWO_32 + this.buf.readUInt32BE(this.pos + 4);
      this.pos += 8;
      return { n, special: false };
    }
    return this.fail(`bad length encoding 0x${first.toString(16)}`, this.pos - 1);
  }

  /** An RDB length (a count or a size). */
  length(): number {
    const at = this.pos;
    const { n, special } = this.lengthOrSpecial();
    if (special) this.fail('unexpected string encoding where a length belongs', at);
    return n;
  }

  /** A count of items that each take at least one byte (so it cannot exceed what is left). */
  count(what: string): number {
    const at = this.pos;
    const n = this.length();
    if (n > this.remaining) this.fail(`${what} count ${n} exceeds the data`, at);
    return n;
  }

  /** A string (plain, integer-encoded or LZF-compressed). */
  string(): Bytes {
    const at = this.pos;
    const { n, special } = this.lengthOrSpecial();
    if (!special) {
      this.need(n, 'a string');
      const s = this.buf.toString('latin1', this.pos, this.pos + n);
      this.pos += n;
      return s;
    }
    switch (n) {
      case 0:
        this.need(1, 'an integer');
        return String(this.buf.readInt8(this.pos++));
      case 1: {
        this.need(2, 'an integer');
        const v = this.buf.readInt16LE(this.pos);
        this.pos += 2;
        return String(v);
      }
      case 2: {
        this.need(4, 'an integer');
        const v = this.buf.readInt32LE(this.pos);
        this.pos += 4;
        return String(v);
      }
      case 3:
        return this.lzf(at).toString('latin1');
      default:
        return this.fail(`unknown string encoding ${n}`, at);
    }
  }

  /** A string as bytes (listpacks, intsets, ziplists...). */
  blob(): Buffer {
    const at = this.pos;
    const first = this.buf[this.pos];
    if (first === RDB_ENC.LZF) {
      this.pos++;
      return this.lzf(at);
    }
    const { n, special } = this.lengthOrSpecial();
    if (special) {
      this.pos = at;
      return Buffer.from(this.string(), 'latin1');
    }
    return this.bytes(n, 'a string');
  }

  /** The LZF body after its 0xC3 marker. */
  private lzf(at: number): Buffer {
    const clen = this.length();
    const ulen = this.length();
    if (clen > this.remaining) this.fail('LZF string runs past the end of the data', at);
    if (ulen > clen * LZF_MAX_RATIO) this.fail(`LZF string claims an impossible length ${ulen}`, at);
    const data = this.bytes(clen);
    try {
      return lzfDecompress(data, ulen);
    } catch (e) {
      return this.fail(`invalid LZF string (${(e as Error).message})`, at);
    }
  }

  /** An int32 little-endian (EXPIRETIME's seconds). */
  i32(): number {
    this.need(4, 'a 32-bit integer');
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** An int64 little-endian millisecond time. */
  millis(): number {
    this.need(8, 'a time');
    const v = this.buf.readInt32LE(this.pos + 4) * TWO_32 + this.buf.readUInt32LE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A binary double, little-endian. */
  float64(): number {
    this.need(8, 'a double');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A double in the old text form (RDB_TYPE_ZSET): length byte, 253 nan, 254 inf, 255 -inf. */
  textDouble(): number {
    const at = this.pos;
    const len = this.byte();
    if (len === 253) return NaN;
    if (len === 254) return Infinity;
    if (len === 255) return -Infinity;
    const text = this.bytes(len, 'a double').toString('latin1');
    const d = parseDouble(text);
    if (d === undefined) this.fail(`invalid double "${text}"`, at);
    return d;
  }
}

/** Runs a decoder of a compact blob, turning its Error into an RdbFormatError. */
function decodeBlob<T>(inp: RdbInput, what: string, decode: (b: Buffer) => T): T {
  const at = inp.pos;
  const blob = inp.blob();
  try {
    return decode(blob);
  } catch (e) {
    return inp.fail(`invalid ${what} (${(e as Error).message})`, at);
  }
}

/**
 * Reads a value of the given type (its body, after the type byte), building it in the encoding
 * Redis 7.0's loader would give it under `limits`. A value with no elements comes back empty;
 * callers skip it (Redis drops empty keys when loading).
 */
export function readValue(inp: RdbInput, type: number, limits: EncodingLimits): RedisValue {
  const at = inp.pos - 1;
  switch (type) {
    case RDB_TYPE.STRING:
      return inp.string();
    case RDB_TYPE.LIST: {
      const n = inp.count('list');
      const items: Bytes[] = new Array<Bytes>(n);
      for (let i = 0; i < n; i++) items[i] = inp.string();
      return RedisList.from(items);
    }
    case RDB_TYPE.LIST_ZIPLIST:
      return RedisList.from(decodeBlob(inp, 'ziplist', decodeZiplist));
    case RDB_TYPE.LIST_QUICKLIST:
    case RDB_TYPE.LIST_QUICKLIST_2:
      return readQuicklist(inp, type === RDB_TYPE.LIST_QUICKLIST_2);
    case RDB_TYPE.SET: {
      const n = inp.count('set');
      const set = new RedisSet();
      for (let i = 0; i < n; i++) {
        const m = inp.string();
        if (!set.add(m, n <= limits.setMaxIntsetEntries ? limits.setMaxIntsetEntries : 0)) {
          inp.fail('duplicate set member');
        }
      }
      return set;
    }
    case RDB_TYPE.SET_INTSET: {
      const members = decodeBlob(inp, 'intset', decodeIntset);
      return setOf(members, limits);
    }
    case RDB_TYPE.HASH: {
      const n = inp.count('hash');
      const pairs: Bytes[] = new Array<Bytes>(2 * n);
      for (let i = 0; i < 2 * n; i++) pairs[i] = inp.string();
      return hashOf(inp, pairs, limits, false);
    }
    case RDB_TYPE.HASH_ZIPMAP:
      return hashOf(inp, decodeBlob(inp, 'zipmap', decodeZipmap), limits, false);
    case RDB_TYPE.HASH_ZIPLIST:
    case RDB_TYPE.HASH_LISTPACK: {
      const pairs = decodeBlob(inp, type === RDB_TYPE.HASH_LISTPACK ? 'listpack' : 'ziplist', type === RDB_TYPE.HASH_LISTPACK ? decodeListpack : decodeZiplist);
      if (pairs.length % 2 !== 0) inp.fail('hash with an odd number of entries', at);
      return hashOf(inp, pairs, limits, true);
    }
    case RDB_TYPE.ZSET:
    case RDB_TYPE.ZSET_2: {
      const n = inp.count('zset');
      const entries: [Bytes, number][] = new Array<[Bytes, number]>(n);
      for (let i = 0; i < n; i++) {
        const m = inp.string();
        const s = type === RDB_TYPE.ZSET_2 ? inp.float64() : inp.textDouble();
        if (Number.isNaN(s)) inp.fail('zset score is NaN');
        entries[i] = [m, s];
      }
      return zsetOf(inp, entries, limits, at, false);
    }
    case RDB_TYPE.ZSET_ZIPLIST:
    case RDB_TYPE.ZSET_LISTPACK: {
      const flat = decodeBlob(inp, type === RDB_TYPE.ZSET_LISTPACK ? 'listpack' : 'ziplist', type === RDB_TYPE.ZSET_LISTPACK ? decodeListpack : decodeZiplist);
      if (flat.length % 2 !== 0) inp.fail('zset with an odd number of entries', at);
      const entries: [Bytes, number][] = [];
      for (let i = 0; i < flat.length; i += 2) {
        const s = parseDouble(flat[i + 1]!);
        if (s === undefined) inp.fail(`zset score "${flat[i + 1]}" is not a number`, at);
        entries.push([flat[i]!, s]);
      }
      return zsetOf(inp, entries, limits, at, true);
    }
    case RDB_TYPE.STREAM_LISTPACKS:
    case RDB_TYPE.STREAM_LISTPACKS_2:
      return inp.fail(`stream value (RDB type ${type}): Kioku has no streams`, at);
    case RDB_TYPE.MODULE_PRE_GA:
    case RDB_TYPE.MODULE_2:
      return inp.fail(`module value (RDB type ${type}): Kioku has no modules`, at);
    default:
      return inp.fail(`unknown RDB value type ${type}`, at);
  }
}

/** Is this an aggregate with no elements (a key the loader drops)? */
export function isEmptyValue(v: RedisValue): boolean {
  if (typeof v === 'string') return false;
  if (v instanceof RedisList) return v.length === 0;
  if (v instanceof RedisHash || v instanceof RedisSet || v instanceof SortedSet) return v.size === 0;
  return false;
}

/** The list nodes of a quicklist (ziplists) or quicklist-2 (listpacks or plain elements). */
function readQuicklist(inp: RdbInput, v2: boolean): RedisList {
  const nodes = inp.count('quicklist node');
  const list = new RedisList();
  for (let i = 0; i < nodes; i++) {
    const container = v2 ? inp.length() : QUICKLIST_PACKED;
    if (container === QUICKLIST_PLAIN) {
      list.pushBack(inp.blob().toString('latin1'));
      continue;
    }
    if (container !== QUICKLIST_PACKED) inp.fail(`unknown quicklist container ${container}`);
    const items = v2 ? decodeBlob(inp, 'listpack', decodeListpack) : decodeBlob(inp, 'ziplist', decodeZiplist);
    // COMPAT: Redis also drops empty nodes; an empty one is harmless here.
    for (const e of items) list.pushBack(e);
  }
  return list;
}

/** A set from an intset's members: converted to a hashtable beyond set-max-intset-entries. */
function setOf(members: Bytes[], limits: EncodingLimits): RedisSet {
  // Ascending and distinct already: an intset is built as is, a bigger one member by member.
  return RedisSet.of(members, members.length <= limits.setMaxIntsetEntries ? limits.setMaxIntsetEntries : 0);
}

/**
 * A hash from field/value pairs, encoded as Redis 7.0's loader encodes it. From field/value
 * pairs (type 4) and zipmaps: a listpack when the count is within hash-max-listpack-entries and
 * no field or value is longer than hash-max-listpack-value. From a listpack or a ziplist: a
 * listpack unless the count is beyond hash-max-listpack-entries (lengths are not checked).
 */
function hashOf(inp: RdbInput, pairs: Bytes[], limits: EncodingLimits, compactSource: boolean): RedisHash {
  const n = pairs.length / 2;
  let big = n > limits.hashMaxListpackEntries;
  if (!big && !compactSource) big = pairs.some((s) => s.length > limits.hashMaxListpackValue);
  if (!big) {
    const seen = new Set<Bytes>();
    for (let i = 0; i < pairs.length; i += 2) {
      if (seen.has(pairs[i]!)) inp.fail('duplicate hash field');
      seen.add(pairs[i]!);
    }
    return new RedisHash(pairs);
  }
  const map = new DenseMap<Bytes>();
  for (let i = 0; i < pairs.length; i += 2) {
    if (!map.set(pairs[i]!, pairs[i + 1]!)) inp.fail('duplicate hash field');
  }
  return new RedisHash(map);
}

/** No limit: builds a listpack whatever the member lengths. */
const UNLIMITED_ZSET = { zsetMaxListpackEntries: Infinity, zsetMaxListpackValue: Infinity };

/**
 * A zset from its entries, encoded as Redis 7.0's loader encodes it. From member/score pairs
 * (types 3, 5): a listpack when they fit both zset-max-listpack-* limits. From a compact blob
 * (listpack, ziplist): a listpack unless the count is beyond zset-max-listpack-entries.
 */
function zsetOf(inp: RdbInput, entries: [Bytes, number][], limits: EncodingLimits, at: number, compactSource: boolean): SortedSet {
  const seen = new Set<Bytes>();
  for (const [m] of entries) {
    if (seen.has(m)) inp.fail('duplicate zset member', at);
    seen.add(m);
  }
  if (!compactSource || entries.length > limits.zsetMaxListpackEntries) return SortedSet.fromEntries(entries, limits);
  const z = new SortedSet();
  for (const [m, s] of entries) z.insert(m, s, UNLIMITED_ZSET);
  return z;
}
