#!/usr/bin/env node
/**
 * collection-memory.mjs: memory of hash or sorted-set keys in Kioku vs redis-server, same machine,
 * same run: one big key by default, or many small ones.
 *
 *   node scripts/collection-memory.mjs hash|zset [N] [--keys K] [--batch B] [--kioku-port P] [--redis-port P]
 *                                      [--random-scores]
 *
 * Starts Kioku as users start it (bin/kioku-server, from dist/: run `npm run build` first) and
 * Debian's redis-server side by side on loopback (free ports unless given), both without
 * persistence. Measures each process's VmRSS and RssAnon (/proc/PID/status) and INFO used_memory
 * with the server empty, then fills one key (or K keys, N/K elements each: --keys 100000 measures
 * small, compact-encoded collections) with N elements in all (default 1,000,000) through pipelined
 * HSET key field value ... / ZADD key score member ... commands of up to B elements each (default
 * 1000), checks DBSIZE, HLEN / ZCARD and OBJECT ENCODING on both, and measures again twice:
 * "settled" (once RSS stops moving: what a user sees, garbage of the fill included, so it varies
 * with V8's GC timing) and, for Kioku, "after GC" (a full GC forced through the inspector protocol:
 * what the data itself costs; reproducible). Prints the growth per element and Kioku/Redis ratios.
 *
 * Kioku runs as bin/kioku-server does (node with the flags of its #! line, dist/main.js), plus
 * --inspect on a free loopback port for the forced GC; KIOKU_NODE_FLAGS adds flags (as in bench.sh).
 *
 * Elements: hash field "field:<i>" with value "value:<i>"; sorted set member "member:<i>" with
 * score i * 1.5 (not an integer, so it is stored as a double in both), or with --random-scores a
 * random score in [0, 1,000,000) from a seeded generator (the same on both servers), so members
 * arrive in random score order, as scripts/zset-bench.mjs measures.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { children, freePort, seededScore, sleep } from './lib/servers.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

// ---- Arguments ----

const args = process.argv.slice(2);
const type = args.shift();
if (type !== 'hash' && type !== 'zset') {
  console.error('usage: node scripts/collection-memory.mjs hash|zset [N] [--keys K] [--batch B] [--kioku-port P] [--redis-port P] [--random-scores]');
  process.exit(2);
}
let count = 1_000_000;
let batch = 1000;
let keys = 1;
let kiokuPort = 0;
let redisPort = 0;
let randomScores = false;
while (args.length > 0) {
  const a = args.shift();
  if (a === '--random-scores') randomScores = true;
  else if (a === '--batch') batch = Number(args.shift());
  else if (a === '--keys') keys = Number(args.shift());
  else if (a === '--kioku-port') kiokuPort = Number(args.shift());
  else if (a === '--redis-port') redisPort = Number(args.shift());
  else if (/^\d+$/.test(a)) count = Number(a);
  else {
    console.error(`unknown argument: ${a}`);
    process.exit(2);
  }
}
if (!(keys >= 1 && count % keys === 0 && batch >= 1)) {
  console.error('N must be a multiple of --keys, and --batch at least 1');
  process.exit(2);
}
const perKey = count / keys;

// ---- Processes ----

process.on('SIGINT', () => process.exit(130));

/** Spawns a server and resolves once it accepts connections. */
async function startServer(name, command, argv, port) {
  const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  const out = { stderr: '' };
  child.stderr.on('data', (d) => (out.stderr += d));
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}): ${out.stderr}`);
    try {
      const c = await Conn.open(port);
      await c.call(['PING']);
      return { name, child, conn: c, port, out };
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`${name} did not start on port ${port}: ${out.stderr}`);
}


/** VmRSS and RssAnon of a process, in bytes. */
function rss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon') };
}

/**
 * Forces a full GC in a node process started with --inspect: the inspector's WebSocket (URL from
 * its "Debugger listening on ws://..." line) gets HeapProfiler.collectGarbage, and the promise
 * resolves on the reply. A minimal WebSocket client: one masked text frame out, frames read as text.
 */
function forceGc(stderr) {
  const m = /ws:\/\/([\d.]+):(\d+)(\/[\w-]+)/.exec(stderr);
  if (!m) return Promise.reject(new Error('no inspector URL in the server output'));
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: m[1], port: Number(m[2]) }, () => {
      s.write(`GET ${m[3]} HTTP/1.1\r\nHost: ${m[1]}:${m[2]}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    let upgraded = false;
    let text = '';
    s.on('data', (d) => {
      text += d.toString('latin1');
      if (!upgraded && text.includes('\r\n\r\n')) {
        upgraded = true;
        text = '';
        const payload = Buffer.from(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
        const mask = randomBytes(4);
        const head = payload.length < 126
          ? Buffer.from([0x81, 0x80 | payload.length])
          : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255]);
        s.write(Buffer.concat([head, mask, payload.map((b, i) => b ^ mask[i % 4])]));
      } else if (upgraded && text.includes('"id":1')) {
        s.destroy();
        resolve();
      }
    });
    s.on('error', reject);
  });
}

