/**
 * Hash commands: HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL
 * HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN. Mirrors redis t_hash.c.
 *
 * The value is a RedisHash (datastructures/hash.ts): a listpack (a flat array in insertion
 * order) until a field or value longer than hash-max-listpack-value, or more fields than
 * hash-max-listpack-entries, turns it into a hashtable for good, as Redis 7.0 does; the limits
 * are read from ctx.server.encodingLimits on every write. A hash that becomes empty is deleted.
 * HINCRBYFLOAT's result is computed in emulated long double (bytes.ts) and propagated as
 * HSET key field value, as Redis does, so replicas and the AOF never redo float arithmetic.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { addI64, addLongDoubleStrings, parseI64, parseLongDoubleNumber } from '../keyspace/bytes.js';
import { RedisHash } from '../datastructures/hash.js';
import { parseScanCursor, takeFrom } from '../keyspace/scan-cursors.js';
import type { CommandContext, CommandDocs, CommandSpecInput, KeySpecFlag } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { family } from './command-table.js';
import { int64Arg, RANDOM_REPLY_MAX } from './arg-cursor.js';
import { readScanArgs } from './scan-args.js';
import {
  ERR_HASH_NOT_FLOAT,
  ERR_HASH_NOT_INTEGER,
  ERR_INCR_NAN,
  ERR_INVALID_CURSOR,
  ERR_NAN_OR_INFINITY,
  ERR_NOT_FLOAT,
  ERR_NOT_INTEGER,
  ERR_OVERFLOW,
  ERR_SYNTAX,
  ERR_VALUE_OUT_OF_RANGE,
  outOfRangeBetween,
  wrongArity,
} from '../protocol/reply-errors.js';

/** getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX): HRANDFIELD's count bounds. */
const ERR_COUNT_RANGE = outOfRangeBetween('-9223372036854775807', '9223372036854775807');
const LONG_MAX = 9223372036854775807n;

/** Redis's HRANDFIELD_SUB_STRATEGY_MUL: below size/3 requested fields, pick at random; above, drop at random. */
const SUB_STRATEGY_MUL = 3;

/** strtold's spellings of infinity, which HINCRBYFLOAT refuses as an increment. */
const INFINITY_TEXT = /^[+-]?inf(inity)?$/i;

// ---- Lookups ----

/** The hash at key for a read (counts a keyspace hit or miss); WRONGTYPE for another type. */
function readHash(ctx: CommandContext, key: Bytes): RedisHash | undefined {
  return ctx.db.getTyped(key, 'hash') as RedisHash | undefined;
}

/** The hash at key for a command about to write it (no hit/miss counting); WRONGTYPE otherwise. */
function writeHash(ctx: CommandContext, key: Bytes): RedisHash | undefined {
  return ctx.db.getTypedForWrite(key, 'hash') as RedisHash | undefined;
}

/** The hash found by writeHash, or a new empty one stored at key. */
function createHash(ctx: CommandContext, key: Bytes, found: RedisHash | undefined): RedisHash {
  if (found !== undefined) return found;
  const h = new RedisHash();
  ctx.db.set(key, h);
  return h;
}

// ---- Setting and deleting fields ----

/** Sets field/value pairs argv[2..] on the hash at key (created if missing); returns how many were new. */
function setPairs(ctx: CommandContext, argv: readonly Bytes[]): number {
  const key = argv[1]!;
  const h = createHash(ctx, key, writeHash(ctx, key));
  const limits = ctx.server.encodingLimits;
  let added = 0;
  for (let i = 2; i < argv.length; i += 2) if (h.set(argv[i]!, argv[i + 1]!, limits)) added++;
  ctx.keyChanged(key);
  ctx.notify('hash', 'hset', key);
  return added;
}

/** HSET key field value [field value ...] → the number of fields that were added (not updated). */
function hset(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (argv.length % 2 === 1) throw wrongArity('hset');
  ctx.reply.integer(setPairs(ctx, argv));
}

/** HMSET key field value [field value ...] → OK (HSET's older form). */
function hmset(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (argv.length % 2 === 1) throw wrongArity('hmset');
  setPairs(ctx, argv);
  ctx.reply.ok();
}

