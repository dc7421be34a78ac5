/**
 * bench-report.mjs: turns the raw rows written by scripts/bench.sh into the comparison table
 * (median of the rounds per test, pipeline depth and server) and checks Kioku's targets.
 *
 *   node scripts/bench-report.mjs RESULTS_FILE [MEMORY_FILE]
 *
 * RESULTS_FILE rows (tab-separated): test  pipeline  server  round  rps  p50_ms  p99_ms  cpu_us_per_req
 * MEMORY_FILE rows (tab-separated):  server  seconds_after_load  keys  empty_rss_kb  empty_anon_kb  loaded_rss_kb  loaded_anon_kb
 * server is "kioku" or "redis". Exit status 0 whatever the outcome: the table is the result.
 */
import { readFileSync, existsSync } from 'node:fs';

const [resultsFile, memoryFile] = process.argv.slice(2);
if (!resultsFile) {
  console.error('usage: bench-report.mjs RESULTS_FILE [MEMORY_FILE]');
  process.exit(2);
}

/** Throughput targets: Kioku rps / Redis rps at least this, per test and pipeline depth. */
const CORE_TARGET = { 1: 0.9, 16: 0.7 };
const COLLECTION_TARGET = { 1: 0.8, 16: 0.5 };
const RPS_TARGETS = new Map([
  ['GET', CORE_TARGET],
  ['SET', CORE_TARGET],
  ...['LPUSH', 'RPUSH', 'LPOP', 'RPOP', 'SADD', 'HSET', 'SPOP', 'ZADD', 'ZPOPMIN', 'LRANGE_100', 'LRANGE_600'].map(
    (t) => [t, COLLECTION_TARGET],
  ),
]);
/** Kioku CPU per request and loaded-keyspace RSS at most this many times Redis's. */
const CPU_TARGET = 1.5;
const MEMORY_TARGET = 1.5;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function rows(file) {
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t'));
}

const groups = new Map(); // "test\tpipeline" → { kioku: [...], redis: [...] }
for (const [test, pipeline, server, , rps, p50, p99, cpu] of rows(resultsFile)) {
  const key = `${test}\t${pipeline}`;
  if (!groups.has(key)) groups.set(key, { kioku: [], redis: [] });
  groups.get(key)[server].push({ rps: +rps, p50: +p50, p99: +p99, cpu: +cpu });
}

function summarize(runs) {
  if (runs.length === 0) return undefined;
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpu: median(runs.filter((r) => r.cpu > 0).map((r) => r.cpu)),
    n: runs.length,
  };
}

const fmtInt = (n) => (n === undefined || Number.isNaN(n) ? '-' : Math.round(n).toLocaleString('en-US'));
const fmt2 = (n) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(2));
const fmt3 = (n) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(3));

const header = ['test', 'P', 'kioku rps', 'redis rps', 'ratio', 'target', 'kioku p50/p99 ms', 'redis p50/p99 ms', 'kioku cpu µs/req', 'redis cpu µs/req', 'cpu ratio'];
const table = [header];
const failures = [];
let cpuRatios = [];
for (const [key, g] of groups) {
  const [test, pipeline] = key.split('\t');
  const k = summarize(g.kioku);
  const r = summarize(g.redis);
  const ratio = k && r ? k.rps / r.rps : NaN;
  const cpuRatio = k && r ? k.cpu / r.cpu : NaN;
  let target = '';
  const t = RPS_TARGETS.get(test)?.[pipeline];
  if (t !== undefined) {
    const ok = ratio >= t;
    target = `≥${t} ${ok ? 'ok' : 'MISS'}`;
    if (!ok) failures.push(`${test} -P ${pipeline}: rps ratio ${fmt2(ratio)} < ${t}`);
  }
  if (!Number.isNaN(cpuRatio)) cpuRatios.push(cpuRatio);
  table.push([
    test,
    pipeline,
    fmtInt(k?.rps),
    fmtInt(r?.rps),
    fmt2(ratio),
    target,
    k ? `${fmt3(k.p50)}/${fmt3(k.p99)}` : '-',
    r ? `${fmt3(r.p50)}/${fmt3(r.p99)}` : '-',
    fmt2(k?.cpu),
    fmt2(r?.cpu),
    fmt2(cpuRatio),
  ]);
}

