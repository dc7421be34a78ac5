/**
 * Server: owns the listening sockets, the clients, the databases, the command table and
 * dispatcher, statistics, and the periodic cron (active expiry, idle timeouts). Everything that
 * is global in Redis's `server` struct hangs off one instance here, so tests can run several
 * servers in one process. Mirrors redis server.c (initServer, serverCron, acceptCommonHandler).
 */
import fs from 'node:fs';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { repr, type Bytes } from './keyspace/bytes.js';
import { Keyspace, type KeyspaceHost } from './keyspace/keyspace.js';
import { ScanCursors } from './keyspace/scan-cursors.js';
import { Client } from './client.js';
import { Config } from './config.js';
import { type Clock, SystemClock } from './clock.js';
import { CommandTable } from './commands/command-table.js';
import { ALL_FAMILIES } from './commands/families.js';
import { Dispatcher } from './commands/dispatcher.js';
import { Propagator } from './replication/propagator.js';
import { Replication } from './replication/replication.js';
import { resumeReplicationAtStart } from './replication/replica-restart.js';
import { Slowlog } from './slowlog.js';
import { ClientPause, type PauseHost } from './client-pause.js';
import { BlockingRegistry, type BlockedState, type BlockingHost } from './blocking.js';
import { WatchRegistry } from './transactions.js';
import { PubSubHub } from './pubsub/pubsub-hub.js';
import { TrackingRegistry } from './tracking.js';
import { KeyspaceNotifications } from './notifications.js';
import { createLogger, pinoLevel, type Logger } from './logger.js';
import type { FunctionLibrary } from './scripting/function-library.js';
import { Persistence } from './persistence/persistence.js';
import type { Snapshot } from './persistence/snapshot.js';
import { Aof } from './persistence/aof.js';
import { MemoryAccounting } from './memory/accounting.js';
import { Eviction } from './memory/eviction.js';
import { BufferedClients } from './memory/client-buffers.js';
import { OutputBufferLimits } from './output-buffer-limits.js';

export { REDIS_VERSION, KIOKU_VERSION } from './version.js';

/** Counters behind INFO stats. */
export class ServerStats {
  totalConnectionsReceived = 0;
  totalCommandsProcessed = 0;
  rejectedConnections = 0;
  expiredKeys = 0;
  /** evicted_keys: keys deleted by the maxmemory policy (memory/eviction.ts). */
  evictedKeys = 0;
  /** total_eviction_exceeded_time: ms used memory spent over maxmemory, in closed periods. */
  evictionExceededMs = 0;
  /** performance.now() when used memory last went over maxmemory; 0 while it is not. */
  evictionExceededSince = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  protocolErrors = 0;
  totalErrorReplies = 0;
  /** sync_full, sync_partial_ok, sync_partial_err: replicas' PSYNC/SYNC outcomes. */
  syncFull = 0;
  syncPartialOk = 0;
  syncPartialErr = 0;
  /** errorstats: error code (ERR, WRONGTYPE...) → count. */
  errors = new Map<string, number>();
  /** INFO used_memory_peak: the highest used_memory INFO has measured. */
  usedMemoryPeak = 0;
  /** Samples for instantaneous_ops_per_sec: [ms, totalCommandsProcessed]. */
  opsSamples: [number, number][] = [];

  reset(): void {
    Object.assign(this, new ServerStats());
  }
}

/** Limits read on the hot path, cached from the config on every change. */
export interface HotLimits {
  protoMaxBulkLen: number;
  clientQueryBufferLimit: number;
}

/**
 * Redis 7.0's compact-encoding thresholds (OBJECT ENCODING listpack/intset below them). Lists
 * have none here: Redis 7.0 reports every list as a quicklist.
 */
export interface EncodingLimits {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  setMaxIntsetEntries: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
}

const DENIED_PROTECTED =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. ' +
  'In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: ' +
  "1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. " +
  '2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to \'no\', and then restarting the server. ' +
  '3) If you started the server manually just for testing, restart it with the \'--protected-mode no\' option. ' +
  '4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n';

