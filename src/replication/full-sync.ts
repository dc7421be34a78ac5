/**
 * FullSyncs: the primary's full resynchronizations. Replicas that asked for one wait here until
 * a snapshot can start (one runs at a time: BGSAVE, AOF rewrite or another sync), then get
 * `+FULLRESYNC <replid> <offset>` and the RDB image of that moment, either
 *
 * - disk: a BGSAVE writes dump.rdb (as Redis's disk-backed sync does), then the file is sent to
 *   each replica as `$<len>\r\n<bytes>`; or
 * - diskless (repl-diskless-sync yes, replica capable of `eof`): the snapshot is streamed to the
 *   replicas' sockets as it is produced, as `$EOF:<40 random chars>\r\n<rdb><same 40 chars>`,
 *   after repl-diskless-sync-delay seconds to gather more replicas (or once
 *   repl-diskless-sync-max-replicas are waiting).
 *
 * Stream bytes produced from the snapshot's start are held per replica and delivered after the
 * RDB, in order. Mirrors redis replication.c: syncCommand's full-resync part,
 * startBgsaveForReplication, replicationStartPendingFork, updateSlavesWaitingBgsave,
 * sendBulkToSlave, rdb.c rdbSaveToSlavesSockets.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { Socket } from 'node:net';
import type { Server } from '../server.js';
import { Snapshot, type SnapshotSink } from '../persistence/snapshot.js';
import type { Replication } from './replication.js';
import type { ReplicaLink } from './primary-side.js';

/** Unsent bytes on a replica's socket above which the RDB transfer waits for it to drain. */
const TRANSFER_HIGH_WATER = 1 << 20;

/** Resolves once the socket drained or closed. */
export function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/** A snapshot in progress for a group of replicas. */
interface SyncJob {
  diskless: boolean;
  /** The replicas it serves (a replica that disconnects is removed). */
  links: ReplicaLink[];
  snapshot: Snapshot | undefined;
}

/** Streams a snapshot to several replicas' sockets in the EOF-marker form, with backpressure. */
class ReplicaSocketSink implements SnapshotSink {
  private readonly mark = randomBytes(20).toString('hex');
  private started = false;

  constructor(private readonly job: SyncJob) {}

  private begin(): void {
    if (this.started) return;
    this.started = true;
    for (const link of this.job.links) link.send(`$EOF:${this.mark}\r\n`);
  }

  write(chunk: Buffer): Promise<void> | undefined {
    this.begin();
    const links = this.job.links;
    // Every replica is gone: the snapshot stops (Redis kills the child then).
    if (links.length === 0) return Promise.reject(new Error('snapshot cancelled'));
    let slow: Promise<void>[] | undefined;
    for (const link of links) {
      link.send(chunk);
      if (link.client.socket.writableLength > TRANSFER_HIGH_WATER) (slow ??= []).push(drained(link.client.socket));
    }
    return slow === undefined ? undefined : Promise.all(slow).then(() => undefined);
  }

  async finish(): Promise<void> {
    this.begin();
    for (const link of this.job.links) link.send(this.mark);
    await Promise.all(this.job.links.filter((l) => l.client.socket.writableLength > 0).map((l) => drained(l.client.socket)));
  }

  async close(): Promise<void> {}
}

export class FullSyncs {
  /** Replicas waiting for a snapshot to start (state wait_bgsave), in arrival order. */
  private waiting: ReplicaLink[] = [];
  private job: SyncJob | undefined;

  constructor(
    private readonly server: Server,
    private readonly repl: Replication,
  ) {}

  /** A diskless sync's snapshot is running (INFO shows it as rdb_bgsave_in_progress, as Redis's child). */
  get disklessRunning(): boolean {
    return this.job?.snapshot !== undefined;
  }

  /** A replica needs a full resync: it waits for the next snapshot (started now when possible). */
  enqueue(link: ReplicaLink): void {
    link.diskless = this.server.config.getBool('repl-diskless-sync') && link.hs.capaEof;
    link.waitingSince = Date.now();
    this.waiting.push(link);
    this.maybeStart();
  }

  /** A replica disconnected: it leaves its queue; a diskless snapshot left without replicas stops. */
  dropped(link: ReplicaLink): void {
    this.waiting = this.waiting.filter((l) => l !== link);
    const job = this.job;
    if (job === undefined) return;
    job.links = job.links.filter((l) => l !== link);
    if (job.diskless && job.links.length === 0) job.snapshot?.cancel();
  }

