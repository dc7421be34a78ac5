/**
 * Slowlog: commands that took longer than `slowlog-log-slower-than` microseconds, newest first,
 * at most `slowlog-max-len` entries. Mirrors redis slowlog.c, including how long arguments are
 * shortened (32 args at most, 128 bytes each).
 */
import type { Bytes } from './keyspace/bytes.js';
import type { Client } from './client.js';

const MAX_ARGS = 32;
const MAX_ARG_LEN = 128;

export interface SlowlogEntry {
  id: number;
  /** Unix seconds. */
  time: number;
  usec: number;
  argv: Bytes[];
  addr: string;
  name: string;
}

export class Slowlog {
  entries: SlowlogEntry[] = [];
  private nextId = 0;
  /** slowlog-log-slower-than (µs; negative disables) and slowlog-max-len. */
  slowerThan = 10000;
  maxLen = 128;

  /** Records the command if it was slow enough. */
  consider(client: Client, argv: readonly Bytes[], usec: number): void {
    if (this.slowerThan < 0 || usec < this.slowerThan) return;
    const shown: Bytes[] = [];
    const n = Math.min(argv.length, MAX_ARGS);
    for (let i = 0; i < n; i++) {
      if (i === MAX_ARGS - 1 && argv.length > MAX_ARGS) {
        shown.push(`... (${argv.length - MAX_ARGS + 1} more arguments)`);
        break;
      }
      const a = argv[i]!;
      shown.push(a.length > MAX_ARG_LEN ? `${a.slice(0, MAX_ARG_LEN)}... (${a.length - MAX_ARG_LEN} more bytes)` : a);
    }
    this.entries.unshift({
      id: this.nextId++,
      time: Math.floor(Date.now() / 1000),
      usec,
      argv: shown,
      addr: client.remoteAddress,
      name: client.name,
    });
    this.trim();
  }

  trim(): void {
    if (this.entries.length > this.maxLen) this.entries.length = this.maxLen;
  }

  reset(): void {
    this.entries = [];
  }
}
