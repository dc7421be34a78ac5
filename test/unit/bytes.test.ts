/**
 * Number parsing and formatting with Redis's rules: string2ll (parseI64), strtod as Redis checks
 * it (parseDouble), printf "%.17g" (formatDouble), and INCRBYFLOAT's x87 long double sum printed
 * with "%.17Lf" (addLongDoubleStrings). Expected values come from redis-server 7.0.15 on x86-64
 * and from C's printf.
 */
import { describe, expect, it } from 'vitest';
import {
  addI64,
  addLongDoubleStrings,
  bufferOf,
  bytesOf,
  formatDouble,
  isCanonicalInt,
  parseDouble,
  parseI64,
  parseInteger,
} from '../../src/keyspace/bytes.js';

describe('bytesOf / bufferOf', () => {
  it('round-trips all 256 byte values', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const b = bytesOf(all);
    expect(b.length).toBe(256);
    expect(bufferOf(b).equals(all)).toBe(true);
  });
});

describe('parseI64 (string2ll)', () => {
  it('accepts canonical int64 text, exact beyond 2^53', () => {
    expect(parseI64('0')).toBe(0);
    expect(parseI64('-1')).toBe(-1);
    expect(parseI64('123456789012345')).toBe(123456789012345);
    expect(parseI64('9007199254740991')).toBe(9007199254740991);
    expect(parseI64('9007199254740993')).toBe(9007199254740993n);
    expect(parseI64('9223372036854775807')).toBe(9223372036854775807n);
    expect(parseI64('-9223372036854775808')).toBe(-9223372036854775808n);
  });

  it('refuses signs, spaces, leading zeros, decimals and out-of-range values', () => {
    for (const s of ['', '-', '+1', ' 1', '1 ', '01', '00', '-0', '-01', '1.0', '1e3', '0x10', 'abc', '１',
      '9223372036854775808', '-9223372036854775809', '18446744073709551616', '123456789012345678901']) {
      expect([s, parseI64(s)]).toEqual([s, undefined]);
    }
  });

  it('parseInteger and isCanonicalInt follow it', () => {
    expect(parseInteger('9223372036854775807')).toBe(9223372036854775807);
    expect(parseInteger('x')).toBeUndefined();
    expect(isCanonicalInt('-42')).toBe(true);
    expect(isCanonicalInt('042')).toBe(false);
  });

  it('addI64 is exact and reports overflow', () => {
    expect(addI64(1, 2)).toBe(3);
    expect(addI64(9007199254740991, 2)).toBe(9007199254740993n);
    expect(addI64(9223372036854775806n, 1)).toBe(9223372036854775807n);
    expect(addI64(9223372036854775807n, 1)).toBeUndefined();
    expect(addI64(-9223372036854775808n, -1)).toBeUndefined();
    expect(addI64(9223372036854775807n, -9223372036854775807n)).toBe(0);
  });
});

describe('parseDouble (strtod as getDoubleFromObject checks it)', () => {
  it('accepts decimal, exponent, hex float and infinity forms', () => {
    const cases: [string, number][] = [
      ['1', 1], ['-1.5', -1.5], ['+5', 5], ['.5', 0.5], ['5.', 5], ['1e3', 1000], ['1E-3', 0.001], ['-0', -0],
      ['0e-400', 0], ['1e-310', 1e-310], ['4e-324', 5e-324], ['3e-324', 5e-324], ['1.7976931348623157e308', 1.7976931348623157e308],
      ['0x10', 16], ['0x1p-2', 0.25], ['0X1P3', 8], ['0x.8', 0.5], ['0x1.p1', 2], ['-0x1.8p1', -3], ['0x1p-1074', 5e-324],
      ['inf', Infinity], ['-inf', -Infinity], ['+Infinity', Infinity], ['INF', Infinity],
    ];
    for (const [s, v] of cases) expect([s, parseDouble(s)]).toEqual([s, v]);
  });

  it('refuses NaN, spaces, trailing garbage, and finite text that overflows or underflows to zero', () => {
    for (const s of ['', ' 1', '1 ', 'nan', 'NaN', '1e', 'e5', '.', '-', '0x', '0x1p', '1_0', 'infx', '1e309', '-1e309',
      '1e-400', '2e-324', '0x1p-1075', '0x1.fffffffffffff8p1023', '0x1p1024']) {
      expect([s, parseDouble(s)]).toEqual([s, undefined]);
    }
  });
});

