/**
 * The RDB format's building blocks on their own: CRC-64/Jones (check value, a bitwise reference
 * model, incremental use, speed), LZF (round trips, the size bound, data redis-server wrote,
 * damaged streams), RdbOutput's primitive encodings, and the listpack / intset / ziplist /
 * zipmap codecs (every encoding width, Redis-written bytes, damaged input).
 */
import { describe, expect, it } from 'vitest';
import { Crc64, crc64 } from '../../src/persistence/crc64.js';
import { lzfCompress, lzfDecompress } from '../../src/persistence/lzf.js';
import { RdbOutput } from '../../src/persistence/rdb-output.js';
import { ListpackBuilder, decodeListpack, encodeListpack } from '../../src/persistence/listpack.js';
import { decodeIntset, encodeIntset } from '../../src/persistence/intset.js';
import { decodeZiplist, decodeZipmap } from '../../src/persistence/ziplist.js';
import { ziplist, zipmap } from '../helpers/rdb-builders.js';
import { prng } from '../helpers/prng.js';

/** CRC-64/Jones bit by bit with BigInt: the reference model. */
function crcModel(buf: Uint8Array): bigint {
  const poly = 0x95ac9329ac4bc9b5n; // 0xad93d23594c935a9 reflected
  let crc = 0n;
  for (const b of buf) {
    crc ^= BigInt(b);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc;
}

function randomBytes(rand: () => number, n: number, alphabet = 256): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * alphabet);
  return b;
}

describe('crc64', () => {
  it('has the CRC-64/Jones check value and an all-zero digest for no input', () => {
    expect(crc64(Buffer.from('123456789')).readBigUInt64LE(0)).toBe(0xe9c6d914c4b8d9can);
    expect(crc64(Buffer.alloc(0))).toEqual(Buffer.alloc(8));
  });

  it('agrees with a bitwise model on inputs of every length mod 8', () => {
    const rand = prng(1);
    for (let n = 0; n < 80; n++) {
      const b = randomBytes(rand, n);
      expect(crc64(b).readBigUInt64LE(0)).toBe(crcModel(b));
    }
  });

  it('gives the same digest fed in arbitrary pieces', () => {
    const rand = prng(2);
    const b = randomBytes(rand, 5000);
    const whole = crc64(b);
    for (let t = 0; t < 20; t++) {
      const c = new Crc64();
      let p = 0;
      while (p < b.length) {
        const n = Math.floor(rand() * 70);
        c.update(b.subarray(p, p + n));
        p += n;
      }
      expect(c.digest()).toEqual(whole);
    }
  });

  it('checksums at least 100 MB/s', () => {
    const b = Buffer.alloc(64 * 1024 * 1024, 0xa5);
    crc64(b.subarray(0, 1 << 20)); // warm up
    const t = performance.now();
    crc64(b);
    const mbs = 64 / ((performance.now() - t) / 1000);
    console.log(`crc64: ${mbs.toFixed(0)} MB/s`);
    expect(mbs).toBeGreaterThan(100);
  });
});

