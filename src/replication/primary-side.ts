/**
 * ReplicaLinks: a primary's replicas (any server with replicas: a replica of a replica too).
 *
 * - PSYNC/SYNC turns a client into a replica: a partial resync (`+CONTINUE`, then the backlog
 *   from the offset it asked for) when the history allows it, else a full resync (full-sync.ts).
 * - `feed` writes each turn's stream bytes to every online replica's socket in one write, or
 *   holds them while its RDB is on the way; a replica that falls too far behind is dropped
 *   (client-output-buffer-limit replica class).
 * - REPLCONF (listening-port, ip-address, capa, rdb-only, ack), WAIT (blocks the client in the
 *   blocking registry without keys; `REPLCONF GETACK *` goes into the stream once per turn in
 *   which a client started waiting), min-replicas-to-write (a cached count of good replicas:
 *   the dispatcher asks on every write), pings and repl-timeout once a second, INFO's slaveN
 *   lines and ROLE's entries.
 *
 * A replica is never sent replies (its client's reply mode is off): only the protocol's bytes.
 * Mirrors redis replication.c: syncCommand, masterTryPartialResynchronization, replconfCommand,
 * putSlaveOnline, replicationCron (master part), refreshGoodSlavesCount, waitCommand,
 * processClientsWaitingReplicas, replicationCountAcksByOffset. The output-buffer limit check
 * itself is output-buffer-limits.ts, shared with the other client classes.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { parseI64 } from '../keyspace/bytes.js';
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import type { BlockRequest, CommandContext } from '../commands/command-spec.js';
import { ERR_NOT_INTEGER, replyError } from '../protocol/reply-errors.js';
import type { Replication } from './replication.js';
import { FullSyncs } from './full-sync.js';

const ERR_PENDING_OUTPUT = replyError('ERR SYNC and PSYNC are invalid with pending output');
const ERR_NO_MASTER_LINK = replyError("NOMASTERLINK Can't SYNC while not connected with my master");
const ERR_RDB_ONLY_RANGE = replyError('ERR value is out of range, value must between 0 and 1');

/** What a connection said about itself with REPLCONF before (or after) PSYNC. */
export interface Handshake {
  /** REPLCONF listening-port (0: not said). */
  listeningPort: number;
  /** REPLCONF ip-address ('' : the peer's address is used). */
  ipAddress: string;
  /** REPLCONF capa eof: can read a diskless RDB. */
  capaEof: boolean;
  /** REPLCONF capa psync2: understands `+CONTINUE <replid>`. */
  capaPsync2: boolean;
  /** REPLCONF rdb-only 1: wants the RDB only (redis-cli --rdb); closed after it. */
  rdbOnly: boolean;
}

/** INFO slaveN state: waiting for / receiving the RDB, or following the stream. */
export type ReplicaState = 'wait_bgsave' | 'send_bulk' | 'online';

/** One replica's connection: its sync state, stream position and acknowledgements. */
export class ReplicaLink {
  state: ReplicaState = 'wait_bgsave';
  /** The full sync streams the RDB to its socket (set when it is queued). */
  diskless = false;
  /** Unix ms since it waits for a snapshot (repl-diskless-sync-delay). */
  waitingSince = 0;
  /** Stream bytes held while its RDB is produced or sent (undefined: none held). */
  held: Buffer[] | undefined;
  heldBytes = 0;
  /** Stream bytes go straight to the socket. */
  streaming = false;
  /** After a diskless transfer: the stream starts with the first ACK. */
  private streamOnAck = false;
  /** An ACK came before the transfer was marked complete (the replica loaded it already). */
  private earlyAck = false;
  /** REPLCONF ACK: the offset it has processed, and when it said so (unix ms). */
  ackOffset = 0;
  ackTime = Date.now();
  /** Bytes its socket had sent at the last check of a transfer's progress, and when (unix s). */
  private sentBytes = 0;
  private sentTime = 0;

