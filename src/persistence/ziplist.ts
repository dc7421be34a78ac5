/**
 * Decoders for the two compact formats of RDB files older than Redis 7.0, which 7.0 still loads:
 *
 * Ziplist (RDB types 10, 12, 13 and the nodes of 14), from its public description:
 *   <zlbytes uint32 LE> <zltail uint32 LE: offset of the last entry> <zllen uint16 LE, 65535 =
 *   "count them"> <entry>... <0xFF>
 * An entry is <prevlen> <encoding> <data>: prevlen is the previous entry's size, one byte when
 * below 254, else 0xFE and a uint32 LE. Encodings: 00LLLLLL / 01LLLLLL LLLLLLLL (big-endian) /
 * 0x80 + uint32 BE: strings; 0xC0 int16, 0xD0 int32, 0xE0 int64, 0xF0 int24, 0xFE int8 (all LE,
 * signed); 0xF1..0xFD: the integers 0..12 in the encoding byte itself.
 *
 * Zipmap (RDB type 9, Redis before 2.6), from its description:
 *   <zmlen: pair count, 254 = "count them"> (<len> key <len> <free> value <free bytes>)... <0xFF>
 * where a length is one byte below 254, else 0xFE and a uint32 LE, and <free> counts unused
 * bytes after the value.
 *
 * Both decoders validate the structure and throw an Error naming the fault and its offset.
 * Mirrors the role of redis ziplist.c / zipmap.c (their validate-integrity functions).
 */
import type { Bytes } from '../keyspace/bytes.js';

const ZIPLIST_HEADER = 10;
const END = 0xff;

function asBuffer(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** The entries of a ziplist, integers as their decimal text. */
export function decodeZiplist(buf: Uint8Array): Bytes[] {
  const b = asBuffer(buf);
  const size = b.length;
  if (size < ZIPLIST_HEADER + 1) throw new Error(`ziplist too short (${size} bytes)`);
  if (b.readUInt32LE(0) !== size) throw new Error(`ziplist header says ${b.readUInt32LE(0)} bytes, it has ${size}`);
  const tail = b.readUInt32LE(4);
  const declared = b.readUInt16LE(8);
  const out: Bytes[] = [];
  let p = ZIPLIST_HEADER;
  let prevLen = 0;
  let last = ZIPLIST_HEADER;
  for (;;) {
    if (p >= size) throw new Error('ziplist has no terminator');
    if (b[p] === END) {
      if (p !== size - 1) throw new Error(`ziplist terminator at ${p} before its end`);
      break;
    }
    const start = p;
    let prev = b[p++]!;
    if (prev === 0xfe) {
      if (p + 4 > size) throw new Error(`ziplist entry at ${start} runs past the end`);
      prev = b.readUInt32LE(p);
      p += 4;
    } else if (prev === END) {
      throw new Error(`ziplist entry at ${start} has a bad previous length`);
    }
    if (prev !== prevLen) throw new Error(`ziplist entry at ${start} has a bad previous length`);
    if (p >= size) throw new Error(`ziplist entry at ${start} runs past the end`);
    const e = b[p++]!;
    let value: Bytes;
    const top = e >>> 6;
    if (top < 3) {
      let len: number;
      if (top === 0) {
        len = e & 0x3f;
      } else if (top === 1) {
        if (p + 1 > size) throw new Error(`ziplist entry at ${start} runs past the end`);
        len = ((e & 0x3f) << 8) | b[p++]!;
      } else {
        if (e !== 0x80 || p + 4 > size) throw new Error(`ziplist entry at ${start} has a bad encoding`);
        len = b.readUInt32BE(p);
        p += 4;
      }
      if (p + len > size) throw new Error(`ziplist entry at ${start} runs past the end`);
      value = b.toString('latin1', p, p + len);
      p += len;
    } else {
      let width: number;
      switch (e) {
        case 0xc0: width = 2; break;
        case 0xd0: width = 4; break;
        case 0xe0: width = 8; break;
        case 0xf0: width = 3; break;
        case 0xfe: width = 1; break;
        default:
          if (e >= 0xf1 && e <= 0xfd) width = 0;
          else throw new Error(`ziplist entry at ${start} has a bad encoding 0x${e.toString(16)}`);
      }
      if (p + width > size) throw new Error(`ziplist entry at ${start} runs past the end`);
      if (width === 0) value = String((e & 0x0f) - 1);
      else if (width === 8) value = b.readBigInt64LE(p).toString();
      else value = String(b.readIntLE(p, width));
      p += width;
    }
    prevLen = p - start;
    last = start;
    out.push(value);
  }
  if (tail !== last) throw new Error(`ziplist tail offset ${tail} is not its last entry (${last})`);
  if (declared !== 65535 && declared !== out.length) {
    throw new Error(`ziplist header says ${declared} entries, it has ${out.length}`);
  }
  return out;
}

/** The keys and values of a zipmap, as a flat [key, value, key, value...] array. */
export function decodeZipmap(buf: Uint8Array): Bytes[] {
  const b = asBuffer(buf);
  const size = b.length;
  if (size < 2) throw new Error(`zipmap too short (${size} bytes)`);
  const declared = b[0]!;
  const out: Bytes[] = [];
  let p = 1;
  const readLen = (): number => {
    if (p >= size) throw new Error('zipmap runs past the end');
    const first = b[p++]!;
    if (first < 254) return first;
    if (first === 254) {
      if (p + 4 > size) throw new Error('zipmap runs past the end');
      const len = b.readUInt32LE(p);
      p += 4;
      return len;
    }
    throw new Error(`zipmap has a bad length at ${p - 1}`);
  };
  for (;;) {
    if (p >= size) throw new Error('zipmap has no terminator');
    if (b[p] === END) {
      if (p !== size - 1) throw new Error(`zipmap terminator at ${p} before its end`);
      break;
    }
    const klen = readLen();
    if (p + klen > size) throw new Error('zipmap key runs past the end');
    const key = b.toString('latin1', p, p + klen);
    p += klen;
    const vlen = readLen();
    if (p >= size) throw new Error('zipmap runs past the end');
    const free = b[p++]!;
    if (p + vlen + free > size) throw new Error('zipmap value runs past the end');
    out.push(key, b.toString('latin1', p, p + vlen));
    p += vlen + free;
  }
  if (declared < 254 && declared !== out.length / 2) {
    throw new Error(`zipmap header says ${declared} pairs, it has ${out.length / 2}`);
  }
  return out;
}
