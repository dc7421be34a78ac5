/**
 * ReplyWriter: encodes replies straight into Buffers, in RESP2 or RESP3 (the client's HELLO
 * version), and hands them to a sink once per input batch. Mirrors redis networking.c addReply*.
 *
 * Methods say what a reply means (ok, bulk, mapHeader, double...); the writer picks the bytes for
 * the protocol in force, as addReplyMapLen does. Bytes accumulate in a 16 KB slab; flush() passes
 * the filled part to the sink and keeps writing after it in the same slab, so a Buffer handed to
 * the socket is never written again. A bulk of 32 KB or more becomes its own chunk, uncopied.
 * No reply objects are built on the way: this is the hot path.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { formatDouble } from '../keyspace/bytes.js';
import type { ReplyError } from './reply-errors.js';

const SLAB_SIZE = 16 * 1024;
/** Bulks at least this large are not copied into the slab (Redis PROTO_MBULK_BIG_ARG). */
const BIG_BULK = 32 * 1024;
const CRLF = '\r\n';

/** Where flushed bytes go: the socket (with backpressure) or a capture (MULTI, scripts, tests). */
export interface ReplySink {
  write(chunks: Buffer[], bytes: number): void;
}

/** Pre-encoded "*<n>\r\n", "$<n>\r\n", ... for small n, like Redis's shared.mbulkhdr. */
const SHARED_HEADERS = 32;
function headers(prefix: string): Buffer[] {
  return Array.from({ length: SHARED_HEADERS }, (_, n) => Buffer.from(`${prefix}${n}\r\n`, 'latin1'));
}
const ARRAY_HDR = headers('*');
const BULK_HDR = headers('$');
const MAP_HDR = headers('%');
const SET_HDR = headers('~');
const PUSH_HDR = headers('>');
const INT_SMALL = Array.from({ length: 1024 }, (_, n) => Buffer.from(`:${n}\r\n`, 'latin1'));

const OK = Buffer.from('+OK\r\n');
const NULL_BULK = Buffer.from('$-1\r\n');
const NULL_ARRAY = Buffer.from('*-1\r\n');
const NULL3 = Buffer.from('_\r\n');

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

  /** Sends everything written so far to the sink. */
  flush(): void {
    this.seal();
    if (this.queued.length === 0) return;
    const chunks = this.queued;
    const bytes = this.queuedBytes;
    this.queued = [];
    this.queuedBytes = 0;
    this.sink.write(chunks, bytes);
  }

  /** Sends replies somewhere else from now on (MULTI capture, a script, a replica link...). */
  redirect(sink: ReplySink): ReplySink {
    const old = this.sink;
    this.sink = sink;
    return old;
  }

  /** A point to roll back to, within the current batch (CLIENT REPLY OFF/SKIP). */
  mark(): WriterMark {
    return { queued: this.queued.length, queuedBytes: this.queuedBytes, slab: this.slab, start: this.start, end: this.end };
  }

  /** Forgets everything written since mark() (nothing has been flushed in between). */
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

  private room(n: number): void {
    if (this.end + n <= this.slab.length) return;
    this.seal();
    this.slab = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, n));
    this.start = 0;
    this.end = 0;
  }

  /** Appends a pre-encoded buffer. */
  raw(b: Buffer): void {
    if (b.length >= BIG_BULK) {
      this.seal(); // keeps the order of what was written before
      this.queued.push(b);
      this.queuedBytes += b.length;
      return;
    }
    this.room(b.length);
    this.end += b.copy(this.slab, this.end);
  }

  /** Appends latin1 text (the protocol framing and ASCII payloads). */
  private text(s: string): void {
    this.room(s.length);
    this.end += this.slab.write(s, this.end, 'latin1');
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

  integer(n: number | bigint): void {
    if (typeof n === 'number' && n >= 0 && n < INT_SMALL.length && Number.isInteger(n)) this.raw(INT_SMALL[n]!);
    else this.text(':' + n + CRLF);
  }

  /** A bulk string, or null (RESP2 $-1, RESP3 _). */
  bulk(b: Bytes | null | undefined): void {
    if (b === null || b === undefined) return this.nullBulk();
    const n = b.length;
    if (n >= BIG_BULK) {
      this.text('$' + n + CRLF);
      this.raw(Buffer.from(b, 'latin1'));
      this.text(CRLF);
      return;
    }
    this.room(n + 16);
    const slab = this.slab;
    if (n < SHARED_HEADERS) this.end += BULK_HDR[n]!.copy(slab, this.end);
    else this.end += slab.write('$' + n + CRLF, this.end, 'latin1');
    this.end += slab.write(b, this.end, 'latin1');
    slab[this.end++] = 13;
    slab[this.end++] = 10;
  }

  /** A bulk from a Buffer (binary payloads built elsewhere). */
  bulkBuffer(b: Buffer): void {
    this.text('$' + b.length + CRLF);
    this.raw(b);
    this.text(CRLF);
  }

  nullBulk(): void {
    this.raw(this.protocol === 3 ? NULL3 : NULL_BULK);
  }

  nullArray(): void {
    this.raw(this.protocol === 3 ? NULL3 : NULL_ARRAY);
  }

  arrayHeader(n: number): void {
    if (n < SHARED_HEADERS) this.raw(ARRAY_HDR[n]!);
    else this.text('*' + n + CRLF);
  }

  /** A map of n pairs: RESP3 %n, RESP2 an array of 2n. */
  mapHeader(n: number): void {
    if (this.protocol === 2) return this.arrayHeader(n * 2);
    if (n < SHARED_HEADERS) this.raw(MAP_HDR[n]!);
    else this.text('%' + n + CRLF);
  }

  /** A set of n: RESP3 ~n, RESP2 an array. */
  setHeader(n: number): void {
    if (this.protocol === 2) return this.arrayHeader(n);
    if (n < SHARED_HEADERS) this.raw(SET_HDR[n]!);
    else this.text('~' + n + CRLF);
  }

  /** An out-of-band push of n items: RESP3 >n, RESP2 an array. */
  pushHeader(n: number): void {
    if (this.protocol === 2) return this.arrayHeader(n);
    if (n < SHARED_HEADERS) this.raw(PUSH_HDR[n]!);
    else this.text('>' + n + CRLF);
  }

  /** A double: RESP3 ,d; RESP2 a bulk string, formatted as Redis 7.0 does. */
  double(d: number): void {
    const s = formatDouble(d);
    if (this.protocol === 3) this.text(',' + s + CRLF);
    else this.bulk(s);
  }

  /** A boolean: RESP3 #t/#f; RESP2 :1/:0. */
  boolean(v: boolean): void {
    if (this.protocol === 3) this.text(v ? '#t\r\n' : '#f\r\n');
    else this.integer(v ? 1 : 0);
  }

  /** Verbatim text (INFO, CLIENT LIST...): RESP3 =len\r\ntxt:..., RESP2 a bulk string. */
  verbatim(s: Bytes, format = 'txt'): void {
    if (this.protocol === 2) return this.bulk(s);
    this.text('=' + (s.length + 4) + CRLF + format + ':');
    this.raw(Buffer.from(s, 'latin1'));
    this.text(CRLF);
  }

  /** An array of bulk strings. */
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
