/**
 * The append-only file (persistence/aof.ts) through a real server in a temp dir: the multi-part
 * layout created at start, the exact RESP written for rewritten commands (SET EX → PXAT,
 * EXPIRE → PEXPIREAT, SPOP → SREM, MULTI/EXEC, SELECT), restart → same data, BGREWRITEAOF
 * (manifest switch, history files deleted, RESP base with aof-use-rdb-preamble no, writes during
 * the rewrite neither lost nor duplicated, a crash copy at each step loadable), damaged files
 * (truncated, corrupt, unfinished MULTI), the upgrade of an old single appendonly.aof, CONFIG SET
 * appendonly at run time, fsync policies, INFO fields.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import type { Bytes } from '../../src/keyspace/bytes.js';
import { LoadError } from '../../src/persistence/persistence.js';
import { Config } from '../../src/config.js';
import { Server } from '../../src/server.js';
import { RawConnection } from '../helpers/raw-connection.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-aof-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

let dirCount = 0;
/** A new empty directory for one server's files. */
function newDir(): string {
  const d = path.join(tmpRoot, `d${++dirCount}`);
  fs.mkdirSync(d);
  return d;
}

const running: TestServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

/** Starts a server with AOF on in `dir`. */
async function start(dir: string, settings: Record<string, string> = {}): Promise<TestServer> {
  const ts = await startTestServer({ appendonly: 'yes', dir, ...settings });
  running.push(ts);
  return ts;
}

async function stop(ts: TestServer): Promise<void> {
  running.splice(running.indexOf(ts), 1);
  await ts.stop();
}

/** RESP text of commands, as the AOF holds them. */
function resp(...cmds: string[][]): string {
  return cmds.map((c) => `*${c.length}\r\n${c.map((a) => `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`).join('')}`).join('');
}

const aofDir = (dir: string) => path.join(dir, 'appendonlydir');

/**
 * A directory whose AOF holds one write (SET x 1) by a server that has stopped: its incremental
 * file, and that file's bytes before a test damages it.
 */