/** HSETNX key field value → 1 if the field was set, 0 if it existed (nothing changes then). */
function hsetnx(ctx: CommandContext, argv: readonly Bytes[]): void {
  const key = argv[1]!;
  const found = writeHash(ctx, key);
  if (found?.has(argv[2]!)) {
    ctx.reply.integer(0);
    return;
  }
  createHash(ctx, key, found).set(argv[2]!, argv[3]!, ctx.server.encodingLimits);
  ctx.keyChanged(key);
  ctx.notify('hash', 'hset', key);
  ctx.reply.integer(1);
}

/** HDEL key field [field ...] → the number of fields removed; an emptied hash is deleted. */
function hdel(ctx: CommandContext, argv: readonly Bytes[]): void {
  const key = argv[1]!;
  const h = writeHash(ctx, key);
  let removed = 0;
  let emptied = false;
  if (h !== undefined) {
    for (let i = 2; i < argv.length; i++) {
      if (h.delete(argv[i]!)) {
        removed++;
        if (h.size === 0) {
          ctx.db.delete(key);
          emptied = true;
          break;
        }
      }
    }
    if (removed > 0) {
      ctx.keyChanged(key);
      ctx.notify('hash', 'hdel', key);
      if (emptied) ctx.notify('generic', 'del', key);
    }
  }
  ctx.reply.integer(removed);
}

// ---- Reading fields ----

/** HGET key field → the value, nil when the field or the key is missing. */
function hget(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.reply.bulk(readHash(ctx, argv[1]!)?.get(argv[2]!));
}

/** HMGET key field [field ...] → one value per field, nil for a missing one (all nil for a missing key). */
function hmget(ctx: CommandContext, argv: readonly Bytes[]): void {
  const h = readHash(ctx, argv[1]!);
  ctx.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) ctx.reply.bulk(h?.get(argv[i]!));
}

/** HLEN key → the number of fields (0 for a missing key). */
function hlen(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.reply.integer(readHash(ctx, argv[1]!)?.size ?? 0);
}

/** HSTRLEN key field → the length of the field's value (0 when missing). */
function hstrlen(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.reply.integer(readHash(ctx, argv[1]!)?.get(argv[2]!)?.length ?? 0);
}

/** HEXISTS key field → 1 if the field exists, else 0. */
function hexists(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.reply.integer(readHash(ctx, argv[1]!)?.has(argv[2]!) ? 1 : 0);
}

/** HKEYS key → the fields (an empty array for a missing key), in the encoding's order. */
function hkeys(ctx: CommandContext, argv: readonly Bytes[]): void {
  const h = readHash(ctx, argv[1]!);
  ctx.reply.arrayHeader(h?.size ?? 0);
  h?.forEach((field) => ctx.reply.bulk(field));
}

/** HVALS key → the values, in the same order as HKEYS. */
function hvals(ctx: CommandContext, argv: readonly Bytes[]): void {
  const h = readHash(ctx, argv[1]!);
  ctx.reply.arrayHeader(h?.size ?? 0);
  h?.forEach((_, value) => ctx.reply.bulk(value));
}

/** HGETALL key → the fields and values: a map in RESP3 (%n), a flat array of 2n in RESP2. */
function hgetall(ctx: CommandContext, argv: readonly Bytes[]): void {
  const h = readHash(ctx, argv[1]!);
  ctx.reply.mapHeader(h?.size ?? 0);
  h?.forEach((field, value) => {
    ctx.reply.bulk(field);
    ctx.reply.bulk(value);
  });
}

// ---- Counters ----

/**
 * HINCRBY key field increment → the field's integer value plus the increment (a missing field
 * counts as 0). The increment is checked first, then the key's type, then the stored value
 * ("hash value is not an integer") and int64 overflow.
 */
