/**
 * The blocking list commands over TCP: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP — served at once or
 * after a wait, several waiters first come first served, timeouts in RESP2 (*-1) and RESP3 (_),
 * float timeouts, clients blocked on several keys, a BLMOVE chain that wakes the next waiter,
 * wrong types, disconnects, and what each propagates (always the non-blocking form).
 * The mechanism itself (blocking.ts) is tested in blocking.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { blockedCount, replyWithin } from '../helpers/blocking.js';

let ts: TestServer;
let r: Redis;
const raws: RawConnection[] = [];
/** Everything propagated since the last reset, as "argv joined by spaces". */
let propagated: string[] = [];

async function raw(protocol: 2 | 3 = 2): Promise<RawConnection> {
  const c = await RawConnection.connect(ts.port);
  raws.push(c);
  if (protocol === 3) await c.call('HELLO', '3');
  return c;
}

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
const pair = (k: string, v: string) => `*2\r\n${bulk(k)}${bulk(v)}`;

beforeAll(async () => {
  ts = await startTestServer();
  ts.server.propagator.subscribe((_db, argv) => propagated.push(argv.join(' ')));
  r = await ts.client({ enableReadyCheck: false });
});
afterAll(async () => {
  for (const c of raws) c.close();
  await ts.stop();
});
beforeEach(async () => {
  for (const db of ts.server.keyspaces) db.flush();
  await blockedCount(ts.server, 0);
  propagated = [];
});

describe('BLPOP BRPOP', () => {
  it('BLPOP and BRPOP serve at once from the first non-empty key; propagated as LPOP / RPOP key', async () => {
    const c = await raw();
    await r.rpush('b', '1', '2', '3');
    expect(await c.call('BLPOP', 'a', 'b', '0')).toBe(pair('b', '1'));
    expect(await c.call('BRPOP', 'a', 'b', '1.5')).toBe(pair('b', '3'));
    expect(await r.blpop('b', 0)).toEqual(['b', '2']);
    expect(await r.exists('b')).toBe(0);
    expect(propagated).toEqual(['rpush b 1 2 3', 'LPOP b', 'RPOP b', 'LPOP b']);
  });

  it('BRPOP waits for another client\'s push and pops from the tail; several waiters are served first come, first served', async () => {
    const waiters = [await raw(), await raw(), await raw()];
    for (const [i, c] of waiters.entries()) {
      c.send('BRPOP', 'q', '0');
      await blockedCount(ts.server, i + 1);
    }
    expect(await r.rpush('q', 'x', 'y')).toBe(2);
    expect(await waiters[0]!.readReply()).toBe(pair('q', 'y'));
    expect(await waiters[1]!.readReply()).toBe(pair('q', 'x'));
    expect(await replyWithin(waiters[2]!, 50)).toBeUndefined();
    await r.lpush('q', 'z');
    expect(await waiters[2]!.readReply()).toBe(pair('q', 'z'));
    await blockedCount(ts.server, 0);
    expect(propagated).toEqual(['rpush q x y', 'RPOP q', 'RPOP q', 'lpush q z', 'RPOP q']);
  });

  it('BLPOP after LPUSH of several elements: each waiter gets one, in the list\'s order', async () => {
    const [c1, c2] = [await raw(), await raw()];
    c1.send('BLPOP', 'q', '0');
    await blockedCount(ts.server, 1);
    c2.send('BLPOP', 'q', '0');
    await blockedCount(ts.server, 2);
    await r.lpush('q', 'a', 'b', 'c');
    expect(await c1.readReply()).toBe(pair('q', 'c'));
    expect(await c2.readReply()).toBe(pair('q', 'b'));
    expect(await r.lrange('q', 0, -1)).toEqual(['a']);
  });

  it('BLPOP blocked on several keys is served by whichever gets a push, and leaves the others\' queues', async () => {
    const c = await raw();
    c.send('BLPOP', 'k1', 'k2', 'k3', '0');
    await blockedCount(ts.server, 1);
    await r.rpush('k2', 'v');
    expect(await c.readReply()).toBe(pair('k2', 'v'));
    await blockedCount(ts.server, 0);
    await r.rpush('k1', 'stays');
    expect(await r.lrange('k1', 0, -1)).toEqual(['stays']);
  });

  it('BLPOP and BRPOP time out with a null array: *-1 in RESP2, _ in RESP3; float timeouts', async () => {
    const c2 = await raw(2);
    const c3 = await raw(3);
    let t = performance.now();
    expect(await c2.call('BLPOP', 'none', '0.05')).toBe('*-1\r\n');
    expect(performance.now() - t).toBeGreaterThanOrEqual(45);
    t = performance.now();
    expect(await c3.call('BRPOP', 'none', 'other', '.08')).toBe('_\r\n');
    expect(performance.now() - t).toBeGreaterThanOrEqual(75);
    expect(await r.blpop('none', 0.01)).toBeNull();
    expect(propagated).toEqual([]);
  });

  it('BLPOP BRPOP: WRONGTYPE for a key of another type met before a list, timeout errors before anything', async () => {
    const c = await raw();
    await r.set('s', 'v');
    await r.rpush('l', 'a');
    expect(await c.call('BLPOP', 'none', 's', '0')).toBe(WRONGTYPE);
    expect(await c.call('BRPOP', 's', 'l', '0')).toBe(WRONGTYPE);
    expect(await c.call('BLPOP', 'l', 's', '0')).toBe(pair('l', 'a'));
    expect(await c.call('BLPOP', 's', 'x')).toBe('-ERR timeout is not a float or out of range\r\n');
    expect(await c.call('BRPOP', 's', '-1')).toBe('-ERR timeout is negative\r\n');
    expect(await c.call('BLPOP', 'l')).toBe("-ERR wrong number of arguments for 'blpop' command\r\n");
  });

  it('BLPOP: a client that disconnects while blocked is forgotten and takes nothing', async () => {
    const c = await raw();
    c.send('BLPOP', 'q', '0');
    await blockedCount(ts.server, 1);
    c.close();
    await blockedCount(ts.server, 0);
    await r.rpush('q', 'kept');
    expect(await r.lrange('q', 0, -1)).toEqual(['kept']);
    expect(propagated).toEqual(['rpush q kept']);
  });
});

