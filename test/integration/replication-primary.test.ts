/**
 * The primary side of replication with real redis-server 7.0 replicas of an in-process Kioku:
 * full syncs (diskless and disk) under a write load reach Kioku's DEBUG DIGEST; a restarted
 * replica comes back by partial resync, or by full resync when it missed more than the backlog;
 * WAIT; min-replicas-to-write; INFO replication, ROLE and CLIENT LIST on the primary; the
 * replica output-buffer limit; REPLCONF's replies; diskless-sync-delay gathering.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { freePort, haveRedisServer, NO_REDIS, startRedisOracle } from '../helpers/redis-oracle.js';
import { caughtUp, digest, info, mixedLoad, sleep, waitFor } from '../helpers/replication.js';
import { FakeReplica } from '../helpers/fake-replica.js';
import { RawConnection } from '../helpers/raw-connection.js';

const HAVE_REDIS = haveRedisServer();
if (!HAVE_REDIS) console.warn(NO_REDIS);

const children = new Set<ChildProcess>();
const servers: TestServer[] = [];
const clients: Redis[] = [];
const dirs: string[] = [];
const fakes: FakeReplica[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const f of fakes.splice(0)) f.close();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-primary-'));
  dirs.push(d);
  return d;
}

function connect(port: number): Redis {
  const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  // A replica restarted on the same port: reconnection attempts meanwhile are expected.
  c.on('error', () => {});
  clients.push(c);
  return c;
}

/** A redis-server replica of Kioku (`port`, `dir` given to restart one). */
async function redisReplica(primaryPort: number, opts: { port?: number; dir?: string } = {}): Promise<{ port: number; c: Redis; child: ChildProcess; dir: string }> {
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? tempDir();
  const { child } = await startRedisOracle(['--dir', dir, '--replicaof', '127.0.0.1', String(primaryPort)], port);
  children.add(child);
  return { port, c: connect(port), child, dir };
}

async function kioku(settings: Record<string, string> = {}): Promise<{ t: TestServer; c: Redis }> {
  const t = await startTestServer({ 'repl-diskless-sync-delay': '0', 'repl-ping-replica-period': '1', ...settings });
  servers.push(t);
  return { t, c: await t.client({ protocol: 2 } as never) };
}

async function stat(c: Redis, field: string): Promise<number> {
  return Number((await info(c, 'stats'))[field]);
}

/** Writes `rounds` of the mixed load while a replica syncs, then checks digests match. */
async function syncUnderLoad(settings: Record<string, string>): Promise<void> {
  const { t, c } = await kioku(settings);
  await mixedLoad(c, 40, 'before');
  const r = await redisReplica(t.port);
  // Writes while the replica connects and loads: they reach it after the RDB.
  await mixedLoad(c, 40, 'during');
  await caughtUp(c, r.c);
  await mixedLoad(c, 20, 'after');
  await caughtUp(c, r.c);
  expect(await digest(r.c)).toBe(await digest(c));
  expect(await stat(c, 'sync_full')).toBe(1);
}

