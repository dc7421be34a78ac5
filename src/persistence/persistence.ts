/**
 * Persistence: RDB snapshots and the server's loading state. Loads the dataset at start-up (the
 * AOF when appendonly is on, else dump.rdb) while answering clients with -LOADING; SAVE, BGSAVE
 * [SCHEDULE] and the `save <seconds> <changes>` points; the final save of SHUTDOWN and of a
 * signal; DEBUG RELOAD; the rdb_* fields of INFO persistence. Mirrors redis rdb.c (rdbSave,
 * rdbSaveBackground, rdbLoad), server.c (serverCron's save points, prepareForShutdown) and
 * loadDataFromDisk.
 *
 * BGSAVE runs in this process: a Snapshot (snapshot.ts) writes a point-in-time image in slices
 * to temp-<pid>.rdb, which is renamed over dbfilename once complete and fsynced, so a crash at
 * any moment leaves the previous dump.rdb intact. Only one snapshot runs at a time (BGSAVE or an
 * AOF rewrite), like Redis's single child process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Bytes } from '../keyspace/bytes.js';
import type { RedisValue } from '../keyspace/redis-value.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import { replicationSaveInfo } from '../replication/replica-restart.js';
import type { Server } from '../server.js';
import { MISCONF_RDB, type ReplyError } from '../protocol/reply-errors.js';
import { RdbFileEncoder } from './rdb-file.js';
import { RdbLoader, type RdbLoadTarget } from './rdb-loader.js';
import { Snapshot, writeImageSync } from './snapshot.js';

/** Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this long. */
const BGSAVE_RETRY_DELAY_MS = 5000;
/** Loading yields to the event loop after this much work, so clients get -LOADING. */
const LOAD_SLICE_MS = 10;

/** A BGSAVE in progress. */
interface BgSave {
  snapshot: Snapshot;
  /** performance.now() at the start. */
  started: number;
  /** server.dirty at the start: what a successful save makes persistent. */
  dirtyAtStart: number;
  tempPath: string;
}

/** Loading progress (INFO persistence loading_* fields). */
interface LoadingProgress {
  startTime: number;
  totalBytes: number;
  loadedBytes: number;
}

/**
 * A dataset file that cannot be loaded: the server must not start with part of it. `logged`:
 * Redis's lines for it are in the log already, so kioku-server does not log the message again
 * (tools and Redis's tests count those lines).
 */
export class LoadError extends Error {
  constructor(
    message: string,
    readonly logged = false,
  ) {
    super(message);
  }
}

export class Persistence {
  private bgsave: BgSave | undefined;
  /** BGSAVE SCHEDULE while another snapshot ran: start one as soon as it ends. */
  bgsaveScheduled = false;
  lastBgsaveOk = true;
  /** Unix ms of the last BGSAVE attempt (save points retry a failed one after 5 s). */
  private lastBgsaveTry = 0;
  lastBgsaveSeconds = -1;
  /** rdb_last_cow_size: the last BGSAVE's peak of kept copies (snapshot.ts). */
  lastCowBytes = 0;
  /** rdb_saves: successful saves since start. */
  saves = 0;
  lastLoadKeysLoaded = 0;
  lastLoadKeysExpired = 0;
  /** Set while loading (INFO loading:1 and its progress fields). */
  loading: LoadingProgress | undefined;
  /** Set while a replica loads its primary's RDB beside the live data (INFO async_loading:1). */
  asyncLoading: LoadingProgress | undefined;
  /**
   * The replication position dump.rdb was saved at (aux fields repl-id, repl-offset,
   * repl-stream-db), read by the start-up load: a replica continues from there (PSYNC).
   */
  savedReplication: { replId: string; offset: number; streamDb: number } | undefined;
  /** Keys of that file skipped as expired: a primary continuing its history propagates their DEL. */
  expiredAtLoad: [number, Bytes][] = [];

  constructor(private readonly server: Server) {}

  /** The dump file: `dir`/`dbfilename`. */
  rdbPath(): string {
    return path.resolve(this.server.config.get('dir'), this.server.config.get('dbfilename'));
  }

  private tempPath(): string {
    return path.resolve(this.server.config.get('dir'), `temp-${process.pid}.rdb`);
  }

  /** An RDB encoder per rdbcompression / rdbchecksum: dump.rdb, or an AOF base (`aofBase`). */
  rdbEncoder(aofBase = false): RdbFileEncoder {
    const config = this.server.config;
    return new RdbFileEncoder({
      compress: config.getBool('rdbcompression'),
      checksum: config.getBool('rdbchecksum'),
      aofBase,
      usedMemory: this.server.memory.used(),
      replication: aofBase ? undefined : replicationSaveInfo(this.server),
    });
  }