export interface ServerOptions {
  config?: Config;
  clock?: Clock;
  logger?: Logger;
}

export class Server implements KeyspaceHost, BlockingHost, PauseHost {
  readonly config: Config;
  readonly clock: Clock;
  log: Logger;
  readonly commands = new CommandTable(ALL_FAMILIES);
  readonly dispatcher = new Dispatcher(this);
  readonly propagator = new Propagator();
  /** Clients parked by blocking commands (BLPOP...), and the keys they wait on. */
  readonly blocking = new BlockingRegistry(this);
  /** CLIENT PAUSE: its mode and end, and the clients it holds back. */
  readonly pause = new ClientPause(this);
  /** WATCHed keys and the clients watching them (MULTI/EXEC). */
  readonly watches = new WatchRegistry();
  /** client-output-buffer-limit for the normal, replica and pubsub classes (output-buffer-limits.ts). */
  readonly outputLimits = new OutputBufferLimits(this);
  /** Pub/sub subscriptions and PUBLISH fan-out. */
  readonly pubsub = new PubSubHub((c) => this.outputLimits.enforce(c), (c) => this.flushSoon(c));
  /** Keyspace notifications (notify-keyspace-events), published through `pubsub`. */
  readonly notifications = new KeyspaceNotifications(this.pubsub);
  /** CLIENT TRACKING: keys read by tracking clients, BCAST prefixes, invalidation messages. */
  readonly tracking = new TrackingRegistry(this);
  readonly slowlog = new Slowlog();
  /** RDB snapshots, start-up loading and the loading state (persistence/persistence.ts). */
  readonly persistence = new Persistence(this);
  /** The append-only file: writer, fsync policy, rewrite, loading (persistence/aof.ts). */
  readonly aof: Aof;
  /** Replication IDs, offset, backlog, this server's replicas and its link to a primary. */
  readonly replication: Replication;
  readonly stats = new ServerStats();
  /** used_memory, and the figure maxmemory is compared with (memory/accounting.ts). */
  readonly memory = new MemoryAccounting(this);
  /** maxmemory and the eviction policy, applied before every command (memory/eviction.ts). */
  readonly eviction = new Eviction(this);
  /** The clients that may hold query or output bytes, summed by clientBufferBytes (memory/client-buffers.ts). */
  readonly bufferedClients = new BufferedClients();
  readonly scanCursors = new ScanCursors();
  readonly keyspaces: Keyspace[];
  readonly clients = new Map<number, Client>();
  readonly monitors = new Set<Client>();
  /** Clients with replies to write at the end of this event-loop turn (flushSoon). */
  private readonly pendingWrites = new Set<Client>();
  readonly limits: HotLimits = { protoMaxBulkLen: 0, clientQueryBufferLimit: 0 };
  /** The compact-encoding thresholds, cached from the config (read on every collection write). */
  readonly encodingLimits: EncodingLimits = {
    hashMaxListpackEntries: 0,
    hashMaxListpackValue: 0,
    setMaxIntsetEntries: 0,
    zsetMaxListpackEntries: 0,
    zsetMaxListpackValue: 0,
  };
  /** Set while a snapshot runs: keeps a key's start-time state before a write changes it (persistence/snapshot.ts). */
  snapshotGuard: ((db: Keyspace, key: Bytes) => void) | undefined;
  /** The snapshot in progress (BGSAVE or AOF rewrite), for INFO's progress and copy-on-write fields. */
  snapshot: Snapshot | undefined;
  /** Writes since the last save (Redis server.dirty). */
  dirty = 0;
  readonly startedAt = Date.now();
  /** Unix seconds of the last successful save (LASTSAVE). */
  lastSave = Math.floor(Date.now() / 1000);
  /** INFO run_id: 40 random hex characters, new for every server. */
  readonly runId = randomBytes(20).toString('hex');
  /** serverCron runs active expiry (DEBUG SET-ACTIVE-EXPIRE 0 turns it off, for tests). */
  activeExpireEnabled = true;
  /**
   * Called once SHUTDOWN has stopped the server. main.ts sets it to exit the process; tests leave
   * it unset, so SHUTDOWN only stops the in-process server.
   */
  onShutdown: (() => void) | undefined;
  /** EVAL's script cache: sha1 (lowercase hex) → body. Scripting fills it; SCRIPT FLUSH empties it. */
  readonly scripts = new Map<string, Bytes>();
  /** FUNCTION LOAD's libraries by name. Scripting fills it; FUNCTION FLUSH empties it. */
  readonly functionLibraries = new Map<string, FunctionLibrary>();
  private listeners: net.Server[] = [];
  /** The `unixsocket` listener, if one is configured. */
  private unixListener: net.Server | undefined;
  private cron: NodeJS.Timeout | undefined;
  private nextClientId = 1;
  /** The frozen "now" of the command being run, or undefined between commands. */
  private commandTime: number | undefined;
  /** Nesting depth of commands (EXEC and scripts run commands inside a command). */
  private commandDepth = 0;
  private cronLoops = 0;
  /** The port actually bound (port 0 picks one). */
  port = 0;
  /** "port bind" as last bound ('' when not listening): CONFIG SET port/bind rebinds when it changes. */
  private boundTo = '';
  /** The rebind in progress (CONFIG SET port/bind); stop() waits for it. */
  private rebinding: Promise<void> = Promise.resolve();

