/**
 * Generic key commands, part 1: existence, deletion, iteration and moving keys around — DEL UNLINK
 * EXISTS TYPE TOUCH KEYS SCAN RANDOMKEY RENAME RENAMENX COPY MOVE, and the database-wide DBSIZE
 * FLUSHDB FLUSHALL SWAPDB (Redis files these under "server", with @keyspace ACLs). TTL commands
 * live in key-expire-commands.ts, OBJECT in object-command.ts. Mirrors redis db.c ("Type agnostic
 * commands operating on the key space").
 *
 * Commands that only look (EXISTS, TYPE) use the keyspace's no-touch lookups, as Redis's
 * LOOKUP_NOTOUCH, so they do not reset OBJECT IDLETIME. Every key written or deleted is reported
 * with ctx.keyChanged. These commands are deterministic, so they are propagated as received.
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import { copyValue, typeOf } from '../keyspace/redis-value.js';
import { takeFrom } from '../keyspace/scan-cursors.js';
import { matcher, readScanArgs } from './scan-args.js';
import type { CommandContext, CommandDocs, CommandSpecInput } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { family } from './command-table.js';
import { intArg } from './arg-cursor.js';
import {
  ERR_DB_INDEX,
  ERR_INT_RANGE,
  ERR_NO_SUCH_KEY,
  ERR_NOT_INTEGER,
  ERR_SAME_OBJECT,
  ERR_SYNTAX,
  replyError,
  type ReplyError,
} from '../protocol/reply-errors.js';

const ERR_SWAPDB_FIRST = replyError('ERR invalid first DB index');
const ERR_SWAPDB_SECOND = replyError('ERR invalid second DB index');

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * A C int argument, as Redis's getIntFromObjectOrReply: not an integer → "value is not an
 * integer or out of range", outside int32 → "value is out of range, value must between...";
 * with `err`, that one error for both.
 */
function int32Arg(b: Bytes, err?: ReplyError): number {
  const n = intArg(b, err ?? ERR_NOT_INTEGER);
  if (n < INT32_MIN || n > INT32_MAX) throw err ?? ERR_INT_RANGE;
  return n;
}

/** The database a DB argument names (MOVE, COPY ... DB n), or "DB index is out of range". */
function targetDb(ctx: CommandContext, b: Bytes): Keyspace {
  const db = ctx.server.db(int32Arg(b));
  if (db === undefined) throw ERR_DB_INDEX;
  return db;
}

// ---- Existence and deletion ----

/** DEL key [key ...] / UNLINK key [key ...] → the number of keys removed. */
function del(ctx: CommandContext, argv: readonly Bytes[]): void {
  let removed = 0;
  for (let i = 1; i < argv.length; i++) {
    if (ctx.db.delete(argv[i]!)) {
      removed++;
      ctx.keyChanged(argv[i]!);
      ctx.notify('generic', 'del', argv[i]!);
    }
  }
  ctx.reply.integer(removed);
}

