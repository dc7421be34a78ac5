/**
 * Differential tests for the string commands: the same scripts go to Kioku and to a real
 * redis-server 7.0, and the raw replies must be byte-identical, in RESP2 and in RESP3.
 * Skips (saying so) when redis-server is not installed.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startDifferential, type Differential } from '../helpers/differential.js';
import { haveRedisServer, NO_REDIS } from '../helpers/redis-oracle.js';
import { prng } from '../helpers/prng.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

type Script = string[][];

/** Runs a script in RESP2 and RESP3, starting each run from empty databases. */
async function compareBoth(diff: Differential, script: Script): Promise<void> {
  for (const protocol of [2, 3] as const) {
    for (const db of diff.kioku.server.keyspaces) db.flush();
    await diff.compare(script, { protocol });
  }
}


const LLONG_MAX = '9223372036854775807';
const LLONG_MIN = '-9223372036854775808';

describe.runIf(available)('string commands against redis-server 7.0 (RESP2 and RESP3)', () => {
  let diff: Differential;
  beforeAll(async () => {
    diff = await startDifferential();
  });
  afterAll(async () => diff?.stop());

  it('INCR DECR INCRBY DECRBY: accepted and refused integers, overflow', async () => {
    const values = ['0', '-1', '1', '+1', ' 1', '1 ', '01', '00', '-0', '1e3', '1.0', '0x10', '', 'abc',
      LLONG_MAX, LLONG_MIN, '9223372036854775808', '-9223372036854775809', '18446744073709551616',
      '9007199254740993', '-9007199254740993', '99999999999999999999'];
    const script: Script = [];
    for (const v of values) {
      script.push(['SET', 'n', v], ['INCR', 'n'], ['GET', 'n']);
      script.push(['SET', 'n', v], ['DECR', 'n'], ['GET', 'n']);
      script.push(['SET', 'n', v], ['INCRBY', 'n', '10'], ['DECRBY', 'n', '3']);
    }
    for (const d of ['+1', ' 1', '01', '-0', '1.5', '1e3', '', LLONG_MAX, LLONG_MIN, '9223372036854775808']) {
      script.push(['SET', 'm', '5'], ['INCRBY', 'm', d], ['DECRBY', 'm', d], ['INCRBY', 'fresh', d], ['GET', 'm']);
    }
    script.push(
      ['INCR', 'counter'], ['INCR', 'counter'], ['DECR', 'counter'], ['INCRBY', 'counter', '-100'], ['GET', 'counter'],
      ['SET', 'm', '0'], ['DECRBY', 'm', LLONG_MIN], ['INCRBY', 'm', LLONG_MIN], ['DECR', 'm'],
      ['SET', 'm', LLONG_MAX], ['INCRBY', 'm', '0'], ['INCRBY', 'm', '1'], ['DECRBY', 'm', '-1'], ['DECRBY', 'm', LLONG_MAX],
      ['SET', 'm', '-9223372036854775807'], ['DECRBY', 'm', '1'], ['DECRBY', 'm', '1'], ['GET', 'm'],
      ['SET', 'm', '9007199254740992'], ['INCR', 'm'], ['INCR', 'm'], ['INCRBY', 'm', '9007199254740993'],
      ['INCR', 'x', 'y'], ['INCRBY', 'x'], ['DECRBY', 'x', '1', '2'],
    );
    await compareBoth(diff, script);
  });

  it('INCRBYFLOAT: long double arithmetic and formatting', async () => {
    const pairs: [string, string][] = [
      ['10.5', '0.1'], ['0.1', '0.2'], ['5.0e3', '0'], ['5.0e3', '2.0e2'], ['-0', '0'], ['0', '-0'], ['-0.0', '-0.0'],
      ['1e308', '1e308'], ['1e308', '9e308'], ['1e308', '1e309'], ['3', '1e-17'], ['3', '5e-18'], ['3', '1e-20'],
      ['0', '1.23456789012345678901234567890'], ['1', '9999999999999999999999'], ['123456789.123456789', '0'],
      ['0.000003814697265625', '0'], ['0.000011444091796875', '0'], ['1.1', '2.2'], ['1', '-1.1'], ['-5', '2.5'],
      ['0.3', '-0.1'], ['1e-300', '0'], ['1', '.5'], ['1', '5.'], ['1', '+.5e-3'], ['1', '1e+3'], ['1', '1.5E-3'],
      ['12345678901234567890', '1'], [LLONG_MAX, '1'], ['0x10', '0x1p3'], ['0x1.8p1', '0'], ['0X.8', '0'],
      ['1', '1e4932'], ['1', '1.18e4932'], ['1', '1e4933'], ['1', '1e-5000'], ['1', '0e-5000'], ['1e-4950', '0'],
      ['1e-4940', '1e-4940'], ['1', 'inf'], ['1', '-inf'], ['1', 'Infinity'], ['inf', '0'], ['1', 'nan'], ['nan', '1'],
      ['1', '0x'], ['1', '1e'], ['1', ' 1'], ['1', '1 '], ['1', '-'], ['1', '.'], ['1', 'e5'], ['1', ''], ['', '1'],
      ['abc', '1'], ['1', '1'.repeat(5119)], ['1', '1'.repeat(5120)], ['-1.5', '1.5'], ['2.5', '-2.5'],
      ['7', '-0.00000000000000000001'], ['-7', '0.00000000000000000001'], ['1e20', '1e-20'], ['0.1', '0.7'],
    ];
    const script: Script = [];
    for (const [v, inc] of pairs) script.push(['SET', 'f', v], ['INCRBYFLOAT', 'f', inc], ['GET', 'f']);
    script.push(['INCRBYFLOAT', 'new', '1.5'], ['INCRBYFLOAT', 'new', '-1.5'], ['GET', 'new'], ['INCRBYFLOAT', 'new']);
    await compareBoth(diff, script);
  });

  it('SET: every option combination and error', async () => {
    const script: Script = [
      ['SET', 'k', 'v'], ['GET', 'k'], ['SET', 'k', 'w', 'GET'], ['SET', 'k', 'x', 'get', 'get'],
      ['SET', 'k', 'y', 'NX'], ['SET', 'k', 'y', 'nx', 'GET'], ['SET', 'k2', 'y', 'NX', 'GET'], ['GET', 'k2'],
      ['SET', 'k3', 'y', 'XX'], ['SET', 'k3', 'y', 'XX', 'GET'], ['GET', 'k3'], ['SET', 'k', 'z', 'XX', 'GET'],
      ['SET', 'k', 'v', 'NX', 'XX'], ['SET', 'k', 'v', 'XX', 'NX'], ['SET', 'k', 'v', 'NX', 'NX'], ['SET', 'k', 'v', 'XX', 'XX'],
      ['SET', 'k', 'v', 'EX', '0'], ['SET', 'k', 'v', 'EX', '-1'], ['SET', 'k', 'v', 'PX', '0'], ['SET', 'k', 'v', 'EXAT', '0'],
      ['SET', 'k', 'v', 'PXAT', '-5'], ['SET', 'k', 'v', 'EX', 'abc'], ['SET', 'k', 'v', 'EX', '1.5'], ['SET', 'k', 'v', 'EX', ''],
      ['SET', 'k', 'v', 'EX', '10', 'PX', '10'], ['SET', 'k', 'v', 'EXAT', '10', 'PXAT', '10'], ['SET', 'k', 'v', 'EX', '10', 'EX', '20'],
      ['SET', 'k', 'v', 'KEEPTTL', 'EX', '10'], ['SET', 'k', 'v', 'EX', '10', 'KEEPTTL'], ['SET', 'k', 'v', 'KEEPTTL', 'KEEPTTL'],
      ['SET', 'k', 'v', 'KEEPTTL', 'PX', '5'], ['SET', 'k', 'v', 'PERSIST'], ['SET', 'k', 'v', 'EX'], ['SET', 'k', 'v', 'PX'],
      ['SET', 'k', 'v', 'foo'], ['SET', 'k', 'v', 'EX', 'abc', 'foo'], ['SET', 'k', 'v', 'EX', '0', 'foo'],
      ['SET', 'k', 'v', 'EX', '9999999999999999'], ['SET', 'k', 'v', 'EX', '9223372036854775'],
      ['SET', 'k', 'v', 'PX', LLONG_MAX], ['SET', 'k', 'v', 'EX', LLONG_MAX], ['SET', 'k', 'v', 'EX', '9223372036854775808'],
      ['SET', 'k', 'v', 'EXAT', '9223372036854775'], ['SET', 'k', 'v', 'EXAT', '9223372036854776'],
      ['SET', 'k', 'v', 'PXAT', LLONG_MAX], ['GET', 'k'],
      ['SET', 'e', 'v', 'EX', '100', 'NX'], ['SET', 'e', 'w', 'px', '100000', 'xx', 'get'], ['SET', 'e', 'u', 'exat', '99999999999', 'NX', 'GET'],
      ['SET', 'e', 'u', 'KEEPTTL', 'GET'], ['GET', 'e'], ['SET', 'e', 'p', 'EX', '0', 'GET'],
      ['SET', 'past', 'v', 'PXAT', '1'], ['GET', 'past'], ['SET', 'past', 'v', 'EXAT', '1', 'GET'], ['GET', 'past'],
      ['SET', 'k'], ['SET'],
    ];
    await compareBoth(diff, script);
  });

  it('SETNX SETEX PSETEX GETSET GETDEL MSET MSETNX MGET', async () => {
    const script: Script = [
      ['SETNX', 'a', '1'], ['SETNX', 'a', '2'], ['GET', 'a'],
      ['SETEX', 'b', '100', 'v'], ['GET', 'b'], ['SETEX', 'b', '0', 'v'], ['SETEX', 'b', '-5', 'v'], ['SETEX', 'b', 'abc', 'v'],
      ['SETEX', 'b', '9223372036854775', 'v'], ['SETEX', 'b', '10'], ['PSETEX', 'c', '100000', 'v'], ['GET', 'c'],
      ['PSETEX', 'c', '0', 'v'], ['PSETEX', 'c', LLONG_MAX, 'v'], ['PSETEX', 'c', '1.5', 'v'],
      ['GETSET', 'a', 'new'], ['GETSET', 'nothere', 'x'], ['GET', 'nothere'], ['GETSET', 'a'],
      ['GETDEL', 'a'], ['GETDEL', 'a'], ['GET', 'a'], ['GETDEL', 'a', 'b'],
      ['MSET', 'k1', 'v1', 'k2', 'v2', 'k1', 'v3'], ['MGET', 'k1', 'k2', 'k3', 'k1'], ['MSET', 'k1'], ['MSET', 'k1', 'v', 'k2'],
      ['MSETNX', 'k4', 'v4', 'k1', 'x'], ['MGET', 'k4', 'k1'], ['MSETNX', 'k4', 'v4', 'k5', 'v5'], ['MGET', 'k4', 'k5'],
      ['MSETNX', 'k6', 'a', 'k6', 'b'], ['GET', 'k6'], ['MSETNX', 'k7'], ['MSETNX', 'k7', 'v', 'k8'], ['MGET'],
      ['SETNX', 'a'], ['GETDEL'],
    ];
    await compareBoth(diff, script);
  });

  it('GETEX: options, errors, PERSIST and past times', async () => {
    const script: Script = [
      ['SET', 'k', 'v'], ['GETEX', 'k'], ['GETEX', 'k', 'EX', '100'], ['GETEX', 'k', 'PX', '100000'],
      ['GETEX', 'k', 'EXAT', '99999999999'], ['GETEX', 'k', 'PXAT', '99999999999999'], ['GETEX', 'k', 'PERSIST'],
      ['GETEX', 'k', 'persist', 'persist'], ['GETEX', 'k', 'ex', '5', 'ex', '6'], ['GETEX', 'k', 'EX', '0'],
      ['GETEX', 'k', 'EX', '-1'], ['GETEX', 'k', 'EXAT', '0'], ['GETEX', 'k', 'PXAT', '-1'], ['GETEX', 'k', 'EX', 'abc'],
      ['GETEX', 'k', 'EX', '9223372036854775'], ['GETEX', 'k', 'PX', LLONG_MAX], ['GETEX', 'k', 'PERSIST', 'EX', '10'],
      ['GETEX', 'k', 'EX', '10', 'PERSIST'], ['GETEX', 'k', 'EX', '10', 'PX', '10'], ['GETEX', 'k', 'foo'], ['GETEX', 'k', 'EX'],
      ['GETEX', 'k', 'KEEPTTL'], ['GETEX', 'missing', 'EX', '0'], ['GETEX', 'missing', 'EX', 'abc'], ['GETEX', 'missing', 'foo'],
      ['GETEX', 'missing', 'EX', '10', 'PERSIST'], ['GETEX', 'k', 'PXAT', '1'], ['GET', 'k'], ['GETEX', 'k'],
      ['SET', 'j', 'v'], ['GETEX', 'j', 'EXAT', '1'], ['GET', 'j'], ['GETEX'],
    ];
    await compareBoth(diff, script);
  });

  it('APPEND STRLEN SETRANGE: padding, offsets, empty values', async () => {
    const script: Script = [
      ['APPEND', 'a', 'hello'], ['APPEND', 'a', ' world'], ['APPEND', 'a', ''], ['GET', 'a'], ['STRLEN', 'a'], ['STRLEN', 'none'],
      ['SET', 'n', '10'], ['APPEND', 'n', '5'], ['INCR', 'n'],
      ['SETRANGE', 's', '5', 'ab'], ['GET', 's'], ['SETRANGE', 's', '0', 'xyz'], ['GET', 's'], ['SETRANGE', 's', '6', 'LONGER'],
      ['GET', 's'], ['SETRANGE', 's', '0', ''], ['SETRANGE', 's', '100', ''], ['SETRANGE', 's', '-1', 'x'], ['SETRANGE', 's', 'a', 'x'],
      ['SETRANGE', 's', '1.5', 'x'], ['SETRANGE', 'none', '3', ''], ['GET', 'none'], ['SETRANGE', 'none', '-1', ''],
      ['SETRANGE', 'none', '536870912', ''], ['SETRANGE', 's', '536870912', ''], ['SETRANGE', 's', '536870912', 'x'],
      ['SETRANGE', 's', LLONG_MAX, 'x'], ['SETRANGE', 'none', '536870911', 'xy'], ['GET', 's'], ['STRLEN', 's'],
      ['SETRANGE', 'z', '0', 'x'], ['SETRANGE', 'z', '1', 'y'], ['GET', 'z'], ['APPEND', 'a'], ['STRLEN', 'a', 'b'],
    ];
    await compareBoth(diff, script);
  });

  it('GETRANGE SUBSTR: every index combination', async () => {
    const idx = ['0', '1', '4', '5', '6', '11', '12', '20', '-1', '-2', '-5', '-12', '-13', '-100', LLONG_MAX, LLONG_MIN];
    const script: Script = [['SET', 's', 'Hello, World'], ['SET', 'one', 'x'], ['SET', 'empty', '']];
    for (const a of idx) for (const b of idx) script.push(['GETRANGE', 's', a, b]);
    for (const a of ['0', '-1', '1', '-5']) {
      for (const b of ['0', '-1', '3', '-10']) {
        script.push(['GETRANGE', 'one', a, b], ['GETRANGE', 'empty', a, b], ['GETRANGE', 'none', a, b], ['SUBSTR', 's', a, b]);
      }
    }
    script.push(['GETRANGE', 's', 'a', '1'], ['GETRANGE', 's', '0', '1.5'], ['GETRANGE', 'none', 'x', '1'], ['GETRANGE', 's', '0']);
    await compareBoth(diff, script);
  });

  it('LCS: plain, LEN, IDX, MINMATCHLEN, WITHMATCHLEN and errors', async () => {
    const script: Script = [
      ['MSET', 'a', 'ohmytext', 'b', 'mynewtext', 'c', 'ABCBDAB', 'd', 'BDCABA', 'e', ''],
      ['LCS', 'a', 'b'], ['LCS', 'a', 'b', 'LEN'], ['LCS', 'a', 'b', 'IDX'], ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4'],
      ['LCS', 'a', 'b', 'IDX', 'WITHMATCHLEN'], ['LCS', 'a', 'b', 'idx', 'minmatchlen', '4', 'withmatchlen'],
      ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '-5'], ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '0'], ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '100'],
      ['LCS', 'a', 'b', 'LEN', 'IDX'], ['LCS', 'a', 'b', 'IDX', 'LEN'], ['LCS', 'a', 'b', 'MINMATCHLEN', 'x'], ['LCS', 'a', 'b', 'MINMATCHLEN'],
      ['LCS', 'a', 'b', 'WITHMATCHLEN'], ['LCS', 'a', 'b', 'MINMATCHLEN', '3'], ['LCS', 'a', 'b', 'foo'], ['LCS', 'a', 'b', 'WITHMATCHLEN', 'LEN'],
      ['LCS', 'a', 'missing', 'IDX'], ['LCS', 'missing', 'a'], ['LCS', 'missing', 'other', 'IDX', 'WITHMATCHLEN'], ['LCS', 'a', 'a', 'IDX', 'WITHMATCHLEN'],
      ['LCS', 'c', 'd'], ['LCS', 'd', 'c'], ['LCS', 'c', 'd', 'IDX', 'WITHMATCHLEN'], ['LCS', 'd', 'c', 'IDX', 'WITHMATCHLEN'],
      ['LCS', 'e', 'a', 'IDX'], ['LCS', 'a', 'e'], ['LCS', 'a'], ['LCS', 'a', 'b', 'IDX', 'WITHMATCHLEN', 'LEN'],
    ];
    await compareBoth(diff, script);
  });

  it('LCS: random strings give the same subsequence and runs (tie-breaking)', async () => {
    const rnd = prng(7);
    const script: Script = [];
    const word = (n: number, alphabet: string) => Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    for (let t = 0; t < 60; t++) {
      const alphabet = t % 3 === 0 ? 'ab' : t % 3 === 1 ? 'abc' : 'abcdefgh';
      script.push(['MSET', 'x', word(Math.floor(rnd() * 30), alphabet), 'y', word(Math.floor(rnd() * 30), alphabet)]);
      script.push(['LCS', 'x', 'y'], ['LCS', 'x', 'y', 'IDX', 'WITHMATCHLEN'], ['LCS', 'x', 'y', 'IDX', 'MINMATCHLEN', '2']);
    }
    await compareBoth(diff, script);
  });

  it('binary-safe keys and values through SET GET APPEND GETRANGE SETRANGE LCS', async () => {
    const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
    const script: Script = [
      ['SET', all, all], ['GET', all], ['STRLEN', all], ['GETRANGE', all, '250', '-1'], ['APPEND', all, '\0\r\n'],
      ['SETRANGE', all, '10', '\xff\xfe'], ['GETRANGE', all, '8', '13'], ['SET', 'other', '\r\n\0\xff'], ['LCS', all, 'other', 'IDX'],
      ['MGET', all, 'other', '\0'], ['GETDEL', all], ['GET', all],
    ];
    await compareBoth(diff, script);
  });
});

