import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { haveRedisServer, NO_REDIS, startRedisOracle } from '../helpers/redis-oracle.js';

let ts: TestServer;
const open: RawConnection[] = [];
const extraServers: TestServer[] = [];

beforeAll(async () => {
  ts = await startTestServer({ hz: '100' });
});
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});
afterAll(async () => {
  for (const s of extraServers) await s.stop();
  await ts.stop();
});

async function raw(port = ts.port): Promise<RawConnection> {
  const c = await RawConnection.connect(port);
  open.push(c);
  return c;
}

async function fresh(settings: Record<string, string> = {}): Promise<TestServer> {
  const s = await startTestServer(settings);
  extraServers.push(s);
  return s;
}

/** The payload of a bulk ($) or verbatim (=) reply. */
function payload(reply: string): string {
  const body = reply.slice(reply.indexOf('\r\n') + 2, -2);
  return reply.startsWith('=') ? body.slice(4) : body;
}

/** INFO text → [section, [field, value][]][] in order. */
function parseInfo(text: string): [string, [string, string][]][] {
  const out: [string, [string, string][]][] = [];
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) out.push([line.slice(2), []]);
    else if (line !== '') {
      const i = line.indexOf(':');
      out[out.length - 1]![1].push([line.slice(0, i), line.slice(i + 1)]);
    }
  }
  return out;
}