  constructor(opts: ServerOptions = {}) {
    this.config = opts.config ?? new Config();
    this.clock = opts.clock ?? new SystemClock();
    this.log = opts.logger ?? createLogger(this.config.get('loglevel'), this.config.get('logfile'));
    this.keyspaces = Array.from({ length: this.config.getInt('databases') }, (_, i) => new Keyspace(i, this));
    this.aof = new Aof(this);
    this.replication = new Replication(this);
    this.applyConfig();
    this.config.onChange((name) => this.configChanged(name));
  }

  // ---- Configuration applied live ----

  private applyConfig(): void {
    this.limits.protoMaxBulkLen = this.config.getInt('proto-max-bulk-len');
    this.limits.clientQueryBufferLimit = this.config.getInt('client-query-buffer-limit');
    const enc = this.encodingLimits;
    enc.hashMaxListpackEntries = this.config.getInt('hash-max-listpack-entries');
    enc.hashMaxListpackValue = this.config.getInt('hash-max-listpack-value');
    enc.setMaxIntsetEntries = this.config.getInt('set-max-intset-entries');
    enc.zsetMaxListpackEntries = this.config.getInt('zset-max-listpack-entries');
    enc.zsetMaxListpackValue = this.config.getInt('zset-max-listpack-value');
    this.slowlog.slowerThan = this.config.getInt('slowlog-log-slower-than');
    this.slowlog.maxLen = this.config.getInt('slowlog-max-len');
    this.slowlog.trim();
    this.outputLimits.configure(this.config.get('client-output-buffer-limit'), this.config.getInt('repl-backlog-size'));
    this.notifications.configure(this.config.get('notify-keyspace-events'));
    this.eviction.configure();
  }

  private configChanged(name: string): void {
    this.applyConfig();
    if (name === 'hz' && this.cron) this.startCron();
    if (name === 'port' || name === 'bind') this.rebind();
    if (name === 'repl-backlog-size') this.replication.configChanged();
    if (name.startsWith('min-replicas')) this.replication.replicas.configChanged();
    if (name === 'loglevel') this.log.level = pinoLevel(this.config.get('loglevel'));
    if (name === 'requirepass' && this.config.get('requirepass') === '') {
      for (const c of this.clients.values()) c.authenticated = true;
    }
  }

  /** A password is set for the default user. */
  requiresAuth(): boolean {
    return this.config.get('requirepass') !== '';
  }

  // ---- Start and stop ----

