/**
 * The RESP half of kioku-check-aof: walks one AOF file (or the tail after its RDB preamble)
 * command by command and finds how far it is well formed, reporting the first problem with
 * redis-check-aof 7.0's exact wording. Reads the file in chunks (a 1 GB AOF is never held in
 * memory). Mirrors the checking loop of redis src/redis-check-aof.c, as observed on damaged files.
 *
 * Observed rules this reproduces:
 * - A command is `*<argc>\r\n` then argc times `$<len>\r\n<len bytes>\r\n`. The count and length
 *   lines are read like C fgets into a 128-byte buffer (at most 127 bytes, through '\n') and
 *   parsed like strtol (leading blanks, a sign, digits; no digits means 0), then "\r\n" must follow
 *   the number. A short line shows, in "Expected \r\n, got: XXYY", the bytes still in that buffer
 *   from the previous count line (for a count line) or zeros (for a length line: reading the
 *   payload reused that memory); bytes >= 0x80 print sign-extended (ffffffc3). Past the 128 bytes
 *   (a 127-byte line), redis-check-aof shows stack garbage; Kioku shows 00.
 * - Each count/length line and each argument counts as one line (ok_up_to_line); the counter runs
 *   on across the files of a multi-part AOF.
 * - `#...` lines between commands are annotations (not counted as lines); `#TS:<unix seconds>` ones
 *   are where --truncate-to-timestamp may cut.
 * - ok_up_to is the end of the last complete command outside a MULTI (or the MULTI's start).
 * - Running out of data inside a count or length line is not reported (only the size difference).
 */
import fs from 'node:fs';

/** What scanning one file found. */
export interface ScanResult {
  /** End of the valid prefix (the file size when the whole file is valid). */
  okUpTo: number;
  /** False when something after okUpTo is not a complete, well-formed command. */
  valid: boolean;
  /** With a truncation timestamp: where the first `#TS:` annotation past it starts. */
  truncateAt?: number;
  /** A `#TS:` annotation that does not parse (only checked with a truncation timestamp). */
  badAnnotation?: boolean;
}

/** State shared by the files of one run. */
export interface ScanState {
  /** The line counter (ok_up_to_line); starts at 1. */
  line: number;
  /** Where report lines go. */
  out(text: string): void;
}

const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;
const CHUNK = 64 * 1024;
/** Bytes of an argument kept to recognise MULTI / EXEC. */
const NAME_BYTES = 8;
/** Bytes of an annotation kept for parsing (the rest of a long line is skipped). */
const ANNOTATION_BYTES = 1024;

/** Sequential reading with C stdio's getc / fgets / fread shapes over a file descriptor. */
class FileReader {
  private readonly chunk = Buffer.allocUnsafe(CHUNK);
  private chunkStart = 0;
  private chunkLen = 0;
  pos: number;

  constructor(
    private readonly fd: number,
    readonly size: number,
    start: number,
  ) {
    this.pos = start;
  }

  /** The byte at pos, or -1 at the end of the file. */
  peek(): number {
    if (this.pos >= this.size) return -1;
    if (this.pos < this.chunkStart || this.pos >= this.chunkStart + this.chunkLen) this.fill();
    return this.chunk[this.pos - this.chunkStart]!;
  }

  private fill(): void {
    this.chunkStart = this.pos;
    this.chunkLen = fs.readSync(this.fd, this.chunk, 0, Math.min(CHUNK, this.size - this.pos), this.pos);
  }

  /**
   * fgets: copies bytes up to and including '\n', at most `max`, into dest (NUL-terminated like C)
   * and returns how many; 0 at the end of the file.
   */
  fgets(dest: Buffer, max: number): number {
    let n = 0;
    while (n < max) {
      const c = this.peek();
      if (c === -1) break;
      dest[n++] = c;
      this.pos++;
      if (c === 0x0a) break;
    }
    if (n > 0) dest[n] = 0;
    return n;
  }