function hincrby(ctx: CommandContext, argv: readonly Bytes[]): void {
  const incr = int64Arg(argv[3]!);
  const key = argv[1]!;
  const field = argv[2]!;
  const found = writeHash(ctx, key);
  const cur = found?.get(field);
  let base: number | bigint = 0;
  if (cur !== undefined) {
    const parsed = parseI64(cur);
    if (parsed === undefined) throw ERR_HASH_NOT_INTEGER;
    base = parsed;
  }
  const sum = addI64(base, incr);
  if (sum === undefined) throw ERR_OVERFLOW;
  createHash(ctx, key, found).set(field, String(sum), ctx.server.encodingLimits);
  ctx.keyChanged(key);
  ctx.notify('hash', 'hincrby', key);
  ctx.reply.integer(sum);
}

/**
 * HINCRBYFLOAT key field increment → the new value as text, added in x87 long double and printed
 * as Redis prints it (bytes.ts addLongDoubleStrings). Errors, in Redis's order: an invalid
 * increment, an infinite one ("value is NaN or Infinity"), the key's type, a stored value that is
 * not a float, a result that is not finite. Propagated as HSET key field value.
 */
function hincrbyfloat(ctx: CommandContext, argv: readonly Bytes[]): void {
  const incr = argv[3]!;
  if (parseLongDoubleNumber(incr) === undefined) throw ERR_NOT_FLOAT;
  if (INFINITY_TEXT.test(incr)) throw ERR_NAN_OR_INFINITY;
  const key = argv[1]!;
  const field = argv[2]!;
  const found = writeHash(ctx, key);
  const sum = addLongDoubleStrings(found?.get(field) ?? '0', incr);
  if (sum === undefined) throw ERR_HASH_NOT_FLOAT; // the increment parsed, so the stored value did not
  if (sum === 'overflow') throw ERR_INCR_NAN;
  createHash(ctx, key, found).set(field, sum, ctx.server.encodingLimits);
  ctx.keyChanged(key);
  ctx.notify('hash', 'hincrbyfloat', key);
  ctx.propagateAs(['HSET', key, field, sum]);
  ctx.reply.bulk(sum);
}

// ---- Random fields ----

/** A uniformly random slot in [0, size). */
function randomSlot(size: number): number {
  return Math.floor(Math.random() * size);
}

/**
 * HRANDFIELD key [count [WITHVALUES]].
 * Without count: one random field, nil for a missing key. With count: an array (empty for a
 * missing key or count 0). count > 0 gives distinct fields, min(count, size) of them; count < 0
 * gives |count| fields drawn independently (repeats possible). WITHVALUES adds each field's value:
 * flat in RESP2, a [field, value] pair per element in RESP3 (Redis 7.0).
 * The count is checked before the key (as Redis does), then the syntax.
 */
function hrandfield(ctx: CommandContext, argv: readonly Bytes[]): void {
  const key = argv[1]!;
  if (argv.length === 2) {
    const h = readHash(ctx, key);
    if (h === undefined) ctx.reply.nullBulk();
    else ctx.reply.bulk(h.fieldAt(randomSlot(h.size)));
    return;
  }
  const parsed = parseI64(argv[2]!);
  if (parsed === undefined) throw ERR_NOT_INTEGER;
  const l = BigInt(parsed);
  if (l < -LONG_MAX) throw ERR_COUNT_RANGE;
  if (argv.length > 4 || (argv.length === 4 && argv[3]!.toLowerCase() !== 'withvalues')) throw ERR_SYNTAX;
  const withValues = argv.length === 4;
  if (withValues && (l < -LONG_MAX / 2n || l > LONG_MAX / 2n)) throw ERR_VALUE_OUT_OF_RANGE;
  if (l < -BigInt(RANDOM_REPLY_MAX)) throw ERR_VALUE_OUT_OF_RANGE;
  const h = readHash(ctx, key);
  if (h === undefined || l === 0n) {
    ctx.reply.arrayHeader(0);
    return;
  }
  replyRandomFields(ctx, h, l, withValues);
}