describe('lzf', () => {
  it('round-trips compressible data of many shapes', () => {
    const rand = prng(3);
    for (let t = 0; t < 3000; t++) {
      const n = 4 + Math.floor(rand() * 3000);
      const alphabet = 1 + Math.floor(rand() * 8);
      const b = randomBytes(rand, n, alphabet);
      if (rand() < 0.3) for (let i = 0; i < n; i += 50) b[i] = Math.floor(rand() * 256);
      const c = lzfCompress(b, n + 64);
      expect(c).toBeDefined();
      expect(lzfDecompress(c!, n)).toEqual(b);
    }
  });

  it('handles long runs, far references and the longest matches', () => {
    const cases = [
      Buffer.alloc(100_000, 0x61),
      Buffer.concat([randomBytes(prng(4), 8000), randomBytes(prng(4), 8000)]), // repeat at offset 8000
      Buffer.concat([randomBytes(prng(5), 9000), randomBytes(prng(5), 9000)]), // beyond the 8 KB window
      Buffer.from('x'.repeat(264) + 'y' + 'x'.repeat(265)),
    ];
    for (const b of cases) {
      const c = lzfCompress(b, b.length + 1000)!;
      expect(lzfDecompress(c, b.length)).toEqual(b);
    }
    // 100 000 equal bytes: one literal, then 264-byte back references of 3 bytes each.
    expect(lzfCompress(cases[0]!)!.length).toBeLessThan(1200);
  });

  it('returns undefined when the result would exceed the bound (default: not smaller)', () => {
    const noise = randomBytes(prng(6), 200);
    expect(lzfCompress(noise)).toBeUndefined();
    const text = Buffer.from('abcabcabcabcabcabcabcabcabcabc');
    const c = lzfCompress(text)!;
    expect(lzfCompress(text, c.length)).toEqual(c);
    expect(lzfCompress(text, c.length - 1)).toBeUndefined();
    expect(lzfCompress(Buffer.from('abc'))).toBeUndefined();
  });

  it('decompresses what redis-server 7.0 compressed (DUMP payload bodies)', () => {
    // DUMP of "abc"×30 + "hello world hello world" and of a sentence said twice, from redis-server 7.0.15.
    const payloads: [string, string][] = [
      ['00c31b40710361626361e04d020b68656c6c6f20776f726c6420e0000b016c640a00bd0b07ca68ff8d77', 'abc'.repeat(30) + 'hello world hello world'],
      [
        '00c33740591f54686520717569636b2062726f776e20666f78206a756d7073206f7665722074201e0a6c617a7920646f672e2054200de01d2c01672e0a007a86b0ece8f2e2f4',
        'The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog.',
      ],
    ];
    for (const [hex, text] of payloads) {
      const p = Buffer.from(hex, 'hex');
      // 0x00 type, 0xC3 LZF, compressed length (1 or 2 bytes), original length (2 bytes)
      const clen = p[2]!;
      const ulen = ((p[3]! & 0x3f) << 8) | p[4]!;
      expect(ulen).toBe(text.length);
      expect(lzfDecompress(p.subarray(5, 5 + clen), ulen).toString('latin1')).toBe(text);
    }
  });

  it('throws on damaged streams, never reads or writes out of bounds', () => {
    const good = lzfCompress(Buffer.from('hello hello hello hello hello'))!;
    expect(() => lzfDecompress(good, 10)).toThrow(/LZF/);
    expect(() => lzfDecompress(good, 100)).toThrow(/LZF/);
    expect(() => lzfDecompress(Buffer.from([5, 1, 2]), 6)).toThrow(/literal run past the end/);
    expect(() => lzfDecompress(Buffer.from([0, 0x61, 0x20, 5]), 4)).toThrow(/before the start/);
    expect(() => lzfDecompress(Buffer.from([0, 0x61, 0xe0]), 20)).toThrow(/truncated/);
    const rand = prng(7);
    for (let t = 0; t < 5000; t++) {
      const d = randomBytes(rand, 1 + Math.floor(rand() * 40));
      try {
        const out = lzfDecompress(d, Math.floor(rand() * 200));
        expect(out.length).toBeGreaterThanOrEqual(0);
      } catch (e) {
        expect((e as Error).message).toMatch(/^LZF: /);
      }
    }
  });
});

