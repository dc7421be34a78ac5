/**
 * RespDecoder: every fixture gives the same commands however the bytes are cut (every split
 * point, byte by byte, random chunkings), and every protocol error has Redis 7.0's exact text.
 * The texts were checked against a real redis-server 7.0.15 (`printf ... | nc`).
 */
import { describe, expect, it, vi } from 'vitest';
import { RespDecoder, splitInlineArgs, type DecoderPolicy } from '../../src/protocol/resp-decoder.js';
import { ProtocolError } from '../../src/protocol/reply-errors.js';
import { prng } from '../helpers/prng.js';

interface Outcome {
  cmds: string[][];
  error?: string;
  /** Bytes still buffered at the end (a partial command); -1 after an error. */
  pending: number;
}

function policy(opts: { maxBulkLen?: number; authenticated?: boolean } = {}): DecoderPolicy {
  return { maxBulkLen: () => opts.maxBulkLen ?? 512 * 1024 * 1024, authenticated: () => opts.authenticated ?? true };
}

/** Feeds the chunks in order, draining after each, as the client does. */
function decode(chunks: Buffer[], pol: DecoderPolicy = policy()): Outcome {
  const d = new RespDecoder(pol);
  const cmds: string[][] = [];
  try {
    for (const c of chunks) {
      d.feed(c);
      for (let argv = d.next(); argv !== null; argv = d.next()) cmds.push(argv);
    }
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    return { cmds, error: e.message, pending: -1 }; // what is buffered at an error depends on the cuts
  }
  return { cmds, pending: d.bufferedBytes };
}

const b = (s: string) => Buffer.from(s, 'latin1');

function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of cuts) {
    out.push(buf.subarray(prev, c));
    prev = c;
  }
  out.push(buf.subarray(prev));
  return out;
}


function randomChunks(buf: Buffer, rand: () => number, maxChunk: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; ) {
    const n = 1 + Math.floor(rand() * maxChunk);
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}

/** The outcome of feeding `input` whole must equal every other way of cutting it. */
function expectSplitInvariant(input: Buffer, pol: DecoderPolicy = policy()): Outcome {
  const whole = decode([input], pol);
  for (let i = 0; i <= input.length; i++) {
    expect(decode(splitAt(input, [i]), pol), `split at ${i}`).toEqual(whole);
  }
  for (let i = 0; i + 3 <= input.length; i += Math.max(1, Math.floor(input.length / 40))) {
    expect(decode(splitAt(input, [i, i + 1, i + 3]), pol), `three cuts at ${i}`).toEqual(whole);
  }
  const bytes = Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1));
  expect(decode(bytes, pol), 'byte by byte').toEqual(whole);
  const rand = prng(input.length);
  for (let r = 0; r < 30; r++) expect(decode(randomChunks(input, rand, 1 + (r % 17)), pol), `random ${r}`).toEqual(whole);
  return whole;
}

const ALL_BYTES = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));

function mbulk(...args: string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join('');
}

