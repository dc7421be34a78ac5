/**
 * Client-side caching (src/tracking.ts, CLIENT TRACKING CACHING GETREDIR TRACKINGINFO): exact
 * invalidation bytes in RESP3 (pushes) and through REDIRECT to a RESP2 subscriber, one message
 * per read, BCAST prefixes batched per turn, OPTIN/OPTOUT with CLIENT CACHING, NOLOOP, FLUSHDB /
 * FLUSHALL nulls, expiry, MULTI/EXEC ordering, broken redirects, the errors, INFO and CLIENT LIST.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';

const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
/** RESP3 `invalidate [keys]` push. */
const inv3 = (...keys: string[]) => `>2\r\n$10\r\ninvalidate\r\n*${keys.length}\r\n${keys.map(bulk).join('')}`;
/** RESP2 `message __redis__:invalidate [keys]` on a redirect client. */
const inv2 = (...keys: string[]) =>
  `*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*${keys.length}\r\n${keys.map(bulk).join('')}`;
const INV3_NULL = '>2\r\n$10\r\ninvalidate\r\n_\r\n';

async function until(cond: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('client-side caching (CLIENT TRACKING)', () => {
  let t: TestServer;
  const raws: RawConnection[] = [];
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    for (const r of raws) r.close();
    await t.stop();
  });
  async function raw(protocol: 2 | 3 = 3): Promise<RawConnection> {
    const c = await RawConnection.connect(t.port);
    raws.push(c);
    if (protocol === 3) await c.call('HELLO', '3');
    return c;
  }
  async function id(c: RawConnection): Promise<string> {
    return (await c.call('CLIENT', 'ID')).slice(1, -2);
  }
  /** Nothing more arrives on c: a PING's reply comes next. */
  async function quiet(c: RawConnection): Promise<void> {
    expect(await c.call('PING')).toBe('+PONG\r\n');
  }

  it('CLIENT TRACKING ON: a read key is invalidated once, after the reply of the change on the same connection', async () => {
    const c = await raw();
    const w = await raw();
    expect(await c.call('CLIENT', 'TRACKING', 'on')).toBe('+OK\r\n');
    expect(await c.call('GET', 'k1')).toBe('_\r\n');
    expect(await w.call('SET', 'k1', 'v')).toBe('+OK\r\n');
    expect(await c.readReply()).toBe(inv3('k1'));
    // Forgotten after one invalidation.
    await w.call('SET', 'k1', 'v2');
    await quiet(c);
    // Own write: +OK first, then the push.
    await c.call('MGET', 'k1', 'k1b');
    expect(await c.call('MSET', 'k1', '1', 'k1b', '2')).toBe('+OK\r\n');
    expect(await c.readReply()).toBe(inv3('k1'));
    expect(await c.readReply()).toBe(inv3('k1b'));
    await c.call('CLIENT', 'TRACKING', 'off');
    c.close();
    w.close();
  });

  it('a failed read-only command (WRONGTYPE) still tracks its key, as Redis 7.0; writes never track', async () => {
    const c = await raw();
    const w = await raw();
    await c.call('CLIENT', 'TRACKING', 'on');
    await c.call('LPUSH', 'tl', 'x');
    expect(await c.call('GET', 'tl')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    await w.call('DEL', 'tl');
    expect(await c.readReply()).toBe(inv3('tl'));
    await w.call('SET', 'tl', '1');
    await quiet(c);
    c.close();
    w.close();
  });

  it('MULTI/EXEC: invalidations of the transaction’s own writes follow the EXEC reply', async () => {
    const c = await raw();
    await c.call('CLIENT', 'TRACKING', 'on');
    await c.call('GET', 'mk');
    await c.call('MULTI');
    await c.call('SET', 'mk', '1');
    await c.call('GET', 'mk');
    expect(await c.call('EXEC')).toBe('*2\r\n+OK\r\n$1\r\n1\r\n');
    expect(await c.readReply()).toBe(inv3('mk'));
    const w = await raw();
    await w.call('SET', 'mk', '2');
    expect(await c.readReply()).toBe(inv3('mk'));
    c.close();
    w.close();
  });

  it('REDIRECT to a RESP2 subscriber: messages on __redis__:invalidate; CLIENT GETREDIR; FLUSHDB sends a null', async () => {
    const sub = await raw(2);
    const subId = await id(sub);
    await sub.call('SUBSCRIBE', '__redis__:invalidate');
    const c = await raw(2);
    expect(await c.call('CLIENT', 'GETREDIR')).toBe(':-1\r\n');
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', subId)).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'GETREDIR')).toBe(`:${subId}\r\n`);
    await c.call('GET', 'rk');
    await c.call('SET', 'rk', '1');
    expect(await sub.readReply()).toBe(inv2('rk'));
    expect(await c.call('FLUSHDB')).toBe('+OK\r\n');
    expect(await sub.readReply()).toBe('*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n');
    const list = await c.call('CLIENT', 'LIST', 'ID', await id(c));
    expect(list).toContain(' flags=t ');
    expect(list).toContain(` redir=${subId} resp=2`);
    c.close();
    sub.close();
  });

  it('REDIRECT client gone: flag R and broken_redirect; a RESP3 client gets tracking-redir-broken on each invalidation', async () => {
    const target = await raw(2);
    const targetId = await id(target);
    const c = await raw();
    const cId = await id(c);
    await c.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', targetId);
    await c.call('GET', 'bk');
    target.close();
    await new Promise((r) => setTimeout(r, 50));
    const w = await raw();
    await w.call('SET', 'bk', '1');
    expect(await c.readReply()).toBe(`>2\r\n$21\r\ntracking-redir-broken\r\n:${targetId}\r\n`);
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe(
      `%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n$8\r\nredirect\r\n:${targetId}\r\n$8\r\nprefixes\r\n*0\r\n`,
    );
    expect(await c.call('CLIENT', 'LIST', 'ID', cId)).toContain(' flags=tR ');
    await c.call('GET', 'bk');
    await w.call('SET', 'bk', '2');
    expect(await c.readReply()).toBe(`>2\r\n$21\r\ntracking-redir-broken\r\n:${targetId}\r\n`);
    // ON again with a live redirect clears the flag.
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', await id(w))).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe(
      `%3\r\n$5\r\nflags\r\n~1\r\n$2\r\non\r\n$8\r\nredirect\r\n:${await id(w)}\r\n$8\r\nprefixes\r\n*0\r\n`,
    );
    c.close();
    w.close();
  });

  it('RESP2 tracking without REDIRECT sends nothing (no push in RESP2)', async () => {
    const c = await raw(2);
    await c.call('CLIENT', 'TRACKING', 'on');
    await c.call('GET', 'k2');
    await c.call('SET', 'k2', 'x');
    await quiet(c);
    c.close();
  });

  it('BCAST with PREFIX and NOLOOP: keys changed in one turn come in one message per prefix, in byte order', async () => {
    const c = await raw();
    const w = await raw();
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'ba', 'PREFIX', 'bb', 'NOLOOP')).toBe('+OK\r\n');
    // Two commands in one write: served in one turn of the event loop.
    w.write('MSET ba2 1 bb1 2 bc1 3\r\nSET ba1 1\r\n');
    await w.readReply();
    await w.readReply();
    expect(await c.readReply()).toBe(inv3('ba1', 'ba2'));
    expect(await c.readReply()).toBe(inv3('bb1'));
    // NOLOOP: its own change is not sent back to it.
    await c.call('SET', 'ba3', '1');
    await quiet(c);
    await w.call('DEL', 'nokey', 'ba1');
    expect(await c.readReply()).toBe(inv3('ba1'));
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe(
      '%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\nbcast\r\n$6\r\nnoloop\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*2\r\n$2\r\nba\r\n$2\r\nbb\r\n',
    );
    expect(await c.call('CLIENT', 'LIST', 'ID', await id(c))).toContain(' flags=tB ');
    c.close();
    w.close();
  });

  it('BCAST without PREFIX matches every key', async () => {
    const c = await raw();
    const w = await raw();
    await c.call('CLIENT', 'TRACKING', 'on', 'BCAST');
    await w.call('SET', 'anything', '1');
    expect(await c.readReply()).toBe(inv3('anything'));
    c.close();
    w.close();
  });

  it('OPTIN with CLIENT CACHING YES tracks the next command only (CLIENT subcommands in between keep it)', async () => {
    const c = await raw();
    const w = await raw();
    await c.call('CLIENT', 'TRACKING', 'on', 'OPTIN');
    await c.call('GET', 'o1');
    expect(await c.call('CLIENT', 'CACHING', 'yes')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe(
      '%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\noptin\r\n$11\r\ncaching-yes\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n',
    );
    await c.call('GET', 'o2');
    await c.call('GET', 'o3');
    await w.call('MSET', 'o1', '1', 'o2', '2', 'o3', '3');
    expect(await c.readReply()).toBe(inv3('o2'));
    await quiet(c);
    c.close();
    w.close();
  });

  it('OPTOUT with CLIENT CACHING NO skips the next command', async () => {
    const c = await raw();
    const w = await raw();
    await c.call('CLIENT', 'TRACKING', 'on', 'OPTOUT');
    await c.call('CLIENT', 'CACHING', 'no');
    await c.call('GET', 'p1');
    await c.call('GET', 'p2');
    await w.call('MSET', 'p1', '1', 'p2', '2');
    expect(await c.readReply()).toBe(inv3('p2'));
    c.close();
    w.close();
  });

  it('NOLOOP in default mode: the client’s own change is not sent to it', async () => {
    const c = await raw();
    await c.call('CLIENT', 'TRACKING', 'on', 'NOLOOP');
    await c.call('GET', 'n1');
    await c.call('SET', 'n1', '1');
    await quiet(c);
    c.close();
  });

  it('FLUSHALL: a null invalidation to every tracking client, and the tracked keys are forgotten', async () => {
    const c = await raw();
    const w = await raw();
    await c.call('CLIENT', 'TRACKING', 'on');
    await c.call('GET', 'f1');
    expect(await w.call('FLUSHALL')).toBe('+OK\r\n');
    expect(await c.readReply()).toBe(INV3_NULL);
    await w.call('SET', 'f1', '1');
    await quiet(c);
    expect(await c.call('FLUSHALL')).toBe('+OK\r\n');
    expect(await c.readReply()).toBe(INV3_NULL);
    c.close();
    w.close();
  });

  it('an expired key is invalidated (lazy expiry on access)', async () => {
    const c = await raw();
    const w = await raw();
    await w.call('SET', 'e1', 'v', 'PX', '30');
    await c.call('CLIENT', 'TRACKING', 'on');
    expect(await c.call('GET', 'e1')).toBe('$1\r\nv\r\n');
    await new Promise((r) => setTimeout(r, 60));
    expect(await w.call('GET', 'e1')).toBe('_\r\n');
    expect(await c.readReply()).toBe(inv3('e1'));
    c.close();
    w.close();
  });

  it('CLIENT TRACKING errors, as Redis 7.0', async () => {
    const c = await raw(2);
    const err = (s: string) => `-ERR ${s}\r\n`;
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'PREFIX', 'a')).toBe(err('PREFIX option requires BCAST mode to be enabled'));
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'OPTIN', 'OPTOUT')).toBe(err("You can't specify both OPTIN mode and OPTOUT mode"));
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'OPTIN')).toBe(err('OPTIN and OPTOUT are not compatible with BCAST'));
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', '999999')).toBe(err('The client ID you want redirect to does not exist'));
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', 'x')).toBe(err('value is not an integer or out of range'));
    const me = await id(c);
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', me, 'REDIRECT', me)).toBe(err('A client can only redirect to a single other client'));
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'ab', 'PREFIX', 'a')).toBe(
      err("Prefix 'ab' overlaps with another provided prefix 'a'. Prefixes for a single client must not overlap."),
    );
    expect(await c.call('CLIENT', 'TRACKING', 'maybe')).toBe(err('syntax error'));
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'PREFIX')).toBe(err('syntax error'));
    expect(await c.call('CLIENT', 'TRACKING')).toBe("-ERR wrong number of arguments for 'client|tracking' command\r\n");
    expect(await c.call('CLIENT', 'CACHING', 'yes')).toBe(
      err('CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled'),
    );
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'a')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'ab')).toBe(
      err("Prefix 'ab' overlaps with an existing prefix 'a'. Prefixes for a single client must not overlap."),
    );
    expect(await c.call('CLIENT', 'TRACKING', 'on')).toBe(
      err("You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode."),
    );
    await c.call('CLIENT', 'TRACKING', 'off');
    await c.call('CLIENT', 'TRACKING', 'on', 'OPTIN');
    expect(await c.call('CLIENT', 'CACHING', 'no')).toBe(err('CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.'));
    expect(await c.call('CLIENT', 'CACHING', 'maybe')).toBe(err('syntax error'));
    expect(await c.call('CLIENT', 'TRACKING', 'on', 'OPTOUT')).toBe(
      err("You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode."),
    );
    await c.call('CLIENT', 'TRACKING', 'off');
    await c.call('CLIENT', 'TRACKING', 'on', 'OPTOUT');
    expect(await c.call('CLIENT', 'CACHING', 'yes')).toBe(err('CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.'));
    c.close();
  });

  it('CLIENT TRACKINGINFO when off (RESP2 flat array); RESET turns tracking off', async () => {
    const c = await raw(2);
    const off = '*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n';
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe(off);
    await c.call('CLIENT', 'TRACKING', 'on', 'OPTOUT', 'NOLOOP');
    await c.call('CLIENT', 'CACHING', 'no');
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe(
      '*6\r\n$5\r\nflags\r\n*4\r\n$2\r\non\r\n$6\r\noptout\r\n$10\r\ncaching-no\r\n$6\r\nnoloop\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n',
    );
    expect(await c.call('RESET')).toBe('+RESET\r\n');
    expect(await c.call('CLIENT', 'TRACKINGINFO')).toBe(off);
    c.close();
  });

  it('INFO tracking_clients, tracking_total_keys / items / prefixes', async () => {
    const info = async (c: RawConnection, field: string) => {
      const text = await c.call('INFO', 'everything');
      return new RegExp(`${field}:(\\d+)`).exec(text)![1];
    };
    const a = await raw();
    const b = await raw();
    await a.call('FLUSHALL'); // forgets keys earlier tests left in the table
    await until(async () => (await info(a, 'tracking_clients')) === '0'); // earlier tests' clients are gone
    await a.call('CLIENT', 'TRACKING', 'on');
    await b.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'x', 'PREFIX', 'y');
    await a.call('MGET', 'i1', 'i2');
    await b.call('CLIENT', 'TRACKING', 'off');
    await b.call('CLIENT', 'TRACKING', 'on');
    await b.call('GET', 'i1');
    expect(await info(a, 'tracking_clients')).toBe('2');
    expect(await info(a, 'tracking_total_keys')).toBe('2');
    expect(await info(a, 'tracking_total_items')).toBe('3');
    expect(await info(a, 'tracking_total_prefixes')).toBe('0');
    await b.call('CLIENT', 'TRACKING', 'off');
    await b.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'x');
    expect(await info(a, 'tracking_total_prefixes')).toBe('1');
    b.close();
    await until(async () => (await info(a, 'tracking_clients')) === '1');
    expect(await info(a, 'tracking_total_prefixes')).toBe('0');
    a.close();
  });
});
