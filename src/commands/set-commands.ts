/**
 * Set commands, part 1: one set at a time — SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP
 * SRANDMEMBER SMOVE SSCAN. (SINTER SINTERCARD SUNION SDIFF and their STORE forms live in
 * set-algebra-commands.ts.) Mirrors redis t_set.c.
 *
 * The value is a RedisSet (datastructures/set.ts): an intset (sorted integer texts) until a
 * non-integer member or set-max-intset-entries turns it into a hashtable, as Redis 7.0 does.
 * A set that becomes empty is deleted. SPOP's effect is random, so it is propagated as what it
 * did: SREM key member for each member taken, or DEL key when it took the whole set (Redis 7.0.15
 * writes exactly these to its AOF, DEL even under lazyfree-lazy-server-del).
 */
import type { Bytes } from '../keyspace/bytes.js';
import { parseI64 } from '../keyspace/bytes.js';
import { RedisSet } from '../datastructures/set.js';
import { parseScanCursor, takeFrom } from '../keyspace/scan-cursors.js';
import type { CommandContext, CommandDocs, CommandSpecInput, KeySpecFlag } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { family } from './command-table.js';
import { intArg, RANDOM_REPLY_MAX } from './arg-cursor.js';
import { readScanArgs } from './scan-args.js';
import {
  ERR_INVALID_CURSOR,
  ERR_NOT_INTEGER,
  ERR_NOT_POSITIVE,
  ERR_SYNTAX,
  ERR_VALUE_OUT_OF_RANGE,
  outOfRangeBetween,
} from '../protocol/reply-errors.js';

/** getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX): SRANDMEMBER's count bounds. */
const ERR_COUNT_RANGE = outOfRangeBetween('-9223372036854775807', '9223372036854775807');

// ---- Lookups ----

/** The set at key for a read (counts a keyspace hit or miss); WRONGTYPE for another type. */
export function readSet(ctx: CommandContext, key: Bytes): RedisSet | undefined {
  return ctx.db.getTyped(key, 'set') as RedisSet | undefined;
}

/** The set at key for a command about to write it (no hit/miss counting); WRONGTYPE otherwise. */
function writeSet(ctx: CommandContext, key: Bytes): RedisSet | undefined {
  return ctx.db.getTypedForWrite(key, 'set') as RedisSet | undefined;
}

/** Replies a whole set as a set (RESP3 ~, RESP2 array), in the encoding's order. */
export function replySet(ctx: CommandContext, set: RedisSet | undefined): void {
  if (set === undefined) return ctx.reply.setHeader(0);
  ctx.reply.setHeader(set.size);
  for (const m of set.members()) ctx.reply.bulk(m);
}

// ---- Adding and removing ----

/** SADD key member [member ...] → the number of members that were not already there. */
function sadd(ctx: CommandContext, argv: readonly Bytes[]): void {
  const key = argv[1]!;
  const limit = ctx.server.encodingLimits.setMaxIntsetEntries;
  let set = writeSet(ctx, key);
  if (set === undefined) {
    set = new RedisSet();
    ctx.db.set(key, set);
  }
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (set.add(argv[i]!, limit)) added++;
  if (added > 0) {
    ctx.keyChanged(key);
    ctx.notify('set', 'sadd', key);
  }
  ctx.reply.integer(added);
}

/** SREM key member [member ...] → the number of members removed; an emptied set is deleted. */
function srem(ctx: CommandContext, argv: readonly Bytes[]): void {
  const key = argv[1]!;
  const set = writeSet(ctx, key);
  let removed = 0;
  if (set !== undefined) {
    for (let i = 2; i < argv.length; i++) if (set.delete(argv[i]!)) removed++;
    if (set.size === 0) ctx.db.delete(key);
    if (removed > 0) {
      ctx.keyChanged(key);
      ctx.notify('set', 'srem', key);
      if (set.size === 0) ctx.notify('generic', 'del', key);
    }
  }
  ctx.reply.integer(removed);
}

/**
 * SMOVE source destination member → 1 if moved, 0 if the member is not in source (or source is
 * missing, which is checked before destination's type, as in Redis). Moving within one set
 * changes nothing. Destination is created if needed; an emptied source is deleted.
 */
function smove(ctx: CommandContext, argv: readonly Bytes[]): void {
  const [, srcKey, dstKey, member] = argv as [Bytes, Bytes, Bytes, Bytes];
  const src = writeSet(ctx, srcKey);
  if (src === undefined) return ctx.reply.integer(0);
  const dst = writeSet(ctx, dstKey);
  if (src === dst) return ctx.reply.integer(src.has(member) ? 1 : 0);
  if (!src.delete(member)) return ctx.reply.integer(0);
  if (src.size === 0) ctx.db.delete(srcKey);
  ctx.keyChanged(srcKey);
  ctx.notify('set', 'srem', srcKey);
  if (src.size === 0) ctx.notify('generic', 'del', srcKey);
  let target = dst;
  if (target === undefined) {
    target = new RedisSet();
    ctx.db.set(dstKey, target);
  }
  // Destination changes only if it did not hold the member already.
  if (target.add(member, ctx.server.encodingLimits.setMaxIntsetEntries)) {
    ctx.keyChanged(dstKey);
    ctx.notify('set', 'sadd', dstKey);
  }
  ctx.reply.integer(1);
}