describe.runIf(available)('string size limits against redis-server 7.0 (proto-max-bulk-len 1mb)', () => {
  let diff: Differential;
  beforeAll(async () => {
    diff = await startDifferential({ 'proto-max-bulk-len': '1048576' });
  });
  afterAll(async () => diff?.stop());

  it('APPEND SETRANGE refuse growing past proto-max-bulk-len; LCS refuses a large table', async () => {
    const big = 'y'.repeat(1048575);
    const script: Script = [
      ['SET', 'a', 'x'], ['APPEND', 'a', big], ['APPEND', 'a', 'z'], ['APPEND', 'b', big], ['APPEND', 'b', 'zz'],
      ['SETRANGE', 'c', '1048575', 'x'], ['SETRANGE', 'c', '1048576', 'x'], ['SETRANGE', 'c', '1048575', 'xy'],
      ['SETRANGE', 'd', '1048576', ''], ['SET', 'e', 'ab'], ['SETRANGE', 'e', '1048576', ''], ['STRLEN', 'c'],
      ['SET', 'l1', 'a'.repeat(511)], ['SET', 'l2', 'a'.repeat(511)], ['LCS', 'l1', 'l2', 'LEN'],
      ['SET', 'l3', 'a'.repeat(512)], ['LCS', 'l3', 'l2', 'LEN'], ['LCS', 'l3', 'l3'], ['LCS', 'l3', 'l3', 'foo'],
      ['LCS', 'l3', 'l3', 'LEN', 'IDX'], ['LCS', 'l3', 'missing'], ['SET', 'l4', 'b'.repeat(5000)], ['LCS', 'l4', 'e'],
    ];
    await compareBoth(diff, script);
  });
});
