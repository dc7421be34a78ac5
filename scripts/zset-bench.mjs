#!/usr/bin/env node
/**
 * zset-bench.mjs: sorted-set performance of Kioku next to redis-server, same machine, same run.
 *
 *   node scripts/zset-bench.mjs [--members N] [--requests N] [--kioku-port P] [--redis-port P] [--no-memory]
 *
 * For each server (Kioku started as users start it, bin/kioku-server from dist/ — run
 * `npm run build` first; Debian's redis-server), both on loopback without persistence:
 *   1. ZADD throughput: redis-benchmark -c 50 `zadd zbench __rand_int__ member:__rand_int__`
 *      with -r 1000000, at -P 1 and -P 16 (requests/s).
 *   2. Builds a sorted set of exactly N members (default 1,000,000) with random scores in
 *      [0, 1,000,000), the same on both (seeded), through pipelined ZADDs of 1,000 pairs; reports
 *      the time and members/s. Members are "member:%012d", the form redis-benchmark's
 *      __rand_int__ takes, so the latency runs below hit existing members.
 *   3. Latency (redis-benchmark -c 50 -P 1, --csv): `ZRANK lb member:__rand_int__` and
 *      `ZRANGEBYSCORE lb __rand_int__ +inf LIMIT 0 10`: requests/s, p50 and p99 in ms.
 *   4. The server's RSS before and after step 2 (VmRSS, as is: garbage of the fill included).
 * Then, unless --no-memory, runs scripts/collection-memory.mjs zset N --random-scores on fresh
 * servers for the settled and after-GC memory of the N-member set.
 * Ports (loopback): Kioku 7443, redis-server 7444 by default; the memory step uses 7445 / 7446.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { children, seededScore, sleep } from './lib/servers.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

let members = 1_000_000;
let requests = 200_000;
let kiokuPort = 7443;
let redisPort = 7444;
let memory = true;
const args = process.argv.slice(2);
while (args.length > 0) {
  const a = args.shift();
  if (a === '--members') members = Number(args.shift());
  else if (a === '--requests') requests = Number(args.shift());
  else if (a === '--kioku-port') kiokuPort = Number(args.shift());
  else if (a === '--redis-port') redisPort = Number(args.shift());
  else if (a === '--no-memory') memory = false;
  else {
    console.error(`unknown argument: ${a} (see the header of ${path.basename(process.argv[1])})`);
    process.exit(2);
  }
}
for (const tool of ['redis-server', 'redis-benchmark']) {
  if (spawnSync(tool, ['--version']).status !== 0) {
    console.error(`${tool} is missing (apt-get install -y redis-server redis-tools)`);
    process.exit(2);
  }
}

process.on('SIGINT', () => process.exit(130));

/** A connection that pipelines commands and counts the replies (all replies here are one line). */
function connect(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => resolve(socket));
    socket.once('error', reject);
  });
}

