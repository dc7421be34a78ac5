/**
 * DEBUG DIGEST and DEBUG DIGEST-VALUE against redis-server 7.0: the same datasets, built by the same
 * commands on both servers, must give the same digests (raw replies compared, RESP2 and RESP3) —
 * every type in every encoding, TTLs, several databases, binary keys and values, the empty
 * dataset, keys whose TTL has passed but that are not reclaimed yet, and random scripts. Also the
 * errors and DEBUG HELP's text for the subcommands Kioku has. Skips (saying so) when redis-server
 * is not installed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDifferential, type Differential } from '../helpers/differential.js';
import { haveRedisServer, NO_REDIS, startRedisOracle } from '../helpers/redis-oracle.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { startTestServer } from '../helpers/test-server.js';
import { prng } from '../helpers/prng.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

type Script = string[][];

const ZERO = '0'.repeat(40);
const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
/** Every byte value, as a latin1 string. */
const ALL_BYTES = range(256, (i) => String.fromCharCode(i)).join('');

/** 14,006 keys over databases 0-3: strings (some with a TTL), lists, sets, hashes, sorted sets; ends in db 0. */
function bigDataset(): Script {
  const script: Script = [];
  for (let db = 0; db < 4; db++) {
    script.push(['SELECT', String(db)]);
    for (let batch = 0; batch < 10; batch++) {
      script.push(['MSET', ...range(300, (i) => [`s:${batch}:${i}`, i % 2 === 0 ? String(i) : `value ${i}`]).flat()]);
      for (let i = 0; i < 50; i++) {
        const n = batch * 50 + i;
        if (n % 4 === 0) script.push(['RPUSH', `l:${n}`, ...range(n % 7 + 1, (j) => `e${j}`)]);
        if (n % 4 === 1) script.push(['SADD', `set:${n}`, ...range(n % 9 + 1, (j) => (n % 2 ? String(j) : `m${j}`))]);
        if (n % 4 === 2) script.push(['HSET', `h:${n}`, ...range(n % 5 + 1, (j) => [`f${j}`, String(j * n)]).flat()]);
        if (n % 4 === 3) script.push(['ZADD', `z:${n}`, ...range(n % 6 + 1, (j) => [String(j / 3), `m${j}`]).flat()]);
      }
      script.push(['EXPIRE', `s:${batch}:1`, '1000']);
    }
  }
  // a few keys in the other encodings
  script.push(['SELECT', '0']);
  script.push(['HSET', 'bighash', 'f', 'x'.repeat(100)], ['ZADD', 'bigzset', '1', 'x'.repeat(100), '-0', 'a']);
  script.push(['SADD', 'bigset', 'a', ...range(600, (i) => String(i))], ['RPUSH', 'biglist', ...range(1000, (i) => `item ${i}`)]);
  script.push(['SET', '\x00\xff', '\x80\x81'], ['SET', 'long', 'y'.repeat(5000)]);
  return script;
}

/** Runs a script on one connection; returns the replies. */
async function run(port: number, script: Script): Promise<string[]> {
  const c = await RawConnection.connect(port);
  try {
    const out: string[] = [];
    for (const cmd of script) out.push(await c.call(...cmd));
    return out;
  } finally {
    c.close();
  }
}

