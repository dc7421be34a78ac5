/**
 * A replica's full sync, after +FULLRESYNC: receiving the primary's RDB payload and loading it.
 *
 * - SyncPayload takes the bytes that follow +FULLRESYNC. The primary announces the payload as
 *   `$<len>\r\n` followed by exactly len bytes (disk sync), or as `$EOF:<40 random bytes>\r\n`
 *   followed by the RDB and the same 40 bytes (diskless sync, length unknown in advance). Before
 *   the announcement it may send bare `\n` keepalives while it prepares the RDB: skipped. Bytes
 *   after the payload are the start of the command stream and are handed back.
 * - loadSyncPayload loads the RDB in slices into new databases while the live ones keep serving
 *   clients (stale reads), then swaps every database's contents in at once, as FLUSHALL/SWAPDB
 *   replace a keyspace's Maps (WATCH, blocked clients, client-side caching told as for a flush).
 *
 * Mirrors redis replication.c readSyncBulkPayload() (with repl-diskless-load disabled the payload
 * is kept whole before loading; here in memory, see COMPAT below) and the swapdb path of
 * disklessLoadMakeBackup / disklessLoadDiscardBackup.
 */
import { performance } from 'node:perf_hooks';
import { Keyspace } from '../keyspace/keyspace.js';
import type { Server } from '../server.js';

/** A load slice: the event loop serves clients between two slices. */
const LOAD_SLICE_MS = 10;
const EOF_MARK_LENGTH = 40;

/** What the payload's first line announced. */
type Announce = { kind: 'bulk'; size: number } | { kind: 'eof'; mark: Buffer };

/** The RDB payload of a full sync, as it arrives. */
export class SyncPayload {
  /** undefined until the `$` line has been read. */
  announce: Announce | undefined;
  /** Payload bytes received so far (INFO master_sync_read_bytes). */
  readBytes = 0;
  private line = Buffer.alloc(0);
  private readonly chunks: Buffer[] = [];
  /** EOF form: the last bytes received, to find a mark split between two chunks. */
  private tail = Buffer.alloc(0);

  /** INFO master_sync_total_bytes: -1 until announced, 0 for the EOF form (size unknown). */
  get totalBytes(): number {
    if (this.announce === undefined) return -1;
    return this.announce.kind === 'bulk' ? this.announce.size : 0;
  }

  /**
   * Takes bytes from the primary. Returns undefined while the payload is incomplete; once it is,
   * `{ rdb, rest }` (rest: stream bytes that followed it). Throws an Error whose message is the
   * log line when the primary sent something else than a payload.
   */
  push(chunk: Buffer, log: (line: string) => void): { rdb: Buffer; rest: Buffer } | undefined {
    let data = chunk;
    if (this.announce === undefined) {
      data = this.readAnnounce(data, log);
      if (this.announce === undefined) return undefined;
    }
    const a: Announce = this.announce;
    if (a.kind === 'bulk') {
      const want = a.size - this.readBytes;
      const take = Math.min(want, data.length);
      if (take > 0) this.chunks.push(data.subarray(0, take));
      this.readBytes += take;
      if (this.readBytes < a.size) return undefined;
      return { rdb: Buffer.concat(this.chunks, a.size), rest: data.subarray(take) };
    }
    if (data.length === 0) return undefined;
    // The mark may straddle chunks: search the previous chunk's last 39 bytes plus this one.
    const window = this.tail.length === 0 ? data : Buffer.concat([this.tail, data]);
    const at = window.indexOf(a.mark);
    if (at < 0) {
      this.chunks.push(data);
      this.readBytes += data.length;
      this.tail = Buffer.from(window.subarray(Math.max(0, window.length - (EOF_MARK_LENGTH - 1))));
      return undefined;
    }
    const endInData = at - this.tail.length; // may be negative: the mark began in the previous chunk
    const body = Buffer.concat(this.chunks, this.readBytes);
    const rdb = endInData >= 0 ? Buffer.concat([body, data.subarray(0, endInData)]) : body.subarray(0, body.length + endInData);
    this.readBytes = rdb.length;
    return { rdb, rest: data.subarray(endInData + EOF_MARK_LENGTH) };
  }

