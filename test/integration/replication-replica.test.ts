/**
 * The replica side of replication against a real redis-server 7.0 primary: Kioku does REPLICAOF
 * 127.0.0.1 <redis port> and must reach the primary's DEBUG DIGEST (disk and diskless syncs,
 * under load), serve stale data or -MASTERDOWN while syncing, refuse writes from normal clients,
 * keep expired keys until the primary's DEL, resync partially after a lost link or a restart,
 * promote with REPLICAOF NO ONE, authenticate with masterauth, and show INFO replication / ROLE /
 * CLIENT LIST as a redis replica does. A fake primary checks the handshake's exact bytes and the
 * EOF-marked payload form.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { freePort, haveRedisServer, NO_REDIS, REDIS_SERVER } from '../helpers/redis-oracle.js';
import { caughtUp, digest, info, mixedLoad, sleep, waitFor } from '../helpers/replication.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'bin', 'kioku-server');
const HAVE_REDIS = haveRedisServer();
if (!HAVE_REDIS) console.warn(NO_REDIS);

// ---- Resources, all released after each test ----

const children = new Set<ChildProcess>();
const servers: TestServer[] = [];
const clients: Redis[] = [];
const dirs: string[] = [];
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const close of closers.splice(0)) close();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-replica-'));
  dirs.push(d);
  return d;
}

function connect(port: number, password?: string): Redis {
  const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, enableOfflineQueue: true, ...(password ? { password } : {}) });
  // A server restarted on the same port: reconnection attempts meanwhile are expected.
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

/** Spawns a process and waits for `ready` in its output. */
async function spawnUntil(cmd: string, args: string[], ready: string): Promise<ChildProcess> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`${cmd} did not start: ${out}`)), 10_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes(ready)) {
        clearTimeout(t);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${cmd} exited ${code}: ${out}`)));
  });
  return child;
}

/** A redis-server primary (or replica) on a port of this file's range. */
async function redis(extra: string[] = [], password?: string): Promise<{ port: number; c: Redis }> {
  const port = await freePort();
  await spawnUntil(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes',
      '--repl-diskless-sync-delay', '0', '--repl-ping-replica-period', '1', '--dir', tempDir(), ...extra],
    'Ready to accept connections',
  );
  return { port, c: connect(port, password) };
}

/** An in-process Kioku server. */
async function kioku(settings: Record<string, string> = {}): Promise<{ t: TestServer; c: Redis }> {
  const t = await startTestServer({ 'repl-diskless-sync-delay': '0', ...settings });
  servers.push(t);
  return { t, c: await t.client() };
}

async function replicaOf(replica: Redis, port: number): Promise<void> {
  expect(await replica.call('REPLICAOF', '127.0.0.1', String(port))).toBe('OK');
}

async function stat(c: Redis, field: string): Promise<number> {
  return Number((await info(c, 'stats'))[field]);
}

/** INFO replication's field names from master_host to replica_announced. */
async function replicaFieldNames(c: Redis): Promise<string[]> {
  const text = String(await c.info('replication'));
  const names = text.split('\r\n').filter((l) => l.includes(':')).map((l) => l.slice(0, l.indexOf(':')));
  return names.slice(names.indexOf('master_host'), names.indexOf('replica_announced') + 1);
}

// ---- A fake primary: records what the replica sends, answers the handshake, then does as told ----

interface FakePrimary {
  port: number;
  /** Everything each connection sent, in order of connection. */
  received: string[];
  sockets: net.Socket[];
}

async function fakePrimary(onPsync: (s: net.Socket) => void, port?: number): Promise<FakePrimary> {
  port ??= await freePort();
  const fake: FakePrimary = { port, received: [], sockets: [] };
  const srv = net.createServer((s) => {
    const i = fake.received.push('') - 1;
    fake.sockets.push(s);
    s.on('error', () => {});
    let pending = '';
    s.on('data', (d) => {
      fake.received[i] += d.toString('latin1');
      pending += d.toString('latin1');
      // Answer each complete command of the handshake.
      for (;;) {
        const m = /^\*(\d+)\r\n/.exec(pending);
        if (!m) return;
        let pos = m[0].length;
        const args: string[] = [];
        for (let a = 0; a < Number(m[1]); a++) {
          const h = /^\$(\d+)\r\n/.exec(pending.slice(pos));
          if (!h || pending.length < pos + h[0].length + Number(h[1]) + 2) return;
          args.push(pending.slice(pos + h[0].length, pos + h[0].length + Number(h[1])));
          pos += h[0].length + Number(h[1]) + 2;
        }
        pending = pending.slice(pos);
        const cmd = args[0]!.toUpperCase();
        if (cmd === 'PING') s.write('+PONG\r\n');
        else if (cmd === 'PSYNC') onPsync(s);
        else if (cmd === 'AUTH' || cmd === 'REPLCONF') {
          if (args[1]?.toUpperCase() !== 'ACK') s.write('+OK\r\n');
        }
      }
    });
  });
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', () => r()));
  closers.push(() => {
    for (const s of fake.sockets) s.destroy();
    srv.close();
  });
  return fake;
}

const FAKE_ID = 'a'.repeat(40);

/** The bytes of a dump.rdb written by redis-server holding `keys` (string key → value). */
async function redisRdb(keys: Record<string, string>): Promise<Buffer> {
  const dir = tempDir();
  const { c } = await redis(['--dir', dir]);
  for (const [k, v] of Object.entries(keys)) await c.set(k, v);
  await c.call('SAVE');
  return fs.readFileSync(path.join(dir, 'dump.rdb'));
}

// ---- Tests ----

describe.skipIf(!HAVE_REDIS)('a Kioku replica of a redis-server primary', () => {
  for (const diskless of ['no', 'yes']) {
    it(`full sync (repl-diskless-sync ${diskless}) under a write load reaches the primary's DEBUG DIGEST`, async () => {
      const p = await redis(['--repl-diskless-sync', diskless]);
      await mixedLoad(p.c, 30, 'before');
      const r = await kioku();
      await replicaOf(r.c, p.port);
      await mixedLoad(p.c, 40, 'during');
      await caughtUp(p.c, r.c);
      await mixedLoad(p.c, 20, 'after');
      await caughtUp(p.c, r.c);
      expect(await digest(r.c)).toBe(await digest(p.c));
      expect(await stat(p.c, 'sync_full')).toBe(1);
      for (const db of [0, 1, 2]) {
        await Promise.all([p.c.select(db), r.c.select(db)]);
        expect(await r.c.dbsize()).toBe(await p.c.dbsize());
      }
      expect(await r.c.lrange('before:txlist', 0, 2)).toEqual(await p.c.lrange('before:txlist', 0, 2));
      // CLIENT LIST shows the primary's connection with flags=M; ROLE its state and offset.
      const list = String(await r.c.call('CLIENT', 'LIST'));
      expect(list).toMatch(new RegExp(`addr=127\\.0\\.0\\.1:${p.port} .*flags=M `));
      const role = (await r.c.call('ROLE')) as [string, string, number, string, number];
      expect(role.slice(0, 4)).toEqual(['slave', '127.0.0.1', p.port, 'connected']);
      expect(role[4]).toBe(Number((await info(r.c)).slave_repl_offset));
    });
  }

  it('refuses writes from normal clients with -READONLY after SLAVEOF; the primary writes', async () => {
    const p = await redis();
    const r = await kioku();
    expect(await r.c.call('SLAVEOF', '127.0.0.1', String(p.port))).toBe('OK');
    await p.c.set('k', 'from-primary');
    await caughtUp(p.c, r.c);
    await expect(r.c.set('k', 'local')).rejects.toThrow(/^READONLY You can't write against a read only replica\.$/);
    expect(await r.c.get('k')).toBe('from-primary');
  });

  it('reports expired keys missing but keeps them until the primary DELs them', async () => {
    const p = await redis();
    await p.c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    const r = await kioku();
    await replicaOf(r.c, p.port);
    await p.c.set('short', 'v', 'PX', 300);
    await p.c.set('long', 'v');
    await caughtUp(p.c, r.c);
    expect(await r.c.get('short')).toBe('v');
    await sleep(400);
    expect(await r.c.get('short')).toBe(null);
    expect(await r.c.exists('short')).toBe(0);
    expect(await r.c.dbsize()).toBe(2); // still there: only the primary's DEL removes it
    await sleep(1200); // the replica's own active expiry must not delete it either
    expect(await r.c.dbsize()).toBe(2);
    expect(await p.c.get('short')).toBe(null); // lazy expiry on the primary propagates DEL
    await caughtUp(p.c, r.c);
    expect(await r.c.dbsize()).toBe(1);
  });

  it('resyncs partially after CLIENT KILL TYPE master on the replica and CLIENT KILL on the primary', async () => {
    const p = await redis();
    const r = await kioku();
    await replicaOf(r.c, p.port);
    await mixedLoad(p.c, 10, 'a');
    await caughtUp(p.c, r.c);
    expect(await r.c.call('CLIENT', 'KILL', 'TYPE', 'master')).toBe(1);
    await mixedLoad(p.c, 10, 'b');
    await waitFor('partial resync', async () => (await stat(p.c, 'sync_partial_ok')) === 1);
    await caughtUp(p.c, r.c);
    expect(await p.c.call('CLIENT', 'KILL', 'TYPE', 'replica')).toBe(1);
    await mixedLoad(p.c, 10, 'c');
    await waitFor('second partial resync', async () => (await stat(p.c, 'sync_partial_ok')) === 2);
    await caughtUp(p.c, r.c);
    expect(await stat(p.c, 'sync_full')).toBe(1);
    expect(await digest(r.c)).toBe(await digest(p.c));
  });

  it('a replica process restarted (SHUTDOWN, or SIGKILL after BGSAVE) comes back by partial resync', async () => {
    const p = await redis();
    const dir = tempDir();
    const port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--replicaof', '127.0.0.1', String(p.port)];
    let child = await spawnUntil(bin, args, 'Ready to accept connections');
    let r = connect(port);
    await mixedLoad(p.c, 10, 'a');
    await caughtUp(p.c, r);
    // SHUTDOWN SAVE writes dump.rdb with the replication position.
    await r.call('SHUTDOWN', 'SAVE').catch(() => {});
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    await mixedLoad(p.c, 5, 'b');
    child = await spawnUntil(bin, args, 'Ready to accept connections');
    r = connect(port);
    await waitFor('partial resync after SHUTDOWN', async () => (await stat(p.c, 'sync_partial_ok')) === 1);
    await caughtUp(p.c, r);
    expect(await digest(r)).toBe(await digest(p.c));
    // BGSAVE, more writes, then SIGKILL: the restart continues from the saved position.
    expect(await r.call('BGSAVE')).toBe('Background saving started');
    await waitFor('BGSAVE', async () => (await info(r, 'persistence')).rdb_bgsave_in_progress === '0');
    await mixedLoad(p.c, 5, 'c');
    await caughtUp(p.c, r);
    child.kill('SIGKILL');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    await mixedLoad(p.c, 5, 'd');
    await spawnUntil(bin, args, 'Ready to accept connections');
    r = connect(port);
    await waitFor('partial resync after SIGKILL', async () => (await stat(p.c, 'sync_partial_ok')) === 2);
    await caughtUp(p.c, r);
    expect(await stat(p.c, 'sync_full')).toBe(1);
    expect(await digest(r)).toBe(await digest(p.c));
  });

  it('REPLICAOF NO ONE promotes (replid2 = the old ID); REPLICAOF to the same primary is a no-op', async () => {
    const p = await redis();
    const r = await kioku();
    await replicaOf(r.c, p.port);
    await mixedLoad(p.c, 5, 'a');
    await caughtUp(p.c, r.c);
    expect(await r.c.call('REPLICAOF', '127.0.0.1', String(p.port))).toBe('OK Already connected to specified master');
    const before = await info(r.c);
    expect(await r.c.call('REPLICAOF', 'NO', 'ONE')).toBe('OK');
    const after = await info(r.c);
    expect(after.role).toBe('master');
    expect(after.master_replid2).toBe(before.master_replid);
    expect(after.second_repl_offset).toBe(String(Number(before.master_repl_offset) + 1));
    expect(after.master_replid).not.toBe(before.master_replid);
    expect(await r.c.set('now-writable', '1')).toBe('OK');
    await waitFor('the primary to see the replica gone', async () => (await info(p.c)).connected_slaves === '0');
  });

  it('authenticates with masterauth (and masteruser) against a primary with requirepass', async () => {
    const p = await redis(['--requirepass', 'sesame'], 'sesame');
    await p.c.set('guarded', 'yes');
    const bad = await kioku({ masterauth: 'wrong' });
    await replicaOf(bad.c, p.port);
    await sleep(300);
    expect((await info(bad.c)).master_link_status).toBe('down');
    const good = await kioku({ masterauth: 'sesame', masteruser: 'default' });
    await replicaOf(good.c, p.port);
    await caughtUp(p.c, good.c);
    expect(await good.c.get('guarded')).toBe('yes');
  });

  it("INFO replication's replica fields and ROLE are a redis replica's, connected and with the link down", async () => {
    const p = await redis(['--repl-ping-replica-period', '60']); // no PING between the two reads
    const theirs = await redis(['--replicaof', '127.0.0.1', String(p.port)]);
    const ours = await kioku();
    await replicaOf(ours.c, p.port);
    await caughtUp(p.c, ours.c);
    await caughtUp(p.c, theirs.c);
    expect(await replicaFieldNames(ours.c)).toEqual(await replicaFieldNames(theirs.c));
    expect((await info(ours.c)).slave_repl_offset).toBe((await info(theirs.c)).slave_repl_offset);
    expect(await ours.c.call('ROLE')).toEqual(await theirs.c.call('ROLE'));
    // Link down: both follow a port nobody listens on.
    const nobody = await freePort();
    await Promise.all([replicaOf(ours.c, nobody), replicaOf(theirs.c, nobody)]);
    await sleep(200);
    expect(await replicaFieldNames(ours.c)).toEqual(await replicaFieldNames(theirs.c));
    expect((await info(ours.c)).master_link_status).toBe('down');
    const role = (await ours.c.call('ROLE')) as unknown[];
    expect(role[0]).toBe('slave');
    expect(role[4]).toBe(-1);
  });
});