  constructor(
    readonly client: Client,
    readonly hs: Handshake,
    /** It used the old SYNC: no +FULLRESYNC line, no ACKs (never timed out). */
    readonly oldSync: boolean,
    private readonly links: ReplicaLinks,
  ) {}

  /** Its address as INFO shows it: REPLCONF ip-address, else the peer's IP. */
  get ip(): string {
    if (this.hs.ipAddress !== '') return this.hs.ipAddress;
    const a = this.client.socket.remoteAddress ?? '?';
    return a.startsWith('::ffff:') ? a.slice(7) : a;
  }

  /** ip:port for logs (Redis replicationGetSlaveName). */
  get name(): string {
    return `${this.ip}:${this.hs.listeningPort === 0 ? '<unknown-replica-port>' : this.hs.listeningPort}`;
  }

  /** Raw bytes to its socket. */
  send(data: Buffer | string): void {
    if (this.client.isClosed) return;
    this.client.socket.write(data);
  }

  /** Stream bytes: to the socket, or held while the RDB is on its way. */
  stream(chunk: Buffer): void {
    if (this.streaming) this.send(chunk);
    else if (this.held !== undefined) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
    }
  }

  /** Its RDB is delivered: online, the held stream follows now (`now`) or after the first ACK. */
  online(now: boolean): void {
    this.state = 'online';
    this.ackTime = Date.now();
    if (this.hs.rdbOnly) {
      this.client.close();
      return;
    }
    if (now || this.earlyAck) this.startStream();
    else this.streamOnAck = true;
    this.links.refreshGood();
  }

  private startStream(): void {
    this.streamOnAck = false;
    this.streaming = true;
    for (const chunk of this.held ?? []) this.send(chunk);
    this.held = undefined;
    this.heldBytes = 0;
  }

  /** REPLCONF ACK <offset>. */
  acked(offset: number): void {
    if (offset > this.ackOffset) this.ackOffset = offset;
    this.ackTime = Date.now();
    if (this.streamOnAck) this.startStream();
    else if (this.state !== 'online') this.earlyAck = true;
  }

  /**
   * Seconds (as of `now`, unix seconds) its socket has had unsent bytes without sending any: a
   * replica that stopped reading its RDB would hold the snapshot forever (Redis drops it after
   * repl-timeout, "full sync").
   */
  transferStalled(now: number): number {
    const socket = this.client.socket;
    // bytesWritten counts what is still buffered too: what reached the kernel is the difference.
    const sent = socket.bytesWritten - socket.writableLength;
    if (socket.writableLength === 0 || sent !== this.sentBytes) {
      this.sentBytes = sent;
      this.sentTime = now;
      return 0;
    }
    return now - this.sentTime;
  }

  /** Bytes waiting to reach it (client-output-buffer-limit). */
  get outputBytes(): number {
    return this.heldBytes + (this.streaming && !this.client.isClosed ? this.client.socket.writableLength : 0);
  }
}

/** A client in WAIT. */
interface Waiter {
  client: Client;
  /** Its last write's stream offset. */
  offset: number;
  numReplicas: number;
  request: BlockRequest;
}

export class ReplicaLinks {
  private readonly links = new Set<ReplicaLink>();
  private readonly handshakes = new WeakMap<Client, Handshake>();
  private readonly fullSyncs: FullSyncs;
  private readonly waiters = new Set<Waiter>();
  private ackRequested = false;
  private waitersCheckScheduled = false;
  private cronLoops = 0;
  // Cached config and state for the per-write check (refreshed on config change, ACKs and cron).
  private minToWrite = 0;
  private maxLagMs = 0;
  private good = 0;

  constructor(
    private readonly server: Server,
    private readonly repl: Replication,
  ) {
    this.fullSyncs = new FullSyncs(server, repl);
    this.configChanged();
  }

  /** A snapshot streams to replicas' sockets now (diskless sync). */
  get disklessSyncRunning(): boolean {
    return this.fullSyncs.disklessRunning;
  }

