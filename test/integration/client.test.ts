/**
 * CLIENT subcommands over TCP: ioredis for the client library's view, raw bytes for exact replies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => ts.stop());

// ioredis's ready check sends INFO; the client tests do not depend on it.
const ioOpts = { enableReadyCheck: false };

/** Reads an integer reply (":n\r\n") as a number. */
function int(reply: string): number {
  expect(reply).toMatch(/^:\d+\r\n$/);
  return Number(reply.slice(1, -2));
}

/** The CLIENT LIST / CLIENT INFO line of a connection, every field spelled out. */
function lineRegex(o: {
  id: number; port: number; name?: string; flags?: string; db?: number; argvMem?: number; cmd: string; resp?: 2 | 3;
}): RegExp {
  const argvMem = o.argvMem ?? 0;
  // The caller's own `*2 $6 client $4 list|info` (26 bytes) is still in its query buffer, as in Redis.
  const qbuf = argvMem > 0 ? 26 : 0;
  const esc = (s: string) => s.replace(/[|.]/g, (c) => `\\${c}`);
  return new RegExp(
    `^id=${o.id} addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:${o.port} fd=\\d+ name=${o.name ?? ''} age=0 idle=0 ` +
      `flags=${o.flags ?? 'N'} db=${o.db ?? 0} sub=0 psub=0 ssub=0 multi=-1 qbuf=${qbuf} qbuf-free=0 argv-mem=${argvMem} ` +
      `multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=${qbuf + argvMem} events=r cmd=${esc(o.cmd)} user=default ` +
      `redir=-1 resp=${o.resp ?? 2}\\n$`,
  );
}

/** Splits a RESP2 bulk reply of CLIENT LIST into its lines (each without the final "\n"). */
function listLines(reply: string): string[] {
  const m = /^\$(\d+)\r\n([\s\S]*)\r\n$/.exec(reply);
  expect(m).not.toBeNull();
  expect(m![2]!.length).toBe(Number(m![1]));
  return m![2]!.split('\n').slice(0, -1);
}

describe('CLIENT ID, SETNAME, GETNAME', () => {
  it('CLIENT ID is unique and increasing, and HELLO reports the same id', async () => {
    const a = await RawConnection.connect(ts.port);
    const b = await RawConnection.connect(ts.port);
    const ida = int(await a.call('CLIENT', 'ID'));
    const idb = int(await b.call('CLIENT', 'ID'));
    expect(idb).toBeGreaterThan(ida);
    expect(await a.call('HELLO', '3')).toContain(`$2\r\nid\r\n:${ida}\r\n`);
    expect(await a.call('CLIENT', 'ID', 'x')).toBe("-ERR wrong number of arguments for 'client|id' command\r\n");
    const r = await ts.client(ioOpts);
    expect(typeof (await r.client('ID'))).toBe('number');
    a.close();
    b.close();
  });

  it('CLIENT SETNAME / CLIENT GETNAME: set, read, clear, and reject spaces or special characters', async () => {
    const c = await RawConnection.connect(ts.port);
    expect(await c.call('CLIENT', 'GETNAME')).toBe('$-1\r\n');
    expect(await c.call('CLIENT', 'SETNAME', 'worker-1')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'GETNAME')).toBe('$8\r\nworker-1\r\n');
    const err = '-ERR Client names cannot contain spaces, newlines or special characters.\r\n';
    expect(await c.call('CLIENT', 'SETNAME', 'a b')).toBe(err);
    expect(await c.call('CLIENT', 'SETNAME', 'a\nb')).toBe(err);
    expect(await c.call('CLIENT', 'SETNAME', 'caf\xe9')).toBe(err);
    expect(await c.call('CLIENT', 'SETNAME', 'x\x7f')).toBe(err);
    expect(await c.call('CLIENT', 'GETNAME')).toBe('$8\r\nworker-1\r\n');
    expect(await c.call('CLIENT', 'SETNAME', '')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'GETNAME')).toBe('$-1\r\n');
    await c.call('HELLO', '3');
    expect(await c.call('CLIENT', 'GETNAME')).toBe('_\r\n');
    expect(await c.call('CLIENT', 'SETNAME')).toBe("-ERR wrong number of arguments for 'client|setname' command\r\n");
    expect(await c.call('CLIENT', 'GETNAME', 'x')).toBe("-ERR wrong number of arguments for 'client|getname' command\r\n");
    c.close();
  });

  it('CLIENT SETNAME and CLIENT GETNAME through ioredis', async () => {
    const r = await ts.client(ioOpts);
    expect(await r.client('SETNAME', 'io-name')).toBe('OK');
    expect(await r.client('GETNAME')).toBe('io-name');
    await expect(r.client('SETNAME', 'bad name')).rejects.toThrow(
      'ERR Client names cannot contain spaces, newlines or special characters.',
    );
  });
});

