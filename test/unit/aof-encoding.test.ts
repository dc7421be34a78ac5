/**
 * The AOF's pure parts: RespBuffer (commands → RESP bytes), readCommand (RESP bytes → commands,
 * with truncation and format errors told apart at every cut), and AofCommandEncoder (a snapshot
 * as the commands Redis 7.0's rewrite writes with aof-use-rdb-preamble no).
 */
import { describe, expect, it } from 'vitest';
import type { Bytes } from '../../src/keyspace/bytes.js';
import { RespBuffer } from '../../src/persistence/aof-resp.js';
import { readCommand } from '../../src/persistence/aof-loader.js';
import { AofCommandEncoder } from '../../src/persistence/aof-command-encoder.js';
import type { SnapshotEncoder } from '../../src/persistence/snapshot.js';
import { RedisList } from '../../src/datastructures/list.js';
import { RedisHash } from '../../src/datastructures/hash.js';
import { RedisSet } from '../../src/datastructures/set.js';
import { SortedSet } from '../../src/datastructures/sorted-set.js';

const b = (s: string) => s as Bytes;

describe('RespBuffer', () => {
  it('encodes commands as RESP multibulk, byte for byte, growing past its first buffer', () => {
    const out = new RespBuffer();
    out.command([b('SET'), b('k'), b('\x00\xff\r\n')]);
    expect(out.take().toString('latin1')).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\n\x00\xff\r\n\r\n');
    const big = 'x'.repeat(100_000);
    out.command([b('SET'), b('big'), b(big)]);
    out.command([b('PING')]);
    expect(out.length).toBe(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$100000\r\n${big}\r\n*1\r\n$4\r\nPING\r\n`.length);
    expect(out.view().toString('latin1')).toBe(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$100000\r\n${big}\r\n*1\r\n$4\r\nPING\r\n`);
    out.clear();
    expect(out.length).toBe(0);
    out.raw(Buffer.from('abc'));
    expect(out.take().toString('latin1')).toBe('abc');
  });
});

describe('readCommand', () => {
  const cmd = Buffer.from('*3\r\n$3\r\nset\r\n$1\r\nk\r\n$10\r\n0123456789\r\n', 'latin1');

  it('reads a command and the offset after it', () => {
    const r = readCommand(Buffer.concat([cmd, cmd]), 0);
    expect(r).toEqual({ argv: ['set', 'k', '0123456789'], next: cmd.length });
    expect(readCommand(Buffer.concat([cmd, cmd]), cmd.length)).toEqual({ argv: ['set', 'k', '0123456789'], next: 2 * cmd.length });
  });

  it('every cut of a command reads as truncated at its start, never as a format error', () => {
    for (let cut = 1; cut < cmd.length; cut++) {
      expect(readCommand(cmd.subarray(0, cut), 0)).toMatchObject({ reason: 'truncated', offset: 0 });
    }
  });

  it('bad bytes read as a format error at the start of the command', () => {
    for (const bad of ['X', '*x\r\n', '*0\r\n', '*-1\r\n', '*1\r\n#3\r\nset\r\n', '*1\r\n$3\r\nsetXY', '*1\r\n$-1\r\n', '*1\r\n$3x\r\n']) {
      expect(readCommand(Buffer.from(bad, 'latin1'), 0)).toMatchObject({ reason: 'format', offset: 0 });
    }
  });
});

describe('AofCommandEncoder', () => {
  const limits = { hashMaxListpackEntries: 128, hashMaxListpackValue: 64 };

  it('writes SELECT, SET, RPUSH/HMSET/SADD/ZADD in batches of 64, scores as %.17g, PEXPIREAT; skips expired keys', () => {
    const enc: SnapshotEncoder = new AofCommandEncoder();
    enc.begin();
    enc.selectDb(0, 5, 1);
    enc.entry(b('s'), b('v'), 4_000_000_000_123);
    const list = new RedisList();
    for (let i = 0; i < 65; i++) list.pushBack(b(String(i)));
    enc.entry(b('l'), list, undefined);
    const hash = new RedisHash();
    hash.set(b('f'), b('v'), limits);
    enc.entry(b('h'), hash, undefined);
    const set = new RedisSet();
    set.add(b('2'), 512);
    set.add(b('1'), 512);
    enc.entry(b('st'), set, undefined);
    const z = new SortedSet();
    z.insert(b('a'), 0.1, { zsetMaxListpackEntries: 128, zsetMaxListpackValue: 64 });
    z.insert(b('b'), -Infinity, { zsetMaxListpackEntries: 128, zsetMaxListpackValue: 64 });
    enc.entry(b('z'), z, undefined);
    enc.entry(b('expired'), b('v'), Date.now() - 1000);
    enc.selectDb(9, 1, 0);
    enc.end();
    const resp = (...c: string[][]) => c.map((a) => `*${a.length}\r\n${a.map((x) => `$${x.length}\r\n${x}\r\n`).join('')}`).join('');
    expect(enc.take().toString('latin1')).toBe(
      resp(
        ['SELECT', '0'],
        ['SET', 's', 'v'],
        ['PEXPIREAT', 's', '4000000000123'],
        ['RPUSH', 'l', ...Array.from({ length: 64 }, (_, i) => String(i))],
        ['RPUSH', 'l', '64'],
        ['HMSET', 'h', 'f', 'v'],
        ['SADD', 'st', '1', '2'],
        ['ZADD', 'z', '-inf', 'b', '0.10000000000000001', 'a'],
        ['SELECT', '9'],
      ),
    );
    expect(enc.take().length).toBe(0);
  });

  it('starts with a #TS annotation when timestamps are on (aof-timestamp-enabled)', () => {
    const enc = new AofCommandEncoder({ timestamp: true });
    const before = Math.floor(Date.now() / 1000);
    enc.begin();
    enc.end();
    const text = enc.take().toString('latin1');
    expect(text).toMatch(/^#TS:\d+\r\n$/);
    expect(Number(text.slice(4, -2)) - before).toBeLessThanOrEqual(1);
  });
});