describe('RespDecoder: fixtures give the same argv at every split', () => {
  const fixtures: [string, string, string[][]][] = [
    ['multibulk', mbulk('SET', 'key', 'value'), [['SET', 'key', 'value']]],
    ['pipelined multibulks', mbulk('PING') + mbulk('ECHO', 'hi') + mbulk('GET', 'k'), [['PING'], ['ECHO', 'hi'], ['GET', 'k']]],
    ['empty bulk', mbulk('ECHO', ''), [['ECHO', '']]],
    ['*0 and *-1 are skipped', '*0\r\n*-1\r\n*-5\r\n' + mbulk('PING'), [['PING']]],
    ['binary bulk with CRLF inside', mbulk('ECHO', 'a\r\n\r\nb\r\n'), [['ECHO', 'a\r\n\r\nb\r\n']]],
    ['all 256 byte values', mbulk('SET', ALL_BYTES, ALL_BYTES), [['SET', ALL_BYTES, ALL_BYTES]]],
    ['bytes after the bulk data are skipped unchecked', '*1\r\n$4\r\nPINGXY*1\r\n$4\r\nPING\r\n', [['PING'], ['PING']]],
    ['header CR followed by any byte', '*1\rX$4\rYPING\r\n', [['PING']]],
    ['inline', 'PING\r\n', [['PING']]],
    ['inline with LF only and quotes', 'echo "a b"\n', [['echo', 'a b']]],
    ['inline escapes', 'set k "\\x41\\x4\\n\\r\\t\\b\\a\\"\\\\\\q"\r\n', [['set', 'k', 'Ax4\n\r\t\b\x07"\\q']]],
    ['inline hex of every case', 'echo "\\xff\\xFF\\x00\\x7f"\r\n', [['echo', '\xff\xff\x00\x7f']]],
    ['inline single quotes', "echo 'it\\'s' 'a \"b\" \\n'\r\n", [['echo', "it's", 'a "b" \\n']]],
    ['inline empty quoted args', 'echo "" \'\'\r\n', [['echo', '', '']]],
    ['inline quote opened inside a bare arg', 'echo a"b c" a\'d\'\r\n', [['echo', 'ab c', 'ad']]],
    ['inline blank lines are skipped', '\r\n\n   \r\n\t\nPING\r\n', [['PING']]],
    ['inline leading and trailing spaces, tabs', '  ECHO \t x  \r\n', [['ECHO', 'x']]],
    ['inline vertical tab: part of a bare arg, skipped between args', 'ECHO a\x0bb \x0bc\r\n', [['ECHO', 'a\x0bb', 'c']]],
    ['inline CR inside a line splits args', 'PING\rx\r\n', [['PING', 'x']]],
    ['inline bytes >= 0x80', 'ECHO \x01\xff\r\n', [['ECHO', '\x01\xff']]],
    ['inline and multibulk mixed', 'PING\r\n' + mbulk('ECHO', 'x') + 'ECHO y\n', [['PING'], ['ECHO', 'x'], ['ECHO', 'y']]],
    ['many args', mbulk(...Array.from({ length: 50 }, (_, i) => `a${i}`)), [Array.from({ length: 50 }, (_, i) => `a${i}`)]],
    [
      'every short arg count, and names of the same length in a row',
      mbulk('GET', 'a') + mbulk('SET', 'a', 'b') + mbulk('SET', 'c', 'd') + mbulk('set') + mbulk('SE\xd4', 'x', 'y', 'z') +
        mbulk(...Array.from({ length: 16 }, (_, i) => `b${i}`)) + mbulk(...Array.from({ length: 17 }, (_, i) => `c${i}`)) +
        mbulk('G', 'k') + mbulk('GE') + mbulk('GETX', '1'),
      [
        ['GET', 'a'], ['SET', 'a', 'b'], ['SET', 'c', 'd'], ['set'], ['SE\xd4', 'x', 'y', 'z'],
        Array.from({ length: 16 }, (_, i) => `b${i}`), Array.from({ length: 17 }, (_, i) => `c${i}`),
        ['G', 'k'], ['GE'], ['GETX', '1'],
      ],
    ],
  ];
  for (const [name, input, expected] of fixtures) {
    it(name, () => {
      const out = expectSplitInvariant(b(input));
      expect(out).toEqual({ cmds: expected, pending: 0 });
    });
  }

  it('each command is an array of its own, exactly as long as its args, untouched by the next', () => {
    const d = new RespDecoder(policy());
    d.feed(b(mbulk('SET', 'k1', 'v1') + mbulk('SET', 'k2', 'v2') + mbulk('GET', 'k3')));
    const first = d.next()!;
    const second = d.next()!;
    const third = d.next()!;
    expect([first, second, third]).toEqual([['SET', 'k1', 'v1'], ['SET', 'k2', 'v2'], ['GET', 'k3']]);
    expect(first).not.toBe(second);
    expect(third.length).toBe(2);
    first.push('mine');
    d.feed(b(mbulk('PING')));
    expect(d.next()).toEqual(['PING']);
  });

  it('args of 1 to 5 bytes come out exact through the shared short strings, however they collide', () => {
    // 20,000 random args, many times the 1,024 slots: every slot is replaced again and again,
    // and texts that differ only in length (a trailing NUL) or in one byte follow each other.
    const rand = prng(77);
    const d = new RespDecoder(policy());
    for (let i = 0; i < 20_000; i++) {
      const len = 1 + Math.floor(rand() * 5);
      const bytes = Buffer.from(Array.from({ length: len }, () => (rand() < 0.3 ? 0 : Math.floor(rand() * 256))));
      const near = Buffer.concat([bytes, Buffer.from([0])]);
      const flipped = Buffer.from(bytes);
      flipped[len - 1] ^= 1;
      const wire = (x: Buffer) => Buffer.concat([b(`*2\r\n$3\r\nSET\r\n$${x.length}\r\n`), x, b('\r\n')]);
      d.feed(Buffer.concat([wire(bytes), wire(near), wire(flipped), wire(bytes)]));
      for (const x of [bytes, near, flipped, bytes]) expect(d.next()![1]).toBe(x.toString('latin1'));
    }
  });

  it('args of every length up to 40 bytes come out exact, whichever way the decoder builds them', () => {
    // Up to 16 bytes the decoder builds the string itself, one case per length; latin1Slice after.
    const rand = prng(78);
    const d = new RespDecoder(policy());
    for (let i = 0; i < 4_000; i++) {
      const len = i % 41;
      const bytes = Buffer.from(Array.from({ length: len }, () => Math.floor(rand() * 256)));
      d.feed(Buffer.concat([b(`*3\r\n$3\r\nSET\r\n$${len}\r\n`), bytes, b(`\r\n$${len}\r\n`), bytes, b('\r\n')]));
      const argv = d.next()!;
      expect(argv[1], `length ${len}`).toBe(bytes.toString('latin1'));
      expect(argv[2]).toBe(bytes.toString('latin1'));
    }
  });

  it('a big bulk (200 KB) with the next command behind it', () => {
    const big = 'x'.repeat(200_000);
    const input = b(mbulk('SET', 'k', big) + mbulk('PING'));
    expect(decode([input])).toEqual({ cmds: [['SET', 'k', big], ['PING']], pending: 0 });
    for (let i = 0; i <= input.length; i += 997) {
      expect(decode(splitAt(input, [i]))).toEqual({ cmds: [['SET', 'k', big], ['PING']], pending: 0 });
    }
    const rand = prng(7);
    for (let r = 0; r < 10; r++) {
      expect(decode(randomChunks(input, rand, 70_000))).toEqual({ cmds: [['SET', 'k', big], ['PING']], pending: 0 });
    }
  });

  it('an inline line of exactly 64 KB is accepted, whatever the cuts', () => {
    const input = b('ECHO ' + 'a'.repeat(65536 - 5) + '\n');
    const expected = { cmds: [['ECHO', 'a'.repeat(65531)]], pending: 0 };
    for (let i = 0; i <= input.length; i += 4099) expect(decode(splitAt(input, [i]))).toEqual(expected);
    expect(decode(randomChunks(input, prng(5), 3000))).toEqual(expected);
  });

  it('a partial command stays buffered and is counted in bufferedBytes', () => {
    expect(decode([b('*2\r\n$4\r\nECHO\r\n$5\r\nab')])).toEqual({ cmds: [], pending: 2 });
    expect(decode([b('PING')])).toEqual({ cmds: [], pending: 4 });
    expect(decode([b('*1\r\n$4\r\nPING\r')])).toEqual({ cmds: [], pending: 5 });
  });

  it('a NUL before the line end hides it, as strchr does in Redis: the request waits', () => {
    expect(decode([b('PING\x00junk\r\n')])).toEqual({ cmds: [], pending: 11 });
    expect(decode([b('*1\x00\r\n$4\r\nPING\r\n')])).toEqual({ cmds: [], pending: 15 });
    expect(decode([b('*1\r\n\x00$4\r\nPING\r\n')])).toEqual({ cmds: [], pending: 11 });
    expect(decode([b('PING\r\nPING\x00\r\nPING\r\n')])).toEqual({ cmds: [['PING']], pending: 13 });
    // ...but a NUL inside bulk data is just data.
    expect(decode([b(mbulk('ECHO', 'a\x00b'))])).toEqual({ cmds: [['ECHO', 'a\x00b']], pending: 0 });
  });
});

