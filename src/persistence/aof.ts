/**
 * Aof: the append-only file, in Redis 7.0's multi-part layout (aof-manifest.ts): a base file
 * (an RDB image, or RESP commands with aof-use-rdb-preamble no) and incremental files of RESP
 * commands, listed in a manifest inside `appenddirname`. Owns
 * - the writer: every propagated write (replication/propagator.ts) is encoded as RESP into a
 *   buffer, with SELECT when the database changes; the buffer is written to the current
 *   incremental file before any reply of the event-loop turn leaves (`beforeReplies`), and
 *   fsynced there with appendfsync always, once a second off the event loop with everysec;
 * - loading at start-up (aof-loader.ts), including the upgrade of an old single appendonly.aof;
 * - rewrites (BGREWRITEAOF, auto-aof-rewrite-*, CONFIG SET appendonly yes): a new incremental
 *   file is opened, then a Snapshot (snapshot.ts) writes the point-in-time base; once it is on
 *   disk the manifest is switched atomically and the obsolete files are deleted;
 * - the aof_* fields of INFO persistence.
 * Mirrors redis aof.c (feedAppendOnlyFile, flushAppendOnlyFile, rewriteAppendOnlyFileBackground,
 * backgroundRewriteDoneHandler, startAppendOnly/stopAppendOnly, loadAppendOnlyFiles).
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Bytes } from '../keyspace/bytes.js';
import type { Server } from '../server.js';
import {
  AofManifestError,
  addNewBase,
  addNewIncr,
  copyManifest,
  emptyManifest,
  lastIncr,
  markRewrittenIncrsAsHistory,
  readManifestFile,
  type AofFileInfo,
  type AofManifest,
} from './aof-manifest.js';
import {
  AofPaths,
  ensureDir,
  fileSize,
  fsyncDir,
  isFile,
  migrateOldStyle,
  pathTail,
  persistManifest,
  removeQuietly,
} from './aof-files.js';
import { AofLoader } from './aof-loader.js';
import { AofCommandEncoder } from './aof-command-encoder.js';
import { RespBuffer } from './aof-resp.js';
import { strerror } from '../config-params.js';
import { LoadError } from './persistence.js';
import { Snapshot, writeImageSync, type SnapshotEncoder } from './snapshot.js';

/** Redis AOF_OFF / AOF_ON / AOF_WAIT_REWRITE. */
type AofState = 'off' | 'on' | 'wait-rewrite';

/** What BGREWRITEAOF did. */
export type RewriteStart = 'started' | 'scheduled' | 'in-progress';

/** A rewrite in progress. */
interface Rewrite {
  snapshot: Snapshot;
  /** performance.now() at the start. */
  started: number;
  tempPath: string;
  /** The base is an RDB image (aof-use-rdb-preamble when it started): names it .rdb, else .aof. */
  preamble: boolean;
}

/** A file open for appending. */
interface OpenIncr {
  fd: number;
  info: AofFileInfo;
  /** Its name on disk (differs from info.name while AOF is being turned on: temp-<name>.incr). */
  diskName: string;
}

export class Aof {
  private state: AofState = 'off';
  readonly paths: AofPaths;
  /** The manifest as on disk (plus the temporary incremental file while turning on); read lazily. */
  private manifest: AofManifest | undefined;
  private incr: OpenIncr | undefined;
  /** Commands of this turn not yet written. */
  private readonly buf = new RespBuffer();
  /** The database the last written command applied to (-1: write a SELECT first). */
  private selectedDb = -1;
  private unsubscribe: (() => void) | undefined;
  /** aof-timestamp-enabled, cached for the hot path. */
  private timestamps = false;
  /** The unix second of the last `#TS:` annotation written to the current incremental file. */
  private lastTimestamp = -1;
  /** appendfsync, cached for the hot path. */
  private fsyncPolicy: 'always' | 'everysec' | 'no' = 'everysec';
  /** Bytes were written since the last fsync was started. */
  private unsynced = false;
  private fsyncInFlight = false;
  /** performance.now() of the last fsync started (everysec). */
  private lastFsync = 0;
  /** Descriptors retired while an fsync ran: fsynced and closed once it returns. */
  private readonly closeAfterFsync = new Set<number>();
  private rewrite: Rewrite | undefined;