function printTable(t) {
  const widths = t[0].map((_, c) => Math.max(...t.map((row) => String(row[c]).length)));
  for (const [i, row] of t.entries()) {
    console.log(row.map((cell, c) => (c < 2 || c === 5 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

const rounds = Math.max(0, ...[...groups.values()].map((g) => g.kioku.length));
console.log(`\nThroughput (median of ${rounds} round(s); ratio = kioku/redis; cpu = server user+sys time per request)\n`);
printTable(table);

if (cpuRatios.length > 0) {
  const worst = Math.max(...cpuRatios);
  const med = median(cpuRatios);
  const ok = worst <= CPU_TARGET;
  console.log(`\nCPU per request, kioku/redis: median ${fmt2(med)}, worst ${fmt2(worst)} (target ≤ ${CPU_TARGET}: ${ok ? 'ok' : 'MISS'})`);
  if (!ok) failures.push(`CPU per request: worst ratio ${fmt2(worst)} > ${CPU_TARGET}`);
}

// Memory rows: one per server and reading (3 s after the load, and 45 s after, once V8's
// idle-time GC has run); the target is judged on the 3 s reading.
const mem = rows(memoryFile).map(([server, after, keys, base, baseAnon, loaded, loadedAnon]) => ({
  server,
  after: +after,
  keys: +keys,
  base: +base,
  baseAnon: +baseAnon,
  loaded: +loaded,
  loadedAnon: +loadedAnon,
}));
if (mem.length > 0) {
  console.log('\nMemory (VmRSS, and its anonymous part RssAnon; 1,000,000 keys with 10-byte values)\n');
  const mt = [['server', 'read after', 'keys', 'empty MB', 'loaded MB', 'data MB (loaded-empty)', 'bytes/key', 'anon empty MB', 'anon loaded MB']];
  for (const m of mem) {
    mt.push([
      m.server,
      `${m.after} s`,
      fmtInt(m.keys),
      fmt2(m.base / 1024),
      fmt2(m.loaded / 1024),
      fmt2((m.loaded - m.base) / 1024),
      fmtInt(((m.loaded - m.base) * 1024) / m.keys),
      fmt2(m.baseAnon / 1024),
      fmt2(m.loadedAnon / 1024),
    ]);
  }
  printTable(mt);
  console.log('');
  for (const after of [...new Set(mem.map((m) => m.after))]) {
    const k = mem.find((m) => m.server === 'kioku' && m.after === after);
    const r = mem.find((m) => m.server === 'redis' && m.after === after);
    if (!k || !r) continue;
    const total = k.loaded / r.loaded;
    const data = (k.loaded - k.base) / (r.loaded - r.base);
    const anon = k.loadedAnon / r.loadedAnon;
    const judged = after === 3;
    const ok = total <= MEMORY_TARGET;
    const verdict = judged ? ` (target ≤ ${MEMORY_TARGET}: ${ok ? 'ok' : 'MISS'})` : '';
    console.log(`RSS kioku/redis ${after} s after the load: total ${fmt2(total)}${verdict}, data only ${fmt2(data)}, anonymous ${fmt2(anon)}`);
    if (judged && !ok) failures.push(`memory: total RSS ratio ${fmt2(total)} > ${MEMORY_TARGET}`);
    if (k.keys !== r.keys) console.log(`warning: key counts differ (kioku ${k.keys}, redis ${r.keys})`);
  }
}

console.log(failures.length === 0 ? '\nAll targets met.' : `\nTargets missed:\n  ${failures.join('\n  ')}`);