function infoField(text: string, name: string): string | undefined {
  for (const [, fields] of parseInfo(text)) for (const [k, v] of fields) if (k === name) return v;
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('INFO', () => {
  it('INFO (default) lists the default sections in Redis order, as a bulk string in RESP2', async () => {
    const c = await raw();
    const reply = await c.call('INFO');
    expect(reply).toMatch(/^\$\d+\r\n# Server\r\n/);
    expect(parseInfo(payload(reply)).map(([s]) => s)).toEqual([
      'Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Errorstats', 'Cluster', 'Keyspace',
    ]);
    expect(await c.call('INFO', 'default')).toMatch(/^\$\d+\r\n# Server\r\n/);
  });

  it('INFO all / everything add commandstats; unknown sections give an empty string', async () => {
    const c = await raw();
    for (const arg of ['all', 'everything', 'EVERYTHING']) {
      expect(parseInfo(payload(await c.call('INFO', arg))).map(([s]) => s)).toEqual([
        'Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Commandstats', 'Errorstats',
        'Cluster', 'Keyspace',
      ]);
    }
    expect(await c.call('INFO', 'nosuch')).toBe('$0\r\n\r\n');
    expect(await c.call('INFO', 'modules')).toBe('$11\r\n# Modules\r\n\r\n');
    expect(await c.call('INFO', 'cluster')).toBe('$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n');
  });

  it('INFO with several sections keeps the fixed section order; sections are separated by a blank line', async () => {
    const c = await raw();
    const text = payload(await c.call('INFO', 'keyspace', 'CLUSTER', 'server'));
    expect(parseInfo(text).map(([s]) => s)).toEqual(['Server', 'Cluster', 'Keyspace']);
    expect(text).toContain('io_threads_active:0\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n');
  });

  it('INFO server reports version 7.0.15, standalone mode, the port, a 40-hex run_id and the pid', async () => {
    const c = await raw();
    const text = payload(await c.call('INFO', 'server'));
    const fields = new Map(parseInfo(text)[0]![1]);
    expect(text.startsWith('# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n')).toBe(true);
    expect(fields.get('redis_mode')).toBe('standalone');
    expect(fields.get('tcp_port')).toBe(String(ts.port));
    expect(fields.get('run_id')).toMatch(/^[0-9a-f]{40}$/);
    expect(fields.get('run_id')).toBe(ts.server.runId);
    expect(fields.get('process_id')).toBe(String(process.pid));
    expect(fields.get('arch_bits')).toMatch(/^(32|64)$/);
    expect(Number(fields.get('uptime_in_seconds'))).toBeGreaterThanOrEqual(0);
    expect(fields.get('hz')).toBe('100');
    const other = await fresh();
    expect(other.server.runId).not.toBe(ts.server.runId);
  });

  it('INFO under HELLO 3 is a verbatim string (=len txt:...)', async () => {
    const c = await raw();
    await c.call('HELLO', '3');
    const reply = await c.call('INFO', 'cluster');
    expect(reply).toBe('=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n');
  });

  it('INFO through ioredis (RESP3) parses, with memory, persistence, replication and cpu fields', async () => {
    const r = await ts.client();
    const text = await r.info('everything');
    expect(infoField(text, 'used_memory')).toMatch(/^\d+$/);
    expect(infoField(text, 'used_memory_human')).toMatch(/^\d+(\.\d\d[KMGTPE]|B)$/);
    expect(infoField(text, 'loading')).toBe('0');
    expect(infoField(text, 'aof_enabled')).toBe('0');
    expect(infoField(text, 'role')).toBe('master');
    expect(infoField(text, 'connected_slaves')).toBe('0');
    expect(infoField(text, 'master_replid')).toMatch(/^[0-9a-f]{40}$/);
    expect(infoField(text, 'master_repl_offset')).toBe('0');
    expect(infoField(text, 'used_cpu_user')).toMatch(/^\d+\.\d{6}$/);
    expect(infoField(text, 'blocked_clients')).toBe('0');
    expect(Number(infoField(text, 'connected_clients'))).toBeGreaterThanOrEqual(1);
  });

  it('INFO commandstats, errorstats, keyspace and stats change as commands run', async () => {
    const s = await fresh();
    const c = await raw(s.port);
    expect(await c.call('GET', 'k')).toBe('$-1\r\n');
    expect(await c.call('GET')).toBe("-ERR wrong number of arguments for 'get' command\r\n");
    expect(await c.call('SET', 'k', 'v')).toBe('+OK\r\n');
    expect(await c.call('GET', 'k')).toBe('$1\r\nv\r\n');
    expect(await c.call('SLOWLOG', 'GET', 'x')).toBe('-ERR count should be greater than or equal to -1\r\n');

    const cmdstats = payload(await c.call('INFO', 'commandstats'));
    expect(cmdstats).toMatch(/\r\ncmdstat_get:calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0\r\n/);
    expect(cmdstats).toMatch(/\r\ncmdstat_set:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0\r\n/);
    expect(cmdstats).toMatch(/\r\ncmdstat_slowlog\|get:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=1\r\n/);
    expect(cmdstats).not.toContain('cmdstat_del:');

    expect(await c.call('INFO', 'errorstats')).toBe('$37\r\n# Errorstats\r\nerrorstat_ERR:count=2\r\n\r\n');
    expect(payload(await c.call('INFO', 'keyspace'))).toBe('# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n');

    const all = payload(await c.call('INFO', 'stats', 'persistence'));
    expect(infoField(all, 'keyspace_hits')).toBe('1');
    expect(infoField(all, 'keyspace_misses')).toBe('1');
    expect(infoField(all, 'total_error_replies')).toBe('2');
    expect(infoField(all, 'total_commands_processed')).toBe('7'); // the rejected GET and this INFO are not counted
    expect(infoField(all, 'rdb_changes_since_last_save')).toBe('1');
    expect(infoField(all, 'rdb_last_save_time')).toBe(String(s.server.lastSave));
    expect(Number(infoField(all, 'total_net_input_bytes'))).toBeGreaterThan(0);
    expect(Number(infoField(all, 'total_connections_received'))).toBe(1);
    expect(infoField(all, 'evicted_keys')).toBe('0');
    expect(infoField(all, 'instantaneous_ops_per_sec')).toMatch(/^\d+$/);
  });

  it('a command is timed alone: not with the slow command before it in a pipeline, nor with an idle gap', async () => {
    const s = await fresh();
    const c = await raw(s.port);
    const usec = async (name: string) => Number(/usec=(\d+)/.exec(infoField(payload(await c.call('INFO', 'commandstats')), `cmdstat_${name}`) ?? '')![1]);
    // One batch: DEBUG SLEEP, then ECHO timed from its end; a refused GET, then ECHO again.
    const echo = '*2\r\n$4\r\nECHO\r\n$1\r\nx\r\n';
    c.write(`*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$4\r\n0.05\r\n${echo}*1\r\n$3\r\nGET\r\n${echo}`);
    expect(await c.readReply()).toBe('+OK\r\n');
    expect(await c.readReply()).toBe('$1\r\nx\r\n');
    expect(await c.readReply()).toBe("-ERR wrong number of arguments for 'get' command\r\n");
    expect(await c.readReply()).toBe('$1\r\nx\r\n');
    expect(await usec('debug')).toBeGreaterThanOrEqual(50_000);
    expect(await usec('echo')).toBeLessThan(20_000);
    // Another batch after 60 ms of nothing.
    await new Promise((r) => setTimeout(r, 60));
    expect(await c.call('PING')).toBe('+PONG\r\n');
    expect(await usec('ping')).toBeLessThan(20_000);
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('ECHO', 'y')).toBe('+QUEUED\r\n');
    await new Promise((r) => setTimeout(r, 60));
    expect(await c.call('EXEC')).toBe('*1\r\n$1\r\ny\r\n');
    expect(await usec('exec')).toBeLessThan(20_000);
  });
});

describe.runIf(haveRedisServer())('INFO everything has the field names and order of redis-server 7.0', () => {
  it('INFO everything: same sections and fields, in the same order (values aside)', async () => {
    const oracle = await startRedisOracle();
    try {
      const rc = await raw(oracle.port);
      const kc = await raw();
      const shape = (text: string) =>
        parseInfo(text)
          .filter(([s]) => !['Commandstats', 'Errorstats', 'Keyspace', 'Latencystats'].includes(s))
          .map(([s, fields]) => [s, fields.map(([k]) => k)]);
      expect(shape(payload(await kc.call('INFO', 'everything')))).toEqual(shape(payload(await rc.call('INFO', 'everything'))));
    } finally {
      await oracle.stop();
    }
  });
});
if (!haveRedisServer()) console.warn(NO_REDIS);

describe('TIME and LASTSAVE', () => {
  it('TIME answers [seconds, microseconds] from the wall clock', async () => {
    const c = await raw();
    const reply = await c.call('TIME');
    const m = /^\*2\r\n\$\d+\r\n(\d+)\r\n\$\d+\r\n(\d+)\r\n$/.exec(reply);
    expect(m).not.toBeNull();
    expect(Math.abs(Number(m![1]) - Date.now() / 1000)).toBeLessThan(5);
    expect(Number(m![2])).toBeLessThan(1_000_000);
    expect(await c.call('TIME', 'x')).toBe("-ERR wrong number of arguments for 'time' command\r\n");
  });

  it('LASTSAVE answers the unix time of the last save', async () => {
    const c = await raw();
    expect(await c.call('LASTSAVE')).toBe(`:${ts.server.lastSave}\r\n`);
    const r = await ts.client();
    expect(await r.lastsave()).toBe(ts.server.lastSave);
  });
});

describe('DEBUG', () => {
  it('DEBUG SLEEP 0.1 blocks the server for about 100 ms; DEBUG SLEEP 0 returns at once', async () => {
    const c = await raw();
    const other = await raw();
    const t0 = performance.now();
    c.send('DEBUG', 'SLEEP', '0.1');
    other.send('PING');
    expect(await other.readReply()).toBe('+PONG\r\n');
    const elapsed = performance.now() - t0;
    expect(await c.readReply()).toBe('+OK\r\n');
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(1000);
    expect(await c.call('DEBUG', 'SLEEP', '0')).toBe('+OK\r\n');
    expect(await c.call('DEBUG', 'sleep', 'x')).toBe('+OK\r\n');
  });

  it('DEBUG with an unknown subcommand or wrong arguments, and DEBUG HELP', async () => {
    const c = await raw();
    expect(await c.call('DEBUG', 'nosuch')).toBe("-ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG HELP.\r\n");
    expect(await c.call('DEBUG', 'SLEEP')).toBe("-ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP.\r\n");
    expect(await c.call('DEBUG', 'object', 'a', 'b')).toBe("-ERR unknown subcommand or wrong number of arguments for 'object'. Try DEBUG HELP.\r\n");
    expect(await c.call('DEBUG')).toBe("-ERR wrong number of arguments for 'debug' command\r\n");
    const help = await c.call('DEBUG', 'HELP');
    expect(help).toMatch(/^\*\d+\r\n\+DEBUG <subcommand> \[<arg> \[value\] \[opt\] \.\.\.\]\. Subcommands are:\r\n/);
    expect(help).toContain('+SLEEP <seconds>\r\n+    Stop the server for <seconds>. Decimals allowed.\r\n');
    expect(help.endsWith('+HELP\r\n+    Prints this help.\r\n')).toBe(true);
  });

  it('DEBUG OBJECT shows encoding, refcount and serialized length; missing keys are an error', async () => {
    const c = await raw();
    await c.call('SET', 'dbg:s', 'bar');
    await c.call('SET', 'dbg:i', '12345');
    await c.call('SET', 'dbg:shared', '42');
    // 50 bytes LZF cannot shrink: stored plain (1 length byte + 50).
    await c.call('SET', 'dbg:raw', Array.from({ length: 50 }, (_, i) => String.fromCharCode(40 + i)).join(''));
    await c.call('RPUSH', 'dbg:list', 'a', 'b', 'c');
    await c.call('HSET', 'dbg:hash', 'f', 'v');
    await c.call('SADD', 'dbg:set', '1', '2', '3');
    await c.call('ZADD', 'dbg:zset', '1', 'a');
    expect(await c.call('DEBUG', 'OBJECT', 'dbg:s')).toMatch(
      /^\+Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:4 lru:\d+ lru_seconds_idle:\d+\r\n$/,
    );
    expect(await c.call('DEBUG', 'OBJECT', 'dbg:i')).toMatch(/ refcount:1 encoding:int serializedlength:3 /);
    expect(await c.call('DEBUG', 'OBJECT', 'dbg:shared')).toMatch(/ refcount:2147483647 encoding:int serializedlength:2 /);
    expect(await c.call('DEBUG', 'OBJECT', 'dbg:raw')).toMatch(/ encoding:raw serializedlength:51 /);
    // Aggregates: their RDB encodings' sizes, as redis-server 7.0.15 reports them.
    expect(await c.call('DEBUG', 'OBJECT', 'dbg:list')).toMatch(/ encoding:quicklist serializedlength:19 /);
    expect(await c.call('DEBUG', 'OBJECT', 'dbg:hash')).toMatch(/ encoding:listpack serializedlength:14 /);
    expect(await c.call('DEBUG', 'OBJECT', 'dbg:set')).toMatch(/ encoding:intset serializedlength:15 /);
    expect(await c.call('DEBUG', 'OBJECT', 'dbg:zset')).toMatch(/ encoding:listpack serializedlength:13 /);
    expect(await c.call('DEBUG', 'OBJECT', 'dbg:nokey')).toBe('-ERR no such key\r\n');
  });

  it('DEBUG SET-ACTIVE-EXPIRE 0 stops background expiry, 1 restores it', async () => {
    const c = await raw();
    const db0 = ts.server.keyspaces[0]!;
    expect(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0')).toBe('+OK\r\n');
    expect(ts.server.activeExpireEnabled).toBe(false);
    try {
      await c.call('SET', 'dbg:ttl', 'v', 'PX', '20');
      await sleep(150); // hz 100: about 15 cron runs
      expect(db0.data.has('dbg:ttl')).toBe(true);
    } finally {
      expect(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1')).toBe('+OK\r\n');
    }
    expect(ts.server.activeExpireEnabled).toBe(true);
    for (let i = 0; i < 50 && db0.data.has('dbg:ttl'); i++) await sleep(10);
    expect(db0.data.has('dbg:ttl')).toBe(false);
  });

  it('DEBUG CHANGE-REPL-ID draws a new master_replid', async () => {
    const c = await raw();
    const before = infoField(payload(await c.call('INFO', 'replication')), 'master_replid');
    expect(await c.call('DEBUG', 'CHANGE-REPL-ID')).toBe('+OK\r\n');
    const after = infoField(payload(await c.call('INFO', 'replication')), 'master_replid');
    expect(after).toMatch(/^[0-9a-f]{40}$/);
    expect(after).not.toBe(before);
  });

  it('DEBUG PROTOCOL answers each RESP type, in RESP2 and RESP3', async () => {
    const c2 = await raw();
    const c3 = await raw();
    await c3.call('HELLO', '3');
    const cases: [string, string, string][] = [
      ['string', '$11\r\nHello World\r\n', '$11\r\nHello World\r\n'],
      ['integer', ':12345\r\n', ':12345\r\n'],
      ['double', '$5\r\n3.141\r\n', ',3.141\r\n'],
      ['bignum', '$37\r\n1234567999999999999999999999999999999\r\n', '(1234567999999999999999999999999999999\r\n'],
      ['null', '$-1\r\n', '_\r\n'],
      ['array', '*3\r\n:0\r\n:1\r\n:2\r\n', '*3\r\n:0\r\n:1\r\n:2\r\n'],
      ['set', '*3\r\n:0\r\n:1\r\n:2\r\n', '~3\r\n:0\r\n:1\r\n:2\r\n'],
      ['map', '*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n', '%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n'],
      ['verbatim', '$25\r\nThis is a verbatim\nstring\r\n', '=29\r\ntxt:This is a verbatim\nstring\r\n'],
      ['true', ':1\r\n', '#t\r\n'],
      ['false', ':0\r\n', '#f\r\n'],
    ];
    for (const [type, resp2, resp3] of cases) {
      expect([type, await c2.call('DEBUG', 'PROTOCOL', type)]).toEqual([type, resp2]);
      expect([type, await c3.call('DEBUG', 'PROTOCOL', type)]).toEqual([type, resp3]);
    }
    expect(await c2.call('DEBUG', 'PROTOCOL', 'push')).toBe('-ERR RESP2 is not supported by this command\r\n');
    c3.send('DEBUG', 'PROTOCOL', 'push');
    expect(await c3.readReply()).toBe('>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n');
    expect(await c3.readReply()).toBe('$40\r\nSome real reply following the push reply\r\n');
    expect(await c2.call('DEBUG', 'PROTOCOL', 'attrib')).toBe('$39\r\nSome real reply following the attribute\r\n');
    c3.send('DEBUG', 'PROTOCOL', 'attrib');
    expect(await c3.readReply()).toBe('|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n');
    expect(await c2.call('DEBUG', 'PROTOCOL', 'nosuch')).toBe(
      '-ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n',
    );
  });

  it('DEBUG ERROR replies with the given error; DEBUG LOG answers OK', async () => {
    const c = await raw();
    expect(await c.call('DEBUG', 'ERROR', 'foo bar')).toBe('-foo bar\r\n');
    expect(await c.call('DEBUG', 'LOG', 'hello')).toBe('+OK\r\n');
  });
});

describe('SLOWLOG', () => {
  it('SLOWLOG GET, SLOWLOG LEN and SLOWLOG RESET with slowlog-log-slower-than 0 record every command', async () => {
    const s = await fresh({ 'slowlog-log-slower-than': '0' });
    const c = await raw(s.port);
    const addr = `127.0.0.1:${c.socket.localPort}`;
    expect(await c.call('SLOWLOG', 'RESET')).toBe('+OK\r\n');
    expect(await c.call('SET', 'a', 'b')).toBe('+OK\r\n');
    const entry = await c.call('SLOWLOG', 'GET', '1');
    expect(entry).toMatch(
      new RegExp(`^\\*1\\r\\n\\*6\\r\\n:\\d+\\r\\n:\\d+\\r\\n:\\d+\\r\\n\\*3\\r\\n\\$3\\r\\nSET\\r\\n\\$1\\r\\na\\r\\n\\$1\\r\\nb\\r\\n\\$${addr.length}\\r\\n${addr.replace(/\./g, '\\.')}\\r\\n\\$0\\r\\n\\r\\n$`),
    );
    const time = Number(/^\*1\r\n\*6\r\n:\d+\r\n:(\d+)/.exec(entry)![1]);
    expect(Math.abs(time - Date.now() / 1000)).toBeLessThan(5);
    // RESET, SET and GET were all logged (each after it ran)
    expect(await c.call('SLOWLOG', 'LEN')).toBe(':3\r\n');
    expect(await c.call('SLOWLOG', 'GET', '-1')).toMatch(/^\*4\r\n/);
    expect(await c.call('SLOWLOG', 'GET', '0')).toBe('*0\r\n');
    expect(await c.call('SLOWLOG', 'RESET')).toBe('+OK\r\n');
    expect(await c.call('SLOWLOG', 'LEN')).toBe(':1\r\n');
  });

  it('SLOWLOG GET shows the client name and at most 10 entries by default', async () => {
    const s = await fresh({ 'slowlog-log-slower-than': '0' });
    const c = await raw(s.port);
    s.server.clients.forEach((cl) => (cl.name = 'bob'));
    for (let i = 0; i < 12; i++) await c.call('PING');
    const reply = await c.call('SLOWLOG', 'GET');
    expect(reply).toMatch(/^\*10\r\n/);
    expect(reply).toContain('\r\n$3\r\nbob\r\n');
  });

  it('SLOWLOG errors and SLOWLOG HELP', async () => {
    const c = await raw();
    expect(await c.call('SLOWLOG', 'GET', '-2')).toBe('-ERR count should be greater than or equal to -1\r\n');
    expect(await c.call('SLOWLOG', 'GET', 'x')).toBe('-ERR count should be greater than or equal to -1\r\n');
    expect(await c.call('SLOWLOG', 'GET', '1', '2')).toBe("-ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.\r\n");
    expect(await c.call('SLOWLOG', 'LEN', 'x')).toBe("-ERR wrong number of arguments for 'slowlog|len' command\r\n");
    expect(await c.call('SLOWLOG', 'nosuch')).toBe("-ERR unknown subcommand 'nosuch'. Try SLOWLOG HELP.\r\n");
    expect(await c.call('SLOWLOG', 'HELP')).toBe(
      '*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET [<count>]\r\n' +
        '+    Return top <count> entries from the slowlog (default: 10, -1 mean all).\r\n+    Entries are made of:\r\n' +
        '+    id, timestamp, time in microseconds, arguments array, client IP and port,\r\n+    client name\r\n' +
        '+LEN\r\n+    Return the length of the slowlog.\r\n+RESET\r\n+    Reset the slowlog.\r\n+HELP\r\n+    Prints this help.\r\n',
    );
  });
});

describe('MEMORY', () => {
  it('MEMORY USAGE: nil for a missing key, a size that grows with the value, SAMPLES, errors', async () => {
    const c = await raw();
    await c.call('FLUSHALL');
    expect(await c.call('MEMORY', 'USAGE', 'nokey')).toBe('$-1\r\n');
    await c.call('SET', 'small', 'x');
    await c.call('SET', 'big', 'x'.repeat(10000));
    const small = Number((await c.call('MEMORY', 'USAGE', 'small')).slice(1, -2));
    const big = Number((await c.call('MEMORY', 'USAGE', 'big')).slice(1, -2));
    expect(small).toBeGreaterThan(1);
    expect(big - small).toBeGreaterThanOrEqual(9990);
    expect(big - small).toBeLessThan(10100);
    // A hash whose first fields are small and whose later ones are big: the count is exact (kept
    // by every write), so the default 5 samples and SAMPLES 0 both see every field.
    const fields = Array.from({ length: 20 }, (_, i) => [`f${i}`, i < 5 ? 'v' : 'v'.repeat(1000)]).flat();
    await c.call('HSET', 'h', ...fields);
    const sampled = Number((await c.call('MEMORY', 'USAGE', 'h')).slice(1, -2));
    const all = Number((await c.call('MEMORY', 'USAGE', 'h', 'SAMPLES', '0')).slice(1, -2));
    expect(sampled).toBe(all);
    expect(all).toBeGreaterThan(15 * 1000);
    for (const k of ['l', 's', 'z']) expect(await c.call('MEMORY', 'USAGE', k)).toBe('$-1\r\n');
    await c.call('RPUSH', 'l', 'a', 'b');
    await c.call('SADD', 's', '1', 'x');
    await c.call('ZADD', 'z', '1', 'a');
    for (const k of ['l', 's', 'z']) expect(await c.call('MEMORY', 'USAGE', k)).toMatch(/^:[1-9]\d*\r\n$/);
    expect(await c.call('MEMORY', 'USAGE', 'h', 'SAMPLES')).toBe('-ERR syntax error\r\n');
    expect(await c.call('MEMORY', 'USAGE', 'h', 'SAMPLES', '-1')).toBe('-ERR syntax error\r\n');
    expect(await c.call('MEMORY', 'USAGE', 'h', 'SAMPLES', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await c.call('MEMORY', 'USAGE', 'h', 'FOO', '1')).toBe('-ERR syntax error\r\n');
    expect(await c.call('MEMORY', 'USAGE')).toBe("-ERR wrong number of arguments for 'memory|usage' command\r\n");
  });

  it('MEMORY HELP, and unknown MEMORY subcommands', async () => {
    const c = await raw();
    expect(await c.call('MEMORY', 'HELP')).toBe(
      '*14\r\n+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n' +
        '+DOCTOR\r\n+    Return memory problems reports.\r\n' +
        '+MALLOC-STATS\r\n+    Return internal statistics report from the memory allocator.\r\n' +
        '+PURGE\r\n+    Attempt to purge dirty pages for reclamation by the allocator.\r\n' +
        '+STATS\r\n+    Return information about the memory usage of the server.\r\n' +
        '+USAGE <key> [SAMPLES <count>]\r\n' +
        '+    Return memory in bytes used by <key> and its value. Nested values are\r\n' +
        '+    sampled up to <count> times (default: 5, 0 means sample all).\r\n+HELP\r\n+    Prints this help.\r\n',
    );
    expect(await c.call('MEMORY', 'FOO')).toBe("-ERR unknown subcommand 'FOO'. Try MEMORY HELP.\r\n");
  });
});

describe('MONITOR', () => {
  it("MONITOR streams other clients' commands with timestamp, db and address, quoting arguments", async () => {
    const m = await raw();
    expect(await m.call('MONITOR')).toBe('+OK\r\n');
    const c = await raw();
    const addr = `127.0.0.1:${c.socket.localPort}`.replace(/\./g, '\\.');
    await c.call('SET', 'a b', 'x"y\\');
    await c.call('SELECT', '3');
    await c.call('GET', '\x01\xff\n');
    await c.call('DEBUG', 'SLEEP', '0'); // admin commands are not shown
    await c.call('ECHO', 'done');
    const line = (args: string) => new RegExp(`^\\+\\d{10}\\.\\d{6} \\[\\d+ ${addr}\\] ${args}\\r\\n$`);
    expect(await m.readReply()).toMatch(line('"SET" "a b" "x\\\\"y\\\\\\\\"'));
    expect(await m.readReply()).toMatch(/^\+\d+\.\d{6} \[3 [^\]]+\] "SELECT" "3"\r\n$/);
    expect(await m.readReply()).toMatch(line('"GET" "\\\\x01\\\\xff\\\\n"'));
    expect(await m.readReply()).toMatch(line('"ECHO" "done"'));
    expect(ts.server.monitors.size).toBe(1);
    m.close();
    for (let i = 0; i < 50 && ts.server.monitors.size > 0; i++) await sleep(10);
    expect(ts.server.monitors.size).toBe(0);
  });
});

describe('COMMAND', () => {
  it('COMMAND COUNT and COMMAND (all) agree with the table', async () => {
    const c = await raw();
    const n = ts.server.commands.size;
    expect(await c.call('COMMAND', 'COUNT')).toBe(`:${n}\r\n`);
    expect(await c.call('COMMAND')).toMatch(new RegExp(`^\\*${n}\\r\\n\\*10\\r\\n`));
    expect(await c.call('COMMAND', 'INFO')).toMatch(new RegExp(`^\\*${n}\\r\\n\\*10\\r\\n`));
    expect(await c.call('COMMAND', 'COUNT', 'x')).toBe("-ERR wrong number of arguments for 'command|count' command\r\n");
    expect(await c.call('COMMAND', 'nosuch')).toBe("-ERR unknown subcommand 'nosuch'. Try COMMAND HELP.\r\n");
  });

  it('COMMAND INFO time / slowlog|get and unknown names (nil), RESP2 and RESP3', async () => {
    const c = await raw();
    expect(await c.call('COMMAND', 'INFO', 'TIME', 'nosuch')).toBe(
      '*2\r\n*10\r\n$4\r\ntime\r\n:1\r\n*3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@fast\r\n' +
        '*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n$-1\r\n',
    );
    await c.call('HELLO', '3');
    expect(await c.call('COMMAND', 'INFO', 'slowlog|len', 'config|nosuch')).toBe(
      '*2\r\n*10\r\n$11\r\nslowlog|len\r\n:2\r\n~3\r\n+admin\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n' +
        '~3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n~3\r\n$24\r\nrequest_policy:all_nodes\r\n$23\r\nresponse_policy:agg_sum\r\n' +
        '$23\r\nnondeterministic_output\r\n~0\r\n~0\r\n_\r\n',
    );
  });

  it('COMMAND INFO of a container lists its subcommands as an array', async () => {
    const c = await raw();
    await c.call('HELLO', '3');
    const reply = await c.call('COMMAND', 'INFO', 'slowlog');
    expect(reply.startsWith('*1\r\n*10\r\n$7\r\nslowlog\r\n:-2\r\n~0\r\n:0\r\n:0\r\n:0\r\n~1\r\n+@slow\r\n~0\r\n~0\r\n*4\r\n*10\r\n$11\r\nslowlog|get\r\n')).toBe(true);
  });

  it('COMMAND INFO shows key specs as maps (GET)', async () => {
    const c = await raw();
    await c.call('HELLO', '3');
    expect(await c.call('COMMAND', 'INFO', 'get')).toBe(
      '*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n' +
        '~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n' +
        '$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n',
    );
  });

  it('COMMAND DOCS: summary, since, group, complexity, doc_flags, subcommands; unknown names left out', async () => {
    const c = await raw();
    expect(await c.call('COMMAND', 'DOCS', 'lastsave', 'nosuch')).toBe(
      '*2\r\n$8\r\nlastsave\r\n*8\r\n$7\r\nsummary\r\n$59\r\nGet the UNIX time stamp of the last successful save to disk\r\n' +
        '$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n',
    );
    expect(await c.call('COMMAND', 'DOCS', 'nosuch')).toBe('*0\r\n');
    await c.call('HELLO', '3');
    expect(await c.call('COMMAND', 'DOCS', 'monitor')).toBe(
      '%1\r\n$7\r\nmonitor\r\n%3\r\n$7\r\nsummary\r\n$59\r\nListen for all requests received by the server in real time\r\n' +
        '$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n',
    );
    expect(await c.call('COMMAND', 'DOCS', 'debug')).toContain('$9\r\ndoc_flags\r\n~1\r\n+syscmd\r\n');
    const script = await c.call('COMMAND', 'DOCS', 'script');
    expect(script).toContain('$11\r\nsubcommands\r\n%3\r\n$13\r\nscript|exists\r\n%4\r\n$7\r\nsummary\r\n');
    expect(await c.call('COMMAND', 'DOCS', 'script|help')).toMatch(/^%1\r\n\$11\r\nscript\|help\r\n%4\r\n/);
    expect(await c.call('COMMAND', 'DOCS')).toMatch(new RegExp(`^%${ts.server.commands.size}\\r\\n`));
  });

  it('COMMAND LIST with FILTERBY PATTERN / ACLCAT / MODULE, and its syntax errors', async () => {
    const c = await raw();
    expect(await c.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'SLOWLOG*')).toBe(
      '*5\r\n$7\r\nslowlog\r\n$11\r\nslowlog|get\r\n$11\r\nslowlog|len\r\n$13\r\nslowlog|reset\r\n$12\r\nslowlog|help\r\n',
    );
    const scripting = await c.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'Scripting');
    expect(scripting).toContain('$14\r\nfunction|flush\r\n');
    expect(scripting).toContain('$13\r\nscript|exists\r\n');
    expect(scripting).not.toContain('$6\r\nscript\r\n');
    expect(await c.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'nosuch')).toBe('*0\r\n');
    expect(await c.call('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x')).toBe('*0\r\n');
    const all = await c.call('COMMAND', 'LIST');
    expect(all).toContain('$4\r\ninfo\r\n');
    expect(all).toContain('$13\r\ncommand|count\r\n');
    for (const bad of [['FILTERBY'], ['x'], ['FILTERBY', 'PATTERN', 'a', 'b'], ['FILTERBY', 'foo', 'x']]) {
      expect(await c.call('COMMAND', 'LIST', ...bad)).toBe('-ERR syntax error\r\n');
    }
  });

  it('COMMAND GETKEYS and COMMAND GETKEYSANDFLAGS, with their errors', async () => {
    const c = await raw();
    expect(await c.call('COMMAND', 'GETKEYS', 'GET', 'k')).toBe('*1\r\n$1\r\nk\r\n');
    expect(await c.call('COMMAND', 'GETKEYS', 'mset', 'a', '1', 'c', '2')).toBe('*2\r\n$1\r\na\r\n$1\r\nc\r\n');
    expect(await c.call('COMMAND', 'GETKEYS', 'nosuch', 'a')).toBe('-ERR Invalid command specified\r\n');
    expect(await c.call('COMMAND', 'GETKEYS', 'slowlog', 'nosuch')).toBe('-ERR Invalid command specified\r\n');
    expect(await c.call('COMMAND', 'GETKEYS', 'get', 'a', 'b')).toBe('-ERR Invalid number of arguments specified for command\r\n');
    expect(await c.call('COMMAND', 'GETKEYS', 'ping', 'x')).toBe('-ERR The command has no key arguments\r\n');
    expect(await c.call('COMMAND', 'GETKEYS', 'slowlog', 'get')).toBe('-ERR The command has no key arguments\r\n');
    expect(await c.call('COMMAND', 'GETKEYS', 'get')).toBe("-ERR wrong number of arguments for 'command|getkeys' command\r\n");
    expect(await c.call('COMMAND', 'GETKEYSANDFLAGS', 'get', 'k')).toBe('*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+RO\r\n+access\r\n');
    await c.call('HELLO', '3');
    expect(await c.call('COMMAND', 'GETKEYSANDFLAGS', 'mset', 'a', '1', 'c', '2')).toBe(
      '*2\r\n*2\r\n$1\r\na\r\n~2\r\n+OW\r\n+update\r\n*2\r\n$1\r\nc\r\n~2\r\n+OW\r\n+update\r\n',
    );
  });

  it('COMMAND HELP and COMMAND through ioredis', async () => {
    const c = await raw();
    const help = await c.call('COMMAND', 'HELP');
    expect(help).toMatch(/^\*21\r\n\+COMMAND <subcommand> \[<arg> \[value\] \[opt\] \.\.\.\]\. Subcommands are:\r\n\+\(no subcommand\)\r\n/);
    expect(help).toContain('+GETKEYSANDFLAGS <full-command>\r\n+    Return the keys and the access flags from a full Redis command.\r\n');
    const r = await ts.client();
    expect(await r.command('COUNT')).toBe(ts.server.commands.size);
    expect(await r.command('GETKEYS', 'get', 'x')).toEqual(['x']);
  });
});

describe('FUNCTION and SCRIPT over the (empty) registries', () => {
  it('FUNCTION LIST is empty; FUNCTION FLUSH [SYNC|ASYNC] answers OK; bad options are errors; FUNCTION HELP', async () => {
    const c = await raw();
    expect(await c.call('FUNCTION', 'LIST')).toBe('*0\r\n');
    expect(await c.call('FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'x*')).toBe('*0\r\n');
    expect(await c.call('FUNCTION', 'LIST', 'LIBRARYNAME')).toBe('-ERR library name argument was not given\r\n');
    expect(await c.call('FUNCTION', 'LIST', 'foo')).toBe('-ERR Unknown argument foo\r\n');
    expect(await c.call('FUNCTION', 'LIST', 'WITHCODE', 'withcode')).toBe('-ERR Unknown argument withcode\r\n');
    expect(await c.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'a', 'LIBRARYNAME', 'b')).toBe('-ERR Unknown argument LIBRARYNAME\r\n');
    for (const mode of [[], ['SYNC'], ['async']]) expect(await c.call('FUNCTION', 'FLUSH', ...mode)).toBe('+OK\r\n');
    expect(await c.call('FUNCTION', 'FLUSH', 'x')).toBe('-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n');
    expect(await c.call('FUNCTION', 'FLUSH', 'SYNC', 'x')).toBe("-ERR unknown subcommand or wrong number of arguments for 'FLUSH'. Try FUNCTION HELP.\r\n");
    expect(await c.call('FUNCTION', 'nosuch')).toBe("-ERR unknown subcommand 'nosuch'. Try FUNCTION HELP.\r\n");
    expect(await c.call('FUNCTION', 'HELP')).toMatch(/^\*\d+\r\n\+FUNCTION <subcommand> \[<arg> \[value\] \[opt\] \.\.\.\]\. Subcommands are:\r\n/);
  });

  it('FUNCTION LIST shows the libraries in the registry (RESP3), filtered by LIBRARYNAME; FUNCTION FLUSH empties it', async () => {
    const s = await fresh();
    s.server.functionLibraries.set('mylib', {
      name: 'mylib', engine: 'LUA', code: '#!lua name=mylib\nbody',
      functions: new Map([
        ['f1', { name: 'f1', description: null, flags: [] }],
        ['f2', { name: 'f2', description: 'desc two', flags: ['no-writes', 'allow-stale'] }],
      ]),
    });
    const c = await raw(s.port);
    await c.call('HELLO', '3');
    const lib =
      '%3\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*2\r\n' +
      '%3\r\n$4\r\nname\r\n$2\r\nf1\r\n$11\r\ndescription\r\n_\r\n$5\r\nflags\r\n~0\r\n' +
      '%3\r\n$4\r\nname\r\n$2\r\nf2\r\n$11\r\ndescription\r\n$8\r\ndesc two\r\n$5\r\nflags\r\n~2\r\n+no-writes\r\n+allow-stale\r\n';
    expect(await c.call('FUNCTION', 'LIST')).toBe('*1\r\n' + lib);
    expect(await c.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'my*', 'WITHCODE')).toBe(
      '*1\r\n' + lib.replace('%3', '%4') + '$12\r\nlibrary_code\r\n$21\r\n#!lua name=mylib\nbody\r\n',
    );
    expect(await c.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'x*')).toBe('*0\r\n');
    const dirty = s.server.dirty;
    expect(await c.call('FUNCTION', 'FLUSH')).toBe('+OK\r\n');
    expect(s.server.functionLibraries.size).toBe(0);
    expect(s.server.dirty).toBe(dirty + 1);
    expect(await c.call('FUNCTION', 'LIST')).toBe('*0\r\n');
  });

  it('SCRIPT EXISTS answers per sha (case-insensitive); SCRIPT FLUSH empties the cache; SCRIPT HELP', async () => {
    const s = await fresh();
    const c = await raw(s.port);
    const sha = 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db';
    expect(await c.call('SCRIPT', 'EXISTS', sha, 'x')).toBe('*2\r\n:0\r\n:0\r\n');
    s.server.scripts.set(sha, 'return 1');
    expect(await c.call('SCRIPT', 'EXISTS', sha, sha.toUpperCase(), 'x')).toBe('*3\r\n:1\r\n:1\r\n:0\r\n');
    expect(await c.call('SCRIPT', 'FLUSH', 'x')).toBe('-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n');
    expect(await c.call('SCRIPT', 'FLUSH', 'SYNC', 'x')).toBe('-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n');
    expect(s.server.scripts.size).toBe(1);
    expect(await c.call('SCRIPT', 'FLUSH', 'ASYNC')).toBe('+OK\r\n');
    expect(s.server.scripts.size).toBe(0);
    expect(await c.call('SCRIPT', 'FLUSH')).toBe('+OK\r\n');
    expect(await c.call('SCRIPT', 'EXISTS')).toBe("-ERR wrong number of arguments for 'script|exists' command\r\n");
    expect(await c.call('SCRIPT', 'HELP')).toMatch(/^\*\d+\r\n\+SCRIPT <subcommand> \[<arg> \[value\] \[opt\] \.\.\.\]\. Subcommands are:\r\n/);
  });
});