// ---- A minimal pipelining RESP client ----

class Conn {
  static open(port) {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new Conn(s)));
      s.once('error', reject);
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    this.pending = []; // resolvers, one per reply
    socket.on('data', (d) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.drain();
    });
    socket.on('error', () => {});
  }

  /** Resolves pending calls with every complete reply in the buffer. */
  drain() {
    let pos = 0;
    while (this.pending.length > 0) {
      const end = replyEnd(this.buf, pos);
      if (end < 0) break;
      this.pending.shift()(this.buf.toString('latin1', pos, end));
      pos = end;
    }
    this.buf = this.buf.subarray(pos);
  }

  /** Sends a command; resolves with its raw reply. */
  call(argv) {
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.socket.write(encode(argv));
    });
  }

  close() {
    this.socket.destroy();
  }
}

function encode(argv) {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return s;
}

/** End offset of the RESP2 reply starting at pos, or -1 if incomplete. */
function replyEnd(buf, pos) {
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return -1;
  const t = String.fromCharCode(buf[pos]);
  const n = Number(buf.toString('latin1', pos + 1, nl));
  if (t === '$') return n < 0 ? nl + 2 : nl + 2 + n + 2 <= buf.length ? nl + 2 + n + 2 : -1;
  if (t === '*') {
    let p = nl + 2;
    for (let i = 0; i < n; i++) {
      p = replyEnd(buf, p);
      if (p < 0) return -1;
    }
    return p;
  }
  return nl + 2;
}

