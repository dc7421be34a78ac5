/**
 * AOF loading: replays one AOF file (a base or an incremental file of the multi-part layout, or
 * an old single-file appendonly.aof) into the databases. A file may start with an RDB preamble
 * ("REDIS..."), read by rdb-loader.ts; the rest is RESP commands, run through the dispatcher
 * (DESIGN.md C10) by an internal client that has no socket: its replies are dropped, it is
 * authenticated, and nothing is propagated (the AOF subscribes to the propagator only after
 * loading). MULTI ... EXEC blocks are applied only once their EXEC is read, so a transaction cut
 * off by a crash is never half-applied. Work is done in slices of LOAD_SLICE_MS so that clients
 * get -LOADING meanwhile. Mirrors redis aof.c loadSingleAppendOnlyFile().
 *
 * Outcomes, with Redis 7.0's log lines:
 * - a truncated last command (or an unfinished MULTI) in the last file: with aof-load-truncated
 *   the file is cut back to the last complete command, otherwise loading fails;
 * - anything else that is not a well-formed command (bad format, unknown command, truncation of
 *   a file that is not the last, a damaged RDB preamble) fails; the error names the file and the
 *   offset. A failed load never leaves the server running on part of the data.
 */
import fs from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Bytes } from '../keyspace/bytes.js';
import type { RedisValue } from '../keyspace/redis-value.js';
import { Client } from '../client.js';
import type { CommandSpec, CommandStats } from '../commands/command-spec.js';
import type { Server } from '../server.js';
import { LoadError } from './persistence.js';
import { RdbLoader, type RdbLoadTarget } from './rdb-loader.js';

/** Work done between two yields to the event loop while loading. */
const LOAD_SLICE_MS = 10;
/** Bytes read from a file at a time (more when one command is larger). */
const READ_CHUNK = 4 * 1024 * 1024;
/** Commands run between two clock reads. */
const CLOCK_EVERY = 256;
/** The id of the loading client (Redis CLIENT_ID_AOF is UINT64_MAX; this is the largest exact double). */
const AOF_CLIENT_ID = Number.MAX_SAFE_INTEGER;

/** How a file ended. */
export type AofFileStatus = 'ok' | 'empty' | 'truncated';

/** One file to load. */
export interface AofFileToLoad {
  /** Full path. */
  path: string;
  /** Name shown in the log (the file name, as Redis logs it). */
  name: string;
  /** The last file of the AOF: only it may be truncated. */
  last: boolean;
}

/** Why a RESP command could not be read at an offset. */
type ParseFailure = 'truncated' | 'format';

/** Sentinel for "no complete command here". */
class ParseStop {
  constructor(
    readonly reason: ParseFailure,
    readonly offset: number,
  ) {}
}

/**
 * Reads one RESP multibulk command at `pos`: its arguments and the offset after it, or the
 * reason there is none (the end of the buffer comes first: truncated; anything else: format).
 */
export function readCommand(buf: Buffer, pos: number): { argv: Bytes[]; next: number } | ParseStop {
  const start = pos;
  if (buf[pos] !== 42 /* * */) return new ParseStop('format', start);
  const count = readNumberLine(buf, pos + 1);
  if (count === undefined) return new ParseStop('truncated', start);
  if (count.value === null || count.value < 1) return new ParseStop('format', start);
  pos = count.next;
  const argv: Bytes[] = new Array(count.value);
  for (let i = 0; i < count.value; i++) {
    if (pos >= buf.length) return new ParseStop('truncated', start);
    if (buf[pos] !== 36 /* $ */) return new ParseStop('format', start);
    const len = readNumberLine(buf, pos + 1);
    if (len === undefined) return new ParseStop('truncated', start);
    if (len.value === null || len.value < 0) return new ParseStop('format', start);
    pos = len.next;
    if (pos + len.value + 2 > buf.length) return new ParseStop('truncated', start);
    if (buf[pos + len.value] !== 13 || buf[pos + len.value + 1] !== 10) return new ParseStop('format', start);
    argv[i] = buf.toString('latin1', pos, pos + len.value) as Bytes;
    pos += len.value + 2;
  }
  return { argv, next: pos };
}

/**
 * A decimal number ending in CRLF at `pos`: undefined when the buffer ends first, value null
 * when the line is not a number.
 */
