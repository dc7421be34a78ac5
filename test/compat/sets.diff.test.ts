/**
 * Differential tests for the set commands: the same scripts go to Kioku and to a real
 * redis-server 7.0, and the raw replies must be byte-identical, in RESP2 and in RESP3.
 *
 * Intset replies have a defined order (ascending), so scripts over integer sets are compared
 * as they are. Hashtable replies come in hash-table order, which Redis does not define: those
 * scripts are compared after sorting every list of bulk strings. SPOP and SRANDMEMBER are random,
 * so scripts use them only where the outcome is determined (count 0, or a count covering the
 * whole set). Skips (saying so) when redis-server is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDifferential, type Differential } from '../helpers/differential.js';
import { haveRedisServer, NO_REDIS } from '../helpers/redis-oracle.js';
import { parseResp, writeResp, type RespNode } from '../helpers/resp-tree.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { prng } from '../helpers/prng.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

type Script = string[][];

/** Sorts every array or set made only of bulk strings (member lists), recursively. */
function sortMemberLists(node: RespNode): RespNode {
  if (!node.items) return node;
  const items = node.items.map(sortMemberLists);
  if (items.length > 0 && items.every((n) => n.type === '$')) items.sort((a, b) => (a.value! < b.value! ? -1 : a.value! > b.value! ? 1 : 0));
  return { ...node, items };
}

const unordered = (raw: string) => writeResp(sortMemberLists(parseResp(raw)));

/** Runs a script in RESP2 and RESP3, starting each run from empty databases and default limits. */
async function compareBoth(diff: Differential, script: Script, normalize?: (raw: string) => string): Promise<void> {
  const full: Script = [['CONFIG', 'SET', 'set-max-intset-entries', '512'], ...script];
  for (const protocol of [2, 3] as const) {
    await diff.compare(full, normalize ? { protocol, normalize } : { protocol });
  }
}

const LLONG_MAX = '9223372036854775807';
const LLONG_MIN = '-9223372036854775808';

