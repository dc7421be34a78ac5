/**
 * RdbFileEncoder: a whole dump.rdb as Redis 7.0 writes it (RDB version 10), fed key by key by a
 * snapshot: the "REDIS0010" magic, the aux fields (redis-ver, redis-bits, ctime, used-mem,
 * repl-stream-db / repl-id / repl-offset when there is a replication history, aof-base), per
 * database SELECTDB and RESIZEDB, each key with its expiry (EXPIRETIME_MS), EOF, and the CRC-64
 * of everything before it (eight zero bytes when rdbchecksum is off, which loaders take as "not
 * checked"). The value encodings are rdb-values.ts's. Mirrors the file
 * layout of redis rdb.c rdbSaveRio().
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { RedisValue } from '../keyspace/redis-value.js';
import { REDIS_VERSION } from '../version.js';
import { Crc64 } from './crc64.js';
import { RdbOutput } from './rdb-output.js';
import { RDB_OPCODE, RDB_VERSION, rdbTypeOf, writeValue } from './rdb-values.js';
import type { SnapshotEncoder } from './snapshot.js';

export interface RdbFileOptions {
  /** rdbcompression: LZF for strings longer than 20 bytes when it helps. */
  compress: boolean;
  /** rdbchecksum: write the CRC-64 (else eight zero bytes). */
  checksum: boolean;
  /** The file is the base of an AOF (aux field aof-base 1). */
  aofBase: boolean;
  /** used-mem aux field: bytes in use. */
  usedMemory: number;
  /**
   * The replication position the image corresponds to (aux fields repl-stream-db, repl-id,
   * repl-offset), taken when the snapshot starts: a replica restarted from this file continues
   * its primary's stream from there. Undefined: not written (Redis's rsi == NULL).
   */
  replication?: { streamDb: number; replId: string; offset: number } | undefined;
}

export class RdbFileEncoder implements SnapshotEncoder {
  private readonly out: RdbOutput;
  private readonly crc = new Crc64();
  /** After end(): the last bytes, checksum included. */
  private final: Buffer | undefined;

  constructor(private readonly opts: RdbFileOptions) {
    this.out = new RdbOutput({ compress: opts.compress });
  }

  begin(): void {
    const out = this.out;
    out.raw(Buffer.from(`REDIS${String(RDB_VERSION).padStart(4, '0')}`, 'latin1'));
    this.aux('redis-ver', REDIS_VERSION);
    this.aux('redis-bits', '64');
    this.aux('ctime', String(Math.floor(Date.now() / 1000)));
    this.aux('used-mem', String(this.opts.usedMemory));
    const repl = this.opts.replication;
    if (repl !== undefined) {
      this.aux('repl-stream-db', String(repl.streamDb));
      this.aux('repl-id', repl.replId);
      this.aux('repl-offset', String(repl.offset));
    }
    this.aux('aof-base', this.opts.aofBase ? '1' : '0');
  }

  private aux(key: string, value: Bytes): void {
    this.out.byte(RDB_OPCODE.AUX);
    this.out.string(key);
    this.out.string(value);
  }

  selectDb(index: number, keys: number, expires: number): void {
    const out = this.out;
    out.byte(RDB_OPCODE.SELECTDB);
    out.length(index);
    out.byte(RDB_OPCODE.RESIZEDB);
    out.length(keys);
    out.length(expires);
  }

  entry(key: Bytes, value: RedisValue, expireAt: number | undefined): void {
    const out = this.out;
    if (expireAt !== undefined) {
      out.byte(RDB_OPCODE.EXPIRETIME_MS);
      out.millis(expireAt);
    }
    out.byte(rdbTypeOf(value));
    out.string(key);
    writeValue(out, value);
  }

  end(): void {
    this.out.byte(RDB_OPCODE.EOF);
    const body = this.take();
    this.final = Buffer.concat([body, this.opts.checksum ? this.crc.digest() : Buffer.alloc(8)]);
  }

  take(): Buffer {
    if (this.final !== undefined) {
      const last = this.final;
      this.final = Buffer.alloc(0);
      return last;
    }
    const chunk = this.out.take();
    if (this.opts.checksum) this.crc.update(chunk);
    return chunk;
  }
}
