/**
 * RespDecoder: the incremental request parser. Bytes from the socket go in (feed), complete
 * commands come out (next) as argv arrays of binary-safe Bytes. Mirrors redis networking.c
 * processInputBuffer / processMultibulkBuffer / processInlineBuffer and sds.c sdssplitargs.
 *
 * Grammar (what a client may send):
 *
 *   request   = multibulk | inline                  ; '*' as first byte picks multibulk
 *   multibulk = "*" count CR any *bulk              ; count <= 0: an empty request, skipped
 *   bulk      = "$" length CR any <length bytes> 2any   ; the 2 bytes after the data are not checked
 *   inline    = *( SP* arg ) [CR] LF                ; a blank line is skipped
 *   arg       = 1*( bare | '"' dq-char* '"' | "'" sq-char* "'" )   ; a closing quote must end the arg
 *   dq-char   = \xHH | \n \r \t \b \a | \<any> | <other>;   sq-char = \' | <other>
 *   count, length = string2ll syntax: "0" or an optional "-" then [1-9][0-9]*, at most 20 chars
 *
 * As in Redis, a header line ends at its CR and the byte after it is skipped unchecked, and a NUL
 * byte before the CR (or, inline, before the LF) hides the terminator: Redis searches with strchr.
 * Such a request waits until 64 KB are buffered and then fails as "too big".
 *
 * State survives between feeds, so a command cut at any byte resumes where it stopped. Feeds that
 * cannot complete anything are only queued: a bulk spanning many chunks is decoded out of them once,
 * when its last byte arrives (exactly its bytes: the rest of the last chunk is not copied), and a
 * partial line is rescanned only when a chunk holding its terminator arrives, so no input costs
 * more than linear time.
 *
 * Limits and texts are Redis 7.0's: 64 KB inline requests and header lines, multibulk count <=
 * INT_MAX, bulk length <= proto-max-bulk-len, and before AUTH (when a password is required) at most
 * 10 args and 16 KB bulks. A violation throws ProtocolError; the caller replies and closes.
 * This module knows nothing of sockets or commands.
 */
import { constants as bufferConstants } from 'node:buffer';
import { ProtocolError } from './reply-errors.js';
import type { Bytes } from '../keyspace/bytes.js';

/** Redis PROTO_INLINE_MAX_SIZE: the longest inline request or header line. */
export const INLINE_MAX = 64 * 1024;
const INT_MAX = 2147483647;
const UNAUTH_MAX_ARGS = 10;
const UNAUTH_MAX_BULK = 16384;
/** V8's longest string: an argument must fit in one Bytes string. */
const MAX_STRING_LENGTH = bufferConstants.MAX_STRING_LENGTH;

const CR = 13;
const LF = 10;
const STAR = 42;
const DOLLAR = 36;
/** waitByte value: a NUL hides the terminator; only growing past INLINE_MAX changes anything. */
const BLOCKED = 256;
const EMPTY = Buffer.alloc(0);
/** Chunks up to this size are copied together while queued (see queue()). */
const SMALL_CHUNK = 512;
const ACC_SIZE = 16 * 1024;

/** What the decoder needs to know of its connection, read when a header is parsed. */
export interface DecoderPolicy {
  /** proto-max-bulk-len */
  maxBulkLen(): number;
  /** False while a password is required and the client has not authenticated. */
  authenticated(): boolean;
}

export class RespDecoder {
  /** The bytes not yet parsed start at buf[pos]. */
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** Chunks fed while the parser cannot progress; joined to buf once they can help. */
  private chunks: Buffer[] = [];
  private chunksLen = 0;
  /** Collects small chunks; while set, the last of `chunks` is its filled part, [0, accLen). */
  private acc: Buffer | null = null;
  private accLen = 0;
  /** Bytes needed at buf[pos] before parsing can go on. */
  private need = 0;
  /** Or: the byte (CR, LF) a line waits for, BLOCKED, or -1 when waiting by `need`. */
  private waitByte = -1;
  /**
   * The multibulk being read: its args so far (in `scratch` for a short command, see takeScratch), how
   * many are left, the pending bulk's length.
   */
  private argv: Bytes[] | null = null;
  private scratch: Bytes[] = [];
  /** The command name last read, reused when the next one has the same bytes (pipelines). */
  private name = '' as Bytes;
  /** The bytes of `argv`'s args so far (client memory: Redis's argv_len_sum). */
  private argvBytes = 0;
  /** How many args of `argv` are read. */
  private argc = 0;
  private remaining = 0;
  private bulkLen = -1;