describe('CLIENT SETINFO', () => {
  it('CLIENT SETINFO LIB-NAME / LIB-VER are stored; bad options and values are rejected', async () => {
    const c = await RawConnection.connect(ts.port);
    const id = int(await c.call('CLIENT', 'ID'));
    const me = ts.server.clients.get(id)!;
    expect(await c.call('CLIENT', 'SETINFO', 'lib-name', 'mylib')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'SETINFO', 'LIB-VER', '1.2.3')).toBe('+OK\r\n');
    expect([me.libName, me.libVer]).toEqual(['mylib', '1.2.3']);
    expect(await c.call('CLIENT', 'SETINFO', 'badger', 'x')).toBe("-ERR Unrecognized option 'badger'\r\n");
    expect(await c.call('CLIENT', 'SETINFO', 'lib-name', 'my lib')).toBe(
      '-ERR lib-name cannot contain spaces, newlines or special characters.\r\n',
    );
    expect(await c.call('CLIENT', 'SETINFO', 'LIB-VER', '1\n2')).toBe(
      '-ERR LIB-VER cannot contain spaces, newlines or special characters.\r\n',
    );
    expect([me.libName, me.libVer]).toEqual(['mylib', '1.2.3']);
    expect(await c.call('CLIENT', 'SETINFO', 'lib-name', '')).toBe('+OK\r\n');
    expect(me.libName).toBe('');
    expect(await c.call('CLIENT', 'SETINFO', 'lib-name')).toBe(
      "-ERR wrong number of arguments for 'client|setinfo' command\r\n",
    );
    // Redis 7.0 does not show lib-name / lib-ver in CLIENT INFO.
    expect(await c.call('CLIENT', 'INFO')).not.toContain('lib-');
    c.close();
  });

  it('ioredis sends CLIENT SETINFO on connect and it succeeds', async () => {
    const r = await ts.client(ioOpts);
    const id = (await r.client('ID')) as number;
    const me = ts.server.clients.get(id)!;
    expect(me.libName).toBe('ioredis');
    expect(me.libVer).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('CLIENT LIST and CLIENT INFO', () => {
  it('CLIENT INFO shows every field of this connection, in Redis 7.0 order', async () => {
    const c = await RawConnection.connect(ts.port);
    const id = int(await c.call('CLIENT', 'ID'));
    const reply = await c.call('CLIENT', 'INFO');
    const [line] = listLines(reply);
    expect(line + '\n').toMatch(lineRegex({ id, port: ts.port, argvMem: 10, cmd: 'client|info' }));
    expect(await c.call('CLIENT', 'INFO', 'x')).toBe("-ERR wrong number of arguments for 'client|info' command\r\n");
    c.close();
  });

  it('CLIENT INFO in RESP3 is verbatim text and shows resp=3, the db and the name', async () => {
    const c = await RawConnection.connect(ts.port);
    const id = int(await c.call('CLIENT', 'ID'));
    await c.call('HELLO', '3');
    await c.call('SELECT', '5');
    await c.call('CLIENT', 'SETNAME', 'v3');
    const reply = await c.call('CLIENT', 'INFO');
    const m = /^=(\d+)\r\ntxt:([\s\S]*)\r\n$/.exec(reply)!;
    expect(m).not.toBeNull();
    expect(Number(m[1])).toBe(m[2]!.length + 4);
    expect(m[2]).toMatch(lineRegex({ id, port: ts.port, name: 'v3', db: 5, argvMem: 10, cmd: 'client|info', resp: 3 }));
    c.close();
  });

  it('CLIENT LIST shows every connection, with each one\'s last command (NULL before any, and after an unknown one)', async () => {
    const a = await RawConnection.connect(ts.port);
    const b = await RawConnection.connect(ts.port);
    const fresh = await RawConnection.connect(ts.port);
    const ida = int(await a.call('CLIENT', 'ID'));
    const idb = int(await b.call('CLIENT', 'ID'));
    await b.call('ECHO', 'x');
    const lines = listLines(await a.call('CLIENT', 'LIST'));
    const byId = new Map(lines.map((l) => [Number(/^id=(\d+) /.exec(l)![1]), l + '\n']));
    expect(byId.get(ida)).toMatch(lineRegex({ id: ida, port: ts.port, argvMem: 10, cmd: 'client|list' }));
    expect(byId.get(idb)).toMatch(lineRegex({ id: idb, port: ts.port, cmd: 'echo' }));
    const ids = [...byId.keys()];
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(ids.length).toBe(ts.server.clients.size);
    expect([...byId.values()].filter((l) => l.includes(' cmd=NULL '))).toHaveLength(1);
    // fd is the socket's own descriptor: different for each connection.
    const fds = lines.map((l) => /fd=(\d+) /.exec(l)![1]);
    expect(new Set(fds).size).toBe(fds.length);
    await b.call('NOPE');
    expect(await a.call('CLIENT', 'LIST', 'ID', String(idb))).toContain(' cmd=NULL ');
    await b.call('ECHO');
    expect(await a.call('CLIENT', 'LIST', 'ID', String(idb))).toContain(' cmd=echo ');
    await b.call('CLIENT', 'NOPE');
    expect(await a.call('CLIENT', 'LIST', 'ID', String(idb))).toContain(' cmd=NULL ');
    await b.call('CLIENT');
    expect(await a.call('CLIENT', 'LIST', 'ID', String(idb))).toContain(' cmd=client ');
    a.close();
    b.close();
    fresh.close();
  });

  it('CLIENT LIST TYPE and ID filter connections; bad filters are errors', async () => {
    const a = await RawConnection.connect(ts.port);
    const b = await RawConnection.connect(ts.port);
    const ida = int(await a.call('CLIENT', 'ID'));
    const idb = int(await b.call('CLIENT', 'ID'));
    const ids = (reply: string) => listLines(reply).map((l) => Number(/^id=(\d+) /.exec(l)![1]));
    expect(ids(await a.call('CLIENT', 'LIST', 'ID', String(idb), '999999', String(ida), String(idb)))).toEqual([idb, ida, idb]);
    expect(await a.call('CLIENT', 'LIST', 'id', '0', '-5')).toBe('$0\r\n\r\n');
    expect(ids(await a.call('CLIENT', 'LIST', 'type', 'NORMAL')).length).toBe(ts.server.clients.size);
    for (const t of ['master', 'replica', 'slave', 'pubsub']) {
      expect(await a.call('CLIENT', 'LIST', 'TYPE', t)).toBe('$0\r\n\r\n');
    }
    expect(await a.call('CLIENT', 'LIST', 'TYPE', 'foo')).toBe("-ERR Unknown client type 'foo'\r\n");
    expect(await a.call('CLIENT', 'LIST', 'ID', '1', 'x')).toBe('-ERR Invalid client ID\r\n');
    expect(await a.call('CLIENT', 'LIST', 'ID', '9223372036854775808')).toBe('-ERR Invalid client ID\r\n');
    expect(await a.call('CLIENT', 'LIST', 'ID')).toBe('-ERR syntax error\r\n');
    expect(await a.call('CLIENT', 'LIST', 'TYPE')).toBe('-ERR syntax error\r\n');
    expect(await a.call('CLIENT', 'LIST', 'foo')).toBe('-ERR syntax error\r\n');
    expect(await a.call('CLIENT', 'LIST', 'TYPE', 'normal', 'ID', '1')).toBe('-ERR syntax error\r\n');
    expect(await a.call('CLIENT', 'LIST', 'ID', '1', 'TYPE', 'normal')).toBe('-ERR Invalid client ID\r\n');
    await a.call('HELLO', '3');
    expect(await a.call('CLIENT', 'LIST', 'ID', '999999')).toBe('=4\r\ntxt:\r\n');
    a.close();
    b.close();
  });

  it('CLIENT LIST through ioredis returns the text with one line per connection', async () => {
    const r = await ts.client(ioOpts);
    await r.client('SETNAME', 'listed');
    const text = (await r.client('LIST')) as string;
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').filter((l) => / name=listed /.test(l))).toHaveLength(1);
  });
});

describe('CLIENT NO-EVICT and CLIENT NO-TOUCH', () => {
  it('CLIENT NO-EVICT / CLIENT NO-TOUCH set the e and T flags; other values are syntax errors', async () => {
    const c = await RawConnection.connect(ts.port);
    const flags = async () => /flags=(\S+) /.exec(await c.call('CLIENT', 'INFO'))![1];
    expect(await c.call('CLIENT', 'NO-EVICT', 'on')).toBe('+OK\r\n');
    expect(await flags()).toBe('e');
    expect(await c.call('CLIENT', 'NO-TOUCH', 'ON')).toBe('+OK\r\n');
    expect(await flags()).toBe('eT');
    expect(await c.call('CLIENT', 'NO-EVICT', 'OFF')).toBe('+OK\r\n');
    expect(await flags()).toBe('T');
    expect(await c.call('CLIENT', 'NO-TOUCH', 'off')).toBe('+OK\r\n');
    expect(await flags()).toBe('N');
    expect(await c.call('CLIENT', 'NO-EVICT', 'x')).toBe('-ERR syntax error\r\n');
    expect(await c.call('CLIENT', 'NO-TOUCH', 'yes')).toBe('-ERR syntax error\r\n');
    expect(await c.call('CLIENT', 'NO-TOUCH')).toBe("-ERR wrong number of arguments for 'client|no-touch' command\r\n");
    c.close();
  });
});

describe('CLIENT REPLY', () => {
  it('CLIENT REPLY OFF silences every reply, errors included, until CLIENT REPLY ON', async () => {
    const c = await RawConnection.connect(ts.port);
    c.send('CLIENT', 'REPLY', 'OFF');
    c.send('PING');
    c.send('NOPE');
    c.send('ECHO');
    c.send('CLIENT', 'REPLY', 'foo');
    c.send('CLIENT', 'REPLY', 'SKIP');
    c.send('ECHO', 'still off');
    // Replies arrive in order: the first bytes after all of the above are CLIENT REPLY ON's.
    expect(await c.call('CLIENT', 'REPLY', 'ON')).toBe('+OK\r\n');
    expect(await c.call('PING')).toBe('+PONG\r\n');
    c.close();
  });

  it('CLIENT REPLY SKIP drops only the next reply, even an error', async () => {
    const c = await RawConnection.connect(ts.port);
    c.send('CLIENT', 'REPLY', 'SKIP');
    c.send('ECHO', 'skipped');
    expect(await c.call('ECHO', 'seen')).toBe('$4\r\nseen\r\n');
    c.send('CLIENT', 'REPLY', 'SKIP');
    c.send('NOPE');
    expect(await c.call('PING')).toBe('+PONG\r\n');
    // SKIP while skipping keeps skipping the command after it.
    c.send('CLIENT', 'REPLY', 'SKIP');
    c.send('CLIENT', 'REPLY', 'SKIP');
    c.send('ECHO', 'skipped too');
    expect(await c.call('ECHO', 'seen again')).toBe('$10\r\nseen again\r\n');
    // ON right after SKIP answers.
    c.send('CLIENT', 'REPLY', 'SKIP');
    expect(await c.call('CLIENT', 'REPLY', 'ON')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'REPLY', 'maybe')).toBe('-ERR syntax error\r\n');
    c.close();
  });

  it('CLIENT REPLY ON through ioredis answers OK', async () => {
    const r = await ts.client(ioOpts);
    expect(await r.client('REPLY', 'ON')).toBe('OK');
  });
});

describe('CLIENT KILL', () => {
  let k: TestServer;
  beforeAll(async () => {
    k = await startTestServer();
  });
  afterAll(async () => k.stop());

  async function connectWithAddr(): Promise<{ c: RawConnection; id: number; addr: string }> {
    const c = await RawConnection.connect(k.port);
    const id = int(await c.call('CLIENT', 'ID'));
    const addr = /addr=(\S+) /.exec(await c.call('CLIENT', 'INFO'))![1]!;
    return { c, id, addr };
  }

  it('CLIENT KILL ip:port (old form) closes that connection; an unknown address is an error', async () => {
    const killer = await connectWithAddr();
    const victim = await connectWithAddr();
    expect(await killer.c.call('CLIENT', 'KILL', victim.addr)).toBe('+OK\r\n');
    expect(await victim.c.readUntilClosed()).toBe('');
    expect(await killer.c.call('CLIENT', 'KILL', victim.addr)).toBe('-ERR No such client\r\n');
    expect(await killer.c.call('CLIENT', 'KILL', 'id')).toBe('-ERR No such client\r\n');
    // The old form may kill the caller: +OK, then the connection closes.
    killer.c.send('CLIENT', 'KILL', killer.addr);
    expect(await killer.c.readUntilClosed()).toBe('+OK\r\n');
  });

  it('CLIENT KILL ID / ADDR / LADDR count the connections closed; SKIPME yes protects the caller', async () => {
    const killer = await connectWithAddr();
    const v1 = await connectWithAddr();
    const v2 = await connectWithAddr();
    expect(await killer.c.call('CLIENT', 'KILL', 'ID', String(v1.id))).toBe(':1\r\n');
    expect(await v1.c.readUntilClosed()).toBe('');
    expect(await killer.c.call('CLIENT', 'KILL', 'ID', String(v1.id))).toBe(':0\r\n');
    expect(await killer.c.call('CLIENT', 'KILL', 'ADDR', '10.0.0.1:1')).toBe(':0\r\n');
    expect(await killer.c.call('CLIENT', 'KILL', 'addr', v2.addr, 'id', String(v2.id))).toBe(':1\r\n');
    expect(await v2.c.readUntilClosed()).toBe('');
    expect(await killer.c.call('CLIENT', 'KILL', 'ID', String(killer.id))).toBe(':0\r\n');
    const v3 = await connectWithAddr();
    const v4 = await connectWithAddr();
    expect(await killer.c.call('CLIENT', 'KILL', 'LADDR', `127.0.0.1:${k.port}`)).toBe(':2\r\n');
    expect(await v3.c.readUntilClosed()).toBe('');
    expect(await v4.c.readUntilClosed()).toBe('');
    expect(await killer.c.call('CLIENT', 'KILL', 'LADDR', `127.0.0.1:${k.port}`, 'SKIPME', 'yes')).toBe(':0\r\n');
    killer.c.close();
  });

  it('CLIENT KILL USER and TYPE; SKIPME no kills the caller after its reply', async () => {
    const killer = await connectWithAddr();
    const v1 = await connectWithAddr();
    expect(await killer.c.call('CLIENT', 'KILL', 'USER', 'default')).toBe(':1\r\n');
    expect(await v1.c.readUntilClosed()).toBe('');
    const v2 = await connectWithAddr();
    expect(await killer.c.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(':0\r\n');
    expect(await killer.c.call('CLIENT', 'KILL', 'TYPE', 'normal')).toBe(':1\r\n');
    expect(await v2.c.readUntilClosed()).toBe('');
    killer.c.send('CLIENT', 'KILL', 'ID', String(killer.id), 'SKIPME', 'no');
    expect(await killer.c.readUntilClosed()).toBe(':1\r\n');
  });

  it('CLIENT KILL with bad filters answers the Redis errors', async () => {
    const c = await RawConnection.connect(k.port);
    expect(await c.call('CLIENT', 'KILL', 'ID', 'x')).toBe('-ERR client-id should be greater than 0\r\n');
    expect(await c.call('CLIENT', 'KILL', 'ID', '0')).toBe('-ERR client-id should be greater than 0\r\n');
    expect(await c.call('CLIENT', 'KILL', 'TYPE', 'foo')).toBe("-ERR Unknown client type 'foo'\r\n");
    expect(await c.call('CLIENT', 'KILL', 'USER', 'nobody')).toBe("-ERR No such user 'nobody'\r\n");
    expect(await c.call('CLIENT', 'KILL', 'SKIPME', 'maybe')).toBe('-ERR syntax error\r\n');
    expect(await c.call('CLIENT', 'KILL', 'MAXAGE', '10')).toBe('-ERR syntax error\r\n');
    expect(await c.call('CLIENT', 'KILL', 'ID', '1', 'ADDR')).toBe('-ERR syntax error\r\n');
    expect(await c.call('CLIENT', 'KILL')).toBe("-ERR wrong number of arguments for 'client|kill' command\r\n");
    c.close();
  });
});

describe('CLIENT HELP and CLIENT errors', () => {
  it('CLIENT HELP lists the subcommands', async () => {
    const r = await ts.client(ioOpts);
    expect(await r.client('HELP')).toEqual([
      'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
      'CACHING (YES|NO)',
      '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
      'GETREDIR',
      '    Return the client ID we are redirecting to when tracking is enabled.',
      'GETNAME',
      '    Return the name of the current connection.',
      'ID',
      '    Return the ID of the current connection.',
      'INFO',
      '    Return information about the current client connection.',
      'KILL <ip:port>',
      '    Kill connection made from <ip:port>.',
      'KILL <option> <value> [<option> <value> [...]]',
      '    Kill connections. Options are:',
      '    * ADDR (<ip:port>|<unixsocket>:0)',
      '      Kill connections made from the specified address',
      '    * LADDR (<ip:port>|<unixsocket>:0)',
      '      Kill connections made to specified local address',
      '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
      '      Kill connections by type.',
      '    * USER <username>',
      '      Kill connections authenticated by <username>.',
      '    * SKIPME (YES|NO)',
      '      Skip killing current connection (default: yes).',
      'LIST [options ...]',
      '    Return information about client connections. Options:',
      '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
      '      Return clients of specified type.',
      'UNPAUSE',
      '    Stop the current client pause, resuming traffic.',
      'PAUSE <timeout> [WRITE|ALL]',
      '    Suspend all, or just write, clients for <timeout> milliseconds.',
      'REPLY (ON|OFF|SKIP)',
      '    Control the replies sent to the current connection.',
      'SETNAME <name>',
      '    Assign the name <name> to the current connection.',
      'UNBLOCK <clientid> [TIMEOUT|ERROR]',
      '    Unblock the specified blocked client.',
      'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
      '         [OPTIN] [OPTOUT] [NOLOOP]',
      '    Control server assisted client side caching.',
      'TRACKINGINFO',
      '    Report tracking status for the current connection.',
      'SETINFO <option> <value>',
      '    Set client meta attr. Options are:',
      '    * LIB-NAME: the client lib name.',
      '    * LIB-VER: the client lib version.',
      'NO-EVICT (ON|OFF)',
      '    Protect current client connection from eviction.',
      'NO-TOUCH (ON|OFF)',
      '    Will not touch LRU/LFU stats when this mode is on.',
      'HELP',
      '    Prints this help.',
    ]);
  });

  it('CLIENT HELP raw bytes start with status lines', async () => {
    const c = await RawConnection.connect(ts.port);
    const reply = await c.call('CLIENT', 'help');
    expect(reply.startsWith('*54\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CACHING (YES|NO)\r\n')).toBe(true);
    expect(reply.endsWith('+HELP\r\n+    Prints this help.\r\n')).toBe(true);
    expect(await c.call('CLIENT', 'HELP', 'x')).toBe("-ERR wrong number of arguments for 'client|help' command\r\n");
    c.close();
  });

  it('CLIENT without a subcommand, or with an unknown one, is an error', async () => {
    const c = await RawConnection.connect(ts.port);
    expect(await c.call('CLIENT')).toBe("-ERR wrong number of arguments for 'client' command\r\n");
    expect(await c.call('CLIENT', 'foo')).toBe("-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n");
    c.close();
  });
});
