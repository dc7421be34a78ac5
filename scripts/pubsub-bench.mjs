#!/usr/bin/env node
/**
 * pubsub-bench.mjs: pub/sub fan-out, Kioku vs redis-server, same machine, same run. One publisher,
 * S subscribers (default 100) on one channel (SUBSCRIBE) and then on a pattern (PSUBSCRIBE);
 * reports messages delivered per second and the p50 / p99 delivery latency, and Kioku/Redis ratios.
 *
 *   node scripts/pubsub-bench.mjs [--messages N] [--subscribers S] [--size B] [--workers W] [--window K]
 *
 * Starts Kioku as users start it (bin/kioku-server; run `npm run build` first) and Debian's
 * redis-server on free loopback ports, without persistence. The subscribers live in W worker
 * processes (default 2), so that reading 100 sockets is not one process's bottleneck; the
 * publisher sends N PUBLISH commands (default 20,000, each of B bytes, default 64) with at most
 * K (default 50) unanswered at a time, after an unreported warm-up round on each server. Each payload starts with the publisher's monotonic clock
 * (process.hrtime, which is system-wide on Linux), so a subscriber measures the delay of the
 * messages it reads (every tenth is timed). Throughput is deliveries (N × S) over the time from the first PUBLISH to the
 * last delivery.
 */
import { fork } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { children, numericOptions, startBoth } from './lib/servers.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

// ---- A minimal RESP2 reader: complete multibulk-of-bulks or single-line replies ----

/** Parses replies from a growing buffer; calls onReply(items | line) for each complete one. */
class RespReader {
  constructor(onReply) {
    this.buf = Buffer.alloc(0);
    this.onReply = onReply;
  }

  feed(chunk) {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let pos = 0;
    for (;;) {
      const end = this.parseOne(pos);
      if (end < 0) break;
      pos = end;
    }
    this.buf = this.buf.subarray(pos);
  }

  /** Parses the reply at pos; returns the offset after it, or -1 when incomplete. */
  parseOne(pos) {
    const b = this.buf;
    const eol = b.indexOf('\r\n', pos);
    if (eol < 0) return -1;
    if (b[pos] !== 0x2a /* * */) {
      this.onReply(b.toString('latin1', pos, eol));
      return eol + 2;
    }
    const n = Number(b.toString('latin1', pos + 1, eol));
    const items = [];
    let p = eol + 2;
    for (let i = 0; i < n; i++) {
      const e = b.indexOf('\r\n', p);
      if (e < 0) return -1;
      if (b[p] === 0x3a /* : */) {
        items.push(b.toString('latin1', p + 1, e));
        p = e + 2;
        continue;
      }
      const len = Number(b.toString('latin1', p + 1, e));
      if (e + 2 + len + 2 > b.length) return -1;
      items.push(b.toString('latin1', e + 2, e + 2 + len));
      p = e + 2 + len + 2;
    }
    this.onReply(items);
    return p;
  }
}

function resp(args) {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return s;
}

// ---- Worker: a share of the subscribers ----

async function worker() {
  const [port, mode, count, expected] = process.argv.slice(3);
  const n = Number(count);
  const want = Number(expected);
  const latencies = [];
  let received = 0;
  let ready = 0;
  let lastAt = 0n;
  for (let i = 0; i < n; i++) {
    const s = net.connect({ port: Number(port), host: '127.0.0.1' });
    s.setNoDelay(true);
    const reader = new RespReader((r) => {
      if (!Array.isArray(r)) return;
      if (r[0] === 'subscribe' || r[0] === 'psubscribe') {
        if (++ready === n) process.send({ ready: true });
        return;
      }
      const now = process.hrtime.bigint();
      // Every 10th delivery is timed: enough for p99, little work for the reader.
      if (received % 10 === 0) {
        const payload = r[r.length - 1];
        latencies.push(Number(now - BigInt(payload.slice(0, payload.indexOf(' ')))) / 1e6);
      }
      lastAt = now;
      if (++received === want * n) process.send({ done: true, received, lastAt: String(lastAt), latencies });
    });
    s.on('data', (d) => reader.feed(d));
    s.write(mode === 'pattern' ? resp(['PSUBSCRIBE', 'bench:*']) : resp(['SUBSCRIBE', 'bench:channel']));
  }
}

