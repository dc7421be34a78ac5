/**
 * DUMP / RESTORE payloads: <type byte> <value, as in an RDB file> <RDB version, uint16 LE>
 * <CRC-64 of everything before, 8 bytes LE>. Kioku writes version 10 (Redis 7.0's) and accepts
 * any version up to it, so payloads move both ways between Kioku and Redis 7.0.
 * Mirrors redis cluster.c createDumpPayload() / verifyDumpPayload().
 */
import type { RedisValue } from '../keyspace/redis-value.js';
import type { EncodingLimits } from '../server.js';
import { crc64 } from './crc64.js';
import { RdbOutput } from './rdb-output.js';
import { RDB_VERSION, RdbFormatError, RdbInput, isEmptyValue, rdbTypeOf, readValue, writeValue } from './rdb-values.js';

/** Bytes after the value: version (2) and checksum (8). */
const FOOTER = 10;

/** The DUMP payload of a value; `compress` is rdbcompression (LZF for long strings). */
export function encodeDump(v: RedisValue, compress: boolean): Buffer {
  const out = new RdbOutput({ compress });
  out.byte(rdbTypeOf(v));
  writeValue(out, v);
  out.byte(RDB_VERSION & 0xff);
  out.byte(RDB_VERSION >>> 8);
  const body = out.take();
  return Buffer.concat([body, crc64(body)]);
}

/** Is the footer sound: an RDB version Kioku reads and a matching checksum? */
export function verifyDumpPayload(payload: Buffer): boolean {
  if (payload.length < FOOTER) return false;
  const version = payload.readUInt16LE(payload.length - FOOTER);
  if (version > RDB_VERSION) return false;
  const body = payload.subarray(0, payload.length - 8);
  return crc64(body).equals(payload.subarray(payload.length - 8));
}

/**
 * The value in a payload whose footer verifyDumpPayload accepted, built as loading would build
 * it under `limits`. Throws RdbFormatError when the value is damaged, unsupported or empty.
 */
export function decodeDumpValue(payload: Buffer, limits: EncodingLimits): RedisValue {
  const inp = new RdbInput(payload.subarray(0, payload.length - FOOTER));
  const type = inp.byte();
  const value = readValue(inp, type, limits);
  if (isEmptyValue(value)) throw new RdbFormatError('empty aggregate in DUMP payload');
  return value;
}
