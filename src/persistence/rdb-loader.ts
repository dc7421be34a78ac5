/**
 * RdbLoader: reads a whole RDB file (dump.rdb, or the RDB preamble of an AOF base) in slices, so
 * that the server can answer -LOADING between them, and hands every aux field, key and function
 * library to a target.
 *
 * File layout (RDB versions 1 to 10, as Redis 7.0 reads them):
 *   "REDIS" + 4-digit version, then records, each introduced by an opcode byte:
 *   AUX (250) name value · SELECTDB (254) db · RESIZEDB (251) size expires-size ·
 *   EXPIRETIME_MS (252) int64 LE · EXPIRETIME (253) int32 LE seconds · IDLE (248) seconds ·
 *   FREQ (249) one byte · MODULE_AUX (247) · FUNCTION2 (245) library code · FUNCTION (246,
 *   7.0 release candidates only) · EOF (255) — or a value type byte, the key and the value
 *   (rdb-values.ts), which takes the pending expiry / idle / freq.
 *   From version 5 on, the EOF is followed by the CRC-64 of everything before it (8 bytes LE;
 *   0 = written without a checksum, not verified).
 * Errors are RdbFormatErrors. A bad signature or version carries Redis's own message ("Wrong
 * signature trying to load DB from file", "Can't handle RDB format version N"); other faults say
 * what and where, prefixed with the source's name.
 * Mirrors redis rdb.c rdbLoadRio().
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { RedisValue } from '../keyspace/redis-value.js';
import type { EncodingLimits } from '../server.js';
import { Crc64 } from './crc64.js';
import { RDB_OPCODE, RDB_VERSION, RdbFormatError, RdbInput, isEmptyValue, readValue } from './rdb-values.js';


/** The characters a module name is made of; a module id packs 9 of them and a 10-bit version. */
const MODULE_CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** How many records are read between two looks at the clock. */
const RECORDS_PER_CLOCK_CHECK = 64;

/** An RdbFormatError whose message is Redis's own log line, passed on unprefixed. */
class RedisWordedError extends RdbFormatError {}

/** Receives what an RDB file holds. */
export interface RdbLoadTarget {
  aux(key: string, value: Bytes): void;
  key(db: number, key: Bytes, value: RedisValue, expireAt: number | undefined, meta: { idle?: number; freq?: number }): void;
  /** FUNCTION2 opcode (a function library); Kioku has no scripting engine. */
  functionLibrary(code: Bytes): void;
}

export class RdbLoader {
  private readonly inp: RdbInput;
  private readonly crc = new Crc64();
  /** Bytes already fed to the checksum. */
  private crcPos = 0;
  private version = 0;
  private db = 0;
  private done = false;
  private readonly limits: EncodingLimits;
  private readonly source: string;

  constructor(
    buf: Buffer,
    private readonly target: RdbLoadTarget,
    opts: { limits: EncodingLimits; source: string },
  ) {
    this.inp = new RdbInput(buf, 0);
    this.limits = opts.limits;
    this.source = opts.source;
  }

  /** Offset just after the checksum (an AOF base with an RDB preamble continues with RESP there). */
  get offset(): number {
    return this.inp.pos;
  }

  /**
   * Loads until performance.now() >= deadline or the end; true once EOF (and the checksum,
   * verified unless it is 0) is read.
   */
  step(deadline: number): boolean {
    if (this.done) return true;
    try {
      if (this.version === 0) this.header();
      let records = 0;
      while (!this.record()) {
        if (++records % RECORDS_PER_CLOCK_CHECK === 0 && performance.now() >= deadline) {
          this.feedCrc();
          return false;
        }
      }
      this.finish();
      this.done = true;
      return true;
    } catch (e) {
      if (e instanceof RdbFormatError && !(e instanceof RedisWordedError)) {
        throw new RdbFormatError(`${this.source}: ${e.message}`);
      }
      throw e;
    }
  }