describe('BLMOVE BRPOPLPUSH', () => {
  it('BLMOVE and BRPOPLPUSH move at once when the source has elements; propagated as LMOVE / RPOPLPUSH', async () => {
    const c = await raw();
    await r.rpush('src', '1', '2', '3');
    expect(await c.call('BLMOVE', 'src', 'dst', 'left', 'RIGHT', '0')).toBe(bulk('1'));
    expect(await c.call('BRPOPLPUSH', 'src', 'dst', '0')).toBe(bulk('3'));
    expect(await r.blmove('src', 'src', 'LEFT', 'RIGHT', 0)).toBe('2');
    expect(await r.lrange('dst', 0, -1)).toEqual(['3', '1']);
    expect(propagated).toEqual(['rpush src 1 2 3', 'LMOVE src dst left RIGHT', 'RPOPLPUSH src dst', 'LMOVE src src LEFT RIGHT']);
  });

  it('BLMOVE waits for a push to the source; BRPOPLPUSH too; each propagated as its non-blocking form', async () => {
    const [c1, c2] = [await raw(), await raw(3)];
    c1.send('BLMOVE', 'src', 'dst', 'RIGHT', 'LEFT', '0');
    await blockedCount(ts.server, 1);
    c2.send('BRPOPLPUSH', 'src', 'dst', '0');
    await blockedCount(ts.server, 2);
    await r.rpush('src', 'a', 'b');
    expect(await c1.readReply()).toBe(bulk('b'));
    expect(await c2.readReply()).toBe(bulk('a'));
    expect(await r.lrange('dst', 0, -1)).toEqual(['a', 'b']);
    expect(await r.exists('src')).toBe(0);
    expect(propagated).toEqual(['rpush src a b', 'LMOVE src dst right left', 'RPOPLPUSH src dst']);
  });

  it('BLMOVE chain: the element it moves wakes a client blocked on its destination', async () => {
    const [mover, popper] = [await raw(), await raw()];
    popper.send('BLPOP', 'mid', '0');
    await blockedCount(ts.server, 1);
    mover.send('BLMOVE', 'src', 'mid', 'LEFT', 'LEFT', '0');
    await blockedCount(ts.server, 2);
    await r.rpush('src', 'v');
    expect(await mover.readReply()).toBe(bulk('v'));
    expect(await popper.readReply()).toBe(pair('mid', 'v'));
    await blockedCount(ts.server, 0);
    expect(await r.exists('src', 'mid')).toBe(0);
    expect(propagated).toEqual(['rpush src v', 'LMOVE src mid left left', 'LPOP mid']);
  });

  it('BRPOPLPUSH chain through two movers ends in the last list', async () => {
    const [m1, m2] = [await raw(), await raw()];
    m2.send('BRPOPLPUSH', 'b', 'c', '0');
    await blockedCount(ts.server, 1);
    m1.send('BRPOPLPUSH', 'a', 'b', '0');
    await blockedCount(ts.server, 2);
    await r.lpush('a', 'x');
    expect(await m1.readReply()).toBe(bulk('x'));
    expect(await m2.readReply()).toBe(bulk('x'));
    expect(await r.lrange('c', 0, -1)).toEqual(['x']);
    expect(propagated).toEqual(['lpush a x', 'RPOPLPUSH a b', 'RPOPLPUSH b c']);
  });

  it('BLMOVE and BRPOPLPUSH time out with a null array (*-1 in RESP2, _ in RESP3)', async () => {
    const c2 = await raw(2);
    const c3 = await raw(3);
    expect(await c2.call('BLMOVE', 'none', 'dst', 'LEFT', 'LEFT', '0.02')).toBe('*-1\r\n');
    expect(await c2.call('BRPOPLPUSH', 'none', 'dst', '0.02')).toBe('*-1\r\n');
    expect(await c3.call('BLMOVE', 'none', 'dst', 'LEFT', 'LEFT', '0.02')).toBe('_\r\n');
    expect(await c3.call('BRPOPLPUSH', 'none', 'dst', '0.02')).toBe('_\r\n');
    expect(await r.exists('dst')).toBe(0);
  });

  it('BLMOVE BRPOPLPUSH: WRONGTYPE, a woken mover whose destination became a string gets WRONGTYPE and moves nothing', async () => {
    const c = await raw();
    await r.set('s', 'v');
    await r.rpush('l', 'a');
    expect(await c.call('BLMOVE', 's', 'd', 'LEFT', 'LEFT', '0')).toBe(WRONGTYPE);
    expect(await c.call('BLMOVE', 'l', 's', 'LEFT', 'LEFT', '0')).toBe(WRONGTYPE);
    expect(await c.call('BRPOPLPUSH', 'l', 's', '0')).toBe(WRONGTYPE);
    expect(await c.call('BLMOVE', 'l', 'd', 'UP', 'LEFT', 'x')).toBe('-ERR syntax error\r\n');
    expect(await c.call('BLMOVE', 'l', 'd', 'LEFT', 'LEFT', 'x')).toBe('-ERR timeout is not a float or out of range\r\n');
    c.send('BRPOPLPUSH', 'src', 'dst', '0');
    await blockedCount(ts.server, 1);
    await r.set('dst', 'string');
    await r.rpush('src', 'e');
    expect(await c.readReply()).toBe(WRONGTYPE);
    await blockedCount(ts.server, 0);
    expect(await r.lrange('src', 0, -1)).toEqual(['e']);
  });
});

