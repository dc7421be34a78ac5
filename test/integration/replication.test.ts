/**
 * A replication group of Kioku servers: one primary and five replicas (the most a shard has on
 * ElastiCache) converge under load; chains; promotion of a replica with the others re-pointed at
 * it keeps every write WAIT acknowledged; a replica process killed with SIGKILL comes back by
 * partial resync when the backlog covers what it missed, by full resync when it does not.
 * Interop with real redis-server and the exact streams are in replication-primary /
 * replication-replica / replication-stream tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { freePort } from '../helpers/redis-oracle.js';
import { caughtUp, digest, info, mixedLoad, sleep, waitFor } from '../helpers/replication.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'bin', 'kioku-server');

const servers: TestServer[] = [];
const children = new Set<ChildProcess>();
const dirs: string[] = [];
afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const FAST = { 'repl-diskless-sync-delay': '0', 'repl-ping-replica-period': '1' };

async function node(settings: Record<string, string> = {}): Promise<{ t: TestServer; c: Redis }> {
  const t = await startTestServer({ ...FAST, ...settings });
  servers.push(t);
  return { t, c: await t.client() };
}

async function follow(replica: Redis, primary: TestServer): Promise<void> {
  expect(await replica.call('REPLICAOF', '127.0.0.1', String(primary.port))).toBe('OK');
}

describe('a primary and five replicas', () => {
  it('all five converge to the primary digest under a write load, with disk and diskless syncs', async () => {
    const p = await node();
    await mixedLoad(p.c, 10, 'before');
    const replicas = [];
    for (let i = 0; i < 5; i++) {
      // Replicas 0-2 sync from a streamed RDB, 3-4 from the primary's file.
      const r = await node();
      replicas.push(r);
      if (i === 3) await p.c.config('SET', 'repl-diskless-sync', 'no');
      await follow(r.c, p.t);
    }
    // Writes keep coming while the syncs run.
    await mixedLoad(p.c, 30, 'during');
    for (const r of replicas) await caughtUp(p.c, r.c);
    const want = await digest(p.c);
    expect(want).not.toBe('0'.repeat(40));
    for (const r of replicas) expect(await digest(r.c)).toBe(want);
    const pi = await info(p.c);
    expect(pi.connected_slaves).toBe('5');
    expect(Number((await info(p.c, 'stats')).sync_full)).toBe(5);
    for (let i = 0; i < 5; i++) expect(pi[`slave${i}`]).toMatch(/^ip=127\.0\.0\.1,port=\d+,state=online,offset=\d+,lag=\d+$/);
    // WAIT: every replica acknowledges the last write.
    await p.c.set('last', 'write');
    expect(await p.c.call('WAIT', '5', '5000')).toBe(5);
    for (const r of replicas) {
      expect(await r.c.get('last')).toBe('write');
      const ri = await info(r.c);
      expect(ri.role).toBe('slave');
      expect(ri.master_replid).toBe(pi.master_replid);
    }
    // ROLE on both sides.
    const role = (await p.c.call('ROLE')) as [string, number, [string, string, string][]];
    expect(role[0]).toBe('master');
    expect(role[2]).toHaveLength(5);
    const rrole = (await replicas[0]!.c.call('ROLE')) as unknown[];
    expect(rrole).toEqual(['slave', '127.0.0.1', p.t.port, 'connected', expect.any(Number)]);
  }, 60_000);

  it('a replica of a replica gets the same stream and offsets (chain)', async () => {
    const p = await node();
    const r1 = await node();
    const r2 = await node();
    await follow(r1.c, p.t);
    await follow(r2.c, r1.t);
    await mixedLoad(p.c, 15);
    await caughtUp(p.c, r1.c);
    await caughtUp(r1.c, r2.c);
    const [pi, i1, i2] = await Promise.all([info(p.c), info(r1.c), info(r2.c)]);
    expect(i2.master_repl_offset).toBe(pi.master_repl_offset);
    expect(i1.master_replid).toBe(pi.master_replid);
    expect(i2.master_replid).toBe(pi.master_replid);
    expect(await digest(r2.c)).toBe(await digest(p.c));
    // The middle replica reports its own replica.
    expect(i1.connected_slaves).toBe('1');
  }, 30_000);
});

describe('a diskless sync in progress', () => {
  it('shows as rdb_bgsave_in_progress:1, refuses BGSAVE as Redis does, and the replica syncs (rdb-key-save-delay)', async () => {
    const p = await node({ 'rdb-key-save-delay': '40000' });
    for (let i = 0; i < 60; i++) await p.c.set(`k${i}`, `v${i}`);
    const r = await node();
    await follow(r.c, p.t);
    await waitFor('the sync to start', async () => (await info(p.c, 'persistence')).rdb_bgsave_in_progress === '1');
    await expect(p.c.bgsave()).rejects.toThrow('ERR Background save already in progress');
    // While its RDB streams, the replica is in wait_bgsave, with no lag counted (as Redis).
    await sleep(1100);
    expect((await info(p.c)).slave0).toMatch(/^ip=127\.0\.0\.1,port=\d+,state=wait_bgsave,offset=0,lag=0$/);
    expect(((await r.c.call('ROLE')) as unknown[])[3]).toBe('sync');
    await p.c.config('SET', 'rdb-key-save-delay', '0');
    await caughtUp(p.c, r.c);
    expect(await r.c.dbsize()).toBe(60);
    expect((await info(p.c, 'persistence')).rdb_bgsave_in_progress).toBe('0');
  }, 20_000);
});

describe('pub/sub across a replication group', () => {
  it('a message published on the primary reaches subscribers on its replicas, and stays out of the AOF', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-repl-pubsub-'));
    dirs.push(dir);
    const p = await node({ dir, appendonly: 'yes' });
    const r = await node();
    await follow(r.c, p.t);
    await caughtUp(p.c, r.c);
    const sub = await r.t.client();
    const got = new Promise<[string, string]>((resolve) => sub.on('message', (ch: string, msg: string) => resolve([ch, msg])));
    await sub.subscribe('news');
    expect(await p.c.publish('news', 'hello')).toBe(0); // nobody subscribed on the primary itself
    expect(await got).toEqual(['news', 'hello']);
    await p.c.set('k', 'v');
    await caughtUp(p.c, r.c);
    const incr = fs.readFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'latin1');
    expect(incr).toContain('$1\r\nk\r\n$1\r\nv\r\n');
    expect(incr.toLowerCase()).not.toContain('publish');
  }, 20_000);
});

describe('repl-backlog-ttl', () => {
  it('frees the backlog of a primary left without replicas for that long, and a replica that comes back syncs fully', async () => {
    const p = await node({ 'repl-backlog-ttl': '1' });
    const r = await node();
    await follow(r.c, p.t);
    await caughtUp(p.c, r.c);
    expect((await info(p.c)).repl_backlog_active).toBe('1');
    await r.c.call('REPLICAOF', 'NO', 'ONE');
    await waitFor('the backlog to be freed', async () => (await info(p.c)).repl_backlog_active === '0', 5_000);
    const pi = await info(p.c);
    expect(pi.repl_backlog_histlen).toBe('0');
    expect(pi.connected_slaves).toBe('0');
    await p.c.set('after', 'ttl');
    await follow(r.c, p.t);
    await caughtUp(p.c, r.c);
    expect(await r.c.get('after')).toBe('ttl');
    expect((await info(p.c, 'stats')).sync_full).toBe('2');
  }, 20_000);
});

describe('a writable replica', () => {
  it("expires the keys its own clients gave a TTL, and leaves the primary's to the primary's DEL", async () => {
    const p = await node();
    const r = await node();
    await p.c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await p.c.set('primary:ttl', 'x', 'PX', 50);
    await follow(r.c, p.t);
    await caughtUp(p.c, r.c);
    expect(await r.c.config('SET', 'replica-read-only', 'no')).toBe('OK');
    expect(await r.c.set('local:ttl', 'y', 'PX', 50)).toBe('OK');
    await r.c.set('local:plain', 'z');
    await sleep(300);
    // The replica's own key was expired by its cron; the primary's stays until the primary deletes it.
    expect(await r.c.dbsize()).toBe(2);
    expect(await r.c.exists('primary:ttl')).toBe(0);
    expect(await r.c.get('local:plain')).toBe('z');
    // A write over the primary's expired key starts it afresh, without the old TTL.
    expect(await r.c.incr('primary:ttl')).toBe(1);
    expect(await r.c.ttl('primary:ttl')).toBe(-1);
    expect(await r.c.dbsize()).toBe(2);
    await p.c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    await waitFor('the primary to expire its key', async () => (await r.c.exists('primary:ttl')) === 0 && (await r.c.dbsize()) === 1);
  }, 20_000);
});

describe('a primary that becomes a replica', () => {
  it('releases its blocked clients with the UNBLOCKED error and closes them (no desync by BLPOP)', async () => {
    const a = await node();
    const b = await node();
    const blocked = await b.t.client({ retryStrategy: () => null });
    blocked.on('error', () => undefined);
    const closed = new Promise((r) => blocked.once('end', r));
    const reply = blocked.blpop('foo', 0).catch((e: Error) => e.message);
    await waitFor('BLPOP to block', async () => (await info(b.c, 'clients')).blocked_clients === '1');
    await follow(b.c, a.t);
    expect(await reply).toBe('UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)');
    await closed;
    await caughtUp(a.c, b.c);
    await a.c.rpush('foo', 'a', 'b', 'c');
    await caughtUp(a.c, b.c);
    expect(await b.c.lrange('foo', 0, -1)).toEqual(['a', 'b', 'c']);
    expect(await digest(b.c)).toBe(await digest(a.c));
  }, 20_000);
});

describe('promotion', () => {
  it('keeps every write acknowledged by WAIT when a replica is promoted and the others follow it', async () => {
    const p = await node();
    const rs = [await node(), await node(), await node()];
    for (const r of rs) await follow(r.c, p.t);
    for (const r of rs) await caughtUp(p.c, r.c);
    const acked: string[] = [];
    for (let i = 0; i < 200; i++) {
      await p.c.set(`k${i}`, `v${i}`);
      if (i % 10 === 9) {
        expect(await p.c.call('WAIT', '3', '5000')).toBe(3);
        for (let j = i - 9; j <= i; j++) acked.push(`k${j}`);
      }
    }
    const oldId = (await info(p.c)).master_replid;
    // The primary fails.
    p.c.disconnect();
    await p.t.stop();
    servers.splice(servers.indexOf(p.t), 1);
    const [newPrimary, ...others] = rs as [typeof rs[0], ...typeof rs];
    expect(await newPrimary.c.call('REPLICAOF', 'NO', 'ONE')).toBe('OK');
    const ni = await info(newPrimary.c);
    expect(ni.role).toBe('master');
    expect(ni.master_replid2).toBe(oldId);
    expect(Number(ni.second_repl_offset)).toBe(Number(ni.master_repl_offset) + 1);
    for (const r of others) await follow(r.c, newPrimary.t);
    for (const r of others) await caughtUp(newPrimary.c, r.c);
    // They continued the shared history: partial resyncs, no full one.
    const stats = await info(newPrimary.c, 'stats');
    expect(stats.sync_partial_ok).toBe('2');
    expect(stats.sync_full).toBe('0');
    for (const r of [newPrimary, ...others]) {
      const values = await r.c.mget(...acked);
      expect(values).toEqual(acked.map((k) => `v${k.slice(1)}`));
    }
    // The new primary takes writes and its replicas acknowledge them.
    await newPrimary.c.set('after', 'failover');
    expect(await newPrimary.c.call('WAIT', '2', '5000')).toBe(2);
    for (const r of others) expect(await r.c.get('after')).toBe('failover');
    expect(await digest(others[0]!.c)).toBe(await digest(newPrimary.c));
  }, 60_000);
});

describe('a primary restarted from its dump.rdb', () => {
  it('keeps its history, so its replica continues by partial resync; keys expired meanwhile go as DEL', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-repl-restart-'));
    dirs.push(dir);
    const p = await node({ dir });
    const r = await node();
    await follow(r.c, p.t);
    await mixedLoad(p.c, 5);
    await p.c.set('short', 'lived', 'PX', 300);
    await caughtUp(p.c, r.c);
    const before = await info(p.c);
    // SHUTDOWN saves dump.rdb with the replication ID and offset (save points are set).
    p.c.disconnect();
    const k = await p.t.client({ retryStrategy: () => null });
    await k.call('SHUTDOWN').catch(() => undefined);
    servers.splice(servers.indexOf(p.t), 1);
    await sleep(400); // 'short' expires while the primary is down
    const again = await node({ dir, port: String(p.t.port) });
    const ai = await info(again.c);
    expect(ai.master_replid2).toBe(before.master_replid);
    expect(ai.second_repl_offset).toBe(String(Number(before.master_repl_offset) + 1));
    // The expired key's DEL (after a SELECT) is in the stream beyond the saved offset.
    expect(Number(ai.master_repl_offset)).toBeGreaterThan(Number(before.master_repl_offset));
    await caughtUp(again.c, r.c);
    const stats = await info(again.c, 'stats');
    expect(stats.sync_partial_ok).toBe('1');
    expect(stats.sync_full).toBe('0');
    expect(await r.c.exists('short')).toBe(0);
    expect(await digest(r.c)).toBe(await digest(again.c));
  }, 30_000);
});

// ---- A replica process killed with SIGKILL ----

interface Proc {
  child: ChildProcess;
  port: number;
  exited: Promise<void>;
}

async function spawnReplica(dir: string, port: number, primaryPort: number): Promise<Proc> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--replicaof', '127.0.0.1', String(primaryPort)];
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(`kioku-server on ${port} (${stderr})`, async () => {
    if (child.exitCode !== null) throw new Error(`kioku-server exited ${child.exitCode}: ${stderr}`);
    const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => undefined); // refused while the server starts: retried by waitFor
    try {
      await c.connect();
      return (await c.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      c.disconnect();
    }
  });
  return { child, port, exited };
}

async function kill9(p: Proc): Promise<void> {
  p.child.kill('SIGKILL');
  await p.exited;
  children.delete(p.child);
}

describe('a replica killed with SIGKILL and restarted mid-load', () => {
  it('comes back by partial resync when the backlog covers the gap, by full resync when it does not', async () => {
    if (!fs.existsSync(path.join(root, 'dist', 'main.js'))) throw new Error('dist/main.js is missing: run `npm run build` (npm test does)');
    const p = await node({ 'repl-backlog-size': '4mb' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-repl-kill-'));
    dirs.push(dir);
    const port = await freePort();
    let writing = true;
    let written = 0;
    const writer = (async () => {
      const w = await p.t.client();
      while (writing) {
        const pl = w.pipeline();
        for (let i = 0; i < 50; i++) pl.set(`load:${written % 5000}`, `${written++}`);
        await pl.exec();
        await sleep(5);
      }
    })();
    try {
      let r = await spawnReplica(dir, port, p.t.port);
      let rc = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
      await waitFor('the first sync', async () => (await info(rc)).master_link_status === 'up');
      // A snapshot on the replica records its replication ID and offset in dump.rdb.
      await rc.bgsave();
      await waitFor('the replica BGSAVE', async () => (await info(rc, 'persistence')).rdb_bgsave_in_progress === '0');
      expect((await info(rc, 'persistence')).rdb_last_bgsave_status).toBe('ok');
      await sleep(200);
      rc.disconnect();
      await kill9(r);
      await sleep(300);
      const before = await info(p.c, 'stats');
      r = await spawnReplica(dir, port, p.t.port);
      rc = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
      await waitFor('the partial resync', async () => (await info(rc)).master_link_status === 'up');
      let after = await info(p.c, 'stats');
      expect(Number(after.sync_partial_ok) - Number(before.sync_partial_ok)).toBe(1);
      expect(after.sync_full).toBe(before.sync_full);

      // Now it misses more than the backlog holds while it is down.
      await p.c.config('SET', 'repl-backlog-size', '16kb');
      await rc.bgsave();
      await waitFor('the replica BGSAVE', async () => (await info(rc, 'persistence')).rdb_bgsave_in_progress === '0');
      rc.disconnect();
      await kill9(r);
      const big = 'x'.repeat(1000);
      for (let i = 0; i < 100; i++) await p.c.set(`big:${i}`, big);
      r = await spawnReplica(dir, port, p.t.port);
      rc = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
      await waitFor('the full resync', async () => (await info(rc)).master_link_status === 'up');
      after = await info(p.c, 'stats');
      expect(Number(after.sync_full)).toBe(Number(before.sync_full) + 1);
      writing = false;
      await writer;
      await caughtUp(p.c, rc);
      expect(await digest(rc)).toBe(await digest(p.c));
      rc.disconnect();
    } finally {
      writing = false;
      await writer.catch(() => undefined);
    }
  }, 60_000);
});
