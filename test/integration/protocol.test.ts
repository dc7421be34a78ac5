/**
 * The wire protocol over real TCP, exact bytes: pipelining, commands cut across packets, inline
 * commands, protocol errors (Redis 7.0's texts, then the connection closes), the limits
 * (proto-max-bulk-len, 64 KB inline, client-query-buffer-limit, unauthenticated limits), binary
 * safety, backpressure, and redis-parser as an independent oracle for long reply streams.
 * Expected texts were checked against redis-server 7.0.15.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { ParsedConnection, command, decodeReplies } from '../helpers/parsed-connection.js';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => ts.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ALL_BYTES = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));

async function raw(port = ts.port): Promise<RawConnection> {
  const c = await RawConnection.connect(port);
  c.socket.setNoDelay(true);
  return c;
}

/** Sends bytes and returns everything the server sent before closing the connection. */
async function sendExpectClose(bytes: string | Buffer, port = ts.port): Promise<string> {
  const c = await raw(port);
  c.write(bytes);
  return c.readUntilClosed();
}

describe('pipelining (PING, ECHO, SET, GET, INCR)', () => {
  it('10k ECHO commands in one write are answered in order (decoded by redis-parser)', async () => {
    const c = await ParsedConnection.connect(ts.port);
    const reqs: Buffer[] = [];
    for (let i = 0; i < 10_000; i++) reqs.push(command('ECHO', `msg-${i}`));
    c.socket.write(Buffer.concat(reqs));
    const replies = await c.waitReplies(10_000);
    expect(replies).toHaveLength(10_000);
    for (let i = 0; i < 10_000; i++) if (replies[i] !== `msg-${i}`) expect(replies[i]).toBe(`msg-${i}`);
    c.close();
  });

  it('a mixed pipeline of 3000 commands matches the oracle element by element', async () => {
    const c = await ParsedConnection.connect(ts.port);
    const reqs: Buffer[] = [];
    const expected: unknown[] = [];
    for (let i = 0; i < 500; i++) {
      reqs.push(command('SET', `pipe:${i}`, `v${i}`));
      expected.push('OK');
      reqs.push(command('GET', `pipe:${i}`));
      expected.push(`v${i}`);
      reqs.push(command('INCR', `pipe:n`));
      expected.push(i + 1);
      reqs.push(command('GET', `pipe:missing:${i}`));
      expected.push(null);
      reqs.push(command('PING'));
      expected.push('PONG');
      reqs.push(command('NOSUCHCMD', `${i}`));
      expected.push(`ERR unknown command 'NOSUCHCMD', with args beginning with: '${i}' `);
    }
    c.socket.write(Buffer.concat(reqs));
    const replies = await c.waitReplies(expected.length);
    expect(replies.map((r) => (r instanceof Error ? r.message : r))).toEqual(expected);
    c.close();
  });

  it('the raw RESP2 reply stream of a pipeline decodes to the same values as reply-by-reply reads', async () => {
    const c = await raw();
    const script = [command('SET', 'k:oracle', ALL_BYTES), command('GET', 'k:oracle'), command('ECHO', ''), command('PING', 'x')];
    c.write(Buffer.concat(script));
    const rawReplies: string[] = [];
    for (let i = 0; i < script.length; i++) rawReplies.push(await c.readReply());
    expect(rawReplies).toEqual(['+OK\r\n', `$256\r\n${ALL_BYTES}\r\n`, '$0\r\n\r\n', '$1\r\nx\r\n']);
    const decoded = decodeReplies(Buffer.from(rawReplies.join(''), 'latin1'), true);
    expect(decoded.map((r) => (Buffer.isBuffer(r) ? r.toString('latin1') : r))).toEqual(['OK', ALL_BYTES, '', 'x']);
    c.close();
  });
});