  /** The replicas attached (any state): memory/client-buffers.ts sums their unsent stream bytes. */
  get all(): ReadonlySet<ReplicaLink> {
    return this.links;
  }

  /** INFO connected_slaves: replicas attached (any state). */
  get count(): number {
    return this.links.size;
  }

  /** min-replicas-* changed (and at start). */
  configChanged(): void {
    const config = this.server.config;
    this.minToWrite = config.getInt('min-replicas-to-write');
    this.maxLagMs = config.getInt('min-replicas-max-lag') * 1000;
    this.refreshGood();
  }

  /** Stream bytes for every replica past its full sync (buffered for those still syncing). */
  feed(chunk: Buffer): void {
    if (this.links.size === 0) return;
    for (const link of this.links) {
      link.stream(chunk);
      // Over the replica class's output-buffer limits: closed (output-buffer-limits.ts).
      if (this.server.outputLimits.enforce(link.client)) this.remove(link);
    }
  }

  /** Closes every replica's connection. */
  disconnectAll(): void {
    for (const link of [...this.links]) {
      this.remove(link);
      link.client.close();
    }
    this.fullSyncs.clear();
  }

  private remove(link: ReplicaLink): void {
    if (!this.links.delete(link)) return;
    this.server.log.warn(`Connection with replica ${link.name} lost.`);
    this.fullSyncs.dropped(link);
    this.refreshGood();
  }

  /** Recounts the replicas that acknowledged within min-replicas-max-lag (Redis refreshGoodSlavesCount). */
  refreshGood(): void {
    if (this.minToWrite === 0 || this.maxLagMs === 0) return;
    const now = Date.now();
    let good = 0;
    for (const link of this.links) if (link.state === 'online' && now - link.ackTime <= this.maxLagMs) good++;
    this.good = good;
  }

  /** Online replicas whose last ACK is at most min-replicas-max-lag seconds old. */
  goodReplicas(): number {
    this.refreshGood();
    return this.good;
  }

  /** min-replicas-to-write is set and fewer good replicas are connected (writes get -NOREPLICAS). */
  tooFewGoodReplicas(): boolean {
    return this.minToWrite !== 0 && this.maxLagMs !== 0 && this.good < this.minToWrite;
  }

  /** INFO's slaveN lines. */
  infoFields(): [string, string | number][] {
    const now = Math.floor(Date.now() / 1000);
    let i = 0;
    const out: [string, string | number][] = [];
    for (const link of this.links) {
      // Redis counts the lag of online replicas only (0 while the RDB is prepared or sent).
      const lag = link.state === 'online' ? now - Math.floor(link.ackTime / 1000) : 0;
      const port = link.hs.listeningPort;
      out.push([`slave${i++}`, `ip=${link.ip},port=${port},state=${link.state},offset=${link.ackOffset},lag=${lag}`]);
    }
    return out;
  }

  /** ROLE's replica entries: [ip, port, acknowledged offset] (online replicas only, as Redis). */
  roleEntries(): [string, string, string][] {
    const out: [string, string, string][] = [];
    for (const link of this.links) {
      if (link.state !== 'online') continue;
      out.push([link.ip, String(link.hs.listeningPort), String(link.ackOffset)]);
    }
    return out;
  }

  private handshake(client: Client): Handshake {
    let hs = this.handshakes.get(client);
    if (hs === undefined) {
      hs = { listeningPort: 0, ipAddress: '', capaEof: false, capaPsync2: false, rdbOnly: false };
      this.handshakes.set(client, hs);
    }
    return hs;
  }

