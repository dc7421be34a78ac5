/**
 * bin/kioku-check-aof beside Debian's redis-check-aof 7.0.15 on the same inputs: every report
 * line, the exit code and the files left behind must be equal (the program name in the usage
 * line and the pid/time prefix of manifest errors aside). Then Debian's redis-check-aof on the
 * appendonlydir a running Kioku wrote (RDB preamble and RESP bases, after a rewrite).
 * Needs the compiled tool (dist/): `npm test` builds it first.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveRedisServer, NO_REDIS } from '../helpers/redis-oracle.js';
import { startTestServer } from '../helpers/test-server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const KIOKU = path.join(root, 'bin', 'kioku-check-aof');
const REDIS = 'redis-check-aof';
const haveRedis = haveRedisServer() && spawnSync(REDIS, [], { encoding: 'utf8' }).stdout.startsWith('Usage:');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-check-aof-diff-'));

beforeAll(() => {
  if (!fs.existsSync(path.join(root, 'dist', 'tools', 'check-aof.js'))) throw new Error('dist/tools/check-aof.js is missing: run `npm run build`');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// ---- Inputs ----

const cmd = (...args: string[]): string => `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`).join('');
const S = cmd('SELECT', '0');
const X = cmd('set', 'c', 'd');
const M = cmd('MULTI');
const E = cmd('EXEC');

/** A base with an RDB preamble, as redis-server 7.0.15 wrote it (SET a b after five aux fields). */
const RDB = Buffer.from(
  '524544495330303130fa0972656469732d76657206372e302e3135fa0a72656469732d62697473c040fa056374696d65c2ecab056bfa08757365642d6d656dc288560e00fa08616f662d62617365c001fe00fb01000001610162ffc927db9f4bb1ec03',
  'hex',
);

type Files = Record<string, string | Buffer>;

interface Case {
  name: string;
  files: Files;
  args: string[];
  /** The answer typed to the --fix question. */
  answer?: string;
}

const MULTIPART: Files = {
  'b.aof': S + X,
  'i1.aof': X,
  'it.aof': X + '*3\r\n$3',
  'bt.aof': S + X + '*1',
  'empty.aof': '',
  'tb.aof': '#TS:100\r\n' + S + X,
  'ti1.aof': '#TS:200\r\n' + X + '#TS:300\r\n' + X,
  'ti2.aof': '#TS:400\r\n' + X + '#TS:500\r\n' + X,
  'rb.aof': RDB,
};

const oldStyle = (name: string, body: string | Buffer, args: string[] = [], answer?: string): Case => ({
  name,
  files: { 't.aof': body },
  args: [...args, 't.aof'],
  ...(answer !== undefined ? { answer } : {}),
});
const multiPart = (name: string, manifest: string, args: string[] = [], answer?: string): Case => ({
  name,
  files: { ...MULTIPART, 'm.manifest': manifest },
  args: [...args, 'm.manifest'],
  ...(answer !== undefined ? { answer } : {}),
});

const TS = 'file tb.aof seq 1 type b\nfile ti1.aof seq 1 type i\nfile ti2.aof seq 2 type i\n';