  // ---- INFO persistence ----
  /** aof_rewrite_scheduled: start a rewrite once the running snapshot (BGSAVE) ends. */
  rewriteScheduled = false;
  private rewrites = 0;
  private lastRewriteSeconds = -1;
  private lastBgrewriteOk = true;
  private consecutiveFailures = 0;
  private lastWriteOk = true;
  /** aof_last_cow_size: the last rewrite's peak of kept copies (snapshot.ts). */
  private lastCowSize = 0;
  /** aof_current_size: base + incremental files. */
  private currentSize = 0;
  /** aof_base_size: the size of the base when it was loaded or last rewritten. */
  private baseSize = 0;
  private delayedFsync = 0;
  /** Unix ms before which no automatic rewrite starts (after repeated failures). */
  private nextAutoRewrite = 0;

  constructor(private readonly server: Server) {
    this.paths = new AofPaths(server);
    this.applyConfig();
    server.config.onChange((name) => this.configChanged(name));
  }

  /** Bytes written to the buffer and not yet to the file (INFO mem_aof_buffer, used_memory). */
  get bufferBytes(): number {
    return this.buf.length;
  }

  private applyConfig(): void {
    this.fsyncPolicy = this.server.config.get('appendfsync') as 'always' | 'everysec' | 'no';
    this.timestamps = this.server.config.getBool('aof-timestamp-enabled');
  }

  /** AOF is on (or being turned on): INFO aof_enabled. */
  get enabled(): boolean {
    return this.state !== 'off';
  }

  /** A rewrite is running. */
  get rewriteInProgress(): boolean {
    return this.rewrite !== undefined;
  }

  // ---- Start-up ----