describe.skipIf(!HAVE_REDIS)('a redis-server replica of Kioku', () => {
  it('converges by diskless sync (EOF form) under writes', async () => {
    await syncUnderLoad({});
  });

  it('converges by disk sync, which writes dump.rdb', async () => {
    await syncUnderLoad({ 'repl-diskless-sync': 'no' });
    expect(fs.existsSync(path.join(servers[0]!.server.config.get('dir'), 'dump.rdb'))).toBe(true);
  });

  it('shows in INFO replication, ROLE and CLIENT LIST', async () => {
    const { t, c } = await kioku();
    await c.set('k', 'v');
    const r = await redisReplica(t.port);
    await caughtUp(c, r.c);
    await waitFor('an ACK of the whole stream', async () => {
      const i = await info(c);
      return i.slave0?.includes(`offset=${i.master_repl_offset},`) === true;
    });
    const i = await info(c);
    expect(i.role).toBe('master');
    expect(i.connected_slaves).toBe('1');
    expect(i.slave0).toMatch(new RegExp(`^ip=127\\.0\\.0\\.1,port=${r.port},state=online,offset=${i.master_repl_offset},lag=[01]$`));
    expect(i.repl_backlog_active).toBe('1');
    expect(await c.call('ROLE')).toEqual(['master', Number(i.master_repl_offset), [['127.0.0.1', String(r.port), i.master_repl_offset]]]);
    const list = String(await c.call('CLIENT', 'LIST'));
    expect(list).toMatch(/flags=S .*cmd=replconf/);
    // The replica's own view: same replication ID and offset.
    const ri = await info(r.c);
    expect(ri.master_replid).toBe(i.master_replid);
  });

  it('partially resyncs a restarted replica, fully when it missed more than the backlog', async () => {
    const { t, c } = await kioku({ 'repl-backlog-size': '65536' });
    await mixedLoad(c, 10, 'a');
    let r = await redisReplica(t.port);
    await caughtUp(c, r.c);
    // SHUTDOWN saves dump.rdb with the replication ID and offset; the restart continues from them.
    const { port, dir } = r;
    await r.c.call('SHUTDOWN', 'SAVE').catch(() => undefined);
    await waitFor('the replica to go', async () => (await info(c)).connected_slaves === '0');
    await mixedLoad(c, 5, 'b');
    r = await redisReplica(t.port, { port, dir });
    await caughtUp(c, r.c);
    expect(await stat(c, 'sync_partial_ok')).toBe(1);
    expect(await stat(c, 'sync_full')).toBe(1);
    expect(await digest(r.c)).toBe(await digest(c));
    // Now more than the backlog is missed: full resync.
    await r.c.call('SHUTDOWN', 'SAVE').catch(() => undefined);
    await waitFor('the replica to go', async () => (await info(c)).connected_slaves === '0');
    await c.set('big', 'x'.repeat(100_000));
    await mixedLoad(c, 5, 'c');
    r = await redisReplica(t.port, { port, dir });
    await caughtUp(c, r.c);
    expect(await stat(c, 'sync_full')).toBe(2);
    expect(await stat(c, 'sync_partial_err')).toBe(1);
    expect(await stat(c, 'sync_partial_ok')).toBe(1);
    expect(await digest(r.c)).toBe(await digest(c));
  });

  it('WAIT counts the replicas that acknowledged, or times out', async () => {
    const { t, c } = await kioku();
    expect(await c.call('WAIT', '0', '0')).toBe(0);
    const started = Date.now();
    expect(await c.call('WAIT', '1', '200')).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    const r = await redisReplica(t.port);
    await caughtUp(c, r.c);
    await c.set('w', '1');
    expect(await c.call('WAIT', '1', '0')).toBe(1);
    await c.set('w', '2');
    const t2 = Date.now();
    expect(await c.call('WAIT', '2', '300')).toBe(1);
    expect(Date.now() - t2).toBeGreaterThanOrEqual(290);
    // Inside MULTI/EXEC: the count now, never blocking.
    expect(await c.multi().set('w', '3').call('WAIT', '5', '0').exec()).toEqual([[null, 'OK'], [null, expect.any(Number)]]);
    // CLIENT UNBLOCK ends a WAIT as a timeout would: the count.
    const waiter = await t.client({ protocol: 2 } as never);
    const id = await waiter.client('ID');
    const pending = waiter.call('WAIT', '3', '0');
    await waitFor('the WAIT to block', async () => (await info(c, 'clients')).blocked_clients === '1');
    expect(await c.client('UNBLOCK', id)).toBe(1);
    expect(await pending).toBe(1);
  });

  it('min-replicas-to-write refuses writes with too few good replicas', async () => {
    const { t, c } = await kioku({ 'min-replicas-to-write': '1', 'min-replicas-max-lag': '10' });
    await expect(c.set('k', 'v')).rejects.toThrow(/^NOREPLICAS Not enough good replicas to write\.$/);
    expect(await c.get('k')).toBe(null);
    const r = await redisReplica(t.port);
    await waitFor('a good replica', async () => (await info(c)).min_slaves_good_slaves === '1');
    expect(await c.set('k', 'v')).toBe('OK');
    await c.config('SET', 'min-replicas-to-write', '2');
    await expect(c.set('k', 'v2')).rejects.toThrow(/^NOREPLICAS Not enough good replicas to write\.$/);
    await c.config('SET', 'min-replicas-to-write', '0');
    expect(await c.set('k', 'v3')).toBe('OK');
    await caughtUp(c, r.c);
    expect(await r.c.get('k')).toBe('v3');
  });
});

