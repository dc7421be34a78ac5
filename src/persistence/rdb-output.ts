/**
 * RdbOutput: the byte sink RDB files and DUMP payloads are written through, with the RDB's
 * primitive encodings:
 * - lengths: 00LLLLLL (< 64), 01LLLLLL LLLLLLLL (< 16384, big-endian), 0x80 + uint32 BE,
 *   0x81 + uint64 BE;
 * - strings: as an integer (0xC0 int8, 0xC1 int16 LE, 0xC2 int32 LE) when the string is the
 *   canonical text of an integer of at most 11 characters that fits 32 bits; LZF-compressed
 *   (0xC3 <compressed length> <original length> <data>) when compression is on, the string is
 *   longer than 20 bytes and compression saves at least 4 bytes; else <length> <bytes>.
 *   These are the rules Redis 7.0 applies, so its files and Kioku's encode values alike.
 * - millisecond times: int64 little-endian.
 *
 * One Buffer grows by doubling and strings go in with a latin1 write, so serializing gigabytes
 * (BGSAVE) makes no per-byte arrays. take() hands over what was written so far.
 * Mirrors redis rdb.c's rdbSaveLen / rdbSaveRawString / rdbTryIntegerEncoding /
 * rdbSaveLzfStringObject / rdbSaveMillisecondTime.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { parseI64 } from '../keyspace/bytes.js';
import { lzfCompress } from './lzf.js';

/** The special-encoding markers of the RDB string format. */
export const RDB_ENC = { INT8: 0xc0, INT16: 0xc1, INT32: 0xc2, LZF: 0xc3 } as const;

const INITIAL_CAPACITY = 64 * 1024;
/** Strings longer than this are tried with LZF (when compression is on). */
const LZF_MIN_LENGTH = 20;
const TWO_32 = 4294967296;

export class RdbOutput {
  private buf: Buffer;
  private pos = 0;
  private readonly compress: boolean;

  constructor(opts: { compress?: boolean } = {}) {
    this.compress = opts.compress ?? false;
    this.buf = Buffer.allocUnsafe(INITIAL_CAPACITY);
  }

  /** Bytes written since the last take() (what take() would return now). */
  get size(): number {
    return this.pos;
  }

  /** Makes room for `extra` more bytes. */
  private ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /** One byte. */
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Bytes as they are. */
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** An RDB length (see the file comment). */
  length(n: number): void {
    this.ensure(9);
    const b = this.buf;
    const p = this.pos;
    if (n < 64) {
      b[p] = n;
      this.pos = p + 1;
    } else if (n < 16384) {
      b[p] = 0x40 | (n >>> 8);
      b[p + 1] = n & 0xff;
      this.pos = p + 2;
    } else if (n < TWO_32) {
      b[p] = 0x80;
      b.writeUInt32BE(n, p + 1);
      this.pos = p + 5;
    } else {
      b[p] = 0x81;
      b.writeUInt32BE(Math.floor(n / TWO_32), p + 1);
      b.writeUInt32BE(n % TWO_32, p + 5);
      this.pos = p + 9;
    }
  }

  /** A string, integer-encoded or LZF-compressed when Redis would (see the file comment). */
  string(s: Bytes): void {
    const len = s.length;
    if (len <= 11 && len > 0 && this.intString(s)) return;
    if (this.compress && len > LZF_MIN_LENGTH) {
      const packed = lzfCompress(Buffer.from(s, 'latin1'), len - 4);
      if (packed !== undefined) {
        this.lzf(packed, len);
        return;
      }
    }
    this.length(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, len, 'latin1');
  }

  /**
   * A binary string (a listpack, an intset...): LZF-compressed under the same rule as string(),
   * else plain. (Such blobs are never integer texts.)
   */
  blob(b: Uint8Array): void {
    const len = b.length;
    if (this.compress && len > LZF_MIN_LENGTH) {
      const packed = lzfCompress(b, len - 4);
      if (packed !== undefined) {
        this.lzf(packed, len);
        return;
      }
    }
    this.length(len);
    this.raw(b);
  }

  private lzf(packed: Buffer, originalLength: number): void {
    this.byte(RDB_ENC.LZF);
    this.length(packed.length);
    this.length(originalLength);
    this.raw(packed);
  }

  /** Writes s as an RDB integer if it is the canonical text of an int32; false if not. */
  private intString(s: Bytes): boolean {
    const v = parseI64(s);
    if (typeof v !== 'number') return false;
    this.ensure(5);
    const b = this.buf;
    const p = this.pos;
    if (v >= -128 && v <= 127) {
      b[p] = RDB_ENC.INT8;
      b.writeInt8(v, p + 1);
      this.pos = p + 2;
    } else if (v >= -32768 && v <= 32767) {
      b[p] = RDB_ENC.INT16;
      b.writeInt16LE(v, p + 1);
      this.pos = p + 3;
    } else if (v >= -2147483648 && v <= 2147483647) {
      b[p] = RDB_ENC.INT32;
      b.writeInt32LE(v, p + 1);
      this.pos = p + 5;
    } else {
      return false;
    }
    return true;
  }

  /** A unix time in milliseconds: int64 little-endian. */
  millis(ms: number): void {
    this.ensure(8);
    this.buf.writeInt32LE(Math.floor(ms / TWO_32) | 0, this.pos + 4);
    this.buf.writeUInt32LE(ms >>> 0, this.pos);
    this.pos += 8;
  }

  /** A double as its 8 IEEE 754 bytes, little-endian (RDB_TYPE_ZSET_2 scores). */
  float64(d: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }

  /** The bytes written since the last take(); the output then starts empty again. */
  take(): Buffer {
    const n = this.pos;
    const cur = this.buf;
    this.pos = 0;
    if (n * 4 < cur.length) {
      // A small result: copy it out and keep the big buffer for what comes next.
      return Buffer.from(cur.subarray(0, n));
    }
    this.buf = Buffer.allocUnsafe(Math.min(cur.length, 8 * INITIAL_CAPACITY));
    return cur.subarray(0, n);
  }
}