  constructor(private readonly policy: DecoderPolicy) {}

  /** Adds bytes from the socket. Never parses: next() does. */
  feed(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.pos >= this.buf.length && this.chunksLen === 0) {
      this.buf = chunk;
      this.pos = 0;
      return;
    }
    this.queue(chunk);
    const have = this.buf.length - this.pos + this.chunksLen;
    if (this.waitByte < 0) {
      if (have >= this.need) {
        if (this.bulkLen >= 0) this.completeBulk(have);
        else this.join();
      }
    } else if (have > INLINE_MAX || (this.waitByte !== BLOCKED && chunk.indexOf(this.waitByte) >= 0)) {
      this.join();
    }
  }

  /**
   * Queues a chunk. Small ones are copied together into a buffer of our own, so a peer sending a
   * byte per packet costs memory for its bytes, not for a Buffer object per byte.
   */
  private queue(chunk: Buffer): void {
    this.chunksLen += chunk.length;
    if (chunk.length > SMALL_CHUNK) {
      this.acc = null;
      this.chunks.push(chunk);
      return;
    }
    const acc = this.acc;
    if (acc !== null && this.accLen + chunk.length <= acc.length) {
      chunk.copy(acc, this.accLen);
      this.accLen += chunk.length;
      this.chunks[this.chunks.length - 1] = acc.subarray(0, this.accLen);
      return;
    }
    this.acc = Buffer.allocUnsafeSlow(ACC_SIZE);
    this.accLen = chunk.copy(this.acc, 0);
    this.chunks.push(this.acc.subarray(0, this.accLen));
  }

  /** Bytes held and not yet returned as commands (Redis's query buffer length). */
  get bufferedBytes(): number {
    return this.buf.length - this.pos + this.chunksLen;
  }

  /** The bytes of the args read so far of a command not complete yet. */
  get pendingArgBytes(): number {
    return this.argvBytes;
  }

  /** The next complete command, or null until more bytes arrive. Throws ProtocolError. */
  next(): Bytes[] | null {
    // Chunks still queued means feed() judged they cannot complete anything yet.
    if (this.chunksLen > 0) return null;
    for (;;) {
      let argv = this.argv;
      if (argv === null) {
        if (this.pos >= this.buf.length) return this.drained();
        if (this.buf[this.pos] !== STAR) {
          const args = this.readInline();
          if (args === null) return null;
          if (args.length === 0) continue;
          return args;
        }
        const count = this.readHeader(STAR);
        if (count === null) return null;
        if (count > INT_MAX) throw new ProtocolError('Protocol error: invalid multibulk length');
        if (count <= 0) continue;
        if (count > UNAUTH_MAX_ARGS && !this.policy.authenticated()) {
          throw new ProtocolError('Protocol error: unauthenticated multibulk length');
        }
        argv = this.argv = count <= SCRATCH_ARGS ? this.scratch : [];
        this.argc = 0;
        this.argvBytes = 0;
        this.remaining = count;
      }
      while (this.remaining > 0) {
        let len = this.bulkLen;
        if (len < 0) {
          const n = this.readHeader(DOLLAR);
          if (n === null) return null;
          if (n < 0 || n > this.policy.maxBulkLen() || n > MAX_STRING_LENGTH) {
            // COMPAT: Redis accepts up to proto-max-bulk-len (512 MB by default); a JavaScript
            // string holds at most MAX_STRING_LENGTH (2^29 - 24) bytes, so longer is refused.
            throw new ProtocolError('Protocol error: invalid bulk length');
          }
          if (n > UNAUTH_MAX_BULK && !this.policy.authenticated()) {
            throw new ProtocolError('Protocol error: unauthenticated bulk length');
          }
          len = this.bulkLen = n;
        }
        const start = this.pos;
        const end = start + len;
        if (end + 2 > this.buf.length) return this.wait(len + 2);
        argv[this.argc] = this.argc === 0 ? this.commandName(start, end) : latin1(this.buf, start, end);
        this.argc++;
        this.argvBytes += len;
        this.pos = end + 2; // Redis skips the 2 bytes after the data without checking them
        this.bulkLen = -1;
        this.remaining--;
      }
      this.argv = null;
      this.argvBytes = 0;
      return argv === this.scratch ? this.takeScratch() : argv;
    }
  }

  /**
   * A short command's args, read into the reused `scratch`, in an array of exactly their number:
   * an array grown by push from empty gets room for 17 (152 bytes for 3 args, against 40), and the
   * young generation fills, and is collected, that much sooner.
   */
  private takeScratch(): Bytes[] {
    const s = this.scratch;
    const n = this.argc;
    let argv: Bytes[];
    switch (n) {
      case 1:
        argv = [s[0]!];
        break;
      case 2:
        argv = [s[0]!, s[1]!];
        break;
      case 3:
        argv = [s[0]!, s[1]!, s[2]!];
        break;
      default:
        argv = s.slice(0, n);
    }
    // The decoder must not keep the strings alive (a value may be large).
    for (let i = 0; i < n; i++) s[i] = '' as Bytes;
    return argv;
  }

  /**
   * argv[0] at buf[start, end): the previous command's name string when the bytes are the same (a
   * pipeline of one command), so the command table's lookup meets a string whose hash is known.
   */
  private commandName(start: number, end: number): Bytes {
    const name = this.name;
    const buf = this.buf;
    if (end - start === name.length) {
      let i = 0;
      while (i < name.length && buf[start + i] === name.charCodeAt(i)) i++;
      if (i === name.length) return name;
    }
    if (end - start > 32) return latin1(buf, start, end);
    return (this.name = latin1(buf, start, end));
  }

  // ---- Buffer management ----

  /** All bytes consumed: drop the buffer so a large one can be freed. */
  private drained(): null {
    this.buf = EMPTY;
    this.pos = 0;
    this.need = 0;
    this.waitByte = -1;
    return null;
  }

  /** Waits until `bytes` bytes are available at pos. */
  private wait(bytes: number): null {
    this.need = bytes;
    this.waitByte = -1;
    if (this.pos >= this.buf.length) {
      this.buf = EMPTY;
      this.pos = 0;
    }
    return null;
  }

  /** Waits for a chunk containing `byte` (or for the line to grow too big). */
  private waitFor(byte: number): null {
    this.need = 0;
    this.waitByte = byte;
    return null;
  }

  /**
   * The queued chunks complete the pending bulk: decodes exactly its bytes out of them, each byte
   * once, and goes on in the last chunk, right after the bulk's trailing 2 bytes.
   *
   * The pieces are appended with `+`, which V8 turns into a rope (ConsString) flattened in one
   * pass when first read; joining the Buffers first would cost an extra copy and a temporary
   * buffer as large as the bulk (scripts/bench-decoder.mjs: 256 KB values, ~9x faster).
   */
  private completeBulk(have: number): void {
    const len = this.bulkLen;
    let arg = '';
    let left = len;
    for (let i = -1; left > 0; i++) {
      const c = i < 0 ? this.buf : this.chunks[i]!;
      const from = i < 0 ? this.pos : 0;
      const take = Math.min(left, c.length - from);
      arg += latin1(c, from, from + take);
      left -= take;
    }
    this.argv![this.argc] = arg as Bytes;
    this.argc++;
    this.argvBytes += len;
    this.remaining--;
    this.bulkLen = -1;
    const last = this.chunks[this.chunks.length - 1]!;
    this.buf = last;
    this.pos = last.length - (have - (len + 2));
    this.chunks = [];
    this.chunksLen = 0;
    this.acc = null;
    this.need = 0;
  }

  private join(): void {
    const rest = this.pos < this.buf.length ? [this.buf.subarray(this.pos), ...this.chunks] : this.chunks;
    this.buf = rest.length === 1 ? rest[0]! : Buffer.concat(rest, this.buf.length - this.pos + this.chunksLen);
    this.pos = 0;
    this.chunks = [];
    this.chunksLen = 0;
    this.acc = null;
    this.need = 0;
    this.waitByte = -1;
  }

  // ---- Lines ----

  /**
   * Reads "*<n>" or "$<n>" up to its CR and skips the byte after it; null until complete.
   * The fast path takes plain digits; everything else goes through readHeaderSlow.
   */
  private readHeader(marker: number): number | null {
    const buf = this.buf;
    const len = buf.length;
    let i = this.pos + 1;
    if (buf[this.pos] === marker && i < len) {
      let c = buf[i]!;
      if (c === 48 /* 0 */) {
        if (i + 2 < len && buf[i + 1] === CR) {
          this.pos = i + 3;
          return 0;
        }
      } else if (c > 48 && c <= 57) {
        let v = c - 48;
        const limit = Math.min(len, i + 15); // up to 15 digits: exact in a double
        for (i++; i < limit; i++) {
          c = buf[i]!;
          if (c < 48 || c > 57) break;
          v = v * 10 + c - 48;
        }
        if (c === CR && i + 1 < len) {
          this.pos = i + 2;
          return v;
        }
      }
    }
    return this.readHeaderSlow(marker);
  }

  private readHeaderSlow(marker: number): number | null {
    const buf = this.buf;
    const pos = this.pos;
    const what = marker === STAR ? 'mbulk' : 'bulk';
    const cr = buf.indexOf(CR, pos);
    const nul = cr < 0 ? -1 : findNul(buf, pos, cr);
    if (cr < 0 || nul >= 0) {
      if (buf.length - pos > INLINE_MAX) throw new ProtocolError(`Protocol error: too big ${what} count string`);
      return this.waitFor(cr < 0 ? CR : BLOCKED);
    }
    // COMPAT: Redis notices an over-long header only when a read ends before its CR; the limit
    // is applied here whatever the packet boundaries, so that any split gives the same result.
    if (cr - pos > INLINE_MAX) throw new ProtocolError(`Protocol error: too big ${what} count string`);
    if (cr + 1 >= buf.length) return this.wait(cr - pos + 2);
    if (buf[pos] !== marker) {
      // Redis's addReplyErrorFormat turns CR and LF into spaces, keeping the reply one line.
      const got = buf[pos] === CR || buf[pos] === LF ? ' ' : String.fromCharCode(buf[pos]!);
      throw new ProtocolError(`Protocol error: expected '$', got '${got}'`);
    }
    const n = parseLineInteger(buf, pos + 1, cr);
    if (n === undefined) {
      throw new ProtocolError(marker === STAR ? 'Protocol error: invalid multibulk length' : 'Protocol error: invalid bulk length');
    }
    this.pos = cr + 2;
    return n;
  }

  /** Reads one inline request; [] for a blank line, null until its LF arrives. */
  private readInline(): Bytes[] | null {
    const buf = this.buf;
    const pos = this.pos;
    const lf = buf.indexOf(LF, pos);
    const nul = lf < 0 ? -1 : findNul(buf, pos, lf);
    if (lf < 0 || nul >= 0) {
      if (buf.length - pos > INLINE_MAX) throw new ProtocolError('Protocol error: too big inline request');
      return this.waitFor(lf < 0 ? LF : BLOCKED);
    }
    // COMPAT: as for header lines, the 64 KB limit holds whatever the packet boundaries.
    if (lf - pos > INLINE_MAX) throw new ProtocolError('Protocol error: too big inline request');
    const end = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
    const line = buf.toString('latin1', pos, end);
    this.pos = lf + 1;
    const args = splitInlineArgs(line);
    if (args === undefined) throw new ProtocolError('Protocol error: unbalanced quotes in request');
    return args;
  }
}