const CASES: Case[] = [
  oldStyle('empty file', ''),
  oldStyle('valid', S + X),
  oldStyle('transaction', S + M + X + E),
  oldStyle('argument cut short', S + X + '*3\r\n$3\r\nset'),
  oldStyle('last argument without CRLF', S + '*3\r\n$3\r\nset\r\n$1\r\nc\r\n$1\r\nd'),
  oldStyle('ends inside a length line', S + '*3\r\n$3\r\nset\r\n$1\r\nc\r\n$1\r\n'),
  oldStyle('ends after a complete argument', S + '*3\r\n$3\r\nset\r\n'),
  oldStyle('count line cut after CR', S + '*3\r\n$3\r'),
  oldStyle('count line without CRLF', S + '*3'),
  oldStyle('lone star', S + '*'),
  oldStyle('not a command', S + 'x3\r\n' + X),
  oldStyle('junk after an argument', S + '*3\r\n$3\r\nset\r\n$1\r\nc\r\n$1\r\ndXX*1\r\n$4\r\nPING\r\n'),
  oldStyle('wrong length prefix', S + '*3\r\n#3\r\nset\r\n'),
  oldStyle('MULTI without EXEC', S + M + X),
  oldStyle('nested MULTI', S + M + X + M + X + E),
  oldStyle('EXEC without MULTI', S + X + E),
  oldStyle('lowercase multi at the end', cmd('PING') + M + cmd('exec') + cmd('multi')),
  oldStyle('MULTI, then the file ends in an argument', S + M + '*3\r\n$3\r\nset'),
  oldStyle('MULTI, then the file ends before a length line', S + M + '*3\r\n$3\r\nset\r\n'),
  oldStyle('zero and negative counts', S + '*0\r\n*-1\r\n*\r\n' + X),
  oldStyle('negative length', S + '*1\r\n$-1\r\n' + X),
  oldStyle('length not a number', S + '*1\r\n$abc\r\n\r\n'),
  oldStyle('count with a trailing blank', S + '*2 \r\n' + X),
  oldStyle('LF without CR', S + '*1\n$1\r\na\r\n'),
  oldStyle('lengths with sign and blank', S + '*1\r\n$+3\r\nabc\r\n*1\r\n$ 3\r\nabc\r\n'),
  oldStyle('huge length', S + '*1\r\n$1000000000000\r\nab'),
  oldStyle('length out of range', S + '*1\r\n$9223372036854775806\r\nab'),
  oldStyle('length overflowing', S + '*1\r\n$99999999999999999999\r\nab'),
  oldStyle('high bytes in the error', Buffer.from('*1\r\n$1\r\na\xc3\xa9', 'latin1')),
  oldStyle('annotations', '#TS:123\r\n' + S + '#TS:456\r\n' + X + '#' + 'a'.repeat(150) + '\r\n'),
  oldStyle('annotation at the end without newline', S + '#TS:456'),
  oldStyle('annotation inside a transaction, then junk', S + M + '#TS:4\r\nx'),
  oldStyle('blank line', S + '\r\n'),
  oldStyle('trailing newline', S + X + '\n'),
  oldStyle('RDB preamble and RESP tail', Buffer.concat([RDB, Buffer.from(X)])),
  oldStyle('RDB preamble and a cut tail', Buffer.concat([RDB, Buffer.from(X + '*3')])),
  oldStyle('too short to be RDB', 'REDIS0'),
  oldStyle('--fix yes', S + X + '*3\r\n$3\r\nset', ['--fix'], 'y'),
  oldStyle('--fix Yes', S + 'x3\r\n' + X, ['--fix'], 'Yes'),
  oldStyle('--fix no', S + X + '*3\r\n$3\r\nset', ['--fix'], 'n'),
  oldStyle('--fix without an answer', S + X + '*3\r\n$3\r\nset', ['--fix'], ''),
  oldStyle('--fix on a valid file', S + X, ['--fix'], 'y'),
  oldStyle('--fix with an RDB preamble', Buffer.concat([RDB, Buffer.from(X + '*3')]), ['--fix'], 'y'),
  oldStyle('--truncate-to-timestamp cuts', '#TS:100\r\n' + S + '#TS:200\r\n' + X + '#TS:300\r\n' + X, ['--truncate-to-timestamp', '250']),
  oldStyle('--truncate-to-timestamp equal is kept', S + '#TS:300\r\n' + X, ['--truncate-to-timestamp', '300']),
  oldStyle('--truncate-to-timestamp nothing before', '#TS:100\r\n' + S, ['--truncate-to-timestamp', '50']),
  oldStyle('--truncate-to-timestamp nothing to cut', '#TS:100\r\n' + S, ['--truncate-to-timestamp', '1000']),
  oldStyle('--truncate-to-timestamp on a damaged file', '#TS:100\r\n' + S + X + '*3', ['--truncate-to-timestamp', '1000']),
  oldStyle('--truncate-to-timestamp before the damage', '#TS:100\r\n' + S + '#TS:300\r\n' + X + '*3', ['--truncate-to-timestamp', '250']),
  ...['#TS:12x\r\n', '#TS:\r\n', '#TS:300', '#TS:300\n', '#TS: 300\r\n', '#TS:+300\r\n', '#TS:99999999999999999999\r\n', '#ts:300\r\n', '#TS:300 \r\n', '#TS:300\r\r\n'].map(
    (a) => oldStyle(`annotation ${JSON.stringify(a)} with --truncate-to-timestamp`, S + a + X, ['--truncate-to-timestamp', '250']),
  ),
  oldStyle('unparsable annotation without truncation', S + '#TS:abc\r\n' + X),
  ...['0', '-5', '12abc', '', '99999999999999999999'].map((ts) => oldStyle(`timestamp argument ${JSON.stringify(ts)}`, '#TS:100\r\n' + S, ['--truncate-to-timestamp', ts])),
  oldStyle('usage: no file', '', ['--fix', 't.aof', 'x']),
  oldStyle('usage: unknown option', '', ['--bogus']),
  { name: 'usage: nothing', files: {}, args: [] },
  { name: 'missing file', files: {}, args: ['nope.aof'] },
  { name: '--fix alone is a file name', files: {}, args: ['--fix'] },
  multiPart('multi-part valid', 'file b.aof seq 1 type b\nfile i1.aof seq 1 type i\n'),
  multiPart('manifest with a comment first', '# c\nfile b.aof seq 1 type b\n'),
  multiPart('commented-out manifest is an AOF', '#file b.aof seq 1 type b\n'),
  multiPart('last incr cut', 'file b.aof seq 1 type b\nfile i1.aof seq 1 type i\nfile it.aof seq 2 type i\n'),
  multiPart('middle incr cut', 'file b.aof seq 1 type b\nfile it.aof seq 1 type i\nfile i1.aof seq 2 type i\n'),
  multiPart('base cut', 'file bt.aof seq 1 type b\nfile i1.aof seq 1 type i\n'),
  multiPart('only a cut base', 'file bt.aof seq 1 type b\n'),
  multiPart('only a cut incr', 'file it.aof seq 1 type i\n'),
  multiPart('missing incr', 'file b.aof seq 1 type b\nfile nope.aof seq 1 type i\n'),
  multiPart('missing base', 'file nope.aof seq 1 type b\n'),
  multiPart('empty incr', 'file b.aof seq 1 type b\nfile empty.aof seq 1 type i\n'),
  multiPart('empty base', 'file empty.aof seq 1 type b\nfile i1.aof seq 1 type i\n'),
  multiPart('history entries are not checked', 'file b.aof seq 1 type b\nfile nope.aof seq 1 type h\nfile i1.aof seq 1 type i\n'),
  multiPart('no files', 'file nope.aof seq 1 type h\n'),
  multiPart('RDB base named .aof', 'file rb.aof seq 1 type b\nfile i1.aof seq 1 type i\n'),
  multiPart('RDB as an incr file', 'file i1.aof seq 1 type i\nfile rb.aof seq 2 type i\n'),
  multiPart('manifest: invalid line', 'file b.aof seq 1 type b\nfile i1.aof seq 1\n'),
  multiPart('manifest: duplicate base', 'file b.aof seq 1 type b\nfile b.aof seq 2 type b\n'),
  multiPart('manifest: no newline', 'file'),
  multiPart('manifest: a path', 'file ../b.aof seq 1 type b\n'),
  multiPart('manifest: unknown type', 'file b.aof seq 1 type x\n'),
  multiPart('--fix the last incr', 'file b.aof seq 1 type b\nfile i1.aof seq 1 type i\nfile it.aof seq 2 type i\n', ['--fix'], 'y'),
  multiPart('--fix a middle incr', 'file b.aof seq 1 type b\nfile it.aof seq 1 type i\nfile i1.aof seq 2 type i\n', ['--fix'], 'y'),
  multiPart('--fix a base before incrs', 'file bt.aof seq 1 type b\nfile i1.aof seq 1 type i\n', ['--fix'], 'y'),
  multiPart('--fix the only base', 'file bt.aof seq 1 type b\n', ['--fix'], 'y'),
  multiPart('--fix refused', 'file it.aof seq 1 type i\n', ['--fix'], 'n'),
  ...['450', '250', '50', '350', '1000', '0'].map((ts) => multiPart(`multi-part --truncate-to-timestamp ${ts}`, TS, ['--truncate-to-timestamp', ts])),
];