/** HRANDFIELD's reply for a non-zero count, with Redis's strategy for each count/size case. */
function replyRandomFields(ctx: CommandContext, h: RedisHash, l: bigint, withValues: boolean): void {
  const reply = ctx.reply;
  const pairs = withValues && reply.protocol === 3;
  const header = (n: number) => reply.arrayHeader(withValues && reply.protocol === 2 ? n * 2 : n);
  const emit = (field: Bytes, value: Bytes) => {
    if (pairs) reply.arrayHeader(2);
    reply.bulk(field);
    if (withValues) reply.bulk(value);
  };
  const emitSlot = (slot: number) => emit(h.fieldAt(slot), h.valueAt(slot));
  const size = h.size;

  // Repeats allowed (negative count), or a single field: independent uniform draws.
  if (l < 0n || l === 1n) {
    const n = Number(l < 0n ? -l : l);
    header(n);
    for (let i = 0; i < n; i++) emitSlot(randomSlot(size));
    return;
  }
  // At least the whole hash: all of it, in the encoding's order.
  if (l >= BigInt(size)) {
    header(size);
    h.forEach(emit);
    return;
  }
  const count = Number(l);
  header(count);
  if (h.hashtable() === undefined) {
    // Listpack: selection sampling (each slot kept with probability needed/left), so the fields
    // come out distinct and in listpack order, as Redis's lpRandomPairsUnique gives them.
    let needed = count;
    for (let slot = 0; needed > 0; slot++) {
      if (Math.random() * (size - slot) < needed) {
        emitSlot(slot);
        needed--;
      }
    }
  } else if (count * SUB_STRATEGY_MUL > size) {
    // Most of the hash: a partial Fisher-Yates shuffle of the slots (Redis copies the hash and
    // drops random fields; either way, a uniform subset).
    const slots = new Uint32Array(size);
    for (let i = 0; i < size; i++) slots[i] = i;
    for (let i = 0; i < count; i++) {
      const j = i + randomSlot(size - i);
      const s = slots[j]!;
      slots[j] = slots[i]!;
      emitSlot(s);
    }
  } else {
    // A small part: random picks until count distinct ones.
    const picked = new Set<number>();
    while (picked.size < count) picked.add(randomSlot(size));
    for (const slot of picked) emitSlot(slot);
  }
}

// ---- HSCAN ----

/**
 * HSCAN key cursor [MATCH pattern] [COUNT count] → [next cursor, [field, value, ...]]. A listpack
 * answers every (matching) pair at once with cursor 0, whatever the cursor and COUNT, as Redis; a
 * hashtable is walked by a live iterator over its fields kept in server.scanCursors (see
 * scan-cursors.ts), COUNT fields per call, MATCH applied to the fields. As in Redis the cursor is
 * checked before the key, and the options only when the key holds a hash.
 */
function hscan(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (parseScanCursor(argv[2]!) === undefined) throw ERR_INVALID_CURSOR;
  const h = readHash(ctx, argv[1]!);
  const out: Bytes[] = [];
  let next = '0';
  if (h !== undefined) {
    const { cursor, count, match } = readScanArgs(argv, 2, false);
    const table = h.hashtable();
    if (table === undefined) {
      h.forEach((field, value) => {
        if (match === undefined || match(field)) out.push(field, value);
      });
    } else {
      const cursors = ctx.server.scanCursors;
      const iterator = cursors.resume(table, cursor, () => table.keys());
      const { items, done } = takeFrom(iterator, count);
      for (const field of items) if (match === undefined || match(field)) out.push(field, table.get(field)!);
      if (!done) next = cursors.save(table, iterator);
    }
  }
  ctx.reply.arrayHeader(2);
  ctx.reply.bulk(next);
  ctx.reply.bulkArray(out);
}

// ---- Command table ----

function docs(summary: string, since: string, complexity = 'O(1)', extra: Partial<CommandDocs> = {}): CommandDocs {
  return { summary, since, group: 'hash', complexity, ...extra };
}

/** The key spec of a single-key command: the key at argv[1]. */
function oneKey(flags: KeySpecFlag[]) {
  return [rangeKeySpec(flags, 1)];
}

const single = { firstKey: 1, lastKey: 1, step: 1 } as const;
const writeFast = ['write', 'denyoom', 'fast'] as const;
const readFast = ['readonly', 'fast'] as const;
const WHOLE = 'O(N) where N is the size of the hash.';

