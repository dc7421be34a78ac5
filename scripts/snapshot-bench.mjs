#!/usr/bin/env node
/**
 * snapshot-bench.mjs: what a BGSAVE costs the clients of a large dataset, Kioku beside
 * redis-server, same machine, same run. For each server:
 *
 *   1. fill it with N keys (default 8,000,000 SETs of B = 64-byte values: about 1 GB in Kioku);
 *   2. baseline: a probe client sends GET <random key> one at a time for S seconds, while a
 *      writer client overwrites random keys (pipelined, W writes/s); latencies are recorded;
 *   3. BGSAVE, with the same probe and writer running until it ends; the server's resident
 *      memory is sampled every 20 ms.
 *
 * Reports the BGSAVE time, GET p50/p99/max idle and during the save (max = the longest stall a
 * client saw), and for Kioku the peak extra resident memory during the save as a share of the
 * dataset's (resident memory after the fill minus before). A forked redis-server's copied pages
 * live in the child and are not comparable this way; its figures are the latency side.
 *
 *   node scripts/snapshot-bench.mjs [--keys N] [--size B] [--seconds S] [--writes W]
 *
 * Run `npm run build` first. Both servers run in temporary directories, without save points.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, numericOptions, sleep, startServer } from './lib/servers.mjs';
import { Conn } from './lib/conn.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const opts = numericOptions({ keys: 8_000_000, size: 64, seconds: 5, writes: 20_000 });

function rss(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
}

async function fill(port) {
  const value = 'v'.repeat(opts.size);
  const conns = await Promise.all([0, 1, 2, 3].map(() => Conn.open(port)));
  let next = 0;
  await Promise.all(
    conns.map(async (c) => {
      while (next < opts.keys) {
        const batch = [];
        for (let i = 0; i < 2000 && next < opts.keys; i++) batch.push(['SET', `key:${next++}`, value]);
        await c.send(batch);
      }
      c.close();
    }),
  );
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/** Probe GETs and background writes until `until()` is true; returns GET latencies (ms), sorted. */
async function probe(port, until) {
  const probeConn = await Conn.open(port);
  const writer = await Conn.open(port);
  let stop = false;
  const writing = (async () => {
    const perBatch = 100;
    while (!stop) {
      const started = performance.now();
      const batch = [];
      for (let i = 0; i < perBatch; i++) batch.push(['SET', `key:${Math.floor(Math.random() * opts.keys)}`, 'rewritten']);
      await writer.send(batch);
      const budget = (perBatch / opts.writes) * 1000 - (performance.now() - started);
      if (budget > 0) await sleep(budget);
    }
  })();
  const lat = [];
  while (!(await until())) {
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await probeConn.send([['GET', `key:${Math.floor(Math.random() * opts.keys)}`]]);
      lat.push(performance.now() - t);
    }
  }
  stop = true;
  await writing;
  probeConn.close();
  writer.close();
  return lat.sort((a, b) => a - b);
}

async function run(name, command, args) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-snapbench-'));
  const port = await freePort();
  const child = await startServer(command, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args], port);
  try {
    const empty = rss(child.pid);
    const t0 = performance.now();
    await fill(port);
    const filled = rss(child.pid);
    const dataset = filled - empty;
    console.log(`${name}: ${opts.keys} keys filled in ${((performance.now() - t0) / 1000).toFixed(1)} s; dataset ${(dataset / 2 ** 20).toFixed(0)} MB resident`);
    const idleEnd = performance.now() + opts.seconds * 1000;
    const idle = await probe(port, async () => performance.now() > idleEnd);
    const admin = await Conn.open(port);
    let peak = rss(child.pid);
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, rss(child.pid));
      } catch {
        /* the process is gone */
      }
    }, 20);
    const before = rss(child.pid);
    const s0 = performance.now();
    const [started] = await admin.send([['BGSAVE']]);
    if (!started.startsWith('+Background saving started')) throw new Error(`BGSAVE: ${started}`);
    let lastCheck = 0;
    let saving = true;
    const during = await probe(port, async () => {
      if (performance.now() - lastCheck < 100) return !saving;
      lastCheck = performance.now();
      const [info] = await admin.send([['INFO', 'persistence']]);
      saving = info.includes('rdb_bgsave_in_progress:1');
      return !saving;
    });
    const seconds = (performance.now() - s0) / 1000;
    clearInterval(sampler);
    admin.close();
    const file = fs.statSync(path.join(dir, 'dump.rdb')).size;
    const row = (label, l) => `${label} p50 ${pct(l, 50).toFixed(3)} ms  p99 ${pct(l, 99).toFixed(3)} ms  max ${l[l.length - 1].toFixed(1)} ms  (${l.length} GETs)`;
    console.log(`${name}: BGSAVE ${seconds.toFixed(1)} s, dump.rdb ${(file / 2 ** 20).toFixed(0)} MB`);
    console.log(`${name}:   GET idle     ${row('', idle)}`);
    console.log(`${name}:   GET in BGSAVE${row('', during)}`);
    const extra = peak - before;
    console.log(`${name}:   extra resident memory during BGSAVE: ${(extra / 2 ** 20).toFixed(0)} MB = ${((extra * 100) / dataset).toFixed(1)}% of the dataset${name === 'redis' ? ' (parent only; the forked child is not counted)' : ''}`);
    return { seconds, idle, during, extra, dataset };
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const k = await run('kioku', `${root}/bin/kioku-server`, ['--loglevel', 'warning']);
const r = await run('redis', 'redis-server', []);
console.log(`BGSAVE time ratio kioku/redis: ${(k.seconds / r.seconds).toFixed(2)}; GET p99 during BGSAVE: kioku ${pct(k.during, 99).toFixed(3)} ms, redis ${pct(r.during, 99).toFixed(3)} ms`);
process.exit(0);
