/**
 * The blocking sorted-set commands — BZPOPMIN BZPOPMAX BZMPOP — over TCP: waking by writes from
 * another client (ZADD, ZINCRBY, ZUNIONSTORE), first-come first-served order among waiters,
 * several keys, timeouts and their RESP2 / RESP3 replies, keys of the wrong type, and what is
 * propagated when a blocked command is finally served. The mechanism itself (src/blocking.ts) is
 * tested in blocking.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { blockedCount, replyWithin } from '../helpers/blocking.js';

let ts: TestServer;
let r: Redis;
const raws: RawConnection[] = [];
let propagated: string[][] = [];

async function raw(protocol: 2 | 3 = 2): Promise<RawConnection> {
  const c = await RawConnection.connect(ts.port);
  raws.push(c);
  if (protocol === 3) await c.call('HELLO', '3');
  return c;
}

beforeAll(async () => {
  ts = await startTestServer();
  ts.server.propagator.subscribe((_db, argv) => propagated.push([...argv]));
  r = await ts.client({ enableReadyCheck: false });
});
afterAll(async () => {
  for (const c of raws) c.close();
  await ts.stop();
});
beforeEach(async () => {
  await r.flushall();
  propagated = [];
});

describe('BZPOPMIN BZPOPMAX', () => {
  it('BZPOPMIN waits for a ZADD from another client and replies [key, member, score]', async () => {
    const c = await raw();
    c.send('BZPOPMIN', 'z', '0');
    await blockedCount(ts.server, 1);
    expect(await replyWithin(c, 50)).toBeUndefined();
    await r.zadd('z', 2, 'b', 1, 'a');
    expect(await c.readReply()).toBe('*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n');
    await blockedCount(ts.server, 0);
    expect(await r.zrange('z', '0', '-1')).toEqual(['b']);
  });

  it('BZPOPMAX in RESP3 replies the score as a double', async () => {
    const c = await raw(3);
    c.send('BZPOPMAX', 'z', '0');
    await blockedCount(ts.server, 1);
    await r.zadd('z', 2.5, 'b', 1, 'a');
    expect(await c.readReply()).toBe('*3\r\n$1\r\nz\r\n$1\r\nb\r\n,2.5\r\n');
  });

  it('BZPOPMIN waiters are served first come, first served, one member each', async () => {
    const waiters = [await raw(), await raw(), await raw()];
    for (const [i, c] of waiters.entries()) {
      c.send('BZPOPMIN', 'z', '0');
      await blockedCount(ts.server, i + 1);
    }
    await r.zadd('z', 1, 'x', 2, 'y');
    expect(await waiters[0]!.readReply()).toBe('*3\r\n$1\r\nz\r\n$1\r\nx\r\n$1\r\n1\r\n');
    expect(await waiters[1]!.readReply()).toBe('*3\r\n$1\r\nz\r\n$1\r\ny\r\n$1\r\n2\r\n');
    expect(await replyWithin(waiters[2]!, 50)).toBeUndefined();
    await r.zincrby('z', 7, 'w');
    expect(await waiters[2]!.readReply()).toBe('*3\r\n$1\r\nz\r\n$1\r\nw\r\n$1\r\n7\r\n');
    await blockedCount(ts.server, 0);
    expect(await r.exists('z')).toBe(0);
  });

  it('BZPOPMAX on several keys is woken by any of them; ZUNIONSTORE creating a key wakes too', async () => {
    const c = await raw();
    c.send('BZPOPMAX', 'k1', 'k2', 'k3', '0');
    await blockedCount(ts.server, 1);
    await r.zadd('k3', 1, 'a', 5, 'e');
    expect(await c.readReply()).toBe('*3\r\n$2\r\nk3\r\n$1\r\ne\r\n$1\r\n5\r\n');
    c.send('BZPOPMAX', 'k1', 'k2', '0');
    await blockedCount(ts.server, 1);
    await r.zunionstore('k2', 1, 'k3');
    expect(await c.readReply()).toBe('*3\r\n$2\r\nk2\r\n$1\r\na\r\n$1\r\n1\r\n');
  });

  it('BZPOPMIN timeouts: a null array in RESP2, null in RESP3, after about the time asked', async () => {
    const c2 = await raw();
    const c3 = await raw(3);
    const started = Date.now();
    c2.send('BZPOPMIN', 'z', '0.1');
    c3.send('BZPOPMAX', 'z', 'y', '0.05');
    expect(await c3.readReply(2000)).toBe('_\r\n');
    expect(await c2.readReply(2000)).toBe('*-1\r\n');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    await blockedCount(ts.server, 0);
    expect(await c2.call('BZPOPMIN', 'z', 'abc')).toBe('-ERR timeout is not a float or out of range\r\n');
    expect(await c2.call('BZPOPMIN', 'z', '-1')).toBe('-ERR timeout is negative\r\n');
  });

  it('BZPOPMIN is not woken by its key becoming a string, and is by a later sorted set', async () => {
    const c = await raw();
    c.send('BZPOPMIN', 'z', '0');
    await blockedCount(ts.server, 1);
    await r.set('z', 'string');
    await r.rpush('other', 'x');
    expect(await replyWithin(c, 50)).toBeUndefined();
    await r.del('z');
    await r.zadd('z', 3, 'm');
    expect(await c.readReply()).toBe('*3\r\n$1\r\nz\r\n$1\r\nm\r\n$1\r\n3\r\n');
    // A key of the wrong type is an error at once, when no earlier key can serve.
    await r.set('s', 'x');
    expect(await c.call('BZPOPMIN', 'missing', 's', '0')).toBe(
      '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
  });

  it('a served BZPOPMIN / BZPOPMAX is propagated as ZPOPMIN / ZPOPMAX key', async () => {
    const c = await raw();
    c.send('BZPOPMAX', 'z', '0');
    await blockedCount(ts.server, 1);
    await r.zadd('z', 1, 'a', 2, 'b');
    await c.readReply();
    await c.call('BZPOPMIN', 'z', '0');
    expect(propagated).toEqual([['zadd', 'z', '1', 'a', '2', 'b'], ['ZPOPMAX', 'z'], ['ZPOPMIN', 'z']]);
  });
});

describe('BZMPOP', () => {
  it('BZMPOP waits, then pops up to COUNT from the first non-empty key; propagated as ZPOPMIN key <popped>', async () => {
    const c = await raw();
    c.send('BZMPOP', '0', '2', 'a', 'b', 'MIN', 'COUNT', '10');
    await blockedCount(ts.server, 1);
    await r.zadd('b', 1, 'x', 2, 'y', 3, 'z');
    expect(await c.readReply()).toBe(
      '*2\r\n$1\r\nb\r\n*3\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n*2\r\n$1\r\ny\r\n$1\r\n2\r\n*2\r\n$1\r\nz\r\n$1\r\n3\r\n');
    expect(await r.exists('b')).toBe(0);
    expect(propagated.slice(1)).toEqual([['ZPOPMIN', 'b', '3']]);
  });

  it('BZMPOP MAX in RESP3 (pairs with doubles), FIFO among waiters, and its timeout reply', async () => {
    const first = await raw(3);
    const second = await raw(3);
    first.send('BZMPOP', '0', '1', 'z', 'MAX');
    await blockedCount(ts.server, 1);
    second.send('BZMPOP', '0', '1', 'z', 'MAX', 'COUNT', '2');
    await blockedCount(ts.server, 2);
    await r.zadd('z', 1, 'a', 2, 'b', 3, 'c');
    expect(await first.readReply()).toBe('*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n,3\r\n');
    expect(await second.readReply()).toBe('*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1\r\n');
    expect(await first.call('BZMPOP', '0.02', '1', 'z', 'MIN')).toBe('_\r\n');
    const c2 = await raw();
    expect(await c2.call('BZMPOP', '0.02', '1', 'z', 'MIN')).toBe('*-1\r\n');
    expect(await c2.call('BZMPOP', '0', '0', 'z', 'MIN')).toBe('-ERR numkeys should be greater than 0\r\n');
    expect(await c2.call('BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '0')).toBe('-ERR count should be greater than 0\r\n');
    await blockedCount(ts.server, 0);
  });
});