describe('the primary side on raw sockets', () => {
  it('answers REPLCONF as Redis 7.0 does', async () => {
    const { t } = await kioku();
    const raw = await RawConnection.connect(t.port);
    try {
      expect(await raw.call('REPLCONF', 'foo', 'bar')).toBe('-ERR Unrecognized REPLCONF option: foo\r\n');
      expect(await raw.call('REPLCONF', 'listening-port', '123')).toBe('+OK\r\n');
      expect(await raw.call('REPLCONF', 'capa', 'eof', 'capa', 'psync2')).toBe('+OK\r\n');
      expect(await raw.call('REPLCONF', 'listening-port', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
      expect(await raw.call('REPLCONF', 'rdb-only', '5')).toBe('-ERR value is out of range, value must between 0 and 1\r\n');
      expect(await raw.call('REPLCONF', 'a')).toBe('-ERR syntax error\r\n');
      // ACK from a client that is not a replica: no reply at all.
      raw.send('REPLCONF', 'ACK', '5');
      expect(await raw.call('PING')).toBe('+PONG\r\n');
      // PSYNC with a reply still unsent in the same batch.
      raw.write('*1\r\n$4\r\nPING\r\n*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n');
      expect(await raw.readReply()).toBe('+PONG\r\n');
      expect(await raw.readReply()).toBe('-ERR SYNC and PSYNC are invalid with pending output\r\n');
    } finally {
      raw.close();
    }
  });

  it('streams the RDB in the EOF form to an eof-capable replica, $len to one without', async () => {
    const { t, c } = await kioku();
    await c.set('a', '1');
    const eof = await FakeReplica.connect(t.port);
    fakes.push(eof);
    await eof.psync();
    expect(eof.reply).toMatch(/^\+FULLRESYNC [0-9a-f]{40} 0$/);
    expect(eof.eofForm).toBe(true);
    expect(eof.rdb!.subarray(0, 9).toString()).toBe('REDIS0010');
    expect(eof.rdb!.includes('repl-id')).toBe(true);
    const plain = await FakeReplica.connect(t.port);
    fakes.push(plain);
    await plain.psync('?', -1, { capa: false });
    expect(plain.eofForm).toBe(false);
    expect(plain.rdb!.subarray(0, 9).toString()).toBe('REDIS0010');
    // The old SYNC: no +FULLRESYNC line, just the payload.
    const old = await FakeReplica.connect(t.port);
    fakes.push(old);
    old.send('SYNC');
    await old.readRdb();
    expect(old.rdb!.subarray(0, 9).toString()).toBe('REDIS0010');
    expect((await info(c)).connected_slaves).toBe('3');
    expect(await stat(c, 'sync_full')).toBe(3);
  });

  it('continues a known history with +CONTINUE <replid> and the missed bytes', async () => {
    const { t, c } = await kioku();
    const first = await FakeReplica.connect(t.port);
    fakes.push(first);
    await first.psync();
    const [, replId, off] = first.reply.split(' ');
    first.send('REPLCONF', 'ACK', off!);
    // The diskless replica's stream starts with its first ACK.
    await c.set('x', '1');
    const bytes = await first.takeThrough('$1\r\n1\r\n');
    first.close();
    await waitFor('the replica to go', async () => (await info(c)).connected_slaves === '0');
    await c.set('y', '2');
    const again = await FakeReplica.connect(t.port);
    fakes.push(again);
    await again.psync(replId!, Number(off) + 1 + bytes.length);
    expect(again.reply).toBe(`+CONTINUE ${replId}`);
    expect(await again.takeThrough('$1\r\n2\r\n')).toBe('*3\r\n$3\r\nset\r\n$1\r\ny\r\n$1\r\n2\r\n');
    expect(await stat(c, 'sync_partial_ok')).toBe(1);
    // A replica that never said psync2 gets the bare +CONTINUE.
    again.close();
    const bare = await FakeReplica.connect(t.port);
    fakes.push(bare);
    const offset = Number((await info(c)).master_repl_offset) + 1;
    await bare.psync(replId!, offset, { capa: false });
    expect(bare.reply).toBe('+CONTINUE');
  });

  it('waits repl-diskless-sync-delay to gather replicas, or repl-diskless-sync-max-replicas', async () => {
    const { t, c } = await kioku({ 'repl-diskless-sync-delay': '30', 'repl-diskless-sync-max-replicas': '2' });
    const a = await FakeReplica.connect(t.port);
    fakes.push(a);
    const first = a.psync();
    await sleep(300);
    expect((await info(c)).slave0).toMatch(/state=wait_bgsave/);
    const b = await FakeReplica.connect(t.port);
    fakes.push(b);
    await Promise.all([first, b.psync()]);
    // One snapshot served both: same offset and same image.
    expect(a.reply).toBe(b.reply);
    expect(a.rdb!.equals(b.rdb!)).toBe(true);
  });

  it('a replica arriving while a snapshot runs waits for it, then gets its own', async () => {
    const { t, c } = await kioku();
    await mixedLoad(c, 20, 'q');
    // A BGSAVE is running: the replica waits (it has no +FULLRESYNC yet) and is served after it.
    expect(await c.bgsave()).toBe('Background saving started');
    const late = await FakeReplica.connect(t.port);
    fakes.push(late);
    // A diskless replica and a disk one at once: two snapshots, one after the other.
    const eof = await FakeReplica.connect(t.port);
    fakes.push(eof);
    const plain = await FakeReplica.connect(t.port);
    fakes.push(plain);
    await Promise.all([late.psync(), eof.psync(), plain.psync('?', -1, { capa: false })]);
    expect([late.eofForm, eof.eofForm, plain.eofForm]).toEqual([true, true, false]);
    expect(plain.rdb!.subarray(0, 9).toString()).toBe('REDIS0010');
    expect(await stat(c, 'sync_full')).toBe(3);
    expect(String(await c.call('CLIENT', 'LIST', 'TYPE', 'replica')).trim().split('\n')).toHaveLength(3);
    expect(await c.call('CLIENT', 'KILL', 'TYPE', 'replica')).toBe(3);
    await waitFor('the replicas to go', async () => (await info(c)).connected_slaves === '0');
  });

  it('drops a replica that stops reading its diskless RDB after repl-timeout, freeing the snapshot', async () => {
    const { t, c } = await kioku({ 'repl-timeout': '1' });
    // ~30 MB that does not compress: more than the loopback socket buffers hold.
    for (let i = 0; i < 15; i++) await c.set(`r${i}`, randomBytes(1 << 20).toString('hex'));
    const stuck = await FakeReplica.connect(t.port);
    fakes.push(stuck);
    stuck.send('REPLCONF', 'capa', 'eof');
    expect(await stuck.line()).toBe('+OK');
    stuck.socket.pause();
    stuck.send('PSYNC', '?', '-1');
    await waitFor('the transfer to start', async () => (await info(c)).slave0 !== undefined);
    await sleep(100);
    // Its snapshot is running: no other can start.
    await expect(c.bgsave()).rejects.toThrow(/^ERR /);
    await waitFor('the stalled replica to be dropped', async () => (await info(c)).connected_slaves === '0', 8000);
    // The snapshot ended with it: a BGSAVE can run.
    await waitFor('the snapshot to end', async () => (await c.bgsave().catch((e: Error) => e.message)) === 'Background saving started');
  });

  it('drops a replica that stops reading past the replica output-buffer limit', async () => {
    const { t, c } = await kioku({ 'client-output-buffer-limit': 'replica 1mb 0 0' });
    const slow = await FakeReplica.connect(t.port);
    fakes.push(slow);
    await slow.psync();
    slow.send('REPLCONF', 'ACK', '0');
    slow.socket.pause();
    await waitFor('the stream to start', async () => (await info(c)).slave0?.includes('state=online') === true);
    const value = 'v'.repeat(1 << 20);
    for (let i = 0; i < 40 && (await info(c)).connected_slaves !== '0'; i++) await c.set(`big${i % 4}`, value);
    expect((await info(c)).connected_slaves).toBe('0');
  });

  it('drops a replica that stopped acknowledging (repl-timeout) and pings the others', async () => {
    const { t, c } = await kioku({ 'repl-timeout': '2' });
    const quiet = await FakeReplica.connect(t.port);
    fakes.push(quiet);
    await quiet.psync();
    quiet.send('REPLCONF', 'ACK', '0');
    // PING every repl-ping-replica-period (1 s) into the stream.
    expect(await quiet.takeThrough('*1\r\n$4\r\nPING\r\n', 3000)).toMatch(/\*1\r\n\$4\r\nPING\r\n$/);
    expect((await info(c)).connected_slaves).toBe('1');
    await waitFor('the timeout', async () => (await info(c)).connected_slaves === '0', 5000);
  });
});