/** EXISTS key [key ...] → how many of the keys exist (a key named twice counts twice). */
function exists(ctx: CommandContext, argv: readonly Bytes[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (ctx.db.getForReadNoTouch(argv[i]!) !== undefined) n++;
  ctx.reply.integer(n);
}

/** TOUCH key [key ...] → how many of the keys exist; their access time is updated. */
function touch(ctx: CommandContext, argv: readonly Bytes[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (ctx.db.getForRead(argv[i]!) !== undefined) n++;
  ctx.reply.integer(n);
}

/** TYPE key → +string, +list, +set, +zset, +hash, or +none when missing. */
function type(ctx: CommandContext, argv: readonly Bytes[]): void {
  const v = ctx.db.getForReadNoTouch(argv[1]!);
  ctx.reply.simple(v === undefined ? 'none' : typeOf(v));
}

// ---- Iteration ----

/** KEYS pattern → every live key matching the glob (expired keys are skipped, not deleted). */
function keys(ctx: CommandContext, argv: readonly Bytes[]): void {
  const match = matcher(argv[1]!);
  const db = ctx.db;
  const out: Bytes[] = [];
  for (const key of db.data.keys()) {
    if (match !== undefined && !match(key)) continue;
    if (db.isExpired(key)) continue;
    out.push(key);
  }
  ctx.reply.bulkArray(out);
}

/**
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] → [next cursor, [keys...]]; cursor 0
 * when the iteration is complete. COUNT keys are visited per call (default 10), then filtered by
 * MATCH and TYPE; expired keys met on the way are deleted. Cursors are kept by
 * server.scanCursors (see scan-cursors.ts for the guarantee and its COMPAT note).
 */
function scan(ctx: CommandContext, argv: readonly Bytes[]): void {
  const { cursor, count, match, type: wantType } = readScanArgs(argv, 1, true);
  const db = ctx.db;
  const owner = db.data;
  const iterator = ctx.server.scanCursors.resume(owner, cursor, () => owner.keys());
  const { items, done } = takeFrom(iterator, count);
  const out: Bytes[] = [];
  for (const key of items) {
    if (match !== undefined && !match(key)) continue;
    const v = db.peekNoTouch(key);
    if (v === undefined) continue;
    if (wantType !== undefined && typeOf(v) !== wantType) continue;
    out.push(key);
  }
  ctx.reply.arrayHeader(2);
  ctx.reply.bulk(done ? '0' : ctx.server.scanCursors.save(owner, iterator));
  ctx.reply.bulkArray(out);
}

/** RANDOMKEY → a random live key, or nil when the database is empty. */
function randomkey(ctx: CommandContext): void {
  ctx.reply.bulk(ctx.db.randomKey());
}

// ---- Renaming, copying, moving ----

/**
 * RENAME key newkey → OK / RENAMENX key newkey → 1, or 0 when newkey exists. The value keeps
 * its TTL; an existing newkey is replaced (RENAME). A missing key is "ERR no such key", also
 * when both names are the same; an existing key renamed to itself is a no-op.
 */
function renameGeneric(nx: boolean) {
  return (ctx: CommandContext, argv: readonly Bytes[]): void => {
    const [src, dst] = [argv[1]!, argv[2]!];
    const db = ctx.db;
    const value = db.peek(src);
    if (value === undefined) throw ERR_NO_SUCH_KEY;
    if (src === dst) {
      if (nx) ctx.reply.integer(0);
      else ctx.reply.ok();
      return;
    }
    if (nx && db.peek(dst) !== undefined) {
      ctx.reply.integer(0);
      return;
    }
    const ttl = db.getExpire(src);
    // newkey is replaced by a new key (Redis deletes it first: a "new" event fires either way).
    db.delete(dst);
    db.set(dst, value);
    if (ttl !== undefined) db.setExpire(dst, ttl);
    db.delete(src);
    ctx.keyChanged(src);
    ctx.keyChanged(dst);
    ctx.notify('generic', 'rename_from', src);
    ctx.notify('generic', 'rename_to', dst);
    if (nx) ctx.reply.integer(1);
    else ctx.reply.ok();
  };
}

/**
 * COPY source destination [DB destination-db] [REPLACE] → 1 if copied, 0 if the source is missing
 * or the destination exists (without REPLACE). The copy is independent and keeps the TTL.
 */
function copy(ctx: CommandContext, argv: readonly Bytes[]): void {
  const [src, dst] = [argv[1]!, argv[2]!];
  let dstDb = ctx.db;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i]!.toLowerCase();
    if (opt === 'replace') replace = true;
    else if (opt === 'db' && i + 1 < argv.length) dstDb = targetDb(ctx, argv[++i]!);
    else throw ERR_SYNTAX;
  }
  if (src === dst && dstDb === ctx.db) throw ERR_SAME_OBJECT;
  const value = ctx.db.getForRead(src);
  if (value === undefined) {
    ctx.reply.integer(0);
    return;
  }
  if (dstDb.peek(dst) !== undefined) {
    if (!replace) {
      ctx.reply.integer(0);
      return;
    }
    dstDb.delete(dst);
  }
  const ttl = ctx.db.getExpire(src);
  dstDb.set(dst, copyValue(value));
  if (ttl !== undefined) dstDb.setExpire(dst, ttl);
  ctx.keyChanged(dst, dstDb);
  ctx.notify('generic', 'copy_to', dst, dstDb);
  ctx.reply.integer(1);
}

