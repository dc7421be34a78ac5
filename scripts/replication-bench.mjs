#!/usr/bin/env node
/**
 * replication-bench.mjs: replication costs, Kioku vs redis-server, same machine, same run. Three
 * pairs of a primary and a replica are started in turn (no persistence, each server in a
 * temporary directory): redis-server → redis-server, Kioku → Kioku, and redis-server → Kioku
 * (the fastest primary, the hardest stream for a Kioku replica to keep up with). For each:
 *
 * 1. Full sync: the primary is filled with K string keys (key:%07d → 16 bytes) by pipelined SETs,
 *    then the replica is told REPLICAOF; the time runs from that command until the replica
 *    reports master_link_status:up with DBSIZE = K. Diskless (repl-diskless-sync yes, the 7.0
 *    default, with repl-diskless-sync-delay 0 so the delay does not count) and disk-based.
 * 2. Replica lag under load: `redis-benchmark -t set -P 16 -c 50 -n N -r 100000` on the primary
 *    while the primary's master_repl_offset and the replica's slave_repl_offset are sampled every
 *    50 ms. The lag of a sample is how long ago the primary had written what the replica has
 *    applied by then (when the primary's offset passed the replica's, interpolated between samples):
 *    reported as p50 / max, with the most bytes behind and the time the replica needed after
 *    the benchmark to reach the primary's final offset. Target: under 1 s.
 *
 *   node scripts/replication-bench.mjs [--keys K] [--requests N] [--kioku 0|1]
 *
 * Defaults: K = 1000000, N = 500000. Starts Kioku as users do (bin/kioku-server; run
 * `npm run build` first) and Debian's redis-server. Needs redis-benchmark.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, numericOptions, sleep, startServer } from './lib/servers.mjs';
import { Conn } from './lib/conn.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const o = numericOptions({ keys: 1_000_000, requests: 500_000, kioku: 1 });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-repl-bench-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));

/** Starts one server of `product` on a free port in a directory of its own. */
async function start(product, name) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(work, `${product}-${name}-`));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0'];
  const child =
    product === 'kioku'
      ? await startServer(`${root}/bin/kioku-server`, [...args, '--loglevel', 'warning'], port)
      : await startServer('redis-server', args, port);
  return { port, child, conn: await Conn.open(port) };
}

async function ask(server, ...args) {
  const [reply] = await server.conn.send([args]);
  return reply;
}

