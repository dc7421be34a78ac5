/**
 * ReplyWriter: byte-exact RESP2 and RESP3 output of every method, slab boundaries, big bulks
 * handed on uncopied, mark/rollback, and flush handing the sink exactly the bytes written.
 */
import { describe, expect, it } from 'vitest';
import { ReplyWriter, type ReplySink } from '../../src/protocol/reply-writer.js';
import { ReplyError } from '../../src/protocol/reply-errors.js';
import type { Bytes } from '../../src/keyspace/bytes.js';

class Capture implements ReplySink {
  calls: { chunks: Buffer[]; bytes: number }[] = [];
  write(chunks: Buffer[], bytes: number): void {
    this.calls.push({ chunks, bytes });
  }
  /** Everything received, as latin1 text. */
  text(): string {
    return Buffer.concat(this.calls.flatMap((c) => c.chunks)).toString('latin1');
  }
}

function writer(protocol: 2 | 3 = 2): { w: ReplyWriter; sink: Capture } {
  const sink = new Capture();
  const w = new ReplyWriter(sink);
  w.protocol = protocol;
  return { w, sink };
}

/** What `write` produces in RESP2 and RESP3. */
function out(write: (w: ReplyWriter) => void): [string, string] {
  const res: string[] = [];
  for (const p of [2, 3] as const) {
    const { w, sink } = writer(p);
    write(w);
    w.flush();
    res.push(sink.text());
  }
  return res as [string, string];
}

const bytes = (s: string) => s as Bytes;
const ALL_BYTES = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));

