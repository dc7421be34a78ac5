#!/usr/bin/env node
/**
 * memory-accounting-check.mjs: how close INFO used_memory follows what the data really costs on
 * V8's heap, per type and size. The calibration table in docs/ARCHITECTURE.md ("Memory
 * accounting") comes from this script.
 *
 *   node scripts/memory-accounting-check.mjs [--port P] [--scale S] [--only name,name]
 *
 * Starts Kioku from dist/ (run `npm run build` first) under `node --expose-gc`, so that MEMORY
 * PURGE runs a full garbage collection. For each case: FLUSHALL, PURGE, read used_memory and
 * allocator_allocated (V8's heap in use + external memory), fill the data with pipelined
 * commands, PURGE, read both again. Prints, per case, the growth of used_memory (the estimate),
 * the growth of the heap (measured) and the error of the estimate. --scale multiplies the sizes
 * (default 1: about 10-30 MB per case). Last, in a process of its own, the heap that creating
 * and starting an empty Server adds (used_memory_startup). Exits 1 when a case is off by more
 * than 15%. Args of 2 to 4 bytes are one shared string however often they are stored (the request
 * decoder's sharedShort) but counted per copy: a case that stores such args names how many, and
 * its error is taken after their bytes (24 each), shown beside it.
 */
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startServer } from './lib/servers.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const scale = Number(opt('--scale', '1'));
const only = opt('--only', '')?.split(',').filter(Boolean) ?? [];

