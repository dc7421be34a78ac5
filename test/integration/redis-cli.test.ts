/**
 * Debian's redis-cli against Kioku: commands piped on stdin (split client-side with quotes, as
 * typed at its prompt), `--pipe` mass insertion of 1,000,000 SETs, `--scan`, and `-3` (RESP3).
 * The expected outputs are what redis-cli 7.0.15 prints against redis-server 7.0.15.
 * Skips, saying so, when redis-cli is not installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';

const REDIS_CLI = process.env.REDIS_CLI_BIN ?? 'redis-cli';
const HAVE_CLI = spawnSync(REDIS_CLI, ['--version'], { encoding: 'utf8' }).status === 0;
if (!HAVE_CLI) console.warn('NO_REDIS_CLI: redis-cli is not installed (apt-get install redis-tools): redis-cli tests skipped');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs redis-cli against the test server (asynchronously: the server runs in this process).
 * `input` is written to its stdin: a string, or blocks produced one at a time with backpressure.
 */
function cli(port: number, args: string[], input: string | (() => Buffer | null) = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(REDIS_CLI, ['-p', String(port), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.stdin.on('error', () => {}); // redis-cli may exit before reading all (its stderr says why)
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString('latin1') }),
    );
    if (typeof input === 'string') {
      child.stdin.end(Buffer.from(input, 'latin1'));
      return;
    }
    const pump = () => {
      for (let block = input(); block !== null; block = input()) {
        if (!child.stdin.write(block)) {
          child.stdin.once('drain', pump);
          return;
        }
      }
      child.stdin.end();
    };
    pump();
  });
}

describe.runIf(HAVE_CLI)('redis-cli against Kioku', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer();
  });
  afterAll(async () => ts.stop());

  it('commands piped on stdin (PING SET GET ECHO INCR MGET, quotes and \\x escapes), raw output', async () => {
    const input = ['PING', 'SET k v', 'GET k', `SET "a b" 'c\\'d'`, 'GET "a b"', 'ECHO "\\x41\\x00B"', 'GET missing', 'INCR n', 'NOSUCH x', 'MGET k missing', ''].join('\n');
    const r = await cli(ts.port, [], input);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      "PONG\nOK\nv\nOK\nc'd\nA\x00B\n\n1\nERR unknown command 'NOSUCH', with args beginning with: 'x' \n\nv\n\n",
    );
  });

  it('commands piped on stdin with --no-raw: (nil), (integer), (error), arrays (ECHO GET MGET INCR SET)', async () => {
    const r = await cli(ts.port, ['--no-raw'], 'ECHO "a b"\nGET missing\nMGET k missing\nINCR n\nNOSUCH\nSET k\n');
    expect(r.stdout).toBe(
      '"a b"\n(nil)\n1) "v"\n2) (nil)\n(integer) 2\n' +
        "(error) ERR unknown command 'NOSUCH', with args beginning with: \n" +
        "(error) ERR wrong number of arguments for 'set' command\n",
    );
  });

  it('a command given as arguments, binary-safe through -x (SET GET)', async () => {
    const value = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
    expect((await cli(ts.port, ['-x', 'SET', 'cli:bin'], value)).stdout).toBe('OK\n');
    const c = await RawConnection.connect(ts.port);
    expect(await c.call('GET', 'cli:bin')).toBe(`$256\r\n${value}\r\n`);
    c.close();
  });

  it('--pipe: 1,000,000 SET commands as RESP → "errors: 0, replies: 1000000"', async () => {
    const TOTAL = 1_000_000;
    const BLOCK = 10_000;
    let next = 0;
    const block = (): Buffer | null => {
      if (next >= TOTAL) return null;
      let s = '';
      for (const end = next + BLOCK; next < end; next++) {
        const n = String(next).padStart(7, '0');
        s += `*3\r\n$3\r\nSET\r\n$12\r\npipe:${n}\r\n$7\r\n${n}\r\n`;
      }
      return Buffer.from(s, 'latin1');
    };
    const r = await cli(ts.port, ['--pipe'], block);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('All data transferred. Waiting for the last reply...\nLast reply received from server.\nerrors: 0, replies: 1000000\n');
    const c = await RawConnection.connect(ts.port);
    expect(await c.call('GET', 'pipe:0000000')).toBe('$7\r\n0000000\r\n');
    expect(await c.call('GET', 'pipe:0999999')).toBe('$7\r\n0999999\r\n');
    c.close();
  }, 180_000);

  it('--scan --pattern lists the matching keys (SCAN)', async () => {
    const c = await RawConnection.connect(ts.port);
    for (let i = 0; i < 25; i++) expect(await c.call('SET', `scan:${i}`, 'x')).toBe('+OK\r\n');
    c.close();
    const r = await cli(ts.port, ['--scan', '--pattern', 'scan:*']);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter((l) => l !== '').sort()).toEqual(Array.from({ length: 25 }, (_, i) => `scan:${i}`).sort());
  });

  it('-3 (RESP3 through HELLO 3): maps, nulls and integers as redis-cli shows them (CONFIG GET, GET, HELLO)', async () => {
    expect((await cli(ts.port, ['-3', '--no-raw', 'CONFIG', 'GET', 'maxmemory'])).stdout).toBe('1# "maxmemory" => "0"\n');
    expect((await cli(ts.port, ['-3', 'CONFIG', 'GET', 'maxmemory'])).stdout).toBe('maxmemory 0\n');
    expect((await cli(ts.port, ['-3', '--no-raw', 'GET', 'missing'])).stdout).toBe('(nil)\n');
    const hello = (await cli(ts.port, ['-3', '--no-raw', 'HELLO', '3'])).stdout.split('\n');
    expect(hello.slice(0, 3)).toEqual(['1# "server" => "redis"', '2# "version" => "7.0.15"', '3# "proto" => (integer) 3']);
  });
});