  /**
   * Binds the configured addresses and port, starts the cron, then loads the dataset from disk
   * (clients connecting meanwhile get -LOADING). Resolves once loaded; rejects with a LoadError
   * when the files cannot be loaded.
   */
  async start(): Promise<void> {
    await this.bindAll(this.config.getInt('port'), this.config.get('bind'));
    await this.listenUnix();
    this.startCron();
    await this.persistence.loadAtStart();
    // `replicaof` in the config: follow that primary; else continue a history dump.rdb recorded.
    resumeReplicationAtStart(this);
  }

  /**
   * Listens on every address of `bind` ('-' prefix: optional) at `port` (0 picks a free port,
   * then used for all). On failure closes what it opened and throws the listen error.
   */
  private async bindAll(port: number, bind: string): Promise<void> {
    const opened: net.Server[] = [];
    for (const raw of bind.split(' ').filter((b) => b !== '')) {
      const optional = raw.startsWith('-');
      let host = optional ? raw.slice(1) : raw;
      if (host === '*') host = '0.0.0.0';
      if (host === '::*') host = '::';
      try {
        const srv = await this.listen(host, port);
        port = (srv.address() as net.AddressInfo).port;
        opened.push(srv);
      } catch (e) {
        if (!optional) {
          for (const l of opened) l.close();
          throw e;
        }
      }
    }
    this.listeners = opened;
    this.port = port;
    this.boundTo = `${this.config.get('port')} ${bind}`;
  }

  /**
   * CONFIG SET port/bind: closes the listening sockets (connected clients stay) and listens on
   * the new addresses. If that fails, the old port and bind are restored and bound again.
   * COMPAT: Redis binds before replying and answers CONFIG SET with "Unable to listen on this
   * port"; handlers here are synchronous, so the failure is logged and the old values come back.
   */
  private rebind(): void {
    this.rebinding = this.rebinding.then(async () => {
      const port = this.config.get('port');
      const bind = this.config.get('bind');
      if (this.boundTo === '') return; // not started, or stopped
      if (`${port} ${bind}` === this.boundTo) return;
      const [oldPort, oldBind] = [this.boundTo.slice(0, this.boundTo.indexOf(' ')), this.boundTo.slice(this.boundTo.indexOf(' ') + 1)];
      for (const l of this.listeners) l.close();
      this.listeners = [];
      await new Promise((r) => setImmediate(r));
      try {
        await this.bindAll(Number(port), bind);
      } catch (e) {
        this.log.warn(`Unable to listen on port ${port} (bind ${bind}): ${(e as Error).message}; keeping port ${oldPort}`);
        this.config.revert('port', oldPort);
        this.config.revert('bind', oldBind);
        await this.bindAll(Number(oldPort), oldBind).catch((e2: Error) => this.log.warn(`Could not listen again on port ${oldPort}: ${e2.message}`));
      }
    });
  }

  /**
   * `unixsocket`: also listens on that path (a stale file there is removed first, as Redis does),
   * with `unixsocketperm` as its mode when set. Connections through it count as local.
   */
  private async listenUnix(): Promise<void> {
    const file = this.config.get('unixsocket');
    if (file === '') return;
    fs.rmSync(file, { force: true });
    const srv = await this.listenOn({ path: file, backlog: this.config.getInt('tcp-backlog') }, file);
    const perm = parseInt(this.config.get('unixsocketperm'), 8);
    if (perm !== 0) fs.chmodSync(file, perm);
    this.unixListener = srv;
  }

  private listen(host: string, port: number): Promise<net.Server> {
    return this.listenOn({ host, port, ipv6Only: host.includes(':'), backlog: this.config.getInt('tcp-backlog') });
  }

  /** A listening server for `options` (TCP, or a Unix socket at `unixPath`); rejects with the listen error. */
  private listenOn(options: net.ListenOptions, unixPath?: string): Promise<net.Server> {
    return new Promise((resolve, reject) => {
      const srv = net.createServer({ noDelay: true }, (socket) => this.accept(socket, unixPath));
      srv.once('error', reject);
      srv.listen(options, () => {
        srv.off('error', reject);
        resolve(srv);
      });
    });
  }

