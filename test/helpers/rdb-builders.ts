/**
 * Test-only builders of RDB bytes, written from the format descriptions: the old compact
 * encodings Redis 7.0 still loads but no longer writes (ziplist, zipmap), whole DUMP payloads
 * of any type and whole RDB files of any version, so tests can feed Kioku (and redis-server)
 * values in every historical form.
 */
import { crc64 } from '../../src/persistence/crc64.js';
import { RdbOutput } from '../../src/persistence/rdb-output.js';
import { parseI64 } from '../../src/keyspace/bytes.js';

/** A ziplist of these entries (canonical integers stored as integers, as Redis did). */
export function ziplist(entries: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  let prevLen = 0;
  let offset = 10;
  let tail = 10;
  for (const e of entries) {
    const prev = prevLen < 254 ? Buffer.from([prevLen]) : Buffer.concat([Buffer.from([0xfe]), u32le(prevLen)]);
    const v = e.length <= 20 ? parseI64(e) : undefined;
    let enc: Buffer;
    if (v !== undefined) {
      const n = BigInt(v);
      if (n >= 0n && n <= 12n) enc = Buffer.from([0xf1 + Number(n)]);
      else if (n >= -128n && n <= 127n) enc = Buffer.from([0xfe, Number(n) & 0xff]);
      else if (n >= -32768n && n <= 32767n) enc = withInt(0xc0, 2, n);
      else if (n >= -8388608n && n <= 8388607n) enc = withInt(0xf0, 3, n);
      else if (n >= -2147483648n && n <= 2147483647n) enc = withInt(0xd0, 4, n);
      else enc = withInt(0xe0, 8, n);
    } else {
      const data = Buffer.from(e, 'latin1');
      const len = data.length;
      let head: Buffer;
      if (len <= 63) head = Buffer.from([len]);
      else if (len <= 16383) head = Buffer.from([0x40 | (len >> 8), len & 0xff]);
      else {
        head = Buffer.alloc(5);
        head[0] = 0x80;
        head.writeUInt32BE(len, 1);
      }
      enc = Buffer.concat([head, data]);
    }
    const entry = Buffer.concat([prev, enc]);
    tail = offset;
    offset += entry.length;
    prevLen = entry.length;
    parts.push(entry);
  }
  const header = Buffer.alloc(10);
  const total = offset + 1;
  header.writeUInt32LE(total, 0);
  header.writeUInt32LE(tail, 4);
  header.writeUInt16LE(Math.min(entries.length, 65535), 8);
  return Buffer.concat([header, ...parts, Buffer.from([0xff])]);
}

function withInt(tag: number, width: number, n: bigint): Buffer {
  const b = Buffer.alloc(1 + width);
  b[0] = tag;
  if (width === 8) b.writeBigInt64LE(n, 1);
  else b.writeIntLE(Number(n), 1, width);
  return b;
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
}

/** A zipmap of these [key, value] pairs (each value followed by `free` unused bytes). */
export function zipmap(pairs: readonly [string, string][], free = 0): Buffer {
  const len = (n: number) => (n < 254 ? Buffer.from([n]) : Buffer.concat([Buffer.from([254]), u32le(n)]));
  const parts: Buffer[] = [Buffer.from([pairs.length < 254 ? pairs.length : 254])];
  for (const [k, v] of pairs) {
    parts.push(len(k.length), Buffer.from(k, 'latin1'), len(v.length), Buffer.from([free]), Buffer.from(v, 'latin1'), Buffer.alloc(free, 0x58));
  }
  parts.push(Buffer.from([0xff]));
  return Buffer.concat(parts);
}

/** A double in RDB_TYPE_ZSET's text form. */
export function textDouble(out: RdbOutput, d: number): void {
  if (Number.isNaN(d)) out.byte(253);
  else if (d === Infinity) out.byte(254);
  else if (d === -Infinity) out.byte(255);
  else {
    const s = String(d);
    out.byte(s.length);
    out.raw(Buffer.from(s, 'latin1'));
  }
}

/** Bytes written by `fill` through a fresh RdbOutput. */
export function rdbBytes(fill: (out: RdbOutput) => void, compress = false): Buffer {
  const out = new RdbOutput({ compress });
  fill(out);
  return out.take();
}

/** A DUMP payload: type, body, version (LE) and the CRC-64 of all that. */
export function dumpPayload(type: number, body: Buffer, version = 10): Buffer {
  const v = Buffer.alloc(2);
  v.writeUInt16LE(version, 0);
  const head = Buffer.concat([Buffer.from([type]), body, v]);
  return Buffer.concat([head, crc64(head)]);
}

/** A whole RDB file: header of the given version, the records, EOF and (version ≥ 5) the checksum. */
export function rdbFile(records: Buffer[], version = 10, checksum: 'good' | 'zero' | 'bad' = 'good'): Buffer {
  const head = Buffer.concat([Buffer.from(`REDIS${String(version).padStart(4, '0')}`, 'latin1'), ...records, Buffer.from([0xff])]);
  if (version < 5) return head;
  const sum = checksum === 'zero' ? Buffer.alloc(8) : crc64(head);
  if (checksum === 'bad') sum[0] ^= 1;
  return Buffer.concat([head, sum]);
}

/** A key record of an RDB file: [expire] type key value. */
export function keyRecord(type: number, key: string, body: Buffer, expireMs?: number): Buffer {
  return rdbBytes((out) => {
    if (expireMs !== undefined) {
      out.byte(252);
      out.millis(expireMs);
    }
    out.byte(type);
    out.string(key);
    out.raw(body);
  });
}