  /**
   * The error that refuses writes (and PING) after a failed BGSAVE, as Redis's
   * writeCommandsDeniedByDiskError: with stop-writes-on-bgsave-error yes and save points set.
   * The dispatcher asks only while the last BGSAVE failed.
   */
  diskError(): ReplyError | undefined {
    if (this.lastBgsaveOk || this.savePoints().length === 0) return undefined;
    return this.server.config.getBool('stop-writes-on-bgsave-error') ? MISCONF_RDB : undefined;
  }

  /** A BGSAVE is running. */
  get bgsaveInProgress(): boolean {
    return this.bgsave !== undefined;
  }

  /**
   * An RDB snapshot is being produced: a BGSAVE, or a diskless replica sync (which Redis makes
   * with an RDB child too: INFO rdb_bgsave_in_progress:1, and BGSAVE answers "already in progress").
   */
  get rdbSnapshotInProgress(): boolean {
    return this.bgsave !== undefined || this.server.replication.replicas.disklessSyncRunning;
  }

  /** Seconds the running BGSAVE has taken so far, or -1. */
  currentBgsaveSeconds(): number {
    return this.bgsave === undefined ? -1 : Math.floor((performance.now() - this.bgsave.started) / 1000);
  }

  // ---- Loading ----

  /**
   * Start-up: loads the AOF when appendonly is on, else dump.rdb if there is one. The server is
   * already listening; until this resolves, commands without the `loading` flag get -LOADING.
   * Throws LoadError when the data cannot be loaded (the server must not start).
   */
  async loadAtStart(): Promise<void> {
    const server = this.server;
    const started = performance.now();
    if (server.config.getBool('appendonly')) {
      this.loading = { startTime: Math.floor(Date.now() / 1000), totalBytes: 0, loadedBytes: 0 };
      try {
        await server.aof.load();
      } finally {
        this.loading = undefined;
      }
    } else {
      const file = this.rdbPath();
      if (!fs.existsSync(file)) return;
      await this.loadRdb(file);
    }
    server.log.info(`DB loaded from disk: ${((performance.now() - started) / 1000).toFixed(3)} seconds`);
  }

  /**
   * Loads an RDB file into the databases a slice at a time, yielding to the event loop between
   * slices. Keys already expired are skipped, as a primary does.
   */
  async loadRdb(file: string): Promise<void> {
    let buf: Buffer;
    // Loading starts now: clients get -LOADING while the file is read, too.
    this.loading = { startTime: Math.floor(Date.now() / 1000), totalBytes: 0, loadedBytes: 0 };
    try {
      buf = await fs.promises.readFile(file);
    } catch (e) {
      this.loading = undefined;
      throw new LoadError(`Fatal error loading the DB: ${(e as Error).message}. Exiting.`);
    }
    const load = this.rdbLoad(buf, file, false);
    try {
      while (!load.step(performance.now() + LOAD_SLICE_MS)) await new Promise((resolve) => setImmediate(resolve));
    } finally {
      this.loading = undefined;
    }
  }