describe.skipIf(!HAVE_REDIS)('the replica side against a fake primary', () => {
  it('sends the handshake (PING, AUTH, REPLCONF, PSYNC) as Redis 7.0 does, serves stale data while syncing, MASTERDOWN when told not to', async () => {
    const fake = await fakePrimary((s) => s.write(`+FULLRESYNC ${FAKE_ID} 100\r\n\n\n`));
    const r = await kioku({ masterauth: 'pw', masteruser: 'repl', 'replica-announce-ip': '10.1.2.3', 'replica-announce-port': '6390' });
    await r.c.set('old', 'data');
    await replicaOf(r.c, fake.port);
    await waitFor('the sync to start', async () => (await info(r.c)).master_sync_in_progress === '1');
    expect(fake.received[0]).toBe(
      '*1\r\n$4\r\nPING\r\n' +
        '*3\r\n$4\r\nAUTH\r\n$4\r\nrepl\r\n$2\r\npw\r\n' +
        '*3\r\n$8\r\nREPLCONF\r\n$14\r\nlistening-port\r\n$4\r\n6390\r\n' +
        '*3\r\n$8\r\nREPLCONF\r\n$10\r\nip-address\r\n$8\r\n10.1.2.3\r\n' +
        '*5\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n$4\r\ncapa\r\n$6\r\npsync2\r\n' +
        // It was a primary: it offers its own history (Redis's cached master synthesized from itself).
        `*3\r\n$5\r\nPSYNC\r\n$40\r\n${(await info(r.c)).master_replid}\r\n$1\r\n1\r\n`,
    );
    const i = await info(r.c);
    expect([i.master_link_status, i.master_sync_total_bytes, i.master_sync_read_bytes, i.master_sync_left_bytes, i.master_sync_perc]).toEqual(['down', '-1', '0', '-1', '-0.00']);
    expect(((await r.c.call('ROLE')) as unknown[]).slice(3)).toEqual(['sync', -1]);
    // A redis replica of the same fake primary, in the same state, shows the same fields.
    const theirs = await redis(['--replicaof', '127.0.0.1', String(fake.port)]);
    await waitFor('the redis replica to sync', async () => (await info(theirs.c)).master_sync_in_progress === '1');
    expect(await replicaFieldNames(r.c)).toEqual(await replicaFieldNames(theirs.c));
    expect(((await theirs.c.call('ROLE')) as unknown[]).slice(3)).toEqual(['sync', -1]);
    expect(await r.c.get('old')).toBe('data');
    await r.c.config('SET', 'replica-serve-stale-data', 'no');
    await expect(r.c.get('old')).rejects.toThrow(/^MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'\.$/);
    await expect(r.c.ping()).rejects.toThrow(/^MASTERDOWN /); // as redis-server 7.0: PING is not a "stale" command
    expect((await info(r.c)).master_link_status).toBe('down'); // INFO is
  });

  it('retries once a second after a refused connection and a -LOADING reply to PSYNC, then syncs', async () => {
    const rdb = await redisRdb({ a: '1' });
    const port = await freePort();
    const r = await kioku();
    await replicaOf(r.c, port);
    await sleep(200);
    expect(((await r.c.call('ROLE')) as unknown[]).slice(3)).toEqual(['connect', -1]);
    let psyncs = 0;
    const fake = await fakePrimary((s) => {
      if (++psyncs === 1) s.write('-LOADING Redis is loading the dataset in memory\r\n');
      else s.write(Buffer.concat([Buffer.from(`+FULLRESYNC ${FAKE_ID} 7\r\n$${rdb.length}\r\n`), rdb]));
    }, port);
    await waitFor('the link to come up', async () => (await info(r.c)).master_link_status === 'up', 5000);
    expect(psyncs).toBe(2);
    expect(fake.received.length).toBe(2);
    expect(await r.c.get('a')).toBe('1');
    expect((await info(r.c)).master_repl_offset).toBe('7');
  });

  it("the primary's commands still see keys whose TTL passed; other clients do not", async () => {
    let conn: net.Socket | undefined;
    const resp = (...args: string[]) => `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join('');
    const fake = await fakePrimary((s) => {
      conn = s;
      s.write('+CONTINUE\r\n' + resp('SELECT', '0') + resp('SET', 'k', '1', 'PXAT', String(Date.now() + 150)));
    });
    const r = await kioku();
    await replicaOf(r.c, fake.port);
    await waitFor('the key', async () => (await r.c.get('k')) === '1');
    await sleep(250);
    expect(await r.c.get('k')).toBe(null);
    // INCR from the primary finds the expired key (2, not a new 1); PERSIST makes it visible again.
    conn!.write(resp('INCR', 'k') + resp('PERSIST', 'k'));
    await waitFor('the stream', async () => (await r.c.get('k')) !== null);
    expect(await r.c.get('k')).toBe('2');
    expect(await r.c.ttl('k')).toBe(-1);
  });

  it('repl-timeout drops a silent stream and reconnects asking to continue where it stopped', async () => {
    let psyncs = 0;
    const fake = await fakePrimary((s) => {
      psyncs++;
      // Continue the replica's own history, apply one command, then say nothing more.
      s.write('+CONTINUE\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n');
    });
    const r = await kioku({ 'repl-timeout': '1' });
    await replicaOf(r.c, fake.port);
    await waitFor('the stream to apply', async () => (await r.c.get('k')) === 'v');
    const { master_replid: id } = await info(r.c);
    expect((await info(r.c)).master_link_status).toBe('up');
    await waitFor('a reconnection after repl-timeout', async () => psyncs === 2, 6000);
    // The SET's 27 bytes were applied after offset 0: the new link asks for byte 28.
    expect(fake.received[1]).toContain(`*3\r\n$5\r\nPSYNC\r\n$40\r\n${id}\r\n$2\r\n28\r\n`);
    expect(fake.sockets[0]!.destroyed || fake.sockets[0]!.readableEnded).toBe(true);
  });

  it('loads an EOF-marked payload split anywhere, swaps the data in, then applies and acknowledges the stream', async () => {
    const rdb = await redisRdb({ a: '1', b: '2' });
    const mark = 'm'.repeat(20) + 'M'.repeat(20);
    const stream = '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n*1\r\n$4\r\nPING\r\n';
    let conn: net.Socket | undefined;
    const fake = await fakePrimary((s) => {
      conn = s;
      const payload = Buffer.concat([Buffer.from(`+FULLRESYNC ${FAKE_ID} 100\r\n\n$EOF:${mark}\r\n`), rdb, Buffer.from(mark)]);
      // Pieces of 7 bytes: the end mark straddles chunks.
      let at = 0;
      const next = () => {
        if (at >= payload.length) return;
        s.write(payload.subarray(at, at + 7));
        at += 7;
        setTimeout(next, 0);
      };
      next();
    });
    const r = await kioku();
    await r.c.set('stale', 'x');
    await replicaOf(r.c, fake.port);
    await waitFor('the link to come up', async () => (await info(r.c)).master_link_status === 'up');
    expect(await r.c.get('stale')).toBe(null);
    expect(await r.c.mget('a', 'b')).toEqual(['1', '2']);
    expect((await info(r.c)).master_replid).toBe(FAKE_ID);
    // The first ACK after the load names the FULLRESYNC offset.
    await waitFor('the first ACK', async () => fake.received[0]!.includes('ACK\r\n$3\r\n100\r\n'));
    conn!.write(stream + '*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n');
    const applied = 100 + Buffer.byteLength(stream);
    await waitFor('the GETACK answer', async () => fake.received[0]!.includes(`ACK\r\n$3\r\n${applied}\r\n`));
    expect(await r.c.get('c')).toBe('3');
    const i = await info(r.c);
    // GETACK itself counts once applied.
    expect(Number(i.master_repl_offset)).toBe(applied + 37);
    expect(i.slave_repl_offset).toBe(String(applied + 37));
  });
});
