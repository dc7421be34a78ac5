/**
 * Dataset and value digests: DEBUG DIGEST and DEBUG DIGEST-VALUE. Tests use them to compare a
 * Kioku dataset with a redis-server one (or with itself after a reload) in one round trip, so the
 * digest is bit for bit the one Redis 7.0 computes (redis debug.c, "dataset digest" section).
 *
 * The scheme, as observed against redis-server 7.0.15 one key at a time (test/compat/digest.diff.test.ts):
 * a digest is 20 bytes, SHA-1 sized, starting at zero, and is updated two ways:
 *   xor(d, bytes):  d ^= SHA1(bytes)                      — order-insensitive (unordered collections)
 *   mix(d, bytes):  d = SHA1(d ^ SHA1(bytes))             — order-sensitive (sequences)
 * Dataset: for each non-empty database in index order, mix(final, index as 4 bytes big-endian);
 * then for every key, a key digest k = 0; mix(k, key); value part (below); final ^= SHA1(k).
 * Value part (DIGEST-VALUE gives it alone, from zero): mix(type as 4 bytes big-endian: string 0,
 * list 1, set 2, zset 3, hash 4); then
 *   string: mix(bytes);  list: mix(element) head to tail;  set: xor(member) each;
 *   hash: per field e = 0, mix(e, field), mix(e, value), d ^= SHA1(e);
 *   zset: per member e = 0, mix(e, member), mix(e, printf("%.17g", score)), d ^= SHA1(e);
 * and, when the key has a TTL (whatever its time), xor("!!expire!!").
 * Integers a compact encoding holds as numbers hash as their decimal text, which is the text the
 * client sent (only canonical integers are stored as numbers), so Kioku hashes the bytes it keeps.
 * A listpack zset stores -0 as 0; Kioku's listpack zset does too (sorted-set.ts).
 * Like Redis, both commands read the raw maps: a key whose TTL is past but which has not been
 * reclaimed yet still counts (it is still in the dict), and DIGEST-VALUE does not expire it.
 *
 * SHA-1 (FIPS 180-4) is computed here in plain JavaScript for short inputs: almost every input
 * is a 20-byte digest or a short key or element, where node:crypto's per-call cost dominates.
 */
import { createHash } from 'node:crypto';
import type { Bytes } from '../keyspace/bytes.js';
import { formatDouble } from '../keyspace/bytes.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import type { RedisValue } from '../keyspace/redis-value.js';
import { RedisHash } from '../datastructures/hash.js';
import { RedisList } from '../datastructures/list.js';
import { RedisSet } from '../datastructures/set.js';
import { SortedSet } from '../datastructures/sorted-set.js';

/** A digest: five big-endian 32-bit words. */
type Digest = Int32Array;

/** The digest of an empty dataset, and DIGEST-VALUE's answer for a missing key. */
export const ZERO_DIGEST = '0'.repeat(40);

// ---- SHA-1 ----

/** Longer inputs go to node:crypto (native speed beats its fixed cost). */
const NATIVE_FROM = 512;
const w = new Int32Array(80);

