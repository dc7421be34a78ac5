/**
 * List commands that never block: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET
 * LINSERT LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP. (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP live in
 * list-blocking-commands.ts.) Mirrors redis t_list.c.
 *
 * The value is a RedisList (datastructures/list.ts, a ring buffer): index reads and writes are
 * O(1), so LINDEX, LSET and each step of LRANGE cost the same anywhere in the list. A list that
 * becomes empty is deleted. Each handler parses its arguments in the order Redis does (some
 * commands look the key up before parsing an index, and so answer WRONGTYPE first), then writes.
 * Pushing onto a key wakes the clients blocked on it (through ctx.keyChanged).
 */
import type { Bytes } from '../keyspace/bytes.js';
import { parseI64 } from '../keyspace/bytes.js';
import type { CommandContext, CommandDocs, CommandSpecInput, KeySpecFlag } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { family } from './command-table.js';
import { keysFromSpecs } from './key-specs.js';
import { RedisList } from '../datastructures/list.js';
import {
  afterRemoval,
  moveElement,
  moveKeySpecs,
  mpopKeySpecs,
  O_MPOP,
  readLeft,
  readList,
  readMpop,
  serveMpop,
  writeList,
} from './list-common.js';
import {
  ERR_INDEX_OUT_OF_RANGE,
  ERR_LPOS_COUNT_NEGATIVE,
  ERR_LPOS_MAXLEN_NEGATIVE,
  ERR_LPOS_RANK_ZERO,
  ERR_NO_SUCH_KEY,
  ERR_NOT_INTEGER,
  ERR_NOT_POSITIVE,
  ERR_SYNTAX,
  ReplyError,
  wrongArity,
} from '../protocol/reply-errors.js';

/**
 * An int64 argument as a JS number. Values beyond 2^53 lose precision, which cannot matter:
 * they are only compared with list lengths and indexes, all far below it.
 */
function longArg(b: Bytes, err: ReplyError = ERR_NOT_INTEGER): number {
  const v = parseI64(b);
  if (v === undefined) throw err;
  return Number(v);
}

// ---- Push ----

/**
 * LPUSH / RPUSH key element [element ...] → the new length. Elements go in one at a time, so
 * LPUSH k a b c leaves c a the head. Creates the list; WRONGTYPE for another type.
 */
function push(left: boolean) {
  return (ctx: CommandContext, argv: readonly Bytes[]): void => {
    const key = argv[1]!;
    let list = writeList(ctx, key);
    if (list === undefined) {
      list = new RedisList();
      ctx.db.set(key, list);
    }
    pushAll(list, argv, left);
    ctx.keyChanged(key);
    ctx.notify('list', left ? 'lpush' : 'rpush', key);
    ctx.reply.integer(list.length);
  };
}

/** LPUSHX / RPUSHX key element [element ...] → the new length, or 0 (no change) when the key is missing. */
function pushx(left: boolean) {
  return (ctx: CommandContext, argv: readonly Bytes[]): void => {
    const key = argv[1]!;
    const list = writeList(ctx, key);
    if (list === undefined) {
      ctx.reply.integer(0);
      return;
    }
    pushAll(list, argv, left);
    ctx.keyChanged(key);
    ctx.notify('list', left ? 'lpush' : 'rpush', key);
    ctx.reply.integer(list.length);
  };
}

function pushAll(list: RedisList, argv: readonly Bytes[], left: boolean): void {
  if (left) for (let i = 2; i < argv.length; i++) list.pushFront(argv[i]!);
  else for (let i = 2; i < argv.length; i++) list.pushBack(argv[i]!);
}

// ---- Pop ----

/**
 * LPOP / RPOP key [count]. Without count: the element, nil when the key is missing. With count
 * (0..LLONG_MAX, else "value is out of range, must be positive"): an array of up to count
 * elements, a null array (RESP2 *-1, RESP3 _) when the key is missing.
 */
function pop(left: boolean, name: string) {
  return (ctx: CommandContext, argv: readonly Bytes[]): void => {
    if (argv.length > 3) throw wrongArity(name);
    const key = argv[1]!;
    const hasCount = argv.length === 3;
    let count = 1;
    if (hasCount) {
      count = longArg(argv[2]!, ERR_NOT_POSITIVE);
      if (count < 0) throw ERR_NOT_POSITIVE;
    }
    const list = writeList(ctx, key);
    if (list === undefined) {
      if (hasCount) ctx.reply.nullArray();
      else ctx.reply.nullBulk();
      return;
    }
    if (!hasCount) {
      ctx.reply.bulk(left ? list.popFront() : list.popBack());
    } else {
      const n = Math.min(count, list.length);
      ctx.reply.arrayHeader(n);
      for (let i = 0; i < n; i++) ctx.reply.bulk(left ? list.popFront()! : list.popBack()!);
      if (n === 0) return;
    }
    afterRemoval(ctx, key, list, left ? 'lpop' : 'rpop');
  };
}

