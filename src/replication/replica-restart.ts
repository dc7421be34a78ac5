/**
 * What a replica keeps across restarts: the replication position written into dump.rdb (aux
 * fields repl-stream-db, repl-id, repl-offset) and, at start-up, following the `replicaof`
 * primary, continuing from that position when the file recorded one. Mirrors redis rdb.c
 * rdbPopulateSaveInfo / rdbSaveInfoAuxFields and server.c loadDataFromDisk (a replica's cached
 * master rebuilt from the RDB's replication info).
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { Server } from '../server.js';

/**
 * The replication position a dump.rdb saved now corresponds to (aux fields repl-stream-db,
 * repl-id, repl-offset; Redis rdbPopulateSaveInfo), or undefined when there is none: a replica
 * with a history, or a primary with a backlog.
 * COMPAT: a primary records stream db 0 (Redis: the db its stream last selected); a replica
 * restarted from the file uses it, a primary never does.
 */
export function replicationSaveInfo(server: Server): { streamDb: number; replId: string; offset: number } | undefined {
  const repl = server.replication;
  const link = repl.link;
  if (link !== undefined) return link.history ? { streamDb: link.streamDb, replId: repl.replId, offset: repl.offset } : undefined;
  if (repl.backlog !== undefined) return { streamDb: 0, replId: repl.replId, offset: repl.offset };
  return undefined;
}

/**
 * Start-up, after the data is loaded: `replicaof host port` (config file or command line) makes
 * this server follow that primary. When dump.rdb recorded a replication position, the link asks
 * to continue from it (Redis loadDataFromDisk: replicationCacheMasterUsingMyself); without
 * `replicaof`, this server continues that history as a primary.
 */
export function resumeReplicationAtStart(server: Server): void {
  const target = server.config.get('replicaof');
  const repl = server.replication;
  const saved = server.persistence.savedReplication;
  const restored = saved !== undefined && saved.replId.length === 40 && saved.offset >= 0;
  const expired = server.persistence.expiredAtLoad;
  server.persistence.expiredAtLoad = [];
  if (target === '') {
    if (restored) continuePrimaryHistory(server, saved.replId, saved.offset, expired);
    return;
  }
  const space = target.lastIndexOf(' ');
  if (restored) {
    repl.replId = saved.replId;
    repl.offset = saved.offset;
  }
  repl.follow(target.slice(0, space), Number(target.slice(space + 1)));
  const link = repl.link!;
  link.history = restored;
  if (restored) link.streamDb = saved.streamDb;
}

/**
 * A primary restarted from a dump.rdb that recorded its replication position keeps that history
 * (as replid2, up to the saved offset) with a backlog, so its replicas continue by partial
 * resync; the keys the file held that expired meanwhile are deleted through the stream, after
 * the saved offset. Redis 7.0 does the same in loadDataFromDisk.
 */
function continuePrimaryHistory(server: Server, replId: string, offset: number, expired: [number, Bytes][]): void {
  const repl = server.replication;
  repl.continueHistory(replId, offset);
  for (const [db, key] of expired) server.propagator.propagate(db, ['DEL', key]);
}