/** INFO replication field → value. */
async function infoFields(server, section = 'replication') {
  const text = await ask(server, 'INFO', section);
  const out = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

async function fill(port, keys) {
  const value = 'v'.repeat(16);
  const conns = await Promise.all([0, 1, 2, 3].map(() => Conn.open(port)));
  let next = 0;
  await Promise.all(
    conns.map(async (c) => {
      while (next < keys) {
        const batch = [];
        for (let i = 0; i < 2000 && next < keys; i++) batch.push(['SET', `key:${String(next++).padStart(7, '0')}`, value]);
        await c.send(batch);
      }
      c.close();
    }),
  );
}

/** REPLICAOF until the replica is up with every key: seconds. */
async function fullSync(primary, replica, keys) {
  const started = performance.now();
  await ask(replica, 'REPLICAOF', '127.0.0.1', String(primary.port));
  for (;;) {
    await sleep(20);
    const r = await infoFields(replica);
    if (r.master_link_status === 'up' && Number((await ask(replica, 'DBSIZE')).slice(1)) === keys) break;
    if (performance.now() - started > 600_000) throw new Error('the full sync did not finish in 10 minutes');
  }
  const seconds = (performance.now() - started) / 1000;
  await ask(replica, 'REPLICAOF', 'NO', 'ONE');
  await ask(replica, 'FLUSHALL');
  return seconds;
}

/** redis-benchmark on the primary while sampling offsets; lag figures in seconds. */
async function lagUnderLoad(primary, replica) {
  await ask(replica, 'REPLICAOF', '127.0.0.1', String(primary.port));
  for (;;) {
    const r = await infoFields(replica);
    if (r.master_link_status === 'up') break;
    await sleep(50);
  }
  const bench = spawn(
    'redis-benchmark',
    ['-p', String(primary.port), '-t', 'set', '-P', '16', '-c', '50', '-n', String(o.requests), '-r', '100000', '-q', '--csv'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  bench.stdout.on('data', (d) => (out += d));
  const done = new Promise((r) => bench.once('exit', r));
  let running = true;
  void done.then(() => (running = false));
  const primarySamples = []; // [ms, offset]
  const lags = [];
  let maxBytes = 0;
  while (running) {
    const [p, r] = await Promise.all([infoFields(primary), infoFields(replica)]);
    const now = performance.now();
    const po = Number(p.master_repl_offset);
    const ro = Number(r.slave_repl_offset);
    primarySamples.push([now, po]);
    maxBytes = Math.max(maxBytes, po - ro);
    // When did the primary's offset pass the replica's? Interpolated between two samples.
    let at = now;
    for (let i = primarySamples.length - 1; i > 0; i--) {
      const [t1, o1] = primarySamples[i];
      const [t0, o0] = primarySamples[i - 1];
      if (o0 <= ro) {
        at = ro >= o1 ? t1 : t0 + ((t1 - t0) * (ro - o0)) / Math.max(o1 - o0, 1);
        break;
      }
      at = t0;
    }
    lags.push((now - at) / 1000);
    await sleep(50);
  }
  await done;
  const finalOffset = Number((await infoFields(primary)).master_repl_offset);
  const t0 = performance.now();
  while (Number((await infoFields(replica)).slave_repl_offset) < finalOffset) await sleep(5);
  const drain = (performance.now() - t0) / 1000;
  const rps = Number(out.trim().split('\n').at(-1).split(',')[1].replace(/"/g, ''));
  lags.sort((a, b) => a - b);
  return { rps, p50: lags[Math.floor(lags.length / 2)], max: lags.at(-1), maxBytes, drain };
}

async function measure(primaryProduct, replicaProduct) {
  const primary = await start(primaryProduct, 'primary');
  const replica = await start(replicaProduct, 'replica');
  await fill(primary.port, o.keys);
  const diskless = await fullSync(primary, replica, o.keys);
  await ask(primary, 'CONFIG', 'SET', 'repl-diskless-sync', 'no');
  const disk = await fullSync(primary, replica, o.keys);
  await ask(primary, 'CONFIG', 'SET', 'repl-diskless-sync', 'yes');
  await ask(primary, 'FLUSHALL');
  const lag = await lagUnderLoad(primary, replica);
  for (const s of [primary, replica]) {
    s.conn.close();
    s.child.kill('SIGKILL');
  }
  return { diskless, disk, ...lag };
}

const fmt = (n, d = 2) => n.toFixed(d);
// primary → replica: each product with itself, then a Kioku replica of redis-server (the fastest
// primary there is: the hardest stream for a Kioku replica to keep up with).
const pairs = o.kioku ? [['redis', 'redis'], ['kioku', 'kioku'], ['redis', 'kioku']] : [['redis', 'redis']];
const results = {};
for (const [p, r] of pairs) {
  const name = `${p}→${r}`;
  results[name] = await measure(p, r);
  const x = results[name];
  console.log(
    `${name.padEnd(12)} full sync of ${o.keys} keys: diskless ${fmt(x.diskless)} s, disk ${fmt(x.disk)} s | ` +
      `SET -P 16 on the primary: ${Math.round(x.rps)} req/s, replica lag p50 ${fmt(x.p50, 3)} s, max ${fmt(x.max, 3)} s, ` +
      `max ${x.maxBytes} bytes behind, caught up ${fmt(x.drain, 3)} s after the load`,
  );
}
if (o.kioku) {
  const k = results['kioku→kioku'];
  const r = results['redis→redis'];
  const m = results['redis→kioku'];
  console.log(
    `ratios (Kioku / redis-server): full sync diskless ${fmt(k.diskless / r.diskless)}×, disk ${fmt(k.disk / r.disk)}× (target ≤ 2×); ` +
      `SET throughput ${fmt(k.rps / r.rps)}×; replica max lag: Kioku of Kioku ${fmt(k.max, 3)} s, Kioku of redis-server ${fmt(m.max, 3)} s (target < 1 s)`,
  );
}
process.exit(0);