describe('RespDecoder: protocol errors have Redis 7.0 texts', () => {
  const cases: [string, string, string[][], string][] = [
    ['non-numeric count', '*abc\r\n', [], 'Protocol error: invalid multibulk length'],
    ['empty count', '*\r\n', [], 'Protocol error: invalid multibulk length'],
    ['count above INT_MAX', '*3000000000\r\n', [], 'Protocol error: invalid multibulk length'],
    ['count below LLONG_MIN', '*-9223372036854775809\r\n', [], 'Protocol error: invalid multibulk length'],
    ['count with a leading zero', '*01\r\n', [], 'Protocol error: invalid multibulk length'],
    ['count with a plus sign', '*+1\r\n', [], 'Protocol error: invalid multibulk length'],
    ['count -0', '*-0\r\n', [], 'Protocol error: invalid multibulk length'],
    ['bulk without $', '*1\r\nx\r\n', [], "Protocol error: expected '$', got 'x'"],
    ['bulk starting with CR: the reply shows a space', '*1\r\n\r\r\n', [], "Protocol error: expected '$', got ' '"],
    ['bulk starting with LF: the reply shows a space', '*1\r\n\nx\r\n', [], "Protocol error: expected '$', got ' '"],
    ['bulk starting with a byte >= 0x80', '*1\r\n\xff\r\n', [], "Protocol error: expected '$', got '\xff'"],
    ['bulk with another type byte', '*2\r\n$4\r\nECHO\r\n:1\r\n', [], "Protocol error: expected '$', got ':'"],
    ['non-numeric bulk length', '*1\r\n$abc\r\n', [], 'Protocol error: invalid bulk length'],
    ['empty bulk length', '*1\r\n$\r\n', [], 'Protocol error: invalid bulk length'],
    ['negative bulk length', '*1\r\n$-1\r\n', [], 'Protocol error: invalid bulk length'],
    ['bulk length with a plus sign', '*1\r\n$+3\r\n', [], 'Protocol error: invalid bulk length'],
    ['bulk length with a leading zero', '*1\r\n$03\r\n', [], 'Protocol error: invalid bulk length'],
    ['bulk length above proto-max-bulk-len', '*1\r\n$536870913\r\n', [], 'Protocol error: invalid bulk length'],
    ['unbalanced double quote', 'ECHO "abc\r\n', [], 'Protocol error: unbalanced quotes in request'],
    ['unbalanced single quote', "ECHO 'abc\r\n", [], 'Protocol error: unbalanced quotes in request'],
    ['closing quote glued to text', 'ECHO "a"b\r\n', [], 'Protocol error: unbalanced quotes in request'],
    ['closing single quote glued to text', "ECHO 'a'b\r\n", [], 'Protocol error: unbalanced quotes in request'],
    ['quote opened in a bare arg, closed glued to text', 'echo a"b c"d\r\n', [], 'Protocol error: unbalanced quotes in request'],
    ['commands before the bad one come out first', 'PING\r\n' + mbulk('ECHO', 'x') + '*x\r\n', [['PING'], ['ECHO', 'x']], 'Protocol error: invalid multibulk length'],
  ];
  for (const [name, input, cmds, error] of cases) {
    it(name, () => {
      const out = expectSplitInvariant(b(input));
      expect(out.cmds).toEqual(cmds);
      expect(out.error).toBe(error);
    });
  }

  it('proto-max-bulk-len comes from the policy', () => {
    const pol = policy({ maxBulkLen: 1024 * 1024 });
    expect(decode([b('*1\r\n$1048577\r\n')], pol).error).toBe('Protocol error: invalid bulk length');
    expect(decode([b('*1\r\n$1048576\r\n')], pol)).toEqual({ cmds: [], pending: 0 });
  });

  it('too big inline request: 64 KB without a newline, or a longer line', () => {
    expect(decode([b('a'.repeat(65536))])).toEqual({ cmds: [], pending: 65536 });
    expect(decode([b('a'.repeat(65537))]).error).toBe('Protocol error: too big inline request');
    const line = b('ECHO ' + 'a'.repeat(65536) + '\r\n');
    expect(decode([line]).error).toBe('Protocol error: too big inline request');
    expect(decode(randomChunks(line, prng(1), 5000)).error).toBe('Protocol error: too big inline request');
  });

  it('too big mbulk / bulk count string: a header line over 64 KB', () => {
    expect(decode([b('*' + '1'.repeat(65536))]).error).toBe('Protocol error: too big mbulk count string');
    expect(decode([b('*' + '1'.repeat(65535))])).toEqual({ cmds: [], pending: 65536 });
    expect(decode([b('*1\r\n$' + '1'.repeat(65536))]).error).toBe('Protocol error: too big bulk count string');
    expect(decode([b('*' + '1'.repeat(70000) + '\r\n')]).error).toBe('Protocol error: too big mbulk count string');
  });

  it('a NUL-blocked request fails as too big once 64 KB are buffered', () => {
    const tail = 'x'.repeat(65536);
    expect(decode([b('PING\x00' + tail)]).error).toBe('Protocol error: too big inline request');
    expect(decode([b('*1\x00' + tail)]).error).toBe('Protocol error: too big mbulk count string');
    expect(decode([b('*1\r\n$1\x00' + tail)]).error).toBe('Protocol error: too big bulk count string');
    // Fed in pieces, the blocked request is not rescanned per piece, and fails the same way.
    const pieces = [b('PING\x00'), ...randomChunks(b(tail.replace(/x/g, '\n')), prng(3), 100)];
    expect(decode(pieces).error).toBe('Protocol error: too big inline request');
  });

  it('before AUTH: at most 10 args and 16 KB bulks (unauthenticated ... length)', () => {
    const anon = policy({ authenticated: false });
    expect(decode([b('*11\r\n')], anon).error).toBe('Protocol error: unauthenticated multibulk length');
    expect(decode([b('*10\r\n')], anon)).toEqual({ cmds: [], pending: 0 });
    expect(decode([b('*0\r\n*-1\r\n')], anon)).toEqual({ cmds: [], pending: 0 });
    expect(decode([b('*1\r\n$16385\r\n')], anon).error).toBe('Protocol error: unauthenticated bulk length');
    expect(decode([b('*1\r\n$16384\r\n')], anon)).toEqual({ cmds: [], pending: 0 });
    // An invalid length is reported as invalid first.
    expect(decode([b('*1\r\n$536870913\r\n')], anon).error).toBe('Protocol error: invalid bulk length');
    expect(decode([b('*3000000000\r\n')], anon).error).toBe('Protocol error: invalid multibulk length');
  });

  it('authentication is read at each header, so AUTH then a long command in one packet works', () => {
    let authed = false;
    const d = new RespDecoder({ maxBulkLen: () => 1 << 29, authenticated: () => authed });
    d.feed(b(mbulk('AUTH', 'pw') + mbulk(...Array.from({ length: 11 }, () => 'x'))));
    expect(d.next()).toEqual(['AUTH', 'pw']);
    authed = true;
    expect(d.next()).toHaveLength(11);
  });
});