describe('RdbOutput', () => {
  const bytes = (f: (o: RdbOutput) => void, compress = false) => {
    const o = new RdbOutput({ compress });
    f(o);
    return o.take().toString('hex');
  };

  it('writes lengths in the 6-bit, 14-bit, 32-bit and 64-bit forms', () => {
    expect(bytes((o) => o.length(0))).toBe('00');
    expect(bytes((o) => o.length(63))).toBe('3f');
    expect(bytes((o) => o.length(64))).toBe('4040');
    expect(bytes((o) => o.length(16383))).toBe('7fff');
    expect(bytes((o) => o.length(16384))).toBe('8000004000');
    expect(bytes((o) => o.length(4294967295))).toBe('80ffffffff');
    expect(bytes((o) => o.length(4294967296))).toBe('810000000100000000');
  });

  it('writes canonical integers of up to 11 characters in int32 range as integers, like Redis', () => {
    expect(bytes((o) => o.string('0'))).toBe('c000');
    expect(bytes((o) => o.string('-128'))).toBe('c080');
    expect(bytes((o) => o.string('128'))).toBe('c18000');
    expect(bytes((o) => o.string('-32769'))).toBe('c2ff7fffff');
    expect(bytes((o) => o.string('-2147483648'))).toBe('c200000080');
    // Out of int32, non-canonical, or too long: plain strings.
    expect(bytes((o) => o.string('2147483648'))).toBe('0a' + Buffer.from('2147483648').toString('hex'));
    expect(bytes((o) => o.string('01'))).toBe('023031');
    expect(bytes((o) => o.string('-0'))).toBe('022d30');
    expect(bytes((o) => o.string('+1'))).toBe('022b31');
    expect(bytes((o) => o.string(''))).toBe('00');
  });

  it('compresses strings over 20 bytes only when asked and when it saves 4 bytes or more', () => {
    const s = 'a'.repeat(21);
    expect(bytes((o) => o.string(s))).toBe('15' + '61'.repeat(21));
    expect(bytes((o) => o.string(s), true).slice(0, 2)).toBe('c3');
    expect(bytes((o) => o.string('a'.repeat(20)), true)).toBe('14' + '61'.repeat(20));
    const noise = randomBytes(prng(8), 100).toString('latin1');
    expect(bytes((o) => o.string(noise), true).slice(0, 2)).toBe('40');
  });

  it('writes millisecond times and doubles little-endian, binary strings unchanged', () => {
    expect(bytes((o) => o.millis(1))).toBe('0100000000000000');
    expect(bytes((o) => o.millis(2 ** 40 + 5))).toBe('0500000000010000');
    expect(bytes((o) => o.millis(-1))).toBe('ffffffffffffffff');
    expect(bytes((o) => o.float64(1.5))).toBe('000000000000f83f');
    expect(bytes((o) => o.string('\x00\xff\x80'))).toBe('0300ff80');
  });

  it('grows past its first buffer and hands out each part once; size is what take() would return', () => {
    const o = new RdbOutput();
    const big = 'x'.repeat(100_000);
    o.string(big);
    o.byte(7);
    expect(o.size).toBe(100_000 + 5 + 1);
    const first = o.take();
    expect(first.length).toBe(100_006);
    expect(o.size).toBe(0);
    o.byte(9);
    expect(o.size).toBe(1);
    expect(o.take()).toEqual(Buffer.from([9]));
    expect(o.take().length).toBe(0);
    expect(first[first.length - 1]).toBe(7);
    expect(first.subarray(5, 100_005).toString('latin1')).toBe(big);
  });
});

describe('listpack', () => {
  it('encodes every integer width and string length class and decodes them back', () => {
    const entries = [
      '0', '127', '128', '-1', '4095', '-4096', '4096', '32767', '-32768', '32768', '8388607', '-8388608',
      '8388608', '2147483647', '-2147483648', '2147483648', '9223372036854775807', '-9223372036854775808',
      '', 'a', 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(4095), 'w'.repeat(4096), '01', '-0', '1.5', '\x00\xff',
      '9223372036854775808', ' 1',
    ];
    const lp = encodeListpack(entries);
    expect(decodeListpack(lp)).toEqual(entries);
    expect(lp.readUInt32LE(0)).toBe(lp.length);
    expect(lp.readUInt16LE(4)).toBe(entries.length);
    expect(lp[lp.length - 1]).toBe(0xff);
  });

  it('lays out small entries as the specification says (and as redis-server writes them)', () => {
    // HSET h a 1 b hello on redis-server 7.0 → this listpack (from its DUMP payload).
    expect(encodeListpack(['a', '1', 'b', 'hello']).toString('hex')).toBe('16000000040081610201018162028568656c6c6f06ff');
  });

  it('writes multi-byte back lengths readable from the right', () => {
    for (const n of [126, 127, 200, 16381, 16382, 16383, 20000, 2_100_000]) {
      const s = 'q'.repeat(n);
      expect(decodeListpack(encodeListpack([s, 'end']))).toEqual([s, 'end']);
    }
  });

  it('reports its size as entries are added', () => {
    const b = new ListpackBuilder();
    expect(b.bytes).toBe(7);
    b.add('hello'); // 0x85 "hello" backlen: 7 bytes
    expect(b.bytes).toBe(14);
    b.add('1000'); // 13-bit int: 2 bytes + backlen
    expect(b.bytes).toBe(17);
    expect(b.count).toBe(2);
    expect(b.finish().length).toBe(17);
  });

  it('counts past 65535 entries with the "unknown" header value', () => {
    const many = Array.from({ length: 70000 }, (_, i) => String(i % 100));
    const lp = encodeListpack(many);
    expect(lp.readUInt16LE(4)).toBe(65535);
    expect(decodeListpack(lp)).toEqual(many);
  });

  it('rejects damaged listpacks with a reason', () => {
    const good = encodeListpack(['a', '1', 'hello']);
    const bad = (f: (b: Buffer) => Buffer) => () => decodeListpack(f(Buffer.from(good)));
    expect(bad((b) => b.subarray(0, 5))).toThrow(/too short/);
    expect(bad((b) => (b.writeUInt32LE(99, 0), b))).toThrow(/header says 99 bytes/);
    expect(bad((b) => (b.writeUInt16LE(5, 4), b))).toThrow(/header says 5 entries/);
    expect(bad((b) => ((b[b.length - 1] = 0x61), b))).toThrow(/listpack/);
    expect(bad((b) => ((b[8] ^= 1), b))).toThrow(/back length/);
    expect(bad((b) => ((b[6] = 0xf5), b))).toThrow(/unknown encoding/);
    expect(bad((b) => ((b[6] = 0xbf), b))).toThrow(/runs past the end/);
  });
});