/** MOVE key db → 1 if moved, 0 if missing here or already present there. The TTL moves along. */
function move(ctx: CommandContext, argv: readonly Bytes[]): void {
  const key = argv[1]!;
  const dstDb = targetDb(ctx, argv[2]!);
  if (dstDb === ctx.db) throw ERR_SAME_OBJECT;
  const value = ctx.db.peek(key);
  if (value === undefined || dstDb.peek(key) !== undefined) {
    ctx.reply.integer(0);
    return;
  }
  const ttl = ctx.db.getExpire(key);
  dstDb.set(key, value);
  if (ttl !== undefined) dstDb.setExpire(key, ttl);
  ctx.db.delete(key);
  ctx.keyChanged(key);
  ctx.keyChanged(key, dstDb);
  ctx.notify('generic', 'move_from', key);
  ctx.notify('generic', 'move_to', key, dstDb);
  ctx.reply.integer(1);
}

// ---- Whole databases ----

/** DBSIZE → the number of keys (including expired ones not yet removed, as Redis). */
function dbsize(ctx: CommandContext): void {
  ctx.reply.integer(ctx.db.size);
}

/** Reads FLUSHDB/FLUSHALL's optional ASYNC|SYNC (both empty at once here). */
function checkFlushMode(argv: readonly Bytes[]): void {
  if (argv.length > 2) throw ERR_SYNTAX;
  if (argv.length === 2) {
    const mode = argv[1]!.toLowerCase();
    if (mode !== 'async' && mode !== 'sync') throw ERR_SYNTAX;
  }
}

/**
 * FLUSHDB [ASYNC|SYNC] → OK; the selected database is emptied. Always propagated, even when it
 * was already empty (Redis forces it, so replicas cannot keep keys the primary lacks).
 * COMPAT: ASYNC frees memory at once too (a JS Map is dropped whole; the GC does the rest).
 */
function flushdb(ctx: CommandContext, argv: readonly Bytes[]): void {
  checkFlushMode(argv);
  ctx.server.watches.dbReplaced(ctx.db);
  const removed = ctx.db.flush();
  ctx.server.tracking.flushed();
  ctx.server.dirty += removed;
  if (removed === 0) ctx.alsoPropagate([...argv]);
  ctx.reply.ok();
}

/** FLUSHALL [ASYNC|SYNC] → OK; every database is emptied. Always propagated. */
function flushall(ctx: CommandContext, argv: readonly Bytes[]): void {
  checkFlushMode(argv);
  let removed = 0;
  for (const db of ctx.server.keyspaces) {
    ctx.server.watches.dbReplaced(db);
    removed += db.flush();
  }
  ctx.server.tracking.flushed();
  ctx.server.dirty += removed + 1;
  ctx.server.persistence.afterFlushAll();
  ctx.reply.ok();
}

/** SWAPDB index1 index2 → OK; the two databases exchange contents (clients stay where they are). */
function swapdb(ctx: CommandContext, argv: readonly Bytes[]): void {
  const a = ctx.server.db(int32Arg(argv[1]!, ERR_SWAPDB_FIRST));
  const b = ctx.server.db(int32Arg(argv[2]!, ERR_SWAPDB_SECOND));
  if (a === undefined || b === undefined) throw ERR_DB_INDEX;
  if (a !== b) {
    // Watched keys stay with their database index: they change if they exist on either side.
    ctx.server.watches.dbReplaced(a, b);
    ctx.server.watches.dbReplaced(b, a);
    a.swapWith(b);
    // Clients blocked in either database may now find their keys (Redis scanDatabaseForReadyKeys).
    ctx.server.blocking.databaseChanged(a);
    ctx.server.blocking.databaseChanged(b);
  }
  ctx.server.dirty++;
  ctx.reply.ok();
}

// ---- The table ----

function docs(summary: string, since: string, complexity = 'O(1)', group = 'generic'): CommandDocs {
  return { summary, since, group, complexity };
}

const multiKey = ['request_policy:multi_shard', 'response_policy:agg_sum'];
const flushTips = ['request_policy:all_shards', 'response_policy:all_succeeded'];