describe.runIf(available)('set commands against redis-server 7.0 (RESP2 and RESP3)', () => {
  let diff: Differential;
  beforeAll(async () => {
    diff = await startDifferential();
  });
  afterAll(async () => diff?.stop());

  it('SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS: replies, intset order, arity errors', async () => {
    await compareBoth(diff, [
      ['SADD', 's', '10', '-3', '2', LLONG_MAX, LLONG_MIN, '0', '2'], ['SMEMBERS', 's'], ['SCARD', 's'],
      ['SISMEMBER', 's', '2'], ['SISMEMBER', 's', '02'], ['SISMEMBER', 's', 'x'], ['SISMEMBER', 'nokey', '2'],
      ['SMISMEMBER', 's', '2', '3', LLONG_MIN, 'x'], ['SMISMEMBER', 'nokey', 'a'],
      ['SREM', 's', '2', '2', '99', 'x'], ['SMEMBERS', 's'], ['SREM', 'nokey', 'a'], ['SCARD', 'nokey'], ['SMEMBERS', 'nokey'],
      ['SREM', 's', '10', '-3', LLONG_MAX, LLONG_MIN, '0'], ['EXISTS', 's'],
      ['SADD', 's'], ['SADD'], ['SREM', 's'], ['SCARD'], ['SCARD', 's', 'x'], ['SISMEMBER', 's'], ['SISMEMBER', 's', 'a', 'b'],
      ['SMISMEMBER', 's'], ['SMEMBERS'], ['SMEMBERS', 's', 'x'], ['SPOP'], ['SRANDMEMBER'], ['SMOVE', 'a', 'b'],
      ['SINTER'], ['SUNION'], ['SDIFF'], ['SINTERSTORE', 'd'], ['SUNIONSTORE', 'd'], ['SDIFFSTORE', 'd'], ['SINTERCARD', '1'],
      ['SSCAN', 's'],
    ]);
  });

  it('SPOP SRANDMEMBER: errors, counts 0 and whole-set counts, missing keys', async () => {
    await compareBoth(diff, [
      ['SPOP', 'nokey'], ['SPOP', 'nokey', '0'], ['SPOP', 'nokey', '5'], ['SPOP', 'nokey', '-1'], ['SPOP', 'nokey', 'x'],
      ['SPOP', 'nokey', '1', '2'], ['SRANDMEMBER', 'nokey'], ['SRANDMEMBER', 'nokey', '0'], ['SRANDMEMBER', 'nokey', '3'],
      ['SRANDMEMBER', 'nokey', '-3'], ['SRANDMEMBER', 'nokey', 'x'], ['SRANDMEMBER', 'nokey', '1', '2'],
      ['SRANDMEMBER', 'nokey', LLONG_MIN], ['SRANDMEMBER', 'nokey', '1.5'], ['SPOP', 'nokey', '1.5'],
      ['SADD', 's', '5', '3', '1', '4', '2'], ['SPOP', 's', '0'], ['SRANDMEMBER', 's', '0'], ['SRANDMEMBER', 's', '5'],
      ['SRANDMEMBER', 's', '100'], ['SRANDMEMBER', 's', LLONG_MAX], ['SRANDMEMBER', 's', LLONG_MIN], ['SPOP', 's', '-5'],
      ['SPOP', 's', '5'], ['EXISTS', 's'], ['SADD', 's', '7'], ['SRANDMEMBER', 's'], ['SRANDMEMBER', 's', '-3'], ['SPOP', 's'],
      ['EXISTS', 's'], ['SADD', 's', '1', '2'], ['SPOP', 's', LLONG_MAX], ['EXISTS', 's'],
    ]);
    // A hashtable of integers, emptied by SPOP: Redis replies with a fresh set (an intset, ascending);
    // SRANDMEMBER with a covering count lists the hashtable itself (sorted before comparing).
    await compareBoth(diff, [
      ['SADD', 'h', 'a', '5', '3', '1', '4', '2', '10', '7', '8', '9', '11', '12', '13'], ['SREM', 'h', 'a'],
      ['OBJECT', 'ENCODING', 'h'], ['SPOP', 'h', '12'], ['EXISTS', 'h'],
    ]);
    await compareBoth(diff, [
      ['SADD', 'h', 'a', 'b', 'c', '1'], ['SRANDMEMBER', 'h', '4'], ['SRANDMEMBER', 'h', '10'], ['SPOP', 'h', '10'], ['EXISTS', 'h'],
    ], unordered);
  });

  it('SMOVE: missing source, same key, absent member, destination created or converted', async () => {
    await compareBoth(diff, [
      ['SMOVE', 'nokey', 'd', '1'], ['SADD', 's', '1', '2', '3'], ['SMOVE', 's', 's', '1'], ['SMOVE', 's', 's', '9'],
      ['SMOVE', 's', 'd', '9'], ['EXISTS', 'd'], ['SMOVE', 's', 'd', '2'], ['SMEMBERS', 's'], ['SMEMBERS', 'd'],
      ['OBJECT', 'ENCODING', 'd'], ['SADD', 'd', '1'], ['SMOVE', 's', 'd', '1'], ['SMEMBERS', 's'], ['SMEMBERS', 'd'],
      ['SADD', 'x', 'str'], ['SMOVE', 'x', 'd', 'str'], ['EXISTS', 'x'], ['OBJECT', 'ENCODING', 'd'], ['SMOVE', 's', 'd', '3'],
      ['EXISTS', 's'], ['SCARD', 'd'], ['SISMEMBER', 'd', 'str'],
    ]);
  });

  it('WRONGTYPE: every set command, and a non-set anywhere among several keys', async () => {
    await compareBoth(diff, [
      ['SET', 'str', 'v'], ['SADD', 's', '1'],
      ['SADD', 'str', 'a'], ['SREM', 'str', 'a'], ['SMEMBERS', 'str'], ['SISMEMBER', 'str', 'a'], ['SMISMEMBER', 'str', 'a'],
      ['SCARD', 'str'], ['SPOP', 'str'], ['SPOP', 'str', '0'], ['SPOP', 'str', '-1'], ['SRANDMEMBER', 'str'],
      ['SRANDMEMBER', 'str', '0'], ['SRANDMEMBER', 'str', 'x'], ['SSCAN', 'str', '0'], ['SSCAN', 'str', 'x'],
      ['SMOVE', 'str', 's', '1'], ['SMOVE', 's', 'str', '1'], ['SMOVE', 's', 'str', '9'], ['SMOVE', 'nokey', 'str', '1'],
      ['SMOVE', 'str', 'str', '1'], ['SMOVE', 'nokey', 'nokey', '1'],
      ['SINTER', 'nokey', 'str'], ['SINTER', 'str', 'nokey'], ['SINTER', 's', 'str'], ['SINTER', 's', 'nokey', 'str'],
      ['SUNION', 'nokey', 'str'], ['SUNION', 's', 'str'], ['SDIFF', 'nokey', 'str'], ['SDIFF', 's', 'nokey', 'str'],
      ['SINTERCARD', '2', 'nokey', 'str'], ['SINTERCARD', '2', 's', 'str', 'LIMIT', '1'],
      ['SINTERSTORE', 'd', 'nokey', 'str'], ['SUNIONSTORE', 'd', 's', 'str'], ['SDIFFSTORE', 'd', 'nokey', 'str'],
      ['EXISTS', 'd'], ['SINTERSTORE', 'str', 's'], ['TYPE', 'str'], ['SET', 'str', 'v'], ['SUNIONSTORE', 'str', 's'],
      ['TYPE', 'str'], ['SET', 'str', 'v'], ['SDIFFSTORE', 'str', 's'], ['SMEMBERS', 'str'],
    ]);
  });

  it('SINTER SUNION SDIFF and their STORE forms over integer sets: results in intset order', async () => {
    await compareBoth(diff, [
      ['SADD', 'a', '1', '2', '3', '4', '5', '-10', LLONG_MAX], ['SADD', 'b', '4', '5', '6', '-10'], ['SADD', 'c', '5', '-10', '100'],
      ['SINTER', 'a', 'b'], ['SINTER', 'a', 'b', 'c'], ['SINTER', 'a'], ['SINTER', 'a', 'a'], ['SINTER', 'a', 'nokey'],
      ['SINTER', 'nokey'], ['SUNION', 'a', 'b', 'c'], ['SUNION', 'nokey', 'c'], ['SUNION', 'nokey'], ['SDIFF', 'a', 'b'],
      ['SDIFF', 'a', 'b', 'c'], ['SDIFF', 'a', 'nokey'], ['SDIFF', 'nokey', 'a'], ['SDIFF', 'a', 'a'], ['SDIFF', 'c', 'a', 'b'],
      ['SINTERSTORE', 'd', 'a', 'b'], ['SMEMBERS', 'd'], ['OBJECT', 'ENCODING', 'd'], ['SUNIONSTORE', 'd', 'a', 'c'],
      ['SMEMBERS', 'd'], ['SDIFFSTORE', 'd', 'a', 'b', 'c'], ['SMEMBERS', 'd'], ['SDIFFSTORE', 'd', 'a', 'a'], ['EXISTS', 'd'],
      ['SUNIONSTORE', 'a', 'a', 'b'], ['SMEMBERS', 'a'], ['SINTERSTORE', 'a', 'a', 'c'], ['SMEMBERS', 'a'],
      ['SET', 'd', 'x'], ['EXPIRE', 'd', '100'], ['SINTERSTORE', 'd', 'b', 'c'], ['TTL', 'd'], ['SINTERSTORE', 'd', 'nokey', 'b'],
      ['EXISTS', 'd'], ['SINTERSTORE', 'd', 'nokey'], ['SUNIONSTORE', 'd', 'nokey'], ['SDIFFSTORE', 'd', 'nokey', 'a'],
    ]);
  });

  it('SINTER SUNION SDIFF and their STORE forms over hashtable sets (sorted before comparing)', async () => {
    await compareBoth(diff, [
      ['SADD', 'a', 'x', 'y', 'z', '1', '2'], ['SADD', 'b', 'y', 'z', 'w', '2'], ['SADD', 'c', '2', '3'],
      ['SINTER', 'a', 'b'], ['SINTER', 'a', 'b', 'c'], ['SINTER', 'c', 'a'], ['SUNION', 'a', 'b', 'c'], ['SDIFF', 'a', 'b'],
      ['SDIFF', 'b', 'a', 'c'], ['SDIFF', 'c', 'a'], ['SINTERCARD', '2', 'a', 'b'], ['SINTERCARD', '3', 'a', 'b', 'c'],
      ['SINTERSTORE', 'd', 'a', 'b'], ['SMEMBERS', 'd'], ['OBJECT', 'ENCODING', 'd'], ['SINTERSTORE', 'd', 'a', 'c'],
      ['OBJECT', 'ENCODING', 'd'], ['SUNIONSTORE', 'd', 'a', 'c'], ['OBJECT', 'ENCODING', 'd'], ['SDIFFSTORE', 'd', 'a', 'b'],
      ['SMEMBERS', 'd'], ['OBJECT', 'ENCODING', 'd'], ['SMEMBERS', 'a'], ['SSCAN', 'a', '0', 'COUNT', '1000'],
      ['SSCAN', 'a', '0', 'MATCH', '[xy]', 'COUNT', '1000'],
    ], unordered);
  });

  it('SINTERCARD: numkeys and LIMIT errors, LIMIT semantics; COMMAND GETKEYS for set commands', async () => {
    await compareBoth(diff, [
      ['SADD', 's', '1', '2', '3'], ['SADD', 't', '2', '3', '4'],
      ['SINTERCARD', '2', 's', 't'], ['SINTERCARD', '1', 's'], ['SINTERCARD', '2', 's', 'nokey'], ['SINTERCARD', '2', 's', 's'],
      ['SINTERCARD', '0', 's'], ['SINTERCARD', '-1', 's'], ['SINTERCARD', 'x', 's'], ['SINTERCARD', '1.5', 's'],
      ['SINTERCARD', '9223372036854775808', 's'], ['SINTERCARD', LLONG_MAX, 's'], ['SINTERCARD', '2', 's'],
      ['SINTERCARD', '3', 's', 't'], ['SINTERCARD', '1', 's', 'LIMIT'], ['SINTERCARD', '1', 's', 'LIMIT', '-1'],
      ['SINTERCARD', '1', 's', 'LIMIT', 'x'], ['SINTERCARD', '1', 's', 'LIMIT', '9223372036854775808'],
      ['SINTERCARD', '1', 's', 'LIMIT', LLONG_MAX], ['SINTERCARD', '1', 's', 'limit', '0'], ['SINTERCARD', '1', 's', 'LIMIT', '2'],
      ['SINTERCARD', '1', 's', 'LIMIT', '1', 'LIMIT', '2'], ['SINTERCARD', '1', 's', 'foo', '1'], ['SINTERCARD', '1', 's', 't'],
      ['SINTERCARD', '1', 's', 'LIMIT', '1', 'extra'], ['SINTERCARD', '0', 's', 'LIMIT', '-1'], ['SINTERCARD', '2', 's', 't', 'LIMIT', '1'],
      ['COMMAND', 'GETKEYS', 'SINTERCARD', '2', 'a', 'b'], ['COMMAND', 'GETKEYS', 'SINTERCARD', '1', 'a', 'LIMIT', '5'],
      ['COMMAND', 'GETKEYS', 'SINTERCARD', '0', 'a'], ['COMMAND', 'GETKEYS', 'SINTERCARD', '3', 'a', 'b'],
      ['COMMAND', 'GETKEYS', 'SINTERCARD', 'x', 'a'], ['COMMAND', 'GETKEYS', 'SINTERCARD', '-1', 'a'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'SINTERCARD', '2', 'a', 'b'], ['COMMAND', 'GETKEYS', 'SINTERSTORE', 'd', 'a', 'b'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'SDIFFSTORE', 'd', 'a', 'b'], ['COMMAND', 'GETKEYSANDFLAGS', 'SMOVE', 'a', 'b', 'm'],
      ['COMMAND', 'GETKEYS', 'SUNION', 'a', 'b', 'c'], ['COMMAND', 'GETKEYSANDFLAGS', 'SPOP', 'a', '1'],
    ]);
  });

  it('SSCAN: cursor and option errors in Redis\'s order, intsets in one call whatever the cursor', async () => {
    await compareBoth(diff, [
      ['SET', 'str', 'v'], ['SADD', 's', '1', '2', '3', '10', '20', '-5'],
      ['SSCAN', 'nokey', '0'], ['SSCAN', 'nokey', '0', 'COUNT', '0'], ['SSCAN', 'nokey', '0', 'foo'], ['SSCAN', 'nokey', 'x'],
      ['SSCAN', 'str', 'x'], ['SSCAN', 'str', '0', 'COUNT', '0'], ['SSCAN', 's', '0', 'COUNT', '0'], ['SSCAN', 's', '0', 'COUNT', '-1'],
      ['SSCAN', 's', '0', 'COUNT', 'x'], ['SSCAN', 's', '0', 'COUNT'], ['SSCAN', 's', '0', 'MATCH'], ['SSCAN', 's', '0', 'TYPE', 'set'],
      ['SSCAN', 's', '0', 'foo', 'bar'], ['SSCAN', 's', '0'], ['SSCAN', 's', '0', 'COUNT', '1'], ['SSCAN', 's', '12345'],
      ['SSCAN', 's', '-1'], ['SSCAN', 's', ''], ['SSCAN', 's', '18446744073709551616'], ['SSCAN', 's', '0', 'MATCH', '1*'],
      ['SSCAN', 's', '0', 'MATCH', '-*', 'COUNT', '2'], ['SSCAN', 's', '0', 'match', '*', 'count', '100', 'MATCH', '2?'],
    ]);
  });

  it('OBJECT ENCODING of sets: conversion by member kind, by count, with CONFIG SET set-max-intset-entries', async () => {
    const script: Script = [];
    const kinds = ['1', '-1', '0', LLONG_MAX, LLONG_MIN, '9223372036854775808', '-9223372036854775809', '01', '-0', '+1', ' 1',
      '1 ', '1.0', '1e3', '0x1', '', 'abc', '\x00', '12345678901234567890'];
    for (const m of kinds) script.push(['DEL', 'k'], ['SADD', 'k', m], ['OBJECT', 'ENCODING', 'k'], ['SMEMBERS', 'k']);
    script.push(['DEL', 'k'], ['SADD', 'k', '1', 'a'], ['SREM', 'k', 'a'], ['OBJECT', 'ENCODING', 'k']);
    for (const limit of ['0', '1', '3', '512']) {
      script.push(['CONFIG', 'SET', 'set-max-intset-entries', limit]);
      for (const n of [1, 2, 3, 4, 513]) {
        const members = Array.from({ length: n }, (_, i) => String(i * 2 - 3));
        script.push(['DEL', 'k'], ['SADD', 'k', ...members], ['OBJECT', 'ENCODING', 'k'], ['SCARD', 'k']);
      }
      script.push(['DEL', 'k', 'a', 'b'], ['SADD', 'a', '1', '2'], ['SADD', 'b', '3', '4'], ['SUNIONSTORE', 'k', 'a', 'b'],
        ['OBJECT', 'ENCODING', 'k'], ['SINTERSTORE', 'k', 'a', 'a'], ['OBJECT', 'ENCODING', 'k'],
        ['SDIFFSTORE', 'k', 'b', 'a'], ['OBJECT', 'ENCODING', 'k'], ['SMOVE', 'a', 'k', '1'], ['OBJECT', 'ENCODING', 'k'],
        ['SPOP', 'k', '0'], ['OBJECT', 'ENCODING', 'k']);
    }
    // Raising the limit converts nothing back; existing intsets convert on their next growth.
    script.push(['CONFIG', 'SET', 'set-max-intset-entries', '2'], ['DEL', 'k'], ['SADD', 'k', '1', '2', '3'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '512'], ['OBJECT', 'ENCODING', 'k'], ['SREM', 'k', '3', '2'],
      ['OBJECT', 'ENCODING', 'k'], ['DEL', 'j'], ['SADD', 'j', '1', '2', '3', '4'], ['CONFIG', 'SET', 'set-max-intset-entries', '2'],
      ['OBJECT', 'ENCODING', 'j'], ['SADD', 'j', '4'], ['OBJECT', 'ENCODING', 'j'], ['SADD', 'j', '5'], ['OBJECT', 'ENCODING', 'j'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '512']);
    await compareBoth(diff, script, unordered);
  });

  it('SDIFFSTORE: the encoding follows the algorithm Redis picks (work estimates, missing keys, repeated keys)', async () => {
    const script: Script = [];
    const firsts = [['x', '1', '2', '3'], ['x', '1', '2'], ['1', '2', '3', 'x', 'y'], ['x', ...Array.from({ length: 20 }, (_, i) => String(i))]];
    const rests: string[][][] = [[['x']], [['x'], ['q'], ['r']], [['x'], ['y']], [['x', 'q']], [['x'], ['nokey'], ['nokey2']],
      [['x'], ['q'], ['r'], ['s'], ['t'], ['u']], [['first']], [['x'], ['first']]];
    for (const first of firsts) {
      for (const rest of rests) {
        script.push(['FLUSHALL'], ['SADD', 'first', ...first]);
        const keys = rest.map((members, i) => {
          if (members[0] === 'first' || members[0]!.startsWith('nokey')) return members[0]!;
          script.push(['SADD', `o${i}`, ...members]);
          return `o${i}`;
        });
        script.push(['SDIFFSTORE', 'd', 'first', ...keys], ['OBJECT', 'ENCODING', 'd'], ['SMEMBERS', 'd'], ['SDIFF', 'first', ...keys]);
      }
    }
    await compareBoth(diff, script, unordered);
  });

  it('set-algebra and single-key lookups count keyspace hits and misses as Redis does (INFO stats)', async () => {
    const stats = (raw: string) => {
      const text = parseResp(raw).value ?? '';
      return text.split('\r\n').filter((l) => /^keyspace_(hits|misses):/.test(l)).join(',');
    };
    const script: Script = [
      ['SADD', 'a', '1'], ['SADD', 'b', '2'], ['CONFIG', 'RESETSTAT'],
      ['SINTERSTORE', 'd', 'a', 'nokey'], ['SUNIONSTORE', 'd', 'a', 'nokey'], ['SDIFFSTORE', 'd', 'a', 'nokey'],
      ['SMOVE', 'a', 'b', '1'], ['SPOP', 'b', '0'], ['SPOP', 'nokey'], ['SADD', 'q', '1'], ['SREM', 'q', '1'],
      ['SINTER', 'a', 'nokey'], ['SINTERCARD', '2', 'b', 'nokey'], ['SMEMBERS', 'b'], ['SISMEMBER', 'b', '1'],
      ['SMISMEMBER', 'nokey', '1'], ['SCARD', 'b'], ['SRANDMEMBER', 'nokey'], ['SRANDMEMBER', 'b', '-2'], ['SSCAN', 'b', '0'],
      ['INFO', 'stats'],
    ];
    for (const protocol of [2, 3] as const) {
      const { kioku, redis } = await diff.run(script, { protocol });
      expect(stats(kioku.at(-1)!)).toBe(stats(redis.at(-1)!));
      expect(stats(kioku.at(-1)!)).toMatch(/^keyspace_hits:\d+,keyspace_misses:\d+$/);
    }
  });

  it('random scripts of set commands over integers and strings (sorted member lists)', async () => {
    const ints = ['-3', '-1', '0', '1', '2', '5', '10', '77', LLONG_MAX, LLONG_MIN];
    const strs = ['a', 'b', 'c', '01', '-0', 'x y', ''];
    const keys = ['k1', 'k2', 'k3', 'k4'];
    for (let seed = 1; seed <= 6; seed++) {
      const rand = prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const member = () => (rand() < 0.8 ? pick(ints) : pick(strs));
      const someKeys = () => Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(keys));
      const script: Script = [['CONFIG', 'SET', 'set-max-intset-entries', String(3 + (seed % 4) * 2)]];
      for (let i = 0; i < 150; i++) {
        const k = pick(keys);
        const op = Math.floor(rand() * 16);
        switch (op) {
          case 0: case 1: case 2:
            script.push(['SADD', k, ...Array.from({ length: 1 + Math.floor(rand() * 4) }, member)]);
            break;
          case 3: script.push(['SREM', k, member(), member()]); break;
          case 4: script.push(['SMOVE', k, pick(keys), member()]); break;
          case 5: script.push(['SINTERSTORE', k, ...someKeys()]); break;
          case 6: script.push(['SUNIONSTORE', k, ...someKeys()]); break;
          case 7: script.push(['SDIFFSTORE', k, ...someKeys()]); break;
          case 8: script.push([pick(['SINTER', 'SUNION', 'SDIFF']), ...someKeys()]); break;
          case 9: {
            const ks = someKeys();
            script.push(['SINTERCARD', String(ks.length), ...ks, 'LIMIT', String(Math.floor(rand() * 3))]);
            break;
          }
          case 10: script.push(['SMISMEMBER', k, member(), member()], ['SISMEMBER', k, member()], ['SCARD', k]); break;
          case 11: script.push(['SPOP', k, pick(['0', '100'])]); break;
          case 12: script.push(['SRANDMEMBER', k, pick(['0', '100'])]); break;
          case 13: script.push(rand() < 0.2 ? ['SET', k, 'str'] : ['DEL', k]); break;
          case 14: script.push(['SSCAN', k, '0', 'COUNT', '1000']); break;
          default: script.push(['SMEMBERS', k], ['OBJECT', 'ENCODING', k]);
        }
      }
      for (const k of keys) script.push(['TYPE', k], ['SMEMBERS', k], ['OBJECT', 'ENCODING', k]);
      await compareBoth(diff, script, unordered);
    }
  });

  it('SPOP with a count never leaves Redis\'s reply shape: set type, size, and members of the set', async () => {
    for (const protocol of [2, 3] as const) {
      const c = await RawConnection.connect(diff.kioku.port);
      const o = await RawConnection.connect(diff.oracle!.port);
      try {
        for (const conn of [c, o]) {
          if (protocol === 3) await conn.call('HELLO', '3');
          await conn.call('FLUSHALL');
        }
        for (const members of [['1', '2', '3', '4', '5', '6'], ['a', 'b', 'c', 'd', 'e', 'f']]) {
          for (const count of ['1', '2', '4', '5']) {
            const shapes = await Promise.all([c, o].map(async (conn) => {
              await conn.call('DEL', 's');
              await conn.call('SADD', 's', ...members);
              const node = parseResp(await conn.call('SPOP', 's', count));
              const left = parseResp(await conn.call('SMEMBERS', 's'));
              const all = [...node.items!, ...left.items!].map((n) => n.value!).sort();
              return { type: node.type, n: node.items!.length, left: left.items!.length, all };
            }));
            expect(shapes[0]).toEqual(shapes[1]);
            expect(shapes[0]!.all).toEqual(members.slice().sort());
          }
        }
      } finally {
        c.close();
        o.close();
      }
    }
  });
});
