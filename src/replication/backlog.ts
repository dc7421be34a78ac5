/**
 * Backlog: the last `size` bytes of the replication stream, so that a replica that reconnects
 * can be sent just what it missed (PSYNC partial resync). Offsets are Redis's replication
 * offsets: the stream's first byte ever is offset 1, and `end` is the offset of the last byte
 * held (INFO master_repl_offset). Mirrors the repl_backlog fields of redis replication.c
 * (repl_backlog_off, repl_backlog_histlen); one circular Buffer here instead of 7.0's shared
 * block list, since the replicas' output is written straight to their sockets.
 */
export class Backlog {
  private buf: Buffer;
  /** Where the next byte goes in `buf`. */
  private pos = 0;
  /** Bytes held (at most buf.length). */
  histlen = 0;
  /** Offset of the last byte appended (the stream's offset when the backlog started, at first). */
  end: number;

  /** A backlog that holds `size` bytes; its first byte will be `startOffset + 1`. */
  constructor(size: number, startOffset: number) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(size, 1));
    this.end = startOffset;
  }

  get size(): number {
    return this.buf.length;
  }

  /** Offset of the first byte held (INFO repl_backlog_first_byte_offset). */
  get firstByteOffset(): number {
    return this.end - this.histlen + 1;
  }

  /** Appends stream bytes. */
  append(chunk: Uint8Array): void {
    this.end += chunk.length;
    const size = this.buf.length;
    let data = chunk;
    if (data.length >= size) {
      data = data.subarray(data.length - size);
      this.buf.set(data, 0);
      this.pos = 0;
      this.histlen = size;
      return;
    }
    const first = Math.min(data.length, size - this.pos);
    this.buf.set(data.subarray(0, first), this.pos);
    if (first < data.length) this.buf.set(data.subarray(first), 0);
    this.pos = (this.pos + data.length) % size;
    this.histlen = Math.min(size, this.histlen + data.length);
  }

  /**
   * The bytes from offset `from` (the first byte a replica lacks) to the end, or undefined when
   * the backlog no longer (or does not yet) hold them. `from === end + 1` gives an empty Buffer.
   */
  readFrom(from: number): Buffer | undefined {
    if (from < this.firstByteOffset || from > this.end + 1) return undefined;
    const n = this.end + 1 - from;
    const out = Buffer.allocUnsafe(n);
    const size = this.buf.length;
    const start = (this.pos - n + size) % size;
    const first = Math.min(n, size - start);
    this.buf.copy(out, 0, start, start + first);
    if (first < n) this.buf.copy(out, first, 0, n - first);
    return out;
  }

  /** CONFIG SET repl-backlog-size: keeps the newest bytes that fit. */
  resize(size: number): void {
    size = Math.max(size, 1);
    if (size === this.buf.length) return;
    const keep = this.readFrom(this.end + 1 - Math.min(this.histlen, size))!;
    this.buf = Buffer.allocUnsafeSlow(size);
    this.buf.set(keep, 0);
    this.pos = keep.length % size;
    this.histlen = keep.length;
  }
}
