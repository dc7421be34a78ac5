/**
 * Pub/sub through ioredis (RESP2 subscriber mode and RESP3 pushes) and raw sockets (exact
 * framing in both protocols): SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH, SSUBSCRIBE
 * SUNSUBSCRIBE SPUBLISH, PUBSUB introspection, the RESP2 subscribed mode, cleanup on disconnect
 * and RESET, INFO/CLIENT LIST fields, and the client-output-buffer-limit pubsub class.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { clientBufferBytes } from '../../src/memory/client-buffers.js';
import { RawConnection } from '../helpers/raw-connection.js';

const bulk = (s: string | null) => (s === null ? '$-1\r\n' : `$${s.length}\r\n${s}\r\n`);
/** A RESP2 push (an array) of bulks and a final integer. */
const arr2 = (items: (string | null)[], n?: number) =>
  `*${items.length + (n === undefined ? 0 : 1)}\r\n${items.map(bulk).join('')}${n === undefined ? '' : `:${n}\r\n`}`;
const push3 = (items: (string | null)[], n?: number) =>
  `>${items.length + (n === undefined ? 0 : 1)}\r\n${items.map((s) => (s === null ? '_\r\n' : bulk(s))).join('')}${n === undefined ? '' : `:${n}\r\n`}`;

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('pub/sub', () => {
  let t: TestServer;
  let raws: RawConnection[] = [];
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    for (const r of raws) r.close();
    await t.stop();
  });
  async function raw(protocol: 2 | 3 = 2): Promise<RawConnection> {
    const c = await RawConnection.connect(t.port);
    raws.push(c);
    if (protocol === 3) await c.call('HELLO', '3');
    return c;
  }
  async function reads(c: RawConnection, n: number): Promise<string> {
    let out = '';
    for (let i = 0; i < n; i++) out += await c.readReply();
    return out;
  }

  it('SUBSCRIBE PSUBSCRIBE SSUBSCRIBE in RESP2: one confirmation per argument with the counts Redis gives', async () => {
    const c = await raw();
    c.send('SUBSCRIBE', 'a', 'b', 'a');
    expect(await reads(c, 3)).toBe(arr2(['subscribe', 'a'], 1) + arr2(['subscribe', 'b'], 2) + arr2(['subscribe', 'a'], 2));
    c.send('SSUBSCRIBE', 's1');
    expect(await c.readReply()).toBe(arr2(['ssubscribe', 's1'], 1));
    c.send('PSUBSCRIBE', 'p*');
    expect(await c.readReply()).toBe(arr2(['psubscribe', 'p*'], 3));
    c.close();
  });

  it('SUBSCRIBE confirmations and messages are sent even with CLIENT REPLY OFF, in RESP2 and RESP3 (pushes)', async () => {
    const c2 = await raw(2);
    c2.send('CLIENT', 'REPLY', 'OFF');
    c2.send('SUBSCRIBE', 'quiet');
    expect(await c2.readReply()).toBe('*3\r\n$9\r\nsubscribe\r\n$5\r\nquiet\r\n:1\r\n');
    const c3 = await raw(3);
    c3.send('CLIENT', 'REPLY', 'OFF');
    c3.send('SUBSCRIBE', 'quiet');
    c3.send('PING');
    expect(await c3.readReply()).toBe('>3\r\n$9\r\nsubscribe\r\n$5\r\nquiet\r\n:1\r\n');
    const p = await raw();
    expect(await p.call('PUBLISH', 'quiet', 'hi')).toBe(':2\r\n');
    expect(await c2.readReply()).toBe('*3\r\n$7\r\nmessage\r\n$5\r\nquiet\r\n$2\r\nhi\r\n');
    // The PING before it got no reply: the next thing on the RESP3 connection is the message.
    expect(await c3.readReply()).toBe('>3\r\n$7\r\nmessage\r\n$5\r\nquiet\r\n$2\r\nhi\r\n');
    c2.close();
    c3.close();
    await until(async () => (await p.call('PUBSUB', 'NUMSUB', 'quiet')) === '*2\r\n$5\r\nquiet\r\n:0\r\n');
  });

  it('UNSUBSCRIBE PUNSUBSCRIBE SUNSUBSCRIBE with no subscription: [kind, nil, 0] in RESP2 and RESP3', async () => {
    const c2 = await raw(2);
    for (const k of ['unsubscribe', 'punsubscribe', 'sunsubscribe']) expect(await c2.call(k)).toBe(arr2([k, null], 0));
    const c3 = await raw(3);
    for (const k of ['unsubscribe', 'punsubscribe', 'sunsubscribe']) expect(await c3.call(k)).toBe(push3([k, null], 0));
    c2.close();
    c3.close();
  });

  it('RESP2 subscribed mode: only (un)subscribe, PING (as ["pong", msg]), QUIT, RESET; shard subscriptions count too', async () => {
    const c = await raw();
    c.send('SUBSCRIBE', 'a', 'b');
    await reads(c, 2);
    c.send('SSUBSCRIBE', 's1');
    await c.readReply();
    expect(await c.call('PING')).toBe(arr2(['pong', '']));
    expect(await c.call('PING', 'x')).toBe(arr2(['pong', 'x']));
    expect(await c.call('GET', 'k')).toBe(
      "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
    );
    expect(await c.call('PUBSUB', 'NUMPAT')).toBe(
      "-ERR Can't execute 'pubsub|numpat': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
    );
    // UNSUBSCRIBE with no argument: every channel, in subscription order.
    c.send('UNSUBSCRIBE');
    expect(await reads(c, 2)).toBe(arr2(['unsubscribe', 'a'], 1) + arr2(['unsubscribe', 'b'], 0));
    expect(await c.call('GET', 'k')).toMatch(/^-ERR Can't execute 'get'/);
    expect(await c.call('SUNSUBSCRIBE')).toBe(arr2(['sunsubscribe', 's1'], 0));
    expect(await c.call('GET', 'k')).toBe('$-1\r\n');
    expect(await c.call('PING')).toBe('+PONG\r\n');
    c.close();
  });

  it('PUBLISH delivers message and pmessage arrays in RESP2 and returns the receivers', async () => {
    const sub = await raw();
    const pub = await raw();
    sub.send('SUBSCRIBE', 'news');
    sub.send('PSUBSCRIBE', 'n*', 'x*');
    await reads(sub, 3);
    expect(await pub.call('PUBLISH', 'news', 'hello')).toBe(':2\r\n');
    expect(await reads(sub, 2)).toBe(arr2(['message', 'news', 'hello']) + arr2(['pmessage', 'n*', 'news', 'hello']));
    expect(await pub.call('PUBLISH', 'nothing-here', 'x')).toBe(':1\r\n');
    expect(await sub.readReply()).toBe(arr2(['pmessage', 'n*', 'nothing-here', 'x']));
    expect(await pub.call('PUBLISH', 'zzz', 'x')).toBe(':0\r\n');
    sub.close();
    pub.close();
  });

  it('RESP3: pushes interleave with ordinary replies; PUBLISH to itself pushes before its integer reply; SPUBLISH smessage', async () => {
    const c = await raw(3);
    c.send('SUBSCRIBE', 'a', 'b');
    expect(await reads(c, 2)).toBe(push3(['subscribe', 'a'], 1) + push3(['subscribe', 'b'], 2));
    expect(await c.call('PING')).toBe('+PONG\r\n');
    expect(await c.call('GET', 'k')).toBe('_\r\n');
    c.send('PUBLISH', 'a', 'hi');
    expect(await reads(c, 2)).toBe(push3(['message', 'a', 'hi']) + ':1\r\n');
    c.send('PSUBSCRIBE', 'a*');
    expect(await c.readReply()).toBe(push3(['psubscribe', 'a*'], 3));
    c.send('PUBLISH', 'a', 'hi');
    expect(await reads(c, 3)).toBe(push3(['message', 'a', 'hi']) + push3(['pmessage', 'a*', 'a', 'hi']) + ':2\r\n');
    c.send('SSUBSCRIBE', 'x');
    expect(await c.readReply()).toBe(push3(['ssubscribe', 'x'], 1));
    c.send('SPUBLISH', 'x', 'm');
    expect(await reads(c, 2)).toBe(push3(['smessage', 'x', 'm']) + ':1\r\n');
    expect(await c.call('UNSUBSCRIBE', 'zz')).toBe(push3(['unsubscribe', 'zz'], 3));
    // A message from another client arrives between this client's replies.
    const other = await raw();
    expect(await other.call('PUBLISH', 'b', 'from-other')).toBe(':1\r\n');
    expect(await c.readReply()).toBe(push3(['message', 'b', 'from-other']));
    expect(await c.call('SET', 'k', 'v')).toBe('+OK\r\n');
    c.close();
    other.close();
  });

  it('PUNSUBSCRIBE and SUNSUBSCRIBE named and unknown: counts after each removal', async () => {
    const c = await raw();
    c.send('PSUBSCRIBE', 'a*', 'b*');
    c.send('SUBSCRIBE', 'c');
    c.send('SSUBSCRIBE', 's1', 's2');
    await reads(c, 5);
    c.send('PUNSUBSCRIBE', 'b*', 'nope*');
    expect(await reads(c, 2)).toBe(arr2(['punsubscribe', 'b*'], 2) + arr2(['punsubscribe', 'nope*'], 2));
    c.send('SUNSUBSCRIBE', 's2', 's9');
    expect(await reads(c, 2)).toBe(arr2(['sunsubscribe', 's2'], 1) + arr2(['sunsubscribe', 's9'], 1));
    c.send('PUNSUBSCRIBE');
    expect(await c.readReply()).toBe(arr2(['punsubscribe', 'a*'], 1));
    c.close();
  });

  it('PSUBSCRIBE patterns use Redis glob: ?, [a-c], [^x], escapes', async () => {
    const sub = await raw();
    const pub = await raw();
    sub.send('PSUBSCRIBE', 'h?llo', 'r[a-c]t', 'q[^x]', 'lit\\*');
    await reads(sub, 4);
    const cases: [string, number][] = [['hello', 1], ['hllo', 0], ['rbt', 1], ['rdt', 0], ['qy', 1], ['qx', 0], ['lit*', 1], ['litx', 0]];
    for (const [ch, n] of cases) expect(await pub.call('PUBLISH', ch, 'm'), ch).toBe(`:${n}\r\n`);
    expect(await reads(sub, 4)).toBe(
      arr2(['pmessage', 'h?llo', 'hello', 'm']) + arr2(['pmessage', 'r[a-c]t', 'rbt', 'm']) +
        arr2(['pmessage', 'q[^x]', 'qy', 'm']) + arr2(['pmessage', 'lit\\*', 'lit*', 'm']),
    );
    sub.close();
    pub.close();
  });

  it('PUBSUB CHANNELS, PUBSUB NUMSUB, PUBSUB NUMPAT, PUBSUB SHARDCHANNELS, PUBSUB SHARDNUMSUB, PUBSUB HELP and INFO pubsub_channels/pubsub_patterns', async () => {
    const s1 = await raw();
    const s2 = await raw();
    s1.send('SUBSCRIBE', 'c1', 'c2');
    s1.send('PSUBSCRIBE', 'x*', 'y*');
    s1.send('SSUBSCRIBE', 'sh1');
    await reads(s1, 5);
    s2.send('SUBSCRIBE', 'c1');
    s2.send('PSUBSCRIBE', 'x*');
    s2.send('SSUBSCRIBE', 'sh1', 'sh2');
    await reads(s2, 4);
    const q = await t.client();
    expect((await q.call('PUBSUB', 'CHANNELS')) as string[]).toEqual(['c1', 'c2']);
    expect(await q.call('PUBSUB', 'CHANNELS', '*2')).toEqual(['c2']);
    expect(await q.call('PUBSUB', 'NUMSUB', 'c1', 'c2', 'none')).toEqual(['c1', 2, 'c2', 1, 'none', 0]);
    expect(await q.call('PUBSUB', 'NUMSUB')).toEqual([]);
    expect(await q.call('PUBSUB', 'NUMPAT')).toBe(2);
    expect(await q.call('PUBSUB', 'SHARDCHANNELS')).toEqual(['sh1', 'sh2']);
    expect(await q.call('PUBSUB', 'SHARDCHANNELS', 'sh2')).toEqual(['sh2']);
    expect(await q.call('PUBSUB', 'SHARDNUMSUB', 'sh1', 'sh2', 'c1')).toEqual(['sh1', 2, 'sh2', 1, 'c1', 0]);
    expect(((await q.call('PUBSUB', 'HELP')) as string[])[0]).toBe('PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    await expect(q.call('PUBSUB', 'CHANNELS', 'a', 'b')).rejects.toThrow(
      "ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.",
    );
    const info = (await q.info('stats')) as string;
    expect(info).toContain('pubsub_channels:2\r\n');
    expect(info).toContain('pubsub_patterns:2\r\n');
    expect(info).toContain('pubsubshard_channels:2\r\n');
    const list = (await q.client('LIST')) as string;
    const line = list.split('\n').find((l) => l.includes('sub=2 psub=2 ssub=1'));
    expect(line).toMatch(/flags=P /);
    const pubsubType = ((await q.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string).trim().split('\n');
    expect(pubsubType.length).toBe(2);
    expect(((await q.call('CLIENT', 'LIST', 'TYPE', 'normal')) as string)).not.toContain('flags=P');
    // Closing the connections drops their subscriptions.
    s1.close();
    s2.close();
    await until(async () => (await q.call('PUBSUB', 'NUMPAT')) === 0);
    expect(await q.call('PUBSUB', 'CHANNELS')).toEqual([]);
    expect(await q.call('PUBSUB', 'SHARDCHANNELS')).toEqual([]);
  });

  it('RESET drops the subscriptions and leaves subscribed mode (SUBSCRIBE then RESET)', async () => {
    const c = await raw();
    c.send('SUBSCRIBE', 'r1');
    c.send('PSUBSCRIBE', 'r*');
    await reads(c, 2);
    expect(await c.call('RESET')).toBe('+RESET\r\n');
    expect(await c.call('PING')).toBe('+PONG\r\n');
    const q = await raw();
    expect(await q.call('PUBLISH', 'r1', 'x')).toBe(':0\r\n');
    c.close();
    q.close();
  });

  it('ioredis RESP2 subscriber mode: subscribe, psubscribe, ssubscribe, message events, unsubscribe', async () => {
    const sub = await t.client({ protocol: 2 });
    const pub = await t.client({ protocol: 2 });
    const got: string[] = [];
    sub.on('message', (ch: string, m: string) => got.push(`message ${ch} ${m}`));
    sub.on('pmessage', (p: string, ch: string, m: string) => got.push(`pmessage ${p} ${ch} ${m}`));
    sub.on('smessage', (ch: string, m: string) => got.push(`smessage ${ch} ${m}`));
    expect(await sub.subscribe('chat', 'room')).toBe(2);
    expect(await sub.psubscribe('ch*')).toBe(3);
    expect(await sub.ssubscribe('shard')).toBe(1);
    expect(await pub.publish('chat', 'hi')).toBe(2);
    expect(await pub.spublish('shard', 'yo')).toBe(1);
    await until(() => got.length === 3);
    expect(got).toEqual(['message chat hi', 'pmessage ch* chat hi', 'smessage shard yo']);
    await expect(sub.get('k')).rejects.toThrow(/Connection in subscriber mode|only \(P\|S\)SUBSCRIBE/);
    await sub.unsubscribe('chat');
    expect(await pub.publish('chat', 'again')).toBe(1);
    await until(() => got.length === 4);
    expect(got[3]).toBe('pmessage ch* chat again');
  });

  it('ioredis RESP3: SUBSCRIBE and PUBLISH as pushes while ordinary commands keep working on the same connection', async () => {
    const sub = await t.client();
    const pub = await t.client();
    const got: string[] = [];
    sub.on('message', (ch: string, m: string) => got.push(`${ch}:${m}`));
    expect(await sub.subscribe('r3')).toBe(1);
    await sub.set('k3', 'v');
    expect(await pub.publish('r3', 'one')).toBe(1);
    expect(await sub.get('k3')).toBe('v');
    await until(() => got.length === 1);
    expect(got).toEqual(['r3:one']);
  });
});

