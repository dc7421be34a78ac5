/**
 * DEBUG DIGEST and DEBUG DIGEST-VALUE without an oracle: the replies' shape (status lines, 40 hex
 * digits, an array for DIGEST-VALUE), and the digests checked against a reference written here
 * with node:crypto's SHA-1 from the scheme's description (src/persistence/digest.ts), which
 * exercises the module's own SHA-1 at every length around the block boundaries. The comparison
 * with redis-server's digests is test/compat/digest.diff.test.ts.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { formatDouble } from '../../src/keyspace/bytes.js';

// ---- Reference digest: d ^= SHA1(x) for xor, d = SHA1(d ^ SHA1(x)) for mix ----

const sha1 = (b: Buffer): Buffer => createHash('sha1').update(b).digest();
const bytes = (s: string | Buffer): Buffer => (typeof s === 'string' ? Buffer.from(s, 'latin1') : s);
function xor(d: Buffer, x: string | Buffer): void {
  const h = sha1(bytes(x));
  for (let i = 0; i < 20; i++) d[i]! ^= h[i]!;
}
function mix(d: Buffer, x: string | Buffer): void {
  xor(d, x);
  sha1(d).copy(d);
}
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
type Ref =
  | { type: 'string'; value: string }
  | { type: 'list'; items: string[] }
  | { type: 'set'; members: string[] }
  | { type: 'hash'; pairs: [string, string][] }
  | { type: 'zset'; entries: [string, number][] };
const TYPE_CODE = { string: 0, list: 1, set: 2, zset: 3, hash: 4 };

function refValue(d: Buffer, v: Ref, ttl: boolean): void {
  mix(d, u32(TYPE_CODE[v.type]));
  if (v.type === 'string') mix(d, v.value);
  else if (v.type === 'list') for (const x of v.items) mix(d, x);
  else if (v.type === 'set') for (const x of v.members) xor(d, x);
  else {
    const pairs = v.type === 'hash' ? v.pairs : v.entries.map(([m, s]) => [m, formatDouble(s)] as const);
    for (const [a, b] of pairs) {
      const e = Buffer.alloc(20);
      mix(e, a);
      mix(e, b);
      xor(d, e);
    }
  }
  if (ttl) xor(d, '!!expire!!');
}
function refValueDigest(v: Ref, ttl = false): string {
  const d = Buffer.alloc(20);
  refValue(d, v, ttl);
  return d.toString('hex');
}
function refDataset(dbs: Map<number, [string, Ref, boolean][]>): string {
  const final = Buffer.alloc(20);
  for (const db of [...dbs.keys()].sort((a, b) => a - b)) {
    mix(final, u32(db));
    for (const [key, v, ttl] of dbs.get(db)!) {
      const k = Buffer.alloc(20);
      mix(k, key);
      refValue(k, v, ttl);
      xor(final, k);
    }
  }
  return final.toString('hex');
}

describe('DEBUG DIGEST / DEBUG DIGEST-VALUE', () => {
  let ts: TestServer;
  let c: RawConnection;
  beforeAll(async () => {
    ts = await startTestServer();
    c = await RawConnection.connect(ts.port);
  });
  afterAll(async () => {
    c?.close();
    await ts?.stop();
  });
  const reset = async (): Promise<void> => {
    await c.call('SELECT', '0');
    await c.call('FLUSHALL');
  };
  const digest = async (): Promise<string> => {
    const r = await c.call('DEBUG', 'DIGEST');
    expect(r).toMatch(/^\+[0-9a-f]{40}\r\n$/);
    return r.slice(1, 41);
  };

  it('DEBUG DIGEST is 40 zeros for an empty dataset; DEBUG DIGEST-VALUE answers one status per key', async () => {
    await reset();
    expect(await c.call('DEBUG', 'DIGEST')).toBe(`+${'0'.repeat(40)}\r\n`);
    expect(await c.call('DEBUG', 'DIGEST-VALUE')).toBe('*0\r\n');
    await c.call('SET', 'k', 'v');
    expect(await c.call('DEBUG', 'DIGEST-VALUE', 'k', 'missing')).toBe(
      `*2\r\n+${refValueDigest({ type: 'string', value: 'v' })}\r\n+${'0'.repeat(40)}\r\n`,
    );
    expect(await c.call('DEBUG', 'DIGEST', 'extra')).toBe(
      "-ERR unknown subcommand or wrong number of arguments for 'DIGEST'. Try DEBUG HELP.\r\n",
    );
    const r = await ts.client();
    expect(await r.call('DEBUG', 'DIGEST-VALUE', 'k')).toEqual([refValueDigest({ type: 'string', value: 'v' })]);
    expect(await r.call('DEBUG', 'DIGEST')).toBe(refDataset(new Map([[0, [['k', { type: 'string', value: 'v' }, false]]]])));
  });

  it('DEBUG DIGEST-VALUE of strings of every length from 0 to 200 and around 512 matches the reference SHA-1', async () => {
    await reset();
    const lengths = [...Array.from({ length: 201 }, (_, i) => i), 500, 511, 512, 513, 4096, 100_000];
    for (const n of lengths) {
      const value = Array.from({ length: n }, (_, i) => String.fromCharCode((i * 31 + n) & 0xff)).join('');
      await c.call('SET', 'k', value);
      expect(await c.call('DEBUG', 'DIGEST-VALUE', 'k'), `length ${n}`).toBe(`*1\r\n+${refValueDigest({ type: 'string', value })}\r\n`);
    }
  });

  it('DEBUG DIGEST of every type in both encodings, with TTLs, over several databases, matches the reference', async () => {
    await reset();
    const long = 'L'.repeat(100);
    const dbs = new Map<number, [string, Ref, boolean][]>();
    const add = (db: number, key: string, v: Ref, ttl = false): void => {
      if (!dbs.has(db)) dbs.set(db, []);
      dbs.get(db)!.push([key, v, ttl]);
    };
    await c.call('SET', 'str', '12345');
    add(0, 'str', { type: 'string', value: '12345' });
    await c.call('SET', '\x00\xff', '\x80', 'EX', '100');
    add(0, '\x00\xff', { type: 'string', value: '\x80' }, true);
    await c.call('RPUSH', 'list', 'a', '1', '', long);
    add(0, 'list', { type: 'list', items: ['a', '1', '', long] });
    await c.call('SELECT', '2');
    await c.call('SADD', 'intset', '5', '-1', '3');
    add(2, 'intset', { type: 'set', members: ['5', '-1', '3'] });
    await c.call('SADD', 'ht', 'x', '1', long);
    add(2, 'ht', { type: 'set', members: ['x', '1', long] });
    await c.call('HSET', 'lp', 'f', 'v', 'g', '7');
    add(2, 'lp', { type: 'hash', pairs: [['f', 'v'], ['g', '7']] });
    await c.call('PEXPIRE', 'lp', '100000');
    dbs.get(2)!.at(-1)![2] = true;
    await c.call('SELECT', '15');
    await c.call('HSET', 'hht', 'f', long);
    add(15, 'hht', { type: 'hash', pairs: [['f', long]] });
    await c.call('ZADD', 'zlp', '1.5', 'a', '-0', 'b', 'inf', 'c', '0.1', 'd');
    add(15, 'zlp', { type: 'zset', entries: [['a', 1.5], ['b', 0], ['c', Infinity], ['d', 0.1]] });
    await c.call('ZADD', 'zsl', '1e-7', long);
    await c.call('ZADD', 'zsl', '-0', 'a'); // a skiplist keeps -0 (a listpack stores 0)
    add(15, 'zsl', { type: 'zset', entries: [['a', -0], [long, 1e-7]] });
    expect(await c.call('OBJECT', 'ENCODING', 'zsl')).toBe('$8\r\nskiplist\r\n');
    expect(await c.call('OBJECT', 'ENCODING', 'hht')).toBe('$9\r\nhashtable\r\n');
    for (const [db, keys] of dbs) {
      await c.call('SELECT', String(db));
      for (const [key, v, ttl] of keys) {
        expect(await c.call('DEBUG', 'DIGEST-VALUE', key), key).toBe(`*1\r\n+${refValueDigest(v, ttl)}\r\n`);
      }
    }
    expect(await digest()).toBe(refDataset(dbs));
    expect(await c.call('DEBUG', 'DIGEST-VALUE', 'zlp', 'zsl')).toBe(
      `*2\r\n+${refValueDigest(dbs.get(15)![1]![1])}\r\n+${refValueDigest(dbs.get(15)![2]![1])}\r\n`,
    );
  });

  it('DEBUG DIGEST changes with any write and comes back when the write is undone', async () => {
    await reset();
    await c.call('HSET', 'h', 'f', 'v');
    await c.call('ZADD', 'z', '1', 'm');
    const before = await digest();
    const steps: [string[][], string[][]][] = [
      [[['HSET', 'h', 'f', 'w']], [['HSET', 'h', 'f', 'v']]],
      [[['ZADD', 'z', '2', 'm']], [['ZADD', 'z', '1', 'm']]],
      [[['EXPIRE', 'h', '100']], [['PERSIST', 'h']]],
      [[['SET', 'new', 'x']], [['DEL', 'new']]],
      [[['MOVE', 'h', '1']], [['SELECT', '1'], ['MOVE', 'h', '0'], ['SELECT', '0']]],
      [[['SWAPDB', '0', '3']], [['SWAPDB', '3', '0']]],
    ];
    for (const [write, undo] of steps) {
      for (const cmd of write) await c.call(...cmd);
      expect(await digest(), write[0]!.join(' ')).not.toBe(before);
      for (const cmd of undo) await c.call(...cmd);
      expect(await digest(), undo[0]!.join(' ')).toBe(before);
    }
  });

  it('DEBUG DIGEST of 200,000 keys answers within 3 s (about 0.4 s unloaded)', async () => {
    await reset();
    for (let b = 0; b < 200; b++) {
      const args: string[] = [];
      for (let i = 0; i < 1000; i++) args.push(`key:${b}:${i}`, `value:${i}`);
      await c.call('MSET', ...args);
    }
    const t0 = performance.now();
    await digest();
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