const commands: CommandSpecInput[] = [
  {
    name: 'del', arity: -2, flags: ['write'], firstKey: 1, lastKey: -1, step: 1, tips: multiKey,
    keySpecs: [rangeKeySpec(['RM', 'delete'], 1, -1)],
    docs: docs('Delete a key', '1.0.0', 'O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).'),
    handler: del,
  },
  {
    name: 'unlink', arity: -2, flags: ['write', 'fast'], firstKey: 1, lastKey: -1, step: 1, tips: multiKey,
    keySpecs: [rangeKeySpec(['RM', 'delete'], 1, -1)],
    docs: docs('Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.', '4.0.0', 'O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.'),
    handler: del,
  },
  {
    name: 'exists', arity: -2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: -1, step: 1, tips: multiKey,
    keySpecs: [rangeKeySpec(['RO'], 1, -1)],
    docs: docs('Determine if a key exists', '1.0.0', 'O(N) where N is the number of keys to check.'),
    handler: exists,
  },
  {
    name: 'touch', arity: -2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: -1, step: 1, tips: multiKey,
    keySpecs: [rangeKeySpec(['RO'], 1, -1)],
    docs: docs('Alters the last access time of a key(s). Returns the number of existing keys specified.', '3.2.1', 'O(N) where N is the number of keys that will be touched.'),
    handler: touch,
  },
  {
    name: 'type', arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [rangeKeySpec(['RO'], 1)],
    docs: docs('Determine the type stored at key', '1.0.0'),
    handler: type,
  },
  {
    name: 'keys', arity: 2, flags: ['readonly'], acl: ['dangerous'], tips: ['request_policy:all_shards', 'nondeterministic_output_order'],
    docs: docs('Find all keys matching the given pattern', '1.0.0', 'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.'),
    handler: keys,
  },
  {
    name: 'scan', arity: -2, flags: ['readonly'], tips: ['nondeterministic_output', 'request_policy:special'],
    docs: docs('Incrementally iterate the keys space', '2.8.0', 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.'),
    handler: scan,
  },
  {
    name: 'randomkey', arity: 1, flags: ['readonly'], tips: ['request_policy:all_shards', 'nondeterministic_output'],
    docs: docs('Return a random key from the keyspace', '1.0.0'),
    handler: randomkey,
  },
  {
    name: 'rename', arity: 3, flags: ['write'], firstKey: 1, lastKey: 2, step: 1,
    keySpecs: [rangeKeySpec(['RW', 'access', 'delete'], 1), rangeKeySpec(['OW', 'update'], 2)],
    docs: docs('Rename a key', '1.0.0'),
    handler: renameGeneric(false),
  },
  {
    name: 'renamenx', arity: 3, flags: ['write', 'fast'], firstKey: 1, lastKey: 2, step: 1,
    keySpecs: [rangeKeySpec(['RW', 'access', 'delete'], 1), rangeKeySpec(['OW', 'insert'], 2)],
    docs: docs('Rename a key, only if the new key does not exist', '1.0.0'),
    handler: renameGeneric(true),
  },
  {
    name: 'copy', arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 2, step: 1,
    keySpecs: [rangeKeySpec(['RO', 'access'], 1), rangeKeySpec(['OW', 'update'], 2)],
    docs: docs('Copy a key', '6.2.0', 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.'),
    handler: copy,
  },
  {
    name: 'move', arity: 3, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [rangeKeySpec(['RW', 'access', 'update'], 1)],
    docs: docs('Move a key to another database', '1.0.0'),
    handler: move,
  },
  {
    name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], tips: ['request_policy:all_shards', 'response_policy:agg_sum'],
    docs: docs('Return the number of keys in the selected database', '1.0.0', 'O(1)', 'server'),
    handler: dbsize,
  },
  {
    name: 'flushdb', arity: -1, flags: ['write'], acl: ['dangerous'], tips: flushTips,
    docs: docs('Remove all keys from the current database', '1.0.0', 'O(N) where N is the number of keys in the selected database', 'server'),
    handler: flushdb,
  },
  {
    name: 'flushall', arity: -1, flags: ['write'], acl: ['dangerous'], tips: flushTips,
    docs: docs('Remove all keys from all databases', '1.0.0', 'O(N) where N is the total number of keys in all databases', 'server'),
    handler: flushall,
  },
  {
    name: 'swapdb', arity: 3, flags: ['write', 'fast'], acl: ['dangerous'],
    docs: docs('Swaps two Redis databases', '4.0.0', 'O(N) where N is the count of clients watching or blocking on keys from both databases.', 'server'),
    handler: swapdb,
  },
];

export const keyCommands = family('keyspace', commands);