async function aofWithOneWrite(): Promise<{ dir: string; incr: string; good: Buffer }> {
  const dir = newDir();
  const ts = await start(dir);
  await (await ts.client()).set('x', '1');
  await stop(ts);
  const incr = path.join(aofDir(dir), 'appendonly.aof.1.incr.aof');
  return { dir, incr, good: fs.readFileSync(incr) };
}
const manifestOf = (dir: string) => fs.readFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'latin1');
const fileIn = (dir: string, name: string) => fs.readFileSync(path.join(aofDir(dir), name), 'latin1');
/** The incremental file writes go to (the last incr line of the manifest). */
function currentIncr(dir: string): string {
  const incrs = manifestOf(dir).split('\n').filter((l) => l.endsWith('type i'));
  return fileIn(dir, incrs[incrs.length - 1]!.split(' ')[1]!);
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until no rewrite runs or is scheduled. */
async function rewriteFinished(ts: TestServer): Promise<void> {
  await waitFor(() => !ts.server.aof.rewriteInProgress && !ts.server.aof.rewriteScheduled);
}

describe('AOF layout and writing', () => {
  it('creates the base, the first incr file and the manifest on start', async () => {
    const dir = newDir();
    await start(dir);
    expect(fs.readdirSync(aofDir(dir)).sort()).toEqual(['appendonly.aof.1.base.rdb', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
    expect(manifestOf(dir)).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    expect(fileIn(dir, 'appendonly.aof.1.base.rdb').slice(0, 9)).toBe('REDIS0010');
    expect(fileIn(dir, 'appendonly.aof.1.incr.aof')).toBe('');
  });

  it('honours appendfilename, appenddirname and a RESP base (aof-use-rdb-preamble no)', async () => {
    const dir = newDir();
    await start(dir, { appendfilename: 'my.aof', appenddirname: 'aofs', 'aof-use-rdb-preamble': 'no' });
    expect(fs.readdirSync(path.join(dir, 'aofs')).sort()).toEqual(['my.aof.1.base.aof', 'my.aof.1.incr.aof', 'my.aof.manifest']);
    expect(fs.readFileSync(path.join(dir, 'aofs', 'my.aof.manifest'), 'latin1')).toBe('file my.aof.1.base.aof seq 1 type b\nfile my.aof.1.incr.aof seq 1 type i\n');
  });

  it('writes propagated effects: SET EX as PXAT, EXPIRE as PEXPIREAT, SPOP as SREM, SELECT on db change', async () => {
    const dir = newDir();
    const ts = await start(dir);
    const r = await ts.client();
    await r.set('a', '1');
    const before = Date.now();
    await r.set('b', '2', 'EX', 100);
    const after = Date.now();
    await r.expire('a', 50);
    await r.sadd('s', 'only');
    await r.spop('s');
    await r.select(3);
    await r.incr('x');
    await r.select(0);
    await r.get('a'); // reads write nothing
    await r.del('a');
    const text = currentIncr(dir);
    const m = /PXAT\r\n\$13\r\n(\d{13})\r\n/.exec(text)!;
    const pxat = Number(m[1]);
    expect(pxat).toBeGreaterThanOrEqual(before + 100_000);
    expect(pxat).toBeLessThanOrEqual(after + 100_000);
    const pexpireat = Number(/PEXPIREAT\r\n\$1\r\na\r\n\$13\r\n(\d{13})/.exec(text)![1]);
    expect(text).toBe(
      resp(
        ['SELECT', '0'],
        ['set', 'a', '1'],
        ['SET', 'b', '2', 'PXAT', String(pxat)],
        ['PEXPIREAT', 'a', String(pexpireat)],
        ['sadd', 's', 'only'],
        ['SREM', 's', 'only'],
        ['SELECT', '3'],
        ['incr', 'x'],
        ['SELECT', '0'],
        ['del', 'a'],
      ),
    );
  });

  it('keeps MULTI ... EXEC together, and writes binary arguments byte for byte', async () => {
    const dir = newDir();
    const ts = await start(dir);
    const r = await ts.client();
    await r.multi().set('k1', 'v1').incr('n').exec();
    const bin = Buffer.from([0, 13, 10, 255, 128]);
    await r.set(Buffer.from('bin'), bin);
    expect(currentIncr(dir)).toBe(
      resp(['SELECT', '0'], ['MULTI'], ['set', 'k1', 'v1'], ['incr', 'n'], ['EXEC'], ['set', 'bin', bin.toString('latin1')]),
    );
  });

  it('aof-timestamp-enabled writes #TS annotations, and loading skips them', async () => {
    const dir = newDir();
    const ts = await start(dir, { 'aof-timestamp-enabled': 'yes' });
    const r = await ts.client();
    const before = Math.floor(Date.now() / 1000);
    await r.set('a', '1');
    const text = currentIncr(dir);
    const m = /^#TS:(\d+)\r\n/.exec(text)!;
    expect(Number(m[1]) - before).toBeLessThanOrEqual(1);
    expect(text.slice(m[0].length)).toBe(resp(['SELECT', '0'], ['set', 'a', '1']));
    await stop(ts);
    fs.appendFileSync(path.join(aofDir(dir), 'appendonly.aof.1.incr.aof'), `#TS:${before + 5}\r\n${resp(['set', 'b', '2'])}`);
    const r2 = await (await start(dir)).client();
    expect(await r2.mget('a', 'b')).toEqual(['1', '2']);
  });

  it('restart → same data (every type, TTLs, several databases)', async () => {
    const dir = newDir();
    const ts = await start(dir);
    const r = await ts.client();
    await r.set('s', 'v');
    await r.rpush('l', 'a', 'b', 'c');
    await r.hset('h', 'f', 'v', 'g', 'w');
    await r.sadd('st', '1', '2', 'x');
    await r.zadd('z', 1.5, 'a', 2, 'b');
    await r.set('ttl', 'v', 'PX', 500_000);
    await r.select(5);
    await r.set('in5', 'yes');
    await stop(ts);
    const ts2 = await start(dir);
    const r2 = await ts2.client();
    expect(await r2.get('s')).toBe('v');
    expect(await r2.lrange('l', 0, -1)).toEqual(['a', 'b', 'c']);
    expect(await r2.hgetall('h')).toEqual({ f: 'v', g: 'w' });
    expect((await r2.smembers('st')).sort()).toEqual(['1', '2', 'x']);
    expect(await r2.zrange('z', '0', '-1', 'WITHSCORES')).toEqual(['a', '1.5', 'b', '2']);
    const pttl = await r2.pttl('ttl');
    expect(pttl).toBeGreaterThan(400_000);
    expect(pttl).toBeLessThanOrEqual(500_000);
    await r2.select(5);
    expect(await r2.get('in5')).toBe('yes');
    // Replayed commands are not counted (INFO commandstats), as in Redis.
    expect(ts2.server.commands.lookup(['set' as Bytes]).spec!.stats.calls).toBe(0);
    expect(manifestOf(dir)).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  });

  it('nothing expires while replaying: a key whose TTL passed before PERSIST in the file survives', async () => {
    const dir = newDir();
    const ts = await start(dir);
    const r = await ts.client();
    await r.set('k', 'v', 'PX', 150);
    await r.persist('k');
    await r.set('j', '1', 'PX', 150);
    await r.incr('j');
    await r.persist('j');
    await r.set('gone', 'x', 'PX', 150);
    await stop(ts);
    await new Promise((res) => setTimeout(res, 250));
    const r2 = await (await start(dir)).client();
    expect(await r2.mget('k', 'j', 'gone')).toEqual(['v', '2', null]);
    expect(await r2.pttl('k')).toBe(-1);
  });

  it('loads arguments larger than a read chunk, and commands split across chunks', async () => {
    const dir = newDir();
    const ts = await start(dir);
    const r = await ts.client();
    const big = Buffer.alloc(9 * 1024 * 1024 + 7, 'ab');
    await r.set('big', big);
    const pipe = r.pipeline();
    for (let i = 0; i < 50_000; i++) pipe.rpush('l', `element-${i}`);
    await pipe.exec();
    await r.set('big2', big);
    await stop(ts);
    const r2 = await (await start(dir)).client();
    expect((await r2.getBuffer('big'))!.equals(big)).toBe(true);
    expect((await r2.getBuffer('big2'))!.equals(big)).toBe(true);
    expect(await r2.llen('l')).toBe(50_000);
    expect(await r2.lindex('l', -1)).toBe('element-49999');
  });

  it('an unfinished MULTI at the end is reverted and cut off (aof-load-truncated yes)', async () => {
    const { dir, incr, good: before } = await aofWithOneWrite();
    const good = before.length;
    fs.appendFileSync(incr, resp(['MULTI'], ['set', 'y', '1']));
    const ts2 = await start(dir);
    const r2 = await ts2.client();
    expect(await r2.get('x')).toBe('1');
    expect(await r2.exists('y')).toBe(0);
    expect(fs.statSync(incr).size).toBe(good);
  });

  it('a truncated last command is cut off with aof-load-truncated yes, refused with no', async () => {
    const { dir, incr, good: before } = await aofWithOneWrite();
    const good = before.length;
    fs.appendFileSync(incr, '*3\r\n$3\r\nset\r\n$1\r\ny\r\n$2\r\n4');
    await expect(startTestServer({ appendonly: 'yes', dir, 'aof-load-truncated': 'no' })).rejects.toThrow(
      new LoadError(`Unexpected end of file reading the append only file appendonly.aof.1.incr.aof at offset ${good}`, true),
    );
    const ts2 = await start(dir);
    const r2 = await ts2.client();
    expect(await r2.get('x')).toBe('1');
    expect(await r2.exists('y')).toBe(0);
    expect(fs.statSync(incr).size).toBe(good);
    // Writes continue after the cut.
    await r2.set('z', '2');
    expect(fs.readFileSync(incr, 'latin1').slice(good)).toBe(resp(['SELECT', '0'], ['set', 'z', '2']));
  });

  it('corruption refuses to start, naming the file and offset; so does an unknown command', async () => {
    const { dir, incr, good } = await aofWithOneWrite();
    fs.writeFileSync(incr, Buffer.concat([good, Buffer.from('XX' + resp(['set', 'z', '1']))]));
    await expect(startTestServer({ appendonly: 'yes', dir })).rejects.toThrow(
      new LoadError(`Bad file format reading the append only file appendonly.aof.1.incr.aof at offset ${good.length}`, true),
    );
    fs.writeFileSync(incr, Buffer.concat([good, Buffer.from(resp(['foo', 'x']))]));
    await expect(startTestServer({ appendonly: 'yes', dir })).rejects.toThrow(
      new LoadError(`Unknown command 'foo' reading the append only file appendonly.aof.1.incr.aof at offset ${good.length}`, true),
    );
    // A truncated file that is not the last one is corruption too.
    fs.writeFileSync(incr, Buffer.concat([good, Buffer.from('*2\r\n$3\r\n')]));
    fs.writeFileSync(path.join(aofDir(dir), 'appendonly.aof.2.incr.aof'), resp(['set', 'w', '1']));
    fs.appendFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'file appendonly.aof.2.incr.aof seq 2 type i\n');
    await expect(startTestServer({ appendonly: 'yes', dir })).rejects.toThrow(
      new LoadError(`Unexpected end of file reading the append only file appendonly.aof.1.incr.aof at offset ${good.length}, which is not the last file of the AOF`, true),
    );
    // A file named by the manifest that does not exist.
    fs.rmSync(path.join(aofDir(dir), 'appendonly.aof.2.incr.aof'));
    await expect(startTestServer({ appendonly: 'yes', dir })).rejects.toThrow(
      new LoadError('Unable to obtain the AOF file appendonly.aof.2.incr.aof length. stat: No such file or directory', true),
    );
  });

  it('clients get -LOADING while a large AOF loads in slices, then the data', async () => {
    const dir = newDir();
    fs.mkdirSync(aofDir(dir));
    fs.writeFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\n');
    const chunks: string[] = [resp(['SELECT', '0'])];
    for (let i = 0; i < 300_000; i++) chunks.push(resp(['set', `key:${i}`, `value:${i}`]));
    fs.writeFileSync(path.join(aofDir(dir), 'appendonly.aof.1.incr.aof'), chunks.join(''));
    const config = new Config();
    for (const [k, v] of Object.entries({ port: '0', bind: '127.0.0.1', appendonly: 'yes', dir })) config.set(k, [v], { startup: true });
    const server = new Server({ config, logger: pino({ level: 'silent' }) });
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = server.start();
    try {
      await waitFor(() => server.port > 0);
      const c = await RawConnection.connect(server.port);
      const replies = new Set<string>();
      let reply = '';
      while (reply !== '+PONG\r\n') {
        reply = await c.call('PING');
        replies.add(reply);
      }
      expect([...replies]).toEqual(['-LOADING Redis is loading the dataset in memory\r\n', '+PONG\r\n']);
      await started;
      delay.disable();
      // Slices of ~10 ms: the loop never stalls for long (generous bound: shared CI cores).
      expect(delay.max / 1e6).toBeLessThan(250);
      expect(await c.call('GET', 'key:299999')).toBe('$12\r\nvalue:299999\r\n');
      expect(await c.call('DBSIZE')).toBe(':300000\r\n');
      c.close();
    } finally {
      await started.catch(() => {});
      await server.stop();
    }
  });

  it('upgrades an old single-file appendonly.aof into the AOF directory', async () => {
    const dir = newDir();
    fs.writeFileSync(path.join(dir, 'appendonly.aof'), resp(['SELECT', '0'], ['set', 'old', 'v'], ['rpush', 'l', 'a', 'b']));
    const ts = await start(dir);
    const r = await ts.client();
    expect(await r.get('old')).toBe('v');
    expect(await r.lrange('l', 0, -1)).toEqual(['a', 'b']);
    expect(fs.existsSync(path.join(dir, 'appendonly.aof'))).toBe(false);
    expect(manifestOf(dir)).toBe('file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    await r.set('new', 'n');
    await stop(ts);
    const ts2 = await start(dir);
    const r2 = await ts2.client();
    expect(await r2.mget('old', 'new')).toEqual(['v', 'n']);
  });
});

describe('old single-file AOF with an RDB preamble', () => {
  it('loads the RDB part, then the RESP commands after it', async () => {
    const src = newDir();
    const ts = await start(src);
    const r = await ts.client();
    await r.set('a', '1');
    await r.hset('h', 'f', 'v');
    await r.bgrewriteaof();
    await rewriteFinished(ts);
    await stop(ts);
    const dir = newDir();
    const rdb = fs.readFileSync(path.join(aofDir(src), 'appendonly.aof.2.base.rdb'));
    fs.writeFileSync(path.join(dir, 'appendonly.aof'), Buffer.concat([rdb, Buffer.from(resp(['SELECT', '0'], ['set', 'b', '2'], ['hset', 'h', 'g', 'w']))]));
    const r2 = await (await start(dir)).client();
    expect(await r2.mget('a', 'b')).toEqual(['1', '2']);
    expect(await r2.hgetall('h')).toEqual({ f: 'v', g: 'w' });
  });
});

describe('BGREWRITEAOF', () => {
  it('BGREWRITEAOF writes a new base, switches the manifest and deletes the history files', async () => {
    const dir = newDir();
    const ts = await start(dir);
    const r = await ts.client();
    await r.set('a', '1');
    expect(await r.bgrewriteaof()).toBe('Background append only file rewriting started');
    await expect(r.bgrewriteaof()).rejects.toThrow('ERR Background append only file rewriting already in progress');
    await r.set('b', '2');
    await rewriteFinished(ts);
    expect(manifestOf(dir)).toBe('file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    // History files are removed in the background.
    await waitFor(() => fs.readdirSync(aofDir(dir)).length === 3);
    expect(fs.readdirSync(aofDir(dir)).sort()).toEqual(['appendonly.aof.2.base.rdb', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
    expect(fileIn(dir, 'appendonly.aof.2.incr.aof')).toBe(resp(['SELECT', '0'], ['set', 'b', '2']));
    const info = Object.fromEntries(ts.server.aof.infoFields());
    expect(info.aof_rewrites).toBe(1);
    expect(info.aof_last_bgrewrite_status).toBe('ok');
    await stop(ts);
    const r2 = await (await start(dir)).client();
    expect(await r2.mget('a', 'b')).toEqual(['1', '2']);
  });

  it('writes a RESP base with aof-use-rdb-preamble no, as Redis 7.0 does', async () => {
    const dir = newDir();
    const ts = await start(dir, { 'aof-use-rdb-preamble': 'no' });
    const r = await ts.client();
    await r.set('s', 'v');
    await r.pexpireat('s', 4_000_000_000_000);
    await r.rpush('l', ...Array.from({ length: 70 }, (_, i) => String(i)));
    await r.hset('h', 'f1', 'v1');
    await r.sadd('st', '3', '1', '2');
    await r.zadd('z', 0.1, 'b', 1.5, 'a', 1e20, 'd');
    await r.select(2);
    await r.set('k2', 'v2');
    await r.bgrewriteaof();
    await rewriteFinished(ts);
    const base = fileIn(dir, 'appendonly.aof.2.base.aof');
    expect(base).toBe(
      resp(
        ['SELECT', '0'],
        ['SET', 's', 'v'],
        ['PEXPIREAT', 's', '4000000000000'],
        ['RPUSH', 'l', ...Array.from({ length: 64 }, (_, i) => String(i))],
        ['RPUSH', 'l', ...Array.from({ length: 6 }, (_, i) => String(64 + i))],
        ['HMSET', 'h', 'f1', 'v1'],
        ['SADD', 'st', '1', '2', '3'],
        ['ZADD', 'z', '0.10000000000000001', 'b', '1.5', 'a', '1e+20', 'd'],
        ['SELECT', '2'],
        ['SET', 'k2', 'v2'],
      ),
    );
  });

  it('writes during a rewrite are neither lost nor duplicated', async () => {
    const dir = newDir();
    const ts = await start(dir);
    const r = await ts.client();
    const big = 'x'.repeat(200);
    const pipe = r.pipeline();
    for (let i = 0; i < 30_000; i++) pipe.set(`k${i}`, big);
    await pipe.exec();
    expect(await r.bgrewriteaof()).toBe('Background append only file rewriting started');
    let n = 0;
    while (ts.server.aof.rewriteInProgress) {
      await r.incr('counter');
      await r.rpush('log', String(n));
      await r.set(`k${n % 30_000}`, `changed${n}`);
      n++;
    }
    for (let i = 0; i < 50; i++, n++) {
      await r.incr('counter');
      await r.rpush('log', String(n));
      await r.set(`k${n % 30_000}`, `changed${n}`);
    }
    expect(n).toBeGreaterThan(50);
    await stop(ts);
    const r2 = await (await start(dir)).client();
    expect(await r2.get('counter')).toBe(String(n));
    expect(await r2.lrange('log', 0, -1)).toEqual(Array.from({ length: n }, (_, i) => String(i)));
    expect(await r2.dbsize()).toBe(30_002);
    expect(await r2.get(`k${(n - 1) % 30_000}`)).toBe(`changed${n - 1}`);
  });

  it('a crash at any step of a rewrite leaves a loadable directory', async () => {
    const dir = newDir();
    const ts = await start(dir);
    const r = await ts.client();
    const pipe = r.pipeline();
    for (let i = 0; i < 20_000; i++) pipe.set(`k${i}`, String(i));
    await pipe.exec();
    /** Copies of the directory as a crash would leave it, with the value of `c` acknowledged then. */
    const copies: [string, number][] = [];
    const crashCopy = (c: number) => {
      const d = newDir();
      fs.cpSync(aofDir(dir), aofDir(d), { recursive: true });
      copies.push([d, c]);
    };
    await r.bgrewriteaof();
    let c = 0;
    crashCopy(c);
    while (ts.server.aof.rewriteInProgress) {
      await r.incr('c');
      crashCopy(++c);
    }
    await r.incr('c');
    crashCopy(++c);
    expect(copies.length).toBeGreaterThan(2);
    for (const [d, expected] of copies) {
      const t = await start(d);
      const rc = await t.client();
      expect(await rc.get('c')).toBe(expected === 0 ? null : String(expected));
      expect(await rc.get('k19999')).toBe('19999');
      await stop(t);
    }
  });

  it('BGREWRITEAOF with appendonly no writes a base-only manifest', async () => {
    const dir = newDir();
    const ts = await startTestServer({ dir });
    running.push(ts);
    const r = await ts.client();
    await r.set('a', '1');
    expect(await r.bgrewriteaof()).toBe('Background append only file rewriting started');
    await rewriteFinished(ts);
    expect(manifestOf(dir)).toBe('file appendonly.aof.1.base.rdb seq 1 type b\n');
    await r.bgrewriteaof();
    await rewriteFinished(ts);
    expect(manifestOf(dir)).toBe('file appendonly.aof.2.base.rdb seq 2 type b\n');
    await waitFor(() => fs.readdirSync(aofDir(dir)).length === 2);
    expect(fs.readdirSync(aofDir(dir)).sort()).toEqual(['appendonly.aof.2.base.rdb', 'appendonly.aof.manifest']);
    await stop(ts);
    // Starting with appendonly yes loads that base and adds the first incremental file.
    const r2 = await (await start(dir)).client();
    expect(await r2.get('a')).toBe('1');
    expect(manifestOf(dir)).toBe('file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  });

  it('CONFIG SET appendonly yes while a BGSAVE runs: the rewrite waits for it', async () => {
    const dir = newDir();
    const ts = await startTestServer({ dir });
    running.push(ts);
    const r = await ts.client();
    const pipe = r.pipeline();
    for (let i = 0; i < 50_000; i++) pipe.set(`k${i}`, 'v'.repeat(100));
    await pipe.exec();
    await r.bgsave();
    expect(await r.config('SET', 'appendonly', 'yes')).toBe('OK');
    expect(Object.fromEntries(ts.server.aof.infoFields()).aof_rewrite_scheduled).toBe(1);
    await r.set('during', 'x');
    await rewriteFinished(ts);
    await r.set('after', 'y');
    await stop(ts);
    const r2 = await (await start(dir)).client();
    expect(await r2.dbsize()).toBe(50_002);
    expect(await r2.mget('during', 'after')).toEqual(['x', 'y']);
  });

  it('BGREWRITEAOF during BGSAVE is scheduled, and inside MULTI too', async () => {
    const dir = newDir();
    const ts = await start(dir);
    const r = await ts.client();
    const pipe = r.pipeline();
    for (let i = 0; i < 50_000; i++) pipe.set(`k${i}`, 'v'.repeat(100));
    await pipe.exec();
    await r.bgsave();
    expect(await r.bgrewriteaof()).toBe('Background append only file rewriting scheduled');
    expect(Object.fromEntries(ts.server.aof.infoFields()).aof_rewrite_scheduled).toBe(1);
    await rewriteFinished(ts);
    expect(manifestOf(dir)).toBe('file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    expect(await r.multi().bgrewriteaof().exec()).toEqual([[null, 'Background append only file rewriting scheduled']]);
    await rewriteFinished(ts);
    expect(manifestOf(dir)).toBe('file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n');
  });

  it('a failed rewrite leaves the AOF as it was; BGREWRITEAOF errors when it cannot start', async () => {
    const dir = newDir();
    const ts = await start(dir);
    const r = await ts.client();
    await r.set('a', '1');
    // The temporary base cannot be created: the rewrite fails in the background.
    const temp = path.join(dir, `temp-rewriteaof-bg-${process.pid}.aof`);
    fs.mkdirSync(temp);
    expect(await r.bgrewriteaof()).toBe('Background append only file rewriting started');
    await rewriteFinished(ts);
    let info = Object.fromEntries(ts.server.aof.infoFields());
    expect([info.aof_last_bgrewrite_status, info.aof_rewrites_consecutive_failures, info.aof_rewrites]).toEqual(['err', 1, 0]);
    // The writes went on into the incremental file opened for the rewrite.
    expect(manifestOf(dir)).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    await r.set('b', '2');
    fs.rmdirSync(temp);
    expect(await r.bgrewriteaof()).toBe('Background append only file rewriting started');
    await rewriteFinished(ts);
    info = Object.fromEntries(ts.server.aof.infoFields());
    expect([info.aof_last_bgrewrite_status, info.aof_rewrites_consecutive_failures, info.aof_rewrites]).toEqual(['ok', 0, 1]);
    expect(manifestOf(dir)).toBe('file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n');
    await stop(ts);
    const r2 = await (await start(dir)).client();
    expect(await r2.mget('a', 'b')).toEqual(['1', '2']);
    // With AOF off, an AOF directory that cannot be made: the command fails at once.
    const dir2 = newDir();
    fs.writeFileSync(path.join(dir2, 'appendonlydir'), 'not a directory');
    const off = await startTestServer({ dir: dir2 });
    running.push(off);
    const c = await off.client();
    await expect(c.bgrewriteaof()).rejects.toThrow("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
  });

  it('rewrites automatically past auto-aof-rewrite-percentage and -min-size', async () => {
    const dir = newDir();
    const ts = await start(dir, { 'auto-aof-rewrite-min-size': '10000', 'auto-aof-rewrite-percentage': '100', hz: '100' });
    const r = await ts.client();
    const pipe = r.pipeline();
    for (let i = 0; i < 200; i++) pipe.set(`k${i}`, 'v'.repeat(100));
    await pipe.exec();
    await waitFor(() => manifestOf(dir).includes('seq 2 type b'));
    await rewriteFinished(ts);
    expect(Object.fromEntries(ts.server.aof.infoFields()).aof_rewrites).toBe(1);
  });
});

describe('AOF at run time', () => {
  it('CONFIG SET appendonly yes starts a rewrite; no stops writing', async () => {
    const dir = newDir();
    const ts = await startTestServer({ dir });
    running.push(ts);
    const r = await ts.client();
    await r.set('before', '1');
    expect(await r.config('SET', 'appendonly', 'yes')).toBe('OK');
    await r.set('during', '2');
    await rewriteFinished(ts);
    expect(manifestOf(dir)).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    await r.set('after', '3');
    expect(fs.readdirSync(aofDir(dir)).sort()).toEqual(['appendonly.aof.1.base.rdb', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
    expect(await r.config('SET', 'appendonly', 'no')).toBe('OK');
    await r.set('off', '4');
    expect(fileIn(dir, 'appendonly.aof.1.incr.aof')).toBe(resp(['SELECT', '0'], ['set', 'during', '2'], ['set', 'after', '3']));
    await stop(ts);
    const r2 = await (await start(dir)).client();
    expect(await r2.mget('before', 'during', 'after', 'off')).toEqual(['1', '2', '3', null]);
  });

  it('appendfsync always fsyncs before the reply; everysec fsyncs from the cron', async () => {
    const dir = newDir();
    const spy = vi.spyOn(fs, 'fdatasyncSync');
    try {
      const ts = await start(dir, { appendfsync: 'always' });
      const r = await ts.client();
      spy.mockClear();
      await r.set('a', '1');
      expect(spy).toHaveBeenCalledTimes(1);
      await r.config('SET', 'appendfsync', 'everysec');
      spy.mockClear();
      await r.set('b', '1');
      expect(spy).toHaveBeenCalledTimes(0);
      const bg = vi.spyOn(fs, 'fdatasync');
      try {
        await waitFor(() => bg.mock.calls.length > 0, 3000);
      } finally {
        bg.mockRestore();
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('INFO persistence aof fields', async () => {
    const dir = newDir();
    const ts = await start(dir);
    const r = await ts.client();
    await r.set('a', '1');
    const fields = Object.fromEntries([...ts.server.aof.infoFields(), ...ts.server.aof.infoSizeFields()]);
    expect(fields).toEqual({
      aof_enabled: 1,
      aof_rewrite_in_progress: 0,
      aof_rewrite_scheduled: 0,
      aof_last_rewrite_time_sec: -1,
      aof_current_rewrite_time_sec: -1,
      aof_last_bgrewrite_status: 'ok',
      aof_rewrites: 0,
      aof_rewrites_consecutive_failures: 0,
      aof_last_write_status: 'ok',
      aof_last_cow_size: 0,
      aof_current_size: resp(['SELECT', '0'], ['set', 'a', '1']).length,
      aof_base_size: 0,
      aof_pending_rewrite: 0,
      aof_buffer_length: 0,
      aof_pending_bio_fsync: 0,
      aof_delayed_fsync: 0,
    });
    const off = await startTestServer({ dir: newDir() });
    running.push(off);
    expect(off.server.aof.infoSizeFields()).toEqual([]);
    expect(Object.fromEntries(off.server.aof.infoFields()).aof_enabled).toBe(0);
  });
});
