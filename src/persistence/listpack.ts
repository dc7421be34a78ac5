/**
 * Listpack: the serialized list of strings that Redis 7.0 stores small hashes, small sorted sets
 * and the nodes of its lists in, and writes into RDB files as one string. Kioku keeps its compact
 * encodings as plain arrays, so listpacks exist only on the way to and from RDB files / DUMP.
 *
 * The format (from the public listpack specification):
 *   <total-bytes uint32 LE> <num-elements uint16 LE, 65535 = "count them"> <entry>... <0xFF>
 * An entry is <encoding+data> <backlen>, where backlen is the length of <encoding+data> written
 * so that it can be read from its last byte backwards: 7 bits per byte, the last byte holding the
 * lowest bits, every byte but the first (leftmost) flagged with 0x80.
 * Encodings: 0xxxxxxx 7-bit unsigned int; 10LLLLLL string of up to 63 bytes; 110xxxxx yyyyyyyy
 * 13-bit signed int; 1110LLLL LLLLLLLL string of up to 4095 bytes; 0xF0 + uint32 LE length for
 * longer strings; 0xF1 / 0xF2 / 0xF3 / 0xF4 16 / 24 / 32 / 64-bit signed ints, little-endian.
 * A string that is the canonical text of an int64 is stored as the smallest integer encoding
 * (as Redis does), and integers read back as their canonical decimal text.
 * Mirrors the role of redis listpack.c (lpAppend, lpValidateIntegrity, lpGet).
 */
import type { Bytes } from '../keyspace/bytes.js';
import { parseI64 } from '../keyspace/bytes.js';

const HEADER_SIZE = 6;
const EOF_BYTE = 0xff;
/** The num-elements value meaning "more than fits in 16 bits". */
const COUNT_UNKNOWN = 65535;