describe.runIf(available)('DEBUG DIGEST / DIGEST-VALUE against redis-server 7.0 (RESP2 and RESP3)', () => {
  let diff: Differential;
  beforeAll(async () => {
    diff = await startDifferential();
  });
  afterAll(async () => diff?.stop());

  /** Runs the script in RESP2 and RESP3 (from empty databases) and returns Kioku's RESP2 replies. */
  const both = async (script: Script): Promise<string[]> => {
    const out = await diff.compare(script, { protocol: 2 });
    await diff.compare(script, { protocol: 3 });
    return out;
  };
  /** Builds `setup` on both servers, then compares DEBUG DIGEST and DIGEST-VALUE of `keys`; returns Kioku's digest. */
  const digestOf = async (setup: Script, keys: string[] = []): Promise<string> => {
    const out = await both([...setup, ['DEBUG', 'DIGEST'], ['DEBUG', 'DIGEST-VALUE', ...keys]]);
    const digest = out[setup.length]!;
    expect(digest).toMatch(/^\+[0-9a-f]{40}\r\n$/);
    return digest.slice(1, 41);
  };
  const encoding = async (setup: Script, key: string, expected: string): Promise<void> => {
    const out = await both([...setup, ['OBJECT', 'ENCODING', key]]);
    expect(out[setup.length]).toBe(`$${expected.length}\r\n${expected}\r\n`);
  };

  it('DEBUG DIGEST of an empty dataset is 40 zeros; DIGEST-VALUE of missing keys too; no keys → empty array', async () => {
    const out = await both([
      ['DEBUG', 'DIGEST'], ['DEBUG', 'DIGEST-VALUE', 'nokey', 'other'], ['DEBUG', 'DIGEST-VALUE'],
      ['SET', 'k', 'v'], ['DEL', 'k'], ['DEBUG', 'DIGEST'],
      ['SELECT', '3'], ['SET', 'k', 'v'], ['FLUSHDB'], ['DEBUG', 'DIGEST'],
    ]);
    expect(out[0]).toBe(`+${ZERO}\r\n`);
    expect(out[1]).toBe(`*2\r\n+${ZERO}\r\n+${ZERO}\r\n`);
    expect(out[2]).toBe('*0\r\n');
    expect(out[5]).toBe(`+${ZERO}\r\n`);
    expect(out[9]).toBe(`+${ZERO}\r\n`);
  });

  it('DEBUG DIGEST / DIGEST-VALUE argument errors (DEBUG DIGEST x, lower case names)', async () => {
    await both([['DEBUG', 'DIGEST', 'x'], ['DEBUG', 'digest'], ['DEBUG', 'digest-value', 'k'], ['DEBUG', 'Digest-Value']]);
  });

  it('strings: embstr, raw, int encodings, empty, negative and huge integers, binary keys and values', async () => {
    const values = ['v', '', '0', '-1', '12345', '9223372036854775807', '-9223372036854775808', '9223372036854775808',
      '007', '-0', '+1', ' 1', '1.5', 'x'.repeat(44), 'x'.repeat(45), 'y'.repeat(100_000), ALL_BYTES, '\x00', '\r\n'];
    const seen = new Set<string>();
    for (const v of values) {
      const d = await digestOf([['SET', 'k', v]], ['k']);
      seen.add(d);
    }
    expect(seen.size).toBe(values.length);
    // every length around SHA-1's block boundaries
    const lengths = [...range(130, (i) => String(i)), '500', '511', '512', '513', '1000', '4096'];
    await digestOf(lengths.map((n) => ['SET', `len:${n}`, 'z'.repeat(Number(n))]), lengths.map((n) => `len:${n}`));
    await digestOf([['SET', ALL_BYTES, ALL_BYTES], ['SET', '', 'empty key'], ['APPEND', 'ap', 'a'], ['APPEND', 'ap', 'b']], [ALL_BYTES, '', 'ap']);
    await encoding([['SET', 'k', '123']], 'k', 'int');
  });

  it('lists (quicklist): order matters, integers and strings, small and large, binary elements', async () => {
    const a = await digestOf([['RPUSH', 'l', 'a', 'b', 'c']], ['l']);
    const b = await digestOf([['RPUSH', 'l', 'c', 'b', 'a']], ['l']);
    expect(a).not.toBe(b);
    await digestOf([['RPUSH', 'l', '1', '-2', '9223372036854775807', 'x', '', '007', ALL_BYTES]], ['l']);
    await digestOf([['RPUSH', 'big', ...range(2000, (i) => (i % 3 === 0 ? String(i) : `e${i}`))], ['LPUSH', 'big', 'x'.repeat(10_000)]], ['big']);
    await digestOf([['RPUSH', 'l', 'a', 'b', 'c', 'd'], ['LSET', 'l', '1', 'B'], ['LREM', 'l', '0', 'c'], ['LINSERT', 'l', 'BEFORE', 'd', 'n'], ['LPOP', 'l']], ['l']);
    await encoding([['RPUSH', 'l', 'a']], 'l', 'quicklist');
  });

  it('sets: intset and hashtable (by member and by count), order does not matter', async () => {
    const a = await digestOf([['SADD', 's', '3', '1', '2']], ['s']);
    const b = await digestOf([['SADD', 's', '1', '2', '3']], ['s']);
    expect(a).toBe(b);
    await encoding([['SADD', 's', '3', '1', '2', '-9223372036854775808', '9223372036854775807']], 's', 'intset');
    await digestOf([['SADD', 's', '3', '1', '2', '-9223372036854775808', '9223372036854775807']], ['s']);
    await encoding([['SADD', 's', '1', 'a']], 's', 'hashtable');
    await digestOf([['SADD', 's', '1', 'a', '', '-0', '007', ALL_BYTES]], ['s']);
    const many = range(600, (i) => String(i * 7));
    await encoding([['SADD', 's', ...many]], 's', 'hashtable');
    await digestOf([['SADD', 's', ...many], ['SREM', 's', '0', '7']], ['s']);
  });

  it('hashes: listpack and hashtable (by count and by value length), order does not matter', async () => {
    const a = await digestOf([['HSET', 'h', 'f1', 'v1', 'f2', 'v2']], ['h']);
    const b = await digestOf([['HSET', 'h', 'f2', 'v2', 'f1', 'v1']], ['h']);
    expect(a).toBe(b);
    // field and value are not interchangeable
    expect(await digestOf([['HSET', 'h', 'v1', 'f1', 'v2', 'f2']], ['h'])).not.toBe(a);
    await encoding([['HSET', 'h', 'f', '1']], 'h', 'listpack');
    await digestOf([['HSET', 'h', 'f', '1', '', '', 'n', '-5', ALL_BYTES, ALL_BYTES]], ['h']);
    await encoding([['HSET', 'h', 'f', 'x'.repeat(65)]], 'h', 'hashtable');
    await digestOf([['HSET', 'h', 'f', 'x'.repeat(65), 'g', '2']], ['h']);
    const pairs = range(1200, (i) => (i % 2 === 0 ? `field:${i}` : String(i)));
    await encoding([['HSET', 'h', ...pairs]], 'h', 'hashtable');
    await digestOf([['HSET', 'h', ...pairs], ['HDEL', 'h', 'field:0'], ['HINCRBY', 'h', 'field:2', '5']], ['h']);
  });

  it('sorted sets: listpack and skiplist, scores printed as %.17g (-0, inf, tiny, huge, fractions)', async () => {
    const scores = ['0', '-0', '1', '-1', '1.5', '0.1', '1e-5', '1e20', '1e300', '123456789012345678', 'inf', '-inf',
      '+inf', '3.0', '0x10', '2.5e-310', '-123.456'];
    const entries = scores.flatMap((s, i) => [s, `m${i}`]);
    await encoding([['ZADD', 'z', ...entries]], 'z', 'listpack');
    await digestOf([['ZADD', 'z', ...entries]], ['z']);
    // the same scores in a skiplist (-0 stays -0 there; a listpack stores it as 0)
    await encoding([['ZADD', 'z', ...entries, '1', 'x'.repeat(65)]], 'z', 'skiplist');
    await digestOf([['ZADD', 'z', ...entries, '1', 'x'.repeat(65)]], ['z']);
    await digestOf([
      ['ZADD', 'z', '-0', 'a'], ['ZADD', 'w', '-0', 'a', '1', 'x'.repeat(65)], ['ZREM', 'w', 'x'.repeat(65)],
      ['ZADD', 'v', '1', 'x'.repeat(65)], ['ZADD', 'v', '-0', 'a'], ['ZINCRBY', 'v', '-0', 'b'],
    ], ['z', 'w', 'v']);
    const many = range(300, (i) => [String((i * 37) % 101 / 7), `member:${i}`]).flat();
    await encoding([['ZADD', 'z', ...many]], 'z', 'skiplist');
    await digestOf([['ZADD', 'z', ...many], ['ZINCRBY', 'z', '0.1', 'member:3'], ['ZREM', 'z', 'member:4']], ['z']);
    await digestOf([['ZADD', 'z', '1', ALL_BYTES, '2', '']], ['z']);
    // score matters, member order in the call does not
    const a = await digestOf([['ZADD', 'z', '1', 'a', '2', 'b']], ['z']);
    expect(await digestOf([['ZADD', 'z', '2', 'b', '1', 'a']], ['z'])).toBe(a);
    expect(await digestOf([['ZADD', 'z', '1', 'a', '3', 'b']], ['z'])).not.toBe(a);
  });

  it('TTLs: a key with an expiry digests differently, whatever its time; PERSIST removes the flag', async () => {
    const plain = await digestOf([['SET', 'k', 'v']], ['k']);
    const ex = await digestOf([['SET', 'k', 'v', 'EX', '100']], ['k']);
    expect(await digestOf([['SET', 'k', 'v', 'PX', '999999']], ['k'])).toBe(ex);
    expect(ex).not.toBe(plain);
    expect(await digestOf([['SET', 'k', 'v', 'EX', '100'], ['PERSIST', 'k']], ['k'])).toBe(plain);
    await digestOf([
      ['RPUSH', 'l', 'a'], ['EXPIRE', 'l', '100'], ['SADD', 's', '1'], ['PEXPIRE', 's', '100000'],
      ['HSET', 'h', 'f', 'v'], ['EXPIREAT', 'h', '4000000000'], ['ZADD', 'z', '1', 'm'], ['PEXPIREAT', 'z', '4000000000000'],
    ], ['l', 's', 'h', 'z']);
  });

  it('keys whose TTL passed but that are not reclaimed yet still count (DIGEST-VALUE does not expire them)', async () => {
    const out = await both([
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      ['SET', 'k', 'v', 'PX', '1'], ['SET', 'other', 'x'], ['DEBUG', 'SLEEP', '0.02'],
      ['DEBUG', 'DIGEST'], ['DEBUG', 'DIGEST-VALUE', 'k'], ['DBSIZE'],
      ['GET', 'k'], ['DEBUG', 'DIGEST-VALUE', 'k'], ['DEBUG', 'DIGEST'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    ]);
    expect(out[5]).not.toBe(`*1\r\n+${ZERO}\r\n`);
    expect(out[8]).toBe(`*1\r\n+${ZERO}\r\n`);
    expect(out[9]).not.toBe(out[4]);
  });

  it('several databases: the index counts, empty databases are skipped, SWAPDB and MOVE', async () => {
    const in0 = await digestOf([['SET', 'k', 'v']]);
    const in1 = await digestOf([['SELECT', '1'], ['SET', 'k', 'v']]);
    expect(in1).not.toBe(in0);
    await digestOf([
      ['SET', 'a', '1'], ['SELECT', '1'], ['RPUSH', 'l', 'x'], ['SELECT', '9'], ['HSET', 'h', 'f', 'v'],
      ['SELECT', '15'], ['ZADD', 'z', '1', 'm'], ['SADD', 's', 'q'], ['SELECT', '0'],
    ]);
    await digestOf([['SET', 'a', '1'], ['SELECT', '2'], ['SET', 'b', '2'], ['SWAPDB', '0', '2'], ['MOVE', 'b', '5']]);
  });

  it('a dataset of 14,006 keys of every type and encoding over 4 databases', async () => {
    const out = await diff.compare([...bigDataset(), ['DBSIZE'], ['DEBUG', 'DIGEST']], { protocol: 2 });
    expect(out.at(-2)).toBe(':3506\r\n');
  });

  it('random scripts over every type and 3 databases give the same digest after every step', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const rnd = prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      const key = (): string => pick(['a', 'b', 'c', 'd', 'e', '\xff\x00']);
      const elem = (): string => pick(['1', '2', '-3', '100', 'x', 'y', '', 'long'.repeat(20), '\x80\x81', '9223372036854775807']);
      const score = (): string => pick(['0', '-0', '1', '2.5', '-inf', 'inf', '0.1', '1e30']);
      const script: Script = [];
      for (let step = 0; step < 60; step++) {
        const r = rnd();
        const k = key();
        if (r < 0.08) script.push(['SELECT', pick(['0', '1', '7'])]);
        else if (r < 0.18) script.push(['SET', k, elem()]);
        else if (r < 0.26) script.push([pick(['RPUSH', 'LPUSH']), `l${k}`, elem(), elem()]);
        else if (r < 0.3) script.push(['LPOP', `l${k}`]);
        else if (r < 0.4) script.push(['SADD', `s${k}`, elem(), elem()]);
        else if (r < 0.44) script.push(['SREM', `s${k}`, elem()]);
        else if (r < 0.54) script.push(['HSET', `h${k}`, elem(), elem()]);
        else if (r < 0.58) script.push(['HDEL', `h${k}`, elem()]);
        else if (r < 0.7) script.push(['ZADD', `z${k}`, score(), elem()]);
        else if (r < 0.74) script.push(['ZREM', `z${k}`, elem()]);
        else if (r < 0.82) script.push(['EXPIRE', pick([k, `l${k}`, `s${k}`, `h${k}`, `z${k}`]), '1000']);
        else if (r < 0.86) script.push(['PERSIST', pick([k, `l${k}`, `s${k}`, `h${k}`, `z${k}`])]);
        else if (r < 0.9) script.push(['DEL', pick([k, `l${k}`, `s${k}`, `h${k}`, `z${k}`])]);
        else if (r < 0.93) script.push(['COPY', pick([k, `l${k}`, `z${k}`]), `copy${k}`, 'DB', pick(['0', '1']), 'REPLACE']);
        else script.push(['DEBUG', 'DIGEST-VALUE', k, `l${k}`, `s${k}`, `h${k}`, `z${k}`]);
        script.push(['DEBUG', 'DIGEST']);
      }
      await diff.compare(script, { protocol: seed % 2 === 0 ? 3 : 2 });
    }
  });

  it("DEBUG HELP: the lines of each subcommand Kioku has are redis-server's", async () => {
    const help = async (port: number): Promise<string[]> => {
      const c = await RawConnection.connect(port);
      try {
        return (await c.call('DEBUG', 'HELP')).split('\r\n').filter((l) => l.startsWith('+')).map((l) => l.slice(1));
      } finally {
        c.close();
      }
    };
    const kioku = await help(diff.kioku.port);
    const redis = await help(diff.oracle!.port);
    // split into entries: a line that does not start with spaces opens one
    const entries = (lines: string[]): string[] => {
      const out: string[] = [];
      for (const l of lines) {
        if (l.startsWith(' ') && out.length > 0) out[out.length - 1] += '\n' + l;
        else out.push(l);
      }
      return out;
    };
    const redisEntries = entries(redis);
    const kiokuEntries = entries(kioku);
    expect(kiokuEntries.filter((e) => !redisEntries.includes(e))).toEqual([]);
    // in Redis's order
    const positions = kiokuEntries.map((e) => redisEntries.indexOf(e));
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    expect(kiokuEntries).toContain('DIGEST\n    Output a hex signature representing the current DB content.');
    expect(kiokuEntries).toContain('DIGEST-VALUE <key> [<key> ...]\n    Output a hex signature of the values of all the specified keys.');
  });
});

