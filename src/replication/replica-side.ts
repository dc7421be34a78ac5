/**
 * PrimaryLink: a replica's connection to its primary, from REPLICAOF host port until REPLICAOF
 * NO ONE (or another primary). It owns the whole life of the link:
 *
 *   connect → handshake (PING; AUTH; REPLCONF listening-port / ip-address / capa eof psync2;
 *   PSYNC replid offset+1 when this server has a history to continue, else PSYNC ? -1)
 *   → +FULLRESYNC: the RDB payload is received and loaded beside the live data, then swapped in
 *     (replica-sync.ts), and this server's history becomes the primary's (resetHistory)
 *   → +CONTINUE: the data stays; only the replication ID may change
 *   → streaming: the connection becomes a client flagged `fromPrimary` (CLIENT LIST flags=M) whose
 *     commands run through the dispatcher (so the AOF gets them); the bytes of each applied command
 *     go on, unchanged, to this server's backlog and own replicas (feedFromPrimary). Replies to
 *     the primary are dropped; only REPLCONF ACK <offset> goes back (once a second and on GETACK).
 *
 * Failures (refused connection, error replies, repl-timeout without a byte from the primary, a
 * lost link) are logged with Redis's lines and the link reconnects: at once after a lost stream
 * or a failed transfer, from the once-a-second cron otherwise. A lost stream keeps this server's
 * (replid, offset), so the reconnection asks to continue (partial resync).
 *
 * Mirrors redis replication.c: connectWithMaster, syncWithMaster (the handshake state machine),
 * slaveTryPartialResynchronization, readSyncBulkPayload, replicationCreateMasterClient,
 * replicationSendAck, replicationCacheMaster / replicationHandleMasterDisconnection, the replica
 * half of replicationCron, and the replica lines of INFO replication and ROLE.
 */
import net from 'node:net';
import { Client } from '../client.js';
import type { Server } from '../server.js';
import type { ReplyWriter } from '../protocol/reply-writer.js';
import { ProtocolError } from '../protocol/reply-errors.js';
import type { Replication } from './replication.js';
import { SyncPayload, loadSyncPayload, type SyncLoad } from './replica-sync.js';
import { RespBuffer } from '../persistence/aof-resp.js';

/** Redis's repl_state, by the names ROLE shows. */
type LinkState = 'connect' | 'connecting' | 'handshake' | 'sync' | 'connected';
/** Handshake replies awaited, in order. */
type Step = 'ping' | 'auth' | 'port' | 'ip' | 'capa' | 'psync';

/** PING, and the errors that still prove a primary answers (it wants AUTH first). */
const PING_OK = ['+', '-NOAUTH', '-NOPERM', '-ERR operation not permitted'];

export class PrimaryLink {
  /** Where the link is (ROLE's state). */
  private state: LinkState = 'connect';
  private socket: net.Socket | undefined;
  private stopped = false;
  /** Handshake replies still awaited, and a partial reply line. */
  private steps: Step[] = [];
  private line = Buffer.alloc(0);
  /** After +FULLRESYNC: the primary's ID and offset, and the payload being received. */
  private full: { replId: string; offset: number } | undefined;
  private payload: SyncPayload | undefined;
  /** The payload being loaded, and stream bytes that arrive meanwhile. */
  private load: SyncLoad | undefined;
  private held: Buffer[] = [];
  /** Unix ms of the last byte from the primary (repl-timeout, master_last_io_seconds_ago). */
  private lastIo = Date.now();
  /** Unix ms the link went down, or 0 while it never was up (master_link_down_since_seconds). */
  private downSince = 0;
  /** While streaming: the client applying the primary's commands. */
  private client: Client | undefined;
  /** Offset of the last byte read from the primary, applied by the dispatcher, and fed on. */
  private readOffset = 0;
  private appliedOffset = 0;
  private fedOffset = 0;
  /** Stream bytes read and not yet fed on (the tail may be a partial command or transaction). */
  private unfed: Buffer[] = [];
  /** The database the primary's stream is in: it survives reconnections (no SELECT after +CONTINUE). */
  private db = 0;
  /**
   * A command of the primary's is running: keys whose TTL passed are still there for it
   * (Redis: the master client sees logically expired keys; only its DEL removes them).
   */
  applying = false;
  /**
   * This server has a history the primary may continue: PSYNC names repl.replId and
   * repl.offset + 1. A server that was a primary has one (Redis synthesizes a cached master from
   * itself), and so does one whose previous link synced; a server just started has none unless
   * dump.rdb recorded it (resumeReplicationAtStart).
   */
  history: boolean;

