/**
 * Differential tests for SORT and SORT_RO against a real redis-server 7.0, in RESP2 and RESP3:
 * numeric and ALPHA order, BY (string keys, hash fields, missing keys, nosort), GET (#, strings,
 * hash fields, missing), LIMIT clamping, DESC, STORE (and its empty-result delete), and errors.
 * Ties are avoided where Redis's unstable quicksort could order them either way. Out-of-range
 * numbers ("1e400") are tested in test/integration/sort.test.ts instead: redis-server 7.0 does not
 * clear errno before strtod, so after one ERANGE its later sorts may fail until errno is reset.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startDifferential, type Differential } from '../helpers/differential.js';
import { haveRedisServer, NO_REDIS } from '../helpers/redis-oracle.js';
import { prng } from '../helpers/prng.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

type Script = string[][];

async function compareBoth(diff: Differential, script: Script): Promise<void> {
  for (const protocol of [2, 3] as const) await diff.compare(script, { protocol });
}

/** A list, an intset, a small zset and weights/objects to sort them by. */
const FIXTURE: Script = [
  ['RPUSH', 'l', '3', '10', '-2', '2.5', '1e2', ' 7', '0x10', ''],
  ['RPUSH', 'names', 'carol', 'alice', 'dave', 'bob', 'Eve', 'éva', 'al\x00ice'],
  ['SADD', 'nums', '5', '-3', '12', '0', '7'],
  ['ZADD', 'z', '3', 'c', '1', 'a', '2', 'b', '5', 'e', '4', 'd'],
  ['MSET', 'w_carol', '30', 'w_alice', '10', 'w_dave', '40', 'w_bob', '20', 'w_Eve', 'x'],
  ['HSET', 'o_a', 'rank', '9', 'name', 'Ann'], ['HSET', 'o_b', 'rank', '7', 'name', 'Ben'],
  ['HSET', 'o_c', 'rank', '8'], ['HSET', 'o_d', 'name', 'Dee'], ['SET', 'o_e', 'not a hash'],
];

