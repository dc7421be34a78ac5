/**
 * Bytes: how Kioku holds keys, values, members and fields — binary-safe latin1 strings.
 *
 * Why latin1 strings rather than Buffers: latin1 maps each byte 0..255 to one UTF-16 code unit and
 * back exactly, so `.length` is the byte length, `<` on two such strings is memcmp order, and they
 * work as Map/Set keys by value (a Buffer would compare by identity). V8 stores them as one-byte
 * strings, so they cost what the bytes cost. Rule: never decode data as UTF-8; only logs may.
 *
 * Also here: number parsing with Redis's acceptance rules (string2ll, strtod as used by
 * getDoubleFromObject, strtold for INCRBYFLOAT) and Redis's number formatting. INCRBYFLOAT's
 * x87 80-bit long double arithmetic is emulated exactly with BigInt (round to nearest even,
 * subnormals, overflow), so sums print digit for digit as Redis on x86-64 prints them.
 * Mirrors redis util.c string2ll() / string2ld() / ld2string() and object.c getLongLongFromObject().
 */

/** A byte string: each char code is one byte (0..255). See the file comment for why. */
export type Bytes = string;

/** Bytes of a Buffer range, binary-safe. */
export function bytesOf(buf: Buffer, start = 0, end = buf.length): Bytes {
  return buf.toString('latin1', start, end);
}

/** The Buffer holding these bytes. */
export function bufferOf(b: Bytes): Buffer {
  return Buffer.from(b, 'latin1');
}

// ---- Integers ----

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * Parses a signed 64-bit integer exactly as Redis's string2ll: optional '-', digits, no '+', no
 * spaces, no leading zeros (except "0" itself), within int64. Returns a number when the value is
 * a safe integer, a bigint when it is not, undefined when the text is not such an integer.
 */
export function parseI64(s: Bytes): number | bigint | undefined {
  const n = s.length;
  if (n === 0 || n > 20) return undefined;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45 /* - */) {
    if (n === 1) return undefined;
    neg = true;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48 /* 0 */) return n === 1 ? 0 : undefined; // "0" only; "-0" and "01" are rejected
  if (first < 49 || first > 57) return undefined;
  if (n - i <= 15) {
    let v = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return undefined;
      v = v * 10 + c;
    }
    return neg ? -v : v;
  }
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return undefined;
  }
  const big = BigInt(s);
  if (big > INT64_MAX || big < INT64_MIN) return undefined;
  return Number.isSafeInteger(Number(big)) ? Number(big) : big;
}

/** parseI64 as a JS number (precision beyond 2^53 is not needed where this is used). */
export function parseInteger(s: Bytes): number | undefined {
  const v = parseI64(s);
  return typeof v === 'bigint' ? Number(v) : v;
}

/** a + b in int64, or undefined on overflow (Redis: "increment or decrement would overflow"). */
export function addI64(a: number | bigint, b: number | bigint): number | bigint | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = BigInt(a) + BigInt(b);
  if (r > INT64_MAX || r < INT64_MIN) return undefined;
  return Number.isSafeInteger(Number(r)) ? Number(r) : r;
}

/** Is this value, held as a string, a canonical int64 (what OBJECT ENCODING calls "int")? */
export function isCanonicalInt(s: Bytes): boolean {
  return s.length <= 20 && parseI64(s) !== undefined;
}

// ---- Doubles ----

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DECIMAL_PARTS = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;
/** A non-zero digit before any exponent: the text does not denote zero. */
const NONZERO_MANTISSA = /^[^eE]*[1-9]/;

/**
 * Parses a double as Redis's getDoubleFromObject (strtod over the whole string): decimal or
 * exponent notation, C99 hex floats ("0x1.8p3"), "inf"/"infinity" with a sign; no spaces, no
 * NaN, nothing left over. Like strtod's ERANGE check in Redis, a finite text that overflows
 * ("1e309") or a non-zero text that underflows to 0 ("1e-400") is rejected.
 */
export function parseDouble(s: Bytes): number | undefined {
  if (DECIMAL.test(s)) {
    const v = Number(s); // correctly rounded, as glibc's strtod
    if ((v === 0 && NONZERO_MANTISSA.test(s)) || !Number.isFinite(v)) return undefined;
    return v;
  }
  const m = INFINITY.exec(s);
  if (m) return m[1] === '-' ? -Infinity : Infinity;
  if (HEX_FLOAT.test(s)) {
    const b = parseBinaryFloat(s, DOUBLE_FORMAT);
    return b === undefined ? undefined : binaryToNumber(b);
  }
  return undefined;
}

/**
 * Formats a double as Redis 7.0 replies it (addReplyDouble: printf "%.17g"): "inf", "-inf",
 * otherwise 17 significant digits with trailing zeros removed, exponent form below 1e-4 and
 * from 1e17 on ("1e+17").
 */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (Number.isInteger(d) && Math.abs(d) < 1e17) return Object.is(d, -0) ? '-0' : String(d);
  return formatG17(d);
}