/** RESP for one command. */
function resp(argv) {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${Buffer.byteLength(String(a), 'latin1')}\r\n${a}\r\n`;
  return s;
}

/** A connection that sends batches and waits for one reply per command. */
class Conn {
  constructor(sock) {
    this.sock = sock;
    this.buf = '';
    this.waiters = [];
    sock.setEncoding('latin1');
    sock.on('data', (d) => {
      this.buf += d;
      this.drain();
    });
  }
  /** Counts complete top-level replies: simple lines, or bulk strings (INFO, MEMORY). */
  drain() {
    for (;;) {
      const w = this.waiters[0];
      if (w === undefined) return;
      const r = parseOne(this.buf);
      if (r === undefined) return;
      this.buf = this.buf.slice(r.end);
      w.replies.push(r.value);
      if (w.replies.length === w.count) {
        this.waiters.shift();
        w.resolve(w.replies);
      }
    }
  }
  send(commands) {
    return new Promise((resolve) => {
      this.waiters.push({ count: commands.length, replies: [], resolve });
      this.sock.write(commands.map(resp).join(''), 'latin1');
    });
  }
}

/** One RESP2 reply at the start of s (strings, integers, errors, bulk, flat arrays). */
function parseOne(s, at = 0) {
  const nl = s.indexOf('\r\n', at);
  if (nl < 0) return undefined;
  const t = s[at];
  const line = s.slice(at + 1, nl);
  if (t === '+' || t === '-' || t === ':') return { value: line, end: nl + 2 };
  if (t === '$') {
    const n = Number(line);
    if (n < 0) return { value: null, end: nl + 2 };
    if (s.length < nl + 2 + n + 2) return undefined;
    return { value: s.slice(nl + 2, nl + 2 + n), end: nl + 2 + n + 2 };
  }
  if (t === '*') {
    let end = nl + 2;
    const out = [];
    for (let i = 0; i < Number(line); i++) {
      const r = parseOne(s, end);
      if (r === undefined) return undefined;
      out.push(r.value);
      end = r.end;
    }
    return { value: out, end };
  }
  throw new Error(`unexpected reply: ${s.slice(at, at + 40)}`);
}

async function fill(conn, commands) {
  for (let i = 0; i < commands.length; i += 2000) await conn.send(commands.slice(i, i + 2000));
}

async function measure(conn) {
  await conn.send([['MEMORY', 'PURGE']]);
  await conn.send([['MEMORY', 'PURGE']]);
  const [info] = await conn.send([['INFO', 'memory']]);
  const field = (name) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)[1]);
  return { used: field('used_memory'), heap: field('allocator_allocated') };
}

const pad = (n, w = 6) => String(n).padStart(w, '0');
const str = (len, i) => (`v${i}:` + 'x'.repeat(len)).slice(0, Math.max(len, String(i).length + 2));

/** Each case: [name, commands]. Sizes scale with --scale. */
function cases() {
  const n = (x) => Math.max(1, Math.round(x * scale));
  const out = [];
  const add = (name, gen, sharedArgs = 0) => out.push([name, gen, sharedArgs]);
  add('string 10B x 200k', () => Array.from({ length: n(200_000) }, (_, i) => ['SET', `key:${pad(i)}`, str(10, i)]));
  add('string 100B x 100k', () => Array.from({ length: n(100_000) }, (_, i) => ['SET', `key:${pad(i)}`, str(100, i)]));
  add('string int x 200k', () => Array.from({ length: n(200_000) }, (_, i) => ['SET', `key:${pad(i)}`, String(i * 7)]));
  add('string 10B +TTL x 100k', () =>
    Array.from({ length: n(100_000) }, (_, i) => ['SET', `key:${pad(i)}`, str(10, i), 'EX', '100000']),
  );
  add('string 4KB x 5k', () => Array.from({ length: n(5_000) }, (_, i) => ['SET', `key:${pad(i)}`, str(4096, i)]));
  const coll = (cmd, keys, per, member) => () => {
    const cmds = [];
    for (let k = 0; k < n(keys); k++) {
      for (let j = 0; j < per; j += 50) {
        const c = [...cmd, `k:${pad(k)}`];
        for (let e = j; e < Math.min(per, j + 50); e++) c.push(...member(e, k));
        cmds.push(c);
      }
    }
    return cmds;
  };
  add('list 10B x 10 x 20k', coll(['RPUSH'], 20_000, 10, (e) => [str(10, e)]));
  add('list 10B x 100 x 2k', coll(['RPUSH'], 2_000, 100, (e) => [str(10, e)]));
  add('list 100B x 10k x 20', coll(['RPUSH'], 20, 10_000, (e) => [str(100, e)]));
  // The field names f0 ... f9 are shared.
  add('hash 10B x 10 x 20k (listpack)', coll(['HSET'], 20_000, 10, (e) => [`f${e}`, str(10, e)]), n(20_000) * 10);
  add('hash 10B x 1k x 100 (hashtable)', coll(['HSET'], 100, 1_000, (e) => [`field:${e}`, str(10, e)]));
  add('hash 100B x 20k x 5 (hashtable)', coll(['HSET'], 5, 20_000, (e) => [`field:${e}`, str(100, e)]));
  add('set int x 10 x 20k (intset)', coll(['SADD'], 20_000, 10, (e, k) => [String(e * 1000 + k)]));
  add('set int x 400 x 500 (intset)', coll(['SADD'], 500, 400, (e, k) => [String(e * 1000 + k)]));
  add('set 12B x 10 x 20k (hashtable)', coll(['SADD'], 20_000, 10, (e) => [`member:${pad(e)}`]));
  add('set 12B x 10k x 20 (hashtable)', coll(['SADD'], 20, 10_000, (e) => [`member:${pad(e)}`]));
  add('zset 10B x 10 x 20k (listpack)', coll(['ZADD'], 20_000, 10, (e) => [String(e * 1.5), `m${pad(e)}`]));
  add('zset 10B x 10k x 20 (skiplist)', coll(['ZADD'], 20, 10_000, (e) => [String(e * 1.5), `m${pad(e)}`]));
  add('churn: 200k SET, DEL of every 3rd', () => [
    ...Array.from({ length: n(200_000) }, (_, i) => ['SET', `key:${pad(i)}`, str(20, i)]),
    ...Array.from({ length: n(200_000 / 3) }, (_, i) => ['DEL', `key:${pad(i * 3)}`]),
  ]);
  add('churn: hashes, HSET then HDEL half', () => [
    ...coll(['HSET'], 2_000, 200, (e) => [`field:${e}`, str(10, e)])(),
    ...coll(['HDEL'], 2_000, 100, (e) => [`field:${e * 2}`])(),
  ]);
  add('churn: sets, SADD then SPOP', () => [
    ...coll(['SADD'], 2_000, 200, (e) => [`member:${e}`])(),
    ...Array.from({ length: n(2_000) }, (_, k) => ['SPOP', `k:${pad(k)}`, '120']),
  ]);
  return out.filter(([name]) => only.length === 0 || only.some((o) => name.includes(o)));
}

const port = Number(opt('--port', '0')) || (await freePort());
const child = await startServer(
  process.execPath,
  ['--expose-gc', '--max-semi-space-size=8', path.join(root, 'dist/main.js'), '--port', String(port), '--save', '', '--appendonly', 'no'],
  port,
);
const sock = net.connect({ port, host: '127.0.0.1' });
await new Promise((r) => sock.once('connect', r));
const conn = new Conn(sock);

let worst = 0;
console.log('case'.padEnd(34), 'estimate'.padStart(12), 'measured'.padStart(12), 'error'.padStart(8));
for (const [name, gen, sharedArgs] of cases()) {
  await conn.send([['FLUSHALL']]);
  const before = await measure(conn);
  let cmds = gen();
  await fill(conn, cmds);
  cmds = undefined;
  const after = await measure(conn);
  const est = after.used - before.used;
  const real = after.heap - before.heap;
  const shared = sharedArgs * 24;
  const err = ((est - shared - real) / real) * 100;
  worst = Math.max(worst, Math.abs(err));
  const note = shared === 0 ? '' : `  (${shared} of the estimate are shared copies; ${(((est - real) / real) * 100).toFixed(1)}% with them)`;
  console.log(name.padEnd(34), String(est).padStart(12), String(real).padStart(12), `${err.toFixed(1)}%`.padStart(8) + note);
}
await conn.send([['FLUSHALL']]);
sock.destroy();
child.kill('SIGTERM');

// used_memory_startup: the heap an empty server's own structures take (creating and starting a
// Server in a process that has already loaded the code), against the constant Kioku reports.
const startupProbe = `
  const { Config } = await import('./dist/config.js');
  const { Server } = await import('./dist/server.js');
  const { SERVER_STARTUP_BYTES } = await import('./dist/memory/accounting.js');
  const { pino } = await import('pino');
  const heap = () => { gc(); gc(); const m = process.memoryUsage(); return m.heapUsed + m.external; };
  const before = heap();
  const config = new Config();
  config.set('port', ['0'], { startup: true });
  config.set('bind', ['127.0.0.1'], { startup: true });
  const server = new Server({ config, logger: pino({ level: 'silent' }) });
  await server.start();
  await new Promise((r) => setTimeout(r, 200));
  console.log(JSON.stringify({ measured: heap() - before, reported: SERVER_STARTUP_BYTES }));
  await server.stop();`;
const probe = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', startupProbe], { cwd: root, encoding: 'utf8' });
const startup = JSON.parse(probe.stdout.trim().split('\n').pop());
const startupErr = ((startup.reported - startup.measured) / startup.measured) * 100;
console.log('empty server (used_memory_startup)'.padEnd(34), String(startup.reported).padStart(12), String(startup.measured).padStart(12), `${startupErr.toFixed(1)}%`.padStart(8));
worst = Math.max(worst, Math.abs(startupErr));
console.log(`worst error: ${worst.toFixed(1)}%`);
process.exitCode = worst > 15 ? 1 : 0;
