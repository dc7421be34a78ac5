#!/usr/bin/env node
/**
 * Hit rate under maxmemory: the same cache-aside workload against Kioku and redis-server, each
 * with the same maxmemory, under allkeys-lru and then allkeys-lfu.
 *
 *   npm run build && node scripts/hit-rate-bench.mjs [--maxmemory-mb 64] [--keys 0] [--value 100]
 *        [--warmup 3000000] [--requests 2000000] [--pipeline 200] [--seed 1] [--zipf 1]
 *
 * Workload: keys drawn from a Zipf distribution (exponent --zipf, default 1) by a seeded PRNG, so
 * both servers see the identical stream; each request is GET, and on a miss SET with a value of
 * --value bytes (cache-aside). The key space (--keys; 0 = ten times the number of keys that fit
 * in maxmemory, estimated from redis-server's bytes per key) is ten times larger than the cache.
 * A warm-up phase fills the cache; the hit rate is then measured over --requests requests, both
 * from INFO keyspace_hits / keyspace_misses (the measured phase only) and from the client's count.
 * Requests go in pipelined batches of --pipeline GETs (then the batch's SETs).
 *
 * Prints, per policy: hit rate of each server, the difference, and how many keys each holds at
 * the limit (DBSIZE): a server that stores a key in fewer bytes keeps more keys and hits more.
 * Exits 1 if Kioku's hit rate is more than 2 points below Redis's for a policy.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, numericOptions, startServer } from './lib/servers.mjs';
import { Conn } from './lib/conn.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const opts = numericOptions({
  'maxmemory-mb': 64,
  keys: 0,
  value: 100,
  warmup: 3_000_000,
  requests: 2_000_000,
  pipeline: 200,
  seed: 1,
  zipf: 1,
});
const POLICIES = ['allkeys-lru', 'allkeys-lfu'];
const VALUE = 'v'.repeat(opts.value);
const maxmemory = opts['maxmemory-mb'] * 1024 * 1024;

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Zipf(s) sampler over ranks 0..n-1 (rank 0 the most frequent): inverse CDF by binary search. */
function zipf(n, s, random) {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / Math.pow(i + 1, s);
  for (let i = 0; i < n; i++) cdf[i] /= sum;
  return () => {
    const u = random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/**
 * A rank's key name: the rank times an odd constant modulo 2^32 (a bijection, so names are
 * distinct), so that hot keys' names are not all alike.
 */
const keyName = (rank) => `key:${Math.imul(rank + 1, 0x9e3779b1) >>> 0}`;

function infoField(text, name) {
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

async function stats(conn) {
  const [text] = await conn.send([['INFO', 'stats']]);
  return { hits: infoField(text, 'keyspace_hits'), misses: infoField(text, 'keyspace_misses') };
}

/** Runs `count` cache-aside requests from `next`; returns the client-side hits. */
async function run(conn, next, count) {
  let hits = 0;
  for (let done = 0; done < count; ) {
    const n = Math.min(opts.pipeline, count - done);
    const keys = Array.from({ length: n }, () => keyName(next()));
    const replies = await conn.send(keys.map((k) => ['GET', k]));
    const sets = [];
    for (let i = 0; i < n; i++) {
      if (replies[i].startsWith('$-1')) sets.push(['SET', keys[i], VALUE]);
      else hits++;
    }
    if (sets.length > 0) {
      const r = await conn.send(sets);
      const bad = r.find((x) => !x.startsWith('+OK'));
      if (bad !== undefined) throw new Error(`SET failed: ${bad.trim()}`);
    }
    done += n;
  }
  return hits;
}

/** One server, one policy: warm up, measure, return the figures. */
async function measure(name, command, port, argv, policy, keySpace) {
  const child = await startServer(command, [...argv, '--maxmemory', String(maxmemory), '--maxmemory-policy', policy], port);
  const conn = await Conn.open(port);
  try {
    const random = prng(opts.seed);
    const next = zipf(keySpace, opts.zipf, random);
    const started = Date.now();
    await run(conn, next, opts.warmup);
    const before = await stats(conn);
    const hits = await run(conn, next, opts.requests);
    const after = await stats(conn);
    const [dbsize] = await conn.send([['DBSIZE']]);
    const [mem] = await conn.send([['INFO', 'memory']]);
    const serverHits = after.hits - before.hits;
    const serverMisses = after.misses - before.misses;
    return {
      name,
      rate: (100 * serverHits) / (serverHits + serverMisses),
      clientRate: (100 * hits) / opts.requests,
      keys: Number(dbsize.slice(1)),
      used: infoField(mem, 'used_memory'),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    conn.close();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-hitrate-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const common = (port) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
const servers = [
  { name: 'Kioku', command: `${root}/bin/kioku-server`, extra: ['--loglevel', 'warning'] },
  { name: 'Redis', command: 'redis-server', extra: [] },
];

// The key space: ten times what fits, from Redis's cost per key (measured on a small fill).
let keySpace = opts.keys;
if (keySpace === 0) {
  const port = await freePort();
  const child = await startServer('redis-server', common(port), port);
  const conn = await Conn.open(port);
  const base = infoField((await conn.send([['INFO', 'memory']]))[0], 'used_memory');
  const sample = 20_000;
  for (let i = 0; i < sample; i += 1000) {
    await conn.send(Array.from({ length: 1000 }, (_, j) => ['SET', keyName(i + j), VALUE]));
  }
  const perKey = (infoField((await conn.send([['INFO', 'memory']]))[0], 'used_memory') - base) / sample;
  conn.close();
  child.kill('SIGKILL');
  keySpace = Math.round((10 * maxmemory) / perKey);
}

console.log(
  `maxmemory ${opts['maxmemory-mb']} MB, key space ${keySpace} keys, Zipf s=${opts.zipf}, value ${opts.value} bytes, ` +
    `warm-up ${opts.warmup} + measured ${opts.requests} requests, pipeline ${opts.pipeline}, seed ${opts.seed}`,
);
let failed = false;
const rows = [];
for (const policy of POLICIES) {
  const results = [];
  for (const s of servers) {
    const port = await freePort();
    results.push(await measure(s.name, s.command, port, [...common(port), ...s.extra], policy, keySpace));
  }
  const [k, r] = results;
  const diff = k.rate - r.rate;
  if (diff < -2) failed = true;
  for (const x of results) {
    console.log(
      `${policy.padEnd(12)} ${x.name.padEnd(6)} hit rate ${x.rate.toFixed(2)}% (client ${x.clientRate.toFixed(2)}%), ` +
        `${x.keys} keys held, used_memory ${(x.used / 1048576).toFixed(1)} MB, ${x.seconds.toFixed(1)} s`,
    );
  }
  rows.push(`| ${policy} | ${k.rate.toFixed(2)} % | ${r.rate.toFixed(2)} % | ${diff >= 0 ? '+' : ''}${diff.toFixed(2)} | ${k.keys} | ${r.keys} |`);
}
console.log('\n| policy | Kioku | Redis | difference (points) | keys held (Kioku) | keys held (Redis) |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
if (failed) {
  console.log('\nFAIL: Kioku hit rate more than 2 points below Redis');
  process.exit(1);
}