describe('BLMPOP', () => {
  it('BLMPOP serves at once like LMPOP; propagated as LPOP|RPOP key n', async () => {
    const c = await raw();
    await r.rpush('b', '1', '2', '3');
    expect(await c.call('BLMPOP', '0', '2', 'a', 'b', 'LEFT', 'COUNT', '2')).toBe(`*2\r\n${bulk('b')}*2\r\n${bulk('1')}${bulk('2')}`);
    expect(await c.call('BLMPOP', '0', '1', 'b', 'RIGHT')).toBe(`*2\r\n${bulk('b')}*1\r\n${bulk('3')}`);
    expect(propagated).toEqual(['rpush b 1 2 3', 'LPOP b 2', 'RPOP b 1']);
  });

  it('BLMPOP waits on several keys and pops up to COUNT from the one pushed to', async () => {
    const c = await raw(3);
    c.send('BLMPOP', '0', '2', 'k1', 'k2', 'RIGHT', 'COUNT', '10');
    await blockedCount(ts.server, 1);
    await r.rpush('k2', 'a', 'b', 'c');
    expect(await c.readReply()).toBe(`*2\r\n${bulk('k2')}*3\r\n${bulk('c')}${bulk('b')}${bulk('a')}`);
    expect(await r.exists('k2')).toBe(0);
    expect(propagated).toEqual(['rpush k2 a b c', 'RPOP k2 3']);
  });

  it('BLMPOP times out with a null array (*-1 / _); argument errors come before the timeout\'s', async () => {
    const c2 = await raw(2);
    const c3 = await raw(3);
    expect(await c2.call('BLMPOP', '0.02', '1', 'none', 'LEFT')).toBe('*-1\r\n');
    expect(await c3.call('BLMPOP', '0.02', '2', 'none', 'x', 'RIGHT', 'COUNT', '3')).toBe('_\r\n');
    expect(await c2.call('BLMPOP', 'x', '0', 'l', 'LEFT')).toBe('-ERR numkeys should be greater than 0\r\n');
    expect(await c2.call('BLMPOP', 'x', '1', 'l', 'UP')).toBe('-ERR syntax error\r\n');
    expect(await c2.call('BLMPOP', 'x', '1', 'l', 'LEFT', 'COUNT', '0')).toBe('-ERR count should be greater than 0\r\n');
    expect(await c2.call('BLMPOP', 'x', '1', 'l', 'LEFT')).toBe('-ERR timeout is not a float or out of range\r\n');
    await r.set('s', 'v');
    expect(await c2.call('BLMPOP', '0', '2', 'none', 's', 'LEFT')).toBe(WRONGTYPE);
  });

  it('BLMPOP and BLPOP waiters on one key share a push in arrival order', async () => {
    const [c1, c2] = [await raw(), await raw()];
    c1.send('BLMPOP', '0', '1', 'q', 'LEFT', 'COUNT', '2');
    await blockedCount(ts.server, 1);
    c2.send('BLPOP', 'q', '0');
    await blockedCount(ts.server, 2);
    await r.rpush('q', 'a', 'b', 'c');
    expect(await c1.readReply()).toBe(`*2\r\n${bulk('q')}*2\r\n${bulk('a')}${bulk('b')}`);
    expect(await c2.readReply()).toBe(pair('q', 'c'));
    expect(propagated).toEqual(['rpush q a b c', 'LPOP q 2', 'LPOP q']);
  });
});
