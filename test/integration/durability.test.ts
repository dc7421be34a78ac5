/**
 * Durability under kill -9: bin/kioku-server (the compiled server) runs with appendonly yes in a
 * temporary directory; a writer pipelines `INCR ctr` + `SET k:<i> <i>` pairs on one connection and
 * records when each reply arrives; the server is SIGKILLed at a random moment and restarted on the
 * same directory. Checked after each restart:
 * - appendfsync always: every acknowledged write is present;
 * - appendfsync everysec: every write acknowledged more than 2 s before the kill is present;
 * - always: what was loaded is exactly a prefix of what was sent (no hole, nothing doubled, and
 *   `ctr` agrees with the keys), so a transaction-free log is replayed in order;
 * - the same with a BGREWRITEAOF in progress at the kill, under both policies (a preloaded
 *   dataset makes the rewrite last; the log says how many kills hit it while its temporary file
 *   existed).
 * Kill points come from a PRNG whose seed is printed, so a failure can be replayed
 * (KIOKU_DURABILITY_SEED=<seed>). The whole file stays well under 60 s.
 * Needs dist/: `npm test` builds it first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../helpers/prng.js';
import { freePort } from '../helpers/redis-oracle.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'bin', 'kioku-server');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-durability-'));
const seed = Number(process.env.KIOKU_DURABILITY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const random = prng(seed);
const between = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  if (!fs.existsSync(path.join(root, 'dist', 'main.js'))) throw new Error('dist/main.js is missing: run `npm run build` (npm test does)');
  console.log(`durability: KIOKU_DURABILITY_SEED=${seed}`);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// ---- The server process ----

const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

interface Kioku {
  child: ChildProcess;
  port: number;
  exited: Promise<void>;
}

/** Starts kioku-server on `dir` and waits until it answers PING with PONG (loading done). */
async function startKioku(dir: string, fsync: 'always' | 'everysec'): Promise<Kioku> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', fsync, '--save', ''];
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const until = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kioku-server exited ${child.exitCode}: ${stderr}`);
    if ((await ping(port)) === 'PONG') return { child, port, exited };
    if (Date.now() > until) throw new Error(`kioku-server did not become ready: ${stderr}`);
    await sleep(25);
  }
}

async function kill(k: Kioku): Promise<void> {
  k.child.kill('SIGKILL');
  await k.exited;
  running.delete(k.child);
}

type Reply = string | number | null | Reply[];

/** Parses one RESP2 reply at `at`: [reply, next offset], or undefined when incomplete. */
function parseReply(buf: string, at: number): [Reply, number] | undefined {
  const nl = buf.indexOf('\r\n', at);
  if (nl === -1) return undefined;
  const head = buf.slice(at + 1, nl);
  switch (buf[at]) {
    case '+':
      return [head, nl + 2];
    case '-':
      return [`ERR:${head}`, nl + 2];
    case ':':
      return [Number(head), nl + 2];
    case '$': {
      const len = Number(head);
      if (len < 0) return [null, nl + 2];
      if (buf.length < nl + 2 + len + 2) return undefined;
      return [buf.slice(nl + 2, nl + 2 + len), nl + 2 + len + 2];
    }
    case '*': {
      const n = Number(head);
      const items: Reply[] = [];
      let p = nl + 2;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, p);
        if (r === undefined) return undefined;
        items.push(r[0]);
        p = r[1];
      }
      return [items, p];
    }
    default:
      throw new Error(`unexpected reply: ${JSON.stringify(buf.slice(at, at + 40))}`);
  }
}

/** Sends commands on a new connection; their replies (rejects when nothing listens). */
function request(port: number, cmds: string[]): Promise<Reply[]> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    let pos = 0;
    const replies: Reply[] = [];
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let r = parseReply(buf, pos); r !== undefined; r = parseReply(buf, pos)) {
        replies.push(r[0]);
        pos = r[1];
      }
      if (replies.length === cmds.length) {
        sock.destroy();
        resolve(replies);
      }
    });
    sock.on('error', reject);
    sock.on('close', () => reject(new Error(`connection closed after ${replies.length} of ${cmds.length} replies`)));
    sock.write(cmds.join(''));
  });
}

/** PING's reply, or '' when nothing answers. */
function ping(port: number): Promise<Reply> {
  return request(port, [resp('PING')]).then(
    (r) => r[0]!,
    () => '',
  );
}

const resp = (...args: string[]): string => `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join('');

