#!/usr/bin/env node
/**
 * multi-bench.mjs: MULTI/EXEC throughput, Kioku vs redis-server, same machine, same run. Each of
 * C clients (default 50) sends one transaction at a time — MULTI, 10 × SET key:<random> <value>,
 * EXEC, written together as client libraries send a transaction — and waits for the EXEC reply
 * before sending the next (the -P 1 of redis-benchmark, with a transaction as the unit).
 * Reports transactions per second (median of R rounds, alternating servers) and the Kioku/Redis
 * ratio; target ≥ 0.8. redis-benchmark cannot send such a transaction itself.
 *
 *   node scripts/multi-bench.mjs [--clients C] [--seconds S] [--rounds R] [--workers W] [--size B]
 *
 * Starts Kioku as users start it (bin/kioku-server; run `npm run build` first) and Debian's
 * redis-server on free loopback ports, without persistence. The clients live in W worker
 * processes (default 2), so that the load generator is not one process's bottleneck. A worker
 * checks every transaction's reply by length: +OK, 10 × +QUEUED, then *10 and 10 × +OK.
 */
import { fork } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { children, numericOptions, startBoth } from './lib/servers.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const SETS = 10;
/** The exact bytes of one transaction's replies. */
const REPLY = `+OK\r\n${'+QUEUED\r\n'.repeat(SETS)}*${SETS}\r\n${'+OK\r\n'.repeat(SETS)}`;

function resp(args) {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return s;
}

// ---- Worker: `clients` connections, each one transaction in flight, for `seconds` ----

function worker() {
  process.once('message', ({ port, clients, seconds, size }) => {
    const value = 'x'.repeat(size);
    const expected = Buffer.byteLength(REPLY);
    let done = 0;
    let bad = 0;
    let open = clients;
    const deadline = Date.now() + seconds * 1000;
    const transaction = () => {
      let s = resp(['MULTI']);
      for (let i = 0; i < SETS; i++) s += resp(['SET', `key:${Math.floor(Math.random() * 100000)}`, value]);
      return s + resp(['EXEC']);
    };
    for (let c = 0; c < clients; c++) {
      const sock = net.connect({ port, host: '127.0.0.1' }, () => sock.write(transaction()));
      sock.setNoDelay(true);
      let got = 0;
      let text = '';
      sock.on('data', (d) => {
        got += d.length;
        if (done < 20) text += d.toString('latin1');
        while (got >= expected) {
          got -= expected;
          if (done < 20 && !text.startsWith(REPLY)) bad++;
          text = text.slice(expected);
          done++;
          if (Date.now() < deadline) sock.write(transaction());
          else sock.end();
        }
      });
      sock.on('close', () => {
        if (--open === 0) process.send({ done, bad }, () => process.exit(0));
      });
    }
  });
}

// ---- Main: servers, rounds, report ----

/** One timed run against a server: transactions per second over all workers. */
async function run(port, o) {
  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: o.workers }, (_, w) => {
      const clients = Math.floor(o.clients / o.workers) + (w < o.clients % o.workers ? 1 : 0);
      const child = fork(fileURLToPath(import.meta.url), ['--worker']);
      children.push(child);
      return new Promise((resolve) => {
        child.once('message', resolve);
        child.send({ port, clients, seconds: o.seconds, size: o.size });
      });
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  const bad = results.reduce((n, r) => n + r.bad, 0);
  if (bad > 0) throw new Error(`${bad} transactions got unexpected replies from port ${port}`);
  return results.reduce((n, r) => n + r.done, 0) / elapsed;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const o = numericOptions({ clients: 50, seconds: 5, rounds: 3, workers: 2, size: 3 });
  const { kiokuPort, redisPort } = await startBoth(root);
  console.log(`MULTI + ${SETS} SET + EXEC, ${o.clients} clients (one transaction in flight each), ${o.seconds} s × ${o.rounds} rounds\n`);
  const rates = { kioku: [], redis: [] };
  for (let round = 0; round < o.rounds; round++) {
    for (const [name, port] of [['kioku', kiokuPort], ['redis', redisPort]]) rates[name].push(await run(port, o));
  }
  const k = median(rates.kioku);
  const r = median(rates.redis);
  console.log('server  transactions/s   (rounds)');
  for (const [name, m] of [['kioku', k], ['redis', r]]) {
    console.log(`${name.padEnd(6)}  ${Math.round(m).toLocaleString('en-US').padStart(14)}   (${rates[name].map((x) => Math.round(x)).join(', ')})`);
  }
  console.log(`ratio   ${(k / r).toFixed(2).padStart(14)}   (target ≥ 0.8)`);
  process.exit(0);
}

if (process.argv[2] === '--worker') worker();
else main().catch((e) => {
  console.error(e);
  process.exit(1);
});