/** One SHA-1 compression of the block in w[0..15] into h. */
function compress(h: Digest): void {
  for (let t = 16; t < 80; t++) {
    const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
    w[t] = (x << 1) | (x >>> 31);
  }
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!;
  for (let t = 0; t < 80; t++) {
    let f: number;
    let k: number;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    const tmp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
}

function init(h: Digest): void {
  h[0] = 0x67452301;
  h[1] = 0xefcdab89 | 0;
  h[2] = 0x98badcfe | 0;
  h[3] = 0x10325476;
  h[4] = 0xc3d2e1f0 | 0;
}

/** Ends a message of `bytes` bytes whose last partial block (`used` bytes) is in w. */
function finish(h: Digest, used: number, bytes: number): void {
  w[used >> 2] |= 0x80 << (24 - 8 * (used & 3));
  if (used >= 56) {
    compress(h);
    w.fill(0, 0, 16);
  }
  w[14] = Math.floor(bytes / 0x20000000); // the bit length's high word
  w[15] = (bytes * 8) | 0;
  compress(h);
}

/** out = SHA1(s), s a byte string. */
function sha1Bytes(s: Bytes, out: Digest): void {
  const n = s.length;
  if (n >= NATIVE_FROM) {
    const b = createHash('sha1').update(s, 'latin1').digest();
    for (let i = 0; i < 5; i++) out[i] = b.readInt32BE(i * 4);
    return;
  }
  init(out);
  let i = 0;
  for (; i + 64 <= n; i += 64) {
    for (let j = 0; j < 16; j++) {
      const p = i + j * 4;
      w[j] = (s.charCodeAt(p) << 24) | (s.charCodeAt(p + 1) << 16) | (s.charCodeAt(p + 2) << 8) | s.charCodeAt(p + 3);
    }
    compress(out);
  }
  w.fill(0, 0, 16);
  const used = n - i;
  for (let j = 0; j < used; j++) w[j >> 2] |= s.charCodeAt(i + j) << (24 - 8 * (j & 3));
  finish(out, used, n);
}

/** out = SHA1(the 20 bytes of d). */
function sha1Digest(d: Digest, out: Digest): void {
  w.fill(0, 0, 16);
  w.set(d); // before init: out may be d
  init(out);
  finish(out, 20, 20);
}

/** out = SHA1(n as 4 bytes big-endian). */
function sha1Word(n: number, out: Digest): void {
  init(out);
  w.fill(0, 0, 16);
  w[0] = n;
  finish(out, 4, 4);
}

// ---- xor and mix ----

const scratch: Digest = new Int32Array(5);

function xorIn(d: Digest, h: Digest): void {
  for (let i = 0; i < 5; i++) d[i]! ^= h[i]!;
}

/** d = SHA1(d ^ h): a mix step whose data hash h is already known. */
function mixIn(d: Digest, h: Digest): void {
  xorIn(d, h);
  sha1Digest(d, d);
}

/** d ^= SHA1(s). */
function xorBytes(d: Digest, s: Bytes): void {
  sha1Bytes(s, scratch);
  xorIn(d, scratch);
}

/** d = SHA1(d ^ SHA1(s)). */
function mixBytes(d: Digest, s: Bytes): void {
  sha1Bytes(s, scratch);
  mixIn(d, scratch);
}

/** d ^= SHA1(e): folds a finished element or key digest in. */
function xorDigest(d: Digest, e: Digest): void {
  sha1Digest(e, scratch);
  xorIn(d, scratch);
}

function hashOf(fill: (out: Digest) => void): Digest {
  const h = new Int32Array(5);
  fill(h);
  return h;
}

/** SHA1 of each type's 4-byte big-endian code (Redis's OBJ_STRING..OBJ_HASH), computed once. */
const TYPE_HASH: Record<string, Digest> = {
  string: hashOf((h) => sha1Word(0, h)),
  list: hashOf((h) => sha1Word(1, h)),
  set: hashOf((h) => sha1Word(2, h)),
  zset: hashOf((h) => sha1Word(3, h)),
  hash: hashOf((h) => sha1Word(4, h)),
};
const EXPIRE_HASH = hashOf((h) => sha1Bytes('!!expire!!', h));

function hex(d: Digest): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += (d[i]! >>> 0).toString(16).padStart(8, '0');
  return s;
}

// ---- Values ----

/** Folds a value (and its having a TTL) into d: DIGEST-VALUE's part of a key digest. */
function mixValue(d: Digest, v: RedisValue, hasTtl: boolean): void {
  if (typeof v === 'string') {
    mixIn(d, TYPE_HASH.string!);
    mixBytes(d, v);
  } else {
    mixIn(d, TYPE_HASH[v.type]!);
    const e = new Int32Array(5);
    if (v instanceof RedisList) {
      for (const x of v.toArray()) mixBytes(d, x);
    } else if (v instanceof RedisSet) {
      for (const m of v.members()) xorBytes(d, m);
    } else if (v instanceof RedisHash) {
      v.forEach((field, value) => {
        e.fill(0);
        mixBytes(e, field);
        mixBytes(e, value);
        xorDigest(d, e);
      });
    } else if (v instanceof SortedSet) {
      v.walkRank(0, false, v.size, (member, score) => {
        e.fill(0);
        mixBytes(e, member);
        mixBytes(e, formatDouble(score));
        xorDigest(d, e);
      });
    } else {
      throw new Error(`DEBUG DIGEST: no digest for a value of type ${v.type}`);
    }
  }
  if (hasTtl) xorIn(d, EXPIRE_HASH);
}

/**
 * DEBUG DIGEST-VALUE for one key: 40 hex digits, all zeros when the key is missing. Reads the
 * raw maps (no lazy expiry), as Redis does.
 */
export function valueDigest(db: Keyspace, key: Bytes): string {
  const v = db.data.get(key);
  if (v === undefined) return ZERO_DIGEST;
  const d = new Int32Array(5);
  mixValue(d, v, db.expires.has(key));
  return hex(d);
}

/** DEBUG DIGEST: the digest of every database's keys, values and TTL flags; 40 zeros when empty. */
export function datasetDigest(dbs: readonly Keyspace[]): string {
  const final = new Int32Array(5);
  const k = new Int32Array(5);
  for (const db of dbs) {
    if (db.data.size === 0) continue;
    sha1Word(db.index, scratch);
    mixIn(final, scratch);
    const expires = db.expires;
    for (const [key, v] of db.data) {
      k.fill(0);
      mixBytes(k, key);
      mixValue(k, v, expires.size !== 0 && expires.has(key));
      xorDigest(final, k);
    }
  }
  return hex(final);
}