  constructor(
    private readonly server: Server,
    private readonly repl: Replication,
    readonly host: string,
    readonly port: number,
    wasPrimary: boolean,
  ) {
    // repl.link is still the previous link here (REPLICAOF to another primary while connected).
    const previous = repl.link;
    this.history = previous !== undefined ? previous.history : wasPrimary;
    this.db = previous !== undefined ? previous.streamDb : 0;
  }

  /** The database of the primary's stream (RDB aux repl-stream-db). */
  get streamDb(): number {
    return this.client?.db.index ?? this.db;
  }

  set streamDb(index: number) {
    this.db = index;
  }

  /** Connects, handshakes, syncs, then applies the stream; reconnects after a failure. */
  start(): void {
    this.connect();
  }

  /** Closes the connection (the data stays). */
  stop(): void {
    this.stopped = true;
    this.db = this.streamDb;
    this.load?.cancel();
    this.load = undefined;
    this.drop();
  }

  /** master_link_status:up */
  get linkUp(): boolean {
    return this.state === 'connected';
  }

  /** The client that applies the primary's stream (writes allowed on a read-only replica; sees expired keys). */
  isPrimaryClient(client: Client): boolean {
    return client === this.client;
  }

  /** REPLCONF GETACK from the primary: answer REPLCONF ACK <offset>. */
  sendAck(): void {
    if (this.client === undefined) return;
    this.send([['REPLCONF', 'ACK', String(this.appliedOffset)]]);
  }

  // ---- Connection and handshake ----

  private log(line: string): void {
    this.server.log.info(line);
  }

  private warn(line: string): void {
    this.server.log.warn(line);
  }

