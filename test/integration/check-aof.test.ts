/**
 * kioku-check-aof without redis-server: exact report lines and exit codes (as redis-check-aof 7.0
 * prints them; the side-by-side comparison is test/compat/check-aof.diff.test.ts), repairs,
 * truncation to a timestamp, a directory argument, the files a running Kioku writes, and the bin
 * script (needs dist/: `npm test` builds it).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCheckAof } from '../../src/tools/check-aof.js';
import { startTestServer } from '../helpers/test-server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-check-aof-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cmd = (...args: string[]): string => `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join('');
const S = cmd('SELECT', '0');
const X = cmd('set', 'c', 'd');

let n = 0;
/** Writes files into a new directory; returns it. */
function files(contents: Record<string, string>): string {
  const dir = path.join(tmp, String(n++));
  fs.mkdirSync(dir);
  for (const [name, body] of Object.entries(contents)) fs.writeFileSync(path.join(dir, name), body, 'latin1');
  return dir;
}

/** Runs the checker in-process; its output lines and exit code. */
function check(args: string[], answer = ''): { lines: string[]; code: number } {
  let out = '';
  const code = runCheckAof(args, { program: 'kioku-check-aof', write: (t) => (out += t), readAnswer: () => answer });
  return { lines: out.split('\n').slice(0, -1), code };
}

describe('old-style AOF', () => {
  it('valid file', () => {
    const dir = files({ 'a.aof': S + X });
    expect(check([path.join(dir, 'a.aof')])).toEqual({
      lines: [
        'Start checking Old-Style AOF',
        `AOF analyzed: filename=${dir}/a.aof, size=50, ok_up_to=50, ok_up_to_line=13, diff=0`,
        `AOF ${dir}/a.aof is valid`,
      ],
      code: 0,
    });
  });

  it('a cut last command is reported, then repaired with --fix after asking', () => {
    const dir = files({ 'a.aof': S + X + '*3\r\n$3\r\nset' });
    const file = path.join(dir, 'a.aof');
    const report = [
      'Start checking Old-Style AOF',
      '0x              3a: Expected to read 5 bytes, got 3 bytes',
      `AOF analyzed: filename=${file}, size=61, ok_up_to=50, ok_up_to_line=15, diff=11`,
    ];
    expect(check([file])).toEqual({ lines: [...report, `AOF ${file} is not valid. Use the --fix option to try fixing it.`], code: 1 });
    expect(check(['--fix', file], 'n\n')).toEqual({
      lines: [...report, `This will shrink the AOF ${file} from 61 bytes, with 11 bytes, to 50 bytes`, 'Continue? [y/N]: Aborting...'],
      code: 1,
    });
    expect(fs.statSync(file).size).toBe(61);
    expect(check(['--fix', file], 'y\n')).toEqual({
      lines: [...report, `This will shrink the AOF ${file} from 61 bytes, with 11 bytes, to 50 bytes`, `Continue? [y/N]: Successfully truncated AOF ${file}`],
      code: 0,
    });
    expect(fs.readFileSync(file, 'latin1')).toBe(S + X);
  });

  it('MULTI without EXEC: the transaction is not part of the valid prefix', () => {
    const dir = files({ 'a.aof': S + cmd('MULTI') + X });
    const file = path.join(dir, 'a.aof');
    expect(check([file]).lines.slice(1, 3)).toEqual([
      '0x              3e: Reached EOF before reading EXEC for MULTI',
      `AOF analyzed: filename=${file}, size=65, ok_up_to=23, ok_up_to_line=16, diff=42`,
    ]);
  });

  it('--truncate-to-timestamp cuts at the first later #TS annotation', () => {
    const dir = files({ 'a.aof': '#TS:100\r\n' + S + '#TS:200\r\n' + X + '#TS:300\r\n' + X });
    const file = path.join(dir, 'a.aof');
    expect(check(['--truncate-to-timestamp', '250', file])).toEqual({
      lines: ['Start checking Old-Style AOF', `Successfully truncated AOF ${file} to timestamp 250`],
      code: 0,
    });
    expect(fs.readFileSync(file, 'latin1')).toBe('#TS:100\r\n' + S + '#TS:200\r\n' + X);
    expect(check(['--truncate-to-timestamp', '50', file]).lines[1]).toBe(`AOF ${file} has nothing before timestamp 50, aborting...`);
    expect(check(['--truncate-to-timestamp', 'x', file])).toEqual({ lines: ['Invalid timestamp, aborting...'], code: 1 });
  });

  it('usage and unreadable files', () => {
    const usage = 'Usage: kioku-check-aof [--fix|--truncate-to-timestamp $timestamp] <file.manifest|file.aof>';
    expect(check([])).toEqual({ lines: [usage], code: 1 });
    expect(check(['--nope', 'a'])).toEqual({ lines: [usage], code: 1 });
    expect(check([path.join(tmp, 'missing.aof')])).toEqual({ lines: [`Cannot open file ${tmp}/missing.aof: No such file or directory`], code: 1 });
    const empty = files({});
    expect(check([empty])).toEqual({ lines: [`Cannot read file: ${empty}`], code: 1 });
  });
});