/** C's printf("%.17g", d) for finite d. */
function formatG17(d: number): string {
  const sign = d < 0 ? '-' : '';
  const [digits, x] = significant17(Math.abs(d));
  if (x < -4 || x >= 17) {
    const ax = Math.abs(x);
    return `${sign}${stripZeros(digits[0] + '.' + digits.slice(1))}e${x < 0 ? '-' : '+'}${ax < 10 ? '0' : ''}${ax}`;
  }
  if (x >= 0) return sign + stripZeros(digits.slice(0, x + 1) + '.' + digits.slice(x + 1));
  return sign + stripZeros('0.' + '0'.repeat(-x - 1) + digits);
}

/**
 * The 17 significant digits of a > 0 and the decimal exponent of the first, rounded as glibc
 * does: to nearest, ties to even. (JavaScript's toExponential rounds exact ties up, so ties,
 * which are rare, are detected and settled exactly.)
 */
function significant17(a: number): [string, number] {
  const t = a.toExponential(16);
  const u = a.toExponential(20);
  if (u[18] === '5' && u.slice(19, 22) === '000' && isExactTie17(a)) {
    const truncated = u[0] + u.slice(2, 18);
    if ((truncated.charCodeAt(16) & 1) === 0) return [truncated, Number(u.slice(23))];
  }
  return [t[0] + t.slice(2, 18), Number(t.slice(19))];
}

/** True when a's exact decimal expansion has exactly 18 significant digits, the last a 5. */
function isExactTie17(a: number): boolean {
  let m = a;
  let k = 0;
  while (!Number.isInteger(m)) {
    m *= 2; // exact: a = m / 2^k with m an integer of at most 53 bits
    k++;
  }
  const exact = (BigInt(m) * 5n ** BigInt(k)).toString().replace(/0+$/, '');
  return exact.length === 18 && exact[17] === '5';
}