// ---- Running both tools ----

interface Outcome {
  stdout: string;
  status: number | null;
  files: Record<string, string>;
}

function runTool(tool: string, c: Case, dir: string): Outcome {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, body] of Object.entries(c.files)) fs.writeFileSync(path.join(dir, name), typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
  const r = spawnSync(tool, c.args, { cwd: dir, input: c.answer === undefined ? '' : c.answer + '\n', encoding: 'latin1' });
  const files: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) files[name] = fs.readFileSync(path.join(dir, name)).toString('hex');
  const stdout = r.stdout
    .replace(/^\d+:C \d\d [A-Z][a-z]{2} \d{4} [\d:.]+ # /gm, 'LOG # ')
    .replace(/^Usage: \S+/m, 'Usage: PROGRAM');
  return { stdout, status: r.status, files };
}

describe.skipIf(!haveRedis)('kioku-check-aof reports as redis-check-aof 7.0', () => {
  if (!haveRedis) console.warn(NO_REDIS);
  it.each(CASES.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const c = CASES[i]!;
    const redis = runTool(REDIS, c, path.join(tmp, `${i}-redis`));
    const kioku = runTool(KIOKU, c, path.join(tmp, `${i}-kioku`));
    expect(kioku.stdout).toBe(redis.stdout);
    expect(kioku.status).toBe(redis.status);
    expect(kioku.files).toEqual(redis.files);
  });
});