// ---- Read ----

/** LLEN key → the length, 0 when missing. */
function llen(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.reply.integer(readList(ctx, argv[1]!)?.length ?? 0);
}

/**
 * LRANGE key start stop → the elements from start to stop inclusive; negative indexes count from
 * the tail, out-of-range ones are clamped. Written straight to the reply, element by element.
 */
function lrange(ctx: CommandContext, argv: readonly Bytes[]): void {
  let start = longArg(argv[2]!);
  let end = longArg(argv[3]!);
  const list = readList(ctx, argv[1]!);
  const n = list?.length ?? 0;
  if (start < 0) start = Math.max(start + n, 0);
  if (end < 0) end += n;
  if (end >= n) end = n - 1;
  if (list === undefined || start > end || start >= n) {
    ctx.reply.arrayHeader(0);
    return;
  }
  ctx.reply.arrayHeader(end - start + 1);
  for (let i = start; i <= end; i++) ctx.reply.bulk(list.at(i)!);
}

/** LINDEX key index → the element (negative counts from the tail), nil when out of range or missing. */
function lindex(ctx: CommandContext, argv: readonly Bytes[]): void {
  const list = readList(ctx, argv[1]!);
  if (list === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  let i = longArg(argv[2]!);
  if (i < 0) i += list.length;
  ctx.reply.bulk(i >= 0 && i < list.length ? list.at(i) : null);
}

/** LPOS's options: RANK (default 1), COUNT (undefined = single reply; 0 = all), MAXLEN (0 = all). */
interface LposOptions {
  rank: number;
  count: number | undefined;
  maxlen: number;
}

const LLONG_MIN = -(2 ** 63);

/**
 * Reads LPOS's options, each any number of times (the last wins), with Redis's texts. A RANK of
 * LLONG_MIN cannot be negated in 64 bits: Redis 7.0 then searches from the tail and, its
 * comparisons overflowing, returns every match within MAXLEN whatever COUNT says; kept here as
 * observed (rank = -Infinity stands for it).
 */
function readLposOptions(argv: readonly Bytes[]): LposOptions {
  const o: LposOptions = { rank: 1, count: undefined, maxlen: 0 };
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i]!.toLowerCase();
    if (i + 1 >= argv.length) throw ERR_SYNTAX;
    const arg = argv[++i]!;
    if (opt === 'rank') {
      const v = parseI64(arg);
      if (v === undefined) throw ERR_NOT_INTEGER;
      if (v === 0) throw ERR_LPOS_RANK_ZERO;
      o.rank = v === BigInt(LLONG_MIN) ? -Infinity : Number(v);
    } else if (opt === 'count') {
      o.count = longArg(arg, ERR_LPOS_COUNT_NEGATIVE);
      if (o.count < 0) throw ERR_LPOS_COUNT_NEGATIVE;
    } else if (opt === 'maxlen') {
      o.maxlen = longArg(arg, ERR_LPOS_MAXLEN_NEGATIVE);
      if (o.maxlen < 0) throw ERR_LPOS_MAXLEN_NEGATIVE;
    } else {
      throw ERR_SYNTAX;
    }
  }
  return o;
}

/**
 * LPOS key element [RANK rank] [COUNT num] [MAXLEN len] → the index (from the head) of the
 * rank-th match, scanning from the tail for a negative rank and at most MAXLEN elements; nil
 * when none. With COUNT: an array of up to num matching indexes (0 = all), empty when none.
 */
function lpos(ctx: CommandContext, argv: readonly Bytes[]): void {
  const o = readLposOptions(argv);
  const list = readList(ctx, argv[1]!);
  const element = argv[2]!;
  const fromTail = o.rank < 0;
  const skip = o.rank === -Infinity ? 0 : Math.abs(o.rank) - 1;
  const want = o.rank === -Infinity || o.count === 0 ? Infinity : (o.count ?? 1);
  const found: number[] = [];
  if (list !== undefined) {
    const n = list.length;
    const steps = o.maxlen === 0 ? n : Math.min(o.maxlen, n);
    let matches = 0;
    for (let s = 0; s < steps && found.length < want; s++) {
      const i = fromTail ? n - 1 - s : s;
      if (list.at(i) === element && matches++ >= skip) found.push(i);
    }
  }
  if (o.count === undefined) {
    if (found.length === 0) ctx.reply.nullBulk();
    else ctx.reply.integer(found[0]!);
    return;
  }
  ctx.reply.arrayHeader(found.length);
  for (const i of found) ctx.reply.integer(i);
}