async function startServer(name, command, argv, port) {
  const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode})`);
    try {
      (await connect(port)).destroy();
      return { name, child, port };
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`${name} did not start on port ${port}`);
}

function rssMb(pid) {
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kb / 1024;
}

/** Runs redis-benchmark with --csv; returns { rps, p50, p99 } of its one result line. */
function benchmark(port, pipeline, n, command) {
  const r = spawnSync('redis-benchmark', ['-p', String(port), '-c', '50', '-n', String(n), '-P', String(pipeline),
    '-r', '1000000', '--csv', ...command], { encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const cols = line.split(',').map((c) => c.replace(/"/g, ''));
  if (r.status !== 0 || cols.length < 7) throw new Error(`redis-benchmark failed: ${r.stderr}${r.stdout}`);
  return { rps: Number(cols[1]), p50: Number(cols[4]), p99: Number(cols[6]) };
}

/** Fills `lb` with members 0..n-1 in ZADDs of 1,000 pairs, at most 16 in flight; resolves to ms. */
async function fill(port, n) {
  const socket = await connect(port);
  const started = Date.now();
  const total = Math.ceil(n / 1000);
  let sent = 0;
  let replies = 0;
  let pending = '';
  await new Promise((resolve, reject) => {
    const send = () => {
      while (sent < total && sent - replies < 16) {
        const from = sent * 1000;
        const to = Math.min(n, from + 1000);
        let cmd = `*${2 + 2 * (to - from)}\r\n$4\r\nZADD\r\n$2\r\nlb\r\n`;
        for (let i = from; i < to; i++) {
          const s = String(seededScore(i));
          const m = `member:${String(i).padStart(12, '0')}`;
          cmd += `$${s.length}\r\n${s}\r\n$${m.length}\r\n${m}\r\n`;
        }
        socket.write(cmd);
        sent++;
      }
    };
    socket.on('data', (d) => {
      pending += d.toString('latin1');
      const lines = pending.split('\r\n');
      pending = lines.pop();
      for (const l of lines) {
        if (!l.startsWith(':')) return reject(new Error(`unexpected reply ${l}`));
        replies++;
      }
      if (replies === total) resolve();
      else send();
    });
    socket.on('error', reject);
    send();
  });
  socket.destroy();
  return Date.now() - started;
}

async function run(server) {
  const out = { name: server.name };
  out.zaddP1 = benchmark(server.port, 1, requests, ['zadd', 'zbench', '__rand_int__', 'member:__rand_int__']).rps;
  out.zaddP16 = benchmark(server.port, 16, requests * 5, ['zadd', 'zbench', '__rand_int__', 'member:__rand_int__']).rps;
  spawnSync('redis-cli', ['-p', String(server.port), 'del', 'zbench']);
  await sleep(500);
  out.rssBefore = rssMb(server.child.pid);
  out.fillMs = await fill(server.port, members);
  out.rssAfter = rssMb(server.child.pid);
  const card = spawnSync('redis-cli', ['-p', String(server.port), 'zcard', 'lb'], { encoding: 'utf8' }).stdout.trim();
  if (card !== String(members)) throw new Error(`${server.name}: ZCARD lb is ${card}, expected ${members}`);
  out.zrank = benchmark(server.port, 1, requests, ['zrank', 'lb', 'member:__rand_int__']);
  out.zrange = benchmark(server.port, 1, requests, ['zrangebyscore', 'lb', '__rand_int__', '+inf', 'LIMIT', '0', '10']);
  return out;
}

async function main() {
  const shebang = readFileSync(path.join(root, 'bin/kioku-server'), 'utf8').split('\n')[0];
  const nodeFlags = shebang.split(' ').slice(3).filter((f) => f);
  const kioku = await startServer('kioku', process.execPath,
    [...nodeFlags, path.join(root, 'dist/main.js'), '--port', String(kiokuPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    kiokuPort);
  const redis = await startServer('redis', 'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], redisPort);
  const rows = [];
  for (const server of [kioku, redis]) rows.push(await run(server));
  for (const c of children) c.kill('SIGKILL');

  const n = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const [k, r] = rows;
  const table = [
    ['ZADD rps, -P 1 (redis-benchmark -r 1e6)', (x) => n(x.zaddP1)],
    ['ZADD rps, -P 16', (x) => n(x.zaddP16)],
    [`build ${n(members)} members: seconds`, (x) => n(x.fillMs / 1000, 2)],
    ['build: members/s (ZADD of 1,000 pairs)', (x) => n(members / (x.fillMs / 1000))],
    ['ZRANK rps (-P 1)', (x) => n(x.zrank.rps)],
    ['ZRANK p50 / p99 ms', (x) => `${n(x.zrank.p50, 3)} / ${n(x.zrank.p99, 3)}`],
    ['ZRANGEBYSCORE .. LIMIT 0 10 rps (-P 1)', (x) => n(x.zrange.rps)],
    ['ZRANGEBYSCORE p50 / p99 ms', (x) => `${n(x.zrange.p50, 3)} / ${n(x.zrange.p99, 3)}`],
    ['RSS before / after the build, MB', (x) => `${n(x.rssBefore, 1)} / ${n(x.rssAfter, 1)}`],
  ];
  console.log(`${'sorted set, ' + n(members) + ' members'.padEnd(0)}`.padEnd(44) + 'Kioku'.padStart(20) + 'redis-server'.padStart(20));
  for (const [label, f] of table) console.log(label.padEnd(44) + f(k).padStart(20) + f(r).padStart(20));

  if (memory) {
    console.log('\nmemory of the set on fresh servers (scripts/collection-memory.mjs):');
    const m = spawnSync(process.execPath, [path.join(root, 'scripts/collection-memory.mjs'), 'zset', String(members), '--random-scores',
      '--kioku-port', String(kiokuPort + 2), '--redis-port', String(redisPort + 2)], { stdio: 'inherit' });
    if (m.status !== 0) process.exit(m.status ?? 1);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err.message);
    process.exit(1);
  },
);
