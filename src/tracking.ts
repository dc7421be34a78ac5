/**
 * TrackingRegistry: server-assisted client-side caching (CLIENT TRACKING). Mirrors redis
 * tracking.c: what a tracking client's read-only commands read is remembered (key → ids of the
 * clients that read it); the first change to such a key sends those clients an invalidation
 * message and forgets the key (one message per read). In BCAST mode nothing is remembered:
 * every changed key that starts with one of the client's prefixes is collected per prefix and
 * sent once per event-loop turn (Redis: trackingBroadcastInvalidationMessages in beforeSleep).
 *
 * Messages: a RESP3 push `invalidate [key ...]` on the client's own connection, or, with
 * REDIRECT, to the redirect client (a RESP2 pub/sub `message __redis__:invalidate [key ...]`
 * if it has a subscription, a push if it speaks RESP3). FLUSHDB/FLUSHALL send a null instead of
 * the key array. A message for the client whose command is running waits until that command
 * (and an enclosing EXEC) has replied (Redis tracking_pending_keys).
 *
 * The write path costs one integer check when no client tracks (`clients`).
 *
 * COMPAT: `tracking-table-max-keys` is not enforced (Redis evicts random keys from the table,
 * invalidating them, when it grows past the limit); the table grows with what is read.
 * COMPAT: redirected messages to a RESP2 subscriber are written directly, without the
 * client-output-buffer-limit pubsub check that PUBLISH applies.
 */
import type { Bytes } from './keyspace/bytes.js';
import type { Client } from './client.js';

/** One client's CLIENT TRACKING settings (client.tracking, present while tracking is on). */
export class ClientTracking {
  /** REDIRECT target id, 0 = the client's own connection. */
  redirect = 0;
  bcast = false;
  optin = false;
  optout = false;
  noloop = false;
  /** The redirect client was gone when a message was due (flag R, broken_redirect). */
  brokenRedirect = false;
  /** CLIENT CACHING YES/NO given for the next command. */
  caching = false;
  /** BCAST prefixes ('' = every key), in the order given. */
  readonly prefixes = new Set<Bytes>();
}

/** Options of one CLIENT TRACKING ON. */
export interface TrackingOptions {
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  prefixes: Bytes[];
}

/** A BCAST prefix: its clients and the keys changed since the last broadcast (key → first changer). */
interface PrefixState {
  readonly clients: Set<Client>;
  readonly changed: Map<Bytes, Client | undefined>;
}

/** What the registry needs from the server. */
export interface TrackingHost {
  readonly clients: ReadonlyMap<number, Client>;
  flushSoon(client: Client): void;
}

const NULL2 = Buffer.from('$-1\r\n');
const NULL3 = Buffer.from('_\r\n');
const CHANNEL = '__redis__:invalidate';

export class TrackingRegistry {
  /** Clients with tracking on (INFO tracking_clients); 0 keeps the write path to one check. */
  clients = 0;
  /** Key → ids of the clients that read it (Redis TrackingTable; all databases share it). */
  private readonly table = new Map<Bytes, Set<number>>();
  /** INFO tracking_total_items: (key, client) pairs in the table. */
  items = 0;
  private readonly prefixTable = new Map<Bytes, PrefixState>();
  private broadcastScheduled = false;
  /** The client whose command is running (NOLOOP, delayed messages), undefined between commands. */
  private caller: Client | undefined;
  /** Messages for the caller, sent once its command has replied: a key, or null for a flush. */
  private pending: (Bytes | null)[] = [];

  constructor(private readonly host: TrackingHost) {}

  /** INFO tracking_total_keys. */
  get totalKeys(): number {
    return this.table.size;
  }

  /** INFO tracking_total_prefixes. */
  get totalPrefixes(): number {
    return this.prefixTable.size;
  }

  // ---- Enabling and disabling ----

  /** CLIENT TRACKING ON, options already checked: (re)configures the client. */
  enable(client: Client, opts: TrackingOptions): void {
    let t = client.tracking;
    if (t === undefined) {
      t = client.tracking = new ClientTracking();
      this.clients++;
    }
    t.redirect = opts.redirect;
    t.brokenRedirect = false;
    t.bcast = opts.bcast;
    t.optin = opts.optin;
    t.optout = opts.optout;
    t.noloop = opts.noloop;
    if (opts.bcast) {
      const prefixes = opts.prefixes.length === 0 ? [''] : opts.prefixes;
      for (const p of prefixes) {
        t.prefixes.add(p);
        let state = this.prefixTable.get(p);
        if (state === undefined) this.prefixTable.set(p, (state = { clients: new Set(), changed: new Map() }));
        state.clients.add(client);
      }
    }
  }

  /** CLIENT TRACKING OFF, RESET, disconnect. Keys it read stay in the table, as in Redis. */
  disable(client: Client): void {
    const t = client.tracking;
    if (t === undefined) return;
    for (const p of t.prefixes) {
      const state = this.prefixTable.get(p)!;
      state.clients.delete(client);
      if (state.clients.size === 0) this.prefixTable.delete(p);
    }
    client.tracking = undefined;
    this.clients--;
  }

  // ---- Reads ----