/** INFO memory's used_memory, in bytes. */
async function usedMemory(conn) {
  const info = await conn.call(['INFO', 'memory']);
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

// ---- Filling ----

/** The command adding elements [from, to) to the key. */
function fillCommand(key, from, to) {
  const argv = [type === 'hash' ? 'HSET' : 'ZADD', key];
  for (let i = from; i < to; i++) {
    if (type === 'hash') argv.push(`field:${i}`, `value:${i}`);
    else argv.push(String(randomScores ? seededScore(i) : i * 1.5), `member:${i}`);
  }
  return argv;
}

/** The name of the k-th key. */
const keyName = (k) => (keys === 1 ? `big${type}` : `${type}:${k}`);

/** Sends the fill commands with up to 16 in flight; checks every reply is the number added. */
async function fill(server) {
  const started = Date.now();
  const inFlight = new Set();
  for (let k = 0; k < keys; k++) {
    for (let from = 0; from < perKey; from += batch) {
      const to = Math.min(perKey, from + batch);
      const p = server.conn.call(fillCommand(keyName(k), from, to)).then((reply) => {
        if (reply !== `:${to - from}\r\n`) throw new Error(`${server.name}: unexpected reply ${JSON.stringify(reply)}`);
        inFlight.delete(p);
      });
      inFlight.add(p);
      if (inFlight.size >= 16) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  return Date.now() - started;
}

// ---- Main ----

const mb = (b) => (b / 1048576).toFixed(1);

async function measure(server) {
  return { ...rss(server.child.pid), used: await usedMemory(server.conn) };
}

/**
 * Measures once the process's memory has stopped moving: V8 frees the garbage of the fill (request
 * buffers, parsed arguments) only at its next full GC, which its memory reducer starts some seconds
 * after allocation stops. Polls every second and returns the first of 5 equal-enough readings
 * (within 1%), or the lowest reading after 40 s.
 */
async function settle(server) {
  let best = await measure(server);
  let stable = 0;
  for (let i = 0; i < 40 && stable < 5; i++) {
    await sleep(1000);
    const m = await measure(server);
    if (Math.abs(m.rss - best.rss) <= best.rss * 0.01) stable++;
    else stable = 0;
    if (m.rss < best.rss || stable === 0) best = m;
  }
  return best;
}

async function main() {
  kiokuPort ||= await freePort();
  redisPort ||= await freePort();
  // bin/kioku-server's own node flags (its "#!/usr/bin/env -S node ..." line), so Kioku runs as users run it.
  const shebang = readFileSync(path.join(root, 'bin/kioku-server'), 'utf8').split('\n')[0];
  const nodeFlags = [...(process.env.KIOKU_NODE_FLAGS ?? '').split(' '), ...shebang.split(' ').slice(3)].filter((f) => f);
  const kioku = await startServer('kioku', process.execPath,
    [...nodeFlags, '--inspect=127.0.0.1:0', path.join(root, 'dist/main.js'),
      '--port', String(kiokuPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], kiokuPort);
  const redis = await startServer('redis', 'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], redisPort);
  const n = (x) => x.toLocaleString('en-US');
  console.log(`${type}: ${n(keys)} key(s) of ${n(perKey)} elements (${n(count)} in all), up to ${batch} per command; Kioku :${kiokuPort} (pid ${kioku.child.pid}), redis-server :${redisPort} (pid ${redis.child.pid})`);

  const rows = [];
  for (const server of [kioku, redis]) {
    await sleep(500);
    const before = await measure(server);
    const ms = await fill(server);
    const dbsize = await server.conn.call(['DBSIZE']);
    const size = await server.conn.call([type === 'hash' ? 'HLEN' : 'ZCARD', keyName(keys - 1)]);
    if (dbsize !== `:${keys}\r\n` || size !== `:${perKey}\r\n`) {
      throw new Error(`${server.name}: DBSIZE ${JSON.stringify(dbsize)} and size ${JSON.stringify(size)}, expected ${keys} and ${perKey}`);
    }
    const encoding = (await server.conn.call(['OBJECT', 'ENCODING', keyName(0)])).split('\r\n')[1];
    const after = await settle(server);
    let afterGc = after;
    if (server === kioku) {
      await forceGc(server.out.stderr);
      await sleep(1000);
      afterGc = await measure(server);
    }
    rows.push({ name: server.name, before, after, afterGc, ms, encoding });
  }

  const pad = (s, n) => String(s).padStart(n);
  console.log('');
  console.log(`${'server'.padEnd(7)}${pad('reading', 9)}${pad('encoding', 11)}${pad('fill ms', 9)}${pad('RSS before', 12)}` +
    `${pad('RSS after', 11)}${pad('RSS Δ MB', 10)}${pad('B/elem', 8)}${pad('anon Δ MB', 11)}${pad('used_memory Δ MB', 18)}${pad('B/elem', 8)}`);
  const lines = [];
  for (const r of rows) {
    lines.push([r, 'settled', r.after]);
    if (r.afterGc !== r.after) lines.push([r, 'after GC', r.afterGc]);
  }
  for (const [r, label, m] of lines) {
    const d = m.rss - r.before.rss;
    const da = m.anon - r.before.anon;
    const du = m.used - r.before.used;
    console.log(`${r.name.padEnd(7)}${pad(label, 9)}${pad(r.encoding, 11)}${pad(r.ms, 9)}${pad(mb(r.before.rss), 12)}` +
      `${pad(mb(m.rss), 11)}${pad(mb(d), 10)}${pad((d / count).toFixed(1), 8)}${pad(mb(da), 11)}${pad(mb(du), 18)}${pad((du / count).toFixed(1), 8)}`);
  }
  const [k, r] = rows;
  console.log('');
  for (const [label, km] of [['settled', k.after], ['after GC', k.afterGc]]) {
    const ratio = (f) => (f(km, k) / f(r.after, r)).toFixed(2);
    console.log(`Kioku (${label}) / Redis: RSS ${ratio((m) => m.rss)}×, RSS growth ${ratio((m, x) => m.rss - x.before.rss)}×, ` +
      `used_memory growth ${ratio((m, x) => m.used - x.before.used)}×`);
  }
  kioku.conn.close();
  redis.conn.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err.message);
    process.exit(1);
  },
);