// ---- Reading ----

/** SMEMBERS key → every member (a set; ascending for an intset). */
function smembers(ctx: CommandContext, argv: readonly Bytes[]): void {
  replySet(ctx, readSet(ctx, argv[1]!));
}

/** SISMEMBER key member → 1 or 0. */
function sismember(ctx: CommandContext, argv: readonly Bytes[]): void {
  const set = readSet(ctx, argv[1]!);
  ctx.reply.integer(set?.has(argv[2]!) ? 1 : 0);
}

/** SMISMEMBER key member [member ...] → 1 or 0 for each member, in order. */
function smismember(ctx: CommandContext, argv: readonly Bytes[]): void {
  const set = readSet(ctx, argv[1]!);
  ctx.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) ctx.reply.integer(set?.has(argv[i]!) ? 1 : 0);
}

/** SCARD key → the number of members (0 for a missing key). */
function scard(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.reply.integer(readSet(ctx, argv[1]!)?.size ?? 0);
}

// ---- Random members ----

/**
 * SPOP key [count]. Without count: a random member, removed (nil when the key is missing),
 * propagated as SREM key member. With count (≥ 0, else "value is out of range, must be
 * positive"): a set of min(count, size) distinct random members, removed. Taking the whole set
 * replies it as a new set of those members would list them, deletes the key and is propagated
 * as DEL key; otherwise each member taken is propagated as its own SREM. Both as Redis 7.0 does.
 * COMPAT: Redis wraps those SREMs in MULTI/EXEC in the AOF and the replication stream; Kioku
 * sends them one after the other, as the propagator does for every multi-command effect.
 */
function spop(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (argv.length > 3) throw ERR_SYNTAX;
  const key = argv[1]!;
  if (argv.length === 2) {
    const set = writeSet(ctx, key);
    if (set === undefined) return ctx.reply.nullBulk();
    const m = set.randomMember(Math.random);
    set.delete(m);
    if (set.size === 0) ctx.db.delete(key);
    ctx.keyChanged(key);
    ctx.notify('set', 'spop', key);
    if (set.size === 0) ctx.notify('generic', 'del', key);
    ctx.propagateAs(['SREM', key, m]);
    return ctx.reply.bulk(m);
  }
  const count = intArg(argv[2]!, ERR_NOT_POSITIVE);
  if (count < 0) throw ERR_NOT_POSITIVE;
  const set = writeSet(ctx, key);
  if (set === undefined || count === 0) return ctx.reply.setHeader(0);
  if (count >= set.size) {
    // Redis replies with a union of the set built afresh: ascending if it can be an intset.
    replySet(ctx, RedisSet.of(set.members(), ctx.server.encodingLimits.setMaxIntsetEntries));
    ctx.db.delete(key);
    ctx.keyChanged(key);
    ctx.notify('set', 'spop', key);
    ctx.notify('generic', 'del', key);
    ctx.propagateAs(['DEL', key]);
    return;
  }
  const popped = set.pop(count, Math.random);
  ctx.keyChanged(key);
  ctx.notify('set', 'spop', key);
  for (let i = 0; i < popped.length - 1; i++) ctx.alsoPropagate(['SREM', key, popped[i]!]);
  ctx.propagateAs(['SREM', key, popped[popped.length - 1]!]);
  ctx.reply.setHeader(popped.length);
  for (const m of popped) ctx.reply.bulk(m);
}

/**
 * SRANDMEMBER key [count]. Without count: a random member, or nil. With count: an array of
 * min(count, size) distinct random members (the whole set, in the encoding's order, when count
 * covers it); a negative count gives |count| members picked independently, so they may repeat.
 * The count must lie within ±(2^63 - 1).
 */
function srandmember(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (argv.length > 3) throw ERR_SYNTAX;
  if (argv.length === 2) {
    const set = readSet(ctx, argv[1]!);
    return ctx.reply.bulk(set === undefined ? null : set.randomMember(Math.random));
  }
  const parsed = parseI64(argv[2]!);
  if (parsed === undefined) throw ERR_NOT_INTEGER;
  if (parsed === -9223372036854775808n) throw ERR_COUNT_RANGE;
  const count = Number(parsed);
  if (count < -RANDOM_REPLY_MAX) throw ERR_VALUE_OUT_OF_RANGE;
  const set = readSet(ctx, argv[1]!);
  if (set === undefined || count === 0) return ctx.reply.arrayHeader(0);
  if (count < 0) {
    ctx.reply.arrayHeader(-count);
    for (let i = 0; i < -count; i++) ctx.reply.bulk(set.randomMember(Math.random));
    return;
  }
  if (count >= set.size) {
    ctx.reply.arrayHeader(set.size);
    for (const m of set.members()) ctx.reply.bulk(m);
    return;
  }
  ctx.reply.bulkArray(set.sample(count, Math.random));
}