  private connect(): void {
    if (this.stopped) return;
    this.state = 'connecting';
    this.lastIo = Date.now();
    this.steps = [];
    this.line = Buffer.alloc(0);
    this.full = undefined;
    this.payload = undefined;
    this.held = [];
    const sock = net.connect({ host: this.host, port: this.port });
    this.socket = sock;
    this.log('MASTER <-> REPLICA sync started');
    sock.setNoDelay(true);
    sock.on('connect', () => {
      if (sock !== this.socket) return;
      this.log('Non blocking connect for SYNC fired the event.');
      this.state = 'handshake';
      this.lastIo = Date.now();
      this.steps = ['ping'];
      this.send([['PING']]);
    });
    sock.on('data', (chunk: Buffer) => this.onData(sock, chunk));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (sock !== this.socket || this.state !== 'connecting') return;
      this.warn(`Error condition on socket for SYNC: ${e.code === 'ECONNREFUSED' ? 'Connection refused' : e.message}`);
    });
    sock.on('close', () => this.onClose(sock));
  }

  /** Writes commands as RESP multibulks, in one write. */
  private send(commands: string[][]): void {
    const out = new RespBuffer();
    for (const argv of commands) out.command(argv);
    this.socket?.write(out.take());
  }

  /** Closes the current connection, if any, without reconnecting. */
  private drop(): void {
    const sock = this.socket;
    const client = this.client;
    this.socket = undefined;
    this.client = undefined;
    this.applying = false;
    if (client !== undefined) {
      this.db = client.db.index;
      client.close();
    }
    sock?.destroy();
    if (this.state === 'connected') this.downSince = Date.now();
    this.state = 'connect';
  }

  /** A handshake or transfer failed: the link retries now (`now`) or from the cron. */
  private fail(now: boolean): void {
    this.drop();
    if (now && !this.stopped) {
      this.log(`Reconnecting to MASTER ${this.host}:${this.port} after failure`);
      this.connect();
    }
  }

  private onClose(sock: net.Socket): void {
    if (sock !== this.socket || this.stopped) return;
    if (this.load !== undefined) {
      // The payload is complete: the load finishes, then the link reconnects to continue.
      this.socket = undefined;
      return;
    }
    if (this.state === 'connected') {
      this.lost();
    } else if (this.state === 'sync') {
      this.warn(this.payload?.announce === undefined ? 'I/O error reading bulk count from MASTER: connection lost' : 'I/O error trying to sync with MASTER: connection lost');
      this.fail(true);
    } else if (this.state === 'handshake') {
      this.warn('Master did not respond to command during SYNC handshake');
      this.drop();
    } else {
      this.drop();
    }
  }

  /** The stream's connection is gone: keep (replid, offset) and reconnect at once to continue. */
  private lost(): void {
    this.warn('Connection with master lost.');
    this.log('Caching the disconnected master state.');
    this.drop();
    if (this.stopped) return;
    this.log(`Reconnecting to MASTER ${this.host}:${this.port}`);
    this.connect();
  }

  private onData(sock: net.Socket, chunk: Buffer): void {
    if (sock !== this.socket) return;
    this.lastIo = Date.now();
    this.server.stats.netInputBytes += chunk.length;
    if (this.client !== undefined) return this.onStream(chunk);
    if (this.load !== undefined) {
      this.held.push(chunk);
      return;
    }
    if (this.payload !== undefined) return this.onPayload(chunk);
    let data = this.line.length === 0 ? chunk : Buffer.concat([this.line, chunk]);
    while (this.steps.length > 0) {
      const lf = data.indexOf(10);
      if (lf < 0) break;
      const text = data.toString('latin1', 0, lf > 0 && data[lf - 1] === 13 ? lf - 1 : lf);
      data = data.subarray(lf + 1);
      if (text === '') continue; // a primary busy preparing the reply sends newlines
      this.reply(this.steps.shift()!, text);
      if (sock !== this.socket) return;
      if (this.payload !== undefined) return this.onPayload(data);
      if (this.client !== undefined) {
        if (data.length > 0) this.onStream(data);
        return;
      }
    }
    this.line = Buffer.from(data);
  }

  /** One handshake reply (Redis syncWithMaster). */
  private reply(step: Step, text: string): void {
    const err = text.startsWith('-');
    switch (step) {
      case 'ping':
        if (!PING_OK.some((p) => text.startsWith(p))) {
          this.warn(`Error reply to PING from master: '${text}'`);
          this.drop();
          return;
        }
        this.log('Master replied to PING, replication can continue...');
        this.sendHandshake();
        return;
      case 'auth':
        if (err) {
          this.warn(`Unable to AUTH to MASTER: ${text}`);
          this.drop();
        }
        return;
      case 'port':
        if (err) this.log(`(Non critical) Master does not understand REPLCONF listening-port: ${text}`);
        return;
      case 'ip':
        if (err) this.log(`(Non critical) Master does not understand REPLCONF ip-address: ${text}`);
        return;
      case 'capa':
        if (err) this.log(`(Non critical) Master does not understand REPLCONF capa: ${text}`);
        this.sendPsync();
        return;
      case 'psync':
        this.psyncReply(text);
    }
  }

  /** AUTH, REPLCONF listening-port / ip-address / capa, pipelined as Redis 7.0 does. */
  private sendHandshake(): void {
    const config = this.server.config;
    const commands: string[][] = [];
    const pass = config.get('masterauth');
    if (pass !== '') {
      const user = config.get('masteruser');
      commands.push(user !== '' ? ['AUTH', user, pass] : ['AUTH', pass]);
      this.steps.push('auth');
    }
    const port = config.getInt('replica-announce-port') || this.server.port;
    commands.push(['REPLCONF', 'listening-port', String(port)]);
    this.steps.push('port');
    const ip = config.get('replica-announce-ip');
    if (ip !== '') {
      commands.push(['REPLCONF', 'ip-address', ip]);
      this.steps.push('ip');
    }
    commands.push(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']);
    this.steps.push('capa');
    this.send(commands);
  }

  private sendPsync(): void {
    const repl = this.repl;
    if (this.history) {
      this.log(`Trying a partial resynchronization (request ${repl.replId}:${repl.offset + 1}).`);
      this.send([['PSYNC', repl.replId, String(repl.offset + 1)]]);
    } else {
      this.log('Partial resynchronization not possible (no cached master)');
      this.send([['PSYNC', '?', '-1']]);
    }
    this.steps.push('psync');
  }

  /** +FULLRESYNC id offset, +CONTINUE [id], or an error (Redis slaveTryPartialResynchronization). */
  private psyncReply(text: string): void {
    if (text.startsWith('+FULLRESYNC')) {
      const [, id, off] = text.split(' ');
      const offset = Number(off);
      if (id === undefined || id.length !== 40 || !Number.isInteger(offset)) {
        this.warn('Master replied with wrong +FULLRESYNC syntax.');
        this.drop();
        return;
      }
      this.log(`Full resync from master: ${id}:${offset}`);
      this.full = { replId: id, offset };
      this.payload = new SyncPayload();
      this.state = 'sync';
      return;
    }
    if (text.startsWith('+CONTINUE')) {
      this.log('Successful partial resynchronization with master.');
      const id = text.slice('+CONTINUE'.length).trim();
      const repl = this.repl;
      if (id.length === 40 && id !== repl.replId) {
        this.log(`Master replication ID changed to ${id}`);
        repl.shiftReplId(id);
        // Our own replicas follow the old ID: they reconnect and continue under the new one.
        repl.replicas.disconnectAll();
      }
      repl.ensureBacklog();
      this.log('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      this.startStream(this.socket!);
      return;
    }
    if (text.startsWith('-NOMASTERLINK') || text.startsWith('-LOADING')) {
      this.log(`Master is currently unable to PSYNC but should be in the future: ${text}`);
    } else {
      // COMPAT: Redis falls back to the old SYNC here; every primary Kioku can follow knows PSYNC.
      this.warn(`Unexpected reply to PSYNC from master: ${text}`);
    }
    this.drop();
  }

  // ---- Full sync ----

  private onPayload(chunk: Buffer): void {
    let done: { rdb: Buffer; rest: Buffer } | undefined;
    try {
      done = this.payload!.push(chunk, (line) => this.log(line));
    } catch (e) {
      this.warn((e as Error).message);
      this.fail(true);
      return;
    }
    if (done === undefined) return;
    if (done.rest.length > 0) this.held.push(done.rest);
    this.log('MASTER <-> REPLICA sync: Loading DB in memory');
    const sock = this.socket!;
    const full = this.full!;
    const load = loadSyncPayload(this.server, done.rdb);
    this.load = load;
    load.done.then(
      () => {
        if (this.load !== load) return;
        this.load = undefined;
        this.payload = undefined;
        if (this.history) this.log('Discarding previously cached master state.');
        this.repl.resetHistory(full.replId, full.offset);
        this.history = true;
        this.db = 0;
        this.log('MASTER <-> REPLICA sync: Finished with success');
        if (sock !== this.socket) {
          this.socket = sock; // closed while loading: continue from the loaded data
          this.state = 'connected';
          this.lost();
          return;
        }
        this.startStream(sock);
        this.sendAck();
      },
      (e: Error) => {
        if (this.load !== load) return;
        this.load = undefined;
        this.warn(`Failed trying to load the MASTER synchronization DB from disk, check server logs. (${e.message})`);
        this.fail(false);
      },
    );
  }

  // ---- Streaming ----

  /** The connection becomes the primary's client (Redis replicationCreateMasterClient). */
  private startStream(sock: net.Socket): void {
    const server = this.server;
    const client = new Client(server, sock, server.newClientId(), server.keyspaces[this.db] ?? server.keyspaces[0]!);
    // The link reads the socket itself: it needs each command's bytes (offsets, chained replicas).
    sock.removeAllListeners('data');
    sock.on('data', (chunk: Buffer) => this.onData(sock, chunk));
    client.authenticated = true;
    client.fromPrimary = true;
    client.replyMode = 'off'; // replies to the primary are dropped (Redis: prepareClientToWrite)
    server.clients.set(client.id, client);
    this.client = client;
    this.state = 'connected';
    this.lastIo = Date.now();
    this.readOffset = this.appliedOffset = this.fedOffset = this.repl.offset;
    this.unfed = [];
    const held = this.held;
    this.held = [];
    for (const chunk of held) if (this.client === client) this.onStream(chunk);
  }

  /** Stream bytes: run every complete command, then feed on what was applied. */
  private onStream(chunk: Buffer): void {
    const client = this.client!;
    const server = this.server;
    client.lastInteraction = this.lastIo;
    this.readOffset += chunk.length;
    this.unfed.push(chunk);
    const decoder = client.decoder;
    decoder.feed(chunk);
    this.applying = true;
    try {
      while (!client.isClosed) {
        const argv = decoder.next();
        if (argv === null) break;
        client.denyBlocking = true; // the primary's commands never wait
        server.dispatcher.process(client, argv);
        // The offset moves by whole commands, and by whole transactions (Redis c->reploff).
        if (client.multi === undefined) this.appliedOffset = this.readOffset - decoder.bufferedBytes;
      }
    } catch (e) {
      const why = e instanceof ProtocolError ? `Protocol error (${e.message})` : `Internal error (${(e as Error).message})`;
      this.warn(`${why} from client: ${client.describe()}`);
      client.close();
    } finally {
      this.applying = false;
    }
    this.feedApplied();
  }

  /** Sends the applied commands' bytes to this server's backlog and replicas. */
  private feedApplied(): void {
    let n = this.appliedOffset - this.fedOffset;
    if (n <= 0) return;
    this.fedOffset = this.appliedOffset;
    const parts: Buffer[] = [];
    while (n > 0) {
      const c = this.unfed[0]!;
      if (c.length <= n) {
        parts.push(c);
        this.unfed.shift();
        n -= c.length;
      } else {
        parts.push(c.subarray(0, n));
        this.unfed[0] = c.subarray(n);
        n = 0;
      }
    }
    this.repl.feedFromPrimary(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  }

  // ---- Introspection ----

  /** INFO replication, from master_host to replica_announced. */
  infoFields(): [string, string | number][] {
    const config = this.server.config;
    const now = Date.now();
    const secs = (ms: number) => Math.floor((now - ms) / 1000);
    const streaming = this.client !== undefined;
    const offset = streaming ? this.appliedOffset : this.history ? this.repl.offset : 1;
    const out: [string, string | number][] = [
      ['master_host', this.host],
      ['master_port', this.port],
      ['master_link_status', this.linkUp ? 'up' : 'down'],
      ['master_last_io_seconds_ago', streaming ? secs(this.lastIo) : -1],
      ['master_sync_in_progress', this.state === 'sync' ? 1 : 0],
      ['slave_read_repl_offset', streaming ? this.readOffset : offset],
      ['slave_repl_offset', offset],
    ];
    if (this.state === 'sync') {
      const p = this.payload;
      const total = p?.totalBytes ?? 0;
      const read = p?.readBytes ?? 0;
      const perc = total !== 0 ? (read / total) * 100 : 0;
      out.push(
        ['master_sync_total_bytes', total],
        ['master_sync_read_bytes', read],
        ['master_sync_left_bytes', total - read],
        // C's %.2f keeps the sign of -0 (0 bytes of a size still unknown, -1): "-0.00".
        ['master_sync_perc', Object.is(perc, -0) ? '-0.00' : perc.toFixed(2)],
        ['master_sync_last_io_seconds_ago', secs(this.lastIo)],
      );
    }
    if (!this.linkUp) out.push(['master_link_down_since_seconds', this.downSince === 0 ? -1 : secs(this.downSince)]);
    out.push(
      ['slave_priority', config.getInt('replica-priority')],
      ['slave_read_only', config.getBool('replica-read-only') ? 1 : 0],
      ['replica_announced', config.getBool('replica-announced') ? 1 : 0],
    );
    return out;
  }

  /** ROLE on a replica: slave, host, port, state, offset (-1 until the stream is applied). */
  roleReply(w: ReplyWriter): void {
    w.arrayHeader(5);
    w.bulk('slave');
    w.bulk(this.host);
    w.integer(this.port);
    w.bulk(this.state);
    w.integer(this.client !== undefined ? this.appliedOffset : -1);
  }

  /** Once a second: REPLCONF ACK, repl-timeout, reconnection (Redis replicationCron). */
  cron(): void {
    if (this.stopped) return;
    const idle = Date.now() - this.lastIo;
    const timeout = this.server.config.getInt('repl-timeout') * 1000;
    switch (this.state) {
      case 'connect':
        if (this.load !== undefined) return;
        this.log(`Connecting to MASTER ${this.host}:${this.port}`);
        this.connect();
        return;
      case 'connecting':
      case 'handshake':
        if (idle > timeout) {
          this.warn('Timeout connecting to the MASTER...');
          this.fail(true);
        }
        return;
      case 'sync':
        // While the payload loads the primary waits for our first ACK: silence is expected.
        if (this.load === undefined && idle > timeout) {
          this.warn("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
          this.fail(true);
        }
        return;
      case 'connected':
        if (idle > timeout) {
          this.warn('MASTER timeout: no data nor PING received...');
          this.lost();
          return;
        }
        this.sendAck();
    }
  }
}