// COMPAT: on a damaged RDB preamble redis-check-rdb adds "[additional info]" lines (its internal
// state); everything else matches.
const withBadChecksum = Buffer.from(RDB);
withBadChecksum[95] = 0x01;
const DAMAGED_RDB: Case[] = [
  oldStyle('RDB cut in an aux field', RDB.subarray(0, 60)),
  oldStyle('RDB header only', RDB.subarray(0, 9)),
  oldStyle('RDB shorter than its header', 'REDIS001'),
  oldStyle('RDB version from the future', 'REDIS0011xxxxxxxx'),
  oldStyle('RDB with a wrong checksum', withBadChecksum),
  multiPart('RDB base cut', 'file rbt.aof seq 1 type b\nfile i1.aof seq 1 type i\n'),
].map((c) => ({ ...c, files: { ...c.files, 'rbt.aof': RDB.subarray(0, 70) } }));

describe.skipIf(!haveRedis)('kioku-check-aof on a damaged RDB preamble', () => {
  it.each(DAMAGED_RDB.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const c = DAMAGED_RDB[i]!;
    const redis = runTool(REDIS, c, path.join(tmp, `rdb-${i}-redis`));
    const kioku = runTool(KIOKU, c, path.join(tmp, `rdb-${i}-kioku`));
    expect(redis.stdout).toContain('RDB preamble of AOF file is not sane, aborting.');
    expect(kioku.stdout).toBe(redis.stdout.replace(/^\[additional info\].*\n/gm, ''));
    expect(kioku.status).toBe(redis.status);
  });
});

// ---- Kioku's files through Debian's checker, and Kioku's manifest through redis-server ----

async function waitFor(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!haveRedis)('Debian redis-check-aof accepts what Kioku writes', () => {
  it.each([
    ['an RDB preamble', 'yes'],
    ['a RESP base', 'no'],
  ])('appendonlydir with %s, after a rewrite, with transactions and expiries', async (_what, preamble) => {
    const dir = fs.mkdtempSync(path.join(tmp, 'kioku-aof-'));
    const ts = await startTestServer({ dir, appendonly: 'yes', 'aof-use-rdb-preamble': preamble });
    const manifest = path.join(dir, 'appendonlydir', 'appendonly.aof.manifest');
    try {
      const c = await ts.client();
      await c.set('s', 'v', 'EX', 100);
      await c.rpush('l', 'a', 'b', 'c');
      await c.hset('h', 'f', 'v');
      await c.sadd('set', '1', '2', '3');
      await c.zadd('z', 1, 'm');
      await c.multi().incr('n').incr('n').exec();
      await c.select(3);
      await c.set('k3', 'x');
      const before = fs.readFileSync(manifest, 'latin1');
      await c.bgrewriteaof();
      await waitFor(() => fs.readFileSync(manifest, 'latin1') !== before && !fs.readFileSync(manifest, 'latin1').includes('type h'), 'the rewrite');
      await c.spop('set');
      await c.expire('l', 1000);
      await c.multi().set('t', '1').del('h').exec();
    } finally {
      await ts.stop();
    }
    const redis = spawnSync(REDIS, [manifest], { encoding: 'latin1' });
    const kioku = spawnSync(KIOKU, [manifest], { encoding: 'latin1' });
    expect(redis.stdout).toContain('All AOF files and manifest are valid');
    expect(redis.status).toBe(0);
    expect(kioku.stdout).toBe(redis.stdout);
    expect(kioku.status).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