describe.runIf(available)('DEBUG DIGEST across servers: a dump.rdb written by one server, loaded by the other', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-digest-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('redis-server SAVEs, Kioku starts on its dump.rdb: same DEBUG DIGEST', async () => {
    const dir = tempDir();
    const redis = await startRedisOracle(['--dir', dir]);
    let digest: string;
    try {
      const out = await run(redis.port, [...bigDataset(), ['DEBUG', 'DIGEST'], ['SAVE']]);
      digest = out.at(-2)!;
      expect(out.at(-1)).toBe('+OK\r\n');
    } finally {
      await redis.stop();
    }
    const kioku = await startTestServer({ dir, dbfilename: 'dump.rdb' });
    try {
      expect(await run(kioku.port, [['DEBUG', 'DIGEST']])).toEqual([digest]);
    } finally {
      await kioku.stop();
    }
  });

  it('Kioku SAVEs, redis-server starts on its dump.rdb: same DEBUG DIGEST', async () => {
    const dir = tempDir();
    const kioku = await startTestServer({ dir });
    let digest: string;
    try {
      const out = await run(kioku.port, [...bigDataset(), ['DEBUG', 'DIGEST'], ['SAVE']]);
      digest = out.at(-2)!;
      expect(out.at(-1)).toBe('+OK\r\n');
    } finally {
      await kioku.stop();
    }
    const redis = await startRedisOracle(['--dir', dir]);
    try {
      expect(await run(redis.port, [['DEBUG', 'DIGEST']])).toEqual([digest]);
    } finally {
      await redis.stop();
    }
  });
});
