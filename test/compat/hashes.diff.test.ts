/**
 * Differential tests for the hash commands: the same scripts go to Kioku and to a real
 * redis-server 7.0, and the raw replies must be byte-identical, in RESP2 and in RESP3 — including
 * OBJECT ENCODING after every step, so the listpack → hashtable conversions happen on exactly the
 * same commands. Listpack replies are compared as they are (same order as Redis); replies from a
 * hashtable-encoded hash, whose order Redis leaves to its hash table, are compared sorted.
 * Skips (saying so) when redis-server is not installed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDifferential, type Differential } from '../helpers/differential.js';
import { haveRedisServer, NO_REDIS } from '../helpers/redis-oracle.js';
import { parseResp, writeResp, type RespNode } from '../helpers/resp-tree.js';
import { prng } from '../helpers/prng.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

type Script = string[][];

const RESET_LIMITS: Script = [
  ['CONFIG', 'SET', 'hash-max-listpack-entries', '128'],
  ['CONFIG', 'SET', 'hash-max-listpack-value', '64'],
];

/** Runs a script in RESP2 and RESP3, starting each run from empty databases. */
async function compareBoth(diff: Differential, script: Script): Promise<void> {
  for (const protocol of [2, 3] as const) {
    for (const db of diff.kioku.server.keyspaces) db.flush();
    await diff.compare(script, { protocol });
  }
}

/** Commands whose reply order is the hash's iteration order. */
const ORDERED_BY_HASH = new Set(['hkeys', 'hvals', 'hgetall', 'hscan', 'hrandfield']);

/**
 * A reply in a canonical order: elements sorted, and field/value pairs (HGETALL, HSCAN, HRANDFIELD
 * WITHVALUES, flat or RESP3 pairs) kept together and sorted by field.
 */
function canonical(cmd: string[], reply: string): string {
  const node = parseResp(reply);
  const name = cmd[0]!.toLowerCase();
  const list = name === 'hscan' ? node.items?.[1] : node;
  if (list?.items === undefined) return reply;
  const withValues = name === 'hgetall' || name === 'hscan' || cmd.some((a) => a.toLowerCase() === 'withvalues');
  const key = (n: RespNode) => writeResp(n);
  let groups: RespNode[][];
  if (withValues && list.items.every((n) => n.type !== '*')) {
    groups = [];
    for (let i = 0; i < list.items.length; i += 2) groups.push([list.items[i]!, list.items[i + 1]!]);
  } else {
    groups = list.items.map((n) => [n]);
  }
  groups.sort((a, b) => (key(a[0]!) < key(b[0]!) ? -1 : key(a[0]!) > key(b[0]!) ? 1 : 0));
  list.items = groups.flat();
  return writeResp(node);
}

/**
 * Runs a script whose reads are each followed by OBJECT ENCODING of their key: replies of a
 * hashtable-encoded hash are compared in canonical order, everything else byte for byte.
 */
async function compareWithEncodings(diff: Differential, script: Script): Promise<string[]> {
  let replies: string[] = [];
  for (const protocol of [2, 3] as const) {
    for (const db of diff.kioku.server.keyspaces) db.flush();
    const { kioku, redis } = await diff.run(script, { protocol });
    const rows = script.map((cmd, i) => {
      const next = script[i + 1];
      const unordered = ORDERED_BY_HASH.has(cmd[0]!.toLowerCase()) && next?.[0] === 'OBJECT' &&
        redis[i + 1] === '$9\r\nhashtable\r\n';
      const norm = (s: string) => (unordered && !s.startsWith('-') ? canonical(cmd, s) : s);
      return { i, cmd: cmd.join(' '), kioku: norm(kioku[i]!), redis: norm(redis[i]!) };
    });
    expect(rows).toEqual(rows.map((row) => ({ ...row, kioku: row.redis })));
    replies = redis;
  }
  return replies;
}

/** Appends `cmd` and, for a command on a hash key, OBJECT ENCODING of that key. */
function withEncoding(script: Script, cmd: string[]): void {
  script.push(cmd);
  if (cmd[1] !== undefined && cmd[0] !== 'CONFIG') script.push(['OBJECT', 'ENCODING', cmd[1]]);
}

