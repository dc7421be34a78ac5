#!/usr/bin/env node
/**
 * Request-decoder micro-benchmark: Kioku's RespDecoder against the `redis-parser` npm package
 * (node-redis's old reply parser; a request multibulk is an array of bulk strings, so it can decode
 * requests too) on the same pipelined request streams, cut into 64 KB chunks as a socket delivers
 * them. Prints MB/s and commands/s for each, the median of several rounds. Then the cost of the
 * ReplyWriter's common replies, in ns per reply.
 *
 *   npm run build && node scripts/bench-decoder.mjs [--mb 32] [--rounds 7]
 *
 * Reads the compiled code from dist/ (or $KIOKU_DIST). Both decoders produce strings: Kioku's
 * latin1 Bytes, redis-parser its default (utf8) strings; redis-parser with returnBuffers is shown too.
 * Note for bulks spanning chunks: redis-parser returns such a string as a rope of per-chunk pieces
 * (`+=`), flattened only when first read, so its figure leaves out a copy that Kioku pays up front.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const require = createRequire(import.meta.url);
const Parser = require('redis-parser');
const dist = path.resolve(process.env.KIOKU_DIST ?? new URL('../dist', import.meta.url).pathname);
const { RespDecoder } = await import(pathToFileURL(path.join(dist, 'protocol/resp-decoder.js')).href);
const { ReplyWriter } = await import(pathToFileURL(path.join(dist, 'protocol/reply-writer.js')).href);

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const TOTAL_MB = opt('mb', 32);
const ROUNDS = opt('rounds', 7);
const CHUNK = 64 * 1024;

function mbulk(args) {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

/** A stream of `make(i)` commands totalling about TOTAL_MB, cut into 64 KB chunks. */
function workload(make) {
  const parts = [];
  let bytes = 0;
  let n = 0;
  while (bytes < TOTAL_MB * 1024 * 1024) {
    const s = mbulk(make(n++));
    parts.push(s);
    bytes += s.length;
  }
  const buf = Buffer.from(parts.join(''), 'latin1');
  const chunks = [];
  for (let i = 0; i < buf.length; i += CHUNK) chunks.push(buf.subarray(i, i + CHUNK));
  return { chunks, bytes: buf.length, commands: n };
}

function runKioku(w) {
  const d = new RespDecoder({ maxBulkLen: () => 512 * 1024 * 1024, authenticated: () => true });
  let count = 0;
  for (const c of w.chunks) {
    d.feed(c);
    while (d.next() !== null) count++;
  }
  return count;
}

function runRedisParser(w, returnBuffers) {
  let count = 0;
  const p = new Parser({
    returnReply() {
      count++;
    },
    returnError(e) {
      throw e;
    },
    returnBuffers,
  });
  for (const c of w.chunks) p.execute(c);
  return count;
}

function measure(fn, w) {
  const times = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    const n = fn(w);
    const ns = Number(process.hrtime.bigint() - t0);
    if (n !== w.commands) throw new Error(`decoded ${n} commands, expected ${w.commands}`);
    times.push(ns);
  }
  times.sort((a, b) => a - b);
  const ns = times[Math.floor(times.length / 2)];
  return { mbps: w.bytes / 1048576 / (ns / 1e9), cps: w.commands / (ns / 1e9) };
}

const value100 = 'v'.repeat(100);
const value16k = 'x'.repeat(16 * 1024);
const value256k = 'y'.repeat(256 * 1024);
const workloads = [
  ['SET key:NNNNNN xyz (small)', (i) => ['SET', `key:${String(i % 1e6).padStart(6, '0')}`, 'xyz']],
  ['SET key:NNNNNN <100 B>', (i) => ['SET', `key:${String(i % 1e6).padStart(6, '0')}`, value100]],
  ['MSET 10 pairs', (i) => ['MSET', ...Array.from({ length: 20 }, (_, j) => (j % 2 ? 'val' : `k${i}:${j}`))]],
  ['SET k <16 KB>', () => ['SET', 'k', value16k]],
  ['SET k <256 KB> (spans chunks)', () => ['SET', 'k', value256k]],
];

console.log(`node ${process.version}; ~${TOTAL_MB} MB per workload in 64 KB chunks; median of ${ROUNDS} rounds\n`);
const rows = [['workload', 'kioku MB/s', 'kioku cmd/s', 'redis-parser MB/s', 'cmd/s', 'redis-parser(buffers) MB/s', 'kioku/parser']];
for (const [name, make] of workloads) {
  const w = workload(make);
  const k = measure(runKioku, w);
  const p = measure((x) => runRedisParser(x, false), w);
  const pb = measure((x) => runRedisParser(x, true), w);
  rows.push([name, k.mbps.toFixed(0), k.cps.toExponential(2), p.mbps.toFixed(0), p.cps.toExponential(2), pb.mbps.toFixed(0), (k.mbps / p.mbps).toFixed(2) + 'x']);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));

// ---- ReplyWriter ----

/** ns per reply, flushing every 64 replies as a pipelined batch would (median of ROUNDS). */
function writerCost(write) {
  const sink = { write() {} };
  const N = 1_000_000;
  const times = [];
  for (let r = 0; r < ROUNDS; r++) {
    const w = new ReplyWriter(sink);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      write(w, i);
      if ((i & 63) === 63) w.flush();
    }
    w.flush();
    times.push(Number(process.hrtime.bigint() - t0) / N);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const v3 = 'xyz';
const v100 = 'v'.repeat(100);
const v1k = 'w'.repeat(1000);
const writerRows = [
  ['ok()', (w) => w.ok()],
  ['integer(i)', (w, i) => w.integer(i)],
  ['integer(-i * 1e6)', (w, i) => w.integer(-i * 1e6)],
  ['bulk(3 B)', (w) => w.bulk(v3)],
  ['bulk(100 B)', (w) => w.bulk(v100)],
  ['bulk(1 KB)', (w) => w.bulk(v1k)],
  ['arrayHeader(i & 1023)', (w, i) => w.arrayHeader(i & 1023)],
];
console.log('\nReplyWriter, ns per reply:');
for (const [name, fn] of writerRows) console.log(`  ${name.padEnd(24)} ${writerCost(fn).toFixed(1).padStart(8)}`);
