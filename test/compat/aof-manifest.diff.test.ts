/**
 * src/persistence/aof-manifest.ts against redis-server 7.0.15 itself: for each manifest text,
 * redis-server (started with appendonly yes on a directory holding it and the files it names)
 * refuses exactly the manifests parseManifest refuses, logging the same fatal block; and it loads
 * manifests formatManifest wrote, including names that need quoting.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AofManifestError, addNewIncr, emptyManifest, formatManifest, manifestFileName, parseManifest } from '../../src/persistence/aof-manifest.js';
import { NO_REDIS, REDIS_SERVER, freePort, haveRedisServer, startRedisOracle } from '../helpers/redis-oracle.js';

const haveRedis = haveRedisServer();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-manifest-diff-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const PING = '*1\r\n$4\r\nPING\r\n';

/**
 * Starts redis-server on a directory whose appendonlydir holds `manifest` and `files`; resolves
 * with its log messages (the text after "pid:X date # " / "* ") once it is ready (then stops it)
 * or has exited, and whether it became ready.
 */
async function redisOn(manifest: string, files: string[]): Promise<{ ready: boolean; messages: string[] }> {
  const dir = fs.mkdtempSync(path.join(tmp, 'd-'));
  const aofDir = path.join(dir, 'appendonlydir');
  fs.mkdirSync(aofDir);
  fs.writeFileSync(path.join(aofDir, 'appendonly.aof.manifest'), manifest, 'latin1');
  for (const f of files) fs.writeFileSync(path.join(aofDir, f), PING);
  const port = await freePort();
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = await new Promise<boolean>((resolve) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      if (out.includes('Ready to accept connections')) resolve(true);
    });
    child.once('exit', () => resolve(false));
  });
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  // Log calls are "pid:role date level message"; a message may span lines (the FATAL banner).
  const messages = out.split(/^\d+:[A-Z] \d\d [A-Z][a-z]{2} \d{4} [\d:.]+ [#*.-] /m).slice(1);
  return { ready, messages };
}

/** Manifests and the files to create beside them. */
const CASES: [string, string[]][] = [
  ['', []],
  ['\n', []],
  ['file a.1.base.aof seq 1 type b\nfile a.1.incr.aof seq 1 type i\n', ['a.1.base.aof', 'a.1.incr.aof']],
  ['# comment\nTYPE i SEQ 1 FILE a.1.incr.aof\r\nfile a.1.base.aof seq 1 type bx extra x\r\r\n', ['a.1.base.aof', 'a.1.incr.aof']],
  ['file a.1.incr.aof seq 1 type i', ['a.1.incr.aof']],
  ['file a.1.incr.aof seq 1 type i\n\0\n', ['a.1.incr.aof']],
  ['file a.1.incr.aof seq 1 type i\n\n', ['a.1.incr.aof']],
  ['  # not a comment\n', []],
  ['file a.1.incr.aof seq 1\n', ['a.1.incr.aof']],
  ['file a.1.incr.aof seq 1 type i extra\n', ['a.1.incr.aof']],
  ['file a.1.incr.aof seq abc type i\n', ['a.1.incr.aof']],
  ['file a.1.incr.aof seq 0 type i\n', ['a.1.incr.aof']],
  ['file a.1.incr.aof seq 2abc type i\n', ['a.1.incr.aof']],
  ['file a.1.incr.aof seq 1 type ""\n', ['a.1.incr.aof']],
  ['file "a.1.incr.aof seq 1 type i\n', ['a.1.incr.aof']],
  ['file "a.1.incr.aof"x seq 1 type i\n', ['a.1.incr.aof']],
  ['file "a.1.\\x69ncr.aof" seq 1 type i\n', ['a.1.incr.aof']],
  ["file 'a.1.incr.aof' seq 1 type i\n", ['a.1.incr.aof']],
  ['file a.1.incr.aof seq 1 type I\n', ['a.1.incr.aof']],
  ['file a.1.base.aof seq 1 type b\nfile a.2.base.aof seq 2 type b\n', ['a.1.base.aof', 'a.2.base.aof']],
  ['file a/b seq 1 type i\n', []],
  ['file a.1.incr.aof seq 1 type i\nfile a.2.incr.aof seq 2 type h\nfile a.3.incr.aof seq 3 type i\n', ['a.1.incr.aof', 'a.3.incr.aof']],
  ['# only a comment\n', []],
  // The longest line accepted is 1023 bytes and its newline (padded with an ignored pair).
  [`file a.1.incr.aof seq 1 type i pad ${'x'.repeat(1023 - 'file a.1.incr.aof seq 1 type i pad '.length)}\n`, ['a.1.incr.aof']],
  [`file a.1.incr.aof seq 1 type i pad ${'x'.repeat(1024 - 'file a.1.incr.aof seq 1 type i pad '.length)}\n`, ['a.1.incr.aof']],
  ['file a.1.incr.aof seq 1 type i\nfile a.2.incr.aof seq 1 type i\n', ['a.1.incr.aof', 'a.2.incr.aof']],
  ['file a.1.incr.aof seq -1 type i\n', ['a.1.incr.aof']],
];

describe.skipIf(!haveRedis)('parseManifest refuses what redis-server refuses, with its fatal block', () => {
  if (!haveRedis) console.warn(NO_REDIS);
  it.each(CASES.map(([text], i) => [JSON.stringify(text).slice(0, 90), i] as const))('%s', async (_name, i) => {
    const [text, files] = CASES[i]!;
    let error: AofManifestError | undefined;
    try {
      parseManifest(text, 'appendonly.aof.manifest');
    } catch (e) {
      if (!(e instanceof AofManifestError)) throw e;
      error = e;
    }
    const redis = await redisOn(text, files);
    expect(redis.ready).toBe(error === undefined);
    if (error === undefined) {
      expect(redis.messages.join('')).not.toContain('FATAL AOF MANIFEST');
      return;
    }
    const block = redis.messages.slice(redis.messages.findIndex((m) => m.includes('FATAL AOF MANIFEST FILE ERROR')));
    expect(block).toEqual(error.logLines().map((l) => l + '\n'));
  });
});

describe.skipIf(!haveRedis)('redis-server 7.0 reads the manifest Kioku formats', () => {
  it.each([
    ['plain', 'appendonly.aof'],
    ['blank, quote, tab and UTF-8', 'my file"x\t\xc3\xa9.aof'],
    ["apostrophe (redis-server writes it bare and cannot read it back; Kioku quotes it)", "a'b.aof"],
  ])('%s names', async (_what, appendfilename) => {
    const dir = fs.mkdtempSync(path.join(tmp, 'manifest-'));
    const aofDir = path.join(dir, 'appendonlydir');
    fs.mkdirSync(aofDir);
    const m = emptyManifest();
    const first = addNewIncr(m, appendfilename);
    const second = addNewIncr(m, appendfilename);
    const cmd = (...args: string[]): string => `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join('');
    const write = (name: string, body: string): void => fs.writeFileSync(Buffer.from(path.join(aofDir, name), 'latin1'), body, 'latin1');
    write(first.name, cmd('SET', 'a', '1'));
    write(second.name, cmd('SET', 'b', '2'));
    write(manifestFileName(appendfilename), formatManifest(m));
    // The name reaches redis-server as the same bytes (latin1 string → UTF-8 argument).
    const oracle = await startRedisOracle(['--dir', dir, '--appendonly', 'yes', '--appendfilename', Buffer.from(appendfilename, 'latin1').toString('utf8')]);
    try {
      const { Redis } = await import('ioredis');
      const c = new Redis({ port: oracle.port, host: '127.0.0.1', lazyConnect: true });
      await c.connect();
      expect(await c.mget('a', 'b')).toEqual(['1', '2']);
      c.disconnect();
    } finally {
      await oracle.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
