/**
 * The exact replication stream, Kioku against redis-server 7.0: a raw-socket replica does
 * `PSYNC ? -1` on both, reads the RDB, then the same commands run on both servers and the stream
 * bytes that follow must be equal once absolute times (PXAT / PEXPIREAT milliseconds) are
 * masked. Covers commands whose propagated form differs from their text (SET EX, EXPIRE, SPOP,
 * INCRBYFLOAT, blocking pops served later, lazy expiry → DEL), SELECT on database changes and
 * MULTI/EXEC wrapping. Skips (saying so) when redis-server is not installed.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveRedisServer, NO_REDIS, startRedisOracle, type RedisOracle } from '../helpers/redis-oracle.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { FakeReplica } from '../helpers/fake-replica.js';
import { sleep } from '../helpers/replication.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

/** Both servers' settings: no pings during the test, immediate diskless sync, lazy expiry only. */
const SETTINGS = { 'repl-diskless-sync-delay': '0', 'repl-ping-replica-period': '3600' };

interface Side {
  port: number;
  c: Redis;
  /** A second client, for blocking commands. */
  other: Redis;
  replica: FakeReplica;
}

/** A step: commands on the main client, or something that involves the second one / time. */
type Step = (s: Side) => Promise<unknown>;
const run = (...argv: string[]): Step => (s) => s.c.call(argv[0]!, ...argv.slice(1)).catch((e: Error) => e.message);

let kioku: TestServer;
let oracle: RedisOracle;
const sides: Side[] = [];
let marker = 0;

async function side(port: number): Promise<Side> {
  const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  const other = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
  const replica = await FakeReplica.connect(port);
  await replica.psync();
  // Redis starts the stream with the first ACK after it marked the transfer complete.
  for (let i = 0; i < 100 && !String(await c.info('replication')).includes('state=online'); i++) await sleep(10);
  replica.send('REPLCONF', 'ACK', '0');
  return { port, c, other, replica };
}

beforeAll(async () => {
  if (!available) return;
  kioku = await startTestServer(SETTINGS);
  oracle = await startRedisOracle(Object.entries(SETTINGS).flatMap(([k, v]) => [`--${k}`, v]));
  sides.push(await side(kioku.port), await side(oracle.port));
});

afterAll(async () => {
  for (const s of sides) {
    s.replica.close();
    s.c.disconnect();
    s.other.disconnect();
  }
  await kioku?.stop();
  await oracle?.stop();
});

/** Runs the steps on one side, then a marker write, and returns the stream up to the marker (times masked). */
async function streamOf(s: Side, steps: Step[], id: number): Promise<string> {
  for (const step of steps) await step(s);
  await s.c.call('SELECT', '0');
  await s.c.call('SET', `marker:${id}`, 'm');
  const bytes = await s.replica.takeThrough(`marker:${id}\r\n$1\r\nm\r\n`);
  return bytes.replace(/\$13\r\n\d{13}\r\n/g, '$13\r\n<ms>\r\n');
}

/** The stream both servers send for `steps` (asserted equal), for further checks. */
async function same(steps: Step[]): Promise<string> {
  const id = ++marker;
  const [k, r] = [await streamOf(sides[0]!, steps, id), await streamOf(sides[1]!, steps, id)];
  expect(k).toBe(r);
  return k;
}

