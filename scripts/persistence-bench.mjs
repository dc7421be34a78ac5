#!/usr/bin/env node
/**
 * persistence-bench.mjs: persistence costs, Kioku vs redis-server, same machine, same run.
 *
 * 1. SET throughput with `appendonly yes`, under `appendfsync always` and `appendfsync everysec`:
 *    redis-benchmark -t set -c 50 -r 100000 at -P 1 and -P 16 (N requests each), R rounds alternating
 *    the servers, median per server and the Kioku/Redis ratio (target ≥ 0.8 at everysec).
 * 2. Load time of a 1,000,000-key dataset, from the process's spawn until PING answers +PONG (not
 *    -LOADING), beside the start-up time with no file: once from an AOF (an appendonlydir whose
 *    base file is RESP commands, as `aof-use-rdb-preamble no` writes it — the replay path) and once
 *    from a dump.rdb that redis-server wrote from that dataset (SAVE). Both servers load the same
 *    files (fresh copies per run); the dataset is checked after each load by DBSIZE and DEBUG
 *    DIGEST, which must equal redis-server's. Median of L runs per server.
 *    The dataset: 900,000 strings (key:%07d → 10-byte values, a tenth of them integers, a tenth with
 *    a TTL) and 25,000 each of lists, hashes, sets and sorted sets of 8 small elements (listpack /
 *    intset encodings), over databases 0 and 1.
 *
 *   node scripts/persistence-bench.mjs [--requests N] [--rounds R] [--loads L] [--keys K]
 *        [--throughput 0|1] [--load 0|1] [--kioku 0|1] [--kioku-port P] [--redis-port P]
 *
 * Defaults: N = 100000, R = 3, L = 3, K = 1000000, both parts; ports 0 = a free loopback port.
 * --kioku 0 measures redis-server alone (its figures, no ratios).
 * Starts Kioku as users start it (bin/kioku-server; run `npm run build` first) and Debian's
 * redis-server, each in a temporary directory of its own (removed at exit). Needs redis-benchmark.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { children, freePort, numericOptions, sleep, startServer } from './lib/servers.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const KIOKU = `${root}/bin/kioku-server`;
const o = numericOptions({
  requests: 100000, rounds: 3, loads: 3, keys: 1000000, throughput: 1, load: 1, kioku: 1, 'kioku-port': 0, 'redis-port': 0,
});
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-persistence-bench-'));
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  fs.rmSync(work, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const portFor = async (name) => (o[`${name}-port`] || (await freePort()));
const SERVERS = o.kioku ? ['kioku', 'redis'] : ['redis'];
/** Kioku/Redis, or '-' when Kioku is not measured. */
const ratio = (k, r) => (k === undefined ? '-' : (k / r).toFixed(2));

/** The server command line: Kioku's and redis-server's take the same directives. */
function command(name, port, dir, directives) {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...directives];
  return name === 'kioku' ? [KIOKU, [...args, '--loglevel', 'warning']] : ['redis-server', [...args, '--enable-debug-command', 'yes']];
}

/** Sends one command on a fresh connection and resolves with its reply (one line) as text. */
function ask(port, args, timeoutMs = 600_000) {
  return new Promise((resolve, reject) => {
    let req = `*${args.length}\r\n`;
    for (const a of args) req += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
    const s = net.connect({ port, host: '127.0.0.1' }, () => s.write(req));
    let out = '';
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`no reply to ${args[0]} from port ${port}`));
    }, timeoutMs);
    s.on('data', (d) => {
      out += d.toString('latin1');
      if (out.endsWith('\r\n')) {
        clearTimeout(t);
        s.destroy();
        resolve(out.trim());
      }
    });
    s.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    s.on('close', () => {
      clearTimeout(t);
      resolve(out.trim()); // SHUTDOWN closes without a reply
    });
  });
}

/** Stops a started server (SHUTDOWN NOSAVE, then SIGKILL if it lingers) and waits for its exit. */
async function stop(child, port) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  await ask(port, ['SHUTDOWN', 'NOSAVE'], 5000).catch(() => {});
  await Promise.race([exited, sleep(5000)]);
  if (child.exitCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
}

// ---- 1. SET throughput with appendonly yes ----

