/**
 * A fake replica on a raw socket: handshakes (REPLCONF, PSYNC), reads the +FULLRESYNC/+CONTINUE
 * line and the RDB payload (either `$<len>` or the `$EOF:<mark>` form), then collects the
 * replication stream byte for byte, for tests that assert the exact bytes a primary sends.
 */
import net from 'node:net';
import { RawConnection } from './raw-connection.js';

export class FakeReplica extends RawConnection {
  /** The PSYNC reply line (without CRLF), and the RDB payload once read. */
  reply = '';
  rdb: Buffer | undefined;
  /** The RDB came in the EOF-marker form. */
  eofForm = false;

  static override connect(port: number): Promise<FakeReplica> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new FakeReplica(s)));
      s.once('error', reject);
    });
  }

  /** Waits until `ready()` holds on the buffered bytes (or throws after timeoutMs). */
  private async until<T>(ready: () => T | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = ready();
      if (v !== undefined) return v;
      if (this.closed) throw new Error(`connection closed; buffered: ${JSON.stringify(this.buf.toString('latin1').slice(0, 300))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout; buffered: ${JSON.stringify(this.buf.toString('latin1').slice(0, 300))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** One reply line (skipping the keep-alive newlines a primary may send first). */
  async line(timeoutMs = 5000): Promise<string> {
    return this.until(() => {
      while (this.buf.length > 0 && this.buf[0] === 0x0a) this.buf = this.buf.subarray(1);
      const end = this.buf.indexOf('\r\n');
      if (end < 0) return undefined;
      const l = this.buf.subarray(0, end).toString('latin1');
      this.buf = this.buf.subarray(end + 2);
      return l;
    }, timeoutMs);
  }

  /** REPLCONF capa eof capa psync2 (unless `capa` is false), PSYNC id offset, then the RDB when full. */
  async psync(replId = '?', offset = -1, opts: { capa?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (opts.capa !== false) {
      this.send('REPLCONF', 'capa', 'eof', 'capa', 'psync2');
      await this.line();
    }
    this.send('PSYNC', replId, String(offset));
    this.reply = await this.line(opts.timeoutMs ?? 10_000);
    if (this.reply.startsWith('+FULLRESYNC')) await this.readRdb(opts.timeoutMs ?? 10_000);
  }

  /** Reads the RDB payload that follows +FULLRESYNC. */
  async readRdb(timeoutMs = 10_000): Promise<Buffer> {
    const header = await this.line(timeoutMs);
    if (header.startsWith('$EOF:')) {
      this.eofForm = true;
      const mark = Buffer.from(header.slice(5), 'latin1');
      this.rdb = await this.until(() => {
        const at = this.buf.indexOf(mark);
        if (at < 0) return undefined;
        const rdb = Buffer.from(this.buf.subarray(0, at));
        this.buf = this.buf.subarray(at + mark.length);
        return rdb;
      }, timeoutMs);
    } else {
      const len = Number(header.slice(1));
      this.rdb = await this.until(() => {
        if (this.buf.length < len) return undefined;
        const rdb = Buffer.from(this.buf.subarray(0, len));
        this.buf = this.buf.subarray(len);
        return rdb;
      }, timeoutMs);
    }
    return this.rdb;
  }

  /** Stream bytes received so far (taken). */
  take(): string {
    const s = this.buf.toString('latin1');
    this.buf = Buffer.alloc(0);
    return s;
  }

  /** Waits until the stream holds at least `n` bytes, then takes exactly them. */
  async takeBytes(n: number, timeoutMs = 5000): Promise<string> {
    return this.until(() => {
      if (this.buf.length < n) return undefined;
      const s = this.buf.subarray(0, n).toString('latin1');
      this.buf = this.buf.subarray(n);
      return s;
    }, timeoutMs);
  }

  /** Waits until the received stream contains `text`, then takes everything up to its end. */
  async takeThrough(text: string, timeoutMs = 5000): Promise<string> {
    return this.until(() => {
      const at = this.buf.indexOf(text);
      if (at < 0) return undefined;
      const s = this.buf.subarray(0, at + text.length).toString('latin1');
      this.buf = this.buf.subarray(at + text.length);
      return s;
    }, timeoutMs);
  }
}