  /** Closes listeners and every client; resolves when the sockets are closed. */
  async stop(): Promise<void> {
    if (this.cron) clearInterval(this.cron);
    this.cron = undefined;
    this.eviction.stop();
    this.pause.stop();
    this.persistence.cancelBgsave();
    this.aof.stop();
    this.replication.stop();
    for (const c of [...this.clients.values()]) c.close();
    await this.rebinding;
    await Promise.all(this.listeners.map((l) => new Promise<void>((r) => l.close(() => r()))));
    this.listeners = [];
    const unix = this.unixListener;
    this.unixListener = undefined;
    // Closing a Unix-socket server removes its file.
    if (unix !== undefined) await new Promise<void>((r) => unix.close(() => r()));
    this.boundTo = '';
  }

  // ---- Clients ----

  private accept(socket: net.Socket, unixPath?: string): void {
    // As Redis's acceptCommonHandler: a connection over maxclients is refused before it counts
    // in total_connections_received; one refused by protected mode counts in both.
    if (this.clients.size >= this.config.getInt('maxclients')) {
      this.refuse(socket, '-ERR max number of clients reached\r\n');
      return;
    }
    this.stats.totalConnectionsReceived++;
    if (unixPath === undefined && this.deniedByProtectedMode(socket)) {
      this.refuse(socket, DENIED_PROTECTED);
      return;
    }
    const keepalive = this.config.getInt('tcp-keepalive');
    if (keepalive > 0) socket.setKeepAlive(true, keepalive * 1000);
    const client = new Client(this, socket, this.nextClientId++, this.keyspaces[0]!, unixPath);
    this.clients.set(client.id, client);
  }

  /**
   * Sends the refusal and closes once it is sent (rejected_connections). The descriptor is freed
   * even if the peer never closes its side, and a reset from the peer is no error of ours.
   */
  private refuse(socket: net.Socket, reply: string): void {
    this.stats.rejectedConnections++;
    socket.on('error', () => socket.destroy());
    socket.once('finish', () => socket.destroy());
    socket.end(reply);
  }

  /** A CLIENT ID for a connection this server opened itself (the link to its primary). */
  newClientId(): number {
    return this.nextClientId++;
  }

