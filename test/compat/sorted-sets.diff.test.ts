/**
 * Differential tests for the sorted-set commands: the same scripts go to Kioku and to a real
 * redis-server 7.0, and the raw replies must be byte-identical, in RESP2 and in RESP3.
 *
 * Sorted sets have a defined order in both encodings, so almost everything compares as is —
 * including which encoding a set has (OBJECT ENCODING) and listpack ZSCAN replies. Only a
 * skiplist's ZSCAN (hash-table order in Redis) is compared after sorting its pairs, and
 * ZRANDMEMBER only where its outcome is determined. Lex ranges over members with different
 * scores are compared on listpacks only (on a skiplist Redis's answer depends on its random
 * levels). Skips (saying so) when redis-server is not installed.
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

const DEFAULTS: Script = [
  ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
  ['CONFIG', 'SET', 'zset-max-listpack-value', '64'],
];
/** Makes every new sorted set a skiplist. */
const SKIPLIST: Script = [['CONFIG', 'SET', 'zset-max-listpack-entries', '0']];

/** Runs a script in RESP2 and RESP3, from empty databases and default limits. */
async function compareBoth(diff: Differential, script: Script, normalize?: (raw: string) => string): Promise<void> {
  const full = [...DEFAULTS, ...script];
  for (const protocol of [2, 3] as const) {
    await diff.compare(full, normalize ? { protocol, normalize } : { protocol });
  }
}

/** The same script on listpacks, then with every set a skiplist. */
async function compareEncodings(diff: Differential, script: Script): Promise<void> {
  await compareBoth(diff, script);
  await compareBoth(diff, [...SKIPLIST, ...script]);
}

/** ZSCAN replies with their (member, score) pairs sorted: hash-table order is Redis's own. */
function sortScanPairs(raw: string): string {
  const node = parseResp(raw);
  const list = node.items?.[1];
  if (node.items?.length !== 2 || !list?.items || list.items.some((n) => n.type !== '$')) return raw;
  const pairs: RespNode[][] = [];
  for (let i = 0; i < list.items.length; i += 2) pairs.push([list.items[i]!, list.items[i + 1]!]);
  pairs.sort((a, b) => (a[0]!.value! < b[0]!.value! ? -1 : 1));
  return writeResp({ ...node, items: [node.items[0]!, { ...list, items: pairs.flat() }] });
}

const LLONG_MAX = '9223372036854775807';
const LLONG_MIN = '-9223372036854775808';

/** A small set with distinct scores and one with equal scores, for range scripts. */
const SETUP: Script = [
  ['ZADD', 'z', '1', 'a', '2', 'b', '2', 'bb', '3', 'c', '-inf', 'ninf', 'inf', 'pinf', '0.5', 'h', '-1', 'm'],
  ['ZADD', 'lex', '0', 'a', '0', 'b', '0', 'c', '0', 'd', '0', 'e', '0', 'f', '0', 'ab', '0', '\xff', '0', ''],
];