function stripZeros(s: string): string {
  if (s.indexOf('.') < 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

// ---- Exact binary floating point (strtod/strtold rounding, x87 long double arithmetic) ----

/** A binary format: significand bits, exponent of the smallest subnormal, first overflowing power of 2. */
interface BinaryFormat {
  precision: number;
  minExp: number;
  overflowExp: number;
  /** floor(log10(x)) at or above which a decimal surely overflows, at or below which it surely rounds to 0. */
  maxMag10: number;
  minMag10: number;
}

const DOUBLE_FORMAT: BinaryFormat = { precision: 53, minExp: -1074, overflowExp: 1024, maxMag10: 309, minMag10: -325 };
/** x87 80-bit extended precision: `long double` on x86-64, where Redis computes INCRBYFLOAT. */
const LONG_DOUBLE_FORMAT: BinaryFormat = {
  precision: 64, minExp: -16445, overflowExp: 16384, maxMag10: 4933, minMag10: -4952,
};

/** A binary float: (-1)^neg × mant × 2^exp (mant 0n is zero), or an infinity. */
interface BinaryFloat {
  neg: boolean;
  mant: bigint;
  exp: number;
  inf: boolean;
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Rounds num/den × 2^exp2 (num > 0) to the format, to nearest with ties to even, subnormals
 * included. Returns the significand and exponent (mant 0n when it underflows), or 'inf'.
 */
function roundExact(num: bigint, den: bigint, exp2: number, fmt: BinaryFormat): { mant: bigint; exp: number } | 'inf' {
  let k = bitLength(num) - bitLength(den);
  if (k >= 0 ? num < den << BigInt(k) : num << BigInt(-k) < den) k--;
  const floorLog2 = k + exp2;
  if (floorLog2 >= fmt.overflowExp) return 'inf';
  const lsb = Math.max(floorLog2 - fmt.precision + 1, fmt.minExp);
  const s = exp2 - lsb;
  const n = s >= 0 ? num << BigInt(s) : num;
  const d = s >= 0 ? den : den << BigInt(-s);
  let q = n / d;
  const r2 = (n % d) * 2n;
  if (r2 > d || (r2 === d && (q & 1n) === 1n)) q++;
  let exp = lsb;
  if (q === 1n << BigInt(fmt.precision)) {
    q >>= 1n;
    exp++;
  }
  if (q !== 0n && bitLength(q) - 1 + exp >= fmt.overflowExp) return 'inf';
  return { mant: q, exp };
}

/**
 * Parses a finite decimal or hex float text (no infinities) into the format as strtod/strtold
 * round it. Undefined when the text is not such a number, or when strtod would report ERANGE
 * in a way Redis rejects: overflow, or a non-zero value rounding to zero.
 */
function parseBinaryFloat(s: Bytes, fmt: BinaryFormat): BinaryFloat | undefined {
  let neg: boolean;
  let r: { mant: bigint; exp: number } | 'inf';
  const h = HEX_FLOAT.exec(s);
  if (h) {
    const intDigits = h[2] ?? '';
    const fracDigits = h[3] ?? '';
    if (intDigits === '' && fracDigits === '') return undefined;
    neg = h[1] === '-';
    const mant = BigInt('0x0' + intDigits + fracDigits);
    if (mant === 0n) return { neg, mant: 0n, exp: 0, inf: false };
    const exp2 = (h[4] === undefined ? 0 : Number(h[4])) - 4 * fracDigits.length;
    const floorLog2 = bitLength(mant) - 1 + exp2;
    if (floorLog2 >= fmt.overflowExp || floorLog2 < fmt.minExp - 1) return undefined;
    r = roundExact(mant, 1n, exp2, fmt);
  } else {
    if (!DECIMAL.test(s)) return undefined;
    const m = DECIMAL_PARTS.exec(s)!;
    neg = m[1] === '-';
    const fracDigits = m[3] ?? '';
    const digits = ((m[2] ?? '') + fracDigits).replace(/^0+/, '');
    if (digits === '') return { neg, mant: 0n, exp: 0, inf: false };
    const exp10 = (m[4] === undefined ? 0 : Number(m[4])) - fracDigits.length;
    const mag = digits.length - 1 + exp10;
    if (mag >= fmt.maxMag10 || mag <= fmt.minMag10) return undefined;
    const d = BigInt(digits);
    r = exp10 >= 0 ? roundExact(d * 10n ** BigInt(exp10), 1n, 0, fmt) : roundExact(d, 10n ** BigInt(-exp10), 0, fmt);
  }
  if (r === 'inf' || r.mant === 0n) return undefined;
  return { neg, mant: r.mant, exp: r.exp, inf: false };
}

/** A double-format BinaryFloat as a number (exact: the significand has at most 53 bits). */
function binaryToNumber(b: BinaryFloat): number {
  if (b.inf) return b.neg ? -Infinity : Infinity;
  const v = Number(b.mant) * 2 ** b.exp;
  return b.neg ? -v : v;
}

// ---- Long doubles (INCRBYFLOAT, HINCRBYFLOAT) ----

/** Redis's MAX_LONG_DOUBLE_CHARS: string2ld rejects texts this long or longer. */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

/** Parses a long double as Redis's string2ld (strtold, whole string, no leading space, no NaN). */
function parseLongDouble(s: Bytes): BinaryFloat | undefined {
  if (s.length === 0 || s.length >= MAX_LONG_DOUBLE_CHARS) return undefined;
  const m = INFINITY.exec(s);
  if (m) return { neg: m[1] === '-', mant: 0n, exp: 0, inf: true };
  return parseBinaryFloat(s, LONG_DOUBLE_FORMAT);
}

/**
 * A long double text (string2ld's rules) as the nearest JS number: ±Infinity or 0 where the
 * long double's wider range goes past a double's ("1e400", "1e-400"). Undefined when invalid.
 */
export function parseLongDoubleNumber(s: Bytes): number | undefined {
  const b = parseLongDouble(s);
  return b === undefined ? undefined : binaryToNumber(b);
}

/**
 * Adds two INCRBYFLOAT operands exactly as Redis does on x86-64 — both parsed as 80-bit long
 * doubles, added with one rounding — and formats the sum as Redis's ld2string(LD_STR_HUMAN):
 * printf "%.17Lf", trailing zeros and a bare '.' removed, "-0" shown as "0". Returns undefined
 * when an operand is not a valid float, 'overflow' when the sum is NaN or infinite.
 */
export function addLongDoubleStrings(a: Bytes, b: Bytes): Bytes | 'overflow' | undefined {
  const x = parseLongDouble(a);
  const y = parseLongDouble(b);
  if (x === undefined || y === undefined) return undefined;
  if (x.inf || y.inf) return 'overflow';
  const e = Math.min(x.exp, y.exp);
  const sum = (x.neg ? -x.mant : x.mant) * (1n << BigInt(x.exp - e)) + (y.neg ? -y.mant : y.mant) * (1n << BigInt(y.exp - e));
  if (sum === 0n) return '0';
  const r = roundExact(sum < 0n ? -sum : sum, 1n, e, LONG_DOUBLE_FORMAT);
  if (r === 'inf') return 'overflow';
  return formatFixed17({ neg: sum < 0n, mant: r.mant, exp: r.exp, inf: false });
}

/** printf("%.17Lf") of a finite value (rounded to nearest, ties to even, as glibc), then trimmed. */
function formatFixed17(x: BinaryFloat): string {
  let scaled: bigint; // the value × 10^17, rounded to an integer
  if (x.exp >= 0) {
    scaled = (x.mant << BigInt(x.exp)) * 10n ** 17n;
  } else {
    const shift = BigInt(-x.exp);
    const n = x.mant * 10n ** 17n;
    scaled = n >> shift;
    const rest = n - (scaled << shift);
    const half = 1n << (shift - 1n);
    if (rest > half || (rest === half && (scaled & 1n) === 1n)) scaled++;
  }
  const digits = scaled.toString().padStart(18, '0');
  const out = stripZeros(digits.slice(0, -17) + '.' + digits.slice(-17));
  return x.neg && out !== '0' ? '-' + out : out;
}

// ---- Display ----

/** Redis's sdscatrepr: a double-quoted string with \n \r \t \a \b \\ \" and \xHH escapes. */
export function repr(s: Bytes): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) out += '\\\\';
    else if (c === 34) out += '\\"';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c < 32 || c > 126) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += s[i];
  }
  return out + '"';
}
