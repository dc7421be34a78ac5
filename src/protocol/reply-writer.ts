/**
 * ReplyWriter: encodes replies straight into Buffers, in RESP2 or RESP3 (the client's HELLO
 * version), and hands them to a sink once per input batch. Mirrors redis networking.c addReply*.
 *
 * Methods say what a reply means (ok, bulk, mapHeader, double...); the writer picks the bytes for
 * the protocol in force, as addReplyMapLen does. Bytes accumulate in a 16 KB slab; flush() passes
 * the filled part to the sink and keeps writing after it in the same slab, so a Buffer handed to
 * the socket is never written again. A bulk of 32 KB or more becomes its own chunk: a Buffer
 * payload is passed on as it is, uncopied; a string one is encoded once into its own Buffer.
 * No reply objects are built on the way: this is the hot path.
 *
 * Speed notes (measured with scripts/bench-decoder.mjs on Node 20): a call into native code such
 * as Buffer#write or Buffer#copy costs ~20-80 ns, more than storing a dozen bytes from
 * JavaScript, so headers, numbers, constant replies and short payloads are stored byte by byte,
 * and only longer payloads use Buffer#write. Numbers are written digit by digit, so Redis's
 * shared header objects (shared.mbulkhdr) have no counterpart here.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { formatDouble } from '../keyspace/bytes.js';
import type { ReplyError } from './reply-errors.js';

const SLAB_SIZE = 16 * 1024;
/** Bulks at least this large are not copied into the slab (Redis PROTO_MBULK_BIG_ARG). */
const BIG_BULK = 32 * 1024;
/** Strings up to this length are stored by a JavaScript loop rather than Buffer#write. */
const SHORT = 16;
/** Room for a type byte, a sign, 20 digits and CRLF. */
const HEADER_ROOM = 24;
const CRLF = '\r\n';

/** Where flushed bytes go: the socket (with backpressure) or a capture (MULTI, scripts, tests). */
export interface ReplySink {
  write(chunks: Buffer[], bytes: number): void;
}

const OK = Buffer.from('+OK\r\n');
const NULL_BULK = Buffer.from('$-1\r\n');
const NULL_ARRAY = Buffer.from('*-1\r\n');
const NULL3 = Buffer.from('_\r\n');
const TRUE3 = Buffer.from('#t\r\n');
const FALSE3 = Buffer.from('#f\r\n');

const ARRAY = 42; // *
const BULK = 36; // $
const MAP = 37; // %
const SET = 126; // ~
const PUSH = 62; // >
const INTEGER = 58; // :

/** See ReplyWriter.mark(). */
export interface WriterMark {
  queued: number;
  queuedBytes: number;
  slab: Buffer;
  start: number;
  end: number;
}

export class ReplyWriter {
  /** 2 or 3: set by HELLO. */
  protocol: 2 | 3 = 2;
  private slab: Buffer = Buffer.allocUnsafeSlow(SLAB_SIZE);
  /** Written bytes are slab[start, end); [0, start) belongs to the sink already. */
  private start = 0;
  private end = 0;
  /** Filled buffers waiting for the next flush, in order, and their total length. */
  private queued: Buffer[] = [];
  private queuedBytes = 0;

  constructor(private sink: ReplySink) {}

  /** Bytes written since the last flush. */
  get pendingBytes(): number {
    return this.queuedBytes + this.end - this.start;
  }

  /** Sends everything written so far to the sink, in one call. */
  flush(): void {
    this.seal();
    if (this.queued.length === 0) return;
    const chunks = this.queued;
    const bytes = this.queuedBytes;
    this.queued = [];
    this.queuedBytes = 0;
    this.sink.write(chunks, bytes);
  }

  /** A point to roll back to, within the current batch (CLIENT REPLY OFF/SKIP). */
  mark(): WriterMark {
    return { queued: this.queued.length, queuedBytes: this.queuedBytes, slab: this.slab, start: this.start, end: this.end };
  }

  /** Forgets everything written since mark() (nothing may have been flushed in between). */
  rollback(m: WriterMark): void {
    this.queued.length = m.queued;
    this.queuedBytes = m.queuedBytes;
    this.slab = m.slab;
    this.start = m.start;
    this.end = m.end;
  }

  // ---- Low level ----

  /** Queues the bytes written into the slab so far; later writes go after them. */
  private seal(): void {
    if (this.end > this.start) {
      this.queued.push(this.slab.subarray(this.start, this.end));
      this.queuedBytes += this.end - this.start;
      this.start = this.end;
    }
  }