// ---- Edit in place ----

/** LSET key index element → OK; "no such key" when missing, "index out of range" past the ends. */
function lset(ctx: CommandContext, argv: readonly Bytes[]): void {
  const key = argv[1]!;
  const list = writeList(ctx, key);
  if (list === undefined) throw ERR_NO_SUCH_KEY;
  let i = longArg(argv[2]!);
  if (i < 0) i += list.length;
  if (!list.setAt(i, argv[3]!)) throw ERR_INDEX_OUT_OF_RANGE;
  ctx.keyChanged(key);
  ctx.notify('list', 'lset', key);
  ctx.reply.ok();
}

/**
 * LINSERT key BEFORE|AFTER pivot element → the new length; -1 when the pivot is not in the list,
 * 0 when the key is missing. The pivot is the first match from the head.
 */
function linsert(ctx: CommandContext, argv: readonly Bytes[]): void {
  const where = argv[2]!.toLowerCase();
  if (where !== 'before' && where !== 'after') throw ERR_SYNTAX;
  const key = argv[1]!;
  const list = writeList(ctx, key);
  if (list === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const at = list.indexOf(argv[3]!);
  if (at < 0) {
    ctx.reply.integer(-1);
    return;
  }
  list.insertAt(where === 'before' ? at : at + 1, argv[4]!);
  ctx.keyChanged(key);
  ctx.notify('list', 'linsert', key);
  ctx.reply.integer(list.length);
}

/**
 * LREM key count element → how many were removed: the first count matches from the head
 * (count > 0), from the tail (count < 0), or all of them (0).
 */
function lrem(ctx: CommandContext, argv: readonly Bytes[]): void {
  const count = longArg(argv[2]!);
  const key = argv[1]!;
  const list = writeList(ctx, key);
  if (list === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const removed = list.removeMatching(argv[3]!, Math.abs(count), count < 0);
  if (removed > 0) afterRemoval(ctx, key, list, 'lrem');
  ctx.reply.integer(removed);
}

/**
 * LTRIM key start stop → OK, keeping only the elements start..stop (indexes as LRANGE's); an
 * empty range deletes the key. A trim that removes nothing is not a write (not propagated, as in
 * Redis 7.0's AOF).
 * COMPAT: Redis still signals such a key as modified (a WATCH on it fails); ctx.keyChanged cannot
 * signal without also counting a write, so a no-op LTRIM signals nothing here.
 */
function ltrim(ctx: CommandContext, argv: readonly Bytes[]): void {
  let start = longArg(argv[2]!);
  let end = longArg(argv[3]!);
  const key = argv[1]!;
  const list = writeList(ctx, key);
  if (list !== undefined) {
    const n = list.length;
    if (start < 0) start = Math.max(start + n, 0);
    if (end < 0) end += n;
    if (end >= n) end = n - 1;
    if (start > end || start >= n) {
      ctx.db.delete(key);
      ctx.keyChanged(key);
      ctx.notify('list', 'ltrim', key);
      ctx.notify('generic', 'del', key);
    } else if (end - start + 1 < n) {
      list.keepRange(start, end);
      ctx.keyChanged(key);
      ctx.notify('list', 'ltrim', key);
    } else {
      // Redis publishes "ltrim" even when nothing was removed.
      ctx.notify('list', 'ltrim', key);
    }
  }
  ctx.reply.ok();
}

// ---- Move between lists ----

/** LMOVE source destination LEFT|RIGHT LEFT|RIGHT → the element moved, nil when source is missing. */
function lmove(ctx: CommandContext, argv: readonly Bytes[]): void {
  const fromLeft = readLeft(argv[3]!);
  const toLeft = readLeft(argv[4]!);
  ctx.reply.bulk(moveElement(ctx, argv[1]!, argv[2]!, fromLeft, toLeft));
}

/** RPOPLPUSH source destination: LMOVE source destination RIGHT LEFT. */
function rpoplpush(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.reply.bulk(moveElement(ctx, argv[1]!, argv[2]!, false, true));
}

/**
 * LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] → [key, [elements]] from the first
 * non-empty list, a null array when all are missing. Propagated as LPOP|RPOP key <popped>.
 */
function lmpop(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (!serveMpop(ctx, readMpop(argv, 1))) ctx.reply.nullArray();
}

// ---- Command table ----

function docs(summary: string, since: string, complexity: string, extra: Partial<CommandDocs> = {}): CommandDocs {
  return { summary, since, group: 'list', complexity, ...extra };
}

const single = { firstKey: 1, lastKey: 1, step: 1 } as const;
const oneKey = (flags: KeySpecFlag[]) => [rangeKeySpec(flags, 1)];
const twoKeys = { firstKey: 1, lastKey: 2, step: 1, keySpecs: moveKeySpecs } as const;

const O_PUSH = 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.';
const O_POP = 'O(N) where N is the number of elements returned';
const lmpopSpecs = mpopKeySpecs(1);

const commands: CommandSpecInput[] = [
  { name: 'lpush', arity: -3, flags: ['write', 'denyoom', 'fast'], ...single, keySpecs: oneKey(['RW', 'insert']),
    docs: docs('Prepend one or multiple elements to a list', '1.0.0', O_PUSH), handler: push(true) },
  { name: 'rpush', arity: -3, flags: ['write', 'denyoom', 'fast'], ...single, keySpecs: oneKey(['RW', 'insert']),
    docs: docs('Append one or multiple elements to a list', '1.0.0', O_PUSH), handler: push(false) },
  { name: 'lpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], ...single, keySpecs: oneKey(['RW', 'insert']),
    docs: docs('Prepend an element to a list, only if the list exists', '2.2.0', O_PUSH), handler: pushx(true) },
  { name: 'rpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], ...single, keySpecs: oneKey(['RW', 'insert']),
    docs: docs('Append an element to a list, only if the list exists', '2.2.0', O_PUSH), handler: pushx(false) },
  { name: 'lpop', arity: -2, flags: ['write', 'fast'], ...single, keySpecs: oneKey(['RW', 'access', 'delete']),
    docs: docs('Remove and get the first elements in a list', '1.0.0', O_POP), handler: pop(true, 'lpop') },
  { name: 'rpop', arity: -2, flags: ['write', 'fast'], ...single, keySpecs: oneKey(['RW', 'access', 'delete']),
    docs: docs('Remove and get the last elements in a list', '1.0.0', O_POP), handler: pop(false, 'rpop') },
  { name: 'llen', arity: 2, flags: ['readonly', 'fast'], ...single, keySpecs: oneKey(['RO']),
    docs: docs('Get the length of a list', '1.0.0', 'O(1)'), handler: llen },
  { name: 'lrange', arity: 4, flags: ['readonly'], ...single, keySpecs: oneKey(['RO', 'access']),
    docs: docs('Get a range of elements from a list', '1.0.0',
      'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.'),
    handler: lrange },
  { name: 'lindex', arity: 3, flags: ['readonly'], ...single, keySpecs: oneKey(['RO', 'access']),
    docs: docs('Get an element from a list by its index', '1.0.0',
      'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).'),
    handler: lindex },
  { name: 'lset', arity: 4, flags: ['write', 'denyoom'], ...single, keySpecs: oneKey(['RW', 'update']),
    docs: docs('Set the value of an element in a list by its index', '1.0.0',
      'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).'),
    handler: lset },
  { name: 'linsert', arity: 5, flags: ['write', 'denyoom'], ...single, keySpecs: oneKey(['RW', 'insert']),
    docs: docs('Insert an element before or after another element in a list', '2.2.0',
      'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).'),
    handler: linsert },
  { name: 'lrem', arity: 4, flags: ['write'], ...single, keySpecs: oneKey(['RW', 'delete']),
    docs: docs('Remove elements from a list', '1.0.0', 'O(N+M) where N is the length of the list and M is the number of elements removed.'),
    handler: lrem },
  { name: 'ltrim', arity: 4, flags: ['write'], ...single, keySpecs: oneKey(['RW', 'delete']),
    docs: docs('Trim a list to the specified range', '1.0.0', 'O(N) where N is the number of elements to be removed by the operation.'),
    handler: ltrim },
  { name: 'lpos', arity: -3, flags: ['readonly'], ...single, keySpecs: oneKey(['RO', 'access']),
    docs: docs('Return the index of matching elements on a list', '6.0.6',
      'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.'),
    handler: lpos },
  { name: 'lmove', arity: 5, flags: ['write', 'denyoom'], ...twoKeys,
    docs: docs('Pop an element from a list, push it to another list and return it', '6.2.0', 'O(1)'), handler: lmove },
  { name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], ...twoKeys,
    docs: docs('Remove the last element in a list, prepend it to another list and return it', '1.2.0', 'O(1)', {
      docFlags: ['deprecated'], deprecatedSince: '6.2.0', replacedBy: '`LMOVE` with the `RIGHT` and `LEFT` arguments',
    }),
    handler: rpoplpush },
  { name: 'lmpop', arity: -4, flags: ['write'], keySpecs: lmpopSpecs,
    getKeys: (argv) => keysFromSpecs(lmpopSpecs, argv).map((k) => k.pos),
    docs: docs('Pop elements from a list', '7.0.0', O_MPOP), handler: lmpop },
];

export const listCommands = family('list', commands);