describe('SHUTDOWN', () => {
  it('SHUTDOWN option errors, SHUTDOWN ABORT without a shutdown in progress', async () => {
    const c = await raw();
    expect(await c.call('SHUTDOWN', 'ABORT')).toBe('-ERR No shutdown in progress.\r\n');
    expect(await c.call('SHUTDOWN', 'x')).toBe('-ERR syntax error\r\n');
    expect(await c.call('SHUTDOWN', 'NOSAVE', 'SAVE')).toBe('-ERR syntax error\r\n');
    expect(await c.call('SHUTDOWN', 'ABORT', 'NOW')).toBe('-ERR syntax error\r\n');
  });

  it('SHUTDOWN NOSAVE closes every connection and the listener, then calls onShutdown', async () => {
    const s = await startTestServer();
    let shutdownCalled = false;
    s.server.onShutdown = () => {
      shutdownCalled = true;
    };
    const c = await raw(s.port);
    const bystander = await raw(s.port);
    c.send('SHUTDOWN', 'NOSAVE', 'NOW', 'FORCE');
    expect(await c.readUntilClosed()).toBe('');
    expect(await bystander.readUntilClosed()).toBe('');
    for (let i = 0; i < 50 && !shutdownCalled; i++) await sleep(10);
    expect(shutdownCalled).toBe(true);
    await expect(RawConnection.connect(s.port)).rejects.toThrow(/ECONNREFUSED/);
  });
});