  /** PSYNC replid offset / SYNC from `client`, which becomes a replica. */
  psync(client: Client, argv: readonly Bytes[]): void {
    const repl = this.repl;
    if (repl.link !== undefined && !repl.link.linkUp) throw ERR_NO_MASTER_LINK;
    // Its replies so far must not interleave with the sync's bytes.
    if (client.writer.pendingBytes > 0) throw ERR_PENDING_OUTPUT;
    const isPsync = argv[0]!.toLowerCase() === 'psync';
    const link = new ReplicaLink(client, this.handshake(client), !isPsync, this);
    const log = this.server.log;
    log.info(`Replica ${link.name} asks for synchronization`);
    if (isPsync) {
      const replId = argv[1]!;
      const offset = parseI64(argv[2]!);
      if (offset !== undefined && this.tryPartial(link, replId, Number(offset))) return;
      if (replId === '?') log.info(`Full resync requested by replica ${link.name}`);
    }
    this.server.stats.syncFull++;
    this.attach(link);
    this.repl.ensureBacklog();
    this.fullSyncs.enqueue(link);
  }

  /** PSYNC of a known history whose missing part the backlog holds: +CONTINUE and those bytes. */
  private tryPartial(link: ReplicaLink, replId: string, offset: number): boolean {
    const repl = this.repl;
    const stats = this.server.stats;
    if (!repl.canContinue({ replId, offset })) {
      if (replId !== '?') {
        stats.syncPartialErr++;
        const sameId = replId === repl.replId || replId === repl.replId2;
        this.server.log.info(
          sameId
            ? `Unable to partial resync with replica ${link.name} for lack of backlog (Replica request was: ${offset}).`
            : `Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${replId}', my replication IDs are '${repl.replId}' and '${repl.replId2}')`,
        );
      }
      return false;
    }
    const missing = repl.backlog!.readFrom(offset)!;
    stats.syncPartialOk++;
    this.attach(link);
    link.send(link.hs.capaPsync2 ? `+CONTINUE ${repl.replId}\r\n` : '+CONTINUE\r\n');
    if (missing.length > 0) link.send(missing);
    link.online(true);
    this.server.log.info(
      `Partial resynchronization request from ${link.name} accepted. Sending ${missing.length} bytes of backlog starting from offset ${offset}.`,
    );
    return true;
  }

  /** The client is a replica from now on: no more replies, listed as flags=S. */
  private attach(link: ReplicaLink): void {
    const client = link.client;
    client.replicaLink = link;
    client.replyMode = 'off';
    this.links.add(link);
    client.socket.once('close', () => this.remove(link));
  }

  /** REPLCONF listening-port | ip-address | capa | rdb-only | ack ... (not GETACK, which the replica side answers). */
  replconf(ctx: CommandContext, argv: readonly Bytes[]): void {
    const client = ctx.client;
    const hs = this.handshake(client);
    for (let i = 1; i < argv.length; i += 2) {
      const value = argv[i + 1]!;
      switch (argv[i]!.toLowerCase()) {
        case 'listening-port': {
          const port = parseI64(value);
          if (port === undefined) throw ERR_NOT_INTEGER;
          hs.listeningPort = Number(port);
          break;
        }
        case 'ip-address':
          hs.ipAddress = value;
          break;
        case 'capa':
          if (value.toLowerCase() === 'eof') hs.capaEof = true;
          else if (value.toLowerCase() === 'psync2') hs.capaPsync2 = true;
          break;
        case 'rdb-only': {
          const n = parseI64(value);
          if (n === undefined) throw ERR_NOT_INTEGER;
          if (Number(n) !== 0 && Number(n) !== 1) throw ERR_RDB_ONLY_RANGE;
          hs.rdbOnly = Number(n) === 1;
          break;
        }
        case 'ack': {
          // From a replica only, and never answered.
          const link = client.replicaLink;
          const offset = parseI64(value);
          if (link !== undefined && offset !== undefined) this.ack(link, Number(offset));
          return;
        }
        case 'getack':
          return;
        default:
          throw replyError(`ERR Unrecognized REPLCONF option: ${argv[i]!}`);
      }
    }
    ctx.reply.ok();
  }

