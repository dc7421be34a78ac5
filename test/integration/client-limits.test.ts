/**
 * Client limits: client-output-buffer-limit for the normal class (one huge reply, a pipeline that
 * never reads, the soft limit with seconds) and the class rules (RESP3 subscribers are pubsub,
 * MONITOR is normal); maxclients (exact refusal bytes, rejected_connections, CONFIG SET live);
 * client-query-buffer-limit; timeout and its exemptions; tcp-keepalive; the client-buffer memory
 * figures (clientBufferBytes, INFO client_recent_max_*_buffer, CLIENT LIST qbuf/omem/tot-mem).
 * The million-command pipeline runs against bin/kioku-server as a child process, so its memory
 * figures are the server's alone (needs dist/: `npm run build`).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RawConnection } from '../helpers/raw-connection.js';
import { KIOKU_ROOT, startKiokuProcess, type KiokuProcess } from '../helpers/kioku-process.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { clientBufferBytes } from '../../src/memory/client-buffers.js';
import { OutputBufferLimits, exceedsLimit } from '../../src/output-buffer-limits.js';
import type { Server } from '../../src/server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 20 ms until it holds (bounded). */
async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Replaces the server's silent logger with one that keeps the messages. */
function captureLog(server: Server): string[] {
  const lines: string[] = [];
  server.log = pino({ level: 'trace' }, { write: (s: string) => lines.push((JSON.parse(s) as { msg: string }).msg) });
  return lines;
}