// ---- The writer ----

/** What the writer sent and when each pair was acknowledged (both replies in). */
interface WriteLog {
  sent: number;
  /** ackedAt[i]: Date.now() when the replies to pair i arrived. */
  ackedAt: number[];
  /** Error replies (there should be none). */
  errors: string[];
  done: Promise<void>;
}

/**
 * Pipelines pairs `INCR ctr`, `SET k:<i> <i>` keeping up to `window` pairs in flight until the
 * connection dies (the kill).
 */
function startWriter(port: number, window = 16): WriteLog {
  const log: WriteLog = { sent: 0, ackedAt: [], errors: [], done: Promise.resolve() };
  const sock = net.connect(port, '127.0.0.1');
  let pending = '';
  let replies = 0;
  const pump = (): void => {
    let out = '';
    while (log.sent - log.ackedAt.length < window) {
      const i = log.sent++;
      out += resp('INCR', 'ctr') + resp('SET', `k:${i}`, String(i));
    }
    if (out) sock.write(out);
  };
  log.done = new Promise<void>((resolve) => {
    sock.on('connect', pump);
    sock.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      let nl: number;
      while ((nl = pending.indexOf('\r\n')) !== -1) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 2);
        if (line.startsWith('-')) log.errors.push(line);
        // Pair i is acknowledged when its SET reply (the second) arrives.
        if (++replies % 2 === 0) log.ackedAt.push(Date.now());
      }
      pump();
    });
    sock.on('error', () => {});
    sock.on('close', () => resolve());
  });
  return log;
}

// ---- Checking a restarted server ----

/** ctr, and which of k:0 .. k:<n-1> exist (each with its value). */
async function readBack(port: number, n: number): Promise<{ ctr: number; present: boolean[] }> {
  const [ctr] = await request(port, [resp('GET', 'ctr')]);
  const present: boolean[] = [];
  for (let from = 0; from < n; from += 1000) {
    const keys = Array.from({ length: Math.min(1000, n - from) }, (_, j) => `k:${from + j}`);
    const [values] = (await request(port, [resp('MGET', ...keys)])) as [Reply[]];
    values.forEach((v, j) => {
      if (v !== null) expect(v).toBe(String(from + j));
      present.push(v !== null);
    });
  }
  return { ctr: ctr === null ? 0 : Number(ctr), present };
}

/**
 * Checks what a restarted server holds against what was acknowledged before `killedAt`:
 * all pairs acknowledged before `killedAt - lossWindowMs` are present; loaded data is a prefix
 * (pair i present → every earlier pair present; ctr = number of INCRs applied).
 */
async function verify(port: number, log: WriteLog, killedAt: number, lossWindowMs: number): Promise<{ acked: number; loaded: number; ctr: number }> {
  expect(log.errors).toEqual([]);
  const { ctr, present } = await readBack(port, log.sent + 1);
  const loaded = present.filter(Boolean).length;
  // A prefix: k:0 .. k:loaded-1, nothing after.
  expect(present.slice(0, loaded).every(Boolean)).toBe(true);
  // INCR i precedes SET k:i: ctr counts the SETs applied, or one more (INCR in, SET cut off).
  expect(ctr === loaded || ctr === loaded + 1).toBe(true);
  expect(ctr).toBeLessThanOrEqual(log.sent);
  const mustHave = log.ackedAt.filter((t) => t <= killedAt - lossWindowMs).length;
  expect(loaded).toBeGreaterThanOrEqual(mustHave);
  return { acked: log.ackedAt.length, loaded, ctr };
}

