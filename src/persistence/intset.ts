/**
 * Intset: the serialized sorted array of integers Redis stores small all-integer sets in, and
 * writes into RDB files (type 11) as one string.
 *
 * The format: <encoding uint32 LE: 2, 4 or 8 bytes per integer> <length uint32 LE> then the
 * integers, signed little-endian, strictly ascending. The width is the smallest that holds every
 * member. Kioku's intset is an ascending array of the members' canonical texts (set.ts), so this
 * module only converts at the RDB boundary.
 * Mirrors the role of redis intset.c (intsetAdd's layout, intsetValidateIntegrity).
 */
import type { Bytes } from '../keyspace/bytes.js';
import { parseI64 } from '../keyspace/bytes.js';

const HEADER_SIZE = 8;

/** An intset holding these canonical int64 texts, which must be strictly ascending. */
export function encodeIntset(members: readonly Bytes[]): Buffer {
  const values = members.map((m) => {
    const v = parseI64(m);
    if (v === undefined) throw new Error(`intset member is not an integer: ${m}`);
    return v;
  });
  let width = 2;
  for (const v of values) {
    if (typeof v === 'bigint' || v < -2147483648 || v > 2147483647) {
      width = 8;
      break;
    }
    if (v < -32768 || v > 32767) width = 4;
  }
  const out = Buffer.allocUnsafe(HEADER_SIZE + width * values.length);
  out.writeUInt32LE(width, 0);
  out.writeUInt32LE(values.length, 4);
  let p = HEADER_SIZE;
  for (const v of values) {
    if (width === 2) out.writeInt16LE(v as number, p);
    else if (width === 4) out.writeInt32LE(v as number, p);
    else out.writeBigInt64LE(BigInt(v), p);
    p += width;
  }
  return out;
}

/**
 * The members of an intset as canonical texts, ascending. Throws an Error when the encoding,
 * the length or the order is wrong.
 */
export function decodeIntset(buf: Uint8Array): Bytes[] {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < HEADER_SIZE) throw new Error(`intset too short (${b.length} bytes)`);
  const width = b.readUInt32LE(0);
  if (width !== 2 && width !== 4 && width !== 8) throw new Error(`intset has an unknown encoding ${width}`);
  const n = b.readUInt32LE(4);
  if (HEADER_SIZE + n * width !== b.length) throw new Error(`intset of ${n} integers cannot be ${b.length} bytes`);
  const out: Bytes[] = new Array<Bytes>(n);
  let prev: number | bigint | undefined;
  for (let i = 0, p = HEADER_SIZE; i < n; i++, p += width) {
    const v: number | bigint = width === 2 ? b.readInt16LE(p) : width === 4 ? b.readInt32LE(p) : b.readBigInt64LE(p);
    if (prev !== undefined && !(v > prev)) throw new Error(`intset is not in ascending order at ${i}`);
    prev = v;
    out[i] = v.toString();
  }
  return out;
}