  private ack(link: ReplicaLink, offset: number): void {
    link.acked(offset);
    this.refreshGood();
    if (this.waiters.size !== 0 && !this.waitersCheckScheduled) {
      this.waitersCheckScheduled = true;
      setImmediate(() => this.serveWaiters());
    }
  }

  /** Online replicas that acknowledged the stream up to `offset` (Redis replicationCountAcksByOffset). */
  private ackedUpTo(offset: number): number {
    let n = 0;
    for (const link of this.links) if (link.state === 'online' && link.ackOffset >= offset) n++;
    return n;
  }

  /** WAIT numreplicas timeout (already parsed; timeoutMs 0 = forever). */
  wait(ctx: CommandContext, numReplicas: number, timeoutMs: number): void {
    const client = ctx.client;
    const offset = client.woff;
    const acked = this.ackedUpTo(offset);
    // Inside MULTI/EXEC nothing waits: the count now (Redis CLIENT_DENY_BLOCKING).
    if (acked >= numReplicas || client.denyBlocking) {
      ctx.reply.integer(acked);
      return;
    }
    const waiter: Waiter = {
      client,
      offset,
      numReplicas,
      request: {
        keys: [],
        deadline: timeoutMs > 0 ? ctx.now + timeoutMs : 0,
        onTimeout: (reply) => {
          this.waiters.delete(waiter);
          reply.integer(this.ackedUpTo(offset));
        },
      },
    };
    ctx.block(waiter.request);
    this.waiters.add(waiter);
    this.requestAcks();
  }

  /** `REPLCONF GETACK *` into the stream at the end of this turn (once, however many WAITs). */
  private requestAcks(): void {
    if (this.ackRequested) return;
    this.ackRequested = true;
    setImmediate(() => {
      this.ackRequested = false;
      if (this.waiters.size !== 0 && this.links.size !== 0) this.repl.append(-1, ['REPLCONF', 'GETACK', '*']);
    });
  }

  /** ACKs arrived: wakes the WAITs they satisfy (Redis processClientsWaitingReplicas). */
  private serveWaiters(): void {
    this.waitersCheckScheduled = false;
    const server = this.server;
    for (const waiter of this.waiters) {
      const state = waiter.client.blocked;
      // Timed out, unblocked (CLIENT UNBLOCK) or gone.
      if (state === undefined || state.request !== waiter.request) {
        this.waiters.delete(waiter);
        continue;
      }
      const acked = this.ackedUpTo(waiter.offset);
      if (acked < waiter.numReplicas) continue;
      this.waiters.delete(waiter);
      server.blocking.unblock(state);
      server.ended(state, (s) => s.client.writer.integer(acked));
    }
  }

  /** Once a second: pings (repl-ping-replica-period), repl-timeout, pending full syncs. */
  cron(): void {
    this.cronLoops++;
    const config = this.server.config;
    const repl = this.repl;
    // A primary pings its replicas through the stream (a replica relays its primary's stream only).
    if (!repl.isReplica && this.links.size !== 0 && this.cronLoops % config.getInt('repl-ping-replica-period') === 0) {
      repl.append(-1, ['PING']);
    }
    // In whole seconds, as Redis compares server.unixtime with the last ACK's.
    const now = Math.floor(Date.now() / 1000);
    const timeout = config.getInt('repl-timeout');
    for (const link of [...this.links]) {
      // Keeps a replica waiting for its RDB from timing out (not inside a diskless transfer).
      if (link.state === 'wait_bgsave' && (link.held === undefined || !link.diskless)) link.send('\n');
      let stalled = '';
      if (link.state === 'online' && !link.oldSync && now - Math.floor(link.ackTime / 1000) > timeout) stalled = 'streaming sync';
      else if (link.state !== 'online' && link.transferStalled(now) > timeout) stalled = 'full sync';
      if (stalled !== '') {
        this.server.log.warn(`Disconnecting timedout replica (${stalled}): ${link.name}`);
        this.remove(link);
        link.client.close();
      }
    }
    this.fullSyncs.maybeStart();
    this.refreshGood();
  }
}