// ---- Helpers ----

/** Commands of at most this many args are read into the decoder's reused scratch array. */
const SCRATCH_ARGS = 16;

/** Buffer.prototype.latin1Slice: undocumented, but what every Node since 0.x runs for toString('latin1'). */
type Latin1Slicing = Buffer & { latin1Slice(start: number, end: number): string };

/**
 * Strings of 2 to 4 bytes, shared: an arg of that size is first looked up here by its bytes
 * (packed into one number, exact), so that a value sent again and again (a flag, a small
 * counter, redis-benchmark's "xxx") is one string rather than one per key. Each stored copy
 * would otherwise be a young object that survives, copied by two scavenges before it settles in
 * the old generation. Redis shares its integers 0-9999 for the same reason (OBJ_SHARED_INTEGERS).
 * Direct-mapped: a colliding string replaces the slot's. (One-byte strings V8 shares itself.)
 */
const SHORT_SLOTS = 1 << 10;
const shortCodes = new Float64Array(SHORT_SLOTS);
const shortStrings: Bytes[] = new Array<Bytes>(SHORT_SLOTS).fill('' as Bytes);

/** The shared string of packed bytes `code`, or undefined. */
function sharedShort(code: number): Bytes | undefined {
  const slot = Math.imul(code | 0, 0x9e3779b1) >>> 22;
  return shortCodes[slot] === code ? shortStrings[slot] : undefined;
}