describe('commands split across TCP packets (SET, GET, ECHO)', () => {
  const cmd = command('SET', 'split:k', 'va\r\nl\x00ue');
  const get = command('GET', 'split:k');

  it('cut into two packets at every byte boundary', async () => {
    const c = await raw();
    for (let i = 1; i < cmd.length; i++) {
      c.write(cmd.subarray(0, i));
      await sleep(2);
      c.write(cmd.subarray(i));
      expect(await c.readReply(), `cut at ${i}`).toBe('+OK\r\n');
    }
    c.write(get);
    expect(await c.readReply()).toBe('$8\r\nva\r\nl\x00ue\r\n');
    c.close();
  });

  it('sent one byte per packet, with the next command in the last packet', async () => {
    const c = await raw();
    const both = Buffer.concat([command('ECHO', 'slow'), command('PING')]);
    for (let i = 0; i < both.length - 14; i++) {
      c.write(both.subarray(i, i + 1));
      await sleep(1);
    }
    c.write(both.subarray(both.length - 14));
    expect(await c.readReply()).toBe('$4\r\nslow\r\n');
    expect(await c.readReply()).toBe('+PONG\r\n');
    c.close();
  });

  it('a 2 MB value arriving in many packets is stored intact', async () => {
    const c = await raw();
    const value = Buffer.alloc(2 * 1024 * 1024);
    for (let i = 0; i < value.length; i++) value[i] = (i * 7) & 255;
    const req = command('SET', 'split:big', value);
    for (let i = 0; i < req.length; i += 100_000) {
      c.write(req.subarray(i, i + 100_000));
      await sleep(1);
    }
    expect(await c.readReply()).toBe('+OK\r\n');
    expect(await c.call('STRLEN', 'split:big')).toBe(':2097152\r\n');
    c.send('GET', 'split:big');
    expect(await c.readReply()).toBe(`$2097152\r\n${value.toString('latin1')}\r\n`);
    c.close();
  });
});

describe('inline commands (PING, ECHO, SET, GET)', () => {
  it('PING\\r\\n, echo "a b"\\n, quotes, \\x escapes and blank lines', async () => {
    const c = await raw();
    c.write('PING\r\n');
    expect(await c.readReply()).toBe('+PONG\r\n');
    c.write('echo "a b"\n');
    expect(await c.readReply()).toBe('$3\r\na b\r\n');
    c.write('\r\n\n  \r\nSET inline:k "\\x00\\xff\\n\\"q" \r\n');
    expect(await c.readReply()).toBe('+OK\r\n');
    c.write("GET 'inline:k'\n");
    expect(await c.readReply()).toBe('$5\r\n\x00\xff\n"q\r\n');
    c.write("ECHO 'it\\'s'\r\nECHO a\"b c\"\r\n");
    expect(await c.readReply()).toBe("$4\r\nit's\r\n");
    expect(await c.readReply()).toBe('$4\r\nab c\r\n');
    c.close();
  });

  it('inline and multibulk requests mixed in one packet', async () => {
    const c = await raw();
    c.write(Buffer.concat([Buffer.from('PING\r\n'), command('ECHO', 'mb'), Buffer.from('ECHO inline\n')]));
    expect(await c.readReply()).toBe('+PONG\r\n');
    expect(await c.readReply()).toBe('$2\r\nmb\r\n');
    expect(await c.readReply()).toBe('$6\r\ninline\r\n');
    c.close();
  });

  it('a 64 KB inline line is accepted; a longer one is "too big inline request" and closes', async () => {
    const c = await raw();
    c.write('ECHO ' + 'i'.repeat(65536 - 5) + '\n');
    expect(await c.readReply()).toBe(`$65531\r\n${'i'.repeat(65531)}\r\n`);
    c.close();
    expect(await sendExpectClose('ECHO ' + 'i'.repeat(70_000))).toBe('-ERR Protocol error: too big inline request\r\n');
  });
});