  /**
   * Start-up with appendonly yes: loads the AOF (upgrading an old single file first), then opens
   * it for appending, creating the base and the first incremental file when there are none.
   * Throws LoadError when the AOF cannot be loaded; the server must not start then.
   */
  async load(): Promise<void> {
    const server = this.server;
    const paths = this.paths;
    const m = this.readManifest();
    if (m.base === undefined && m.incrs.length === 0 && isFile(paths.oldStyle)) {
      migrateOldStyle(paths, m);
      server.log.info(`Successfully migrated an old-style AOF file (${paths.fileName}) into the AOF directory (${server.config.get('appenddirname')}).`);
    }
    const files = [...(m.base ? [m.base] : []), ...m.incrs];
    if (files.length > 0) {
      let total = 0;
      for (const f of files) {
        try {
          total += fs.statSync(paths.file(f.name)).size;
        } catch (e) {
          const msg = `Unable to obtain the AOF file ${f.name} length. stat: ${strerror(e)}`;
          server.log.warn(msg);
          throw new LoadError(msg, true);
        }
      }
      // INFO loading_total_bytes / loading_loaded_bytes, when the persistence layer shows them.
      const progress = server.persistence.loading;
      if (progress !== undefined) progress.totalBytes = total;
      const loader = new AofLoader(server, (loaded) => {
        if (progress !== undefined) progress.loadedBytes = loaded;
      });
      const started = performance.now();
      // Nothing expires while the file is replayed: every TTL in it is an absolute time, and
      // time 0 is before all of them (Redis skips expiry while loading).
      server.replayTime = 0;
      try {
        for (let i = 0; i < files.length; i++) {
          const f = files[i]!;
          const t0 = performance.now();
          const status = await loader.loadFile({ path: paths.file(f.name), name: f.name, last: i === files.length - 1 });
          if (status === 'empty') continue;
          const kind = f.type === 'b' ? 'base' : 'incr';
          server.log.info(`DB loaded from ${kind} file ${f.name}: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
        }
      } finally {
        server.replayTime = undefined;
        loader.restoreStats();
      }
      server.log.info(`DB loaded from append only file: ${((performance.now() - started) / 1000).toFixed(3)} seconds`);
      this.baseSize = m.base ? fileSize(paths.file(m.base.name)) : 0;
      this.currentSize = files.reduce((n, f) => n + fileSize(paths.file(f.name)), 0);
    }
    this.openOnStart(m);
  }

  /** The manifest on disk (an empty one when there is none); a bad manifest fails the start. */
  private readManifest(): AofManifest {
    if (this.manifest !== undefined) return this.manifest;
    let m: AofManifest;
    if (!fs.existsSync(this.paths.manifest)) m = emptyManifest();
    else {
      try {
        m = readManifestFile(this.paths.manifest);
      } catch (e) {
        if (e instanceof AofManifestError) {
          for (const line of e.logLines()) this.server.log.warn(line.trimEnd());
          throw new LoadError(`${e.message} (${e.source})`, true);
        }
        throw new LoadError(`Unable to read the AOF manifest file ${this.paths.manifest}: ${strerror(e)}`);
      }
    }
    this.manifest = m;
    return m;
  }

  /** Redis aofOpenIfNeededOnServerStart: base and first incremental file when missing, then append. */
  private openOnStart(m: AofManifest): void {
    const server = this.server;
    const paths = this.paths;
    ensureDir(paths.dir);
    let changed = false;
    if (m.base === undefined && m.incrs.length === 0) {
      const preamble = this.preamble();
      const base = addNewBase(m, paths.fileName, preamble);
      // Mirrors the synchronous rewriteAppendOnlyFile() of Redis's aofOpenIfNeededOnServerStart().
      writeImageSync(server, this.encoder(preamble), paths.file(base.name));
      server.log.info(`Creating AOF base file ${base.name} on server start`);
      changed = true;
    }
    let info = lastIncr(m);
    if (info === undefined) {
      info = addNewIncr(m, paths.fileName);
      server.log.info(`Creating AOF incr file ${info.name} on server start`);
      changed = true;
    } else {
      server.log.info(`Opening AOF incr file ${info.name} on server start`);
    }
    this.incr = { fd: fs.openSync(paths.file(info.name), 'a'), info, diskName: info.name };
    if (changed) persistManifest(paths, m);
    this.manifest = m;
    this.state = 'on';
    this.subscribe();
  }

  // ---- Writing ----

  private subscribe(): void {
    this.unsubscribe ??= this.server.propagator.subscribe(this.feed);
  }

  /** Encodes a propagated write (Redis feedAppendOnlyFile). */
  private readonly feed = (dbIndex: number, argv: readonly Bytes[], replicasOnly: boolean): void => {
    if (replicasOnly) return; // PUBLISH: for replicas, not for the AOF
    if (this.timestamps) {
      // aof-timestamp-enabled: a `#TS:<unix seconds>` annotation whenever the second changes.
      const ts = Math.floor(Date.now() / 1000);
      if (ts !== this.lastTimestamp) {
        this.buf.raw(Buffer.from(`#TS:${ts}\r\n`, 'latin1'));
        this.lastTimestamp = ts;
      }
    }
    if (dbIndex !== this.selectedDb) {
      this.buf.command(['SELECT' as Bytes, String(dbIndex) as Bytes]);
      this.selectedDb = dbIndex;
    }
    this.buf.command(argv);
  };

  /**
   * Writes this turn's commands to the incremental file, before any reply of the turn is sent;
   * with appendfsync always, fsyncs too (Redis flushAppendOnlyFile in beforeSleep). Costs one
   * comparison when there is nothing to write (AOF off, or no writes this turn).
   */
  beforeReplies(): void {
    if (this.buf.length === 0 || this.incr === undefined) return;
    const data = this.buf.view();
    let written = 0;
    try {
      while (written < data.length) written += fs.writeSync(this.incr.fd, data, written, data.length - written);
      if (this.fsyncPolicy === 'always') fs.fdatasyncSync(this.incr.fd);
      else this.unsynced = true;
      if (!this.lastWriteOk) this.server.log.warn('AOF write error looks solved, Redis can write again.');
      this.lastWriteOk = true;
    } catch (e) {
      // COMPAT: Redis exits on a write error with appendfsync always and refuses writes with
      // -MISCONF meanwhile; Kioku logs, keeps the unwritten bytes and retries on the next turn.
      if (this.lastWriteOk) this.server.log.warn(`Error writing to the AOF file: ${strerror(e)}`);
      this.lastWriteOk = false;
      this.currentSize += written;
      this.keepUnwritten(data, written);
      return;
    }
    this.currentSize += written;
    this.buf.clear();
  }

  /** After a failed write: keeps the bytes not written yet for the next attempt. */
  private keepUnwritten(data: Buffer, written: number): void {
    const rest = Buffer.from(data.subarray(written));
    this.buf.clear();
    this.buf.raw(rest);
  }

  /**
   * serverCron: writes what is pending, fsyncs once a second (everysec) on the thread pool,
   * starts a scheduled or automatic rewrite.
   */
  cron(): void {
    this.beforeReplies();
    if (this.incr !== undefined && this.fsyncPolicy === 'everysec' && this.unsynced) {
      const now = performance.now();
      if (now - this.lastFsync >= 1000) {
        if (this.fsyncInFlight) this.delayedFsync++;
        else this.fsyncInBackground(this.incr.fd, now);
      }
    }
    if (this.server.snapshotGuard !== undefined) return;
    if (this.rewriteScheduled) {
      this.tryRewrite();
      return;
    }
    this.maybeAutoRewrite();
  }

  /** Starts a rewrite from the cron or CONFIG SET: a failure (disk full...) is logged and counted. */
  private tryRewrite(): RewriteStart | undefined {
    try {
      return this.startRewrite();
    } catch (e) {
      this.server.log.warn(`Can't rewrite append only file in background: ${strerror(e)}`);
      this.rewriteScheduled = false;
      this.failed();
      return undefined;
    }
  }

  private fsyncInBackground(fd: number, now: number): void {
    this.fsyncInFlight = true;
    this.unsynced = false;
    this.lastFsync = now;
    fs.fdatasync(fd, (err) => {
      this.fsyncInFlight = false;
      if (err) this.server.log.warn(`Error syncing the AOF file: ${err.message}`);
      for (const old of this.closeAfterFsync) this.retire(old);
      this.closeAfterFsync.clear();
    });
  }

  /**
   * Closes an incremental file that is no longer written, after fsyncing it (in the background).
   * While an everysec fsync runs (possibly on this descriptor), it waits for that one to return.
   */
  private retire(fd: number): void {
    if (this.fsyncInFlight) {
      this.closeAfterFsync.add(fd);
      return;
    }
    fs.fdatasync(fd, () => fs.close(fd, () => {}));
  }

  /** auto-aof-rewrite-percentage / -min-size (Redis serverCron). */
  private maybeAutoRewrite(): void {
    if (this.state !== 'on' || this.rewrite !== undefined) return;
    const config = this.server.config;
    const percentage = config.getInt('auto-aof-rewrite-percentage');
    if (percentage === 0 || this.currentSize <= config.getInt('auto-aof-rewrite-min-size')) return;
    const base = this.baseSize === 0 ? 1 : this.baseSize;
    const growth = Math.floor((this.currentSize * 100) / base) - 100;
    if (growth < percentage) return;
    if (Date.now() < this.nextAutoRewrite) return;
    this.server.log.info(`Starting automatic rewriting of AOF on ${growth}% growth`);
    this.tryRewrite();
  }

  // ---- Rewrite ----

  private preamble(): boolean {
    return this.server.config.getBool('aof-use-rdb-preamble');
  }

  private encoder(preamble: boolean): SnapshotEncoder {
    if (!preamble) return new AofCommandEncoder({ timestamp: this.timestamps });
    return this.server.persistence.rdbEncoder(true);
  }

  /**
   * BGREWRITEAOF (and the automatic and turn-on rewrites): opens a new incremental file for the
   * writes from now on and starts writing the base in the background. Scheduled instead when
   * another snapshot (BGSAVE) runs.
   */
  startRewrite(): RewriteStart {
    const server = this.server;
    if (this.rewrite !== undefined) return 'in-progress';
    if (server.snapshotGuard !== undefined) {
      this.rewriteScheduled = true;
      return 'scheduled';
    }
    this.rewriteScheduled = false;
    const paths = this.paths;
    const m = this.readManifest();
    ensureDir(paths.dir);
    if (this.state !== 'off') {
      // Everything up to now goes to the old incremental file; from now on, to a new one.
      this.beforeReplies();
      const next = copyManifest(m);
      const info = addNewIncr(next, paths.fileName);
      const turningOn = this.state === 'wait-rewrite';
      const diskName = turningOn ? paths.tempIncrName : info.name;
      const fd = fs.openSync(paths.file(diskName), turningOn ? 'w' : 'a');
      if (!turningOn) persistManifest(paths, next);
      if (this.incr !== undefined) this.retire(this.incr.fd);
      this.incr = { fd, info, diskName };
      this.manifest = next;
      this.selectedDb = -1;
      this.lastTimestamp = -1;
      this.unsynced = false;
      server.log.info(`Creating AOF incr file ${diskName} on background rewrite`);
      this.subscribe();
    }
    const tempPath = paths.rewriteTemp;
    const preamble = this.preamble();
    const snapshot = Snapshot.start(server, this.encoder(preamble), tempPath);
    const job: Rewrite = { snapshot, started: performance.now(), tempPath, preamble };
    this.rewrite = job;
    server.log.info(`Background append only file rewriting started by pid ${process.pid}`);
    snapshot.done.then(
      () => this.rewriteDone(job),
      (e: Error) => this.rewriteFailed(job, e),
    );
    return 'started';
  }

  /** The new base is on disk: switch the manifest to it, delete what it replaces. */
  private rewriteDone(job: Rewrite): void {
    const server = this.server;
    const paths = this.paths;
    if (this.rewrite !== job) {
      removeQuietly(job.tempPath);
      return;
    }
    this.rewrite = undefined;
    try {
      server.log.info('Background AOF rewrite terminated with success');
      const m = copyManifest(this.readManifest());
      const base = addNewBase(m, paths.fileName, job.preamble);
      if (this.state === 'off') {
        for (const f of m.incrs) m.history.push({ ...f, type: 'h' });
        m.incrs = [];
      } else {
        markRewrittenIncrsAsHistory(m);
      }
      fs.renameSync(job.tempPath, paths.file(base.name));
      server.log.info(`Successfully renamed the temporary AOF base file ${pathTail(job.tempPath)} into ${base.name}`);
      if (this.incr !== undefined && this.incr.diskName !== this.incr.info.name) {
        fs.renameSync(paths.file(this.incr.diskName), paths.file(this.incr.info.name));
        server.log.info(`Successfully renamed the temporary AOF incr file ${this.incr.diskName} into ${this.incr.info.name}`);
        this.incr.diskName = this.incr.info.name;
      }
      fsyncDir(paths.dir);
      persistManifest(paths, m);
      this.manifest = m;
      this.deleteHistory(m);
      if (this.state === 'wait-rewrite') this.state = 'on';
      this.baseSize = fileSize(paths.file(base.name));
      this.currentSize = this.baseSize + (this.incr ? fileSize(paths.file(this.incr.info.name)) : 0);
      this.rewriteEnded(job, true);
      server.log.info('Background AOF rewrite finished successfully');
    } catch (e) {
      server.log.warn(`Error trying to switch to the rewritten AOF: ${strerror(e)}`);
      removeQuietly(job.tempPath);
      this.rewriteEnded(job, false);
    }
  }

  private rewriteFailed(job: Rewrite, e: Error): void {
    removeQuietly(job.tempPath);
    if (this.rewrite !== job) return;
    this.rewrite = undefined;
    this.server.log.warn(`Background AOF rewrite terminated with error: ${e.message}`);
    this.rewriteEnded(job, false);
    // Turning AOF on needs a base: try again (Redis schedules the rewrite again).
    if (this.state === 'wait-rewrite') this.rewriteScheduled = true;
  }

  private rewriteEnded(job: Rewrite, ok: boolean): void {
    this.lastRewriteSeconds = Math.round((performance.now() - job.started) / 1000);
    this.lastCowSize = job.snapshot.peakKeptBytes;
    this.lastBgrewriteOk = ok;
    if (ok) {
      this.rewrites++;
      this.consecutiveFailures = 0;
      this.nextAutoRewrite = 0;
    } else {
      this.failed();
    }
  }

  /**
   * A rewrite failed. After 3 failures in a row, automatic rewrites wait 1, 2, 4... minutes (at
   * most an hour) before the next attempt, as Redis 7.0 does.
   */
  private failed(): void {
    this.lastBgrewriteOk = false;
    this.consecutiveFailures++;
    if (this.consecutiveFailures < 3) return;
    const minutes = Math.min(60, 2 ** (this.consecutiveFailures - 3));
    this.nextAutoRewrite = Date.now() + minutes * 60_000;
    this.server.log.warn(`Background AOF rewrite has repeatedly failed and triggered the limit, will retry in ${minutes} minutes`);
  }

  /** Deletes the history files (unless aof-disable-auto-gc) and drops them from the manifest. */
  private deleteHistory(m: AofManifest): void {
    if (m.history.length === 0 || this.server.config.getBool('aof-disable-auto-gc')) return;
    for (const f of m.history) {
      this.server.log.info(`Removing the history file ${f.name} in the background`);
      fs.rm(this.paths.file(f.name), { force: true }, () => {});
    }
    m.history = [];
    persistManifest(this.paths, m);
  }

  /** Stops a running rewrite; its temporary file is removed. */
  private cancelRewrite(): void {
    const job = this.rewrite;
    if (job === undefined) return;
    this.server.log.info('Killing running AOF rewrite');
    this.rewrite = undefined;
    job.snapshot.cancel();
  }

  // ---- On / off at run time ----

  private configChanged(name: string): void {
    this.applyConfig();
    if (name !== 'appendonly') return;
    const on = this.server.config.getBool('appendonly');
    if (on && this.state === 'off') this.turnOn();
    else if (!on && this.state !== 'off') this.turnOff();
  }

  /** CONFIG SET appendonly yes: a rewrite makes the first base; writes are kept from its start. */
  private turnOn(): void {
    this.state = 'wait-rewrite';
    if (this.rewrite !== undefined) {
      this.server.log.warn('AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.');
      this.cancelRewrite();
      this.rewriteScheduled = true;
      return;
    }
    if (this.tryRewrite() === 'scheduled') {
      this.server.log.warn('AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.');
    }
  }

  /** CONFIG SET appendonly no: flush, fsync and close; a rewrite in progress is stopped. */
  private turnOff(): void {
    this.server.log.info('Calling fsync() on the AOF file.');
    this.closeIncr();
    this.cancelRewrite();
    this.rewriteScheduled = false;
    this.state = 'off';
    // The temporary incremental file of an unfinished turn-on is of no use now.
    this.manifest = undefined;
  }

  /** Writes what is pending, fsyncs and closes the incremental file, stops listening. */
  private closeIncr(): void {
    this.beforeReplies();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.buf.clear();
    const incr = this.incr;
    this.incr = undefined;
    this.selectedDb = -1;
    if (incr === undefined) return;
    try {
      fs.fdatasyncSync(incr.fd);
    } catch (e) {
      this.server.log.warn(`Error syncing the AOF file: ${strerror(e)}`);
    }
    if (this.fsyncInFlight) this.closeAfterFsync.add(incr.fd);
    else fs.closeSync(incr.fd);
    if (incr.diskName !== incr.info.name) removeQuietly(this.paths.file(incr.diskName));
  }

  /** Server stop (SHUTDOWN, signal): stops a rewrite, writes and fsyncs what is pending. */
  stop(): void {
    if (this.rewrite !== undefined) {
      this.server.log.warn('There is a child rewriting the AOF. Killing it!');
      this.cancelRewrite();
    }
    if (this.incr !== undefined) {
      this.server.log.info('Calling fsync() on the AOF file.');
      this.closeIncr();
    }
    this.state = 'off';
  }

  // ---- INFO ----

  /** INFO persistence: aof_enabled ... aof_last_cow_size, in Redis's order. */
  infoFields(): [string, string | number][] {
    const rw = this.rewrite;
    return [
      ['aof_enabled', this.enabled ? 1 : 0],
      ['aof_rewrite_in_progress', rw ? 1 : 0],
      ['aof_rewrite_scheduled', this.rewriteScheduled ? 1 : 0],
      ['aof_last_rewrite_time_sec', this.lastRewriteSeconds],
      ['aof_current_rewrite_time_sec', rw ? Math.floor((performance.now() - rw.started) / 1000) : -1],
      ['aof_last_bgrewrite_status', this.lastBgrewriteOk ? 'ok' : 'err'],
      ['aof_rewrites', this.rewrites],
      ['aof_rewrites_consecutive_failures', this.consecutiveFailures],
      ['aof_last_write_status', this.lastWriteOk ? 'ok' : 'err'],
      ['aof_last_cow_size', this.lastCowSize],
    ];
  }

  /**
   * INFO persistence, only while AOF is on (Redis prints them after module_fork_last_cow_size):
   * aof_current_size ... aof_delayed_fsync.
   */
  infoSizeFields(): [string, string | number][] {
    if (!this.enabled) return [];
    return [
      ['aof_current_size', this.currentSize],
      ['aof_base_size', this.baseSize],
      ['aof_pending_rewrite', this.rewriteScheduled ? 1 : 0],
      ['aof_buffer_length', this.buf.length],
      ['aof_pending_bio_fsync', this.fsyncInFlight ? 1 : 0],
      ['aof_delayed_fsync', this.delayedFsync],
    ];
  }
}
