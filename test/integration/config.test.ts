import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../../src/config.js';
import { loadServerConfig } from '../../src/config-file.js';
import { Server } from '../../src/server.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { freePort } from '../helpers/redis-oracle.js';

let ts: TestServer;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-config-it-'));
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});


/** Resolves when something accepts on the port, rejects after ~2 s. */
async function waitListening(port: number): Promise<RawConnection> {
  for (let i = 0; i < 100; i++) {
    try {
      return await RawConnection.connect(port);
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw new Error(`nothing listens on ${port}`);
}

/** A CONFIG GET reply as an object, whether the client gave a map or a flat array. */
function asMap(reply: unknown): Record<string, string> {
  if (!Array.isArray(reply)) return reply as Record<string, string>;
  const out: Record<string, string> = {};
  for (let i = 0; i < reply.length; i += 2) out[reply[i] as string] = reply[i + 1] as string;
  return out;
}

/** Starts an in-process server from a config file, as kioku-server would load it. */
async function serverFromFile(file: string): Promise<Server> {
  const config = new Config();
  loadServerConfig(config, { configFile: file, readStdin: false, options: '' }, () => '');
  const server = new Server({ config, logger: pino({ level: 'silent' }) });
  await server.start();
  return server;
}

describe('CONFIG GET', () => {
  it('CONFIG GET answers a RESP3 map or a RESP2 flat array, exact bytes', async () => {
    const c = await RawConnection.connect(ts.port);
    expect(await c.call('CONFIG', 'GET', 'maxmemory')).toBe('*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n');
    expect(await c.call('CONFIG', 'GET', 'no-such-thing')).toBe('*0\r\n');
    await c.call('HELLO', '3');
    expect(await c.call('CONFIG', 'GET', 'maxmemory')).toBe('%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n');
    expect(await c.call('CONFIG', 'GET', 'no-such-thing')).toBe('%0\r\n');
    expect(await c.call('CONFIG', 'GET')).toBe("-ERR wrong number of arguments for 'config|get' command\r\n");
    c.close();
  });

  it('CONFIG GET with globs (case-insensitive), several patterns, aliases, and exact names as spelled', async () => {
    const r = await ts.client();
    expect(asMap(await r.call('CONFIG', 'GET', '*max-*-entries*'))).toEqual({
      'hash-max-listpack-entries': '512',
      'hash-max-ziplist-entries': '512',
      'set-max-intset-entries': '512',
      'zset-max-listpack-entries': '128',
      'zset-max-ziplist-entries': '128',
    });
    expect(asMap(await r.call('CONFIG', 'GET', 'HZ'))).toEqual({ HZ: '10' });
    expect(asMap(await r.call('CONFIG', 'GET', 'H?'))).toEqual({ hz: '10' });
    expect(asMap(await r.call('CONFIG', 'GET', 'hz', 'HZ', 'h?', 'port'))).toEqual({ hz: '10', port: '0' });
    expect(asMap(await r.call('CONFIG', 'GET', 'slaveof', 'replicaof'))).toEqual({ slaveof: '', replicaof: '' });
    expect(asMap(await r.call('CONFIG', 'GET', 'save', 'bind', 'client-output-buffer-limit'))).toEqual({
      save: '3600 1 300 100 60 10000',
      bind: '127.0.0.1',
      'client-output-buffer-limit': 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
    });
    const all = asMap(await r.call('CONFIG', 'GET', '*'));
    expect(Object.keys(all)).toHaveLength(192);
    // A test server works in its own temporary directory; a fresh Config says the working directory.
    expect(all.dir).toMatch(/kioku-test-/);
    expect(new Config().get('dir')).toBe(process.cwd());
  });
});

describe('CONFIG SET', () => {
  it('CONFIG SET changes several parameters at once, and they apply live', async () => {
    const r = await ts.client();
    expect(await r.call('CONFIG', 'SET', 'hz', '20', 'slowlog-max-len', '2', 'maxmemory', '1gb', 'loglevel', 'WARNING')).toBe('OK');
    expect(asMap(await r.call('CONFIG', 'GET', 'hz', 'slowlog-max-len', 'maxmemory', 'loglevel'))).toEqual({
      hz: '20', 'slowlog-max-len': '2', maxmemory: '1073741824', loglevel: 'warning',
    });
    expect(ts.server.slowlog.maxLen).toBe(2);
    expect(ts.server.log.level).toBe('warn');
    expect(await r.call('CONFIG', 'SET', 'save', '900 1 300 10', 'client-output-buffer-limit', 'replica 1mb 2mb 3')).toBe('OK');
    expect(asMap(await r.call('CONFIG', 'GET', 'save', 'client-output-buffer-limit'))).toEqual({
      save: '900 1 300 10',
      'client-output-buffer-limit': 'normal 0 0 0 slave 1048576 2097152 3 pubsub 33554432 8388608 60',
    });
    expect(await r.call('CONFIG', 'SET', 'save', '')).toBe('OK');
    expect(asMap(await r.call('CONFIG', 'GET', 'save'))).toEqual({ save: '' });
    await r.call('CONFIG', 'SET', 'hz', '10', 'slowlog-max-len', '128', 'maxmemory', '0', 'loglevel', 'notice', 'save', '3600 1 300 100 60 10000');
  });

  it('CONFIG SET is all or nothing and names the failing argument as spelled, exact error texts', async () => {
    const c = await RawConnection.connect(ts.port);
    expect(await c.call('CONFIG', 'SET', 'hz', '20', 'port', 'abc')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer\r\n",
    );
    expect(await c.call('CONFIG', 'GET', 'hz')).toBe('*2\r\n$2\r\nhz\r\n$2\r\n10\r\n');
    expect(await c.call('CONFIG', 'SET', 'x', '1')).toBe("-ERR Unknown option or number of arguments for CONFIG SET - 'x'\r\n");
    expect(await c.call('CONFIG', 'SET', 'databases', '4')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n",
    );
    expect(await c.call('CONFIG', 'SET', 'dir', '/')).toBe("-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config\r\n");
    expect(await c.call('CONFIG', 'SET', 'hz', '5', 'HZ', '6')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter\r\n",
    );
    expect(await c.call('CONFIG', 'SET', 'slave-read-only', 'no', 'replica-read-only', 'yes')).toBe('+OK\r\n');
    expect(await c.call('CONFIG', 'SET', 'hz', '11', 'maxclients')).toBe('-ERR syntax error\r\n');
    expect(await c.call('CONFIG', 'SET', 'hz')).toBe("-ERR wrong number of arguments for 'config|set' command\r\n");
    expect(await c.call('CONFIG', 'SET', 'loglevel', 'loud')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning\r\n",
    );
    expect(await c.call('CONFIG', 'SET', 'save', '900')).toBe("-ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters\r\n");
    expect(await c.call('CONFIG', 'GET', 'hz', 'save')).toBe('*4\r\n$2\r\nhz\r\n$2\r\n10\r\n$4\r\nsave\r\n$23\r\n3600 1 300 100 60 10000\r\n');
    c.close();
  });

  it('CONFIG SET requirepass makes new connections authenticate', async () => {
    const c = await RawConnection.connect(ts.port);
    expect(await c.call('CONFIG', 'SET', 'requirepass', 's3cret')).toBe('+OK\r\n');
    const other = await RawConnection.connect(ts.port);
    expect(await other.call('CONFIG', 'GET', 'hz')).toBe('-NOAUTH Authentication required.\r\n');
    expect(await other.call('AUTH', 's3cret')).toBe('+OK\r\n');
    expect(await c.call('CONFIG', 'SET', 'requirepass', '')).toBe('+OK\r\n');
    c.close();
    other.close();
  });

  it('CONFIG SET port rebinds: the new port accepts, the old one no longer, connected clients stay', async () => {
    const s = await startTestServer();
    try {
      const oldPort = s.port;
      const c = await RawConnection.connect(oldPort);
      const newPort = await freePort();
      expect(await c.call('CONFIG', 'SET', 'port', String(newPort))).toBe('+OK\r\n');
      const n = await waitListening(newPort);
      expect(await n.call('CONFIG', 'GET', 'port')).toBe(`*2\r\n$4\r\nport\r\n$${String(newPort).length}\r\n${newPort}\r\n`);
      expect(await c.call('PING')).toBe('+PONG\r\n');
      expect(s.server.port).toBe(newPort);
      await expect(RawConnection.connect(oldPort)).rejects.toThrow(/ECONNREFUSED/);
      n.close();
      c.close();
    } finally {
      await s.stop();
    }
  });

  it('CONFIG SET port to a port in use keeps the old port and value (logged, COMPAT)', async () => {
    const s = await startTestServer();
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    try {
      const busy = (blocker.address() as net.AddressInfo).port;
      const c = await RawConnection.connect(s.port);
      expect(await c.call('CONFIG', 'SET', 'port', String(busy))).toBe('+OK\r\n');
      // The rebind runs after the reply; once it has failed, the old value is back.
      for (let i = 0; i < 100 && s.server.config.get('port') !== '0'; i++) await new Promise((r) => setTimeout(r, 20));
      expect(s.server.config.get('port')).toBe('0');
      const again = await waitListening(s.server.port);
      expect(await again.call('PING')).toBe('+PONG\r\n');
      again.close();
      c.close();
    } finally {
      blocker.close();
      await s.stop();
    }
  });
});

describe('CONFIG RESETSTAT and CONFIG HELP', () => {
  it('CONFIG RESETSTAT zeroes stats, errorstats and commandstats but keeps the slowlog', async () => {
    const r = await ts.client();
    await r.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await r.ping();
    await r.call('CONFIG', 'SET', 'nope', '1').catch(() => undefined);
    await r.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
    const slowlogBefore = ts.server.slowlog.entries.length;
    expect(slowlogBefore).toBeGreaterThan(0);
    expect(ts.server.stats.totalCommandsProcessed).toBeGreaterThan(0);
    expect(await r.call('CONFIG', 'RESETSTAT')).toBe('OK');
    // RESETSTAT itself is counted once it has run, as in Redis.
    expect(ts.server.stats.totalCommandsProcessed).toBe(1);
    expect(ts.server.stats.errors.size).toBe(0);
    expect(ts.server.commands.get('ping')!.stats.calls).toBe(0);
    expect(ts.server.commands.get('config')!.subcommands!.get('set')!.stats.calls).toBe(0);
    expect(ts.server.commands.get('config')!.subcommands!.get('resetstat')!.stats.calls).toBe(1);
    expect(ts.server.slowlog.entries.length).toBe(slowlogBefore);
    const c = await RawConnection.connect(ts.port);
    expect(await c.call('CONFIG', 'RESETSTAT', 'x')).toBe("-ERR wrong number of arguments for 'config|resetstat' command\r\n");
    c.close();
  });

  it('CONFIG HELP lists the subcommands; unknown subcommands and a bare CONFIG are errors', async () => {
    const c = await RawConnection.connect(ts.port);
    const lines = [
      'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
      'GET <pattern>',
      '    Return parameters matching the glob-like <pattern> and their values.',
      'SET <directive> <value>',
      '    Set the configuration <directive> to <value>.',
      'RESETSTAT',
      '    Reset statistics reported by the INFO command.',
      'REWRITE',
      '    Rewrite the configuration file.',
      'HELP',
      '    Prints this help.',
    ];
    expect(await c.call('CONFIG', 'HELP')).toBe(`*${lines.length}\r\n${lines.map((l) => `+${l}\r\n`).join('')}`);
    expect(await c.call('CONFIG', 'FOO')).toBe("-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n");
    expect(await c.call('CONFIG')).toBe("-ERR wrong number of arguments for 'config' command\r\n");
    c.close();
  });
});

describe('CONFIG REWRITE', () => {
  it('CONFIG REWRITE without a config file is an error', async () => {
    const c = await RawConnection.connect(ts.port);
    expect(await c.call('CONFIG', 'REWRITE')).toBe('-ERR The server is running without a config file\r\n');
    expect(await c.call('CONFIG', 'REWRITE', 'x')).toBe("-ERR wrong number of arguments for 'config|rewrite' command\r\n");
    c.close();
  });

  it('CONFIG REWRITE updates lines in place, blanks extras, comments unknown ones, appends new values; the file loads back equal', async () => {
    const file = path.join(tmp, 'rewrite.conf');
    fs.writeFileSync(
      file,
      [
        '# Kioku test config',
        'port 0',
        'bind 127.0.0.1',
        '',
        '# save points',
        'save 900 1',
        'save 300 10',
        'hz 10',
        'maxmemory 100mb',
        'masterauth "old secret"',
        'client-output-buffer-limit normal 0 0 0',
        'client-output-buffer-limit pubsub 32mb 8mb 60',
        'rename-command FLUSHALL ""',
        'slaveof 127.0.0.1 9999',
        'timeout 5',
        '   timeout    6',
        'list-max-ziplist-entries 5',
        '',
      ].join('\n'),
    );
    const server = await serverFromFile(file);
    try {
      const c = await RawConnection.connect(server.port);
      expect(
        await c.call(
          'CONFIG', 'SET', 'hz', '15', 'maxmemory', '0', 'timeout', '0', 'slowlog-max-len', '200', 'masterauth', '',
          'notify-keyspace-events', 'Ex', 'save', '100 1', 'client-output-buffer-limit', 'replica 1mb 1mb 1',
          'replica-read-only', 'no', 'tcp-keepalive', '300',
        ),
      ).toBe('+OK\r\n');
      expect(await c.call('CONFIG', 'REWRITE')).toBe('+OK\r\n');
      const expected = [
        '# Kioku test config',
        'port 0',
        'bind 127.0.0.1',
        '',
        '# save points',
        'save 100 1',
        '',
        'hz 15',
        'maxmemory 0',
        '',
        'client-output-buffer-limit normal 0 0 0',
        'client-output-buffer-limit replica 1mb 1mb 1',
        'rename-command FLUSHALL ""',
        'replicaof 127.0.0.1 9999',
        'timeout 0',
        '',
        '# ??? list-max-ziplist-entries 5',
        '',
        '# Generated by CONFIG REWRITE',
        `dir ${JSON.stringify(process.cwd())}`,
        'notify-keyspace-events "xE"',
        'replica-read-only no',
        'slowlog-max-len 200',
        '',
      ].join('\n');
      expect(fs.readFileSync(file, 'latin1')).toBe(expected);
      // A second rewrite of an unchanged configuration changes nothing.
      expect(await c.call('CONFIG', 'REWRITE')).toBe('+OK\r\n');
      expect(fs.readFileSync(file, 'latin1')).toBe(expected);
      c.close();
      const reloaded = new Config();
      loadServerConfig(reloaded, { configFile: file, readStdin: false, options: '' }, () => '');
      expect(Object.fromEntries(reloaded.entries().map(([p, v]) => [p.name, v]))).toEqual(
        Object.fromEntries(server.config.entries().map(([p, v]) => [p.name, v])),
      );
    } finally {
      await server.stop();
    }
  });

  it('CONFIG REWRITE quotes strings with escapes and writes memory sizes with units', async () => {
    const file = path.join(tmp, 'quoting.conf');
    fs.writeFileSync(file, 'port 0\nbind 127.0.0.1\n');
    const server = await serverFromFile(file);
    try {
      const r = await RawConnection.connect(server.port);
      expect(await r.call('CONFIG', 'SET', 'masterauth', 'a "b"\n\x01', 'proto-max-bulk-len', '2048kb', 'maxmemory', '1500')).toBe('+OK\r\n');
      expect(await r.call('CONFIG', 'REWRITE')).toBe('+OK\r\n');
      r.close();
      const text = fs.readFileSync(file, 'latin1');
      expect(text).toContain('\nmasterauth "a \\"b\\"\\n\\x01"\n');
      expect(text).toContain('\nproto-max-bulk-len 2mb\n');
      expect(text).toContain('\nmaxmemory 1500\n');
      const reloaded = new Config();
      loadServerConfig(reloaded, { configFile: file, readStdin: false, options: '' }, () => '');
      expect(reloaded.get('masterauth')).toBe('a "b"\n\x01');
      expect(reloaded.get('proto-max-bulk-len')).toBe('2097152');
    } finally {
      await server.stop();
    }
  });
});