// ---- Iteration ----

/**
 * SSCAN key cursor [MATCH pattern] [COUNT count] → [next cursor, [members...]]. An intset
 * answers everything at once with cursor 0 (whatever the cursor and COUNT), as Redis; a
 * hashtable is walked by a live iterator kept in server.scanCursors (see scan-cursors.ts), COUNT
 * members per call. As in Redis the cursor is checked before the key, and the options after it.
 */
function sscan(ctx: CommandContext, argv: readonly Bytes[]): void {
  const cursor = parseScanCursor(argv[2]!);
  if (cursor === undefined) throw ERR_INVALID_CURSOR;
  const set = readSet(ctx, argv[1]!);
  if (set === undefined) {
    ctx.reply.arrayHeader(2);
    ctx.reply.bulk('0');
    return ctx.reply.arrayHeader(0);
  }
  const { count, match } = readScanArgs(argv, 2, false);
  const table = set.hashtable();
  let members: Iterable<Bytes>;
  let next = '0';
  if (table === undefined) {
    members = set.members();
  } else {
    const iterator = ctx.server.scanCursors.resume(table, cursor, () => table.values());
    const { items, done } = takeFrom(iterator, count);
    members = items;
    if (!done) next = ctx.server.scanCursors.save(table, iterator);
  }
  const out: Bytes[] = [];
  for (const m of members) if (match === undefined || match(m)) out.push(m);
  ctx.reply.arrayHeader(2);
  ctx.reply.bulk(next);
  ctx.reply.bulkArray(out);
}

// ---- Command table ----

function docs(summary: string, since: string, complexity: string): CommandDocs {
  return { summary, since, group: 'set', complexity };
}

function oneKey(flags: KeySpecFlag[]) {
  return [rangeKeySpec(flags, 1)];
}

const single = { firstKey: 1, lastKey: 1, step: 1 } as const;

const commands: CommandSpecInput[] = [
  { name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], ...single, keySpecs: oneKey(['RW', 'insert']),
    docs: docs('Add one or more members to a set', '1.0.0',
      'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.'),
    handler: sadd },
  { name: 'srem', arity: -3, flags: ['write', 'fast'], ...single, keySpecs: oneKey(['RW', 'delete']),
    docs: docs('Remove one or more members from a set', '1.0.0', 'O(N) where N is the number of members to be removed.'),
    handler: srem },
  { name: 'smove', arity: 4, flags: ['write', 'fast'], firstKey: 1, lastKey: 2, step: 1,
    keySpecs: [rangeKeySpec(['RW', 'access', 'delete'], 1), rangeKeySpec(['RW', 'insert'], 2)],
    docs: docs('Move a member from one set to another', '1.0.0', 'O(1)'), handler: smove },
  { name: 'smembers', arity: 2, flags: ['readonly'], ...single, keySpecs: oneKey(['RO', 'access']),
    tips: ['nondeterministic_output_order'],
    docs: docs('Get all the members in a set', '1.0.0', 'O(N) where N is the set cardinality.'), handler: smembers },
  { name: 'sismember', arity: 3, flags: ['readonly', 'fast'], ...single, keySpecs: oneKey(['RO']),
    docs: docs('Determine if a given value is a member of a set', '1.0.0', 'O(1)'), handler: sismember },
  { name: 'smismember', arity: -3, flags: ['readonly', 'fast'], ...single, keySpecs: oneKey(['RO', 'access']),
    docs: docs('Returns the membership associated with the given elements for a set', '6.2.0',
      'O(N) where N is the number of elements being checked for membership'),
    handler: smismember },
  { name: 'scard', arity: 2, flags: ['readonly', 'fast'], ...single, keySpecs: oneKey(['RO']),
    docs: docs('Get the number of members in a set', '1.0.0', 'O(1)'), handler: scard },
  { name: 'spop', arity: -2, flags: ['write', 'fast'], ...single, keySpecs: oneKey(['RW', 'access', 'delete']),
    tips: ['nondeterministic_output'],
    docs: docs('Remove and return one or multiple random members from a set', '1.0.0',
      'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.'),
    handler: spop },
  { name: 'srandmember', arity: -2, flags: ['readonly'], ...single, keySpecs: oneKey(['RO', 'access']),
    tips: ['nondeterministic_output'],
    docs: docs('Get one or multiple random members from a set', '1.0.0',
      'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.'),
    handler: srandmember },
  { name: 'sscan', arity: -3, flags: ['readonly'], ...single, keySpecs: oneKey(['RO', 'access']),
    tips: ['nondeterministic_output'],
    docs: docs('Incrementally iterate Set elements', '2.8.0',
      'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..'),
    handler: sscan },
];

export const setCommands = family('set', commands);