describe('RespDecoder: large inputs cost linear time', () => {
  it('a 64 MB bulk fed in 64 KB chunks is decoded once, with no Buffer joins, well under a second', () => {
    const size = 64 * 1024 * 1024;
    const head = b(`*2\r\n$4\r\nECHO\r\n$${size}\r\n`);
    const input = Buffer.alloc(head.length + size + 2 + 14, 0x61);
    head.copy(input);
    input[head.length] = 0x41; // first data byte 'A', last 'Z'
    input[head.length + size - 1] = 0x5a;
    input.write('\r\n*1\r\n$4\r\nPING\r\n', head.length + size, 'latin1');
    const chunks: Buffer[] = [];
    for (let i = 0; i < input.length; i += 65536) chunks.push(input.subarray(i, i + 65536));
    expect(chunks.length).toBeGreaterThan(1000);
    const concat = vi.spyOn(Buffer, 'concat');
    const run = () => {
      const d = new RespDecoder(policy());
      const t0 = performance.now();
      const cmds: string[][] = [];
      for (const c of chunks) {
        d.feed(c);
        for (let a = d.next(); a !== null; a = d.next()) cmds.push(a);
      }
      // Reading the argument (here: encoding it back to bytes) is part of the cost.
      const back = Buffer.from(cmds[0]![1]!, 'latin1');
      return { cmds, back, ms: performance.now() - t0 };
    };
    const first = run();
    expect(concat).not.toHaveBeenCalled();
    concat.mockRestore();
    expect(first.cmds).toHaveLength(2);
    expect(first.cmds[1]).toEqual(['PING']);
    expect(first.back.equals(input.subarray(head.length, head.length + size))).toBe(true);
    // Fast: the best of three runs (the machine may be busy) is well under a second.
    const ms = Math.min(first.ms, run().ms, run().ms);
    expect(ms).toBeLessThan(1000);
  });

  it('a 60 KB inline line fed byte by byte is scanned once, not once per byte', () => {
    const line = b('ECHO ' + 'a'.repeat(60_000) + '\r\n');
    const concat = vi.spyOn(Buffer, 'concat');
    const t0 = performance.now();
    const out = decode(Array.from({ length: line.length }, (_, i) => line.subarray(i, i + 1)));
    const ms = performance.now() - t0;
    expect(concat.mock.calls.length).toBeLessThanOrEqual(2);
    concat.mockRestore();
    expect(out.cmds[0]![1]!.length).toBe(60_000);
    expect(ms).toBeLessThan(1000);
  });

  it('a 300 KB bulk fed one byte per chunk (small chunks are coalesced while queued)', () => {
    const value = Buffer.alloc(300_000);
    for (let i = 0; i < value.length; i++) value[i] = (i * 13) & 255;
    const input = Buffer.concat([b('*2\r\n$4\r\nECHO\r\n$300000\r\n'), value, b('\r\nPING\r\n')]);
    const t0 = performance.now();
    const out = decode(Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1)));
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(out.cmds).toHaveLength(2);
    expect(out.cmds[0]![1]).toBe(value.toString('latin1'));
    expect(out.cmds[1]).toEqual(['PING']);
  });

  it('10k pipelined commands in one chunk', () => {
    const input = b(mbulk('ECHO', 'v').repeat(10_000));
    const out = decode([input]);
    expect(out.cmds).toHaveLength(10_000);
    expect(out.cmds.every((c) => c[0] === 'ECHO' && c[1] === 'v')).toBe(true);
  });
});

describe('splitInlineArgs (sdssplitargs)', () => {
  it('splits, unquotes and rejects like sdssplitargs', () => {
    expect(splitInlineArgs('')).toEqual([]);
    expect(splitInlineArgs('  a  b ')).toEqual(['a', 'b']);
    expect(splitInlineArgs('"a\\x4g"')).toEqual(['ax4g']);
    expect(splitInlineArgs('"abc\\"')).toBeUndefined();
    expect(splitInlineArgs("'a\\nb'")).toEqual(['a\\nb']);
    expect(splitInlineArgs('a\x00b c')).toEqual(['a']);
    expect(splitInlineArgs('"a"\x0b')).toEqual(['a']);
    expect(splitInlineArgs('"a"\x0c"b"')).toEqual(['a', 'b']);
  });
});