  /** Reads the `$...` line (skipping `\n` keepalives); returns the bytes after it. */
  private readAnnounce(chunk: Buffer, log: (line: string) => void): Buffer {
    let data = this.line.length === 0 ? chunk : Buffer.concat([this.line, chunk]);
    for (;;) {
      const lf = data.indexOf(10);
      if (lf < 0) {
        this.line = Buffer.from(data);
        return Buffer.alloc(0);
      }
      const text = data.toString('latin1', 0, lf > 0 && data[lf - 1] === 13 ? lf - 1 : lf);
      data = data.subarray(lf + 1);
      if (text === '') continue; // a keepalive newline
      this.line = Buffer.alloc(0);
      if (text.startsWith('-')) throw new Error(`MASTER aborted replication with an error: ${text.slice(1)}`);
      if (!text.startsWith('$')) throw new Error(`Bad protocol from MASTER, the first byte is not '$' (we received '${text}'), are you sure the host and port are right?`);
      if (text.startsWith('$EOF:') && text.length === 5 + EOF_MARK_LENGTH) {
        this.announce = { kind: 'eof', mark: Buffer.from(text.slice(5), 'latin1') };
        log('MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk');
      } else {
        const size = Number(text.slice(1));
        if (!Number.isInteger(size) || size < 0) throw new Error(`Bad protocol from MASTER, the first byte is not '$' (we received '${text}'), are you sure the host and port are right?`);
        this.announce = { kind: 'bulk', size };
        log(`MASTER <-> REPLICA sync: receiving ${size} bytes from master to disk`);
      }
      return data;
    }
  }
}

/** A sync load in progress; `cancel()` stops it (the link was stopped or lost meanwhile). */
export interface SyncLoad {
  done: Promise<void>;
  cancel(): void;
}

/**
 * Loads a full sync's RDB into new databases in slices, then swaps them in at once. `done`
 * rejects with the loader's error (the live data is untouched then).
 * COMPAT: Redis (repl-diskless-load disabled) saves the payload to a temp file, flushes its data
 * and loads while answering -LOADING; Kioku keeps the payload in memory and keeps serving the old
 * data (or -MASTERDOWN per replica-serve-stale-data) until the new data is swapped in, as
 * repl-diskless-load swapdb does.
 */
export function loadSyncPayload(server: Server, rdb: Buffer): SyncLoad {
  const fresh = server.keyspaces.map((db) => new Keyspace(db.index, server));
  let cancelled = false;
  const done = (async () => {
    const load = server.persistence.rdbLoad(rdb, 'the replication payload', false, fresh);
    try {
      while (!load.step(performance.now() + LOAD_SLICE_MS)) {
        await new Promise((resolve) => setImmediate(resolve));
        if (cancelled) throw new Error('cancelled');
      }
    } finally {
      server.persistence.asyncLoading = undefined;
    }
    if (cancelled) throw new Error('cancelled');
    swapInDatabases(server, fresh);
  })();
  return { done, cancel: () => (cancelled = true) };
}

/** Every database takes the loaded contents at once (Redis swapdb load's final swap). */
function swapInDatabases(server: Server, fresh: Keyspace[]): void {
  server.log.info('MASTER <-> REPLICA sync: Swapping active DB with loaded DB');
  for (const db of server.keyspaces) {
    const loaded = fresh[db.index]!;
    server.watches.dbReplaced(db, loaded);
    db.swapWith(loaded);
    server.blocking.databaseChanged(db);
  }
  server.tracking.flushed();
  server.log.info('MASTER <-> REPLICA sync: Discarding old DB in background');
}