describe('multi-part AOF', () => {
  it('manifest errors are printed as redis-server logs them', () => {
    const dir = files({ 'a.manifest': 'file a seq 1 type b\nfile b seq 2 type b\n' });
    const { lines, code } = check([path.join(dir, 'a.manifest')]);
    expect(code).toBe(1);
    expect(lines[0]).toBe('Start checking Multi Part AOF');
    expect(lines.slice(1).map((l) => l.replace(/^\d+:C \d\d \w{3} \d{4} [\d:.]+ # /, 'LOG # '))).toEqual([
      'LOG # ',
      '*** FATAL AOF MANIFEST FILE ERROR ***',
      '',
      'LOG # Reading the manifest file, at line 2',
      '',
      "LOG # >>> 'file b seq 2 type b'",
      '',
      'LOG # Found duplicate base file information',
      '',
    ]);
  });

  it('only the last file may be repaired', () => {
    const dir = files({ 'a.manifest': 'file b.aof seq 1 type b\nfile i.aof seq 1 type i\n', 'b.aof': S + X + '*1', 'i.aof': X });
    expect(check(['--fix', path.join(dir, 'a.manifest')], 'y')).toEqual({
      lines: [
        'Start checking Multi Part AOF',
        'Start to check BASE AOF (RESP format).',
        '0x              32: Expected \\r\\n, got: 000a',
        'AOF analyzed: filename=b.aof, size=52, ok_up_to=50, ok_up_to_line=13, diff=2',
        'Failed to truncate AOF b.aof because it is not the last file',
      ],
      code: 1,
    });
  });

  it("a running Kioku's appendonlydir checks clean, also given as a directory", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'server-'));
    const ts = await startTestServer({ dir, appendonly: 'yes' });
    try {
      const c = await ts.client();
      await c.set('a', '1');
      await c.multi().incr('n').expire('a', 100).exec();
    } finally {
      await ts.stop();
    }
    const { lines, code } = check([path.join(dir, 'appendonlydir')]);
    expect(code).toBe(0);
    expect(lines[0]).toBe('Start checking Multi Part AOF');
    expect(lines).toContain('Start to check BASE AOF (RDB format).');
    expect(lines).toContain('RDB preamble is OK, proceeding with AOF tail...');
    expect(lines.at(-1)).toBe('All AOF files and manifest are valid');
  });
});

describe('bin/kioku-check-aof', () => {
  it('runs the compiled checker with its exit code', () => {
    const dir = files({ 'a.aof': S + 'x' });
    const bin = path.join(root, 'bin', 'kioku-check-aof');
    const bad = spawnSync(bin, ['a.aof'], { cwd: dir, encoding: 'latin1' });
    expect(bad.stdout).toBe(
      'Start checking Old-Style AOF\nAOF a.aof format error\nAOF analyzed: filename=a.aof, size=24, ok_up_to=23, ok_up_to_line=6, diff=1\nAOF a.aof is not valid. Use the --fix option to try fixing it.\n',
    );
    expect(bad.status).toBe(1);
    const fixed = spawnSync(bin, ['--fix', 'a.aof'], { cwd: dir, encoding: 'latin1', input: 'y\n' });
    expect(fixed.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'a.aof'), 'latin1')).toBe(S);
  });
});
