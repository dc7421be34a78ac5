/**
 * The blocking mechanism (src/blocking.ts) through BLPOP: what every blocking command shares —
 * parking and waking, first-come first-served order, timeouts and their argument, wakes by keys
 * that appear through RENAME / MOVE / SWAPDB, wrong types, disconnects, CLIENT UNBLOCK, pipelined
 * commands held behind a blocked one, and the INFO / CLIENT LIST / commandstats views. The list
 * and sorted-set files test each blocking command's own replies.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { blockedCount, replyWithin } from '../helpers/blocking.js';

let ts: TestServer;
let r: Redis;
const raws: RawConnection[] = [];

async function raw(): Promise<RawConnection> {
  const c = await RawConnection.connect(ts.port);
  raws.push(c);
  return c;
}

beforeAll(async () => {
  ts = await startTestServer();
  r = await ts.client();
});
afterAll(async () => {
  for (const c of raws) c.close();
  await ts.stop();
});
beforeEach(async () => {
  await r.flushall();
});

describe('blocking: parking and waking', () => {
  it('BLPOP waits until another client pushes, then replies and serves pipelined commands after it', async () => {
    const c = await raw();
    c.write('*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n');
    await blockedCount(ts.server, 1);
    expect(await replyWithin(c, 50)).toBeUndefined();
    expect(await r.rpush('q', 'a')).toBe(1);
    expect(await c.readReply()).toBe('*2\r\n$1\r\nq\r\n$1\r\na\r\n');
    expect(await c.readReply()).toBe('+PONG\r\n');
    await blockedCount(ts.server, 0);
    expect(await r.exists('q')).toBe(0);
  });

  it('BLPOP waiters are served first come, first served, one element each', async () => {
    const waiters = [await raw(), await raw(), await raw()];
    for (const [i, c] of waiters.entries()) {
      c.send('BLPOP', 'q', '0');
      await blockedCount(ts.server, i + 1);
    }
    await r.rpush('q', 'x', 'y');
    expect(await waiters[0]!.readReply()).toBe('*2\r\n$1\r\nq\r\n$1\r\nx\r\n');
    expect(await waiters[1]!.readReply()).toBe('*2\r\n$1\r\nq\r\n$1\r\ny\r\n');
    expect(await replyWithin(waiters[2]!, 50)).toBeUndefined();
    await r.rpush('q', 'z');
    expect(await waiters[2]!.readReply()).toBe('*2\r\n$1\r\nq\r\n$1\r\nz\r\n');
    await blockedCount(ts.server, 0);
  });

  it('BLPOP on several keys is woken by a push to any of them', async () => {
    const c = await raw();
    c.send('BLPOP', 'k1', 'k2', 'k3', '0');
    await blockedCount(ts.server, 1);
    await r.rpush('k3', 'v');
    expect(await c.readReply()).toBe('*2\r\n$2\r\nk3\r\n$1\r\nv\r\n');
  });

  it('BLPOP is not woken by a key that appears with another type, and is by a later list', async () => {
    const c = await raw();
    c.send('BLPOP', 'q', '0');
    await blockedCount(ts.server, 1);
    await r.set('q', 'string');
    expect(await replyWithin(c, 50)).toBeUndefined();
    await r.del('q');
    await r.rpush('q', 'v');
    expect(await c.readReply()).toBe('*2\r\n$1\r\nq\r\n$1\r\nv\r\n');
  });

  it('BLPOP is woken by RENAME, MOVE and SWAPDB bringing a list to its key', async () => {
    const c = await raw();
    c.send('BLPOP', 'q', '0');
    await blockedCount(ts.server, 1);
    await r.rpush('other', 'renamed');
    await r.rename('other', 'q');
    expect(await c.readReply()).toBe('*2\r\n$1\r\nq\r\n$7\r\nrenamed\r\n');

    c.send('BLPOP', 'q', '0');
    await blockedCount(ts.server, 1);
    await r.select(1);
    await r.rpush('q', 'moved');
    await r.move('q', '0');
    expect(await c.readReply()).toBe('*2\r\n$1\r\nq\r\n$5\r\nmoved\r\n');

    c.send('BLPOP', 'q', '0');
    await blockedCount(ts.server, 1);
    await r.rpush('q', 'swapped');
    await r.swapdb(0, 1);
    expect(await c.readReply()).toBe('*2\r\n$1\r\nq\r\n$7\r\nswapped\r\n');
    await r.select(0);
  });

  it('a client that disconnects while blocked leaves no waiter behind', async () => {
    const c = await raw();
    c.send('BLPOP', 'q', '0');
    await blockedCount(ts.server, 1);
    c.close();
    await blockedCount(ts.server, 0);
    await r.rpush('q', 'kept');
    expect(await r.lrange('q', 0, -1)).toEqual(['kept']);
  });
});

describe('blocking: timeouts', () => {
  it('BLPOP with a float timeout replies a null array (RESP2) after about that long', async () => {
    const c = await raw();
    const started = Date.now();
    c.send('BLPOP', 'q', '0.15');
    expect(await c.readReply(2000)).toBe('*-1\r\n');
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(waited).toBeLessThan(1500);
    await blockedCount(ts.server, 0);
  });

  it('BLPOP timeout replies RESP3 null', async () => {
    const c = await raw();
    await c.call('HELLO', '3');
    c.send('BLPOP', 'q', '0.05');
    expect(await c.readReply(2000)).toBe('_\r\n');
  });

  it('BLPOP timeout argument errors, as Redis 7.0', async () => {
    const c = await raw();
    expect(await c.call('BLPOP', 'q', 'abc')).toBe('-ERR timeout is not a float or out of range\r\n');
    expect(await c.call('BLPOP', 'q', 'nan')).toBe('-ERR timeout is not a float or out of range\r\n');
    expect(await c.call('BLPOP', 'q', ' 1')).toBe('-ERR timeout is not a float or out of range\r\n');
    expect(await c.call('BLPOP', 'q', '-1')).toBe('-ERR timeout is negative\r\n');
    expect(await c.call('BLPOP', 'q', '-inf')).toBe('-ERR timeout is negative\r\n');
    // Too large for 64-bit milliseconds: Redis's conversion makes them negative.
    expect(await c.call('BLPOP', 'q', 'inf')).toBe('-ERR timeout is negative\r\n');
    expect(await c.call('BLPOP', 'q', '1e400')).toBe('-ERR timeout is negative\r\n');
    expect(await c.call('BLPOP', 'q', '9223372036854775807')).toBe('-ERR timeout is negative\r\n');
    expect(ts.server.blocking.blockedClients).toBe(0);
  });

  it('a timeout beyond setTimeout\'s 24.8-day limit waits instead of firing at once', async () => {
    const c = await raw();
    c.send('BLPOP', 'q', '3000000'); // ~34.7 days
    await blockedCount(ts.server, 1);
    expect(await replyWithin(c, 100)).toBeUndefined();
    await r.rpush('q', 'v');
    expect(await c.readReply()).toBe('*2\r\n$1\r\nq\r\n$1\r\nv\r\n');
  });
});

describe('blocking: introspection and CLIENT UNBLOCK', () => {
  it('INFO blocked_clients and clients_in_timeout_table, CLIENT LIST flags=b', async () => {
    const forever = await raw();
    const timed = await raw();
    forever.send('BLPOP', 'a', '0');
    timed.send('BLPOP', 'b', '100');
    await blockedCount(ts.server, 2);
    const info = await r.info('clients');
    expect(info).toContain('blocked_clients:2\r\n');
    expect(info).toContain('clients_in_timeout_table:1\r\n');
    const list = await r.client('LIST');
    expect((list as string).split('\n').filter((l) => / flags=b /.test(l) && / cmd=blpop /.test(l))).toHaveLength(2);
    await r.rpush('a', '1');
    await r.rpush('b', '1');
    await forever.readReply();
    await timed.readReply();
    const after = await r.info('clients');
    expect(after).toContain('blocked_clients:0\r\n');
    expect(after).toContain('clients_in_timeout_table:0\r\n');
  });

  it('CLIENT UNBLOCK with TIMEOUT (default) and ERROR; 0 for a client that is not blocked', async () => {
    const c = await raw();
    const id = (await c.call('CLIENT', 'ID')).slice(1, -2);
    expect(await r.client('UNBLOCK', id)).toBe(0);
    c.send('BLPOP', 'q', '0');
    await blockedCount(ts.server, 1);
    expect(await r.client('UNBLOCK', id)).toBe(1);
    expect(await c.readReply()).toBe('*-1\r\n');
    c.send('BLPOP', 'q', '0');
    await blockedCount(ts.server, 1);
    expect(await r.client('UNBLOCK', id, 'TIMEOUT')).toBe(1);
    expect(await c.readReply()).toBe('*-1\r\n');
    c.send('BLPOP', 'q', '0');
    await blockedCount(ts.server, 1);
    expect(await r.call('CLIENT', 'UNBLOCK', id, 'error')).toBe(1);
    expect(await c.readReply()).toBe('-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
    expect(await r.info('errorstats')).toContain('errorstat_UNBLOCKED:count=1');
    expect(await c.call('PING')).toBe('+PONG\r\n');
  });

  it('CLIENT UNBLOCK argument errors, as Redis 7.0', async () => {
    const c = await raw();
    expect(await c.call('CLIENT', 'UNBLOCK', 'abc')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await c.call('CLIENT', 'UNBLOCK', '5', 'foo')).toBe('-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n');
    expect(await c.call('CLIENT', 'UNBLOCK', '5', 'error', 'x')).toBe(
      "-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n",
    );
    expect(await c.call('CLIENT', 'UNBLOCK')).toBe("-ERR wrong number of arguments for 'client|unblock' command\r\n");
  });

  it('commandstats count a blocking command once, when it completes', async () => {
    await r.config('RESETSTAT');
    const c = await raw();
    c.send('BLPOP', 'q', '0');
    await blockedCount(ts.server, 1);
    expect(await r.info('commandstats')).not.toContain('cmdstat_blpop:');
    await r.rpush('q', 'v');
    await c.readReply();
    expect(await r.info('commandstats')).toMatch(/cmdstat_blpop:calls=1,/);
  });
});