describe('intset', () => {
  it('picks the narrowest width and round-trips', () => {
    const cases: [string[], number][] = [
      [['-5', '0', '7'], 2],
      [['-32768', '32767'], 2],
      [['1', '32768'], 4],
      [['-2147483648', '2147483647'], 4],
      [['-1', '2147483648'], 8],
      [['-9223372036854775808', '0', '9223372036854775807'], 8],
      [[], 2],
    ];
    for (const [members, width] of cases) {
      const b = encodeIntset(members);
      expect(b.readUInt32LE(0)).toBe(width);
      expect(b.readUInt32LE(4)).toBe(members.length);
      expect(b.length).toBe(8 + width * members.length);
      expect(decodeIntset(b)).toEqual(members);
    }
  });

  it('rejects bad widths, lengths and order', () => {
    const b = encodeIntset(['1', '2', '3']);
    expect(() => decodeIntset(b.subarray(0, 7))).toThrow(/too short/);
    const w = Buffer.from(b);
    w.writeUInt32LE(3, 0);
    expect(() => decodeIntset(w)).toThrow(/unknown encoding 3/);
    const l = Buffer.from(b);
    l.writeUInt32LE(4, 4);
    expect(() => decodeIntset(l)).toThrow(/cannot be/);
    const o = Buffer.from(b);
    o.writeInt16LE(5, 8);
    expect(() => decodeIntset(o)).toThrow(/ascending/);
    const d = Buffer.from(b);
    d.writeInt16LE(2, 8);
    expect(() => decodeIntset(d)).toThrow(/ascending/);
  });
});

describe('ziplist and zipmap (decode only)', () => {
  it('decodes every ziplist encoding, including 5-byte previous lengths', () => {
    const entries = [
      '0', '12', '13', '-1', '127', '-128', '128', '32767', '-32769', '8388607', '-8388609', '2147483647',
      '2147483648', '-9223372036854775808', '', 'abc', 'x'.repeat(63), 'y'.repeat(300), 'z'.repeat(16384), 'after',
    ];
    expect(decodeZiplist(ziplist(entries))).toEqual(entries);
    expect(decodeZiplist(ziplist([]))).toEqual([]);
  });

  it('rejects damaged ziplists', () => {
    const good = ziplist(['a', 'bb', '5']);
    const bad = (f: (b: Buffer) => Buffer) => () => decodeZiplist(f(Buffer.from(good)));
    expect(bad((b) => (b.writeUInt32LE(4, 4), b))).toThrow(/tail offset/);
    expect(bad((b) => (b.writeUInt16LE(9, 8), b))).toThrow(/header says 9 entries/);
    expect(bad((b) => ((b[13] = 7), b))).toThrow(/previous length/);
    expect(bad((b) => b.subarray(0, 12))).toThrow(/ziplist/);
    expect(bad((b) => ((b[11] = 0xc5), b))).toThrow(/bad encoding/);
  });

  it('decodes zipmaps with free space after values and long lengths', () => {
    const pairs: [string, string][] = [['a', '1'], ['name', 'x'.repeat(300)], ['', '']];
    expect(decodeZipmap(zipmap(pairs))).toEqual(pairs.flat());
    expect(decodeZipmap(zipmap(pairs, 3))).toEqual(pairs.flat());
  });

  it('rejects damaged zipmaps', () => {
    const good = zipmap([['a', '1'], ['b', '2']]);
    expect(() => decodeZipmap(good.subarray(0, good.length - 1))).toThrow(/zipmap/);
    const n = Buffer.from(good);
    n[0] = 5;
    expect(() => decodeZipmap(n)).toThrow(/header says 5 pairs/);
    const l = Buffer.from(good);
    l[1] = 253;
    expect(() => decodeZipmap(l)).toThrow(/key runs past the end/);
  });
});