  private deniedByProtectedMode(socket: net.Socket): boolean {
    if (!this.config.getBool('protected-mode') || this.requiresAuth()) return false;
    if (this.config.explicitlySet.has('bind')) return false;
    const addr = socket.remoteAddress ?? '';
    return !(addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.'));
  }

  /**
   * Writes this client's replies once every socket that was readable in this turn of the event
   * loop has been served (Redis: handleClientsWithPendingWrites in beforeSleep). Writing right
   * after each read woke the peer once per read; batching the writes of one loop turn halved the
   * kernel's wake-up cost under 50 pipelining clients (scripts/bench.sh, -P 16).
   */
  flushSoon(client: Client): void {
    this.pendingWrites.add(client);
    if (this.pendingWrites.size === 1) setImmediate(this.flushPending);
  }

  /**
   * Writes the replies gathered so far now rather than at the end of this loop turn: a long task
   * that runs in slices (a snapshot) calls it first in each slice, so replies do not wait for it.
   */
  flushPendingReplies(): void {
    if (this.pendingWrites.size !== 0) this.flushPending();
  }

  private readonly flushPending = (): void => {
    // The AOF is written (and fsynced under appendfsync always) before any reply leaves.
    this.aof.beforeReplies();
    this.replication.flush();
    for (const c of this.pendingWrites) c.flush();
    this.pendingWrites.clear();
  };

  /** A client's socket closed: forget it. */
  clientGone(client: Client): void {
    this.clients.delete(client.id);
    this.monitors.delete(client);
    this.bufferedClients.delete(client);
    if (client.blocked !== undefined) this.blocking.unblock(client.blocked);
    if (client.postponed) this.pause.forget(client);
    this.pubsub.dropClient(client);
    if (this.watches.active) this.watches.unwatchAll(client);
    this.tracking.disable(client);
  }

  // ---- Blocked clients (BlockingHost) ----

  clockNow(): number {
    return this.clock.now();
  }

  retry(state: BlockedState): boolean {
    return this.dispatcher.call(state.client, state.spec, state.argv, true);
  }

  resume(client: Client): void {
    this.flushSoon(client);
    // Its pipelined commands run in a later turn, not inside the command that served it.
    setImmediate(() => client.processInput());
  }

  // ---- Postponed clients (PauseHost) ----

  runPostponed(client: Client, argv: Bytes[]): void {
    client.postponed = false;
    this.dispatcher.batchStarts();
    try {
      this.dispatcher.process(client, argv);
    } finally {
      this.dispatcher.batchEnds();
    }
    this.resume(client);
  }

  /** CLIENT PAUSE is in force: keys past their TTL read as absent but are not deleted. */
  expiryPaused(): boolean {
    return this.pause.active;
  }

  ended(state: BlockedState, reply: (state: BlockedState) => void): void {
    reply(state);
    state.spec.stats.calls++;
    this.stats.totalCommandsProcessed++;
    this.resume(state.client);
  }

  // ---- Commands ----

  /**
   * A command starts: "now" is frozen for it, and for any command it runs, at the first read
   * (most commands never ask, and a clock read costs as much as a GET).
   */
  beginCommand(): void {
    if (this.commandDepth++ === 0) this.commandTime = undefined;
  }

  endCommand(): void {
    if (--this.commandDepth === 0) this.commandTime = undefined;
  }

  /**
   * Set while the AOF is replayed (persistence/aof.ts): the time commands and expiry checks see
   * instead of the clock. Redis expires nothing while loading, so a key written with a TTL that
   * has passed since is still there for the commands after it in the file (PERSIST, INCR...).
   */
  replayTime: number | undefined;

  /** KeyspaceHost: the command's frozen time (read on first use), or the clock between commands. */
  now(): number {
    if (this.commandTime !== undefined) return this.commandTime;
    const t = this.replayTime ?? this.clock.now();
    if (this.commandDepth > 0) this.commandTime = t;
    return t;
  }

  /** KeyspaceHost: this server replicates from a primary (expired keys wait for its DEL). */
  isReplica(): boolean {
    return this.replication.link !== undefined;
  }

  /** KeyspaceHost: the running command is the primary's, which still sees keys whose TTL passed. */
  seesExpiredKeys(): boolean {
    return this.replication.link?.applying === true;
  }

  /** KeyspaceHost: an expired key was deleted — count it and propagate its DEL. */
  keyExpired(db: Keyspace, key: Bytes): void {
    this.stats.expiredKeys++;
    this.keyDeletedByServer(db, key, 'DEL', 'expired');
  }

  /**
   * A key the server deleted by itself (expired, evicted), after the deletion: the command that
   * says so to the AOF and replicas, WATCH and client-side caching told, the keyspace event.
   */
  keyDeletedByServer(db: Keyspace, key: Bytes, as: 'DEL' | 'UNLINK', event: 'expired' | 'evicted'): void {
    this.propagator.propagate(db.index, [as, key]);
    if (this.watches.active) this.watches.keyTouched(db, key);
    if (this.tracking.clients !== 0) this.tracking.keyModified(key);
    this.notifications.notify(event, event, key, db.index);
  }

  /** KeyspaceHost: a key was created (the "new" event, class n). */
  keyCreated(db: Keyspace, key: Bytes): void {
    this.notifications.notify('new', 'new', key, db.index);
  }

  /** KeyspaceHost: a read lookup missed (the "keymiss" event, class m). */
  tableMayGrow(bytes: number): boolean {
    const max = this.eviction.maxmemory;
    return max === 0 || this.memory.usedForEviction() + bytes <= max;
  }

  keyMissed(db: Keyspace, key: Bytes): void {
    this.notifications.notify('keymiss', 'keymiss', key, db.index);
  }

  /** A key's value changed (Redis signalModifiedKey + dirty++). */
  signalModifiedKey(db: Keyspace, key: Bytes): void {
    this.dirty++;
    if (this.blocking.active) this.blocking.keyTouched(db, key);
    if (this.watches.active) this.watches.keyTouched(db, key);
    if (this.tracking.clients !== 0) this.tracking.keyModified(key);
  }

  /** Counts an error reply in errorstats. */
  countError(code: string): void {
    this.stats.totalErrorReplies++;
    this.stats.errors.set(code, (this.stats.errors.get(code) ?? 0) + 1);
  }

  /** Sends a command line to every MONITOR client: `+1700000000.123456 [0 127.0.0.1:5000] "get" "k"`. */
  feedMonitors(client: Client, argv: readonly Bytes[]): void {
    const t = Date.now();
    const stamp = `${Math.floor(t / 1000)}.${String((t % 1000) * 1000).padStart(6, '0')}`;
    const args = argv.map(repr).join(' ');
    const line = `${stamp} [${client.db.index} ${client.remoteAddress}] ${args}`;
    for (const m of this.monitors) {
      if (m === client) continue;
      m.writer.simple(line);
      m.flush();
    }
  }

  /** The database at an index, or undefined when out of range. */
  db(index: number): Keyspace | undefined {
    return this.keyspaces[index];
  }

  // ---- Cron ----

  private startCron(): void {
    if (this.cron) clearInterval(this.cron);
    const hz = Math.min(Math.max(this.config.getInt('hz'), 1), 500);
    this.cron = setInterval(() => this.serverCron(), Math.floor(1000 / hz));
    this.cron.unref();
  }

  /** Redis serverCron: active expiry, idle clients, metrics. */
  private serverCron(): void {
    this.cronLoops++;
    const period = 1000 / Math.max(this.config.getInt('hz'), 1);
    // Redis gives active expiry 25% of a cron period (plus effort), spread over the databases.
    const effort = this.config.getInt('active-expire-effort') - 1;
    const budget = (period * (25 + 2 * effort)) / 100;
    const deadline = performance.now() + budget;
    const timeUp = () => performance.now() >= deadline;
    // Keys do not expire while CLIENT PAUSE holds the dataset still.
    if (this.activeExpireEnabled && !this.pause.active) {
      for (const db of this.keyspaces) {
        if (timeUp()) break;
        db.activeExpireCycle(timeUp);
      }
      // A writable replica expires the keys its own clients gave a TTL.
      if (this.isReplica()) for (const db of this.keyspaces) db.expireLocalKeys();
    }
    this.closeIdleClients();
    this.bufferedClients.sample(this, Date.now());
    this.outputLimits.cron(this.bufferedClients.live());
    // Raises used_memory_peak, as Redis's cron does (INFO and MEMORY STATS read it).
    this.memory.used();
    this.persistence.cron();
    this.aof.cron();
    if (this.cronLoops % Math.max(this.config.getInt('hz'), 1) === 0) this.replication.cron();
    const now = Date.now();
    this.stats.opsSamples.push([now, this.stats.totalCommandsProcessed]);
    if (this.stats.opsSamples.length > 16) this.stats.opsSamples.shift();
  }

  private closeIdleClients(): void {
    const timeout = this.config.getInt('timeout');
    if (timeout <= 0 || this.cronLoops % 10 !== 0) return;
    const now = Date.now();
    for (const c of this.clients.values()) {
      // As Redis's clientsCronHandleTimeout: never replicas, MONITOR, the primary's link, blocked
      // clients (their own timeout applies) or subscribers (RESP2 and RESP3).
      if (c.monitor || c.blocked !== undefined || c.postponed || c.replicaLink !== undefined || c.fromPrimary || c.pubsub !== undefined) continue;
      if (now - c.lastInteraction > timeout * 1000) {
        this.log.debug('Closing idle client');
        c.close();
      }
    }
  }

  /** instantaneous_ops_per_sec from the cron's samples. */
  instantaneousOps(): number {
    const s = this.stats.opsSamples;
    if (s.length < 2) return 0;
    const [t0, c0] = s[0]!;
    const [t1, c1] = s[s.length - 1]!;
    return t1 > t0 ? Math.round(((c1 - c0) * 1000) / (t1 - t0)) : 0;
  }
}