const resp = (...argv: string[]): string => `*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

describe.skipIf(!available)('replication stream, Kioku vs redis-server 7.0', () => {
  it('starts with SELECT and sends SELECT only when the database changes', async () => {
    const s = await same([run('SET', 'a', '1'), run('SELECT', '3'), run('SET', 'b', '2'), run('INCR', 'n'), run('SELECT', '0'), run('DEL', 'a')]);
    expect(s.startsWith(resp('SELECT', '0'))).toBe(true);
    expect(s.split('SELECT').length - 1).toBe(3);
  });

  it('SET EX / SETEX / PSETEX / GETEX become absolute times; EXPIRE becomes PEXPIREAT', async () => {
    const s = await same([
      run('SET', 'k', 'v', 'EX', '100'),
      run('SETEX', 'k2', '100', 'v'),
      run('PSETEX', 'k3', '100000', 'v'),
      run('GETEX', 'k3', 'EX', '50'),
      run('GETEX', 'k3', 'PERSIST'),
      run('EXPIRE', 'k', '200'),
      run('PEXPIRE', 'k', '200000'),
      run('EXPIREAT', 'k', '4000000000'),
      run('SET', 'k', 'v2', 'KEEPTTL'),
      run('EXPIRE', 'missing', '10'),
      run('PERSIST', 'k'),
    ]);
    expect(s).toContain(resp('SET', 'k', 'v', 'PXAT', '<ms>').replace('$4\r\n<ms>', '$13\r\n<ms>'));
    expect(s).toContain('PEXPIREAT');
  });

  it('SPOP becomes SREM (or DEL when it empties the set); INCRBYFLOAT becomes SET KEEPTTL', async () => {
    const s = await same([
      run('SADD', 'one', 'm'),
      run('SPOP', 'one'),
      run('SADD', 'few', 'a', 'b', 'c'),
      run('SPOP', 'few', '10'),
      run('SET', 'f', '10.5'),
      run('INCRBYFLOAT', 'f', '1.5'),
      run('HSET', 'h', 'x', '1'),
      run('HINCRBYFLOAT', 'h', 'x', '0.25'),
    ]);
    expect(s).toContain(resp('SREM', 'one', 'm'));
    expect(s).toContain(resp('SET', 'f', '12', 'KEEPTTL'));
  });

  it('a blocking pop served later propagates the push and the pop', async () => {
    const blocked: Step = async (s) => {
      const pending = s.other.call('BLPOP', 'q', '0');
      await sleep(50);
      await s.c.call('RPUSH', 'q', 'a', 'b');
      await pending;
      const pending2 = s.other.call('BLMOVE', 'q2', 'dst', 'LEFT', 'RIGHT', '0');
      await sleep(50);
      await s.c.call('LPUSH', 'q2', 'x');
      await pending2;
      const pending3 = s.other.call('BRPOPLPUSH', 'q3', 'dst', '0');
      await sleep(50);
      await s.c.call('LPUSH', 'q3', 'y');
      await pending3;
      const z = s.other.call('BZPOPMIN', 'z', '0');
      await sleep(50);
      await s.c.call('ZADD', 'z', '1', 'm');
      await z;
    };
    const s = await same([blocked, run('BLPOP', 'q', '1'), run('LMPOP', '1', 'q', 'LEFT')]);
    expect(s).toContain(resp('LPOP', 'q'));
    expect(s).toContain(resp('LMOVE', 'q2', 'dst', 'left', 'right'));
  });

  it('lazy expiry propagates DEL; MULTI/EXEC is wrapped', async () => {
    const expiry: Step = async (s) => {
      await s.c.call('SET', 'e', 'v', 'PX', '30');
      await sleep(80);
      await s.c.call('GET', 'e');
    };
    const tx: Step = async (s) => {
      await s.c.multi().set('t1', '1').incr('t2').get('t1').exec();
      // A transaction of reads only propagates nothing.
      await s.c.multi().get('t1').exec();
    };
    const s = await same([expiry, tx, run('GETDEL', 't1'), run('DEL', 'nothing')]);
    expect(s).toContain(resp('DEL', 'e'));
    expect(s).toContain(resp('MULTI'));
    expect(s).toContain(resp('EXEC'));
  });

  it('PUBLISH and SPUBLISH go to the replicas (their subscribers get the messages), in the db of the stream', async () => {
    const s = await same([run('SELECT', '2'), run('PUBLISH', 'news', 'hello'), run('SPUBLISH', 'shard', 'hi'), run('SELECT', '0')]);
    expect(s).toContain(resp('PUBLISH', 'news', 'hello'));
  });
});