/** One redis-benchmark run: requests per second. */
function benchmarkSet(port, pipeline) {
  const r = spawnSync(
    'redis-benchmark',
    ['-p', String(port), '-c', '50', '-P', String(pipeline), '-n', String(o.requests), '-r', '100000', '--csv', '-t', 'set'],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`redis-benchmark failed: ${r.stderr}`);
  const last = r.stdout.trim().split('\n').at(-1);
  return Number(last.split(',')[1].replace(/"/g, ''));
}

async function throughput() {
  console.log(`SET with appendonly yes: redis-benchmark -t set -c 50 -r 100000 -n ${o.requests}, ${o.rounds} rounds, median rps\n`);
  console.log('appendfsync  -P   kioku rps     redis rps     ratio   (kioku rounds | redis rounds)');
  const rows = [];
  for (const fsync of ['always', 'everysec']) {
    const servers = {};
    for (const name of SERVERS) {
      const port = await portFor(name);
      const dir = fs.mkdtempSync(path.join(work, `${name}-${fsync}-`));
      const [cmd, args] = command(name, port, dir, ['--appendonly', 'yes', '--appendfsync', fsync]);
      servers[name] = { port, child: await startServer(cmd, args, port) };
    }
    for (const pipeline of [1, 16]) {
      const rates = { kioku: [], redis: [] };
      for (let round = 0; round < o.rounds; round++) {
        for (const name of SERVERS) rates[name].push(benchmarkSet(servers[name].port, pipeline));
      }
      const k = median(rates.kioku);
      const r = median(rates.redis);
      rows.push({ fsync, pipeline, k, r });
      console.log(
        `${fsync.padEnd(11)}  ${String(pipeline).padStart(2)}  ${(k === undefined ? '-' : fmtInt(k)).padStart(10)}  ${fmtInt(r).padStart(12)}  ${ratio(k, r).padStart(8)}` +
          `   (${rates.kioku.map(fmtInt).join(', ')} | ${rates.redis.map(fmtInt).join(', ')})`,
      );
    }
    for (const name of SERVERS) await stop(servers[name].child, servers[name].port);
  }
  const everysec = rows.filter((x) => x.fsync === 'everysec').map((x) => ratio(x.k, x.r));
  console.log(`target: ratio ≥ 0.8 at everysec (measured ${everysec.join(' at -P 1, ')} at -P 16)\n`);
}

// ---- 2. Load time of a 1,000,000-key AOF and dump.rdb ----

function resp(args) {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return s;
}

/**
 * Writes the dataset as RESP commands (an AOF base file, as `aof-use-rdb-preamble no` writes it);
 * returns the number of keys, and how many are in database 0.
 */
function writeDataset(file) {
  const fd = fs.openSync(file, 'w');
  let buf = '';
  const flush = (force) => {
    if (buf.length > 1 << 20 || (force && buf.length > 0)) {
      fs.writeSync(fd, buf, null, 'latin1');
      buf = '';
    }
  };
  const aggregates = Math.floor(o.keys / 40); // per type: 4 types = a tenth of the keys
  const strings = o.keys - 4 * aggregates;
  const expireAt = String(Date.now() + 30 * 24 * 3600 * 1000); // far enough not to expire during the run
  let db = -1;
  const select = (d) => {
    if (d !== db) buf += resp(['SELECT', String((db = d))]);
  };
  for (let i = 0; i < strings; i++) {
    select(i < strings / 2 ? 0 : 1);
    const key = `key:${String(i).padStart(7, '0')}`;
    buf += resp(['SET', key, i % 10 === 0 ? String(i * 7919) : `val:${String(i % 1000000).padStart(6, '0')}`]);
    if (i % 10 === 5) buf += resp(['PEXPIREAT', key, expireAt]);
    flush(false);
  }
  for (let i = 0; i < aggregates; i++) {
    select(i % 2);
    const n = String(i).padStart(6, '0');
    const els = Array.from({ length: 8 }, (_, j) => `e${j}:${n}`);
    buf += resp(['RPUSH', `list:${n}`, ...els]);
    buf += resp(['HSET', `hash:${n}`, ...els.flatMap((e, j) => [`f${j}`, e])]);
    buf += resp(['SADD', `set:${n}`, ...Array.from({ length: 8 }, (_, j) => String(i * 8 + j))]);
    buf += resp(['ZADD', `zset:${n}`, ...els.flatMap((e, j) => [String(j * 1.5), e])]);
    flush(false);
  }
  flush(true);
  fs.closeSync(fd);
  return { keys: strings + 4 * aggregates, db0: Math.ceil(strings / 2) + 4 * Math.ceil(aggregates / 2) };
}

/** Spawns a server and measures ms until PING answers +PONG (polling every 5 ms). */
async function timeToReady(name, dir, directives) {
  const port = await portFor(name);
  const [cmd, args] = command(name, port, dir, directives);
  const t0 = performance.now();
  const child = spawn(cmd, args, { stdio: 'ignore' });
  children.push(child);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) while loading from ${dir}`);
    const reply = await ask(port, ['PING'], 60_000).catch(() => '');
    if (reply === '+PONG') break;
    await sleep(5);
  }
  const ms = performance.now() - t0;
  return { ms, port, child };
}

async function loadTimes() {
  const aofDir = path.join(work, 'appendonlydir');
  fs.mkdirSync(aofDir);
  process.stdout.write(`Load time: writing a ${o.keys.toLocaleString('en-US')}-key dataset as an AOF... `);
  const { keys, db0 } = writeDataset(path.join(aofDir, 'appendonly.aof.1.base.aof'));
  fs.writeFileSync(path.join(aofDir, 'appendonly.aof.1.incr.aof'), '');
  fs.writeFileSync(
    path.join(aofDir, 'appendonly.aof.manifest'),
    'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
  );
  const aofBytes = fs.statSync(path.join(aofDir, 'appendonly.aof.1.base.aof')).size;
  // redis-server loads a copy of the AOF once and SAVEs the dump.rdb both servers then load.
  const makerDir = path.join(work, 'maker');
  fs.cpSync(aofDir, path.join(makerDir, 'appendonlydir'), { recursive: true });
  const maker = await timeToReady('redis', makerDir, ['--appendonly', 'yes']);
  const expected = { dbsize: await ask(maker.port, ['DBSIZE']), digest: await ask(maker.port, ['DEBUG', 'DIGEST']) };
  if (expected.dbsize !== `:${db0}`) throw new Error(`redis-server loaded ${expected.dbsize} keys in db 0, expected ${db0}`);
  await ask(maker.port, ['SAVE']);
  await stop(maker.child, maker.port);
  const rdbFile = path.join(work, 'dump.rdb');
  fs.renameSync(path.join(makerDir, 'dump.rdb'), rdbFile);
  fs.rmSync(makerDir, { recursive: true, force: true });
  console.log(`AOF ${(aofBytes / 1e6).toFixed(0)} MB, dump.rdb ${(fs.statSync(rdbFile).size / 1e6).toFixed(0)} MB`);

  const kinds = [
    ['(no file)', ['--appendonly', 'no'], () => {}],
    ['AOF (RESP base)', ['--appendonly', 'yes'], (dir) => fs.cpSync(aofDir, path.join(dir, 'appendonlydir'), { recursive: true })],
    ['dump.rdb', ['--appendonly', 'no', '--dbfilename', 'dump.rdb'], (dir) => fs.copyFileSync(rdbFile, path.join(dir, 'dump.rdb'))],
  ];
  console.log(`\n${keys.toLocaleString('en-US')} keys, spawn → first +PONG, median of ${o.loads} runs (ms)\n`);
  console.log('file              kioku ms   redis ms   ratio   (kioku runs | redis runs)');
  for (const [label, directives, prepare] of kinds) {
    const times = { kioku: [], redis: [] };
    for (let run = 0; run < o.loads; run++) {
      for (const name of SERVERS) {
        const dir = fs.mkdtempSync(path.join(work, `${name}-load-`));
        prepare(dir);
        const s = await timeToReady(name, dir, directives);
        const got = { dbsize: await ask(s.port, ['DBSIZE']), digest: await ask(s.port, ['DEBUG', 'DIGEST']) };
        await stop(s.child, s.port);
        fs.rmSync(dir, { recursive: true, force: true });
        const want = label === '(no file)' ? { dbsize: ':0', digest: `+${'0'.repeat(40)}` } : expected;
        if (got.dbsize !== want.dbsize || got.digest !== want.digest) {
          throw new Error(`${name} loaded a different dataset from its ${label}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
        }
        times[name].push(s.ms);
      }
    }
    const k = median(times.kioku);
    const r = median(times.redis);
    console.log(
      `${label.padEnd(16)}  ${(k === undefined ? '-' : fmtInt(k)).padStart(8)}  ${fmtInt(r).padStart(9)}  ${ratio(k, r).padStart(6)}` +
        `   (${times.kioku.map(fmtInt).join(', ')} | ${times.redis.map(fmtInt).join(', ')})`,
    );
  }
  console.log("(no file: the start-up time alone. Every load checked: DBSIZE of db 0 and DEBUG DIGEST equal to redis-server's)");
}

async function main() {
  if (o.throughput) await throughput();
  if (o.load) await loadTimes();
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