// ---- Main: servers, publisher, report ----

/** Sends N PUBLISH commands with at most `window` unanswered; resolves with the start time. */
function publish(port, messages, size, window) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.setNoDelay(true);
    let sent = 0;
    let answered = 0;
    const start = process.hrtime.bigint();
    const pump = () => {
      let out = '';
      while (sent < messages && sent - answered < window) {
        const stamp = `${process.hrtime.bigint()} `;
        out += resp(['PUBLISH', 'bench:channel', stamp.padEnd(size, 'x')]);
        sent++;
      }
      if (out !== '') s.write(out);
    };
    const reader = new RespReader(() => {
      if (++answered === messages) {
        s.destroy();
        resolve(start);
      } else {
        pump();
      }
    });
    s.on('data', (d) => reader.feed(d));
    s.on('connect', pump);
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function run(port, mode, o) {
  const perWorker = Math.ceil(o.subscribers / o.workers);
  const workers = [];
  let remaining = o.subscribers;
  for (let w = 0; w < o.workers && remaining > 0; w++) {
    const n = Math.min(perWorker, remaining);
    remaining -= n;
    const child = fork(fileURLToPath(import.meta.url), ['--worker', String(port), mode, String(n), String(o.messages)], {
      stdio: 'inherit',
    });
    children.push(child);
    workers.push(child);
  }
  await Promise.all(workers.map((c) => new Promise((resolve) => c.on('message', (m) => m.ready && resolve()))));
  const results = workers.map((c) => new Promise((resolve) => c.on('message', (m) => m.done && resolve(m))));
  const start = await publish(port, o.messages, o.size, o.window);
  const done = await Promise.all(results);
  for (const c of workers) c.kill();
  const last = done.reduce((m, d) => (BigInt(d.lastAt) > m ? BigInt(d.lastAt) : m), 0n);
  const deliveries = done.reduce((n, d) => n + d.received, 0);
  const lat = done.flatMap((d) => d.latencies).sort((a, b) => a - b);
  return { rate: deliveries / (Number(last - start) / 1e9), p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

async function main() {
  const o = numericOptions({ messages: 20000, subscribers: 100, size: 64, workers: 2, window: 50 });
  const { kiokuPort, redisPort } = await startBoth(root);
  console.log(`pub/sub fan-out: 1 publisher, ${o.subscribers} subscribers in ${o.workers} processes, ${o.messages} messages of ${o.size} bytes, window ${o.window}\n`);
  console.log('mode      server  deliveries/s   p50 ms   p99 ms');
  // A short unreported round first: Kioku's JIT warms up, and both servers' buffers are sized.
  for (const port of [kiokuPort, redisPort]) await run(port, 'channel', { ...o, messages: Math.min(o.messages, 2000) });
  for (const mode of ['channel', 'pattern']) {
    const r = {};
    for (const [name, port] of [['kioku', kiokuPort], ['redis', redisPort]]) {
      r[name] = await run(port, mode, o);
      console.log(`${mode.padEnd(9)} ${name.padEnd(6)} ${Math.round(r[name].rate).toLocaleString('en-US').padStart(13)} ${r[name].p50.toFixed(2).padStart(8)} ${r[name].p99.toFixed(2).padStart(8)}`);
    }
    console.log(`${mode.padEnd(9)} ratio  ${(r.kioku.rate / r.redis.rate).toFixed(2).padStart(13)}   (target ≥ 0.7)`);
  }
  process.exit(0);
}

if (process.argv[2] === '--worker') worker();
else main().catch((e) => {
  console.error(e);
  process.exit(1);
});