  /**
   * A load of an RDB image in progress: `step(deadline)` loads until the deadline and returns
   * true once done. `merge`: a key read from the file replaces one already present (DEBUG RELOAD
   * MERGE); otherwise a duplicate key is an error, as in Redis. `into`: databases to load into
   * instead of the server's (a replica's full sync, replica-sync.ts): INFO shows it as async loading.
   */
  rdbLoad(buf: Buffer, file: string, merge: boolean, into?: Keyspace[]): { step(deadline: number): boolean } {
    const server = this.server;
    const progress: LoadingProgress = { startTime: Math.floor(Date.now() / 1000), totalBytes: buf.length, loadedBytes: 0 };
    // `into`: a replica's full sync loads beside the live databases, which keep serving.
    const setProgress = (p: LoadingProgress | undefined) => {
      if (into === undefined) this.loading = p;
      else this.asyncLoading = p;
    };
    setProgress(progress);
    // Replicas keep expired keys: their primary's DEL removes them.
    const keepExpired = server.isReplica() || server.config.get('replicaof') !== '';
    let loaded = 0;
    let expired = 0;
    const now = Date.now();
    const target: RdbLoadTarget = {
      aux: (key, value) => {
        if (key === 'redis-ver') server.log.info(`Loading RDB produced by version ${value}`);
        else if (key === 'ctime') server.log.info(`RDB age ${Math.max(0, Math.floor(now / 1000) - Number(value))} seconds`);
        else if (key === 'used-mem') server.log.info(`RDB memory usage when created ${(Number(value) / 1048576).toFixed(2)} Mb`);
        else if (into === undefined && key.startsWith('repl-')) this.savedReplicationField(key, value);
      },
      key: (dbIndex: number, key: Bytes, value: RedisValue, expireAt: number | undefined) => {
        const db = into === undefined ? server.db(dbIndex) : into[dbIndex];
        if (db === undefined) {
          throw new LoadError(`FATAL: Data file was created with a Redis server configured to handle more than ${server.keyspaces.length} databases. Exiting`);
        }
        if (expireAt !== undefined && expireAt <= now && !keepExpired) {
          expired++;
          // A primary restarting with its replication position propagates these deletions.
          if (into === undefined && this.savedReplication !== undefined) this.expiredAtLoad.push([dbIndex, key]);
          return;
        }
        const size = db.size;
        db.load(key, value, expireAt);
        // The key was there already (the Map did not grow): only DEBUG RELOAD MERGE allows it.
        if (db.size === size && !merge) throw new LoadError(`RDB has duplicated key '${key}' in DB ${dbIndex}`);
        loaded++;
      },
      functionLibrary: () => {
        server.log.warn('The RDB file holds a function library; Kioku has no scripting engine and skips it');
      },
    };
    const loader = new RdbLoader(buf, target, { limits: server.encodingLimits, source: path.basename(file) });
    return {
      step: (deadline: number): boolean => {
        let done: boolean;
        try {
          done = loader.step(deadline);
        } catch (e) {
          setProgress(undefined);
          if (e instanceof LoadError) throw e;
          throw new LoadError(`Short read or OOM loading DB. Unrecoverable error, aborting now. (${(e as Error).message})`);
        }
        progress.loadedBytes = loader.offset;
        if (done) {
          setProgress(undefined);
          this.lastLoadKeysLoaded = loaded;
          this.lastLoadKeysExpired = expired;
          server.log.info(`Done loading RDB, keys loaded: ${loaded}, keys expired: ${expired}.`);
        }
        return done;
      },
    };
  }

  /** An aux field repl-id / repl-offset / repl-stream-db of dump.rdb (see savedReplication). */
  private savedReplicationField(key: string, value: Bytes): void {
    const saved = (this.savedReplication ??= { replId: '', offset: -1, streamDb: 0 });
    if (key === 'repl-id') saved.replId = value;
    else if (key === 'repl-offset') saved.offset = Number(value);
    else if (key === 'repl-stream-db') saved.streamDb = Number(value);
  }

  // ---- Saving ----

  /**
   * SAVE: writes the whole dataset now, blocking the server as Redis's SAVE does, to a temporary
   * file renamed over dbfilename. Returns false (and logs why) on failure.
   */
  saveSync(): boolean {
    const server = this.server;
    const temp = this.tempPath();
    try {
      writeImageSync(server, this.rdbEncoder(), temp);
      fs.renameSync(temp, this.rdbPath());
    } catch (e) {
      fs.rmSync(temp, { force: true });
      server.log.warn(`Failed saving the DB: ${(e as Error).message}`);
      return false;
    }
    server.log.info('DB saved on disk');
    this.saved(server.dirty);
    return true;
  }

  /** A save made the changes counted up to `dirtyAtStart` persistent. */
  private saved(dirtyAtStart: number): void {
    const server = this.server;
    server.dirty -= dirtyAtStart;
    server.lastSave = Math.floor(Date.now() / 1000);
    // Any successful save lifts the MISCONF refusal (Redis rdbSave resets lastbgsave_status too).
    this.lastBgsaveOk = true;
    this.saves++;
  }