describe('formatDouble (printf %.17g)', () => {
  it('formats as C printf does, ties to even', () => {
    const cases: [number, string][] = [
      [0, '0'], [-0, '-0'], [1.5, '1.5'], [-2.5, '-2.5'], [100, '100'], [0.1, '0.10000000000000001'],
      [1 / 3, '0.33333333333333331'], [1e16, '10000000000000000'], [1e17, '1e+17'], [1e21, '1e+21'], [1e100, '1e+100'],
      [123456789012345678, '1.2345678901234568e+17'], [1e-4, '0.0001'], [5e-5, '5.0000000000000002e-05'],
      [1e-5, '1.0000000000000001e-05'], [5e-324, '4.9406564584124654e-324'], [2 ** -1022, '2.2250738585072014e-308'],
      [1.7976931348623157e308, '1.7976931348623157e+308'], [1.5e300, '1.5000000000000001e+300'], [123.456, '123.456'],
      [1 + 2 ** -17, '1.0000076293945312'], [-(1 + 2 ** -17), '-1.0000076293945312'], [1 + 3 * 2 ** -17, '1.0000228881835938'],
      [Infinity, 'inf'], [-Infinity, '-inf'],
    ];
    for (const [d, s] of cases) expect([d, formatDouble(d)]).toEqual([d, s]);
  });
});

describe('addLongDoubleStrings (INCRBYFLOAT)', () => {
  it('adds as x87 long double and prints %.17Lf trimmed, as Redis on x86-64', () => {
    const cases: [string, string, string][] = [
      ['10.5', '0.1', '10.6'], ['0.1', '0.2', '0.3'], ['5.0e3', '0', '5000'], ['5.0e3', '2.0e2', '5200'],
      ['-0', '0', '0'], ['0', '-0', '0'], ['-0.0', '-0.0', '0'], ['1', '-1.1', '-0.1'], ['-5', '2.5', '-2.5'],
      ['3', '1e-17', '3.00000000000000001'], ['3', '5e-18', '3'], ['3', '1e-20', '3'], ['1e-300', '0', '0'],
      ['0', '1.23456789012345678901234567890', '1.23456789012345679'], ['1', '9999999999999999999999', '10000000000000000000000'],
      ['123456789.123456789', '0', '123456789.12345678899873747'], ['0.000003814697265625', '0', '0.00000381469726562'],
      ['12345678901234567890', '1', '12345678901234567891'], ['0x10', '0x1p3', '24'], ['0x1.8p1', '0', '3'],
      ['1', '.5', '1.5'], ['1', '5.', '6'], ['1', '+.5e-3', '1.0005'], ['1', '1e+3', '1001'], ['1', '0e-5000', '1'],
      ['1e-4950', '0', '0'], ['7', '-0.00000000000000000001', '7'], ['-7', '0.00000000000000000001', '-7'],
    ];
    for (const [a, b, sum] of cases) expect([a, b, addLongDoubleStrings(a, b)]).toEqual([a, b, sum]);
    expect(addLongDoubleStrings('1e308', '1e308')).toBe(
      '199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096',
    );
    const huge = addLongDoubleStrings('1', '1.18e4932')!;
    expect(huge.slice(0, 40)).toBe('1180000000000000000000652812918093699202');
    expect(huge.length).toBe(4933);
  });

  it('refuses invalid operands and reports infinite sums', () => {
    for (const [a, b] of [['1', 'nan'], ['nan', '1'], ['1', ''], ['', '1'], ['1', ' 1'], ['1', '1 '], ['1', '0x'], ['1', '1e'],
      ['1', '1e4933'], ['1', '1e-5000'], ['abc', '1'], ['1', '1'.repeat(5119)], ['1', '1.' + '0'.repeat(5118)]]) {
      expect([a, b, addLongDoubleStrings(a!, b!)]).toEqual([a, b, undefined]);
    }
    expect(addLongDoubleStrings('1', '1.' + '0'.repeat(5117))).toBe('2');
    for (const [a, b] of [['1', 'inf'], ['inf', '0'], ['1', '-Infinity'], ['1.18e4932', '1.18e4932']]) {
      expect([a, b, addLongDoubleStrings(a!, b!)]).toEqual([a, b, 'overflow']);
    }
  });
});