describe.runIf(available)('SORT against redis-server 7.0 (RESP2 and RESP3)', () => {
  let diff: Differential;
  beforeAll(async () => {
    diff = await startDifferential();
  });
  afterAll(async () => diff?.stop());

  it('SORT: numeric, ALPHA, DESC, LIMIT, score errors', async () => {
    const script: Script = [...FIXTURE,
      ['SORT', 'l'], ['SORT', 'l', 'DESC'], ['SORT', 'l', 'ALPHA'], ['SORT', 'l', 'ALPHA', 'DESC'],
      ['SORT', 'nums'], ['SORT', 'nums', 'desc'], ['SORT', 'z'], ['SORT', 'z', 'ALPHA', 'DESC'],
      ['SORT', 'names'], ['SORT', 'names', 'ALPHA'], ['SORT', 'names', 'ALPHA', 'DESC', 'LIMIT', '1', '3'],
      ['SORT', 'l', 'LIMIT', '0', '3'], ['SORT', 'l', 'LIMIT', '2', '-1'], ['SORT', 'l', 'LIMIT', '-5', '2'],
      ['SORT', 'l', 'LIMIT', '7', '10'], ['SORT', 'l', 'LIMIT', '8', '1'], ['SORT', 'l', 'LIMIT', '100', '1'],
      ['SORT', 'l', 'LIMIT', '1', '0'], ['SORT', 'l', 'LIMIT', 'a', '1'], ['SORT', 'l', 'LIMIT', '1'],
      ['SORT', 'missing'], ['SORT', 'missing', 'ALPHA', 'LIMIT', '0', '1'], ['SORT', 'o_e'], ['SORT', 'o_a'],
      ['RPUSH', 'bad', '1', 'x'], ['SORT', 'bad'], ['SORT', 'bad', 'ALPHA'],
      ['RPUSH', 'bad2', '1', '   '], ['SORT', 'bad2'],
      ['RPUSH', 'bad4', 'nan'], ['SORT', 'bad4'], ['RPUSH', 'bad5', '5 '], ['SORT', 'bad5'],
      ['RPUSH', 'ok', 'inf', '-inf', '1e-5', '-0'], ['SORT', 'ok'],
      ['SORT', 'l', 'FOO'], ['SORT', 'l', 'BY'], ['SORT', 'l', 'GET'], ['SORT', 'l', 'STORE'], ['SORT'],
    ];
    await compareBoth(diff, script);
  });

  it('SORT BY: string keys, hash fields, missing values, nosort', async () => {
    const script: Script = [...FIXTURE,
      ['SORT', 'names', 'BY', 'w_*'], ['SORT', 'names', 'BY', 'w_*', 'DESC'],
      ['SORT', 'names', 'BY', 'w_*', 'ALPHA'], ['SORT', 'names', 'BY', 'w_*', 'ALPHA', 'DESC'],
      ['RPUSH', 'ids', 'a', 'b', 'c', 'd', 'e'],
      ['SORT', 'ids', 'BY', 'o_*->rank'], ['SORT', 'ids', 'BY', 'o_*->rank', 'DESC'],
      ['SORT', 'ids', 'BY', 'o_*->name', 'ALPHA'], ['SORT', 'ids', 'BY', 'o_*->'],
      ['SORT', 'ids', 'BY', 'nosort'], ['SORT', 'ids', 'BY', 'nosort', 'DESC'],
      ['SORT', 'ids', 'BY', 'nosort', 'LIMIT', '1', '2'], ['SORT', 'ids', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2'],
      ['SORT', 'z', 'BY', 'nosort'], ['SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '0', '3'],
      ['SORT', 'nums', 'BY', 'nosort'], ['SORT', 'nums', 'BY', 'nosort', 'LIMIT', '1', '2'],
      ['SORT', 'z', 'BY', 'o_*->rank', 'LIMIT', '0', '2'],
    ];
    await compareBoth(diff, script);
  });

  it('SORT GET: #, strings, hash fields, missing and wrong types', async () => {
    const script: Script = [...FIXTURE,
      ['RPUSH', 'ids', 'a', 'b', 'c', 'd', 'e'],
      ['SORT', 'ids', 'ALPHA', 'GET', '#', 'GET', 'o_*->name', 'GET', 'o_*->rank', 'GET', 'o_*'],
      ['SORT', 'names', 'BY', 'w_*', 'GET', 'w_*', 'GET', '#'], ['SORT', 'ids', 'ALPHA', 'GET', 'nostar'],
      ['SORT', 'ids', 'ALPHA', 'GET', 'o_*->missing', 'LIMIT', '0', '2'], ['SORT', 'ids', 'ALPHA', 'GET', '*'],
      ['SET', 'a', 'A'], ['SET', 'b', 'B'], ['SORT', 'ids', 'ALPHA', 'GET', '*'], ['SORT', 'ids', 'ALPHA', 'GET', '*->x'],
    ];
    await compareBoth(diff, script);
  });

  it('SORT STORE and SORT_RO', async () => {
    const script: Script = [...FIXTURE,
      ['SORT', 'l', 'STORE', 'dst'], ['LRANGE', 'dst', '0', '-1'], ['TYPE', 'dst'],
      ['RPUSH', 'ids', 'a', 'b', 'c', 'd', 'e'],
      ['SORT', 'ids', 'BY', 'o_*->rank', 'GET', 'o_*->name', 'STORE', 'dst'], ['LRANGE', 'dst', '0', '-1'],
      ['SADD', 'letters', 'q', 'b', 'x', 'a'], ['SORT', 'letters', 'BY', 'nosort', 'STORE', 'dst'], ['LRANGE', 'dst', '0', '-1'],
      ['SORT', 'letters', 'BY', 'nosort', 'DESC', 'STORE', 'dst'], ['LRANGE', 'dst', '0', '-1'],
      ['SORT', 'missing', 'STORE', 'dst'], ['EXISTS', 'dst'], ['SORT', 'missing', 'STORE', 'dst'],
      ['SET', 'dst', 'string'], ['SORT', 'nums', 'STORE', 'dst'], ['TYPE', 'dst'], ['LRANGE', 'dst', '0', '-1'],
      ['SORT', 'nums', 'STORE', 'd1', 'STORE', 'd2'], ['EXISTS', 'd1'], ['LRANGE', 'd2', '0', '-1'],
      ['SORT', 'nums', 'LIMIT', '0', '0', 'STORE', 'd2'], ['EXISTS', 'd2'],
      ['SORT_RO', 'l'], ['SORT_RO', 'names', 'BY', 'w_*', 'GET', '#', 'LIMIT', '0', '2'], ['SORT_RO', 'l', 'STORE', 'x'],
      ['SORT_RO', 'o_e'], ['SORT_RO'],
      ['COMMAND', 'GETKEYS', 'SORT', 'l', 'BY', 'w_*', 'GET', 'o_*', 'STORE', 'dst'],
      ['COMMAND', 'GETKEYS', 'SORT', 'l', 'STORE', 'a', 'LIMIT', '0', '1', 'STORE', 'b'],
      ['COMMAND', 'GETKEYS', 'SORT_RO', 'l', 'BY', 'w_*'],
    ];
    await compareBoth(diff, script);
  });

  it('SORT: random lists of distinct numbers and words, with random options', async () => {
    const rand = prng(20261124);
    for (let round = 0; round < 10; round++) {
      const n = 1 + Math.floor(rand() * 40);
      const nums = new Set<string>();
      while (nums.size < n) nums.add(String(Math.floor(rand() * 2000) - 1000));
      const words = [...nums].map((x) => `w${x}`);
      const script: Script = [['RPUSH', 'n', ...nums], ['RPUSH', 'w', ...words]];
      for (const x of nums) script.push(['SET', `by_${x}`, String(Math.floor(rand() * 100000))]);
      for (let q = 0; q < 10; q++) {
        const opts: string[] = [];
        if (rand() < 0.5) opts.push('LIMIT', String(Math.floor(rand() * n) - 2), String(Math.floor(rand() * n) - 1));
        if (rand() < 0.5) opts.push('DESC');
        script.push(['SORT', 'n', ...opts], ['SORT', 'w', 'ALPHA', ...opts], ['SORT', 'n', 'BY', 'by_*', 'GET', '#', 'GET', 'by_*', ...opts]);
      }
      await diff.compare(script, { protocol: 2 });
    }
  });
});