  /** Every replica connection closes: nothing waits any more. */
  clear(): void {
    this.waiting = [];
  }

  /** Starts a snapshot for the waiting replicas when none runs (cron, a snapshot's end, a new replica). */
  maybeStart(): void {
    const server = this.server;
    if (this.job !== undefined || this.waiting.length === 0 || server.snapshotGuard !== undefined) return;
    if (server.persistence.loading !== undefined) return;
    const diskless = this.waiting[0]!.diskless;
    const group = this.waiting.filter((l) => l.diskless === diskless);
    if (diskless) {
      const delay = server.config.getInt('repl-diskless-sync-delay');
      const max = server.config.getInt('repl-diskless-sync-max-replicas');
      const waited = Date.now() - group[0]!.waitingSince;
      if (delay > 0 && waited < delay * 1000 && !(max > 0 && group.length >= max)) return;
    }
    this.waiting = this.waiting.filter((l) => l.diskless !== diskless);
    this.start(group, diskless);
  }

  /** The snapshot starts: its offset is the stream's now; later stream bytes are held per replica. */
  private start(links: ReplicaLink[], diskless: boolean): void {
    const server = this.server;
    const repl = this.repl;
    repl.ensureBacklog();
    repl.flush();
    // The replica's stream after the image starts with SELECT (Redis resets slaveseldb).
    repl.forceSelect();
    for (const link of links) {
      link.held = [];
      link.heldBytes = 0;
      if (!link.oldSync) link.send(`+FULLRESYNC ${repl.replId} ${repl.offset}\r\n`);
    }
    const job: SyncJob = { diskless, links, snapshot: undefined };
    this.job = job;
    server.log.info(`Starting BGSAVE for SYNC with target: ${diskless ? 'replicas sockets' : 'disk'}`);
    if (diskless) {
      const snapshot = Snapshot.start(server, server.persistence.rdbEncoder(), new ReplicaSocketSink(job));
      job.snapshot = snapshot;
      server.log.info(`Background RDB transfer started by pid ${process.pid}`);
      snapshot.done.then(
        () => this.disklessEnded(job, true),
        () => this.disklessEnded(job, false),
      );
    } else {
      server.persistence.startBgsave((ok) => this.diskSaved(job, ok));
    }
  }

  private ended(job: SyncJob): void {
    if (this.job === job) this.job = undefined;
    this.maybeStart();
  }

  private disklessEnded(job: SyncJob, ok: boolean): void {
    const log = this.server.log;
    if (ok) {
      log.info('Background RDB transfer terminated with success');
      for (const link of job.links) {
        log.info(`Streamed RDB transfer with replica ${link.name} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming`);
        log.info(`Synchronization with replica ${link.name} succeeded`);
        // Its stream starts with its first ACK, once it has loaded the image.
        link.online(false);
      }
    } else {
      log.warn('Background transfer error');
      for (const link of job.links) link.client.close();
    }
    this.ended(job);
  }

  /** The BGSAVE for a disk-based sync ended: dump.rdb goes to each of its replicas. */
  private diskSaved(job: SyncJob, ok: boolean): void {
    if (!ok) {
      this.server.log.warn('SYNC failed. BGSAVE child returned an error');
      for (const link of job.links) link.client.close();
    } else {
      const file = this.server.persistence.rdbPath();
      for (const link of job.links) {
        this.sendFile(link, file).catch((e: Error) => {
          this.server.log.warn(`Failed sending the RDB to replica ${link.name}: ${e.message}`);
          link.client.close();
        });
      }
    }
    this.ended(job);
  }

  /** Sends dump.rdb as a bulk string, then puts the replica online (state send_bulk meanwhile). */
  private async sendFile(link: ReplicaLink, file: string): Promise<void> {
    link.state = 'send_bulk';
    const fh = await fs.promises.open(file, 'r');
    try {
      const { size } = await fh.stat();
      link.send(`$${size}\r\n`);
      const socket = link.client.socket;
      for await (const chunk of fh.createReadStream({ autoClose: false, highWaterMark: 1 << 20 })) {
        if (link.client.isClosed) return;
        link.send(chunk as Buffer);
        if (socket.writableLength > TRANSFER_HIGH_WATER) await drained(socket);
      }
    } finally {
      await fh.close();
    }
    if (link.client.isClosed) return;
    this.server.log.info(`Synchronization with replica ${link.name} succeeded`);
    link.online(true);
  }
}