describe.runIf(available)('sorted-set commands against redis-server 7.0 (RESP2 and RESP3)', () => {
  let diff: Differential;
  beforeAll(async () => {
    diff = await startDifferential();
  });
  afterAll(async () => diff?.stop());

  it('ZADD: every option combination on present and absent members, and every error in its order', async () => {
    const opts = [[], ['NX'], ['XX'], ['GT'], ['LT'], ['CH'], ['NX', 'CH'], ['XX', 'CH'], ['GT', 'CH'], ['LT', 'CH'],
      ['XX', 'GT'], ['XX', 'LT', 'CH'], ['INCR'], ['NX', 'INCR'], ['XX', 'INCR'], ['GT', 'INCR'], ['LT', 'INCR'], ['CH', 'INCR']];
    const script: Script = [];
    for (const o of opts) {
      for (const score of ['1', '5', '10', '-3']) {
        script.push(['ZADD', 'k', '5', 'a', '5', 'b'], ['ZADD', 'k', ...o, score, 'a'], ['ZADD', 'k', ...o, score, 'new']);
        if (!o.includes('INCR')) script.push(['ZADD', 'k', ...o, score, 'a', score, 'b', '7', 'c']);
        script.push(['ZRANGE', 'k', '0', '-1', 'WITHSCORES'], ['DEL', 'k']);
      }
      script.push(['ZADD', 'fresh', ...o, '1', 'x'], ['EXISTS', 'fresh'], ['DEL', 'fresh']);
    }
    script.push(
      ['ZADD', 'k', 'xx', 'nx', '1', 'a'], ['ZADD', 'k', 'gt', 'lt', '1', 'a'], ['ZADD', 'k', 'nx', 'gt', '1', 'a'],
      ['ZADD', 'k', 'lt', 'nx', '1', 'a'], ['ZADD', 'k', 'incr', '1', 'a', '2', 'b'], ['ZADD', 'k', '1', 'a', '2'],
      ['ZADD', 'k', 'nx', 'xx', '1'], ['ZADD', 'k', 'nx', 'xx', 'gt', '1', 'a', '2'], ['ZADD', 'k', 'incr', 'nx', 'xx', '1', 'a', '2', 'b'],
      ['ZADD', 'k', 'gt', 'lt', 'incr', 'x', 'a', '2', 'b'], ['ZADD', 'k', 'xx', 'ch'], ['ZADD', 'k', 'x', 'a'], ['ZADD', 'k', '1', 'a', 'x', 'b'],
      ['ZADD', 'k', 'nan', 'a'], ['ZADD', 'k', ' 1', 'a'], ['ZADD', 'k', '1 ', 'a'], ['ZADD', 'k', '', 'a'], ['ZADD', 'k', '1e400', 'a'],
      ['ZADD', 'k', '1e-400', 'a'], ['ZADD', 'k', '0x10', 'hex', '0x1p-3', 'hex2', '+inf', 'pinf', '-INF', 'ninf', 'Infinity', 'inf2'],
      ['ZADD', 'k', 'INCR', 'inf', 'pinf'], ['ZADD', 'k', 'INCR', '-inf', 'pinf'], ['ZADD', 'k', 'INCR', '+inf', 'ninf'],
      ['ZRANGE', 'k', '0', '-1', 'WITHSCORES'], ['ZADD', 'k', 'XX', 'INCR', '1', 'missing'], ['ZADD', 'nokey', 'XX', 'INCR', '1', 'a'],
      ['ZADD', 'nokey', 'XX', '1', 'a'], ['EXISTS', 'nokey'], ['ZADD', 'k', 'nx', 'nx', '1', 'dup', '2', 'dup'], ['ZSCORE', 'k', 'dup'],
      ['ZADD', 'k', 'ch', '3', 'dup', '4', 'dup', '4', 'dup'], ['ZSCORE', 'k', 'dup'], ['ZADD', 'k'], ['ZADD', 'k', '1'],
    );
    await compareBoth(diff, script);
  });

  it('ZINCRBY: sums, infinities, NaN results, and options read from the increment position', async () => {
    await compareEncodings(diff, [
      ['ZINCRBY', 'k', '1.5', 'a'], ['ZINCRBY', 'k', '0.1', 'a'], ['ZINCRBY', 'k', '-1.6', 'a'], ['ZINCRBY', 'k', '-0', 'a'],
      ['ZINCRBY', 'k', '0.1', 'b'], ['ZINCRBY', 'k', '0.2', 'b'], ['ZINCRBY', 'k', 'inf', 'c'], ['ZINCRBY', 'k', 'inf', 'c'],
      ['ZINCRBY', 'k', '-inf', 'c'], ['ZSCORE', 'k', 'c'], ['ZINCRBY', 'k', 'x', 'a'], ['ZINCRBY', 'k', 'nan', 'a'],
      ['ZINCRBY', 'k', ' 1', 'a'], ['ZINCRBY', 'k', '1e308', 'd'], ['ZINCRBY', 'k', '1e308', 'd'], ['ZINCRBY', 'k', 'nx', 'a'],
      ['ZINCRBY', 'k', 'incr', 'a'], ['ZINCRBY', 'k', 'ch', '1'], ['ZRANGE', 'k', '0', '-1', 'WITHSCORES'],
      ['ZINCRBY', 'k', '1'], ['ZINCRBY', 'k', '1', 'a', 'b'], ['SET', 's', 'x'], ['ZINCRBY', 's', '1', 'a'], ['ZINCRBY', 's', 'x', 'a'],
    ]);
  });

  it('score formats: ZSCORE ZMSCORE ZRANGE WITHSCORES and ZSCAN in both encodings, -0 included', async () => {
    const scores = ['1e17', '123456789012345678', '0.1', '-0', '1e15', '9007199254740993', '1e18', '9.2233720368547758e18',
      '-9.2233720368547758e18', '-9.2233720368547748e18', '4611686018427387904', '4611686018427388928',
      '-4611686018427387904', '-4611686018427388928', '1e19', '-inf', '5e-324', '1e-5', '3.0000000000000004', '-2.5', '100'];
    const add: string[] = ['ZADD', 'k'];
    scores.forEach((s, i) => add.push(s, `m${i}`));
    const reads: Script = [
      ['ZRANGE', 'k', '0', '-1', 'WITHSCORES'], ['ZMSCORE', 'k', ...scores.map((_, i) => `m${i}`), 'none'],
      ['ZSCORE', 'k', 'm3'], ['ZSCORE', 'k', 'none'], ['ZSCORE', 'nokey', 'a'], ['ZMSCORE', 'nokey', 'a', 'b'],
      ['ZRANGEBYSCORE', 'k', '-inf', '+inf', 'WITHSCORES'], ['ZREVRANGE', 'k', '0', '-1', 'WITHSCORES'],
    ];
    await compareBoth(diff, [add, ...reads, ['ZSCAN', 'k', '0'], ['OBJECT', 'ENCODING', 'k']]);
    await compareBoth(diff, [...SKIPLIST, add, ...reads, ['OBJECT', 'ENCODING', 'k']]);
    await compareBoth(diff, [...SKIPLIST, add, ['ZSCAN', 'k', '0', 'COUNT', '100']], sortScanPairs);
    // -0 stays -0 in a skiplist, becomes 0 in a listpack (also when a listpack converts later).
    await compareBoth(diff, [
      ['ZADD', 'lp', '-0', 'a'], ['ZSCORE', 'lp', 'a'], ['CONFIG', 'SET', 'zset-max-listpack-entries', '1'],
      ['ZADD', 'lp', '-0', 'b'], ['ZRANGE', 'lp', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', 'lp'],
      ['ZINCRBY', 'lp', '-0', 'b'], ['ZADD', 'lp', '0', 'b'], ['ZSCORE', 'lp', 'b'], ['ZUNION', '1', 'lp', 'WITHSCORES'],
      ['ZUNIONSTORE', 'dst', '1', 'lp'], ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
    ]);
  });

  it('ZRANGE option parsing: every combination, conflict and error, in Redis\'s order', async () => {
    const script: Script = [...SETUP];
    const words = [['WITHSCORES'], ['REV'], ['BYSCORE'], ['BYLEX'], ['LIMIT', '0', '2'], ['LIMIT', '0', '-1'], ['LIMIT', '1', '-1'],
      ['LIMIT', '-1', '2'], ['LIMIT', 'x', '1'], ['LIMIT', '0'], ['REV', 'REV'], ['BYSCORE', 'BYLEX'], ['BYSCORE', 'BYSCORE'],
      ['WITHSCORES', 'WITHSCORES'], ['foo']];
    for (const cmd of ['ZRANGE', 'ZRANGEBYSCORE', 'ZREVRANGEBYSCORE', 'ZRANGEBYLEX', 'ZREVRANGEBYLEX', 'ZREVRANGE']) {
      for (const [lo, hi] of [['0', '-1'], ['-inf', '+inf'], ['-', '+'], ['+', '-'], ['+inf', '-inf']]) {
        script.push([cmd, 'z', lo!, hi!]);
        for (const w of words) script.push([cmd, 'z', lo!, hi!, ...w]);
        for (let i = 0; i < words.length; i++) for (let j = 0; j < words.length; j += 3) script.push([cmd, 'z', lo!, hi!, ...words[i]!, ...words[j]!]);
      }
    }
    script.push(['ZRANGESTORE', 'd', 'z', '0', '-1', 'WITHSCORES'], ['ZRANGESTORE', 'd', 'z', '0', '-1', 'LIMIT', '0', '1'],
      ['ZRANGESTORE', 'd', 'z', '(1', '3', 'BYSCORE', 'REV'], ['ZRANGESTORE', 'd', 'z', '3', '(1', 'BYSCORE', 'REV', 'LIMIT', '1', '1'],
      ['ZRANGE', 'z', 'x', '1'], ['ZRANGE', 'z', '0', 'x'], ['ZRANGE', 'z', 'x', '1', 'BYSCORE'], ['ZRANGE', 'z', 'x', '1', 'BYLEX'],
      ['ZRANGE', 'z', 'x', '1', 'foo'], ['ZRANGE', 'z', 'x', '1', 'LIMIT', 'y', '1'], ['ZRANGE', 'z', '(x', '1', 'BYLEX', 'WITHSCORES'],
      ['ZRANGE', 'nokey', '0', '-1'], ['ZRANGE', 'nokey', 'x', '1', 'BYSCORE'], ['ZRANGE', 'z', '0'], ['ZRANGESTORE', 'd', 'z', '0']);
    await compareEncodings(diff, script);
  });

  it('ZRANGE ZREVRANGE by rank: negative, clamped and crossing indexes', async () => {
    const script: Script = [...SETUP];
    const idx = ['0', '1', '-1', '-2', '3', '7', '8', '100', '-100', '-9', '-8', LLONG_MAX, LLONG_MIN];
    for (const a of idx) for (const b of idx) script.push(['ZRANGE', 'z', a, b], ['ZREVRANGE', 'z', a, b, 'WITHSCORES']);
    await compareEncodings(diff, script);
  });

  it('score ranges: exclusive bounds, infinities and strtod\'s reading of bounds (spaces, empty, overflow)', async () => {
    const script: Script = [...SETUP];
    const bounds = ['-inf', '+inf', 'inf', '(-inf', '(+inf', '-1', '(-1', '0.5', '(0.5', '1', '(1', '2', '(2', '3', '(3', '',
      '(', ' 1', '( 2', '1 ', '  ', '\t2', '\n3', '1e400', '-1e400', '(1e400', '1e-400', '0x1p1', '0x1p-2000', 'infinity',
      '-INFINITY', 'nan', '(nan', 'x', '((1', '1e', '.5', '5.', '+2', '[1'];
    for (const lo of bounds) {
      for (const hi of ['+inf', '2', '(2', '-inf', '1e400', '']) {
        script.push(['ZCOUNT', 'z', lo, hi], ['ZRANGEBYSCORE', 'z', lo, hi, 'WITHSCORES'], ['ZREVRANGEBYSCORE', 'z', hi, lo]);
      }
    }
    for (const [off, cnt] of [['0', '1'], ['1', '2'], ['2', '-1'], ['-1', '5'], ['0', '0'], ['7', '10'], ['100', '1'], ['1', '-5']]) {
      script.push(['ZRANGEBYSCORE', 'z', '-inf', '+inf', 'LIMIT', off!, cnt!], ['ZREVRANGEBYSCORE', 'z', '+inf', '(1', 'LIMIT', off!, cnt!],
        ['ZRANGE', 'z', '(0', '3', 'BYSCORE', 'LIMIT', off!, cnt!, 'WITHSCORES'], ['ZRANGE', 'z', '3', '-inf', 'BYSCORE', 'REV', 'LIMIT', off!, cnt!]);
    }
    await compareEncodings(diff, script);
  });

  it('lex ranges: bounds, exclusive ends, high bytes, LIMIT, and the listpack walk over mixed scores', async () => {
    const script: Script = [...SETUP];
    const bounds = ['-', '+', '[a', '(a', '[b', '(b', '[ab', '(ab', '[', '(', '[\xff', '(\xff', '[zz', 'a', '-a', '+a', '', '[c', '(f'];
    for (const lo of bounds) {
      for (const hi of ['+', '-', '[c', '(c', '[\xff', '(', '[']) {
        script.push(['ZLEXCOUNT', 'lex', lo, hi], ['ZRANGEBYLEX', 'lex', lo, hi], ['ZREVRANGEBYLEX', 'lex', hi, lo]);
      }
    }
    for (const [off, cnt] of [['0', '2'], ['2', '-1'], ['-1', '1'], ['0', '0'], ['20', '1']]) {
      script.push(['ZRANGEBYLEX', 'lex', '-', '+', 'LIMIT', off!, cnt!], ['ZREVRANGEBYLEX', 'lex', '+', '(a', 'LIMIT', off!, cnt!],
        ['ZRANGE', 'lex', '[b', '+', 'BYLEX', 'LIMIT', off!, cnt!], ['ZRANGE', 'lex', '+', '-', 'BYLEX', 'REV', 'LIMIT', off!, cnt!]);
    }
    await compareEncodings(diff, script);
    // Members with different scores: a listpack is walked as Redis walks it.
    const mixed: Script = [['ZADD', 'mx', '1', 'd', '2', 'a', '3', 'z', '4', 'b', '5', 'c']];
    for (const [lo, hi] of [['-', '+'], ['[a', '[c'], ['(a', '(z'], ['[b', '+'], ['-', '[c'], ['[e', '+']]) {
      mixed.push(['ZRANGEBYLEX', 'mx', lo!, hi!], ['ZREVRANGEBYLEX', 'mx', hi!, lo!], ['ZLEXCOUNT', 'mx', lo!, hi!],
        ['ZRANGEBYLEX', 'mx', lo!, hi!, 'LIMIT', '1', '2'], ['ZREVRANGEBYLEX', 'mx', hi!, lo!, 'LIMIT', '1', '1']);
    }
    mixed.push(['ZREMRANGEBYLEX', 'mx', '[a', '[c'], ['ZRANGE', 'mx', '0', '-1']);
    await compareBoth(diff, mixed);
  });

  it('ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX: counts, emptied keys, errors before lookups', async () => {
    const script: Script = [];
    for (const [a, b] of [['0', '0'], ['-1', '-1'], ['1', '-2'], ['5', '2'], ['0', '-100'], ['-100', '100'], ['100', '200'], ['x', '1'], ['1', '1.5']]) {
      script.push(...SETUP, ['ZREMRANGEBYRANK', 'z', a!, b!], ['ZRANGE', 'z', '0', '-1']);
    }
    for (const [a, b] of [['-inf', '(1'], ['(1', '2'], ['2', '1'], ['1', '(1'], ['-inf', '+inf'], ['x', '1'], ['', '0.5']]) {
      script.push(...SETUP, ['ZREMRANGEBYSCORE', 'z', a!, b!], ['ZRANGE', 'z', '0', '-1'], ['EXISTS', 'z']);
    }
    for (const [a, b] of [['-', '(b'], ['[b', '[e'], ['(a', '+'], ['+', '-'], ['-', '+'], ['a', 'b'], ['[b', '(b']]) {
      script.push(...SETUP, ['ZREMRANGEBYLEX', 'lex', a!, b!], ['ZRANGE', 'lex', '0', '-1'], ['EXISTS', 'lex']);
    }
    script.push(['SET', 's', 'x'], ['ZREMRANGEBYRANK', 's', '0', '1'], ['ZREMRANGEBYRANK', 's', 'x', '1'],
      ['ZREMRANGEBYSCORE', 's', '0', '1'], ['ZREMRANGEBYSCORE', 's', 'x', '1'], ['ZREMRANGEBYLEX', 's', '-', '+'],
      ['ZREMRANGEBYLEX', 's', 'x', '+'], ['ZREMRANGEBYRANK', 'nokey', '0', '-1'], ['ZREMRANGEBYSCORE', 'nokey', 'x', '1'],
      ['ZCOUNT', 's', 'x', '1'], ['ZCOUNT', 's', '0', '1'], ['ZLEXCOUNT', 's', '-', '+'], ['ZLEXCOUNT', 's', 'x', '+']);
    await compareEncodings(diff, script);
  });

  it('ZREM ZCARD ZRANK ZREVRANK ZSCORE ZMSCORE: replies, emptied keys and arity', async () => {
    await compareEncodings(diff, [
      ...SETUP, ['ZCARD', 'z'], ['ZRANK', 'z', 'a'], ['ZRANK', 'z', 'ninf'], ['ZRANK', 'z', 'none'], ['ZREVRANK', 'z', 'a'],
      ['ZREVRANK', 'z', 'pinf'], ['ZRANK', 'lex', '\xff'], ['ZRANK', 'lex', ''], ['ZRANK', 'nokey', 'a'], ['ZREVRANK', 'nokey', 'a'],
      ['ZREM', 'z', 'a', 'a', 'none', 'b'], ['ZCARD', 'z'], ['ZREM', 'nokey', 'a'], ['ZCARD', 'nokey'],
      ['ZREM', 'z', 'bb', 'c', 'ninf', 'pinf', 'h', 'm'], ['EXISTS', 'z'], ['ZRANK', 'z', 'a', 'withscore'], ['ZREM', 'z'],
      ['ZCARD'], ['ZCARD', 'z', 'x'], ['ZSCORE', 'z'], ['ZMSCORE', 'z'], ['ZRANK', 'z'],
    ]);
  });

  it('ZRANGESTORE: results, encodings of the stored set, emptied and overwritten destinations', async () => {
    await compareBoth(diff, [
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '4'], ['CONFIG', 'SET', 'zset-max-listpack-value', '5'],
      ['ZADD', 'src', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'long-member'], ['OBJECT', 'ENCODING', 'src'],
      ['ZRANGESTORE', 'd1', 'src', '0', '1'], ['OBJECT', 'ENCODING', 'd1'], ['ZRANGE', 'd1', '0', '-1', 'WITHSCORES'],
      ['ZRANGESTORE', 'd2', 'src', '0', '-1'], ['OBJECT', 'ENCODING', 'd2'],
      ['ZRANGESTORE', 'd3', 'src', '-inf', '4', 'BYSCORE'], ['OBJECT', 'ENCODING', 'd3'],
      ['ZRANGESTORE', 'd4', 'src', '+inf', '5', 'BYSCORE', 'REV'], ['OBJECT', 'ENCODING', 'd4'], ['ZRANGE', 'd4', '0', '-1'],
      ['ZRANGESTORE', 'd5', 'src', '-', '+', 'BYLEX', 'LIMIT', '0', '3'], ['OBJECT', 'ENCODING', 'd5'],
      ['SET', 'str', 'x'], ['EXPIRE', 'str', '100'], ['ZRANGESTORE', 'str', 'src', '0', '0'], ['TYPE', 'str'], ['TTL', 'str'],
      ['ZRANGESTORE', 'd1', 'src', '10', '20'], ['EXISTS', 'd1'], ['ZRANGESTORE', 'd1', 'nokey', '0', '-1'],
      ['ZRANGESTORE', 'src', 'src', '1', '2'], ['ZRANGE', 'src', '0', '-1', 'WITHSCORES'], ['ZRANGESTORE', 'x', 'str2', '0', '-1'],
      ['SET', 'str2', 'v'], ['ZRANGESTORE', 'x', 'str2', '0', '-1'], ['ZRANGESTORE', 'x', 'str2', 'y', '-1'],
    ]);
  });

  it('ZUNION ZINTER ZDIFF and their STORE forms: weights, aggregates, plain sets, NaN and infinities, summation order', async () => {
    const setup: Script = [
      ['ZADD', 'A', '0.1', 'x', '1', 'y1', '1', 'y2', 'inf', 'i', '-inf', 'j'], ['ZADD', 'B', '0.2', 'x', 'inf', 'j', '-0', 'n'],
      ['ZADD', 'C', '0.3', 'x', '1', 'z', '-inf', 'i', '2', 'n'], ['SADD', 'S', 'x', 'y1', 'i', 'q'], ['SADD', 'I', '1', '2', '3'],
      ['ZADD', 'N', '5', '1', '6', '3'],
    ];
    const script: Script = [...setup];
    const inputs = [['1', 'A'], ['2', 'A', 'B'], ['3', 'A', 'B', 'C'], ['3', 'C', 'B', 'A'], ['2', 'A', 'S'], ['2', 'S', 'A'],
      ['2', 'I', 'N'], ['2', 'A', 'nokey'], ['2', 'nokey', 'A'], ['4', 'A', 'B', 'C', 'S']];
    const opts = [[], ['WEIGHTS'], ['AGGREGATE', 'MIN'], ['AGGREGATE', 'MAX'], ['AGGREGATE', 'sum']];
    const weightSets = [['2'], ['0'], ['-1'], ['inf'], ['0.5']];
    for (const keys of inputs) {
      const n = Number(keys[0]);
      for (const o of opts) {
        for (const w of o[0] === 'WEIGHTS' ? weightSets : [[]]) {
          const extra = o[0] === 'WEIGHTS' ? ['WEIGHTS', ...Array.from({ length: n }, (_, i) => (i === 0 ? w[0]! : String(i + 1)))] : o;
          for (const cmd of ['ZUNION', 'ZINTER']) script.push([cmd, ...keys, ...extra, 'WITHSCORES']);
          for (const cmd of ['ZUNIONSTORE', 'ZINTERSTORE']) script.push([cmd, 'dst', ...keys, ...extra], ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES']);
        }
      }
      script.push(['ZDIFF', ...keys, 'WITHSCORES'], ['ZDIFF', ...keys], ['ZDIFFSTORE', 'dst', ...keys], ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
        ['ZINTERCARD', ...keys], ['ZINTERCARD', ...keys, 'LIMIT', '1'], ['ZINTERCARD', ...keys, 'LIMIT', '0'], ['OBJECT', 'ENCODING', 'dst']);
    }
    script.push(['ZINTER', '2', 'A', 'B', 'WEIGHTS', '1', '0', 'AGGREGATE', 'MIN', 'WITHSCORES'],
      ['ZINTER', '2', 'A', 'B', 'WEIGHTS', '1', '0', 'AGGREGATE', 'MAX', 'WITHSCORES'],
      ['ZINTER', '2', 'B', 'A', 'WEIGHTS', '0', '1', 'AGGREGATE', 'MIN', 'WITHSCORES'],
      ['ZUNION', '2', 'A', 'B', 'WEIGHTS', '0', '0', 'AGGREGATE', 'MAX', 'WITHSCORES'],
      ['ZUNION', '2', 'A', 'A', 'WEIGHTS', '1', '1', 'AGGREGATE', 'SUM', 'AGGREGATE', 'MIN', 'WITHSCORES'],
      ['ZUNION', '1', 'A', 'WEIGHTS', '2', 'WEIGHTS', '3', 'WITHSCORES', 'WITHSCORES']);
    await compareEncodings(diff, script);
  });

  it('ZUNION ZINTER ZDIFF ZINTERCARD: argument errors, WRONGTYPE and which comes first', async () => {
    const script: Script = [['ZADD', 'z', '1', 'a', '2', 'b'], ['SET', 'str', 'x'], ['LPUSH', 'list', 'a'], ['SADD', 's', 'a']];
    for (const cmd of ['ZUNION', 'ZINTER', 'ZDIFF']) {
      for (const rest of [['0', 'z'], ['-1', 'z'], ['x', 'z'], ['1.5', 'z'], ['2', 'z'], [LLONG_MAX, 'z'], ['1', 'z', 'WEIGHTS'],
        ['1', 'z', 'WEIGHTS', 'x'], ['1', 'z', 'WEIGHTS', '1', '2'], ['1', 'z', 'WEIGHTS', ' 1'], ['1', 'z', 'WEIGHTS', 'nan'],
        ['1', 'z', 'WEIGHTS', '1e400'], ['1', 'z', 'AGGREGATE'], ['1', 'z', 'AGGREGATE', 'avg'], ['1', 'z', 'foo'],
        ['2', 'z', 'str'], ['2', 'str', 'z'], ['2', 'z', 'list'], ['2', 'z', 's'], ['2', 'z', 'str', 'WEIGHTS', 'x', 'y'], ['2', 'z', 'str', 'foo'],
        ['2', 'nokey', 'str', 'AGGREGATE', 'bad'], ['1', 'z', 'WITHSCORES', 'foo']]) {
        script.push([cmd, ...rest], [`${cmd}STORE`, 'dst', ...rest]);
      }
    }
    for (const rest of [['0', 'z'], ['x', 'z'], ['2', 'z'], ['1', 'z', 'LIMIT'], ['1', 'z', 'LIMIT', '-1'], ['1', 'z', 'LIMIT', 'x'],
      ['1', 'z', 'LIMIT', '1', 'LIMIT', '0'], ['1', 'z', 'foo'], ['2', 'z', 'str'], ['2', 'z', 'str', 'LIMIT', '-1'], ['2', 'z', 's', 'LIMIT', '1']]) {
      script.push(['ZINTERCARD', ...rest]);
    }
    script.push(['ZUNIONSTORE', 'str', '1', 'z'], ['TYPE', 'str'], ['ZUNIONSTORE', 'z', '1', 'nokey'], ['EXISTS', 'z'],
      ['ZUNION', '1'], ['ZUNIONSTORE', 'd', '1'], ['ZINTERCARD', '1']);
    await compareEncodings(diff, script);
  });

  it('ZPOPMIN ZPOPMAX ZMPOP: counts, reply shapes, emptied keys, errors', async () => {
    await compareEncodings(diff, [
      ...SETUP, ['ZPOPMIN', 'z'], ['ZPOPMAX', 'z'], ['ZPOPMIN', 'z', '2'], ['ZPOPMAX', 'z', '1'], ['ZPOPMIN', 'z', '0'],
      ['ZPOPMIN', 'z', '-1'], ['ZPOPMIN', 'z', 'x'], ['ZPOPMIN', 'z', '1', '2'], ['ZPOPMAX', 'z', LLONG_MAX], ['EXISTS', 'z'],
      ['ZPOPMIN', 'z'], ['ZPOPMIN', 'z', '3'], ['ZPOPMAX', 'nokey', '0'], ['SET', 's', 'x'], ['ZPOPMIN', 's'], ['ZPOPMIN', 's', '0'],
      ['ZPOPMIN', 's', '-1'], ['ZPOPMAX', 'z', '9223372036854775808'],
      ...SETUP, ['ZMPOP', '1', 'z', 'MIN'], ['ZMPOP', '1', 'z', 'max', 'COUNT', '2'], ['ZMPOP', '2', 'nokey', 'z', 'min', 'count', '100'],
      ['ZMPOP', '2', 'nokey', 'z', 'MIN'], ['ZMPOP', '2', 'lex', 's', 'MAX'], ['ZMPOP', '2', 'nokey', 's', 'MAX'],
      ['ZMPOP', '0', 'z', 'MIN'], ['ZMPOP', '-1', 'z', 'MIN'], ['ZMPOP', 'x', 'z', 'MIN'], ['ZMPOP', '1.5', 'z', 'MIN'],
      ['ZMPOP', '1', 'z', 'foo'], ['ZMPOP', '2', 'z', 'MIN'], ['ZMPOP', LLONG_MAX, 'z', 'MIN'], ['ZMPOP', '1', 'z', 'MIN', 'COUNT'],
      ['ZMPOP', '1', 'z', 'MIN', 'COUNT', '0'], ['ZMPOP', '1', 'z', 'MIN', 'COUNT', '-1'], ['ZMPOP', '1', 'z', 'MIN', 'COUNT', 'x'],
      ['ZMPOP', '1', 'z', 'MIN', 'COUNT', '1', 'COUNT', '1'], ['ZMPOP', '1', 'z', 'MIN', 'foo'], ['ZMPOP', '1', 's', 'MIN', 'COUNT', '0'],
      ['ZMPOP', '1', 'z', 'MIN', 'COUNT', '9223372036854775808'], ['ZMPOP', '1', 'nokey', 'MAX'],
    ]);
  });

  it('BZPOPMIN BZPOPMAX BZMPOP: immediate service, timeouts\' replies, timeout and argument errors', async () => {
    await compareEncodings(diff, [
      ...SETUP, ['BZPOPMIN', 'nokey', 'z', '0'], ['BZPOPMAX', 'z', 'lex', '0'], ['BZPOPMIN', 'nokey', '0.01'],
      ['BZPOPMAX', 'nokey', '0.01'], ['BZPOPMIN', 'z', 'x'], ['BZPOPMIN', 'z', '-1'], ['BZPOPMIN', 'z', 'inf'], ['BZPOPMIN', 'z', ''],
      ['SET', 's', 'x'], ['BZPOPMIN', 's', '0'], ['BZPOPMIN', 'nokey', 's', '0'], ['BZPOPMIN', 'z', 's', '0'],
      ['BZMPOP', '0', '1', 'z', 'MIN'], ['BZMPOP', '0', '2', 'nokey', 'lex', 'MAX', 'COUNT', '3'], ['BZMPOP', '0.01', '1', 'nokey', 'MIN'],
      ['BZMPOP', 'x', '1', 'z', 'MIN'], ['BZMPOP', '-1', '1', 'z', 'MIN'], ['BZMPOP', '0', '0', 'z', 'MIN'], ['BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '0'],
      ['BZMPOP', '0', '1', 's', 'MIN'], ['BZMPOP', '0', '2', 'z', 'MIN'], ['BZMPOP', '0', '1', 'z', 'foo'], ['BZPOPMIN', 'z'],
      ['BZMPOP', 'x', '0', 'z', 'MIN'], ['BZMPOP', '-1', '1', 'z', 'foo'], ['BZMPOP', 'x', '1', 'z', 'MIN', 'COUNT', '0'],
    ]);
  });

  it('ZRANDMEMBER: determined outcomes (count 0, count ≥ size, missing key) and every error', async () => {
    await compareEncodings(diff, [
      ...SETUP, ['ZRANDMEMBER', 'z', '8'], ['ZRANDMEMBER', 'z', '100', 'WITHSCORES'], ['ZRANDMEMBER', 'z', LLONG_MAX],
      ['ZRANDMEMBER', 'z', '0'], ['ZRANDMEMBER', 'z', '0', 'WITHSCORES'], ['ZRANDMEMBER', 'nokey'], ['ZRANDMEMBER', 'nokey', '5'],
      ['ZRANDMEMBER', 'nokey', '-5', 'WITHSCORES'], ['ZRANDMEMBER', 'z', 'x'], ['ZRANDMEMBER', 'z', '1', 'foo'],
      ['ZRANDMEMBER', 'z', '1', 'WITHSCORES', 'x'], ['ZRANDMEMBER', 'z', LLONG_MIN], ['ZRANDMEMBER', 'z', LLONG_MIN, 'WITHSCORES'],
      ['ZRANDMEMBER', 'z', '-4611686018427387904', 'WITHSCORES'], ['ZRANDMEMBER', 'z', '4611686018427387904', 'WITHSCORES'],
      ['ZRANDMEMBER', 'z', '4611686018427387903', 'WITHSCORES'], ['ZRANDMEMBER', 'z', '9223372036854775808'],
      ['ZRANDMEMBER', 'z', 'x', 'foo'], ['SET', 's', 'x'], ['ZRANDMEMBER', 's'], ['ZRANDMEMBER', 's', '1'], ['ZRANDMEMBER', 's', 'x'],
      ['ZRANDMEMBER', 'lex', '9'], ['ZRANDMEMBER', 'lex', '9', 'WITHSCORES'],
    ]);
  });

  it('ZRANDMEMBER: random replies have Redis\'s shapes and draw only members', async () => {
    for (const protocol of [2, 3] as const) {
      for (const setup of [DEFAULTS, [...DEFAULTS, ...SKIPLIST]]) {
        const script: Script = [...setup, ...SETUP, ['ZRANDMEMBER', 'z'], ['ZRANDMEMBER', 'z', '3'], ['ZRANDMEMBER', 'z', '-20'],
          ['ZRANDMEMBER', 'z', '3', 'WITHSCORES'], ['ZRANDMEMBER', 'z', '-20', 'WITHSCORES'], ['ZRANDMEMBER', 'z', '6', 'WITHSCORES']];
        const { kioku, redis } = await diff.run(script, { protocol });
        const shape = (raw: string) => {
          const n = parseResp(raw);
          return { type: n.type, len: n.items?.length, inner: n.items?.map((i) => i.type + (i.items?.length ?? '')) };
        };
        const members = new Set(['a', 'b', 'bb', 'c', 'ninf', 'pinf', 'h', 'm']);
        for (let i = setup.length + SETUP.length; i < script.length; i++) {
          expect(shape(kioku[i]!)).toEqual(shape(redis[i]!));
          const drawn = parseResp(kioku[i]!);
          const names = (drawn.items ?? [drawn]).map((x) => (x.items ? x.items[0]!.value : x.value));
          const withScores = script[i]!.includes('WITHSCORES');
          for (let j = 0; j < names.length; j += withScores && protocol === 2 ? 2 : 1) expect(members.has(names[j]!)).toBe(true);
          const count = Number(script[i]![2] ?? '1');
          if (count > 0 && script[i]!.length > 2) {
            const distinct = new Set(names.filter((_, j) => !(withScores && protocol === 2) || j % 2 === 0));
            expect(distinct.size).toBe(count);
          }
        }
      }
    }
  });

  it('ZSCAN: listpacks whole with cursor 0, argument errors, MATCH and COUNT', async () => {
    await compareBoth(diff, [
      ...SETUP, ['ZSCAN', 'z', '0'], ['ZSCAN', 'z', '0', 'MATCH', 'b*'], ['ZSCAN', 'z', '0', 'COUNT', '1'], ['ZSCAN', 'z', '0', 'match', '*', 'count', '2'],
      ['ZSCAN', 'z', 'x'], ['ZSCAN', 'z', '-1'], ['ZSCAN', 'z', '18446744073709551616'], ['ZSCAN', 'z', '0', 'COUNT', '0'],
      ['ZSCAN', 'z', '0', 'MATCH'], ['ZSCAN', 'z', '0', 'TYPE', 'zset'], ['ZSCAN', 'z', '0', 'NOVALUES'], ['ZSCAN', 'nokey', '0'],
      ['ZSCAN', 'nokey', '0', 'COUNT', '0'], ['ZSCAN', 'nokey', 'x'], ['SET', 's', 'x'], ['ZSCAN', 's', '0'], ['ZSCAN', 's', '0', 'COUNT', '0'],
      ['ZSCAN', 's', 'x'], ['ZSCAN', 'z'],
    ]);
    await compareBoth(diff, [...SKIPLIST, ...SETUP, ['ZSCAN', 'z', '0', 'COUNT', '1000'], ['ZSCAN', 'z', '0', 'COUNT', '1000', 'MATCH', '*b*']],
      sortScanPairs);
  });

  it('encodings: conversion on the entry and value limits, one way, and COPY keeping it', async () => {
    await compareBoth(diff, [
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '3'], ['CONFIG', 'SET', 'zset-max-listpack-value', '4'],
      ['ZADD', 'a', '1', 'x', '2', 'y', '3', 'z'], ['OBJECT', 'ENCODING', 'a'], ['ZADD', 'a', '4', 'w'], ['OBJECT', 'ENCODING', 'a'],
      ['ZREM', 'a', 'x', 'y', 'z'], ['OBJECT', 'ENCODING', 'a'], ['ZADD', 'b', '1', 'four'], ['OBJECT', 'ENCODING', 'b'],
      ['ZADD', 'b', '1', 'fives'], ['OBJECT', 'ENCODING', 'b'], ['ZADD', 'c', '1', 'fives'], ['OBJECT', 'ENCODING', 'c'],
      ['ZINCRBY', 'd', '1', 'toolong'], ['OBJECT', 'ENCODING', 'd'], ['COPY', 'a', 'a2'], ['OBJECT', 'ENCODING', 'a2'],
      ['ZUNIONSTORE', 'u', '1', 'a'], ['OBJECT', 'ENCODING', 'u'], ['ZINTERSTORE', 'u2', '2', 'a', 'a'], ['OBJECT', 'ENCODING', 'u2'],
      ['ZDIFFSTORE', 'u3', '1', 'b'], ['OBJECT', 'ENCODING', 'u3'], ['ZADD', 'e', '1', 'p', '2', 'q', '3', 'r', '4', 's', '5', 't'],
      ['ZUNIONSTORE', 'u4', '1', 'e'], ['OBJECT', 'ENCODING', 'u4'], ['CONFIG', 'SET', 'zset-max-listpack-entries', '0'],
      ['ZADD', 'f', '1', 'a'], ['OBJECT', 'ENCODING', 'f'], ['ZUNIONSTORE', 'u5', '1', 'f'], ['OBJECT', 'ENCODING', 'u5'],
    ]);
  });

  it('WRONGTYPE from every sorted-set command on a string key', async () => {
    const script: Script = [['SET', 's', 'x']];
    const cmds: Script = [['ZADD', 's', '1', 'a'], ['ZINCRBY', 's', '1', 'a'], ['ZREM', 's', 'a'], ['ZSCORE', 's', 'a'], ['ZMSCORE', 's', 'a'],
      ['ZCARD', 's'], ['ZCOUNT', 's', '0', '1'], ['ZLEXCOUNT', 's', '-', '+'], ['ZRANGE', 's', '0', '-1'], ['ZRANGESTORE', 'd', 's', '0', '-1'],
      ['ZRANGEBYSCORE', 's', '0', '1'], ['ZREVRANGEBYSCORE', 's', '1', '0'], ['ZRANGEBYLEX', 's', '-', '+'], ['ZREVRANGEBYLEX', 's', '+', '-'],
      ['ZREVRANGE', 's', '0', '-1'], ['ZRANK', 's', 'a'], ['ZREVRANK', 's', 'a'], ['ZREMRANGEBYRANK', 's', '0', '1'],
      ['ZREMRANGEBYSCORE', 's', '0', '1'], ['ZREMRANGEBYLEX', 's', '-', '+'], ['ZPOPMIN', 's'], ['ZPOPMAX', 's'], ['ZMPOP', '1', 's', 'MIN'],
      ['ZUNION', '1', 's'], ['ZINTER', '1', 's'], ['ZDIFF', '1', 's'], ['ZUNIONSTORE', 'd', '1', 's'], ['ZINTERSTORE', 'd', '1', 's'],
      ['ZDIFFSTORE', 'd', '1', 's'], ['ZINTERCARD', '1', 's'], ['ZRANDMEMBER', 's'], ['ZSCAN', 's', '0'], ['BZPOPMIN', 's', '0'],
      ['BZPOPMAX', 's', '0'], ['BZMPOP', '0', '1', 's', 'MAX']];
    await compareBoth(diff, [...script, ...cmds]);
  });

  it('random scripts: mixed writes and reads on small sets, across conversions', async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const rnd = prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      const members = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'ab', 'long-member-name'];
      const scores = ['0', '1', '2', '2.5', '-1', '10', 'inf', '-inf', '0.1', '1e17'];
      const keys = ['k1', 'k2', 'k3'];
      const script: Script = [['CONFIG', 'SET', 'zset-max-listpack-entries', String(3 + (seed % 4))],
        ['CONFIG', 'SET', 'zset-max-listpack-value', '8']];
      for (let i = 0; i < 250; i++) {
        const k = pick(keys);
        const r = rnd();
        if (r < 0.3) script.push(['ZADD', k, ...pick([[], ['NX'], ['XX'], ['GT'], ['LT', 'CH'], ['CH']]), pick(scores), pick(members), pick(scores), pick(members)]);
        else if (r < 0.38) script.push(['ZINCRBY', k, pick(['1', '-1', '0.5']), pick(members)]);
        else if (r < 0.45) script.push(['ZREM', k, pick(members), pick(members)]);
        else if (r < 0.5) script.push(['ZPOPMIN', k, pick(['1', '2'])], ['ZPOPMAX', k]);
        else if (r < 0.55) script.push(['ZREMRANGEBYSCORE', k, pick(['-inf', '0', '(1']), pick(['2', '+inf', '(10'])]);
        else if (r < 0.58) script.push(['ZREMRANGEBYRANK', k, pick(['0', '-2', '1']), pick(['0', '-1', '2'])]);
        else if (r < 0.63) script.push([pick(['ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE']), pick(keys), '2', pick(keys), pick(keys)]);
        else if (r < 0.66) script.push(['ZRANGESTORE', pick(keys), k, pick(['0', '1']), pick(['-1', '2'])]);
        else if (r < 0.7) script.push(['ZMPOP', '2', k, pick(keys), pick(['MIN', 'MAX']), 'COUNT', pick(['1', '3'])]);
        else if (r < 0.8) script.push(['ZRANGE', k, '0', '-1', 'WITHSCORES'], ['ZCARD', k], ['OBJECT', 'ENCODING', k]);
        else if (r < 0.87) script.push(['ZRANGEBYSCORE', k, pick(['-inf', '(0', '1']), pick(['+inf', '2.5', '(10']), 'WITHSCORES', 'LIMIT', pick(['0', '1']), pick(['-1', '2'])]);
        else if (r < 0.93) script.push(['ZRANK', k, pick(members)], ['ZREVRANK', k, pick(members)], ['ZSCORE', k, pick(members)]);
        else script.push(['ZCOUNT', k, pick(['-inf', '0']), pick(['+inf', '(2'])], ['ZMSCORE', k, pick(members), pick(members)]);
      }
      await compareBoth(diff, script);
    }
  });

  it('RESP3 shapes through a raw socket after HELLO 3 (doubles, pairs, nulls)', async () => {
    const c = await RawConnection.connect(diff.kioku.port);
    try {
      await c.call('HELLO', '3');
      await c.call('FLUSHALL');
      await c.call('ZADD', 'z', '1', 'a', '2.5', 'b');
      expect(await c.call('ZRANGE', 'z', '0', '-1', 'WITHSCORES')).toBe('*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n');
      expect(await c.call('ZPOPMIN', 'z')).toBe('*2\r\n$1\r\na\r\n,1\r\n');
      expect(await c.call('ZSCORE', 'z', 'none')).toBe('_\r\n');
    } finally {
      c.close();
    }
  });
});