describe('protocol errors: exact text, then the connection closes (PING, ECHO)', () => {
  const cases: [string, string][] = [
    ['*abc\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
    ['*3000000000\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
    ['*1\r\nx\r\n', "-ERR Protocol error: expected '$', got 'x'\r\n"],
    ['*1\r\n\r\r\n', "-ERR Protocol error: expected '$', got ' '\r\n"],
    ['*1\r\n$abc\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
    ['*1\r\n$-1\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
    ['*1\r\n$536870913\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
    ['ECHO "abc\r\n', '-ERR Protocol error: unbalanced quotes in request\r\n'],
    ['ECHO "a"b\r\n', '-ERR Protocol error: unbalanced quotes in request\r\n'],
  ];
  for (const [input, reply] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(reply)}`, async () => {
      expect(await sendExpectClose(input)).toBe(reply);
    });
  }

  it('too big mbulk / bulk count strings', async () => {
    expect(await sendExpectClose('*' + '1'.repeat(70_000))).toBe('-ERR Protocol error: too big mbulk count string\r\n');
    expect(await sendExpectClose('*1\r\n$' + '1'.repeat(70_000))).toBe('-ERR Protocol error: too big bulk count string\r\n');
  });

  it('commands before the bad one in the same packet are answered first; later ones never run', async () => {
    const out = await sendExpectClose(Buffer.concat([Buffer.from('PING\r\n'), command('ECHO', 'x'), Buffer.from('*x\r\n'), command('SET', 'never', '1')]));
    expect(out).toBe('+PONG\r\n$1\r\nx\r\n-ERR Protocol error: invalid multibulk length\r\n');
    const c = await raw();
    expect(await c.call('GET', 'never')).toBe('$-1\r\n');
    c.close();
  });

  it('a NUL inside an inline line hides its end, as in Redis: no reply until 64 KB, then too big', async () => {
    const c = await raw();
    c.write('PING\x00\r\n');
    await sleep(50);
    c.write(Buffer.alloc(65536, 0x20));
    expect(await c.readUntilClosed()).toBe('-ERR Protocol error: too big inline request\r\n');
  });

  it('after a protocol error the server still serves new connections', async () => {
    await sendExpectClose('*x\r\n');
    const c = await raw();
    expect(await c.call('PING')).toBe('+PONG\r\n');
    c.close();
  });
});

describe('binary safety (SET, GET, ECHO)', () => {
  it('all 256 byte values in keys and values round-trip exactly', async () => {
    const c = await raw();
    const reversed = ALL_BYTES.split('').reverse().join('');
    expect(await c.call('SET', ALL_BYTES, reversed)).toBe('+OK\r\n');
    expect(await c.call('GET', ALL_BYTES)).toBe(`$256\r\n${reversed}\r\n`);
    for (let b = 0; b < 256; b++) {
      const ch = String.fromCharCode(b);
      c.send('SET', `bin:${ch}`, ch + ch);
      c.send('GET', `bin:${ch}`);
      c.send('ECHO', ch);
    }
    for (let b = 0; b < 256; b++) {
      const ch = String.fromCharCode(b);
      expect(await c.readReply()).toBe('+OK\r\n');
      expect(await c.readReply(), `byte ${b}`).toBe(`$2\r\n${ch}${ch}\r\n`);
      expect(await c.readReply()).toBe(`$1\r\n${ch}\r\n`);
    }
    c.close();
  });

  it('every byte value through redis-parser with Buffers', async () => {
    const c = await ParsedConnection.connect(ts.port, { returnBuffers: true });
    const value = Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 31 + 7) & 255));
    c.socket.write(Buffer.concat([command('SET', Buffer.from([0, 13, 10, 255]), value), command('GET', Buffer.from([0, 13, 10, 255]))]));
    const [ok, got] = await c.waitReplies(2);
    expect(Buffer.isBuffer(ok) ? ok.toString() : ok).toBe('OK');
    expect(Buffer.compare(got as Buffer, value)).toBe(0);
    c.close();
  });
});

describe('limits (proto-max-bulk-len, client-query-buffer-limit) with SET, STRLEN, PING', () => {
  it('proto-max-bulk-len 1mb: a 1 MB bulk is accepted, one byte more is "invalid bulk length"', async () => {
    const small = await startTestServer({ 'proto-max-bulk-len': '1mb' });
    try {
      const c = await raw(small.port);
      expect(await c.call('SET', 'k', Buffer.alloc(1024 * 1024, 0x61))).toBe('+OK\r\n');
      expect(await c.call('STRLEN', 'k')).toBe(':1048576\r\n');
      c.close();
      expect(await sendExpectClose('*2\r\n$4\r\nECHO\r\n$1048577\r\n', small.port)).toBe('-ERR Protocol error: invalid bulk length\r\n');
    } finally {
      await small.stop();
    }
  });

  it('client-query-buffer-limit 1mb: a client buffering more is closed without a reply', async () => {
    const small = await startTestServer({ 'client-query-buffer-limit': '1mb' });
    try {
      const c = await raw(small.port);
      c.write('PING\r\n*2\r\n$4\r\nECHO\r\n$2000000\r\n');
      expect(await c.readReply()).toBe('+PONG\r\n');
      for (let i = 0; i < 15; i++) {
        c.write(Buffer.alloc(100_000, 0x61));
        await sleep(1);
      }
      expect(await c.readUntilClosed()).toBe('');
      // Pipelined commands worth more than the limit are fine: they are consumed as they arrive.
      const p = await ParsedConnection.connect(small.port);
      p.socket.write(Buffer.concat(Array.from({ length: 200_000 }, () => Buffer.from('PING\r\n'))));
      expect((await p.waitReplies(200_000)).every((r) => r === 'PONG')).toBe(true);
      p.close();
    } finally {
      await small.stop();
    }
  });
});

describe('unauthenticated limits and NOAUTH (AUTH, PING, ECHO, MSET)', () => {
  let auth: TestServer;
  beforeAll(async () => {
    auth = await startTestServer({ requirepass: 'pw' });
  });
  afterAll(async () => auth.stop());

  it('commands before AUTH get NOAUTH', async () => {
    const c = await raw(auth.port);
    expect(await c.call('PING')).toBe('-NOAUTH Authentication required.\r\n');
    c.write('ECHO a\r\n');
    expect(await c.readReply()).toBe('-NOAUTH Authentication required.\r\n');
    c.close();
  });

  it('more than 10 args before AUTH: "unauthenticated multibulk length" and close', async () => {
    expect(await sendExpectClose('PING\r\n*11\r\n', auth.port)).toBe(
      '-NOAUTH Authentication required.\r\n-ERR Protocol error: unauthenticated multibulk length\r\n',
    );
  });

  it('a bulk over 16 KB before AUTH: "unauthenticated bulk length" and close', async () => {
    expect(await sendExpectClose('*1\r\n$16385\r\n', auth.port)).toBe('-ERR Protocol error: unauthenticated bulk length\r\n');
  });

  it('10 args and 16 KB bulks are allowed before AUTH (and answered NOAUTH)', async () => {
    const c = await raw(auth.port);
    expect(await c.call('ECHO', 'x'.repeat(16384))).toBe('-NOAUTH Authentication required.\r\n');
    expect(await c.call('MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e')).toBe('-NOAUTH Authentication required.\r\n');
    c.close();
  });

  it('AUTH then a long command in the same packet: the limits are lifted at once', async () => {
    const c = await raw(auth.port);
    c.write(Buffer.concat([command('AUTH', 'pw'), command('MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5', 'f', '6'), command('ECHO', 'y'.repeat(20_000))]));
    expect(await c.readReply()).toBe('+OK\r\n');
    expect(await c.readReply()).toBe('+OK\r\n');
    expect(await c.readReply()).toBe(`$20000\r\n${'y'.repeat(20_000)}\r\n`);
    c.close();
  });
});

describe('backpressure (ECHO, PING): a client that never reads', () => {
  it('200k pipelined ECHO <1KB>: reading pauses, memory stays bounded, others are served, then it all drains', async () => {
    const N = 200_000;
    const BLOCK = 100;
    const payload = (i: number) => `${String(i).padStart(4, '0')}:${'p'.repeat(1019)}`;
    const block = Buffer.concat(Array.from({ length: BLOCK }, (_, i) => command('ECHO', payload(i))));
    const before = ts.server.clients.size;
    const hog = await ParsedConnection.connect(ts.port, { paused: true });
    await sleep(20);
    const serverSide = [...ts.server.clients.values()].pop()!;
    expect(ts.server.clients.size).toBe(before + 1);

    let sentBlocks = 0;
    const sending = (async () => {
      for (; sentBlocks < N / BLOCK; sentBlocks++) await hog.writeAll(block);
    })();
    // Wait until the server has stopped reading from the hog: the hog's writes stall.
    const baseline = process.memoryUsage().arrayBuffers;
    let stalledAt = -1;
    for (let i = 0; i < 200 && stalledAt !== sentBlocks; i++) {
      stalledAt = sentBlocks;
      await sleep(50);
    }
    expect(sentBlocks).toBeLessThan(N / BLOCK);
    // Bounded: the server holds a few MB of unsent replies and at most a chunk of requests.
    expect(serverSide.socket.writableLength).toBeLessThan(8 * 1024 * 1024);
    expect(serverSide.queryBufferBytes).toBeLessThan(1024 * 1024);
    expect(process.memoryUsage().arrayBuffers - baseline).toBeLessThan(64 * 1024 * 1024);

    // Other clients are still answered promptly.
    const other = await raw();
    const t0 = Date.now();
    expect(await other.call('PING')).toBe('+PONG\r\n');
    expect(Date.now() - t0).toBeLessThan(1000);
    other.close();

    // The hog starts reading: every reply arrives, in order.
    hog.socket.resume();
    await sending;
    const replies = await hog.waitReplies(N, 60_000);
    expect(replies).toHaveLength(N);
    for (let i = 0; i < N; i++) if (replies[i] !== payload(i % BLOCK)) expect(replies[i]).toBe(payload(i % BLOCK));
    hog.close();
  }, 90_000);
});
