/**
 * RespBuffer: commands encoded as RESP multibulk requests (`*<n>\r\n$<len>\r\n<bytes>\r\n...`),
 * the text an AOF is made of, appended into one growing Buffer. Used by the AOF writer (the
 * propagated stream) and by the RESP rewrite encoder (aof-command-encoder.ts). Mirrors redis
 * aof.c catAppendOnlyGenericCommand() and the rioWriteBulk* helpers.
 *
 * Bytes are latin1 strings (keyspace/bytes.ts): a latin1 write copies them byte for byte.
 */
import type { Bytes } from '../keyspace/bytes.js';

/** The initial capacity; the buffer doubles as needed and shrinks back after a large take. */
const INITIAL = 16 * 1024;
/** Arguments up to this length are copied by a loop rather than Buffer#write. */
const SHORT = 32;

export class RespBuffer {
  private buf: Buffer = Buffer.allocUnsafeSlow(INITIAL);
  private len = 0;

  /** Bytes appended since the last take(). */
  get length(): number {
    return this.len;
  }

  /** Appends one command: `*<argc>` then each argument as a bulk string. */
  command(argv: readonly Bytes[]): void {
    let need = 16;
    for (let i = 0; i < argv.length; i++) need += argv[i]!.length + 16;
    this.reserve(need);
    const buf = this.buf;
    this.header(42, argv.length);
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      const n = a.length;
      this.header(36, n);
      // Short strings: a byte loop beats Buffer#write's call overhead (as in reply-writer.ts).
      if (n <= SHORT) {
        let len = this.len;
        for (let j = 0; j < n; j++) buf[len++] = a.charCodeAt(j);
        this.len = len;
      } else {
        this.len += buf.write(a, this.len, 'latin1');
      }
      buf[this.len++] = 13;
      buf[this.len++] = 10;
    }
  }

  /** Appends already-encoded bytes (a command written elsewhere). */
  raw(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** A copy of the bytes appended since the last take; empties the buffer. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.len));
    this.len = 0;
    if (this.buf.length > 4 * 1024 * 1024) this.buf = Buffer.allocUnsafeSlow(INITIAL);
    return out;
  }

  /** The bytes appended so far, without copying; valid until the next append or clear(). */
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** Forgets what was appended (after the caller wrote view() out). */
  clear(): void {
    this.len = 0;
    if (this.buf.length > 4 * 1024 * 1024) this.buf = Buffer.allocUnsafeSlow(INITIAL);
  }

  /** `<type><n>\r\n` (type: '*' or '$'). */
  private header(type: number, n: number): void {
    const b = this.buf;
    let len = this.len;
    b[len++] = type;
    if (n < 10) b[len++] = 48 + n;
    else if (n < 100) {
      b[len++] = 48 + Math.floor(n / 10);
      b[len++] = 48 + (n % 10);
    } else len += b.write(String(n), len, 'latin1');
    b[len++] = 13;
    b[len++] = 10;
    this.len = len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = Buffer.allocUnsafeSlow(cap);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}
