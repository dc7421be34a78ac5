/**
 * The dispatcher: every command passes here, and every cross-cutting rule is applied here, once,
 * in Redis's order — handlers never repeat these checks. Mirrors redis server.c processCommand()
 * and call().
 *
 *   lookup → arity → authentication → maxmemory (evict; OOM) → MISCONF → NOREPLICAS → READONLY
 *   replica → pub/sub context → MASTERDOWN → LOADING → no_multi → MULTI queuing (+QUEUED; a refused command makes EXEC
 *   reply EXECABORT; a refused EXEC ends the transaction) → call: freeze "now", run the handler, turn a thrown
 *   ReplyError into an error reply, count stats, slowlog, MONITOR, propagate the effect.
 */
import { performance } from 'node:perf_hooks';
import type { Bytes } from '../keyspace/bytes.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import type { NotifyType } from '../notifications.js';
import type { BlockRequest, CommandContext, CommandSpec } from './command-spec.js';
import type { WriterMark } from '../protocol/reply-writer.js';
import { allowedWhileSubscribed } from '../pubsub/pubsub-hub.js';
import { discardTransaction } from '../transactions.js';
import { notInSubscribedContext } from '../protocol/reply-errors.js';
import { NOAUTH, ReplyError, unknownCommand, unknownSubcommand, wrongArity } from '../protocol/reply-errors.js';
import { ERR_NOT_IN_MULTI, LOADING, MASTERDOWN, NOREPLICAS, READONLY_REPLICA } from '../protocol/reply-errors.js';

/** Commands that run at once between MULTI and EXEC instead of being queued (Redis processCommand). */
const RUN_IN_MULTI = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

/**
 * The context handed to one handler call. Handlers use it only while they run, so the dispatcher
 * keeps one per nesting depth (EXEC runs commands inside its own call) and resets it for each
 * call rather than allocating one per command.
 */
class CallContext implements CommandContext {
  /** Set by propagateAs: what to propagate instead of argv. */
  rewritten: Bytes[] | undefined;
  /** Set by block: the command found nothing to serve and waits. */
  blockRequest: BlockRequest | undefined;
  /** Set by propagateToReplicas: the command goes to the replicas though it changed no data. */
  toReplicas = false;

  constructor(
    readonly server: Server,
    public client: Client,
    public db: Keyspace,
    public command: CommandSpec,
  ) {}

  /** Ready for another call. */
  reset(client: Client, db: Keyspace, command: CommandSpec): this {
    this.client = client;
    this.db = db;
    this.command = command;
    this.rewritten = undefined;
    this.blockRequest = undefined;
    this.toReplicas = false;
    return this;
  }

  /** The command's frozen time, read from the clock on first use. */
  get now(): number {
    return this.server.now();
  }

  get reply() {
    return this.client.writer;
  }

  keyChanged(key: Bytes, db: Keyspace = this.db): void {
    this.server.signalModifiedKey(db, key);
  }

  notify(type: NotifyType, event: string, key: Bytes, db: Keyspace = this.db): void {
    this.server.notifications.notify(type, event, key, db.index);
  }

  propagateAs(argv: Bytes[]): void {
    this.rewritten = argv;
  }

  propagateToReplicas(): void {
    this.toReplicas = true;
  }

  alsoPropagate(argv: Bytes[], dbIndex = this.db.index): void {
    this.server.propagator.propagate(dbIndex, argv);
  }

  block(req: BlockRequest): void {
    // Inside EXEC nothing may wait: answer as if the wait ended at once (Redis CLIENT_DENY_BLOCKING).
    if (this.client.denyBlocking) (req.onCannotBlock ?? req.onTimeout)(this.reply);
    else this.blockRequest = req;
  }
}

/** The commands whose replies are all push confirmations (Redis writes them with CLIENT_PUSHING). */
const SUBSCRIPTION_COMMANDS = new Set(['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe']);

export class Dispatcher {
  /**
   * While a client's batch of commands runs (Client.processInput; nested batches count): the
   * clock reading that ended the last command, taken as the start of the next one, so that a
   * command reads the clock once instead of twice (~50 ns a read): its time then also counts the
   * decoding and checks of its own request. -1 when there is none: outside a batch, once taken,
   * and after anything that is not a command's to count (a refusal, queuing in MULTI, a flush).
   */
  private lastEnded = -1;
  private batchDepth = 0;
  /** One CallContext per depth of nested calls, reused; `callDepth` calls are running. */
  private readonly contexts: CallContext[] = [];
  private callDepth = 0;

  constructor(private readonly server: Server) {}

  batchStarts(): void {
    this.batchDepth++;
    this.lastEnded = -1;
  }

  /** The batch did something between two commands that is not theirs to count (a socket write). */
  batchPaused(): void {
    this.lastEnded = -1;
  }

  batchEnds(): void {
    this.batchDepth--;
    this.lastEnded = -1;
  }

