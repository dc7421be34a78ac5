/**
 * Client: one connection's state and its I/O loop. Bytes from the socket go through the
 * RespDecoder; each complete command goes to the dispatcher; replies gather in the ReplyWriter and
 * are written once per input batch with cork/uncork (Redis: handleClientsWithPendingWrites).
 *
 * Backpressure: when the socket's unsent bytes pass OUTPUT_HIGH_WATER, the client stops reading
 * and stops executing buffered commands until the socket drains, so a client that never reads its
 * replies costs a bounded amount of memory (about OUTPUT_HIGH_WATER + one batch of replies + the
 * socket's read buffer), where Redis would keep reading and buffer replies without bound.
 *
 * Limits: `client-query-buffer-limit` closes a client whose unparsed input passes it;
 * `client-output-buffer-limit` (output-buffer-limits.ts) is checked after each command of a batch
 * (before its replies leave), on each write to the socket, and by the cron. Mirrors redis
 * networking.c (client struct, readQueryFromClient, processInputBuffer, freeClientAsync) and the
 * client fields CLIENT LIST shows.
 */
import type { Socket } from 'node:net';
import type { Keyspace } from './keyspace/keyspace.js';
import type { Server } from './server.js';
import { RespDecoder } from './protocol/resp-decoder.js';
import { ReplyWriter, type ReplySink } from './protocol/reply-writer.js';
import { ProtocolError } from './protocol/reply-errors.js';
import type { BlockedState } from './blocking.js';
import { discardTransaction, type MultiState } from './transactions.js';
import type { ClientSubscriptions } from './pubsub/pubsub-hub.js';
import type { ClientTracking } from './tracking.js';
import type { ReplicaLink } from './replication/primary-side.js';
import { clientInfoString } from './commands/client-commands.js';

/** Unsent bytes above which the client is paused until its socket drains. */
const OUTPUT_HIGH_WATER = 4 * 1024 * 1024;
/**
 * Unsent bytes up to which no output limit can be passed (they would sit in Redis's static reply
 * buffer, which the limits do not count: output-buffer-limits.ts), so the check is skipped unless
 * a soft limit's time is running (the check under the limit resets it).
 */
const OUTPUT_LIMIT_FLOOR = 16 * 1024;
/** Replies gathered in one batch above which they are handed to the socket early. */
const EARLY_FLUSH_BYTES = 1024 * 1024;

/** CLIENT REPLY ON|OFF|SKIP */
export type ReplyMode = 'on' | 'off' | 'skip';

export class Client implements ReplySink {
  /** CLIENT ID: unique, increasing. */
  readonly id: number;
  readonly decoder: RespDecoder;
  readonly writer: ReplyWriter;
  /** The selected database. */
  db: Keyspace;
  /** CLIENT SETNAME / HELLO SETNAME ('' = none). */
  name = '';
  /** CLIENT SETINFO lib-name / lib-ver. */
  libName = '';
  libVer = '';
  /** Passed AUTH, or no password is required. */
  authenticated: boolean;
  user = 'default';
  readonly createdAt: number;
  /** Last time a command arrived (CLIENT LIST idle, `timeout`). */
  lastInteraction: number;
  /** Full name of the last command (CLIENT LIST cmd=). */
  lastCommand = 'NULL';
  replyMode: ReplyMode = 'on';
  noEvict = false;
  noTouch = false;
  /** Receives every command the server runs (MONITOR). */
  monitor = false;
  /** Waiting in a blocking command (BLPOP...): its later commands wait too. */
  blocked: BlockedState | undefined;
  /** Its last command waits for a CLIENT PAUSE to end (client-pause.ts); its input waits behind it. */
  postponed = false;
  /** Between MULTI and EXEC/DISCARD: the queued commands (transactions.ts). */
  multi: MultiState | undefined;
  /** A key this client WATCHes was changed: its next EXEC fails (Redis CLIENT_DIRTY_CAS). */
  dirtyCas = false;
  /** Running EXEC's commands: a blocking command answers at once instead (Redis CLIENT_DENY_BLOCKING). */
  denyBlocking = false;
  /**
   * Its pub/sub subscriptions; present only while it has at least one (Redis CLIENT_PUBSUB):
   * the pubsub output-buffer class, and in RESP2 the subscribed mode the dispatcher enforces.
   */
  pubsub: ClientSubscriptions | undefined;
  /** CLIENT TRACKING settings; present only while tracking is on (Redis CLIENT_TRACKING). */
  tracking: ClientTracking | undefined;
  /** This connection is a replica of this server (after SYNC/PSYNC): its sync state (Redis CLIENT_SLAVE). */
  replicaLink: ReplicaLink | undefined;
  /** This client applies this server's primary's stream (Redis CLIENT_MASTER): writes pass READONLY. */
  fromPrimary = false;
  /** The stream offset just after this client's last propagated write (WAIT waits for acks up to it). */
  woff = 0;
  /** Closing after the pending replies are written (QUIT, protocol error, CLIENT KILL). */
  closing = false;
  /**
   * Unix second its unsent output first passed its class's soft limit, 0 when under it (Redis
   * obuf_soft_limit_reached_time; output-buffer-limits.ts).
   */
  obufSoftLimitSince = 0;
  /** Reading and executing are paused until the socket drains. */
  private paused = false;
  private closed = false;
  readonly remoteAddress: string;
  readonly localAddress: string;

