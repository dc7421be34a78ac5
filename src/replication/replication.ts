/**
 * Replication: the state both roles share and the stream that leaves this server.
 *
 * - The replication ID and offset (INFO master_replid, master_repl_offset), the previous ID kept
 *   after a promotion (master_replid2, second_repl_offset), and the backlog.
 * - On a primary, every propagated write is encoded as RESP, with SELECT when the database
 *   changes, into the stream: the offset advances at once (WAIT compares replicas' acks with it),
 *   and the bytes go to the backlog and to the replicas once per event-loop turn.
 * - On a replica, the stream applied from its primary goes, byte for byte, into its own backlog
 *   and to its own replicas (chains), so every server of a group has the same offsets.
 * - `replicas` (primary-side.ts) are this server's replicas; `link` (replica-side.ts) is its
 *   connection to its own primary, present while REPLICAOF host port is in force.
 *
 * Mirrors redis replication.c: replicationFeedSlaves, replicationFeedStreamFromMasterStream,
 * createReplicationBacklog, shiftReplicationId, replicationSetMaster / replicationUnsetMaster.
 */
import { randomBytes } from 'node:crypto';
import type { Bytes } from '../keyspace/bytes.js';
import { RespBuffer } from '../persistence/aof-resp.js';
import type { Server } from '../server.js';
import { UNBLOCKED_ROLE_CHANGE } from '../protocol/reply-errors.js';
import { Backlog } from './backlog.js';
import { ReplicaLinks } from './primary-side.js';
import { PrimaryLink } from './replica-side.js';

const NO_ID = '0'.repeat(40);

/** The stream position a replica asks to continue from (PSYNC replid offset). */
export interface StreamPosition {
  replId: string;
  offset: number;
}

export function newReplId(): string {
  return randomBytes(20).toString('hex');
}