  /**
   * Reads up to n bytes: how many there were, the first NAME_BYTES of them and the last two
   * (when all n were there).
   */
  read(n: number): { got: number; head: string; tail: [number, number] } {
    const got = Math.min(n, this.size - this.pos);
    let head = '';
    for (let i = 0; i < Math.min(got, NAME_BYTES); i++) {
      head += String.fromCharCode(this.peek());
      this.pos++;
    }
    this.pos += got - head.length;
    const tail: [number, number] = got === n && n >= 2 ? [this.byteAt(this.pos - 2), this.byteAt(this.pos - 1)] : [0, 0];
    return { got, head, tail };
  }

  private byteAt(p: number): number {
    const save = this.pos;
    this.pos = p;
    const c = this.peek();
    this.pos = save;
    return c;
  }
}

/** C isspace. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** printf("%02x") of a C char (signed): bytes >= 0x80 come out sign-extended. */
function hexChar(c: number): string {
  return c >= 0x80 ? `ffffff${c.toString(16)}` : c.toString(16).padStart(2, '0');
}

/** strtol(s + from, &end, 10) on a NUL-terminated buffer, saturating like glibc. */
function strtol(buf: Buffer, from: number): { value: bigint; end: number; overflow: boolean } {
  let i = from;
  while (isSpace(buf[i]!)) i++;
  let neg = false;
  if (buf[i] === 0x2b || buf[i] === 0x2d) {
    neg = buf[i] === 0x2d;
    i++;
  }
  const digitsStart = i;
  let v = 0n;
  let overflow = false;
  while (buf[i]! >= 0x30 && buf[i]! <= 0x39) {
    if (!overflow) {
      v = v * 10n + BigInt(buf[i]! - 0x30);
      if ((neg && -v < LONG_MIN) || (!neg && v > LONG_MAX)) overflow = true;
    }
    i++;
  }
  if (i === digitsStart) return { value: 0n, end: from, overflow: false };
  if (overflow) return { value: neg ? LONG_MIN : LONG_MAX, end: i, overflow: true };
  return { value: neg ? -v : v, end: i, overflow: false };
}

/** "0x<offset right-aligned in 16>: <message>" */
function located(at: number, message: string): string {
  return `0x${at.toString(16).padStart(16, ' ')}: ${message}`;
}

/**
 * Scans `name` (open as fd, `size` bytes) from `start`. Error lines go to state.out as they are
 * found; the caller prints the summary. `truncateTo` (unix seconds) enables annotation checks.
 */