describe('client-output-buffer-limit pubsub (slow subscribers)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t.stop());

  /** A connection subscribed to `channel` that never reads again, and its client id. */
  async function stalledSubscriber(channel: string): Promise<[RawConnection, number]> {
    const s = await RawConnection.connect(t.port);
    const id = Number((await s.call('CLIENT', 'ID')).slice(1, -2));
    expect(await s.call('SUBSCRIBE', channel)).toBe(arr2(['subscribe', channel], 1));
    s.socket.pause();
    return [s, id];
  }

  it('a subscriber that never reads is closed past the hard limit; memory stays bounded; PUBLISH and others keep working', async () => {
    const q: Redis = await t.client();
    expect(await q.config('SET', 'client-output-buffer-limit', 'pubsub 2mb 1mb 60')).toBe('OK');
    expect(await q.config('GET', 'client-output-buffer-limit')).toEqual([
      'client-output-buffer-limit', 'normal 0 0 0 slave 268435456 67108864 60 pubsub 2097152 1048576 60',
    ]);
    const [slow, slowId] = await stalledSubscriber('flood');
    const fast = await RawConnection.connect(t.port);
    expect(await fast.call('SUBSCRIBE', 'flood')).toBe(arr2(['subscribe', 'flood'], 1));
    const payload = 'x'.repeat(100_000);
    let delivered = 0;
    let fastReceived = 0;
    let slowMaxOutput = 0;
    for (let i = 0; i < 1500; i++) {
      delivered += (await q.publish('flood', payload)) as number;
      await fast.readReply();
      fastReceived++;
      slowMaxOutput = Math.max(slowMaxOutput, t.server.clients.get(slowId)?.outputBytes ?? 0);
    }
    // 1500 × 100 KB = 150 MB were published; the stalled subscriber was dropped after a few MB:
    // the server never held more than the hard limit plus one message for it.
    expect(fastReceived).toBe(1500);
    expect(delivered).toBeLessThan(1600);
    expect(t.server.clients.has(slowId)).toBe(false);
    expect(slowMaxOutput).toBeLessThan(2 * 1024 * 1024 + 100_100);
    slow.socket.resume(); // reads what the kernel held, then sees the close
    await slow.readUntilClosed();
    expect(slow.closed).toBe(true);
    expect(await q.call('PUBSUB', 'NUMSUB', 'flood')).toEqual(['flood', 1]);
    // What the server counts for client buffers is back to the fast subscriber's and q's.
    expect(clientBufferBytes(t.server).normal).toBeLessThan(200_000);
    expect(await q.ping()).toBe('PONG');
    fast.close();
  });

  it('the soft limit closes a subscriber that stays above it for longer than the seconds', async () => {
    const q: Redis = await t.client();
    // Seconds are whole unix seconds, as in Redis: with 1, the client goes once the clock has
    // moved on by 2 seconds from when it passed the limit (between 1 and 2 seconds later).
    await q.config('SET', 'client-output-buffer-limit', 'pubsub 0 512kb 1');
    const [slow] = await stalledSubscriber('soft');
    const payload = 'y'.repeat(100_000);
    // Fill past the soft limit, then keep it there for more than two seconds.
    for (let i = 0; i < 80; i++) await q.publish('soft', payload);
    expect(await q.call('PUBSUB', 'NUMSUB', 'soft')).toEqual(['soft', 1]); // over the soft limit, not for long yet
    await new Promise((r) => setTimeout(r, 2100));
    await q.publish('soft', payload);
    slow.socket.resume(); // reads what the kernel held, then sees the close
    await slow.readUntilClosed();
    expect(slow.closed).toBe(true);
    expect(await q.call('PUBSUB', 'NUMSUB', 'soft')).toEqual(['soft', 0]);
    await q.config('SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60');
  });
});