export class Replication {
  /** INFO master_replid: the history this server's stream belongs to. */
  replId = newReplId();
  /** INFO master_replid2: the history it continued (before a promotion), or forty zeros. */
  replId2 = NO_ID;
  /** INFO second_repl_offset: the first offset of this history under replId2, or -1. */
  secondReplOffset = -1;
  /** INFO master_repl_offset: the offset of the last byte of the stream. */
  offset = 0;
  backlog: Backlog | undefined;
  /** Unix ms since the primary has had no replica (repl-backlog-ttl frees the backlog then). */
  noReplicasSince = Date.now();
  /** This server's replicas. */
  readonly replicas: ReplicaLinks;
  /** The connection to this server's primary (REPLICAOF host port), or undefined on a primary. */
  link: PrimaryLink | undefined;
  /** Propagated writes encoded since the last flush (sent to the backlog and replicas at the end of the turn). */
  private readonly pending = new RespBuffer();
  /** The database of the last command in the stream (-1: the next one is preceded by SELECT). */
  private streamDb = -1;
  private flushScheduled = false;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly server: Server) {
    this.replicas = new ReplicaLinks(server, this);
  }

  /** This server replicates from a primary (REPLICAOF host port). */
  get isReplica(): boolean {
    return this.link !== undefined;
  }

  // ---- The stream ----

  /**
   * A replica is about to be served: makes sure there is a backlog (and so a stream). A primary
   * that creates its first backlog starts a new history, as Redis does: no replica can continue
   * one that was never recorded.
   */
  ensureBacklog(): Backlog {
    if (this.backlog === undefined) {
      if (!this.isReplica) {
        this.replId = newReplId();
        this.replId2 = NO_ID;
        this.secondReplOffset = -1;
      }
      this.createBacklog();
    }
    return this.backlog!;
  }

  private createBacklog(): void {
    this.backlog = new Backlog(this.server.config.getInt('repl-backlog-size'), this.offset);
    this.streamDb = -1;
    this.unsubscribe ??= this.server.propagator.subscribe(this.propagated);
    this.server.log.info(`Replication backlog created, my new replication IDs are '${this.replId}' and '${this.replId2}'`);
  }

  /** Frees the backlog (repl-backlog-ttl on a primary without replicas). */
  private freeBacklog(): void {
    this.flush();
    this.backlog = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** The propagator's listener: a write of this server's (ignored on a replica, whose stream is its primary's). */
  private readonly propagated = (dbIndex: number, argv: readonly Bytes[]): void => {
    if (this.link !== undefined) return;
    this.append(dbIndex, argv);
  };

  /**
   * Appends a command to the stream (a propagated write, PING, REPLCONF GETACK): SELECT first
   * when its database differs from the stream's. The offset moves now; the bytes leave at the
   * end of the turn.
   */
  append(dbIndex: number, argv: readonly Bytes[]): void {
    if (this.backlog === undefined) return;
    const p = this.pending;
    const before = p.length;
    if (dbIndex !== this.streamDb && dbIndex >= 0) {
      p.command(['SELECT', String(dbIndex)]);
      this.streamDb = dbIndex;
    }
    p.command(argv);
    this.offset += p.length - before;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends what was appended to the backlog and every replica (once per turn, before replies leave). */
  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const chunk = this.pending.take();
    this.backlog?.append(chunk);
    this.replicas.feed(chunk);
  }

  /**
   * On a replica: stream bytes from the primary that were applied (whole commands). They go
   * unchanged into this server's backlog and to its own replicas.
   */
  feedFromPrimary(chunk: Buffer): void {
    this.offset += chunk.length;
    this.backlog?.append(chunk);
    this.replicas.feed(chunk);
  }

  /** The next command this server writes to the stream is preceded by SELECT. */
  forceSelect(): void {
    this.streamDb = -1;
  }

  /**
   * Can a replica continue from `pos` (PSYNC replid offset, offset = the first byte it lacks)?
   * Its ID must be ours, or our previous one up to the offset where our history forked, and the
   * backlog must still hold the bytes from there.
   */
  canContinue(pos: StreamPosition): boolean {
    this.flush();
    if (this.backlog === undefined) return false;
    const sameHistory = pos.replId === this.replId || (pos.replId === this.replId2 && pos.offset <= this.secondReplOffset);
    if (!sameHistory) return false;
    return pos.offset >= this.backlog.firstByteOffset && pos.offset <= this.offset + 1;
  }

  // ---- Changes of history ----

  /**
   * This server's history is now `replId` at `offset` (a replica after a full sync): the old
   * backlog and the replicas that followed the old history are dropped.
   */
  resetHistory(replId: string, offset: number): void {
    this.replicas.disconnectAll();
    this.replId = replId;
    this.replId2 = NO_ID;
    this.secondReplOffset = -1;
    this.offset = offset;
    this.pending.clear();
    this.backlog = undefined;
    this.createBacklog();
  }

  /**
   * A primary restarted from a file that recorded `replId` at `offset`: a backlog starts there
   * and the history continues under a new ID, the old one valid up to here (replid2).
   */
  continueHistory(replId: string, offset: number): void {
    this.replId = replId;
    this.offset = offset;
    this.createBacklog();
    this.shiftReplId();
  }

  /**
   * The stream continues under a new ID (a promotion, or a primary that was itself promoted):
   * the old ID stays valid up to here as replId2, so replicas that followed it can continue.
   */
  shiftReplId(newId: string = newReplId()): void {
    this.replId2 = this.replId;
    this.secondReplOffset = this.offset + 1;
    this.replId = newId;
    this.server.log.info(`Setting secondary replication ID to ${this.replId2}, valid up to offset: ${this.secondReplOffset}. New replication ID is ${this.replId}`);
  }

  /**
   * REPLICAOF host port: this server follows a primary. Its own replicas are disconnected (they
   * reconnect and may continue, since a partial resync keeps the offsets).
   */
  follow(host: string, port: number): void {
    const wasPrimary = this.link === undefined;
    this.link?.stop();
    this.flush();
    this.replicas.disconnectAll();
    // Clients blocked while this was a primary must not be served by the new primary's writes.
    if (wasPrimary) this.disconnectBlockedClients();
    this.link = new PrimaryLink(this.server, this, host, port, wasPrimary);
    this.server.log.info(`Connecting to MASTER ${host}:${port}`);
    this.link.start();
  }

  /**
   * A primary becomes a replica: every blocked client (BLPOP, WAIT...) gets the UNBLOCKED error
   * and is closed after it (Redis disconnectAllBlockedClients).
   */
  private disconnectBlockedClients(): void {
    const server = this.server;
    for (const client of server.clients.values()) {
      const blocked = server.blocking.cancel(client, (state) => {
        server.countError(UNBLOCKED_ROLE_CHANGE.code);
        state.client.writer.error(UNBLOCKED_ROLE_CHANGE);
      });
      if (blocked) client.closeAfterReply();
    }
  }

  /** REPLICAOF NO ONE: this server becomes a primary, continuing its history under a new ID. */
  promote(): void {
    const link = this.link;
    if (link === undefined) return;
    link.stop();
    this.link = undefined;
    this.shiftReplId();
    this.forceSelect();
    this.server.log.info('MASTER MODE enabled (user request from REPLICAOF NO ONE)');
  }

  // ---- Periodic work ----

  /** Once a second: pings and timeouts on both sides, the backlog's time to live. */
  cron(): void {
    this.link?.cron();
    this.replicas.cron();
    if (this.replicas.count > 0 || this.isReplica) this.noReplicasSince = Date.now();
    const ttl = this.server.config.getInt('repl-backlog-ttl');
    if (this.backlog !== undefined && !this.isReplica && ttl > 0 && Date.now() - this.noReplicasSince > ttl * 1000) {
      this.server.log.info(`Replication backlog freed after ${ttl} seconds without connected replicas.`);
      this.freeBacklog();
    }
  }

  /** CONFIG SET repl-backlog-size */
  configChanged(): void {
    this.backlog?.resize(this.server.config.getInt('repl-backlog-size'));
  }

  /** Server stop: the link and the replicas' connections close. */
  stop(): void {
    this.link?.stop();
    this.replicas.disconnectAll();
  }

  // ---- INFO replication and ROLE ----

  infoLines(): [string, string | number][] {
    const b = this.backlog;
    const out: [string, string | number][] = [['role', this.isReplica ? 'slave' : 'master']];
    if (this.link !== undefined) out.push(...this.link.infoFields());
    out.push(['connected_slaves', this.replicas.count]);
    const minReplicas = this.server.config.getInt('min-replicas-to-write');
    const maxLag = this.server.config.getInt('min-replicas-max-lag');
    if (minReplicas > 0 && maxLag > 0) out.push(['min_slaves_good_slaves', this.replicas.goodReplicas()]);
    out.push(...this.replicas.infoFields());
    out.push(
      ['master_failover_state', 'no-failover'],
      ['master_replid', this.replId],
      ['master_replid2', this.replId2],
      ['master_repl_offset', this.offset],
      ['second_repl_offset', this.secondReplOffset],
      ['repl_backlog_active', b === undefined ? 0 : 1],
      ['repl_backlog_size', this.server.config.getInt('repl-backlog-size')],
      ['repl_backlog_first_byte_offset', b === undefined ? 0 : b.firstByteOffset],
      ['repl_backlog_histlen', b === undefined ? 0 : b.histlen],
    );
    return out;
  }
}
