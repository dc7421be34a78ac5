/**
 * bin/kioku-server as a process: config file + command line, start-up log lines, CONFIG GET on
 * the running server, SIGTERM/SIGINT shutdown with the pid file removed, fatal config errors.
 * Needs the compiled server (dist/): `npm test` builds it first.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawConnection } from '../helpers/raw-connection.js';
import { KIOKU_BIN, KIOKU_ROOT, startKiokuProcess, type KiokuProcess } from '../helpers/kioku-process.js';

const root = KIOKU_ROOT;
const bin = KIOKU_BIN;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-startup-'));
const DEBIAN_CONF = '/etc/redis/redis.conf';

beforeAll(() => {
  if (!fs.existsSync(path.join(root, 'dist', 'main.js'))) throw new Error('dist/main.js is missing: run `npm run build` (npm test does)');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Spawns kioku-server in the test's directory and waits until it accepts connections. */
const startKioku = (args: string[], stdin?: string): Promise<KiokuProcess> => startKiokuProcess(args, { cwd: tmp, stdin });

/** Runs kioku-server to completion (it is expected to exit by itself). */
function runKioku(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmp, encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kioku-server start-up and shutdown', () => {
  it('starts from a config file plus --options, logs PID and port, answers CONFIG GET, writes the pidfile, exits on SIGTERM within 1 s', async () => {
    const conf = path.join(tmp, 'kioku.conf');
    const pidfile = path.join(tmp, 'kioku.pid');
    fs.writeFileSync(conf, `# test\nport 6399\nbind 127.0.0.1\nhz 20\nacllog-max-len 256\nsave 900 1\npidfile ${pidfile}\n`);
    const k = await startKioku([conf, '--port', '0', '--loglevel', 'verbose', '--appendonly', 'yes']);
    expect(k.messages).toContain(`Kioku version=0.1.0 (Redis 7.0.15 compatible), node=${process.version}, PID: ${k.child.pid}, just started`);
    expect(k.messages).toContain('Configuration loaded');
    expect(k.messages).toContain('WARNING: these directives are accepted but Kioku does not act on them yet: acllog-max-len');
    expect(k.port).toBeGreaterThan(0);
    expect(fs.readFileSync(pidfile, 'utf8')).toBe(`${k.child.pid}\n`);
    const c = await RawConnection.connect(k.port);
    expect(await c.call('CONFIG', 'GET', 'hz')).toBe('*2\r\n$2\r\nhz\r\n$2\r\n20\r\n');
    expect(await c.call('CONFIG', 'GET', 'loglevel')).toBe('*2\r\n$8\r\nloglevel\r\n$7\r\nverbose\r\n');
    expect(await c.call('CONFIG', 'GET', 'save')).toBe('*2\r\n$4\r\nsave\r\n$5\r\n900 1\r\n');
    k.child.kill('SIGTERM');
    const { code, ms } = await k.exited;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(1000);
    expect(k.messages).toEqual(expect.arrayContaining(['Received SIGTERM scheduling shutdown...', 'Redis is now ready to exit, bye bye...']));
    expect(fs.existsSync(pidfile)).toBe(false);
    c.close();
  });

  it('reads config from stdin with -, and SIGINT shuts down cleanly', async () => {
    const k = await startKioku(['-', '--port', '0', '--bind', '127.0.0.1'], 'hz 33\ntimeout 7\n');
    expect(k.messages).toContain('Reading config from stdin');
    const c = await RawConnection.connect(k.port);
    expect(await c.call('CONFIG', 'GET', 'hz')).toBe('*2\r\n$2\r\nhz\r\n$2\r\n33\r\n');
    c.close();
    k.child.kill('SIGINT');
    const { code, ms } = await k.exited;
    expect([code, ms < 1000]).toEqual([0, true]);
    expect(k.messages).toContain('Received SIGINT scheduling shutdown...');
  });

  it('SHUTDOWN ends the process with status 0 and removes the pidfile', async () => {
    const pidfile = path.join(tmp, 'shutdown.pid');
    const k = await startKioku(['--port', '0', '--bind', '127.0.0.1', '--pidfile', pidfile]);
    expect(fs.existsSync(pidfile)).toBe(true);
    const c = await RawConnection.connect(k.port);
    c.send('SHUTDOWN', 'NOSAVE');
    expect((await k.exited).code).toBe(0);
    expect(fs.existsSync(pidfile)).toBe(false);
    c.close();
  });

  it.runIf(fs.existsSync(DEBIAN_CONF))("loads Debian's redis.conf (foreground overrides) and warns about unacted directives", async () => {
    const k = await startKioku([
      DEBIAN_CONF, '--port', '0', '--bind', '127.0.0.1', '--daemonize', 'no', '--logfile', '', '--dir', tmp,
      '--pidfile', path.join(tmp, 'debian.pid'), '--supervised', 'no', '--jemalloc-bg-thread', 'no',
    ]);
    expect(k.messages.find((m) => m.startsWith('WARNING: these directives are accepted but Kioku does not act on them yet:'))).toContain('jemalloc-bg-thread');
    const c = await RawConnection.connect(k.port);
    expect(await c.call('CONFIG', 'GET', 'dir')).toBe(`*2\r\n$3\r\ndir\r\n$${tmp.length}\r\n${tmp}\r\n`);
    expect(await c.call('CONFIG', 'GET', 'auto-aof-rewrite-min-size')).toBe('*2\r\n$25\r\nauto-aof-rewrite-min-size\r\n$8\r\n67108864\r\n');
    c.close();
    k.child.kill('SIGTERM');
    expect((await k.exited).code).toBe(0);
  });
});

describe('kioku-server fatal configuration errors', () => {
  it('a bad directive in the file exits 1 with the FATAL CONFIG FILE ERROR text on stderr', () => {
    const conf = path.join(tmp, 'bad.conf');
    fs.writeFileSync(conf, 'port 7000\nfoo bar\n');
    const r = runKioku([conf]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments\n" +
        `(in ${conf}, line 2, directive 'foo')\n`,
    );
  });

  it('a malformed --option value is reported at its line after the file', () => {
    const r = runKioku(['--port', 'abc']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'port \"abc\"'\nargument couldn't be parsed into an integer\n" +
        "(in the command line, line 1, directive 'port')\n",
    );
  });

  it('a missing config file exits 1 naming it', () => {
    const missing = path.join(tmp, 'missing.conf');
    const r = runKioku([missing]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`Fatal error, can't open config file '${missing}': No such file or directory\n`);
  });

  it('--version exits 0; --help prints usage on stderr and exits 1', () => {
    const v = runKioku(['--version']);
    expect(v.status).toBe(0);
    expect(v.stdout).toBe(`Kioku server v=7.0.15 kioku=0.1.0 node=${process.version} bits=64\n`);
    const h = runKioku(['--help']);
    expect(h.status).toBe(1);
    expect(h.stderr.split('\n')[0]).toBe('Usage: kioku-server [/path/to/kioku.conf] [options] [-]');
  });
});