function share(code: number, s: string): Bytes {
  const slot = Math.imul(code | 0, 0x9e3779b1) >>> 22;
  shortCodes[slot] = code;
  return (shortStrings[slot] = s as Bytes);
}

/**
 * buf[start, end) as Bytes. Strings of up to 16 bytes are built in JavaScript by one
 * String.fromCharCode with one argument per byte, cheaper than the native call (measured, Node
 * 20: 23-28 ns for 9-12 bytes and 37-45 ns for 16, against 85-120 ns for latin1Slice at any of
 * these lengths, and 96-170 ns for a loop appending one char at a time); 2-4 bytes are also
 * shared (sharedShort). Longer ones go straight to latin1Slice, which toString('latin1') reaches
 * after 13 ns of argument checks.
 */
function latin1(buf: Buffer, start: number, end: number): Bytes {
  const b = buf;
  const s = start;
  switch (end - start) {
    case 0:
      return '' as Bytes;
    case 1:
      return String.fromCharCode(b[s]!) as Bytes;
    case 2: {
      const x0 = b[s]!, x1 = b[s + 1]!;
      const code = 2 + 4 * (x0 + 256 * x1);
      return sharedShort(code) ?? share(code, String.fromCharCode(x0, x1));
    }
    case 3: {
      const x0 = b[s]!, x1 = b[s + 1]!, x2 = b[s + 2]!;
      const code = 3 + 4 * (x0 + 256 * (x1 + 256 * x2));
      return sharedShort(code) ?? share(code, String.fromCharCode(x0, x1, x2));
    }
    case 4: {
      const x0 = b[s]!, x1 = b[s + 1]!, x2 = b[s + 2]!, x3 = b[s + 3]!;
      const code = 4 + 4 * (x0 + 256 * (x1 + 256 * (x2 + 256 * x3)));
      return sharedShort(code) ?? share(code, String.fromCharCode(x0, x1, x2, x3));
    }
    // One call per length: a call with its arguments spread or applied from an array costs
    // more than latin1Slice.
    case 5:
      return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!) as Bytes;
    case 6:
      return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!) as Bytes;
    case 7:
      return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!) as Bytes;
    case 8:
      return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!) as Bytes;
    case 9:
      return String.fromCharCode(
        b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!,
      ) as Bytes;
    case 10:
      return String.fromCharCode(
        b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!,
      ) as Bytes;
    case 11:
      return String.fromCharCode(
        b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!,
        b[s + 10]!,
      ) as Bytes;
    case 12:
      return String.fromCharCode(
        b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!,
        b[s + 10]!, b[s + 11]!,
      ) as Bytes;
    case 13:
      return String.fromCharCode(
        b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!,
        b[s + 10]!, b[s + 11]!, b[s + 12]!,
      ) as Bytes;
    case 14:
      return String.fromCharCode(
        b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!,
        b[s + 10]!, b[s + 11]!, b[s + 12]!, b[s + 13]!,
      ) as Bytes;
    case 15:
      return String.fromCharCode(
        b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!,
        b[s + 10]!, b[s + 11]!, b[s + 12]!, b[s + 13]!, b[s + 14]!,
      ) as Bytes;
    case 16:
      return String.fromCharCode(
        b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!,
        b[s + 10]!, b[s + 11]!, b[s + 12]!, b[s + 13]!, b[s + 14]!, b[s + 15]!,
      ) as Bytes;
  }
  return (buf as Latin1Slicing).latin1Slice(start, end) as Bytes;
}

