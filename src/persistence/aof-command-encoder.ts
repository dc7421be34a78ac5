/**
 * AofCommandEncoder: a snapshot written as RESP commands, the AOF base file of a rewrite with
 * `aof-use-rdb-preamble no`. Per database `SELECT <db>`, then per key the commands that rebuild
 * it, as Redis 7.0 writes them: SET for strings, RPUSH / HMSET / SADD / ZADD with at most 64
 * elements per command, scores as "%.17g", and `PEXPIREAT key <unix ms>` after a key with a TTL;
 * with aof-timestamp-enabled, a `#TS:` annotation first.
 * Mirrors redis aof.c rewriteAppendOnlyFileRio() and rewrite{List,Set,SortedSet,Hash}Object().
 */
import type { Bytes } from '../keyspace/bytes.js';
import { formatDouble } from '../keyspace/bytes.js';
import type { RedisValue } from '../keyspace/redis-value.js';
import { RedisList } from '../datastructures/list.js';
import { RedisHash } from '../datastructures/hash.js';
import { RedisSet } from '../datastructures/set.js';
import { SortedSet } from '../datastructures/sorted-set.js';
import { RespBuffer } from './aof-resp.js';
import type { SnapshotEncoder } from './snapshot.js';

/** Redis AOF_REWRITE_ITEMS_PER_CMD: elements per RPUSH/HMSET/SADD/ZADD command. */
export const AOF_REWRITE_ITEMS_PER_CMD = 64;

export class AofCommandEncoder implements SnapshotEncoder {
  private readonly out = new RespBuffer();

  /** `timestamp` (aof-timestamp-enabled): the file starts with a `#TS:<unix seconds>` annotation. */
  constructor(private readonly opts: { timestamp: boolean } = { timestamp: false }) {}

  /** Unix ms when the image was started: keys already expired then are left out, as Redis does. */
  private now = 0;

  begin(): void {
    this.now = Date.now();
    if (this.opts.timestamp) this.out.raw(Buffer.from(`#TS:${Math.floor(Date.now() / 1000)}\r\n`, 'latin1'));
  }

  selectDb(index: number): void {
    this.out.command(['SELECT' as Bytes, String(index) as Bytes]);
  }

  entry(key: Bytes, value: RedisValue, expireAt: number | undefined): void {
    if (expireAt !== undefined && expireAt < this.now) return;
    if (typeof value === 'string') this.out.command(['SET' as Bytes, key, value]);
    else if (value instanceof RedisList) this.batched('RPUSH', key, value.toArray(), 1);
    else if (value instanceof RedisHash) {
      const items: Bytes[] = [];
      value.forEach((f, v) => items.push(f, v));
      this.batched('HMSET', key, items, 2);
    } else if (value instanceof RedisSet) this.batched('SADD', key, [...value.members()], 1);
    else if (value instanceof SortedSet) {
      const items: Bytes[] = [];
      for (const [member, score] of value.entries()) items.push(formatDouble(score) as Bytes, member);
      this.batched('ZADD', key, items, 2);
    } else throw new Error(`AOF rewrite: unknown value type for key ${key}`);
    if (expireAt !== undefined) this.out.command(['PEXPIREAT' as Bytes, key, String(expireAt) as Bytes]);
  }

  end(): void {}

  take(): Buffer {
    return this.out.take();
  }

  /** `NAME key items...` with at most 64 elements (of `width` items each) per command. */
  private batched(name: string, key: Bytes, items: Bytes[], width: number): void {
    const per = AOF_REWRITE_ITEMS_PER_CMD * width;
    for (let i = 0; i < items.length; i += per) {
      this.out.command([name as Bytes, key, ...items.slice(i, i + per)]);
    }
  }
}
