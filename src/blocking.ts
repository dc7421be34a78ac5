/**
 * Blocked clients: BLPOP, BLMOVE, BZPOPMIN and the other blocking commands park their client here
 * when there is nothing to serve, and are run again when a key they wait on is written.
 * Mirrors redis blocked.c (blockForKeys, signalKeyAsReady, handleClientsBlockedOnKeys,
 * unblockClient) and timeout.c.
 *
 * Waking is driven by writes, never by polling: every write reports its key through
 * Server.signalModifiedKey → keyTouched, which queues the key as ready when someone waits on it.
 * After each top-level command the dispatcher calls serveReady, which goes through the ready keys
 * in the order they became ready and, for each, through its waiters first-come first-served,
 * running each waiter's command again (with its original argv) while the key still holds the
 * type the waiter needs. A waiter that still finds nothing stays blocked, keeping its place. A
 * served command may ready more keys (BLMOVE pushes to its destination): the loop continues
 * until none is left.
 *
 * COMPAT: Redis 7.0 serves a waiter from the key that became ready; re-running the command, as
 * Redis 7.2 does, serves from the first non-empty key in argument order. The two differ only
 * for a client blocked on several keys of which more than one became non-empty at once.
 */
import type { Bytes } from './keyspace/bytes.js';
import type { Keyspace } from './keyspace/keyspace.js';
import { typeOf } from './keyspace/redis-value.js';
import type { BlockRequest, CommandSpec } from './commands/command-spec.js';
import type { Client } from './client.js';

/** setTimeout's longest delay; longer waits re-arm when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A blocked client and what it waits for. */
export interface BlockedState {
  readonly client: Client;
  readonly spec: CommandSpec;
  readonly argv: Bytes[];
  readonly db: Keyspace;
  readonly request: BlockRequest;
  timer: NodeJS.Timeout | undefined;
}

/** What the registry needs from the server. */
export interface BlockingHost {
  /** The clock (unix ms), for deadlines. */
  clockNow(): number;
  /** Runs a blocked client's command again (still registered here); true if it blocked again. */
  retry(state: BlockedState): boolean;
  /** A served client runs its pipelined commands again. */
  resume(client: Client): void;
  /** The client's wait ended without data (deadline, CLIENT UNBLOCK): reply, count, resume it. */
  ended(state: BlockedState, reply: (state: BlockedState) => void): void;
}

export class BlockingRegistry {
  /** db → key → its waiters, first come first. */
  private readonly waiting = new Map<Keyspace, Map<Bytes, BlockedState[]>>();
  /** Keys written while someone waits on them, in order, not yet served. */
  private ready: { db: Keyspace; key: Bytes }[] = [];
  /** The same keys, to queue each once: db → keys. */
  private readySet = new Map<Keyspace, Set<Bytes>>();
  /** INFO blocked_clients. */
  blockedClients = 0;
  /** INFO clients_in_timeout_table: blocked clients with a deadline. */
  withDeadline = 0;

  constructor(private readonly host: BlockingHost) {}

  /** Parks a client whose command found nothing to serve. */
  block(client: Client, spec: CommandSpec, argv: Bytes[], request: BlockRequest): void {
    const state: BlockedState = { client, spec, argv, db: client.db, request, timer: undefined };
    client.blocked = state;
    this.blockedClients++;
    let byKey = this.waiting.get(state.db);
    if (byKey === undefined) this.waiting.set(state.db, (byKey = new Map()));
    for (const key of new Set(request.keys)) {
      const queue = byKey.get(key);
      if (queue === undefined) byKey.set(key, [state]);
      else queue.push(state);
    }
    if (request.deadline > 0) {
      this.withDeadline++;
      this.armTimer(state);
    }
  }

  private armTimer(state: BlockedState): void {
    const delay = Math.min(Math.max(state.request.deadline - this.host.clockNow(), 0), MAX_TIMER_MS);
    state.timer = setTimeout(() => {
      state.timer = undefined;
      if (state.client.blocked !== state) return;
      if (this.host.clockNow() < state.request.deadline) {
        this.armTimer(state);
        return;
      }
      this.unblock(state);
      this.host.ended(state, (s) => s.request.onTimeout(s.client.writer));
    }, delay);
  }

  /** Is any client waiting? (The write path's cheap test before keyTouched.) */
  get active(): boolean {
    return this.blockedClients !== 0;
  }

  /** A key was written: queue it if someone waits on it (Redis signalKeyAsReady). */
  keyTouched(db: Keyspace, key: Bytes): void {
    if (this.waiting.get(db)?.has(key) !== true) return;
    let keys = this.readySet.get(db);
    if (keys === undefined) this.readySet.set(db, (keys = new Set()));
    if (keys.has(key)) return;
    keys.add(key);
    this.ready.push({ db, key });
  }

  /** Every key of these databases that someone waits on may have changed (SWAPDB, FLUSHALL). */
  databaseChanged(db: Keyspace): void {
    const byKey = this.waiting.get(db);
    if (byKey === undefined) return;
    for (const key of byKey.keys()) this.keyTouched(db, key);
  }

  get hasReady(): boolean {
    return this.ready.length !== 0;
  }

  /** Serves the clients waiting on ready keys (Redis handleClientsBlockedOnKeys). */
  serveReady(): void {
    while (this.ready.length !== 0) {
      const batch = this.ready;
      this.ready = [];
      this.readySet = new Map();
      for (const { db, key } of batch) this.serveKey(db, key);
    }
  }

  private serveKey(db: Keyspace, key: Bytes): void {
    const queue = this.waiting.get(db)?.get(key);
    if (queue === undefined) return;
    for (const state of [...queue]) {
      if (state.client.blocked !== state) continue;
      const value = db.peekNoTouch(key);
      if (value === undefined || typeOf(value) !== state.request.type) return;
      if (this.host.retry(state)) continue; // found nothing after all: keeps its place
      this.unblock(state);
      this.host.resume(state.client);
    }
  }

  /** Removes a client from every queue and stops its timer (served, timed out, gone). */
  unblock(state: BlockedState): void {
    if (state.client.blocked !== state) return;
    state.client.blocked = undefined;
    this.blockedClients--;
    if (state.request.deadline > 0) this.withDeadline--;
    if (state.timer !== undefined) clearTimeout(state.timer);
    const byKey = this.waiting.get(state.db);
    if (byKey === undefined) return;
    for (const key of new Set(state.request.keys)) {
      const queue = byKey.get(key);
      if (queue === undefined) continue;
      const i = queue.indexOf(state);
      if (i >= 0) queue.splice(i, 1);
      if (queue.length === 0) byKey.delete(key);
    }
    if (byKey.size === 0) this.waiting.delete(state.db);
  }

  /** CLIENT UNBLOCK: ends a client's wait as a timeout would, or with an error. */
  cancel(client: Client, reply: (state: BlockedState) => void): boolean {
    const state = client.blocked;
    if (state === undefined) return false;
    this.unblock(state);
    this.host.ended(state, reply);
    return true;
  }
}