/** INFO <section> as a field → value map. */
async function info(c: RawConnection, section: string): Promise<Record<string, string>> {
  const text = await c.call('INFO', section);
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('$')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** A CLIENT LIST line of one client as a field → value map. */
async function clientFields(c: RawConnection, id: number): Promise<Record<string, string>> {
  const list = await c.call('CLIENT', 'LIST', 'ID', String(id));
  const line = list.split('\r\n')[1]!;
  return Object.fromEntries(line.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

async function clientId(c: RawConnection): Promise<number> {
  return Number((await c.call('CLIENT', 'ID')).slice(1, -2));
}

describe('client-output-buffer-limit normal class', () => {
  let t: TestServer;
  let admin: RawConnection;
  let log: string[];
  beforeAll(async () => {
    t = await startTestServer();
    log = captureLog(t.server);
    admin = await RawConnection.connect(t.port);
    // 20,000 × 100 bytes: an LRANGE reply of about 2.1 MB.
    const value = 'x'.repeat(100);
    for (let i = 0; i < 20; i++) admin.send('RPUSH', 'big', ...Array<string>(1000).fill(value));
    for (let i = 0; i < 20; i++) await admin.readReply();
  });
  afterAll(async () => {
    admin.close();
    await t.stop();
  });
  afterEach(async () => {
    expect(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0 pubsub 32mb 8mb 60')).toBe('+OK\r\n');
  });

  it('the default (0 0 0) sends a multi-MB reply whole', async () => {
    const c = await RawConnection.connect(t.port);
    c.write('PING\r\nLRANGE big 0 -1\r\nPING\r\n');
    expect(await c.readReply()).toBe('+PONG\r\n');
    expect((await c.readReply()).length).toBe(8 + 20_000 * 108);
    expect(await c.readReply()).toBe('+PONG\r\n');
    c.close();
  });

  it('normal 100k 0 0: one reply past it closes the client before any reply of its batch is sent (as redis-server 7.0)', async () => {
    expect(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 100k 0 0')).toBe('+OK\r\n');
    const value = 'normal 100000 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60';
    expect(await admin.call('CONFIG', 'GET', 'client-output-buffer-limit')).toBe(`*2\r\n$26\r\nclient-output-buffer-limit\r\n$${value.length}\r\n${value}\r\n`);
    const c = await RawConnection.connect(t.port);
    const id = await clientId(c);
    c.write('PING\r\nLRANGE big 0 -1\r\nPING\r\n');
    expect(await c.readUntilClosed()).toBe('');
    expect(log.find((m) => m.startsWith(`Client id=${id} `))).toMatch(
      new RegExp(`^Client id=${id} addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:${t.port} .* cmd=lrange .* scheduled to be closed ASAP for overcoming of output buffer limits\\.$`),
    );
    // Replies under the limit still flow, and other clients are served.
    const d = await RawConnection.connect(t.port);
    expect(await d.call('LRANGE', 'big', '0', '9')).toMatch(/^\*10\r\n/);
    expect(await admin.call('PING')).toBe('+PONG\r\n');
    d.close();
  });

  it('what counts: nothing while the unsent replies fit Redis\'s 16 KB static buffer, all of them past it', async () => {
    // normal 1 0 0: small replies still flow (Redis fills its static buffer first, uncounted).
    expect(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 0 0')).toBe('+OK\r\n');
    const c = await RawConnection.connect(t.port);
    expect(await c.call('LRANGE', 'big', '0', '99')).toMatch(/^\*100\r\n/); // 10.8 KB
    c.close();
    // 1,000 × 108 bytes (an LRANGE of 108 KB): past 100000 though less than 100000 above 16 KB,
    // as unit/obuf-limits "KEYS stopped mid-run" expects of a 112 KB reply.
    expect(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 100000 0 0')).toBe('+OK\r\n');
    const d = await RawConnection.connect(t.port);
    d.write('LRANGE big 0 999\r\n');
    expect(await d.readUntilClosed()).toBe('');
  });

  it('normal 0 1mb 1: a client kept over the soft limit is closed after more than 1 whole second, not before', async () => {
    expect(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 1mb 1')).toBe('+OK\r\n');
    expect(await admin.call('SET', 'v4', 'z'.repeat(4 << 20))).toBe('+OK\r\n');
    const c = await RawConnection.connect(t.port);
    const id = await clientId(c);
    c.socket.pause(); // never reads: what the kernel cannot take stays in the server
    let firstOver = 0;
    let closedAfter = -1;
    for (let i = 0; i < 60 && closedAfter < 0; i++) {
      c.send('GET', 'v4');
      await sleep(100);
      const client = t.server.clients.get(id);
      if (client === undefined) closedAfter = Date.now() - firstOver;
      else if (firstOver === 0 && client.outputBytes >= 1_048_576) firstOver = Date.now();
    }
    expect(firstOver).toBeGreaterThan(0);
    // Closed by the first command more than 1 whole second after the first one over the limit.
    expect(closedAfter).toBeGreaterThanOrEqual(1000);
    expect(closedAfter).toBeLessThan(2400);
    c.close();
  });

  it('a client that pipelines without reading is closed at the hard limit (normal 1mb 0 0)', async () => {
    expect(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 0 0')).toBe('+OK\r\n');
    expect(await admin.call('SET', 'v100', 'y'.repeat(100))).toBe('+OK\r\n');
    const c = await RawConnection.connect(t.port);
    c.socket.pause();
    const chunk = Buffer.from('*2\r\n$3\r\nGET\r\n$4\r\nv100\r\n'.repeat(1000));
    for (let i = 0; i < 1000 && !c.closed; i++) {
      if (!c.socket.write(chunk)) await Promise.race([new Promise((r) => c.socket.once('drain', r)), sleep(200)]);
    }
    c.socket.resume();
    await c.readUntilClosed(10_000);
    expect(c.closed).toBe(true);
    expect(log.some((m) => m.includes(' cmd=get ') && m.endsWith('scheduled to be closed ASAP for overcoming of output buffer limits.'))).toBe(true);
  });

  it('class rules: a RESP3 subscriber is in the pubsub class, MONITOR in the normal one', async () => {
    expect(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0 pubsub 100k 0 0')).toBe('+OK\r\n');
    const payload = 'p'.repeat(200_000);
    // RESP3 subscriber: the 200 KB message passes the pubsub limit.
    const sub3 = await RawConnection.connect(t.port);
    await sub3.call('HELLO', '3');
    expect(await sub3.call('SUBSCRIBE', 'ch')).toBe('>3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n');
    expect(await admin.call('PUBLISH', 'ch', payload)).toBe(':1\r\n');
    expect(await sub3.readUntilClosed()).toBe('');
    // MONITOR: the pubsub limit does not apply to it; the normal one does.
    const mon = await RawConnection.connect(t.port);
    expect(await mon.call('MONITOR')).toBe('+OK\r\n');
    expect(await admin.call('ECHO', payload)).toBe(`$200000\r\n${payload}\r\n`);
    expect((await mon.readReply()).length).toBeGreaterThan(200_000);
    expect(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 100k 0 0')).toBe('+OK\r\n');
    expect(await admin.call('SET', 'p', payload)).toBe('+OK\r\n');
    await mon.readUntilClosed();
    expect(mon.closed).toBe(true);
  });
});

describe('exceedsLimit / OutputBufferLimits: hard, soft with whole seconds, replica floor', () => {
  it('hard: over at used >= hard; 0 disables', () => {
    const lim = { hard: 1000, soft: 0, softSeconds: 0 };
    expect(exceedsLimit(lim, 999, { obufSoftLimitSince: 0 }, 100)).toBe(false);
    expect(exceedsLimit(lim, 1000, { obufSoftLimitSince: 0 }, 100)).toBe(true);
    expect(exceedsLimit({ hard: 0, soft: 0, softSeconds: 0 }, 1e9, { obufSoftLimitSince: 0 }, 100)).toBe(false);
  });

  it('soft: the first check notes the second; over only when more than `seconds` whole seconds passed; a check under it resets', () => {
    const lim = { hard: 0, soft: 500, softSeconds: 2 };
    const state = { obufSoftLimitSince: 0 };
    expect(exceedsLimit(lim, 600, state, 10)).toBe(false);
    expect(state.obufSoftLimitSince).toBe(10);
    expect(exceedsLimit(lim, 600, state, 12)).toBe(false); // 2 seconds: not more than 2
    expect(exceedsLimit(lim, 100, state, 12)).toBe(false);
    expect(state.obufSoftLimitSince).toBe(0);
    expect(exceedsLimit(lim, 600, state, 13)).toBe(false);
    expect(exceedsLimit(lim, 600, state, 15)).toBe(false);
    expect(exceedsLimit(lim, 600, state, 16)).toBe(true);
  });

  it('replica: a hard limit below repl-backlog-size counts as repl-backlog-size; 0 stays unlimited', () => {
    const l = new OutputBufferLimits({} as Server);
    l.configure('normal 0 0 0 slave 1000 0 0 pubsub 0 0 0', 5000);
    expect(l.of('slave')).toEqual({ hard: 5000, soft: 0, softSeconds: 0 });
    l.configure('normal 0 0 0 slave 0 0 0 pubsub 1 2 3', 5000);
    expect(l.of('slave')).toEqual({ hard: 0, soft: 0, softSeconds: 0 });
    expect(l.of('pubsub')).toEqual({ hard: 1, soft: 2, softSeconds: 3 });
  });
});

describe('maxclients', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ maxclients: '3' });
  });
  afterAll(async () => t.stop());

  it('refuses the connection past maxclients with the exact error, then closes; counted in rejected_connections only; CONFIG SET applies live', async () => {
    const admin = await RawConnection.connect(t.port);
    const before = await info(admin, 'stats');
    const a = await RawConnection.connect(t.port);
    const b = await RawConnection.connect(t.port);
    const refused = await RawConnection.connect(t.port);
    expect(await refused.readUntilClosed()).toBe('-ERR max number of clients reached\r\n');
    const after = await info(admin, 'stats');
    expect(Number(after.rejected_connections) - Number(before.rejected_connections)).toBe(1);
    // As Redis: a refused connection is not in total_connections_received.
    expect(Number(after.total_connections_received) - Number(before.total_connections_received)).toBe(2);
    expect(await a.call('PING')).toBe('+PONG\r\n');
    expect(await admin.call('CONFIG', 'SET', 'maxclients', '4')).toBe('+OK\r\n');
    const d = await RawConnection.connect(t.port);
    expect(await d.call('PING')).toBe('+PONG\r\n');
    expect((await info(admin, 'clients')).maxclients).toBe('4');
    // Lowering it closes nobody; new connections are refused until clients leave.
    expect(await admin.call('CONFIG', 'SET', 'maxclients', '2')).toBe('+OK\r\n');
    expect(await b.call('PING')).toBe('+PONG\r\n');
    const e = await RawConnection.connect(t.port);
    expect(await e.readUntilClosed()).toBe('-ERR max number of clients reached\r\n');
    for (const c of [a, b, d]) c.close();
    await waitFor('the clients to leave', () => t.server.clients.size === 1);
    const f = await RawConnection.connect(t.port);
    expect(await f.call('PING')).toBe('+PONG\r\n');
    f.close();
    admin.close();
  });
});

describe('client-query-buffer-limit', () => {
  it('a half-sent command past the limit closes the client with no reply and Redis\'s log line; proto-max-bulk-len may exceed it (7.0 accepts)', async () => {
    const t = await startTestServer({ 'client-query-buffer-limit': '1mb' });
    const log = captureLog(t.server);
    try {
      const admin = await RawConnection.connect(t.port);
      expect(await admin.call('CONFIG', 'SET', 'proto-max-bulk-len', '2mb')).toBe('+OK\r\n');
      const c = await RawConnection.connect(t.port);
      const id = await clientId(c);
      c.write(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n${'a'.repeat(1_100_000)}`);
      expect(await c.readUntilClosed()).toBe('');
      expect(log.find((m) => m.includes(`id=${id} `))).toMatch(new RegExp(`^Closing client that reached max query buffer length: id=${id} addr=`));
      // Under the limit, a 900 KB argument is fine.
      expect(await admin.call('SET', 'k', 'b'.repeat(900_000))).toBe('+OK\r\n');
      admin.close();
    } finally {
      await t.stop();
    }
  });
});

describe('timeout and tcp-keepalive', () => {
  it('timeout 1 closes idle clients, not subscribers (RESP2 and RESP3), blocked clients, MONITOR or active ones', async () => {
    const t = await startTestServer({ timeout: '1' });
    try {
      const idle = await RawConnection.connect(t.port);
      const sub2 = await RawConnection.connect(t.port);
      await sub2.call('SUBSCRIBE', 'c');
      const sub3 = await RawConnection.connect(t.port);
      await sub3.call('HELLO', '3');
      await sub3.call('SUBSCRIBE', 'c');
      const blocked = await RawConnection.connect(t.port);
      blocked.send('BLPOP', 'nothing', '0');
      const mon = await RawConnection.connect(t.port);
      await mon.call('MONITOR');
      const active = await RawConnection.connect(t.port);
      // `active` sends a command every 200 ms for 2.4 s, from its start.
      const pings = (async () => {
        const replies: string[] = [];
        for (let i = 0; i < 12; i++) {
          replies.push(await active.call('PING'));
          await sleep(200);
        }
        return replies;
      })();
      const started = Date.now();
      await idle.readUntilClosed(4000);
      const idleFor = Date.now() - started;
      expect(idleFor).toBeGreaterThanOrEqual(900);
      expect(idleFor).toBeLessThan(3000);
      expect(await pings).toEqual(Array<string>(12).fill('+PONG\r\n'));
      expect(Object.entries({ sub2, sub3, blocked, mon, active }).filter(([, c]) => c.closed).map(([n]) => n)).toEqual([]);
      expect(t.server.clients.size).toBe(5);
      for (const c of [sub2, sub3, blocked, mon, active]) c.close();
    } finally {
      await t.stop();
    }
  });

  it('tcp-keepalive: accepted sockets get keep-alive with the configured seconds; 0 leaves it off; CONFIG SET applies to new connections', async () => {
    const t = await startTestServer({ 'tcp-keepalive': '7' });
    const spy = vi.spyOn(net.Socket.prototype, 'setKeepAlive');
    try {
      const serverSide = () => spy.mock.contexts.filter((s) => (s as net.Socket).localPort === t.port);
      const a = await RawConnection.connect(t.port);
      await a.call('PING');
      expect(serverSide().length).toBe(1);
      expect(spy.mock.calls[spy.mock.contexts.indexOf(serverSide()[0])]).toEqual([true, 7000]);
      expect(await a.call('CONFIG', 'SET', 'tcp-keepalive', '0')).toBe('+OK\r\n');
      const b = await RawConnection.connect(t.port);
      await b.call('PING');
      expect(serverSide().length).toBe(1);
      expect(await a.call('CONFIG', 'GET', 'tcp-keepalive')).toBe('*2\r\n$13\r\ntcp-keepalive\r\n$1\r\n0\r\n');
      a.close();
      b.close();
    } finally {
      spy.mockRestore();
      await t.stop();
    }
  });
});

describe('client buffer memory (clientBufferBytes, INFO clients, CLIENT LIST)', () => {
  it('counts the args already read of commands still arriving (unit/maxmemory "input buffer of a dead client")', async () => {
    const t = await startTestServer();
    try {
      const admin = await RawConnection.connect(t.port);
      const senders: RawConnection[] = [];
      for (let i = 0; i < 5; i++) {
        const c = await RawConnection.connect(t.port);
        senders.push(c);
        // 249 of 250 args, each complete: parsed, so no longer in the query buffer.
        c.write('*250\r\n' + `$1000\r\n${'x'.repeat(1000)}\r\n`.repeat(249));
      }
      await waitFor('the args to arrive', () => clientBufferBytes(t.server).normal >= 5 * 249_000);
      await sleep(10);
      expect(clientBufferBytes(t.server).normal).toBe(5 * 249_000);
      expect(Number((await info(admin, 'memory')).mem_clients_normal)).toBe(5 * 249_000);
      const list = await admin.call('CLIENT', 'LIST');
      expect(list.match(/argv-mem=249000 /g)).toHaveLength(5);
      for (const c of senders) c.close();
      admin.close();
    } finally {
      await t.stop();
    }
  });


  it('counts a half-read command and unsent replies; INFO shows the recent maxima; CLIENT LIST agrees', async () => {
    const t = await startTestServer();
    try {
      const admin = await RawConnection.connect(t.port);
      expect(clientBufferBytes(t.server)).toEqual({ normal: 0, replicas: 0 });
      const half = await RawConnection.connect(t.port);
      const halfId = await clientId(half);
      half.write(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$300000\r\n${'h'.repeat(200_000)}`);
      await waitFor('the bytes to arrive', () => t.server.clients.get(halfId)!.queryBufferBytes >= 200_000);
      await sleep(10); // a new event-loop turn: the figure is computed again
      const q = t.server.clients.get(halfId)!.queryBufferBytes;
      // The unread bytes, and the args read so far ("SET", "k": argv-mem, as Redis's argv_len_sum).
      expect(clientBufferBytes(t.server).normal).toBe(q + 4);
      expect(Number((await clientFields(admin, halfId)).qbuf)).toBe(q);
      expect(Number((await clientFields(admin, halfId))['argv-mem'])).toBe(4);
      // Sampled by the cron (hz 10) into the last seconds' maxima.
      await waitFor('the input sample', async () => Number((await info(admin, 'clients')).client_recent_max_input_buffer) >= 200_000);
      // A reader that stopped: its unsent replies.
      expect(await admin.call('SET', 'v', 'w'.repeat(1 << 20))).toBe('+OK\r\n');
      const stalled = await RawConnection.connect(t.port);
      const stalledId = await clientId(stalled);
      stalled.socket.pause();
      for (let i = 0; i < 30; i++) stalled.send('GET', 'v');
      await waitFor('output to pile up', () => t.server.clients.get(stalledId)!.outputBytes > 1 << 20);
      await sleep(50);
      const fields = await clientFields(admin, stalledId);
      const omem = Number(fields.omem);
      expect(omem).toBeGreaterThan(1 << 20);
      expect(Number(fields['tot-mem'])).toBe(Number(fields.qbuf) + Number(fields['argv-mem']) + Number(fields.obl) + omem);
      await waitFor('the output sample', async () => Number((await info(admin, 'clients')).client_recent_max_output_buffer) > 1 << 20);
      const sum = clientBufferBytes(t.server).normal;
      expect(sum).toBeGreaterThanOrEqual(q + (1 << 20));
      half.close();
      stalled.close();
      await waitFor('both to leave', () => t.server.clients.size === 1);
      await sleep(10);
      expect(clientBufferBytes(t.server)).toEqual({ normal: 0, replicas: 0 });
      admin.close();
    } finally {
      await t.stop();
    }
  });
});

// ---- A million pipelined commands against a server process ----

describe('a client that pipelines a million commands and does not read (server process)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-limits-'));
  let proc: KiokuProcess;
  beforeAll(async () => {
    if (!fs.existsSync(path.join(KIOKU_ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js is missing: run `npm run build`');
    proc = await startKiokuProcess(['--port', '0', '--bind', '127.0.0.1', '--save', '', '--dir', dir]);
  });
  afterAll(() => {
    proc.child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('holds bounded memory while it does not read, serves others promptly, then delivers all replies in order', { timeout: 120_000 }, async () => {
    const admin = await RawConnection.connect(proc.port);
    expect(await admin.call('SET', 'v', 'q'.repeat(200))).toBe('+OK\r\n');
    const mem0 = await info(admin, 'memory');
    // 1,000,000 commands: INCR c and GET v in turn (500,000 each), sent 1,000 at a time.
    const TOTAL = 1_000_000;
    const PER_CHUNK = 1000;
    const chunk = Buffer.from('*2\r\n$4\r\nINCR\r\n$1\r\nc\r\n*2\r\n$3\r\nGET\r\n$1\r\nv\r\n'.repeat(PER_CHUNK / 2));
    const sock = net.connect({ port: proc.port, host: '127.0.0.1' });
    await new Promise((r) => sock.once('connect', r));
    sock.pause();
    let sent = 0;
    /** Writes chunks until everything is sent, or until no drain came for `stallMs`. */
    const pump = async (stallMs: number): Promise<boolean> => {
      while (sent < TOTAL) {
        sent += PER_CHUNK;
        if (!sock.write(chunk)) {
          const drained = await Promise.race([new Promise<boolean>((r) => sock.once('drain', () => r(true))), sleep(stallMs).then(() => false)]);
          if (!drained) return false;
        }
      }
      return true;
    };
    // Phase 1: it writes without reading until the server stops taking its bytes.
    expect(await pump(1500)).toBe(false);
    const stalledAt = sent;
    expect(stalledAt).toBeLessThan(TOTAL);
    // Meanwhile the server answers others promptly.
    let worstPing = 0;
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      expect(await admin.call('PING')).toBe('+PONG\r\n');
      worstPing = Math.max(worstPing, performance.now() - t0);
    }
    expect(worstPing).toBeLessThan(250);
    // Its buffers are bounded: at most 4 MB of replies in the socket (OUTPUT_HIGH_WATER) plus one
    // batch, and a few reads of input.
    const list = (await admin.call('CLIENT', 'LIST', 'TYPE', 'normal')).split('\r\n')[1]!.split('\n');
    const pipeliner = list.find((l) => l.includes(' cmd=incr') || l.includes(' cmd=get'))!;
    const field = (name: string) => Number(new RegExp(` ${name}=(\\d+)`).exec(pipeliner)![1]);
    expect(field('omem') + field('obl')).toBeLessThan(6 * 1024 * 1024);
    expect(field('qbuf')).toBeLessThan(1024 * 1024);
    const mem1 = await info(admin, 'memory');
    const rssGrowth = Number(mem1.used_memory_rss) - Number(mem0.used_memory_rss);
    const usedGrowth = Number(mem1.used_memory) - Number(mem0.used_memory);
    // Unbounded, the ~107 MB of replies to a million commands would be held; bounded: < 48 MB.
    expect(rssGrowth).toBeLessThan(48 * 1024 * 1024);
    expect(usedGrowth).toBeLessThan(48 * 1024 * 1024);
    console.log(`pipeline stalled after ${stalledAt} commands sent; server rss +${(rssGrowth / 1048576).toFixed(1)} MB, used_memory +${(usedGrowth / 1048576).toFixed(1)} MB; worst PING ${worstPing.toFixed(1)} ms; omem+obl ${field('omem') + field('obl')} qbuf ${field('qbuf')}`);
    // Phase 2: it reads; the rest is sent; every reply arrives, in order.
    let replies = 0;
    let nextIncr = 1;
    let pending: Buffer = Buffer.alloc(0);
    let bad = '';
    const GET_REPLY = `$200\r\n${'q'.repeat(200)}\r\n`;
    const done = new Promise<void>((resolve) => {
      sock.on('data', (d: Buffer) => {
        pending = pending.length === 0 ? d : Buffer.concat([pending, d]);
        let pos = 0;
        for (;;) {
          if (replies % 2 === 0) {
            const end = pending.indexOf('\r\n', pos);
            if (end < 0) break;
            const line = pending.toString('latin1', pos, end);
            if (line !== `:${nextIncr}` && bad === '') bad = `reply ${replies}: ${line}`;
            nextIncr++;
            pos = end + 2;
          } else {
            if (pending.length - pos < GET_REPLY.length) break;
            if (bad === '' && pending.toString('latin1', pos, pos + GET_REPLY.length) !== GET_REPLY) bad = `reply ${replies}`;
            pos += GET_REPLY.length;
          }
          replies++;
        }
        pending = pending.subarray(pos);
        if (replies === TOTAL) resolve();
      });
    });
    sock.resume();
    expect(await pump(10_000)).toBe(true);
    await Promise.race([done, sleep(60_000)]);
    expect(bad).toBe('');
    expect(replies).toBe(TOTAL);
    expect(await admin.call('GET', 'c')).toBe('$6\r\n500000\r\n');
    sock.destroy();
    admin.close();
  });
});
