/**
 * Differential tests for the generic key commands: the same scripts go to Kioku and to a real
 * redis-server 7.0, and the raw replies must be byte-identical, in RESP2 and in RESP3. Replies
 * whose order Redis leaves undefined (KEYS, SCAN) are compared after sorting their key lists.
 * Skips (saying so) when redis-server is not installed.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startDifferential, type Differential } from '../helpers/differential.js';
import { haveRedisServer, NO_REDIS } from '../helpers/redis-oracle.js';
import { parseResp, writeResp, type RespNode } from '../helpers/resp-tree.js';
import { RawConnection } from '../helpers/raw-connection.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

type Script = string[][];

/** Sorts every array made only of bulk strings (key lists), recursively. */
function sortKeyLists(node: RespNode): RespNode {
  if (!node.items) return node;
  const items = node.items.map(sortKeyLists);
  if (items.length > 0 && items.every((n) => n.type === '$')) items.sort((a, b) => (a.value! < b.value! ? -1 : a.value! > b.value! ? 1 : 0));
  return { ...node, items };
}

const unordered = (raw: string) => writeResp(sortKeyLists(parseResp(raw)));

/** Runs a script in RESP2 and RESP3, starting each run from empty databases. */
async function compareBoth(diff: Differential, script: Script, normalize?: (raw: string) => string): Promise<void> {
  for (const protocol of [2, 3] as const) {
    await diff.compare(script, normalize ? { protocol, normalize } : { protocol });
  }
}

const LLONG_MAX = '9223372036854775807';
const LLONG_MIN = '-9223372036854775808';

