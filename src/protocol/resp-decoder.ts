/**
 * RespDecoder: the incremental request parser. Bytes from the socket go in (feed), complete
 * commands come out (next) as argv arrays of binary-safe Bytes.
 *
 * Grammar (what a client may send), as Redis's processMultibulkBuffer/processInlineBuffer read it:
 *
 *   request   = multibulk | inline
 *   multibulk = "*" count CR LF *( "$" length CR LF <length bytes> CR LF )   ; count <= 0: nothing
 *   inline    = *( arg SP ) LF                                               ; CR before LF dropped
 *   arg       = bare | '"' with \n \r \t \b \a \\ \" \xHH escapes '"' | "'" with \' "'"
 *
 * State survives between feeds: a command cut at any byte resumes where it stopped. The bytes of
 * a bulk that spans many chunks are collected in a list and joined once (no O(n²) re-copying).
 *
 * Limits and texts are Redis's: 64 KB inline and header lines, multibulk count <= INT_MAX, bulk
 * length <= proto-max-bulk-len, and before AUTH (when a password is required) at most 10 args
 * and 16 KB bulks. A violation throws ProtocolError; the caller replies and closes.
 * This module knows nothing of sockets or commands.
 */
import { ProtocolError } from './reply-errors.js';
import type { Bytes } from '../keyspace/bytes.js';

/** Redis PROTO_INLINE_MAX_SIZE: the longest inline request or header line. */
export const INLINE_MAX = 64 * 1024;
const INT_MAX = 2147483647;
const UNAUTH_MAX_ARGS = 10;
const UNAUTH_MAX_BULK = 16384;

const CR = 13;
const LF = 10;
const EMPTY = Buffer.alloc(0);

/** What the decoder needs to know of its connection, read at each header. */
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
  /** Chunks fed while waiting for `need` bytes, joined once they suffice. */
  private chunks: Buffer[] = [];
  private chunksLen = 0;
  /** Bytes needed at buf[pos] before parsing can go on (0: any new byte may help). */
  private need = 0;
  /** The multibulk being read: its args so far, how many are left, the pending bulk's length. */
  private argv: Bytes[] | null = null;
  private remaining = 0;
  private bulkLen = -1;

  constructor(private readonly policy: DecoderPolicy) {}

  /** Adds bytes from the socket. */
  feed(chunk: Buffer): void {
    if (this.pos >= this.buf.length && this.chunksLen === 0) {
      this.buf = chunk;
      this.pos = 0;
      return;
    }
    this.chunks.push(chunk);
    this.chunksLen += chunk.length;
    if (this.buf.length - this.pos + this.chunksLen >= this.need) this.join();
  }

  /** Bytes held and not yet returned as commands (Redis's query buffer length). */
  get bufferedBytes(): number {
    return this.buf.length - this.pos + this.chunksLen;
  }

  /** The next complete command, or null until more bytes arrive. Throws ProtocolError. */
  next(): Bytes[] | null {
    for (;;) {
      if (this.argv === null) {
        if (this.pos >= this.buf.length) return this.idle();
        if (this.buf[this.pos] !== 42 /* * */) {
          const args = this.readInline();
          if (args === null) return null;
          if (args.length === 0) continue;
          return args;
        }
        const count = this.readHeader(42, 'mbulk');
        if (count === null) return null;
        if (count <= 0) continue;
        if (count > UNAUTH_MAX_ARGS && !this.policy.authenticated()) {
          throw new ProtocolError('Protocol error: unauthenticated multibulk length');
        }
        this.argv = [];
        this.remaining = count;
      }
      while (this.remaining > 0) {
        if (this.bulkLen < 0) {
          if (this.pos >= this.buf.length) return this.wait(1);
          if (this.buf[this.pos] !== 36 /* $ */) {
            throw new ProtocolError(`Protocol error: expected '$', got '${String.fromCharCode(this.buf[this.pos]!)}'`);
          }
          const len = this.readHeader(36, 'bulk');
          if (len === null) return null;
          this.bulkLen = len;
        }
        const end = this.pos + this.bulkLen;
        if (end + 2 > this.buf.length) return this.wait(this.bulkLen + 2);
        this.argv!.push(this.buf.toString('latin1', this.pos, end));
        this.pos = end + 2; // Redis skips the CRLF after the data without checking it
        this.bulkLen = -1;
        this.remaining--;
      }
      const argv = this.argv!;
      this.argv = null;
      return argv;
    }
  }

  /** All bytes consumed: drop the buffer so a large one can be freed. */
  private idle(): null {
    this.buf = EMPTY;
    this.pos = 0;
    this.need = 0;
    return null;
  }

  /** Not enough bytes at pos: remember how many are needed. */
  private wait(bytes: number): null {
    this.need = bytes;
    if (this.pos > 0 && this.pos >= this.buf.length) this.idle();
    return null;
  }

  private join(): void {
    const rest = this.pos < this.buf.length ? [this.buf.subarray(this.pos), ...this.chunks] : this.chunks;
    this.buf = rest.length === 1 ? rest[0]! : Buffer.concat(rest);
    this.pos = 0;
    this.chunks = [];
    this.chunksLen = 0;
    this.need = 0;
  }

  /** Reads "*<n>\r\n" or "$<n>\r\n" at pos; null until the line is complete. */
  private readHeader(marker: number, what: 'mbulk' | 'bulk'): number | null {
    const buf = this.buf;
    const cr = buf.indexOf(CR, this.pos + 1);
    if (cr < 0 || cr + 1 >= buf.length) {
      if (buf.length - this.pos > INLINE_MAX) throw new ProtocolError(`Protocol error: too big ${what} count string`);
      return this.wait(buf.length - this.pos + 1);
    }
    const n = parseLineInteger(buf, this.pos + 1, cr);
    if (marker === 42) {
      if (n === undefined || n > INT_MAX) throw new ProtocolError('Protocol error: invalid multibulk length');
    } else {
      if (n === undefined || n < 0 || n > this.policy.maxBulkLen()) {
        throw new ProtocolError('Protocol error: invalid bulk length');
      }
      if (n > UNAUTH_MAX_BULK && !this.policy.authenticated()) {
        throw new ProtocolError('Protocol error: unauthenticated bulk length');
      }
    }
    this.pos = cr + 2;
    return n;
  }

  /** Reads one inline request; [] for a blank line, null until the LF arrives. */
  private readInline(): Bytes[] | null {
    const buf = this.buf;
    const lf = buf.indexOf(LF, this.pos);
    if (lf < 0) {
      if (buf.length - this.pos > INLINE_MAX) throw new ProtocolError('Protocol error: too big inline request');
      return this.wait(buf.length - this.pos + 1);
    }
    let end = lf;
    if (end > this.pos && buf[end - 1] === CR) end--;
    const line = buf.toString('latin1', this.pos, end);
    this.pos = lf + 1;
    const args = splitInlineArgs(line);
    if (args === undefined) throw new ProtocolError('Protocol error: unbalanced quotes in request');
    return args;
  }
}