function readNumberLine(buf: Buffer, pos: number): { value: number | null; next: number } | undefined {
  let n = 0;
  let digits = 0;
  for (let i = pos; i < buf.length; i++) {
    const c = buf[i]!;
    if (c === 13) {
      if (i + 1 >= buf.length) return undefined;
      if (buf[i + 1] !== 10 || digits === 0) return { value: null, next: i + 2 };
      return { value: n, next: i + 2 };
    }
    if (c < 48 || c > 57 || digits > 15) return { value: null, next: i };
    n = n * 10 + (c - 48);
    digits++;
  }
  return undefined;
}

/**
 * A file read in chunks: `buf[pos..]` is what is read and not consumed yet, `offset` the file
 * offset of `pos`. A command longer than what is buffered makes the next read at least as large
 * as the buffer, so a huge argument costs O(n) copying, not O(n²). Memory stays at a chunk or
 * two however large the file (a whole file is read only for an RDB preamble).
 */
class FileChunks {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  /** File offset of buf[0]. */
  private start = 0;
  /** Bytes read from the file so far. */
  private read = 0;

  private constructor(
    private readonly handle: fs.promises.FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<FileChunks> {
    const handle = await fs.promises.open(path, 'r');
    try {
      return new FileChunks(handle, (await handle.stat()).size);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /** File offset of the next unconsumed byte. */
  get offset(): number {
    return this.start + this.pos;
  }

  /** Reads more (at least `min` bytes unless the file ends); false at the end of the file. */
  async more(min = READ_CHUNK): Promise<boolean> {
    if (this.read >= this.size) return false;
    const rest = this.buf.length - this.pos;
    const want = Math.min(this.size - this.read, Math.max(min, READ_CHUNK, rest));
    const next = Buffer.allocUnsafe(rest + want);
    this.buf.copy(next, 0, this.pos);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.handle.read(next, rest + got, want - got, this.read + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.start += this.pos;
    this.read += got;
    this.buf = next.subarray(0, rest + got);
    this.pos = 0;
    return got > 0;
  }

  /** Reads the rest of the file into the buffer. */
  async readAll(): Promise<void> {
    while (this.read < this.size) if (!(await this.more(this.size - this.read))) break;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Gives the event loop a turn (clients get -LOADING meanwhile). */
function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Replays AOF files into a server's databases. */
export class AofLoader {
  /** Bytes of the files loaded so far (INFO loading_loaded_bytes). */
  loadedBytes = 0;
  /** Each command's INFO commandstats counters before the replay ran it first. */
  private readonly statsBefore = new Map<CommandSpec, CommandStats>();
  private readonly totalBefore: number;
  private readonly slowlogBefore: number;

  constructor(
    private readonly server: Server,
    /** Called with the bytes read so far, after each slice. */
    private readonly progress: (loadedBytes: number) => void = () => {},
  ) {
    this.totalBefore = server.stats.totalCommandsProcessed;
    this.slowlogBefore = server.slowlog.entries.length;
  }

  /** Loads one file; throws LoadError when it cannot be loaded (see the header). */
  async loadFile(file: AofFileToLoad): Promise<AofFileStatus> {
    const server = this.server;
    let input: FileChunks;
    try {
      input = await FileChunks.open(file.path);
    } catch (e) {
      throw new LoadError(`Fatal error: can't open the append log file ${file.name} for reading: ${(e as Error).message}`);
    }
    try {
      if (input.size === 0) return 'empty';
      const base = this.loadedBytes;
      const client = this.loadingClient();
      await input.more(5);
      if (input.buf.length >= 5 && input.buf.toString('latin1', 0, 5) === 'REDIS') {
        // An RDB preamble is read as a whole (RdbLoader works on one buffer); RESP may follow it.
        server.log.info('Reading RDB base file on AOF loading...');
        await input.readAll();
        input.pos = await this.loadPreamble(input.buf, file);
      }
      const status = await this.replay(file, input, client, base);
      this.loadedBytes = base + input.size;
      return status;
    } finally {
      await input.close();
    }
  }

  /** Runs the RESP commands of a file from the reader's position to its end. */
  private async replay(file: AofFileToLoad, input: FileChunks, client: Client, base: number): Promise<AofFileStatus> {
    const server = this.server;
    /** Commands read after MULTI (and the file offset of that MULTI), applied at EXEC. */
    let multi: { start: number; queue: [CommandSpec, Bytes[]][] } | undefined;
    let n = 0;
    let deadline = performance.now() + LOAD_SLICE_MS;
    let stop: ParseStop | undefined;
    for (;;) {
      const { buf, pos } = input;
      if (pos >= buf.length) {
        if (await input.more()) continue;
        break;
      }
      if (buf[pos] === 35 /* # */) {
        // An annotation line (aof-timestamp-enabled writes `#TS:<unix seconds>`): skipped.
        const nl = buf.indexOf(10, pos);
        if (nl !== -1) input.pos = nl + 1;
        else if (!(await input.more())) {
          stop = new ParseStop('truncated', input.offset);
          break;
        }
        continue;
      }
      const r = readCommand(buf, pos);
      if (r instanceof ParseStop) {
        // A command cut by the end of what was read so far: read on (the end of the file: truncated).
        if (r.reason === 'truncated' && (await input.more())) continue;
        stop = new ParseStop(r.reason, input.offset);
        break;
      }
      const { argv, next } = r;
      const spec = this.lookup(argv, file, input.offset);
      if (spec.fullName === 'multi') {
        multi = { start: input.offset, queue: [] };
      } else if (spec.fullName === 'exec') {
        if (multi !== undefined) for (const [s, a] of multi.queue) this.run(client, s, a);
        multi = undefined;
      } else if (multi !== undefined) {
        multi.queue.push([spec, argv]);
      } else {
        this.run(client, spec, argv);
      }
      input.pos = next;
      if (++n % CLOCK_EVERY === 0 && performance.now() >= deadline) {
        this.progress(base + input.offset);
        await yieldTurn();
        deadline = performance.now() + LOAD_SLICE_MS;
      }
    }
    if (stop?.reason === 'format') {
      this.fail(
        `Bad file format reading the append only file ${file.name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`,
        `Bad file format reading the append only file ${file.name} at offset ${stop.offset}`,
        file,
        stop.offset,
      );
    }
    if (stop === undefined && multi === undefined) return 'ok';
    // The file ends inside a command or inside MULTI ... EXEC: cut back to before it.
    let validUpTo = stop?.offset ?? input.offset;
    if (multi !== undefined) {
      server.log.warn(`Revert incomplete MULTI/EXEC transaction in AOF file ${file.name}`);
      validUpTo = multi.start;
    }
    return this.truncated(file, validUpTo);
  }

  /** A file that ends early: cut it back (aof-load-truncated, last file only) or fail. */
  private truncated(file: AofFileToLoad, validUpTo: number): AofFileStatus {
    const server = this.server;
    if (!file.last) {
      this.fail(
        `Fatal error: the truncated file is not the last file`,
        `Unexpected end of file reading the append only file ${file.name} at offset ${validUpTo}, which is not the last file of the AOF`,
        file,
        validUpTo,
      );
    }
    if (!server.config.getBool('aof-load-truncated')) {
      this.fail(
        `Unexpected end of file reading the append only file ${file.name}. You can: ` +
          `1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. ` +
          `2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
        `Unexpected end of file reading the append only file ${file.name} at offset ${validUpTo}`,
        file,
        validUpTo,
      );
    }
    server.log.warn(`!!! Warning: short read while loading the AOF file ${file.name}!!!`);
    server.log.warn(`!!! Truncating the AOF ${file.name} at offset ${validUpTo} !!!`);
    try {
      fs.truncateSync(file.path, validUpTo);
    } catch (e) {
      server.log.warn(`Error truncating the AOF file ${file.name}: ${(e as Error).message}`);
      throw new LoadError(`Error truncating the AOF file ${file.name}: ${(e as Error).message}`, true);
    }
    server.log.warn(`AOF ${file.name} loaded anyway because aof-load-truncated is enabled`);
    return 'truncated';
  }

  /** The command of an AOF record; an unknown one (or a wrong argument count) fails the load. */
  private lookup(argv: Bytes[], file: AofFileToLoad, offset: number): CommandSpec {
    const { spec } = this.server.commands.lookup(argv);
    if (spec === undefined || spec.handler === undefined) {
      this.fail(
        `Unknown command '${argv[0]}' reading the append only file ${file.name}`,
        `Unknown command '${argv[0]}' reading the append only file ${file.name} at offset ${offset}`,
        file,
        offset,
      );
    }
    const n = argv.length;
    if ((spec.arity > 0 && n !== spec.arity) || n < -spec.arity) {
      this.fail(
        `Bad file format reading the append only file ${file.name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`,
        `Wrong number of arguments for '${argv[0]}' in the append only file ${file.name} at offset ${offset}`,
        file,
        offset,
      );
    }
    return spec;
  }

  /**
   * Fails the load: where the damage is (Redis's line names no offset), then Redis's line, last
   * as in Redis (tools and Redis's tests read the last line), and a LoadError kioku-server does
   * not log again.
   */
  private fail(redisLine: string, message: string, file: AofFileToLoad, offset: number): never {
    this.server.log.warn(`The damage is in ${file.name} at offset ${offset}`);
    this.server.log.warn(redisLine);
    throw new LoadError(message, true);
  }

  /** Runs one command for the loading client; its reply is dropped. */
  private run(client: Client, spec: CommandSpec, argv: Bytes[]): void {
    if (!this.statsBefore.has(spec)) this.statsBefore.set(spec, { ...spec.stats });
    const mark = client.writer.mark();
    this.server.dispatcher.call(client, spec, argv);
    client.writer.rollback(mark);
  }

  /**
   * Puts back the counters the replay moved (INFO commandstats, total_commands_processed, the
   * slow log): Redis runs AOF commands without counting them.
   */
  restoreStats(): void {
    for (const [spec, before] of this.statsBefore) Object.assign(spec.stats, before);
    this.statsBefore.clear();
    const server = this.server;
    server.stats.totalCommandsProcessed = this.totalBefore;
    // Newest entries come first.
    const added = server.slowlog.entries.length - this.slowlogBefore;
    if (added > 0) server.slowlog.entries.splice(0, added);
  }

  /** A client without a connection, in db 0, authenticated (Redis createAOFClient). */
  private loadingClient(): Client {
    const server = this.server;
    const client = new Client(server, new net.Socket(), AOF_CLIENT_ID, server.keyspaces[0]!);
    client.authenticated = true;
    return client;
  }

  /** Loads the RDB preamble of a file; returns the offset where its RESP part starts. */
  private async loadPreamble(buf: Buffer, file: AofFileToLoad): Promise<number> {
    const server = this.server;
    let loaded = 0;
    const now = Date.now();
    const target: RdbLoadTarget = {
      aux: (key: string, value: Bytes) => {
        if (key === 'redis-ver') server.log.info(`Loading RDB produced by version ${value}`);
        else if (key === 'ctime') server.log.info(`RDB age ${Math.max(0, Math.floor(now / 1000) - Number(value))} seconds`);
        else if (key === 'used-mem') server.log.info(`RDB memory usage when created ${(Number(value) / 1048576).toFixed(2)} Mb`);
        else if (key === 'aof-base' && value === '1') server.log.info('RDB is base AOF');
      },
      key: (dbIndex: number, key: Bytes, value: RedisValue, expireAt: number | undefined) => {
        const db = server.db(dbIndex);
        if (db === undefined) {
          throw new LoadError(`FATAL: Data file was created with a Redis server configured to handle more than ${server.keyspaces.length} databases. Exiting`);
        }
        // Keys already expired are kept, as Redis does for an AOF preamble: later commands
        // of the AOF may still refer to them; expiry removes them after loading.
        db.load(key, value, expireAt);
        loaded++;
      },
      functionLibrary: () => {
        server.log.warn('The AOF base holds a function library; Kioku has no scripting engine and skips it');
      },
    };
    const loader = new RdbLoader(buf, target, { limits: server.encodingLimits, source: file.name });
    const base = this.loadedBytes;
    try {
      while (!loader.step(performance.now() + LOAD_SLICE_MS)) {
        this.progress(base + loader.offset);
        await yieldTurn();
      }
    } catch (e) {
      if (e instanceof LoadError) throw e;
      server.log.warn(`Error reading the RDB preamble of the AOF file ${file.name}, AOF loading aborted`);
      server.log.warn(`RDB preamble error: ${(e as Error).message}`);
      throw new LoadError(`Error reading the RDB preamble of the AOF file ${file.name}: ${(e as Error).message}`, true);
    }
    server.log.info(`Done loading RDB, keys loaded: ${loaded}, keys expired: 0.`);
    return loader.offset;
  }
}