  /** Runs one command from a client (Redis processCommand). */
  process(client: Client, argv: Bytes[]): void {
    const server = this.server;
    const { spec, container } = server.commands.lookup(argv);
    // CLIENT CACHING lasts one command (it reads lastCommand: the previous command).
    if (client.tracking !== undefined) server.tracking.beforeCommand(client);
    // CLIENT LIST cmd=: what was looked up, even if refused; NULL when nothing was found.
    client.lastCommand = spec?.fullName ?? 'NULL';
    const rejected = this.check(client, argv, spec, container);
    if (rejected !== undefined) {
      this.lastEnded = -1;
      if (spec) spec.stats.rejectedCalls++;
      const mark = client.replyMode === 'on' ? undefined : client.writer.mark();
      // A refused EXEC discards the transaction, naming why (Redis execCommandAbort; its formatted
      // rejections carry no "ERR " there, its shared errors keep their code: OOM, NOAUTH...).
      const execAbort = client.multi !== undefined && spec?.fullName === 'exec';
      const why = rejected.code === 'ERR' ? rejected.message.slice(4) : rejected.message;
      this.replyError(client, execAbort ? new ReplyError(`EXECABORT Transaction discarded because of: ${why}`) : rejected);
      if (mark !== undefined) this.applyReplyMode(client, spec, mark, true);
      // A command refused between MULTI and EXEC makes EXEC fail (Redis flagTransaction).
      if (execAbort) discardTransaction(client);
      else if (client.multi !== undefined) client.multi.aborted = true;
      return;
    }
    // CLIENT PAUSE: the command waits, before MULTI would queue it (Redis checks it there too).
    if (server.pause.active && server.pause.holds(client, spec!)) {
      this.lastEnded = -1;
      client.postponed = true;
      server.pause.postpone(client, argv);
      return;
    }
    if (client.multi !== undefined && !RUN_IN_MULTI.has(spec!.fullName)) {
      this.lastEnded = -1;
      this.queue(client, spec!, argv);
      return;
    }
    this.call(client, spec!, argv);
    if (server.blocking.hasReady) server.blocking.serveReady();
  }

  /** Between MULTI and EXEC: the command waits in the queue (Redis queueMultiCommand). */
  private queue(client: Client, spec: CommandSpec, argv: Bytes[]): void {
    client.multi!.queue.push({ spec, argv });
    if (client.replyMode === 'on') client.writer.simple('QUEUED');
    else if (client.replyMode === 'skip') client.replyMode = 'on';
  }

  /** The error a command is refused with before it runs, or undefined. */
  private check(
    client: Client,
    argv: Bytes[],
    spec: CommandSpec | undefined,
    container: CommandSpec | undefined,
  ): ReplyError | undefined {
    if (spec === undefined) {
      if (container !== undefined) return unknownSubcommand(argv[1]!, container.name);
      return unknownCommand(argv);
    }
    const n = argv.length;
    if ((spec.arity > 0 && n !== spec.arity) || n < -spec.arity) return wrongArity(spec.fullName);
    if (!client.authenticated && !spec.has('no_auth')) return NOAUTH;
    // maxmemory: evict what the policy allows; refuse commands that would grow memory when stuck.
    if (this.server.eviction.maxmemory !== 0) {
      const oom = this.server.eviction.beforeCommand(client, spec, n);
      if (oom !== undefined) return oom;
    }
    // The last BGSAVE failed: writes (and PING, as in Redis) are refused until a save succeeds.
    // COMPAT: a replica still applies its primary's stream (Redis 7.0 panics instead, unless
    // replica-ignore-disk-write-errors): refusing it would make the replica silently diverge.
    if (!this.server.persistence.lastBgsaveOk && !client.fromPrimary && (spec.write || spec.fullName === 'ping')) {
      const err = this.server.persistence.diskError();
      if (err !== undefined) return err;
    }
    const repl = this.server.replication;
    if (!client.fromPrimary) {
      // min-replicas-to-write: too few replicas acknowledged recently (Redis checkGoodReplicasStatus).
      if (spec.write && !repl.isReplica && repl.replicas.tooFewGoodReplicas()) return NOREPLICAS;
      // A read-only replica takes writes only from its primary.
      if (repl.link !== undefined && spec.write && this.server.config.getBool('replica-read-only')) return READONLY_REPLICA;
    }
    // Pub/sub context: a RESP2 client with subscriptions may only (un)subscribe, PING, QUIT, RESET.
    if (client.pubsub !== undefined && client.protocol === 2 && !allowedWhileSubscribed(spec.fullName)) {
      return notInSubscribedContext(spec.fullName);
    }
    // The link to the primary is down and replica-serve-stale-data is off: only `stale` commands run.
    if (repl.link !== undefined && !repl.link.linkUp && !spec.has('stale') && !this.server.config.getBool('replica-serve-stale-data')) {
      return MASTERDOWN;
    }
    // Loading the dataset: only commands flagged `loading` run (INFO, PING, CONFIG...).
    if (this.server.persistence.loading !== undefined && !spec.has('loading')) return LOADING;
    // MULTI: a command Redis forbids in a transaction (SHUTDOWN...).
    if (client.multi !== undefined && spec.has('no_multi')) return ERR_NOT_IN_MULTI;
    return undefined;
  }

