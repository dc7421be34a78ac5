/**
 * Bytes: how Kioku holds keys, values, members and fields — binary-safe latin1 strings.
 *
 * Why latin1 strings rather than Buffers: latin1 maps each byte 0..255 to one UTF-16 code unit and
 * back exactly, so `.length` is the byte length, `<` on two such strings is memcmp order, and they
 * work as Map/Set keys by value (a Buffer would compare by identity). V8 stores them as one-byte
 * strings, so they cost what the bytes cost. Rule: never decode data as UTF-8; only logs may.
 *
 * Also here: number parsing with Redis's acceptance rules (string2ll, strtod as used by
 * getDoubleFromObject, strtold for INCRBYFLOAT) and Redis's number formatting.
 * Mirrors redis util.c string2ll() / ld2string() and object.c getLongLongFromObject().
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

/** Bytes → readable text for logs and error messages (the bytes are shown as they are). */
export function utf8Of(b: Bytes): string {
  return Buffer.from(b, 'latin1').toString('utf8');
}

/** Text (UTF-8) → Bytes, for strings that come from config files, argv or the JS world. */
export function bytesFromUtf8(s: string): Bytes {
  return Buffer.from(s, 'utf8').toString('latin1');
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
const INFINITY = /^([+-]?)inf(?:inity)?$/i;

/**
 * Parses a double as Redis's getDoubleFromObject (strtod over the whole string): decimal or
 * exponent notation, "inf"/"infinity" with a sign; no spaces, no NaN, nothing left over.
 * COMPAT: C hex floats ("0x1p3") are not accepted.
 */
export function parseDouble(s: Bytes): number | undefined {
  if (s.length === 0 || s.length > 5000) return undefined;
  if (DECIMAL.test(s)) return Number(s);
  const m = INFINITY.exec(s);
  if (m) return m[1] === '-' ? -Infinity : Infinity;
  return undefined;
}

/**
 * Formats a double as Redis 7.0 replies it (addReplyDouble / d2string with "%.17g"): "inf",
 * "-inf", integers in range without a fraction, otherwise 17 significant digits.
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
  const [expMant, e] = d.toExponential(16).split('e') as [string, string]; // 17 significant digits
  const x = Number(e);
  if (x < -4 || x >= 17) {
    const mant = stripZeros(expMant);
    const sign = x < 0 ? '-' : '+';
    const ax = Math.abs(x);
    return `${mant}e${sign}${ax < 10 ? '0' : ''}${ax}`;
  }
  return stripZeros(d.toFixed(Math.max(0, 16 - x)));
}

function stripZeros(s: string): string {
  if (s.indexOf('.') < 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

// ---- Long doubles (INCRBYFLOAT, HINCRBYFLOAT) ----

/** An exact decimal m × 10^e, used to give INCRBYFLOAT Redis's long-double results. */
interface Decimal {
  m: bigint;
  e: number;
}

const LONG_DOUBLE_MAX_EXP10 = 4932; // beyond this a long double overflows to inf

function parseDecimal(s: Bytes): Decimal | undefined {
  if (!DECIMAL.test(s)) return undefined;
  let i = 0;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    i = 1;
  }
  let ePos = s.search(/[eE]/);
  if (ePos < 0) ePos = s.length;
  const body = s.slice(i, ePos);
  const exp = ePos < s.length ? Number(s.slice(ePos + 1)) : 0;
  const dot = body.indexOf('.');
  const digits = dot < 0 ? body : body.slice(0, dot) + body.slice(dot + 1);
  const frac = dot < 0 ? 0 : body.length - dot - 1;
  const m = BigInt(digits === '' ? '0' : digits);
  return { m: neg ? -m : m, e: exp - frac };
}

/**
 * Adds two INCRBYFLOAT operands and formats the sum as Redis does (long double arithmetic,
 * "%.17Lf" with trailing zeros removed, "-0" shown as "0"). Returns undefined when an operand is
 * not a valid float, 'overflow' when the sum is NaN or infinite.
 * COMPAT: Kioku adds exactly in decimal; the result equals the 80-bit long double's printed
 * form except for sums with more than ~19 significant digits.
 */
export function addLongDoubleStrings(a: Bytes, b: Bytes): Bytes | 'overflow' | undefined {
  const da = parseDecimalOrInf(a);
  const db = parseDecimalOrInf(b);
  if (da === undefined || db === undefined) return undefined;
  if (da === 'inf' || db === 'inf') return 'overflow';
  const e = Math.min(da.e, db.e);
  const m = da.m * 10n ** BigInt(da.e - e) + db.m * 10n ** BigInt(db.e - e);
  const sum: Decimal = { m, e };
  if (m !== 0n && magnitude(sum) > LONG_DOUBLE_MAX_EXP10) return 'overflow';
  return formatFixed17(sum);
}

/** A valid float operand for INCRBYFLOAT (string2ld): decimal, or infinity (which overflows). */
export function parseLongDouble(s: Bytes): Decimal | 'inf' | undefined {
  return parseDecimalOrInf(s);
}

function parseDecimalOrInf(s: Bytes): Decimal | 'inf' | undefined {
  if (s.length === 0 || s.length > 5000) return undefined;
  if (INFINITY.test(s)) return 'inf';
  const d = parseDecimal(s);
  if (d === undefined) return undefined;
  if (d.m !== 0n && magnitude(d) > LONG_DOUBLE_MAX_EXP10) return 'inf';
  return d;
}

/** floor(log10(|d|)) for a non-zero decimal. */
function magnitude(d: Decimal): number {
  const digits = (d.m < 0n ? -d.m : d.m).toString().length;
  return digits - 1 + d.e;
}

function formatFixed17(d: Decimal): string {
  let m = d.m;
  let e = d.e;
  if (e < -17) {
    // round half away from zero to 17 decimals
    const div = 10n ** BigInt(-17 - e);
    const neg = m < 0n;
    let q = (neg ? -m : m) / div;
    const r = (neg ? -m : m) % div;
    if (r * 2n >= div) q += 1n;
    m = neg ? -q : q;
    e = -17;
  }
  const neg = m < 0n;
  let digits = (neg ? -m : m).toString();
  let out: string;
  if (e >= 0) {
    out = digits + '0'.repeat(e);
  } else {
    const frac = -e;
    if (digits.length <= frac) digits = '0'.repeat(frac - digits.length + 1) + digits;
    out = stripZeros(digits.slice(0, digits.length - frac) + '.' + digits.slice(digits.length - frac));
  }
  if (neg && out !== '0') out = '-' + out;
  return out;
}