describe.runIf(available)('hash commands against redis-server 7.0 (RESP2 and RESP3)', () => {
  let diff: Differential;
  beforeAll(async () => {
    diff = await startDifferential();
  });
  afterAll(async () => diff?.stop());
  afterEach(async () => {
    if (diff) await diff.run(RESET_LIMITS);
  });

  it('HSET HMSET HSETNX HGET HMGET HDEL HLEN HSTRLEN HEXISTS: replies, arity and WRONGTYPE', async () => {
    await compareBoth(diff, [
      ['HSET', 'h', 'a', '1', 'b', '2', 'a', '3'], ['HSET', 'h', 'b', '20', 'c', ''], ['HSET', 'h', 'a'],
      ['HSET', 'h', 'a', '1', 'b'], ['HSET', 'h'], ['HMSET', 'h', 'x', '1', 'y'], ['HMSET', 'h', 'x', '1', 'y', '-7'],
      ['HSETNX', 'h', 'a', 'no'], ['HSETNX', 'h', 'n', 'yes'], ['HSETNX', 'fresh', 'f', 'v'], ['HSETNX', 'h', 'f'],
      ['HGET', 'h', 'a'], ['HGET', 'h', 'zz'], ['HGET', 'missing', 'a'], ['HGET', 'h'],
      ['HMGET', 'h', 'a', 'zz', 'c', 'y'], ['HMGET', 'missing', 'a', 'b'], ['HMGET', 'h'],
      ['HLEN', 'h'], ['HLEN', 'missing'], ['HSTRLEN', 'h', 'y'], ['HSTRLEN', 'h', 'c'], ['HSTRLEN', 'h', 'zz'],
      ['HSTRLEN', 'missing', 'a'], ['HEXISTS', 'h', 'a'], ['HEXISTS', 'h', 'zz'], ['HEXISTS', 'missing', 'a'],
      ['HGETALL', 'h'], ['HKEYS', 'h'], ['HVALS', 'h'], ['HGETALL', 'missing'], ['HKEYS', 'missing'], ['HVALS', 'missing'],
      ['HDEL', 'h', 'a', 'zz', 'a'], ['HDEL', 'h'], ['HDEL', 'missing', 'a'], ['HGETALL', 'h'],
      ['HDEL', 'h', 'b', 'c', 'x', 'y', 'n'], ['EXISTS', 'h'], ['HDEL', 'fresh', 'f'], ['EXISTS', 'fresh'],
      ['SET', 's', 'x'], ['HSET', 's', 'a', '1'], ['HMSET', 's', 'a', '1'], ['HSETNX', 's', 'a', '1'], ['HGET', 's', 'a'],
      ['HMGET', 's', 'a'], ['HDEL', 's', 'a'], ['HLEN', 's'], ['HSTRLEN', 's', 'a'], ['HEXISTS', 's', 'a'],
      ['HKEYS', 's'], ['HVALS', 's'], ['HGETALL', 's'], ['HINCRBY', 's', 'a', '1'], ['HINCRBYFLOAT', 's', 'a', '1'],
      ['HRANDFIELD', 's'], ['HRANDFIELD', 's', '1'], ['HSCAN', 's', '0'], ['GET', 's'],
      ['HSET', 'hh', 'f', 'v'], ['GET', 'hh'], ['TYPE', 'hh'], ['SADD', 'hh', 'x'], ['SET', 'hh', 'x'], ['HGET', 'hh', 'f'],
    ]);
  });

  it('HINCRBY: accepted and refused integers, overflow', async () => {
    const values = ['0', '-1', '1', '+1', ' 1', '1 ', '01', '-0', '1e3', '1.0', '', 'abc',
      '9223372036854775807', '-9223372036854775808', '9223372036854775808', '9007199254740993'];
    const script: Script = [];
    for (const v of values) script.push(['HSET', 'h', 'n', v], ['HINCRBY', 'h', 'n', '10'], ['HGET', 'h', 'n']);
    for (const d of ['+1', ' 1', '01', '-0', '1.5', '', '9223372036854775807', '-9223372036854775808', '9223372036854775808']) {
      script.push(['HSET', 'h', 'm', '5'], ['HINCRBY', 'h', 'm', d], ['HINCRBY', 'h', 'fresh', d], ['HINCRBY', 'new', 'f', d]);
    }
    script.push(
      ['HSET', 'h', 'm', '-9223372036854775807'], ['HINCRBY', 'h', 'm', '-1'], ['HINCRBY', 'h', 'm', '-1'],
      ['HINCRBY', 'h', 'm'], ['HINCRBY', 'h', 'm', '1', '2'], ['HGETALL', 'h'], ['HGETALL', 'new'],
    );
    await compareBoth(diff, script);
  });

  it('HINCRBYFLOAT: long double arithmetic, formatting and errors', async () => {
    const pairs: [string, string][] = [
      ['10.5', '0.1'], ['0.1', '0.2'], ['5.0e3', '0'], ['5.0e3', '2.0e2'], ['-0', '0'], ['-0.0', '-0.0'],
      ['1e308', '1e308'], ['3', '1e-17'], ['3', '5e-18'], ['0', '1.23456789012345678901234567890'],
      ['1', '9999999999999999999999'], ['9223372036854775807', '1.5'], ['0x10', '0x1p3'], ['1', '1e4932'],
      ['1e4932', '1e4932'], ['1', '1e5000'], ['1', '1e-5000'], ['1', 'inf'], ['1', '-inf'], ['1', 'Infinity'],
      ['inf', '0'], ['-inf', '1'], ['1', 'nan'], ['nan', '1'], ['1', ' 1'], ['1', '1 '], ['1', ''], ['', '1'],
      ['abc', '1'], [' 1', '1'], ['1', '1'.repeat(5119)], ['1', '1'.repeat(5120)], ['1e-300', '0'], ['-1.5', '1.5'],
      ['7', '-0.00000000000000000001'], ['1e20', '1e-20'], ['0.1', '0.7'], ['1', '1e70'],
    ];
    const script: Script = [];
    for (const [v, inc] of pairs) {
      script.push(['HSET', 'h', 'f', v], ['HINCRBYFLOAT', 'h', 'f', inc], ['HGET', 'h', 'f'], ['OBJECT', 'ENCODING', 'h']);
    }
    script.push(['HINCRBYFLOAT', 'new', 'f', '1.5'], ['HINCRBYFLOAT', 'new', 'f', '-1.5'], ['HGETALL', 'new'],
      ['HINCRBYFLOAT', 'new2', 'f', 'inf'], ['EXISTS', 'new2'], ['HINCRBYFLOAT', 'new', 'f']);
    await compareBoth(diff, script);
  });

  it('OBJECT ENCODING: conversion by value length, field length, entry count and CONFIG SET limits', async () => {
    const x = (n: number) => 'x'.repeat(n);
    const script: Script = [];
    const step = (...cmd: string[]) => withEncoding(script, cmd);
    step('HSET', 'v', 'f', x(64));
    step('HSET', 'v', 'g', x(65));
    step('HDEL', 'v', 'g');
    step('HSET', 'fl', x(64), '1');
    step('HSET', 'fl', x(65), '1');
    step('HSETNX', 'nx', 'a', '1');
    step('HSETNX', 'nx', 'a', x(65));
    step('HSETNX', 'nx', 'b', x(65));
    step('HINCRBY', 'ib', x(65), '1');
    step('HINCRBYFLOAT', 'ibf', 'f', '1e70');
    step('HINCRBYFLOAT', 'ibf2', 'f', '1e60');
    step('HMSET', 'hm', 'a', '1', 'b', x(100));
    step('HSET', 'mixed', 'a', '1', 'b', '2', 'a', x(65));
    step('HSET', 'cnt', ...Array.from({ length: 128 }, (_, i) => [`f${i}`, `${i}`]).flat());
    step('HSET', 'cnt', 'f0', 'updated');
    step('HSET', 'cnt', 'f128', 'one more');
    step('HDEL', 'cnt', ...Array.from({ length: 120 }, (_, i) => `f${i}`));
    step('HGETALL', 'cnt');
    step('DEL', 'cnt');
    step('HSET', 'cnt', 'a', '1');
    step('HSET', 'lp', 'a', '1', 'b', '2', 'c', '3');
    script.push(['CONFIG', 'SET', 'hash-max-listpack-entries', '2']);
    step('HGET', 'lp', 'a');
    step('HSETNX', 'lp', 'a', '9');
    step('HDEL', 'lp', 'zz');
    step('HGETALL', 'lp');
    step('HSET', 'lp', 'a', '5');
    step('HSET', 'two', 'a', '1', 'b', '2');
    step('HSET', 'three', 'a', '1', 'b', '2', 'c', '3');
    step('HINCRBY', 'two', 'c', '1');
    script.push(['CONFIG', 'SET', 'hash-max-listpack-entries', '1']);
    step('HSET', 'one', 'a', '1');
    step('HDEL', 'two', 'a', 'b');
    step('HINCRBY', 'two', 'c', '1');
    script.push(['CONFIG', 'SET', 'hash-max-listpack-entries', '0']);
    step('HSET', 'zero', 'a', '1');
    step('HINCRBYFLOAT', 'zero2', 'a', '1');
    script.push(['CONFIG', 'SET', 'hash-max-listpack-entries', '128'], ['CONFIG', 'SET', 'hash-max-listpack-value', '0']);
    step('HSET', 'empty', '', '');
    step('HSET', 'empty', '', '1');
    step('HSET', 'empty2', 'a', '');
    script.push(['CONFIG', 'SET', 'hash-max-listpack-value', '3']);
    step('HSET', 'three-bytes', 'abc', '123');
    step('HINCRBY', 'three-bytes', 'abc', '900');
    step('HINCRBY', 'three-bytes', 'abc', '1');
    step('HSET', 'neg', 'n', '-99');
    step('HINCRBY', 'neg', 'n', '-1');
    step('COPY', 'lp', 'lp-copy');
    step('OBJECT', 'ENCODING', 'lp-copy');
    step('COPY', 'neg', 'neg-copy');
    step('OBJECT', 'ENCODING', 'neg-copy');
    script.push(...RESET_LIMITS);
    await compareWithEncodings(diff, script);
  });

  it('HKEYS HVALS HGETALL HSCAN on listpacks: same order as Redis; on hashtables: same content', async () => {
    const script: Script = [];
    const step = (...cmd: string[]) => withEncoding(script, cmd);
    step('HSET', 'h', 'z', '1', 'a', '2', 'm', '3', '', 'empty', 'b1', 'x', 'b2', 'y');
    step('HSET', 'h', 'a', 'updated');
    step('HDEL', 'h', 'm');
    step('HSET', 'h', 'm', 'back');
    for (const k of ['h', 'missing']) {
      step('HKEYS', k);
      step('HVALS', k);
      step('HGETALL', k);
      step('HSCAN', k, '0');
      step('HSCAN', k, '0', 'MATCH', 'b*');
      step('HSCAN', k, '0', 'MATCH', '*', 'COUNT', '1');
      step('HSCAN', k, '123', 'COUNT', '2');
      step('HSCAN', k, '0', 'match', '[a-c]*', 'count', '1000');
    }
    step('HSET', 'big', ...Array.from({ length: 200 }, (_, i) => [`f${i}`, `v${i}`]).flat());
    step('HKEYS', 'big');
    step('HVALS', 'big');
    step('HGETALL', 'big');
    step('HSCAN', 'big', '0', 'COUNT', '1000');
    step('HSCAN', 'big', '0', 'MATCH', 'f1?', 'COUNT', '1000');
    script.push(
      ['HSCAN', 'h', 'x'], ['HSCAN', 'missing', 'x'], ['HSCAN', 'h', '-1'], ['HSCAN', 'h', '18446744073709551616'],
      ['HSCAN', 'h', '0', 'COUNT', '0'], ['HSCAN', 'h', '0', 'COUNT', '-1'], ['HSCAN', 'h', '0', 'COUNT', 'x'],
      ['HSCAN', 'h', '0', 'COUNT'], ['HSCAN', 'h', '0', 'MATCH'], ['HSCAN', 'h', '0', 'TYPE', 'hash'],
      ['HSCAN', 'h', '0', 'NOVALUES'], ['HSCAN', 'missing', '0', 'COUNT', '0'], ['HSCAN', 'h'],
      ['SET', 's', 'x'], ['HSCAN', 's', 'x'], ['HSCAN', 's', '0', 'COUNT', '0'],
    );
    await compareWithEncodings(diff, script);
  });

  it('HRANDFIELD: deterministic cases, shapes and errors', async () => {
    const script: Script = [];
    const step = (...cmd: string[]) => withEncoding(script, cmd);
    step('HSET', 'one', 'only', 'v');
    step('HSET', 'h', 'c', '3', 'a', '1', 'b', '2');
    step('HSET', 'big', ...Array.from({ length: 150 }, (_, i) => [`f${i}`, `v${i}`]).flat());
    for (const k of ['one', 'h', 'big', 'missing']) {
      for (const args of [['1000'], ['1000', 'WITHVALUES'], ['150'], ['150', 'withvalues'], ['0'], ['0', 'WITHVALUES']]) {
        step('HRANDFIELD', k, ...args);
      }
    }
    step('HRANDFIELD', 'one');
    step('HRANDFIELD', 'one', '1');
    step('HRANDFIELD', 'one', '-3');
    step('HRANDFIELD', 'one', '-3', 'WITHVALUES');
    step('HRANDFIELD', 'one', '1', 'WITHVALUES');
    step('HRANDFIELD', 'missing');
    step('HRANDFIELD', 'missing', '-5');
    step('HRANDFIELD', 'h', '3');
    script.push(
      ['HRANDFIELD', 'h', 'x'], ['HRANDFIELD', 'h', '1.5'], ['HRANDFIELD', 'h', ''], ['HRANDFIELD', 'h', 'x', 'foo'],
      ['HRANDFIELD', 'h', '1', 'foo'], ['HRANDFIELD', 'h', '1', 'WITHVALUES', 'x'], ['HRANDFIELD', 'h', '1', 'x', 'y'],
      ['HRANDFIELD', 'h', '-9223372036854775808'], ['HRANDFIELD', 'h', '-9223372036854775808', 'WITHVALUES'],
      ['HRANDFIELD', 'h', '9223372036854775808'], ['HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES'],
      ['HRANDFIELD', 'h', '-4611686018427387904', 'WITHVALUES'], ['HRANDFIELD', 'h', '4611686018427387903', 'WITHVALUES'],
      ['HRANDFIELD', 'missing', '-9223372036854775808'], ['HRANDFIELD', 'missing', 'x'],
      ['SET', 's', 'x'], ['HRANDFIELD', 's', 'x'], ['HRANDFIELD', 's', '1', 'foo'], ['HRANDFIELD', 's', '0'],
      ['HRANDFIELD'],
    );
    await compareWithEncodings(diff, script);
  });

  it.each([
    [1, { entries: '8', value: '6' }],
    [2, { entries: '8', value: '6' }],
    [3, { entries: '3', value: '64' }],
    [4, { entries: '128', value: '64' }],
  ])('random scripts of hash commands (seed %i) with every encoding transition', async (seed, limits) => {
    const rnd = prng(seed * 7919);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
    const many = seed === 4 ? 160 : 12;
    const keys = ['h0', 'h1', 'h2'];
    const field = () => (rnd() < 0.05 ? 'F'.repeat(7) : `f${Math.floor(rnd() * many)}`);
    const values = ['', '0', '-5', '12', 'abc', '1.5', 'x'.repeat(5), 'y'.repeat(6), 'z'.repeat(7), '9223372036854775807'];
    const script: Script = [
      ['CONFIG', 'SET', 'hash-max-listpack-entries', limits.entries],
      ['CONFIG', 'SET', 'hash-max-listpack-value', limits.value],
    ];
    const step = (...cmd: string[]) => withEncoding(script, cmd);
    for (let i = 0; i < 400; i++) {
      const k = pick(keys);
      const op = rnd();
      if (op < 0.25) {
        const n = 1 + Math.floor(rnd() * (seed === 4 ? 40 : 3));
        step(pick(['HSET', 'HSET', 'HMSET']), k, ...Array.from({ length: n }, () => [field(), pick(values)]).flat());
      } else if (op < 0.32) step('HSETNX', k, field(), pick(values));
      else if (op < 0.45) step('HDEL', k, field(), field());
      else if (op < 0.5) step('HGET', k, field());
      else if (op < 0.54) step('HMGET', k, field(), field(), field());
      else if (op < 0.57) step('HLEN', k);
      else if (op < 0.6) step('HSTRLEN', k, field());
      else if (op < 0.63) step('HEXISTS', k, field());
      else if (op < 0.68) step('HINCRBY', k, field(), pick(['1', '-3', '100', 'x']));
      else if (op < 0.73) step('HINCRBYFLOAT', k, field(), pick(['1.5', '-0.25', '1e3', '0.1']));
      else if (op < 0.78) step('HKEYS', k);
      else if (op < 0.82) step('HVALS', k);
      else if (op < 0.88) step('HGETALL', k);
      else if (op < 0.92) step('HSCAN', k, '0', 'COUNT', '1000', ...(rnd() < 0.5 ? ['MATCH', 'f1*'] : []));
      else if (op < 0.96) step('HRANDFIELD', k, '1000', ...(rnd() < 0.5 ? ['WITHVALUES'] : []));
      else if (op < 0.98) step('DEL', k);
      else step('COPY', pick(keys), k, 'REPLACE');
    }
    script.push(...RESET_LIMITS);
    const replies = await compareWithEncodings(diff, script);
    // The script did visit both encodings.
    expect(replies).toContain('$8\r\nlistpack\r\n');
    expect(replies).toContain('$9\r\nhashtable\r\n');
  });
});
