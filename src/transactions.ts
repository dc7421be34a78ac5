/**
 * Transactions: a client's MULTI state (the queued commands) and the registry of WATCHed keys
 * (db → key → the clients watching it). Mirrors redis multi.c (queueMultiCommand, watchForKey,
 * unwatchAllKeys, touchWatchedKey, touchAllWatchedKeysInDb, isWatchedKeyExpired).
 *
 * A write to a watched key marks every client watching it "dirty" (Redis CLIENT_DIRTY_CAS): its
 * next EXEC replies a null array. Writes reach the registry through Server.signalModifiedKey,
 * expiry through Server.keyExpired, FLUSHDB/FLUSHALL/SWAPDB through dbReplaced.
 *
 * Expiry follows Redis 7.0: a key with a TTL that passes before EXEC makes EXEC fail even when
 * the key has not been deleted yet; a key that was already expired (but still stored) when it
 * was WATCHed is logically absent, so its deletion by expiry is no change, while any later write
 * that makes it live again is. An evicted key touches its watchers like any deletion
 * (memory/eviction.ts).
 */
import type { Bytes } from './keyspace/bytes.js';
import type { Keyspace } from './keyspace/keyspace.js';
import type { CommandSpec } from './commands/command-spec.js';
import type { Client } from './client.js';

/** One command queued between MULTI and EXEC. */
export interface QueuedCommand {
  readonly spec: CommandSpec;
  readonly argv: Bytes[];
}

/** A client between MULTI and EXEC/DISCARD. */
export class MultiState {
  readonly queue: QueuedCommand[] = [];
  /** A command was refused while queuing: EXEC replies EXECABORT (Redis CLIENT_DIRTY_EXEC). */
  aborted = false;
}

/** One key a client watches. */
interface WatchedKey {
  readonly db: Keyspace;
  readonly key: Bytes;
  /** The key was stored but already expired when WATCHed (logically absent). */
  expired: boolean;
}

export class WatchRegistry {
  /** db → key → watcher → its entry. */
  private readonly byDb = new Map<Keyspace, Map<Bytes, Map<Client, WatchedKey>>>();
  /** client → the keys it watches, in WATCH order. */
  private readonly byClient = new Map<Client, WatchedKey[]>();

  /** True while any client watches a key: writes skip the registry otherwise. */
  get active(): boolean {
    return this.byClient.size !== 0;
  }

  /** WATCH: the client watches key in db (once, however often it asks). */
  watch(client: Client, db: Keyspace, key: Bytes): void {
    let keys = this.byDb.get(db);
    if (keys === undefined) this.byDb.set(db, (keys = new Map()));
    let watchers = keys.get(key);
    if (watchers === undefined) keys.set(key, (watchers = new Map()));
    if (watchers.has(client)) return;
    const wk: WatchedKey = { db, key, expired: db.isExpired(key) };
    watchers.set(client, wk);
    const mine = this.byClient.get(client);
    if (mine === undefined) this.byClient.set(client, [wk]);
    else mine.push(wk);
  }

  /** UNWATCH, EXEC, DISCARD, RESET, disconnect: the client watches nothing any more. */
  unwatchAll(client: Client): void {
    const mine = this.byClient.get(client);
    if (mine === undefined) return;
    this.byClient.delete(client);
    for (const wk of mine) {
      const keys = this.byDb.get(wk.db)!;
      const watchers = keys.get(wk.key)!;
      watchers.delete(client);
      if (watchers.size === 0) {
        keys.delete(wk.key);
        if (keys.size === 0) this.byDb.delete(wk.db);
      }
    }
  }

  /** How many keys the client watches. */
  watchedCount(client: Client): number {
    return this.byClient.get(client)?.length ?? 0;
  }

  /** A key was written or deleted (Redis touchWatchedKey): its watchers become dirty. */
  keyTouched(db: Keyspace, key: Bytes): void {
    const watchers = this.byDb.get(db)?.get(key);
    if (watchers === undefined) return;
    for (const [client, wk] of watchers) {
      if (wk.expired) {
        // Deleting a key that was already expired changes nothing visible.
        if (!db.data.has(key)) {
          wk.expired = false;
          continue;
        }
        if (db.isExpired(key)) continue;
      }
      client.dirtyCas = true;
    }
  }

  /**
   * A database's contents are about to be dropped (FLUSHDB/FLUSHALL: replacedWith undefined) or
   * exchanged for another's (SWAPDB: the contents that will take their place). Redis
   * touchAllWatchedKeysInDb: a watched key changes if it exists before or after.
   */
  dbReplaced(emptied: Keyspace, replacedWith?: Keyspace): void {
    const keys = this.byDb.get(emptied);
    if (keys === undefined) return;
    for (const [key, watchers] of keys) {
      const existed = emptied.data.has(key);
      const comes = replacedWith !== undefined && replacedWith.data.has(key);
      if (!existed && !comes) continue;
      const comesExpired = comes && replacedWith.isExpired(key);
      for (const [client, wk] of watchers) {
        if (wk.expired) {
          if (!comes) {
            wk.expired = false;
            continue;
          }
          if (comesExpired) continue;
        } else if (!existed && comesExpired) {
          wk.expired = true;
          continue;
        }
        client.dirtyCas = true;
      }
    }
  }

  /** EXEC: has a watched key that was live when WATCHed expired since (Redis isWatchedKeyExpired)? */
  anyExpired(client: Client): boolean {
    const mine = this.byClient.get(client);
    if (mine === undefined) return false;
    for (const wk of mine) if (!wk.expired && wk.db.isExpired(wk.key)) return true;
    return false;
  }
}

/**
 * Leaves MULTI and forgets every watched key (Redis discardTransaction): EXEC, DISCARD, RESET,
 * and a closing connection.
 */
export function discardTransaction(client: Client): void {
  client.multi = undefined;
  client.dirtyCas = false;
  client.server.watches.unwatchAll(client);
}