const commands: CommandSpecInput[] = [
  { name: 'hset', arity: -4, flags: [...writeFast], ...single, keySpecs: oneKey(['RW', 'update']),
    docs: docs('Set the string value of a hash field', '2.0.0',
      'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.'),
    handler: hset },
  { name: 'hsetnx', arity: 4, flags: [...writeFast], ...single, keySpecs: oneKey(['RW', 'insert']),
    docs: docs('Set the value of a hash field, only if the field does not exist', '2.0.0'), handler: hsetnx },
  { name: 'hmset', arity: -4, flags: [...writeFast], ...single, keySpecs: oneKey(['RW', 'update']),
    docs: docs('Set multiple hash fields to multiple values', '2.0.0', 'O(N) where N is the number of fields being set.', {
      docFlags: ['deprecated'], deprecatedSince: '4.0.0', replacedBy: '`HSET` with multiple field-value pairs',
    }),
    handler: hmset },
  { name: 'hget', arity: 3, flags: [...readFast], ...single, keySpecs: oneKey(['RO', 'access']),
    docs: docs('Get the value of a hash field', '2.0.0'), handler: hget },
  { name: 'hmget', arity: -3, flags: [...readFast], ...single, keySpecs: oneKey(['RO', 'access']),
    docs: docs('Get the values of all the given hash fields', '2.0.0', 'O(N) where N is the number of fields being requested.'),
    handler: hmget },
  { name: 'hdel', arity: -3, flags: ['write', 'fast'], ...single, keySpecs: oneKey(['RW', 'delete']),
    docs: docs('Delete one or more hash fields', '2.0.0', 'O(N) where N is the number of fields to be removed.'),
    handler: hdel },
  { name: 'hlen', arity: 2, flags: [...readFast], ...single, keySpecs: oneKey(['RO']),
    docs: docs('Get the number of fields in a hash', '2.0.0'), handler: hlen },
  { name: 'hstrlen', arity: 3, flags: [...readFast], ...single, keySpecs: oneKey(['RO']),
    docs: docs('Get the length of the value of a hash field', '3.2.0'), handler: hstrlen },
  { name: 'hexists', arity: 3, flags: [...readFast], ...single, keySpecs: oneKey(['RO']),
    docs: docs('Determine if a hash field exists', '2.0.0'), handler: hexists },
  { name: 'hkeys', arity: 2, flags: ['readonly'], ...single, keySpecs: oneKey(['RO', 'access']),
    tips: ['nondeterministic_output_order'], docs: docs('Get all the fields in a hash', '2.0.0', WHOLE), handler: hkeys },
  { name: 'hvals', arity: 2, flags: ['readonly'], ...single, keySpecs: oneKey(['RO', 'access']),
    tips: ['nondeterministic_output_order'], docs: docs('Get all the values in a hash', '2.0.0', WHOLE), handler: hvals },
  { name: 'hgetall', arity: 2, flags: ['readonly'], ...single, keySpecs: oneKey(['RO', 'access']),
    tips: ['nondeterministic_output_order'], docs: docs('Get all the fields and values in a hash', '2.0.0', WHOLE),
    handler: hgetall },
  { name: 'hincrby', arity: 4, flags: [...writeFast], ...single, keySpecs: oneKey(['RW', 'access', 'update']),
    docs: docs('Increment the integer value of a hash field by the given number', '2.0.0'), handler: hincrby },
  { name: 'hincrbyfloat', arity: 4, flags: [...writeFast], ...single, keySpecs: oneKey(['RW', 'access', 'update']),
    docs: docs('Increment the float value of a hash field by the given amount', '2.6.0'), handler: hincrbyfloat },
  { name: 'hrandfield', arity: -2, flags: ['readonly'], ...single, keySpecs: oneKey(['RO', 'access']),
    tips: ['nondeterministic_output'],
    docs: docs('Get one or multiple random fields from a hash', '6.2.0', 'O(N) where N is the number of fields returned'),
    handler: hrandfield },
  { name: 'hscan', arity: -3, flags: ['readonly'], ...single, keySpecs: oneKey(['RO', 'access']),
    tips: ['nondeterministic_output'],
    docs: docs('Incrementally iterate hash fields and associated values', '2.8.0',
      'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..'),
    handler: hscan },
];

export const hashCommands = family('hash', commands);