  /**
   * BGSAVE: starts a background save; false when a snapshot (BGSAVE or AOF rewrite) is already
   * running. `onEnd` learns the outcome once dump.rdb is replaced (a disk-based replica sync).
   */
  startBgsave(onEnd?: (ok: boolean) => void): boolean {
    const server = this.server;
    if (server.snapshotGuard !== undefined) return false;
    this.bgsaveScheduled = false;
    this.lastBgsaveTry = Date.now();
    const tempPath = this.tempPath();
    const snapshot = Snapshot.start(server, this.rdbEncoder(), tempPath);
    const job: BgSave = { snapshot, started: performance.now(), dirtyAtStart: server.dirty, tempPath };
    this.bgsave = job;
    server.log.info(`Background saving started by pid ${process.pid}`);
    // Complete and fsynced: only then does it replace dump.rdb (a failed rename fails the save).
    snapshot.done.then(() => fs.promises.rename(tempPath, this.rdbPath())).then(
      () => {
        this.bgsaveEnded(job, true);
        onEnd?.(true);
      },
      (e: Error) => {
        fs.rmSync(tempPath, { force: true });
        if (e.message !== 'snapshot cancelled') server.log.warn(`Background saving error: ${e.message}`);
        this.bgsaveEnded(job, false);
        onEnd?.(false);
      },
    );
    return true;
  }

  private bgsaveEnded(job: BgSave, ok: boolean): void {
    this.bgsave = undefined;
    this.lastBgsaveOk = ok;
    this.lastCowBytes = job.snapshot.peakKeptBytes;
    this.lastBgsaveSeconds = Math.round((performance.now() - job.started) / 1000);
    if (ok) {
      this.server.log.info('DB saved on disk');
      this.server.log.info('Background saving terminated with success');
      this.saved(job.dirtyAtStart);
    }
  }

  /** Cancels a running BGSAVE (SHUTDOWN, FLUSHALL); its temporary file is removed. */
  cancelBgsave(): void {
    if (this.bgsave === undefined) return;
    this.server.log.warn('There is a child saving an .rdb. Killing it!');
    this.bgsave.snapshot.cancel();
  }

  /**
   * FLUSHALL: a BGSAVE in progress would write the old data, so it is cancelled; with save points
   * configured, the (empty) dataset is saved at once, as Redis 7.0 does (keeping `dirty`).
   */
  afterFlushAll(): void {
    this.cancelBgsave();
    if (this.savePoints().length === 0) return;
    // The save resets the change counter; FLUSHALL must still count as a change (propagation).
    const dirty = this.server.dirty;
    this.saveSync();
    this.server.dirty = dirty;
  }

  /** The `save` directive as [seconds, changes] pairs. */
  savePoints(): [number, number][] {
    const words = this.server.config.get('save').split(' ').filter((w) => w !== '');
    const points: [number, number][] = [];
    for (let i = 0; i + 1 < words.length; i += 2) points.push([Number(words[i]), Number(words[i + 1])]);
    return points;
  }

  /** serverCron: a scheduled BGSAVE, or one due by a save point. */
  cron(): void {
    const server = this.server;
    if (server.snapshotGuard !== undefined || this.loading !== undefined) return;
    if (this.bgsaveScheduled) {
      this.startBgsave();
      return;
    }
    const now = Date.now();
    const since = now / 1000 - server.lastSave;
    for (const [seconds, changes] of this.savePoints()) {
      if (server.dirty < changes || since <= seconds) continue;
      if (!this.lastBgsaveOk && now - this.lastBgsaveTry <= BGSAVE_RETRY_DELAY_MS) continue;
      server.log.info(`${changes} changes in ${seconds} seconds. Saving...`);
      this.startBgsave();
      return;
    }
  }

  /**
   * Before the server stops (SHUTDOWN or a signal): cancels a BGSAVE and writes the final
   * snapshot when asked to (`save`), or when save points are configured unless `nosave`.
   * Returns false when that save failed (the shutdown is then refused unless forced).
   */
  finalSave(opts: { save: boolean; nosave: boolean }): boolean {
    this.cancelBgsave();
    if (opts.nosave || (!opts.save && this.savePoints().length === 0)) return true;
    // Half-loaded data must never replace the file it is being loaded from.
    if (this.loading !== undefined) return true;
    this.server.log.info('Saving the final RDB snapshot before exiting.');
    if (this.saveSync()) return true;
    this.server.log.warn('Error trying to save the DB, can\'t exit.');
    return false;
  }

  /**
   * DEBUG RELOAD's load: empties the databases (unless `noflush`) and loads dump.rdb at once.
   * `merge`: keys in the file replace those present. Throws LoadError when the file cannot be read.
   */
  reloadSync(opts: { merge: boolean; noflush: boolean }): void {
    const server = this.server;
    const file = this.rdbPath();
    let buf: Buffer;
    try {
      buf = fs.readFileSync(file);
    } catch (e) {
      throw new LoadError((e as Error).message);
    }
    if (!opts.noflush) for (const db of server.keyspaces) db.flush();
    this.rdbLoad(buf, file, opts.merge).step(Infinity);
  }
}
