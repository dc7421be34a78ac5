/**
 * A TCP connection whose RESP2 replies are decoded by `redis-parser` (node-redis's reply parser,
 * independent of Kioku's code): the oracle that checks long pipelined reply streams element by
 * element. Errors come back as objects with the error line in `message`.
 */
import net from 'node:net';
import { createRequire } from 'node:module';

/** A decoded reply: string (or Buffer), number, null, array, or an error. */
export type Reply = string | Buffer | number | null | Error | Reply[];

interface RedisParser {
  execute(data: Buffer): void;
}
type ParserCtor = new (opts: {
  returnReply(r: Reply): void;
  returnError(e: Error): void;
  returnFatalError?(e: Error): void;
  returnBuffers?: boolean;
}) => RedisParser;

const Parser = createRequire(import.meta.url)('redis-parser') as ParserCtor;

/** Decodes a RESP2 byte stream into replies (the oracle on its own, without a socket). */
export function decodeReplies(data: Buffer, returnBuffers = false): Reply[] {
  const out: Reply[] = [];
  const p = new Parser({
    returnReply: (r) => out.push(r),
    returnError: (e) => out.push(e),
    returnFatalError: (e) => {
      throw e;
    },
    returnBuffers,
  });
  p.execute(data);
  return out;
}

export class ParsedConnection {
  readonly replies: Reply[] = [];
  /** Bytes received so far. */
  received = 0;
  closed = false;
  private parser: RedisParser;
  private waiters: (() => void)[] = [];

  private constructor(
    readonly socket: net.Socket,
    returnBuffers: boolean,
  ) {
    this.parser = new Parser({
      returnReply: (r) => this.replies.push(r),
      returnError: (e) => this.replies.push(e),
      returnFatalError: (e) => this.replies.push(new Error(`FATAL: ${e.message}`)),
      returnBuffers,
    });
    socket.on('data', (d: Buffer) => {
      this.received += d.length;
      this.parser.execute(d);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  /** Connects; with `paused`, nothing is read until resume() (a client that does not read). */
  static connect(port: number, opts: { returnBuffers?: boolean; paused?: boolean } = {}): Promise<ParsedConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.off('error', reject);
        const c = new ParsedConnection(s, opts.returnBuffers ?? false);
        if (opts.paused) s.pause();
        resolve(c);
      });
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits until n replies have arrived (or fails after timeoutMs, or when the socket closes). */
  async waitReplies(n: number, timeoutMs = 20_000): Promise<Reply[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length < n) {
      if (this.closed) throw new Error(`closed after ${this.replies.length} of ${n} replies`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout: ${this.replies.length} of ${n} replies`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.replies;
  }

  /** Writes respecting the socket's backpressure; resolves once everything is handed to the kernel. */
  async writeAll(data: Buffer): Promise<void> {
    if (!this.socket.write(data)) await new Promise((r) => this.socket.once('drain', r));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A RESP multibulk request. */
export function command(...args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}
