/**
 * A raw TCP connection for protocol tests: write exact bytes, read exact reply bytes.
 * readReply() returns one complete RESP reply as raw text (latin1), whatever its type.
 */
import net from 'node:net';

export class RawConnection {
  protected buf = Buffer.alloc(0);
  protected waiters: (() => void)[] = [];
  closed = false;

  protected constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  protected wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private waitData(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timeout; buffered: ${JSON.stringify(this.buf.toString('latin1'))}`)), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Sends a command as a RESP multibulk. */
  send(...args: (string | Buffer)[]): void {
    const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
    for (const a of args) {
      const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
      parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
    }
    this.socket.write(Buffer.concat(parts));
  }

  /** Reads one full RESP reply and returns its raw bytes as latin1 text. */
  async readReply(timeoutMs = 5000): Promise<string> {
    for (;;) {
      const end = replyEnd(this.buf, 0);
      if (end > 0) {
        const out = this.buf.subarray(0, end).toString('latin1');
        this.buf = this.buf.subarray(end);
        return out;
      }
      if (this.closed) throw new Error(`connection closed; buffered: ${JSON.stringify(this.buf.toString('latin1'))}`);
      await this.waitData(timeoutMs);
    }
  }

  /** Sends a command and reads its reply. */
  async call(...args: (string | Buffer)[]): Promise<string> {
    this.send(...args);
    return this.readReply();
  }

  /** Resolves when the server has closed the connection; returns what it sent before. */
  async readUntilClosed(timeoutMs = 5000): Promise<string> {
    while (!this.closed) await this.waitData(timeoutMs);
    const out = this.buf.toString('latin1');
    this.buf = Buffer.alloc(0);
    return out;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** End offset of the RESP value starting at pos, or -1 when incomplete. */
function replyEnd(buf: Buffer, pos: number): number {
  if (pos >= buf.length) return -1;
  const lineEnd = buf.indexOf('\r\n', pos);
  if (lineEnd < 0) return -1;
  const type = String.fromCharCode(buf[pos]!);
  const head = buf.toString('latin1', pos + 1, lineEnd);
  let next = lineEnd + 2;
  switch (type) {
    case '+': case '-': case ':': case '_': case ',': case '#': case '(':
      return next;
    case '$': case '=': case '!': {
      const n = Number(head);
      if (n < 0) return next;
      return next + n + 2 <= buf.length ? next + n + 2 : -1;
    }
    case '*': case '~': case '>': case '%': case '|': {
      let n = Number(head);
      if (n < 0) return next;
      if (type === '%' || type === '|') n *= 2;
      for (let i = 0; i < n; i++) {
        next = replyEnd(buf, next);
        if (next < 0) return -1;
      }
      if (type === '|') return replyEnd(buf, next);
      return next;
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)} in ${JSON.stringify(buf.toString('latin1'))}`);
  }
}