/** string2ll over buf[start, end): digits with an optional '-', no leading zeros. */
function parseLineInteger(buf: Buffer, start: number, end: number): number | undefined {
  if (start >= end || end - start > 20) return undefined;
  let i = start;
  let neg = false;
  if (buf[i] === 45 /* - */) {
    neg = true;
    i++;
    if (i === end) return undefined;
  }
  if (buf[i] === 48 /* 0 */) return end - i === 1 && !neg ? 0 : undefined;
  let v = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  if (v > 9223372036854775807) return undefined;
  return neg ? -v : v;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Splits an inline request (or a redis-cli style line) into args the way Redis's sdssplitargs
 * does. Returns undefined for unbalanced quotes, or a closing quote not followed by a space.
 */
export function splitInlineArgs(line: string): Bytes[] | undefined {
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
      const c = i < n ? line.charCodeAt(i) : -1;
      if (inDouble) {
        if (c === -1) return undefined;
        if (c === 92 /* \ */ && line.charCodeAt(i + 1) === 120 /* x */ && hexValue(line.charCodeAt(i + 2)) >= 0 && hexValue(line.charCodeAt(i + 3)) >= 0) {
          cur += String.fromCharCode(hexValue(line.charCodeAt(i + 2)) * 16 + hexValue(line.charCodeAt(i + 3)));
          i += 3;
        } else if (c === 92 && i + 1 < n) {
          i++;
          const e = line[i]!;
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === 34 /* " */) {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return undefined;
          i++;
          break;
        } else {
          cur += line[i];
        }
      } else if (inSingle) {
        if (c === -1) return undefined;
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
        if (c === -1 || isSpace(c)) break;
        if (c === 34) inDouble = true;
        else if (c === 39) inSingle = true;
        else cur += line[i];
      }
      i++;
    }
    args.push(cur);
  }
}