  /**
   * Runs a checked command (Redis call()): handler, errors, stats, slowlog, monitors, propagation.
   * Also the entry point for commands run on behalf of another (EXEC, scripts, AOF loading), and
   * for a blocked client's command run again when a key it waits on is ready (`retry`: it is
   * still registered as blocked, so blocking again just keeps it waiting). A command that blocks
   * is counted, slow-logged and propagated when it is finally served. Returns true if it blocked.
   */
  call(client: Client, spec: CommandSpec, argv: Bytes[], retry = false): boolean {
    const depth = this.callDepth++;
    const ctx = depth < this.contexts.length
      ? this.contexts[depth]!.reset(client, client.db, spec)
      : (this.contexts[depth] = new CallContext(this.server, client, client.db, spec));
    try {
      return this.run(ctx, client, spec, argv, retry);
    } finally {
      this.callDepth--;
    }
  }

  private run(ctx: CallContext, client: Client, spec: CommandSpec, argv: Bytes[], retry: boolean): boolean {
    const server = this.server;
    const handler = spec.handler!;
    const dirtyBefore = server.dirty;
    // A snapshot is running: it keeps the start-time state of every key this write may change.
    if (server.snapshotGuard !== undefined && spec.write) {
      for (const i of server.commands.keyPositions(spec, argv)) server.snapshotGuard(client.db, argv[i]!);
    }
    server.beginCommand();
    const mark = client.replyMode === 'on' ? undefined : client.writer.mark();
    const started = this.lastEnded >= 0 ? this.lastEnded : performance.now();
    this.lastEnded = -1;
    let failed = false;
    const outerCaller = server.tracking.enter(client);
    try {
      handler(ctx, argv);
    } catch (e) {
      failed = true;
      if (!(e instanceof ReplyError)) {
        server.log.error({ err: e, command: spec.fullName }, 'internal error in command');
        e = new ReplyError('ERR internal error');
      }
      spec.stats.failedCalls++;
      this.replyError(client, e as ReplyError);
    } finally {
      server.endCommand();
    }
    // Client-side caching: a tracking client's read-only command remembers its keys (Redis call()).
    if (client.tracking !== undefined && spec.has('readonly')) {
      server.tracking.rememberKeys(client, argv, server.commands.keyPositions(spec, argv));
    }
    if (ctx.blockRequest !== undefined && !failed) {
      server.tracking.leave(outerCaller);
      if (!retry) {
        server.blocking.block(client, spec, argv, ctx.blockRequest);
        if (server.monitors.size > 0 && !spec.has('skip_monitor')) server.feedMonitors(client, argv);
      }
      return true;
    }
    const ended = performance.now();
    if (this.batchDepth > 0) this.lastEnded = ended;
    const usec = Math.round((ended - started) * 1000);
    spec.stats.calls++;
    spec.stats.usec += usec;
    server.stats.totalCommandsProcessed++;
    if (mark !== undefined) this.applyReplyMode(client, spec, mark, failed);
    if (usec >= server.slowlog.slowerThan && !spec.has('skip_slowlog')) server.slowlog.consider(client, argv, usec);
    if (server.monitors.size > 0 && !retry && !spec.has('skip_monitor') && !spec.has('admin')) {
      server.feedMonitors(client, argv);
    }
    if (server.dirty !== dirtyBefore && (spec.write || spec.has('may_replicate'))) {
      server.propagator.propagate(client.db.index, ctx.rewritten ?? argv);
      // WAIT counts the replicas that acknowledged the stream up to here.
      client.woff = server.replication.offset;
    } else if (ctx.toReplicas) {
      server.propagator.propagate(client.db.index, argv, true);
    }
    // Invalidations for the caller's own changes go out after its reply (and after EXEC's).
    server.tracking.leave(outerCaller);
    return false;
  }

  /**
   * CLIENT REPLY OFF/SKIP: drop this command's reply. A successful CLIENT REPLY sets the mode
   * itself and answers only for ON; a failed one is dropped like any other reply.
   */
  private applyReplyMode(client: Client, spec: CommandSpec | undefined, mark: WriterMark, failed: boolean): void {
    if (spec?.fullName === 'client|reply' && !failed) return;
    // Subscription confirmations are pushes, which Redis sends whatever the reply mode.
    if (failed || spec === undefined || !SUBSCRIPTION_COMMANDS.has(spec.fullName)) client.writer.rollback(mark);
    if (client.replyMode === 'skip') client.replyMode = 'on';
  }

  private replyError(client: Client, e: ReplyError): void {
    this.server.countError(e.code);
    client.writer.error(e);
  }
}