  /** Throws an error worded exactly as Redis logs it (no source prefix). */
  private bare(message: string): never {
    throw new RedisWordedError(message);
  }

  private header(): void {
    const inp = this.inp;
    if (inp.remaining < 9 || inp.buf.toString('latin1', 0, 5) !== 'REDIS') {
      this.bare('Wrong signature trying to load DB from file');
    }
    const digits = inp.buf.toString('latin1', 5, 9);
    const version = /^\d{4}$/.test(digits) ? Number(digits) : 0;
    if (version < 1 || version > RDB_VERSION) this.bare(`Can't handle RDB format version ${version}`);
    inp.pos = 9;
    this.version = version;
  }

  /** Reads one record; true when it was the EOF opcode. */
  private record(): boolean {
    const inp = this.inp;
    let expireAt: number | undefined;
    const meta: { idle?: number; freq?: number } = {};
    for (;;) {
      const op = inp.byte();
      switch (op) {
        case RDB_OPCODE.EXPIRETIME_MS:
          expireAt = inp.millis();
          continue;
        case RDB_OPCODE.EXPIRETIME:
          expireAt = inp.i32() * 1000;
          continue;
        case RDB_OPCODE.IDLE:
          meta.idle = inp.length();
          continue;
        case RDB_OPCODE.FREQ:
          meta.freq = inp.byte();
          continue;
        case RDB_OPCODE.SELECTDB:
          this.db = inp.length();
          return false;
        case RDB_OPCODE.RESIZEDB:
          inp.length();
          inp.length();
          return false;
        case RDB_OPCODE.AUX: {
          const key = inp.string();
          const value = inp.string();
          this.target.aux(key, value);
          return false;
        }
        case RDB_OPCODE.MODULE_AUX:
          return this.bare(`The RDB file contains AUX module data I can't load: no matching module '${this.moduleName()}'`);
        case RDB_OPCODE.FUNCTION_PRE_GA:
          return this.bare('Pre-release function format not supported.');
        case RDB_OPCODE.FUNCTION2:
          this.target.functionLibrary(inp.string());
          return false;
        case RDB_OPCODE.EOF:
          return true;
        default: {
          const key = inp.string();
          const value = readValue(inp, op, this.limits);
          // Redis drops a key whose aggregate came out empty (logged, not an error).
          if (isEmptyValue(value)) return false;
          this.target.key(this.db, key, value, expireAt, meta);
          return false;
        }
      }
    }
  }

  /** The module name packed in the module id that follows a MODULE_AUX opcode. */
  private moduleName(): string {
    const inp = this.inp;
    const first = inp.byte();
    let id: bigint;
    if (first === 0x81) {
      id = inp.bytes(8, 'a module id').readBigUInt64BE(0);
    } else {
      inp.pos--;
      id = BigInt(inp.length());
    }
    let name = '';
    for (let j = 0; j < 9; j++) name += MODULE_CHARSET[Number((id >> BigInt(64 - 6 * (j + 1))) & 63n)];
    return name;
  }

  private fail(what: string, at: number): never {
    throw new RdbFormatError(`${what} at offset ${at}`);
  }

  private feedCrc(): void {
    const inp = this.inp;
    if (this.version < 5 || inp.pos <= this.crcPos) return;
    this.crc.update(inp.buf.subarray(this.crcPos, inp.pos));
    this.crcPos = inp.pos;
  }

  /** After the EOF opcode: the checksum (RDB version 5 and later). */
  private finish(): void {
    if (this.version < 5) return;
    this.feedCrc();
    const inp = this.inp;
    const at = inp.pos;
    const stored = inp.bytes(8, 'the checksum');
    if (stored.every((b) => b === 0)) return;
    const computed = this.crc.digest();
    if (!computed.equals(stored)) {
      this.fail(
        `Wrong RDB checksum expected: (${computed.readBigUInt64LE(0).toString(16)}) got (${stored.readBigUInt64LE(0).toString(16)})`,
        at,
      );
    }
  }
}