  /** Makes room for n more bytes in the slab: a new slab (at least n long) when it is full. */
  private room(n: number): void {
    if (this.end + n <= this.slab.length) return;
    this.seal();
    this.slab = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, n));
    this.start = 0;
    this.end = 0;
  }

  /** Appends a pre-encoded buffer; one of 32 KB or more is queued as it is, uncopied. */
  raw(b: Buffer): void {
    const n = b.length;
    if (n >= BIG_BULK) {
      this.seal(); // keeps the order of what was written before
      this.queued.push(b);
      this.queuedBytes += n;
      return;
    }
    this.room(n);
    if (n <= SHORT) {
      const slab = this.slab;
      let e = this.end;
      for (let i = 0; i < n; i++) slab[e++] = b[i]!;
      this.end = e;
    } else {
      this.end += b.copy(this.slab, this.end);
    }
  }

  /** Appends latin1 text (protocol framing, ASCII payloads). */
  private text(s: string): void {
    this.room(s.length);
    this.putString(s);
  }

  /** Stores s at end; the room must have been made. */
  private putString(s: string): void {
    const n = s.length;
    if (n <= SHORT) {
      const slab = this.slab;
      let e = this.end;
      for (let i = 0; i < n; i++) slab[e++] = s.charCodeAt(i);
      this.end = e;
    } else {
      this.end += this.slab.write(s, this.end, 'latin1');
    }
  }

  /** Stores the decimal digits of a non-negative safe integer at end; the room must have been made. */
  private putDigits(n: number): void {
    if (n > 0x7fffffff) return this.putString('' + n); // beyond int32 arithmetic
    const slab = this.slab;
    let digits = 1;
    for (let x = n; x >= 10; x = (x / 10) | 0) digits++;
    let e = this.end + digits;
    this.end = e;
    do {
      slab[--e] = 48 + (n % 10);
      n = (n / 10) | 0;
    } while (n > 0);
  }

  /** Stores "<type><n>\r\n" for a non-negative safe integer n. */
  private header(type: number, n: number): void {
    this.room(HEADER_ROOM);
    this.slab[this.end++] = type;
    this.putDigits(n);
    this.slab[this.end++] = 13;
    this.slab[this.end++] = 10;
  }

  // ---- Replies ----

  ok(): void {
    this.raw(OK);
  }

  /** +text (no CR/LF allowed inside). */
  simple(s: string): void {
    this.text('+' + s + CRLF);
  }

  /** -CODE message */
  error(e: ReplyError | string): void {
    const msg = typeof e === 'string' ? e : e.message;
    this.text('-' + msg + CRLF);
  }

  /** :n — a number must be a safe integer; a bigint carries the rest of the int64 range. */
  integer(n: number | bigint): void {
    if (typeof n === 'number' && Number.isSafeInteger(n)) {
      this.room(HEADER_ROOM);
      this.slab[this.end++] = INTEGER;
      if (n < 0) {
        this.slab[this.end++] = 45; // -
        n = -n;
      }
      this.putDigits(n);
      this.slab[this.end++] = 13;
      this.slab[this.end++] = 10;
    } else {
      this.text(':' + n + CRLF);
    }
  }

  /** A bulk string, or null (RESP2 $-1, RESP3 _). */
  bulk(b: Bytes | null | undefined): void {
    if (b === null || b === undefined) return this.nullBulk();
    const n = b.length;
    if (n >= BIG_BULK) {
      this.header(BULK, n);
      this.raw(Buffer.from(b, 'latin1'));
      this.text(CRLF);
      return;
    }
    this.room(n + HEADER_ROOM);
    const slab = this.slab;
    slab[this.end++] = BULK;
    this.putDigits(n);
    slab[this.end++] = 13;
    slab[this.end++] = 10;
    this.putString(b);
    slab[this.end++] = 13;
    slab[this.end++] = 10;
  }

  nullBulk(): void {
    this.raw(this.protocol === 3 ? NULL3 : NULL_BULK);
  }

  nullArray(): void {
    this.raw(this.protocol === 3 ? NULL3 : NULL_ARRAY);
  }

  arrayHeader(n: number): void {
    this.header(ARRAY, n);
  }

  /** A map of n pairs: RESP3 %n, RESP2 an array of 2n. */
  mapHeader(n: number): void {
    if (this.protocol === 2) this.header(ARRAY, n * 2);
    else this.header(MAP, n);
  }

  /** A set of n: RESP3 ~n, RESP2 an array. */
  setHeader(n: number): void {
    this.header(this.protocol === 2 ? ARRAY : SET, n);
  }

  /** An out-of-band push of n items: RESP3 >n, RESP2 an array. */
  pushHeader(n: number): void {
    this.header(this.protocol === 2 ? ARRAY : PUSH, n);
  }

  /** A double: RESP3 ,d; RESP2 a bulk string, formatted as Redis 7.0 does. */
  double(d: number): void {
    const s = formatDouble(d);
    if (this.protocol === 3) this.text(',' + s + CRLF);
    else this.bulk(s as Bytes);
  }

  /** A boolean: RESP3 #t/#f; RESP2 :1/:0. */
  boolean(v: boolean): void {
    if (this.protocol === 3) this.raw(v ? TRUE3 : FALSE3);
    else this.integer(v ? 1 : 0);
  }

  /** Verbatim text (INFO, CLIENT LIST...): RESP3 =len\r\ntxt:..., RESP2 a bulk string. */
  verbatim(s: Bytes, format = 'txt'): void {
    if (this.protocol === 2) return this.bulk(s);
    this.header(61 /* = */, s.length + 4);
    this.text(format + ':');
    if (s.length >= BIG_BULK) this.raw(Buffer.from(s, 'latin1'));
    else this.text(s);
    this.text(CRLF);
  }

  /** An array of bulk strings (null items are null bulks). */
  bulkArray(items: readonly (Bytes | null)[]): void {
    this.arrayHeader(items.length);
    for (const s of items) this.bulk(s);
  }

  /** A set of bulk strings (RESP3 ~, RESP2 array). */
  bulkSet(items: readonly Bytes[]): void {
    this.setHeader(items.length);
    for (const s of items) this.bulk(s);
  }

  /** An array of simple status strings. */
  simpleArray(items: readonly string[]): void {
    this.arrayHeader(items.length);
    for (const s of items) this.simple(s);
  }
}