export function scanAof(fd: number, size: number, start: number, name: string, state: ScanState, truncateTo?: number): ScanResult {
  const r = new FileReader(fd, size, start);
  // The two fgets buffers of the count and length lines; what a short line leaves visible in them.
  const countLine = Buffer.alloc(130);
  const lengthLine = Buffer.alloc(130);
  let epos = start;
  let okUpTo = start;
  let inMulti = false;
  let reported = false;
  const report = (text: string): void => {
    reported = true;
    state.out(text);
  };

  /** One count or length line; undefined (after reporting, except at the end of the file) when bad. */
  const readNumber = (prefix: number, buf: Buffer): bigint | undefined => {
    epos = r.pos;
    if (r.fgets(buf, 127) === 0) return undefined;
    if (buf[0] !== prefix) {
      report(located(epos, `Expected prefix '${String.fromCharCode(prefix)}', got: '${String.fromCharCode(buf[0]!)}'`));
      return undefined;
    }
    const { value, end } = strtol(buf, 1);
    if (buf[end] !== 0x0d || buf[end + 1] !== 0x0a) {
      report(located(epos, `Expected \\r\\n, got: ${hexChar(buf[end]!)}${hexChar(buf[end + 1]!)}`));
      return undefined;
    }
    state.line++;
    return value;
  };

  /** One argument; its first bytes, or undefined when bad. */
  const readArgument = (): string | undefined => {
    const len = readNumber(0x24 /* $ */, lengthLine);
    if (len === undefined) return undefined;
    if (len < 0n || len > LONG_MAX - 2n) {
      report(located(epos, `Expected to read string of ${len} bytes, which is not in the suitable range`));
      return undefined;
    }
    epos = r.pos;
    const want = Number(len) + 2;
    const { got, head, tail } = r.read(want);
    // Reading the payload reuses the stack memory the length line was in: nothing stale remains.
    lengthLine.fill(0);
    if (got < want) {
      report(located(epos, `Expected to read ${len + 2n} bytes, got ${got} bytes`));
      return undefined;
    }
    if (tail[0] !== 0x0d || tail[1] !== 0x0a) {
      report(located(epos, `Expected \\r\\n, got: ${hexChar(tail[0])}${hexChar(tail[1])}`));
      return undefined;
    }
    state.line++;
    return want - 2 <= NAME_BYTES ? head.slice(0, want - 2) : head;
  };

  scan: for (;;) {
    const c = r.peek();
    if (c === -1) break;
    if (c === 0x23 /* # */) {
      epos = r.pos;
      const at = r.pos;
      const text = readAnnotation(r);
      if (truncateTo !== undefined && text.startsWith('#TS:')) {
        const ts = annotationTimestamp(text);
        if (ts === undefined) return { okUpTo, valid: false, badAnnotation: true };
        if (ts > truncateTo) return { okUpTo, valid: true, truncateAt: at };
      }
      if (!inMulti) okUpTo = r.pos;
      continue;
    }
    if (c !== 0x2a /* * */) {
      report(`AOF ${name} format error`);
      break;
    }
    const count = readNumber(0x2a, countLine);
    if (count === undefined) break;
    const argc = Number(count);
    let command: string | undefined;
    for (let i = 0; i < argc; i++) {
      const arg = readArgument();
      if (arg === undefined) break scan;
      if (i === 0) command = arg.toLowerCase();
    }
    if (command === 'multi') {
      if (inMulti) {
        report(located(epos, `Unexpected MULTI in AOF ${name}`));
        break;
      }
      inMulti = true;
    } else if (command === 'exec') {
      if (!inMulti) {
        report(located(epos, `Unexpected EXEC in AOF ${name}`));
        break;
      }
      inMulti = false;
    }
    if (!inMulti) okUpTo = r.pos;
  }
  // Running out of data inside a transaction is reported unless something else already was.
  if (inMulti && !reported) state.out(located(epos, 'Reached EOF before reading EXEC for MULTI'));
  return { okUpTo, valid: okUpTo === size };
}

/** Reads an annotation line through its '\n' (any length); returns its first ANNOTATION_BYTES. */
function readAnnotation(r: FileReader): string {
  let text = '';
  for (;;) {
    const c = r.peek();
    if (c === -1) return text;
    r.pos++;
    if (text.length < ANNOTATION_BYTES) text += String.fromCharCode(c);
    if (c === 0x0a) return text;
  }
}

/** The seconds of `#TS:<n>\r...`: strtol after "#TS:", which must stop at '\r' without overflow. */
function annotationTimestamp(text: string): number | undefined {
  const buf = Buffer.alloc(text.length + 2);
  buf.write(text, 'latin1');
  const { value, end, overflow } = strtol(buf, 4);
  if (overflow || buf[end] !== 0x0d) return undefined;
  return Number(value);
}

/**
 * A --truncate-to-timestamp argument as redis-check-aof reads it (strtol over the whole string,
 * no overflow): its value, or undefined when it is not a number.
 */
export function parseTimestampArgument(s: string): number | undefined {
  const buf = Buffer.alloc(s.length + 2);
  buf.write(s, 'latin1');
  const { value, end, overflow } = strtol(buf, 0);
  if (overflow || end !== s.length) return undefined;
  return Number(value);
}