describe('ReplyWriter: byte-exact output of every method', () => {
  it('ok, simple, error', () => {
    expect(out((w) => w.ok())).toEqual(['+OK\r\n', '+OK\r\n']);
    expect(out((w) => w.simple('PONG'))).toEqual(['+PONG\r\n', '+PONG\r\n']);
    expect(out((w) => w.simple(''))).toEqual(['+\r\n', '+\r\n']);
    expect(out((w) => w.simple('a longer status line than sixteen bytes'))).toEqual([
      '+a longer status line than sixteen bytes\r\n',
      '+a longer status line than sixteen bytes\r\n',
    ]);
    expect(out((w) => w.error('ERR syntax error'))).toEqual(['-ERR syntax error\r\n', '-ERR syntax error\r\n']);
    expect(out((w) => w.error(new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value')))).toEqual([
      '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n',
      '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n',
    ]);
  });

  it('integer: small, large, negative, -0, safe-integer limits and bigint int64 limits', () => {
    const cases: [number | bigint, string][] = [
      [0, ':0\r\n'],
      [-0, ':0\r\n'],
      [1, ':1\r\n'],
      [9, ':9\r\n'],
      [10, ':10\r\n'],
      [1023, ':1023\r\n'],
      [1024, ':1024\r\n'],
      [-1, ':-1\r\n'],
      [-10, ':-10\r\n'],
      [1234567890123, ':1234567890123\r\n'],
      [Number.MAX_SAFE_INTEGER, ':9007199254740991\r\n'],
      [Number.MIN_SAFE_INTEGER, ':-9007199254740991\r\n'],
      [9223372036854775807n, ':9223372036854775807\r\n'],
      [-9223372036854775808n, ':-9223372036854775808\r\n'],
      [0n, ':0\r\n'],
    ];
    for (const [n, expected] of cases) expect(out((w) => w.integer(n)), String(n)).toEqual([expected, expected]);
  });

  it('bulk: empty, short, every length around the copy thresholds, all 256 byte values', () => {
    expect(out((w) => w.bulk(bytes('')))).toEqual(['$0\r\n\r\n', '$0\r\n\r\n']);
    expect(out((w) => w.bulk(bytes('abc')))).toEqual(['$3\r\nabc\r\n', '$3\r\nabc\r\n']);
    expect(out((w) => w.bulk(bytes('a\r\nb')))).toEqual(['$4\r\na\r\nb\r\n', '$4\r\na\r\nb\r\n']);
    expect(out((w) => w.bulk(bytes(ALL_BYTES)))).toEqual([`$256\r\n${ALL_BYTES}\r\n`, `$256\r\n${ALL_BYTES}\r\n`]);
    for (const n of [15, 16, 17, 31, 32, 33, 99, 100, 16383, 16384, 16385, 32767, 32768, 32769, 100_000]) {
      const s = 'x'.repeat(n - 1) + '\xff';
      expect(out((w) => w.bulk(bytes(s))), `length ${n}`).toEqual([`$${n}\r\n${s}\r\n`, `$${n}\r\n${s}\r\n`]);
    }
  });

  it('null bulk and null array: RESP2 $-1 / *-1, RESP3 _', () => {
    expect(out((w) => w.bulk(null))).toEqual(['$-1\r\n', '_\r\n']);
    expect(out((w) => w.bulk(undefined))).toEqual(['$-1\r\n', '_\r\n']);
    expect(out((w) => w.nullBulk())).toEqual(['$-1\r\n', '_\r\n']);
    expect(out((w) => w.nullArray())).toEqual(['*-1\r\n', '_\r\n']);
  });

  it('aggregate headers: array, map (RESP2: 2n array), set, push', () => {
    expect(out((w) => w.arrayHeader(0))).toEqual(['*0\r\n', '*0\r\n']);
    expect(out((w) => w.arrayHeader(3))).toEqual(['*3\r\n', '*3\r\n']);
    expect(out((w) => w.arrayHeader(1_000_000))).toEqual(['*1000000\r\n', '*1000000\r\n']);
    expect(out((w) => w.mapHeader(0))).toEqual(['*0\r\n', '%0\r\n']);
    expect(out((w) => w.mapHeader(2))).toEqual(['*4\r\n', '%2\r\n']);
    expect(out((w) => w.mapHeader(40))).toEqual(['*80\r\n', '%40\r\n']);
    expect(out((w) => w.setHeader(5))).toEqual(['*5\r\n', '~5\r\n']);
    expect(out((w) => w.setHeader(123))).toEqual(['*123\r\n', '~123\r\n']);
    expect(out((w) => w.pushHeader(3))).toEqual(['*3\r\n', '>3\r\n']);
    expect(out((w) => w.pushHeader(33))).toEqual(['*33\r\n', '>33\r\n']);
  });

  it('double: RESP2 bulk, RESP3 ",", in %.17g form with inf/-inf', () => {
    expect(out((w) => w.double(1.5))).toEqual(['$3\r\n1.5\r\n', ',1.5\r\n']);
    expect(out((w) => w.double(3))).toEqual(['$1\r\n3\r\n', ',3\r\n']);
    expect(out((w) => w.double(0.1))).toEqual(['$19\r\n0.10000000000000001\r\n', ',0.10000000000000001\r\n']);
    expect(out((w) => w.double(-2.5e-7))).toEqual(['$23\r\n-2.4999999999999999e-07\r\n', ',-2.4999999999999999e-07\r\n']);
    expect(out((w) => w.double(Infinity))).toEqual(['$3\r\ninf\r\n', ',inf\r\n']);
    expect(out((w) => w.double(-Infinity))).toEqual(['$4\r\n-inf\r\n', ',-inf\r\n']);
  });

  it('boolean: RESP2 :1/:0, RESP3 #t/#f', () => {
    expect(out((w) => w.boolean(true))).toEqual([':1\r\n', '#t\r\n']);
    expect(out((w) => w.boolean(false))).toEqual([':0\r\n', '#f\r\n']);
  });

  it('verbatim: RESP2 bulk, RESP3 =len with a 3-letter format', () => {
    expect(out((w) => w.verbatim(bytes('Some string')))).toEqual(['$11\r\nSome string\r\n', '=15\r\ntxt:Some string\r\n']);
    expect(out((w) => w.verbatim(bytes('# Server\r\nx:1\r\n'), 'mkd'))).toEqual([
      '$15\r\n# Server\r\nx:1\r\n\r\n',
      '=19\r\nmkd:# Server\r\nx:1\r\n\r\n',
    ]);
    const big = 'i'.repeat(40_000);
    expect(out((w) => w.verbatim(bytes(big)))).toEqual([`$40000\r\n${big}\r\n`, `=40004\r\ntxt:${big}\r\n`]);
  });

  it('bulkArray (with nulls), bulkSet, simpleArray', () => {
    expect(out((w) => w.bulkArray([bytes('a'), null, bytes('')]))).toEqual(['*3\r\n$1\r\na\r\n$-1\r\n$0\r\n\r\n', '*3\r\n$1\r\na\r\n_\r\n$0\r\n\r\n']);
    expect(out((w) => w.bulkArray([]))).toEqual(['*0\r\n', '*0\r\n']);
    expect(out((w) => w.bulkSet([bytes('x'), bytes('yz')]))).toEqual(['*2\r\n$1\r\nx\r\n$2\r\nyz\r\n', '~2\r\n$1\r\nx\r\n$2\r\nyz\r\n']);
    expect(out((w) => w.simpleArray(['OK', 'QUEUED']))).toEqual(['*2\r\n+OK\r\n+QUEUED\r\n', '*2\r\n+OK\r\n+QUEUED\r\n']);
  });

  it('raw: pre-encoded bytes pass through', () => {
    expect(out((w) => w.raw(Buffer.from('+PONG\r\n')))).toEqual(['+PONG\r\n', '+PONG\r\n']);
    expect(out((w) => w.raw(Buffer.from('+' + 'p'.repeat(100) + '\r\n')))).toEqual(['+' + 'p'.repeat(100) + '\r\n', '+' + 'p'.repeat(100) + '\r\n']);
  });
});

describe('ReplyWriter: slabs, big bulks, mark/rollback, flush', () => {
  it('a reply crossing the end of the 16 KB slab continues in a new slab, bytes intact', () => {
    const { w, sink } = writer();
    const fill = 'f'.repeat(16370); // "$16370\r\n" + data + CRLF = 16380 bytes: 4 left in the slab
    w.bulk(bytes(fill));
    w.bulk(bytes('hello world'));
    w.integer(42);
    expect(w.pendingBytes).toBe(16380 + 18 + 5);
    w.flush();
    expect(sink.calls).toHaveLength(1);
    const { chunks, bytes: n } = sink.calls[0]!;
    expect(chunks).toHaveLength(2);
    expect(chunks[0]!.length).toBe(16380);
    expect(chunks[0]!.buffer).not.toBe(chunks[1]!.buffer);
    expect(n).toBe(16380 + 18 + 5);
    expect(sink.text()).toBe(`$16370\r\n${fill}\r\n$11\r\nhello world\r\n:42\r\n`);
  });

  it('thousands of replies across many slabs come out in order', () => {
    const { w, sink } = writer();
    let expected = '';
    for (let i = 0; i < 5000; i++) {
      const v = `value-${i}-${'v'.repeat(i % 40)}`;
      w.bulk(bytes(v));
      w.integer(i - 2500);
      expected += `$${v.length}\r\n${v}\r\n:${i - 2500}\r\n`;
    }
    w.flush();
    expect(sink.calls[0]!.chunks.length).toBeGreaterThan(5);
    expect(sink.calls[0]!.bytes).toBe(expected.length);
    expect(sink.text()).toBe(expected);
  });

  it('a raw Buffer of 32 KB or more is handed to the sink uncopied; a smaller one is copied', () => {
    const { w, sink } = writer();
    const big = Buffer.alloc(32 * 1024, 0x62);
    const small = Buffer.alloc(32 * 1024 - 1, 0x73);
    w.simple('before');
    w.raw(big);
    w.raw(small);
    w.simple('after');
    w.flush();
    const chunks = sink.calls[0]!.chunks;
    expect(chunks.filter((c) => c === big)).toHaveLength(1);
    expect(chunks.some((c) => c === small)).toBe(false);
    expect(sink.text()).toBe(`+before\r\n${'b'.repeat(32768)}${'s'.repeat(32767)}+after\r\n`);
  });

  it('a string bulk of 32 KB or more gets its own chunk instead of being copied into the slab', () => {
    const { w, sink } = writer();
    const big = 'B'.repeat(50_000);
    w.bulk(bytes(big));
    w.flush();
    const chunks = sink.calls[0]!.chunks;
    expect(chunks.map((c) => c.length)).toEqual([8, 50_000, 2]);
    expect(sink.text()).toBe(`$50000\r\n${big}\r\n`);
  });

  it('rollback forgets everything written since mark, across slabs and big chunks', () => {
    const { w, sink } = writer();
    w.ok();
    const m = w.mark();
    w.bulk(bytes('x'.repeat(20_000)));
    w.raw(Buffer.alloc(40_000));
    w.arrayHeader(3);
    w.rollback(m);
    expect(w.pendingBytes).toBe(5);
    w.integer(5);
    w.flush();
    expect(sink.text()).toBe('+OK\r\n:5\r\n');
  });

  it('rollback to a mark with nothing after it changes nothing; a rollback at the start leaves nothing', () => {
    const { w, sink } = writer();
    const m0 = w.mark();
    w.simple('dropped');
    w.rollback(m0);
    w.ok();
    const m = w.mark();
    w.rollback(m);
    w.flush();
    expect(sink.text()).toBe('+OK\r\n');
  });

  it('flush hands exactly the bytes written, once; an empty flush calls nothing', () => {
    const { w, sink } = writer();
    w.flush();
    expect(sink.calls).toHaveLength(0);
    w.ok();
    w.integer(7);
    expect(w.pendingBytes).toBe(9);
    w.flush();
    expect(w.pendingBytes).toBe(0);
    w.flush();
    expect(sink.calls).toHaveLength(1);
    expect(sink.calls[0]!.bytes).toBe(9);
    expect(Buffer.concat(sink.calls[0]!.chunks).toString('latin1')).toBe('+OK\r\n:7\r\n');
  });

  it('bytes handed to the sink are never written again by later replies', () => {
    const { w, sink } = writer();
    w.simple('first');
    w.flush();
    const first = sink.calls[0]!.chunks[0]!;
    const snapshot = Buffer.from(first);
    for (let i = 0; i < 3000; i++) w.bulk(bytes(`overwrite-${i}`));
    w.flush();
    expect(first.equals(snapshot)).toBe(true);
    expect(first.toString('latin1')).toBe('+first\r\n');
  });
});