describe.runIf(available)('generic key commands against redis-server 7.0 (RESP2 and RESP3)', () => {
  let diff: Differential;
  beforeAll(async () => {
    diff = await startDifferential();
  });
  afterAll(async () => diff?.stop());

  it('EXPIRE PEXPIRE EXPIREAT PEXPIREAT: option combinations and conflicts', async () => {
    const optionSets = [[], ['NX'], ['XX'], ['GT'], ['LT'], ['nx'], ['NX', 'NX'], ['GT', 'GT'], ['XX', 'GT'], ['XX', 'LT'],
      ['NX', 'XX'], ['NX', 'GT'], ['NX', 'LT'], ['GT', 'LT'], ['LT', 'GT', 'NX'], ['FOO'], ['NX', 'FOO'], ['FOO', 'NX', 'XX'],
      ['GT', 'LT', 'BAR']];
    const script: Script = [];
    for (const [cmd, small, big] of [['EXPIRE', '100', '200'], ['PEXPIRE', '100000', '200000'],
      ['EXPIREAT', '4000000000', '4100000000'], ['PEXPIREAT', '4000000000000', '4100000000000']] as const) {
      for (const opts of optionSets) {
        const check = cmd.endsWith('AT') ? ['EXPIRETIME', 'k'] : ['TTL', 'k'];
        script.push(['SET', 'k', 'v'], [cmd, 'k', small, ...opts], check);
        script.push([cmd, 'k', big, ...opts], [cmd, 'k', small, ...opts], ['PERSIST', 'k'], [cmd, 'k', big, ...opts]);
        script.push([cmd, 'missing', small, ...opts], [cmd, 'k', 'notanumber', ...opts]);
      }
    }
    script.push(['SET', 'k', 'v'], ['EXPIRE', 'k', '100', 'GT'], ['EXPIRE', 'k', '100', 'LT'], ['TTL', 'k'],
      ['EXPIRE', 'k', '50', 'GT'], ['EXPIRE', 'k', '300', 'GT'], ['TTL', 'k'], ['EXPIRE', 'k', '-1', 'GT'], ['EXISTS', 'k'],
      ['EXPIRE', 'k', '-1', 'LT'], ['EXISTS', 'k'], ['SET', 'k', 'v'], ['EXPIRE', 'k', '-1', 'XX'], ['EXISTS', 'k'],
      ['EXPIRE', 'k', '-1', 'NX'], ['EXISTS', 'k'], ['EXPIRE', 'k'], ['PEXPIREAT', 'k', '1', '2', '3']);
    await compareBoth(diff, script);
  });

  it('EXPIRE family: overflow, non-integers, past and negative times delete the key', async () => {
    const values = [LLONG_MAX, LLONG_MIN, '9223372036854775', '9223372036854776', '9223372036854774', '-9223372036854775',
      '-9223372036854776', '9223372036854775808', '1.5', '', ' 1', '1 ', '+1', '0x10', 'abc', '0', '-0', '-1', '100000'];
    const script: Script = [];
    for (const cmd of ['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT']) {
      for (const v of values) script.push(['SET', 'k', 'v'], [cmd, 'k', v], ['EXISTS', 'k'], ['TYPE', 'k']);
    }
    // Times past 2^53 ms are kept as doubles (a documented COMPAT), so only exact ones are read back.
    script.push(['SET', 'k', 'v'], ['EXPIREAT', 'k', '9223372036854775'], ['TYPE', 'k'],
      ['PEXPIREAT', 'k', LLONG_MAX], ['PEXPIRETIME', 'k'], ['EXPIRETIME', 'k'],
      ['PEXPIREAT', 'k', '4000000000123'], ['PEXPIRETIME', 'k'], ['EXPIRETIME', 'k'],
      ['PEXPIRE', 'k', '9223372036854775807'], ['PEXPIRE', 'k', '9000000000000000000'], ['TYPE', 'k']);
    await compareBoth(diff, script);
  });

  it('TTL PTTL EXPIRETIME PEXPIRETIME PERSIST: missing key, no TTL, set TTL', async () => {
    await compareBoth(diff, [
      ['TTL', 'none'], ['PTTL', 'none'], ['EXPIRETIME', 'none'], ['PEXPIRETIME', 'none'], ['PERSIST', 'none'],
      ['SET', 'k', 'v'], ['TTL', 'k'], ['PTTL', 'k'], ['EXPIRETIME', 'k'], ['PEXPIRETIME', 'k'], ['PERSIST', 'k'],
      ['EXPIRE', 'k', '1000'], ['TTL', 'k'], ['PERSIST', 'k'], ['PERSIST', 'k'], ['TTL', 'k'],
      ['PEXPIREAT', 'k', '5000000000999'], ['EXPIRETIME', 'k'], ['PEXPIRETIME', 'k'],
      ['PEXPIREAT', 'k', '5000000000499'], ['EXPIRETIME', 'k'], ['PEXPIREAT', 'k', '5000000000500'], ['EXPIRETIME', 'k'],
      ['SET', 'k', 'v2'], ['TTL', 'k'], ['SET', 'k', 'v', 'EX', '100'], ['TTL', 'k'], ['TTL'], ['PERSIST', 'k', 'x'],
    ]);
  });

  it('DEL UNLINK EXISTS TOUCH TYPE DBSIZE RANDOMKEY FLUSHDB FLUSHALL: counts, repeats, errors', async () => {
    await compareBoth(diff, [
      ['RANDOMKEY'], ['DBSIZE'], ['TYPE', 'k'], ['EXISTS', 'a', 'b'], ['TOUCH', 'a'],
      ['SET', 'a', '1'], ['RANDOMKEY'], ['SET', 'b', '2'], ['TYPE', 'a'], ['EXISTS', 'a', 'a', 'x', 'b'], ['TOUCH', 'a', 'a', 'x'],
      ['DBSIZE'], ['DEL', 'a', 'a', 'x'], ['UNLINK', 'b', 'b'], ['DEL', 'a'], ['DBSIZE'],
      ['DEL'], ['EXISTS'], ['TYPE'], ['TYPE', 'a', 'b'], ['DBSIZE', 'x'], ['RANDOMKEY', 'x'],
      ['SET', 'c', '1'], ['FLUSHDB', 'foo'], ['FLUSHDB', 'ASYNC', 'SYNC'], ['FLUSHDB', 'sync'], ['DBSIZE'],
      ['SET', 'c', '1'], ['FLUSHDB', 'ASYNC'], ['FLUSHDB'], ['SET', 'c', '1'], ['FLUSHALL', 'x'], ['FLUSHALL', 'SYNC'],
      ['FLUSHALL', 'async'], ['FLUSHALL'], ['DBSIZE'],
    ]);
  });

  it('RENAME RENAMENX: same key, missing key, existing destination, TTL carried', async () => {
    await compareBoth(diff, [
      ['RENAME', 'nokey', 'x'], ['RENAMENX', 'nokey', 'x'], ['RENAME', 'nokey', 'nokey'], ['RENAMENX', 'nokey', 'nokey'],
      ['SET', 'a', '1'], ['RENAME', 'a', 'a'], ['RENAMENX', 'a', 'a'], ['GET', 'a'],
      ['SET', 'b', '2'], ['RENAMENX', 'a', 'b'], ['GET', 'b'], ['EXPIRE', 'a', '500'], ['RENAME', 'a', 'b'], ['TTL', 'b'],
      ['EXISTS', 'a'], ['GET', 'b'], ['SET', 'c', '3'], ['RENAME', 'c', 'b'], ['TTL', 'b'], ['RENAMENX', 'b', 'd'], ['GET', 'd'],
      ['RENAME', 'd'], ['RENAMENX', 'd', 'e', 'f'],
    ]);
  });

  it('COPY MOVE: DB and REPLACE options, errors, TTL carried', async () => {
    await compareBoth(diff, [
      ['COPY', 'nokey', 'x'], ['COPY', 'nokey', 'nokey'], ['SET', 'c', 'v'], ['COPY', 'c', 'c'], ['COPY', 'c', 'c', 'DB', '0'],
      ['COPY', 'c', 'd', 'DB'], ['COPY', 'c', 'd', 'DB', '99'], ['COPY', 'c', 'd', 'DB', '-1'], ['COPY', 'c', 'd', 'DB', 'abc'],
      ['COPY', 'c', 'd', 'DB', '2147483648'], ['COPY', 'c', 'd', 'DB', '99999999999999999999'], ['COPY', 'c', 'd', 'DB', '99', 'foo'],
      ['COPY', 'c', 'd', 'foo', 'DB', '99'], ['COPY', 'c', 'd', 'REPLACE', 'REPLACE', 'foo'],
      ['EXPIRE', 'c', '700'], ['COPY', 'c', 'd'], ['TTL', 'd'], ['GET', 'd'], ['SET', 'd', 'other'], ['COPY', 'c', 'd'], ['GET', 'd'],
      ['COPY', 'c', 'd', 'replace'], ['GET', 'd'], ['TTL', 'd'], ['COPY', 'c', 'c', 'DB', '1'], ['COPY', 'c', 'e', 'db', '1', 'REPLACE'],
      ['SELECT', '1'], ['GET', 'c'], ['TTL', 'e'], ['DBSIZE'], ['SELECT', '0'],
      ['MOVE', 'c', '0'], ['MOVE', 'nokey', '0'], ['MOVE', 'c', '99'], ['MOVE', 'c', '-1'], ['MOVE', 'c', 'abc'],
      ['MOVE', 'c', '99999999999'], ['MOVE', 'c', '1.5'], ['MOVE', 'nokey', '1'], ['MOVE', 'c', '1'], ['MOVE', 'd', '2'],
      ['EXISTS', 'd'], ['SELECT', '2'], ['GET', 'd'], ['TTL', 'd'], ['MOVE', 'd', '0'], ['SELECT', '0'], ['TTL', 'd'],
      ['MOVE', 'd'], ['COPY', 'd'],
    ]);
  });

  it('SWAPDB: errors and swapping', async () => {
    await compareBoth(diff, [
      ['SET', 'a', 'db0'], ['SWAPDB', '0', 'abc'], ['SWAPDB', 'abc', '0'], ['SWAPDB', 'abc', 'def'], ['SWAPDB', '0', '16'],
      ['SWAPDB', '-1', '0'], ['SWAPDB', '0', '-1'], ['SWAPDB', '2147483648', '0'], ['SWAPDB', '0', '2147483648'],
      ['SWAPDB', '99999999999', '0'], ['SWAPDB', '0', '0'], ['GET', 'a'], ['SWAPDB', '0', '1'], ['GET', 'a'], ['SELECT', '1'],
      ['GET', 'a'], ['SWAPDB', '1', '0'], ['GET', 'a'], ['SWAPDB', '0'],
    ]);
  });

  it('OBJECT ENCODING REFCOUNT FREQ IDLETIME HELP: encodings of ints, embstr, raw; errors', async () => {
    const values = ['0', '1', '-1', '9999', '10000', '12345', LLONG_MAX, LLONG_MIN, '9223372036854775808', '01', '+1', ' 1',
      '1.5', 'abc', '', 'x'.repeat(44), 'x'.repeat(45), '1'.repeat(20), '1'.repeat(21)];
    const script: Script = [];
    for (const v of values) script.push(['SET', 'k', v], ['OBJECT', 'ENCODING', 'k'], ['OBJECT', 'REFCOUNT', 'k']);
    script.push(['OBJECT', 'ENCODING', 'nokey'], ['OBJECT', 'REFCOUNT', 'nokey'], ['OBJECT', 'FREQ', 'nokey'],
      ['OBJECT', 'IDLETIME', 'nokey'], ['OBJECT', 'FREQ', 'k'], ['OBJECT', 'HELP'], ['object', 'help'],
      ['OBJECT', 'HELP', 'x'], ['OBJECT'], ['OBJECT', 'foo', 'k'], ['OBJECT', 'ENCODING'], ['OBJECT', 'ENCODING', 'k', 'x'],
      ['OBJECT', 'IDLETIME', 'k', 'x']);
    await compareBoth(diff, script);
  });

  it('OBJECT IDLETIME FREQ under an LFU maxmemory-policy', async () => {
    const setPolicy = async (policy: string) => {
      for (const port of [diff.kioku.port, diff.oracle!.port]) {
        const c = await RawConnection.connect(port);
        await c.call('CONFIG', 'SET', 'maxmemory-policy', policy);
        c.close();
      }
    };
    await setPolicy('allkeys-lfu');
    try {
      await compareBoth(diff, [['SET', 'k', 'v'], ['OBJECT', 'IDLETIME', 'k'], ['OBJECT', 'IDLETIME', 'nokey'],
        ['OBJECT', 'FREQ', 'nokey'], ['OBJECT', 'FREQ', 'k']]);
    } finally {
      await setPolicy('noeviction');
    }
  });

  it('SCAN: argument errors, cursors Redis accepts, complete single-call scans with MATCH COUNT TYPE', async () => {
    await compareBoth(diff, [
      ['SET', 'k1', 'a'], ['SET', 'k2', 'b'], ['SET', 'other', 'c'], ['SET', 'k3', 'd'],
      ['SCAN', 'abc'], ['SCAN', ' 1'], ['SCAN', '1 '], ['SCAN', '0x1'], ['SCAN', '18446744073709551616'], ['SCAN', '-'], ['SCAN', '+'],
      ['SCAN', 'abc', 'COUNT', '0'], ['SCAN', '0', 'COUNT', '0'], ['SCAN', '0', 'COUNT', '-1'], ['SCAN', '0', 'COUNT', 'abc'],
      ['SCAN', '0', 'COUNT'], ['SCAN', '0', 'MATCH'], ['SCAN', '0', 'TYPE'], ['SCAN', '0', 'foo', 'bar'], ['SCAN', '0', 'COUNT', '5', 'COUNT', '0'],
      ['SCAN', '0', 'COUNT', 'abc', 'foo'], ['SCAN'],
      ['SCAN', '0', 'COUNT', '1000'], ['SCAN', '', 'COUNT', '1000'], ['SCAN', '00', 'COUNT', '1000'], ['SCAN', '-0', 'COUNT', '1000'],
      ['SCAN', '0', 'MATCH', 'k*', 'COUNT', '1000'], ['SCAN', '0', 'MATCH', 'k[12]', 'COUNT', '1000'], ['SCAN', '0', 'match', '*', 'count', '1000'],
      ['SCAN', '0', 'TYPE', 'string', 'COUNT', '1000'], ['SCAN', '0', 'TYPE', 'STRING', 'COUNT', '1000'], ['SCAN', '0', 'TYPE', 'list', 'COUNT', '1000'],
      ['SCAN', '0', 'TYPE', 'nosuchtype', 'COUNT', '1000'], ['SCAN', '0', 'MATCH', 'k*', 'TYPE', 'string', 'COUNT', '1000', 'MATCH', 'o*'],
    ], unordered);
  });

  it('KEYS: glob patterns (*, ?, classes, ranges, negation, escapes, unterminated classes, empty key)', async () => {
    const keys = ['hello', 'hallo', 'hxllo', 'hllo', 'heeeello', 'a*b', 'a?b', 'a[b', 'a]b', 'a\\b', 'a-b', 'ab', '', 'x', 'X',
      'foo:1', 'foo:2', 'foo:10', '\xff\x00bin', '^', '-', ']', '['];
    const patterns = ['*', '**', '', '?', '??', 'h?llo', 'h*llo', 'h**llo', 'h[ae]llo', 'h[^e]llo', 'h[a-b]llo', 'h[b-a]llo',
      'h[a-]llo', 'h[-a]llo', 'a\\*b', 'a\\?b', 'a[\\[]b', 'a[[]b', 'a[]]b', 'a\\\\b', 'a\\b', '\\', '[', '[a', 'a[b', 'x[', '[^]', '[]',
      '*[', 'a*b*', '*b', 'a[^*]b', '[x-]', '[-x]', '[\\-]', '[^a-z]*', 'foo:[0-9]', 'foo:[0-9]*', 'foo:?', '\xff*', '*\x00*', '[\xfe-\xff]*',
      'h[a', 'h[a-', 'h[a-z', '[^', '\\h\\e\\l\\l\\o', 'hel*lo*', '*l*l*o', 'X', '[X]', '[x]', 'h[]a]llo', '[]-]', '^', '[\\^]', '[\\]]'];
    const script: Script = keys.map((k) => ['SET', k, 'v']);
    for (const p of patterns) script.push(['KEYS', p]);
    script.push(['KEYS'], ['KEYS', 'a', 'b']);
    await compareBoth(diff, script, unordered);
  });

  it('KEYS: patterns nesting more than 1000 stars never match', async () => {
    const key = 'a'.repeat(2000);
    await compareBoth(diff, [
      ['SET', key, 'v'], ['KEYS', 'a*'.repeat(1001)], ['KEYS', 'a*'.repeat(1002)], ['KEYS', '*a'.repeat(999)], ['KEYS', '*a'.repeat(1001)],
    ], unordered);
  });
});
