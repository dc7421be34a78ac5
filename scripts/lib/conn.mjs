/**
 * A minimal RESP connection for the benchmark scripts: commands are pipelined and each reply
 * (simple, error, integer or bulk string: what SET, GET, INFO and the like answer) resolves in
 * order, as raw text.
 */
import net from 'node:net';

export function resp(args) {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return s;
}

/** A connection that sends commands and resolves each reply in order (simple replies only). */
export class Conn {
  static open(port) {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new Conn(s)));
      s.once('error', reject);
    });
  }
  constructor(sock) {
    this.sock = sock;
    this.buf = '';
    this.waiting = [];
    sock.setNoDelay(true);
    sock.on('data', (d) => {
      this.buf += d.toString('latin1');
      this.drain();
    });
  }
  drain() {
    for (;;) {
      if (this.waiting.length === 0 || this.buf.length === 0) return;
      const end = replyEnd(this.buf);
      if (end < 0) return;
      const reply = this.buf.slice(0, end);
      this.buf = this.buf.slice(end);
      this.waiting.shift()(reply);
    }
  }
  /** Sends several commands at once; resolves with their replies. */
  send(commands) {
    this.sock.write(commands.map(resp).join(''));
    return Promise.all(commands.map(() => new Promise((r) => this.waiting.push(r))));
  }
  close() {
    this.sock.destroy();
  }
}

/** End of the first RESP reply in s (simple, error, integer or bulk), or -1. */
export function replyEnd(s) {
  const nl = s.indexOf('\r\n');
  if (nl < 0) return -1;
  if (s[0] !== '$') return nl + 2;
  const len = Number(s.slice(1, nl));
  if (len < 0) return nl + 2;
  return s.length >= nl + 2 + len + 2 ? nl + 2 + len + 2 : -1;
}