  /**
   * After a read-only command of a tracking client (successful or not, as Redis 7.0): remember
   * the keys it named, unless BCAST, or OPTIN without CACHING YES, or OPTOUT with CACHING NO.
   */
  rememberKeys(client: Client, argv: readonly Bytes[], positions: number[]): void {
    const t = client.tracking!;
    if (t.bcast || (t.optin && !t.caching) || (t.optout && t.caching)) return;
    for (const i of positions) {
      const key = argv[i]!;
      let ids = this.table.get(key);
      if (ids === undefined) this.table.set(key, (ids = new Set()));
      if (!ids.has(client.id)) {
        ids.add(client.id);
        this.items++;
      }
    }
  }

  /**
   * Before each command of a tracking client: CLIENT CACHING lasts for one command — it is
   * dropped unless the previous command was a CLIENT subcommand or a transaction is open.
   */
  beforeCommand(client: Client): void {
    const t = client.tracking!;
    if (t.caching && client.multi === undefined && !client.lastCommand.startsWith('client|')) t.caching = false;
  }

  // ---- The running command ----

  /** A command starts for this client; returns the previous caller, for leave(). */
  enter(client: Client): Client | undefined {
    const prev = this.caller;
    this.caller = client;
    return prev;
  }

  /** A command ended: back to the enclosing caller; at top level, the delayed messages go out. */
  leave(prev: Client | undefined): void {
    const client = this.caller;
    this.caller = prev;
    if (prev !== undefined || this.pending.length === 0 || client === undefined) return;
    const keys = this.pending;
    this.pending = [];
    if (client.tracking === undefined) return;
    for (const k of keys) this.send(client, k);
  }

  // ---- Writes ----

  /** A key changed or expired (called only while some client tracks). */
  keyModified(key: Bytes): void {
    if (this.prefixTable.size !== 0) this.collectForBroadcast(key);
    const ids = this.table.get(key);
    if (ids === undefined) return;
    this.table.delete(key);
    this.items -= ids.size;
    for (const id of ids) {
      const target = this.host.clients.get(id);
      const t = target?.tracking;
      if (t === undefined || t.bcast) continue;
      if (target === this.caller) {
        if (!t.noloop) this.pending.push(key);
      } else {
        this.send(target!, key);
      }
    }
  }

  /**
   * FLUSHDB / FLUSHALL: every tracking client gets an invalidation with a null key list (NOLOOP
   * does not apply), and every remembered key, of every database, is forgotten (as Redis 7.0).
   */
  flushed(): void {
    if (this.clients !== 0) {
      for (const c of this.host.clients.values()) {
        if (c.tracking === undefined) continue;
        if (c === this.caller) this.pending.push(null);
        else this.send(c, null);
      }
    }
    this.table.clear();
    this.items = 0;
  }

  private collectForBroadcast(key: Bytes): void {
    for (const [prefix, state] of this.prefixTable) {
      if (!key.startsWith(prefix)) continue;
      if (!state.changed.has(key)) state.changed.set(key, this.caller);
      if (!this.broadcastScheduled) {
        this.broadcastScheduled = true;
        setImmediate(this.broadcast);
      }
    }
  }

  /** Once per event-loop turn: each prefix's changed keys (sorted) to its clients (by id). */
  private readonly broadcast = (): void => {
    this.broadcastScheduled = false;
    const prefixes = [...this.prefixTable.keys()].sort(byteOrder);
    for (const p of prefixes) {
      const state = this.prefixTable.get(p)!;
      if (state.changed.size === 0) continue;
      const keys = [...state.changed.keys()].sort(byteOrder);
      const clients = [...state.clients].sort((a, b) => a.id - b.id);
      for (const c of clients) {
        const list = c.tracking!.noloop ? keys.filter((k) => state.changed.get(k) !== c) : keys;
        if (list.length > 0) this.send(c, list);
      }
      state.changed.clear();
    }
  };

  // ---- Messages ----

  /**
   * Sends one invalidation for `target`: keys (one or several) or null (flush, written in the
   * target's protocol as Redis does). Goes to the redirect client if any; a missing redirect
   * client marks the redirection broken and, in RESP3, tells the target.
   */
  private send(target: Client, keys: Bytes | Bytes[] | null): void {
    const t = target.tracking!;
    let to = target;
    if (t.redirect !== 0) {
      const r = this.host.clients.get(t.redirect);
      if (r === undefined || r.isClosed) {
        t.brokenRedirect = true;
        if (target.protocol === 3) {
          const w = target.writer;
          w.pushHeader(2);
          w.bulk('tracking-redir-broken');
          w.integer(t.redirect);
          this.host.flushSoon(target);
        }
        return;
      }
      to = r;
    }
    const w = to.writer;
    if (to.protocol === 3) {
      w.pushHeader(2);
      w.bulk('invalidate');
    } else if (t.redirect !== 0 && to.pubsub !== undefined) {
      w.pushHeader(3);
      w.bulk('message');
      w.bulk(CHANNEL);
    } else {
      return; // RESP2 without a subscribed redirect client: nowhere to send it
    }
    if (keys === null) {
      w.raw(target.protocol === 3 ? NULL3 : NULL2);
    } else if (typeof keys === 'string') {
      w.arrayHeader(1);
      w.bulk(keys);
    } else {
      w.bulkArray(keys);
    }
    this.host.flushSoon(to);
  }
}

function byteOrder(a: Bytes, b: Bytes): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