/** Bytes the backlen of an entry of `l` bytes takes. */
function backlenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/** Size of the encoding+data part of an integer entry. */
function intEntrySize(v: number | bigint): number {
  if (typeof v === 'bigint') return 9;
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

/** Size of the encoding+data part of a string entry of `len` bytes. */
function strEntrySize(len: number): number {
  return len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
}

/** The integer a listpack would store this string as, or undefined (not a canonical int64). */
function asInt(s: Bytes): number | bigint | undefined {
  return s.length <= 20 ? parseI64(s) : undefined;
}

/** Builds one listpack, entry by entry. */
export class ListpackBuilder {
  private buf: Buffer;
  private pos = HEADER_SIZE;
  private n = 0;

  constructor(capacityHint = 64) {
    this.buf = Buffer.allocUnsafe(Math.max(capacityHint, 16));
  }

  /** Entries added so far. */
  get count(): number {
    return this.n;
  }

  /** Bytes the finished listpack would take now (header and terminator included). */
  get bytes(): number {
    return this.pos + 1;
  }

  private ensure(extra: number): void {
    const need = this.pos + extra + 1;
    if (need <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /** Appends an entry (stored as an integer when it is the canonical text of one). */
  add(s: Bytes): void {
    const v = asInt(s);
    if (v !== undefined) this.addInt(v);
    else this.addString(s);
  }

  private addInt(v: number | bigint): void {
    const l = intEntrySize(v);
    this.ensure(l + 5);
    const b = this.buf;
    let p = this.pos;
    if (typeof v === 'bigint') {
      b[p] = 0xf4;
      b.writeBigInt64LE(v, p + 1);
    } else if (l === 1) {
      b[p] = v;
    } else if (l === 2) {
      const u = v < 0 ? v + 8192 : v;
      b[p] = 0xc0 | (u >>> 8);
      b[p + 1] = u & 0xff;
    } else if (l === 3) {
      b[p] = 0xf1;
      b.writeInt16LE(v, p + 1);
    } else if (l === 4) {
      b[p] = 0xf2;
      b.writeIntLE(v, p + 1, 3);
    } else if (l === 5) {
      b[p] = 0xf3;
      b.writeInt32LE(v, p + 1);
    } else {
      b[p] = 0xf4;
      b.writeBigInt64LE(BigInt(v), p + 1);
    }
    p += l;
    this.pos = p + this.writeBacklen(p, l);
    this.n++;
  }

  private addString(s: Bytes): void {
    const len = s.length;
    const l = strEntrySize(len);
    this.ensure(l + 5);
    const b = this.buf;
    let p = this.pos;
    if (len < 64) {
      b[p++] = 0x80 | len;
    } else if (len < 4096) {
      b[p++] = 0xe0 | (len >>> 8);
      b[p++] = len & 0xff;
    } else {
      b[p++] = 0xf0;
      b.writeUInt32LE(len, p);
      p += 4;
    }
    p += b.write(s, p, len, 'latin1');
    this.pos = p + this.writeBacklen(p, l);
    this.n++;
  }

  /** Writes the backlen of an `l`-byte entry at p; returns its size. */
  private writeBacklen(p: number, l: number): number {
    const size = backlenSize(l);
    const b = this.buf;
    // Last byte: the lowest 7 bits; earlier bytes: higher groups; all but the first flagged.
    for (let k = size - 1; k >= 0; k--) {
      b[p + k] = (l & 127) | (k > 0 ? 128 : 0);
      l = Math.floor(l / 128);
    }
    return size;
  }

  /** The finished listpack (the builder must not be used afterwards). */
  finish(): Buffer {
    this.ensure(0);
    const b = this.buf;
    b[this.pos] = EOF_BYTE;
    const total = this.pos + 1;
    b.writeUInt32LE(total, 0);
    b.writeUInt16LE(this.n < COUNT_UNKNOWN ? this.n : COUNT_UNKNOWN, 4);
    return b.subarray(0, total);
  }
}

/** A listpack of these entries. */
export function encodeListpack(entries: Iterable<Bytes>): Buffer {
  const lp = new ListpackBuilder();
  for (const e of entries) lp.add(e);
  return lp.finish();
}

/**
 * The entries of a listpack, integers as their decimal text. Validates the whole structure
 * (total size, every encoding and backlen, the terminator, the element count) and throws an
 * Error saying what is wrong and where.
 */
export function decodeListpack(buf: Uint8Array): Bytes[] {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const size = b.length;
  if (size < HEADER_SIZE + 1) throw new Error(`listpack too short (${size} bytes)`);
  const total = b.readUInt32LE(0);
  if (total !== size) throw new Error(`listpack header says ${total} bytes, it has ${size}`);
  const declared = b.readUInt16LE(4);
  const out: Bytes[] = [];
  let p = HEADER_SIZE;
  for (;;) {
    if (p >= size) throw new Error('listpack has no terminator');
    const e = b[p]!;
    if (e === EOF_BYTE) {
      if (p !== size - 1) throw new Error(`listpack terminator at ${p} before its end`);
      break;
    }
    const start = p;
    let value: Bytes;
    if (e < 0x80) {
      value = String(e);
      p += 1;
    } else if (e < 0xc0) {
      const len = e & 0x3f;
      if (p + 1 + len > size) throw new Error(`listpack entry at ${start} runs past the end`);
      value = b.toString('latin1', p + 1, p + 1 + len);
      p += 1 + len;
    } else if (e < 0xe0) {
      if (p + 2 > size) throw new Error(`listpack entry at ${start} runs past the end`);
      const u = ((e & 0x1f) << 8) | b[p + 1]!;
      value = String(u >= 4096 ? u - 8192 : u);
      p += 2;
    } else if (e < 0xf0) {
      if (p + 2 > size) throw new Error(`listpack entry at ${start} runs past the end`);
      const len = ((e & 0x0f) << 8) | b[p + 1]!;
      if (p + 2 + len > size) throw new Error(`listpack entry at ${start} runs past the end`);
      value = b.toString('latin1', p + 2, p + 2 + len);
      p += 2 + len;
    } else {
      const width = e === 0xf0 ? 4 : e === 0xf1 ? 2 : e === 0xf2 ? 3 : e === 0xf3 ? 4 : e === 0xf4 ? 8 : -1;
      if (width < 0) throw new Error(`listpack entry at ${start} has an unknown encoding 0x${e.toString(16)}`);
      if (p + 1 + width > size) throw new Error(`listpack entry at ${start} runs past the end`);
      if (e === 0xf0) {
        const len = b.readUInt32LE(p + 1);
        if (p + 5 + len > size) throw new Error(`listpack entry at ${start} runs past the end`);
        value = b.toString('latin1', p + 5, p + 5 + len);
        p += 5 + len;
      } else {
        value = e === 0xf4 ? b.readBigInt64LE(p + 1).toString() : String(b.readIntLE(p + 1, width));
        p += 1 + width;
      }
    }
    const l = p - start;
    const bl = backlenSize(l);
    if (p + bl > size) throw new Error(`listpack entry at ${start} runs past the end`);
    // Read the backlen as a reader walking backwards would.
    let got = 0;
    let mult = 1;
    for (let k = bl - 1; k >= 0; k--) {
      const byte = b[p + k]!;
      if ((k > 0) !== (byte >= 128)) throw new Error(`listpack entry at ${start} has a bad back length`);
      got += (byte & 127) * mult;
      mult *= 128;
    }
    if (got !== l) throw new Error(`listpack entry at ${start} has a bad back length`);
    p += bl;
    out.push(value);
  }
  if (declared !== COUNT_UNKNOWN && declared !== out.length) {
    throw new Error(`listpack header says ${declared} entries, it has ${out.length}`);
  }
  return out;
}