/** Index of the first NUL in buf[start, end), or -1 (where C's strchr would stop). */
function findNul(buf: Buffer, start: number, end: number): number {
  for (let i = start; i < end; i++) if (buf[i] === 0) return i;
  return -1;
}

const LLONG_MAX_DIGITS = '9223372036854775807';
const LLONG_MIN_DIGITS = '9223372036854775808';

/**
 * Redis string2ll over buf[start, end): "0", or an optional '-' then a digit 1-9 and more digits,
 * at most 20 characters, within the signed 64-bit range. Values beyond 2^53 come back rounded;
 * they only ever get compared with limits far below that.
 */
function parseLineInteger(buf: Buffer, start: number, end: number): number | undefined {
  const len = end - start;
  if (len === 0 || len > 20) return undefined;
  if (len === 1 && buf[start] === 48) return 0;
  let i = start;
  const neg = buf[i] === 45; /* - */
  if (neg) i++;
  if (i === end || buf[i] === 48) return undefined;
  let v = 0;
  for (let j = i; j < end; j++) {
    const d = buf[j]! - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  if (end - i === 19 && buf.toString('latin1', i, end) > (neg ? LLONG_MIN_DIGITS : LLONG_MAX_DIGITS)) return undefined;
  if (end - i > 19) return undefined;
  return neg ? -v : v;
}

/** isspace(): what sdssplitargs skips between arguments and accepts after a closing quote. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** What ends an unquoted argument in sdssplitargs: space, \n, \r, \t or the end (NUL). */
function endsBareArg(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 0;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };

/**
 * Splits an inline request (or a redis-cli style line) into args the way Redis's sdssplitargs
 * does. A NUL ends the line, as it ends a C string. Returns undefined for an unterminated quote,
 * or a closing quote followed by something other than a space.
 */
export function splitInlineArgs(text: string): Bytes[] | undefined {
  const nul = text.indexOf('\0');
  const line = nul >= 0 ? text.slice(0, nul) : text;
  const args: Bytes[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return args;
    let cur = '';
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      const c = i < n ? line.charCodeAt(i) : 0; // 0: the end of the line
      if (inDouble) {
        if (c === 0) return undefined;
        if (c === 92 /* \ */ && line.charCodeAt(i + 1) === 120 /* x */ && hexValue(line.charCodeAt(i + 2)) >= 0 && hexValue(line.charCodeAt(i + 3)) >= 0) {
          cur += String.fromCharCode(hexValue(line.charCodeAt(i + 2)) * 16 + hexValue(line.charCodeAt(i + 3)));
          i += 3;
        } else if (c === 92 && i + 1 < n) {
          i++;
          const e = line[i]!;
          cur += ESCAPES[e] ?? e;
        } else if (c === 34 /* " */) {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return undefined;
          i++;
          break;
        } else {
          cur += line[i];
        }
      } else if (inSingle) {
        if (c === 0) return undefined;
        if (c === 92 && line.charCodeAt(i + 1) === 39 /* ' */) {
          i++;
          cur += "'";
        } else if (c === 39) {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return undefined;
          i++;
          break;
        } else {
          cur += line[i];
        }
      } else {
        if (endsBareArg(c)) break;
        if (c === 34) inDouble = true;
        else if (c === 39) inSingle = true;
        else cur += line[i];
      }
      i++;
    }
    args.push(cur as Bytes);
  }
}