  constructor(
    readonly server: Server,
    readonly socket: Socket,
    id: number,
    db: Keyspace,
    /** The `unixsocket` path it connected through (CLIENT LIST addr=<path>:0, flags=U), if any. */
    readonly unixPath?: string,
  ) {
    this.id = id;
    this.db = db;
    this.authenticated = !server.requiresAuth();
    this.createdAt = this.lastInteraction = Date.now();
    if (unixPath !== undefined) {
      this.remoteAddress = this.localAddress = `${unixPath}:0`;
    } else {
      this.remoteAddress = formatAddress(socket.remoteAddress, socket.remotePort);
      this.localAddress = formatAddress(socket.localAddress, socket.localPort);
    }
    this.decoder = new RespDecoder({
      maxBulkLen: () => server.limits.protoMaxBulkLen,
      authenticated: () => this.authenticated,
    });
    this.writer = new ReplyWriter(this);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  /** RESP version in use (HELLO). */
  get protocol(): 2 | 3 {
    return this.writer.protocol;
  }

  // ---- Input ----

  private onData(chunk: Buffer): void {
    this.server.stats.netInputBytes += chunk.length;
    if (this.closing) return;
    this.lastInteraction = Date.now(); // per read, as Redis's readQueryFromClient does
    this.server.bufferedClients.add(this);
    this.decoder.feed(chunk);
    // The link to this server's primary is never cut for its input (Redis exempts CLIENT_MASTER).
    if (this.decoder.bufferedBytes > this.server.limits.clientQueryBufferLimit && !this.fromPrimary) {
      // COMPAT: Redis appends "(qbuf initial bytes: ...)"; the decoder keeps no copy of them.
      this.server.log.warn(`Closing client that reached max query buffer length: ${clientInfoString(this)}`);
      this.close();
      return;
    }
    this.processInput();
  }

  /** Runs the buffered commands until none is complete, or the client pauses or closes. */
  processInput(): void {
    const limits = this.server.outputLimits;
    const dispatcher = this.server.dispatcher;
    dispatcher.batchStarts();
    try {
      while (!this.paused && !this.closing && this.blocked === undefined && !this.postponed) {
        const argv = this.decoder.next();
        if (argv === null) break;
        dispatcher.process(this, argv);
        // Over its output limit: closed before this batch's replies leave, as Redis frees a client
        // flagged close-asap without writing to it.
        if ((this.writer.pendingBytes > OUTPUT_LIMIT_FLOOR || this.obufSoftLimitSince !== 0) && limits.enforce(this)) return;
        if (this.writer.pendingBytes > EARLY_FLUSH_BYTES) {
          this.flush();
          dispatcher.batchPaused();
        }
      }
    } catch (e) {
      if (e instanceof ProtocolError) {
        this.server.stats.protocolErrors++;
        this.server.log.debug(`Protocol error (${e.message}) from client: ${this.describe()}`);
        this.writer.error(`ERR ${e.message}`);
      } else {
        // A bug outside any command (handlers' errors are caught by the dispatcher): never let
        // it escape the 'data' event and take the process down; drop this connection instead.
        this.server.log.error({ err: e }, `Internal error while reading from client: ${this.describe()}`);
      }
      this.closing = true;
    } finally {
      dispatcher.batchEnds();
    }
    if (this.closing) {
      this.flush();
      this.endAfterReplies();
    } else if (this.writer.pendingBytes > 0) {
      this.server.flushSoon(this);
    }
  }

  // ---- Output ----

  /**
   * Hands gathered replies to the socket. The AOF is written first (a no-op when nothing is
   * pending), so no reply acknowledges a write that is not in the AOF, even when replies leave
   * early (large pipelines, QUIT, MONITOR).
   */
  flush(): void {
    this.server.aof.beforeReplies();
    if (!this.closed) this.writer.flush();
  }

  /** ReplySink: writes one batch with a single syscall where the socket allows. */
  write(chunks: Buffer[], bytes: number): void {
    if (this.closed) return;
    const s = this.socket;
    // Replies written outside the client's own batch (MONITOR, invalidations, woken BLPOPs) are
    // checked here, before they reach the socket.
    const unsent = bytes + s.writableLength;
    if ((unsent > OUTPUT_LIMIT_FLOOR || this.obufSoftLimitSince !== 0) && this.server.outputLimits.enforce(this, unsent)) return;
    this.server.stats.netOutputBytes += bytes;
    if (chunks.length === 1) {
      s.write(chunks[0]!);
    } else {
      s.cork();
      for (const c of chunks) s.write(c);
      s.uncork();
    }
    if (s.writableLength === 0) return;
    this.server.bufferedClients.add(this);
    if (s.writableLength > OUTPUT_HIGH_WATER && !this.paused) {
      this.paused = true;
      s.pause();
    }
  }

  /** Bytes written to the socket and not yet sent (CLIENT LIST omem). */
  get outputBytes(): number {
    return this.writer.pendingBytes + (this.closed ? 0 : this.socket.writableLength);
  }

  private onDrain(): void {
    if (!this.paused) return;
    this.paused = false;
    this.socket.resume();
    this.processInput();
  }

  // ---- Lifecycle ----

  /** Closes after the replies already written have been sent (QUIT, CLIENT KILL on self). */
  private endAfterReplies(): void {
    if (this.closed) return;
    // Once the replies are handed to the kernel, close the descriptor, as Redis does: a peer
    // that never closes its side must not keep a half-closed socket alive.
    this.socket.once('finish', () => this.socket.destroy());
    this.socket.end();
    this.server.clientGone(this);
    this.closed = true;
  }

  /** Closes now, dropping unsent replies. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    this.socket.destroy();
    this.server.clientGone(this);
  }

  /** Asks the client to close once its current batch is replied to. */
  closeAfterReply(): void {
    this.closing = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** id=… addr=… for logs. */
  describe(): string {
    return `id=${this.id} addr=${this.remoteAddress} laddr=${this.localAddress} name=${this.name}`;
  }

  /** RESET: back to the state of a new connection (db 0, RESP2, no name, default user...). */
  reset(): void {
    discardTransaction(this);
    this.select(this.server.keyspaces[0]!);
    this.writer.protocol = 2;
    this.name = '';
    this.replyMode = 'on';
    this.noEvict = false;
    this.noTouch = false;
    if (this.monitor) {
      this.monitor = false;
      this.server.monitors.delete(this);
    }
    this.user = 'default';
    this.authenticated = !this.server.requiresAuth();
    this.server.pubsub.dropClient(this);
    this.server.tracking.disable(this);
  }

  /** Switches database (SELECT). */
  select(db: Keyspace): void {
    this.db = db;
  }

  /** Argument bytes in use while a command is half-read (CLIENT LIST qbuf). */
  get queryBufferBytes(): number {
    return this.decoder.bufferedBytes;
  }

  /** The args already read of a command not complete yet (CLIENT LIST argv-mem; client memory). */
  get pendingArgBytes(): number {
    return this.decoder.pendingArgBytes;
  }
}

function formatAddress(host: string | undefined, port: number | undefined): string {
  if (host === undefined) return '?:0';
  const h = host.startsWith('::ffff:') ? host.slice(7) : host;
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
}