// ---- Scenarios ----

async function killRun(fsync: 'always' | 'everysec', writeMs: number, lossWindowMs: number, window: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(tmp, `${fsync}-`));
  const first = await startKioku(dir, fsync);
  const log = startWriter(first.port, window);
  await sleep(writeMs);
  const killedAt = Date.now();
  await kill(first);
  await log.done;
  const second = await startKioku(dir, fsync);
  const { acked, loaded } = await verify(second.port, log, killedAt, lossWindowMs);
  console.log(`durability ${fsync}: killed after ${writeMs} ms, ${log.sent} sent, ${acked} acknowledged, ${loaded} loaded`);
  await kill(second);
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * `runs` times: preload 100,000 keys (so that a rewrite takes a while), write for a random time
 * in `writeMs`, BGREWRITEAOF, kill within 150 ms (while the rewrite runs: its temporary file
 * exists), restart, verify.
 */
async function rewriteKillRuns(fsync: 'always' | 'everysec', runs: number, writeMs: [number, number], lossWindowMs: number, window: number): Promise<void> {
  let inProgress = 0;
  for (let run = 0; run < runs; run++) {
    const dir = fs.mkdtempSync(path.join(tmp, `rewrite-${fsync}-`));
    const first = await startKioku(dir, fsync);
    const batch = Array.from({ length: 500 }, (_, j) => [`pre:${j}`, 'x'.repeat(100)]).flat();
    const preload = Array.from({ length: 200 }, (_, b) => resp('MSET', ...batch.map((v, j) => (j % 2 === 0 ? `${v}:${b}` : v))));
    expect(new Set(await request(first.port, preload))).toEqual(new Set(['OK']));
    const log = startWriter(first.port, window);
    await sleep(between(...writeMs));
    expect(await request(first.port, [resp('BGREWRITEAOF')])).toEqual(['Background append only file rewriting started']);
    await sleep(between(0, 150));
    const temp = fs.readdirSync(dir).concat(fs.readdirSync(path.join(dir, 'appendonlydir'))).some((f) => f.startsWith('temp-'));
    const killedAt = Date.now();
    await kill(first);
    await log.done;
    if (temp) inProgress++;
    const second = await startKioku(dir, fsync);
    const { acked, loaded, ctr } = await verify(second.port, log, killedAt, lossWindowMs);
    // The preloaded keys all came back too.
    expect(await request(second.port, [resp('DBSIZE')])).toEqual([100_000 + loaded + (ctr > 0 ? 1 : 0)]);
    console.log(`durability rewrite ${fsync}: ${log.sent} sent, ${acked} acknowledged, ${loaded} loaded, rewrite temp file at kill: ${temp}`);
    await kill(second);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`durability rewrite ${fsync}: ${inProgress}/${runs} kills hit a rewrite in progress`);
}

describe('kill -9 with appendonly yes', () => {
  it('appendfsync always: every acknowledged write survives (4 random kill points)', { timeout: 40_000 }, async () => {
    for (let run = 0; run < 4; run++) await killRun('always', between(150, 900), 0, 16);
  });

  // One pair in flight: everysec acknowledges fast, and a smaller log keeps the restart short.
  it('appendfsync everysec: at most the last 2 s are lost (2 random kill points)', { timeout: 40_000 }, async () => {
    for (let run = 0; run < 2; run++) await killRun('everysec', between(2300, 3300), 2000, 1);
  });

  it('appendfsync always with a BGREWRITEAOF in progress at the kill (3 random kill points)', { timeout: 50_000 }, async () => {
    await rewriteKillRuns('always', 3, [50, 300], 0, 16);
  });

  it('appendfsync everysec with a BGREWRITEAOF in progress at the kill (2 random kill points)', { timeout: 50_000 }, async () => {
    await rewriteKillRuns('everysec', 2, [2200, 2800], 2000, 1);
  });
});
