/**
 * Sorted set commands, part 1: members and scores — ZADD ZINCRBY ZREM ZSCORE ZMSCORE ZCARD ZRANK
 * ZREVRANK ZRANDMEMBER ZSCAN — and popping — ZPOPMIN ZPOPMAX ZMPOP BZPOPMIN BZPOPMAX BZMPOP.
 * (Ranges are in sorted-set-range-commands.ts, ZUNION/ZINTER/ZDIFF in
 * sorted-set-store-commands.ts.) Mirrors redis t_zset.c "Sorted set commands".
 *
 * Every handler parses and validates all its arguments, then looks the key up (WRONGTYPE), then
 * changes it and replies. A set that becomes empty is deleted. Scores are doubles: ZADD and
 * ZINCRBY refuse NaN arguments ("value is not a valid float") and NaN results (inf + -inf:
 * "resulting score is not a number (NaN)"); they are deterministic and propagate as received.
 * Pops propagate as Redis 7.0 does: ZMPOP / BZMPOP as ZPOPMIN|ZPOPMAX key <number popped>,
 * BZPOPMIN / BZPOPMAX as ZPOPMIN|ZPOPMAX key. The blocking forms park the client through
 * ctx.block when every key is empty and are run again when one is written.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { formatDouble, parseDouble, parseI64, parseInteger } from '../keyspace/bytes.js';
import { parseScanCursor, takeFrom } from '../keyspace/scan-cursors.js';
import type { CommandContext, CommandDocs, CommandSpecInput, KeySpecFlag } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { family } from './command-table.js';
import { keysFromSpecs } from './key-specs.js';
import { readScanArgs } from './scan-args.js';
import { blockingDeadline } from './blocking-timeout.js';
import { RANDOM_REPLY_MAX } from './arg-cursor.js';
import { SortedSet } from '../datastructures/sorted-set.js';
import { afterRemoval, readZset, replyEntries, replyPairs, writeZset, zsetLimits } from './sorted-set-common.js';
import {
  ERR_COUNT_NOT_POSITIVE,
  ERR_INVALID_CURSOR,
  ERR_NOT_FLOAT,
  ERR_NOT_INTEGER,
  ERR_NOT_POSITIVE,
  ERR_NUMKEYS_NOT_POSITIVE,
  ERR_SYNTAX,
  ERR_VALUE_OUT_OF_RANGE,
  ERR_ZADD_GT_LT_NX,
  ERR_ZADD_INCR_PAIR,
  ERR_ZADD_XX_NX,
  ERR_ZSET_NAN,
  outOfRangeBetween,
} from '../protocol/reply-errors.js';

// ---- ZADD, ZINCRBY ----

/** ZADD's flags (ZINCRBY is ZADD with incr). */
interface ZaddFlags {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
  ch: boolean;
  incr: boolean;
}

/** The score-member pairs, all scores parsed. */
interface ZaddPairs {
  scores: number[];
  members: Bytes[];
}

/**
 * Reads ZADD's arguments from `first` on: options (any order, case-insensitive) up to the first
 * other word, then score-member pairs. Checks in Redis's order: pair count, XX+NX, GT/LT/NX
 * conflicts, INCR with several pairs, then every score.
 */
function readZadd(argv: readonly Bytes[], flags: ZaddFlags, first: number): ZaddPairs {
  let i = first;
  for (; i < argv.length; i++) {
    const opt = argv[i]!.toLowerCase();
    if (opt === 'nx') flags.nx = true;
    else if (opt === 'xx') flags.xx = true;
    else if (opt === 'gt') flags.gt = true;
    else if (opt === 'lt') flags.lt = true;
    else if (opt === 'ch') flags.ch = true;
    else if (opt === 'incr') flags.incr = true;
    else break;
  }
  const elements = argv.length - i;
  if (elements === 0 || elements % 2 !== 0) throw ERR_SYNTAX;
  if (flags.nx && flags.xx) throw ERR_ZADD_XX_NX;
  if ((flags.gt && flags.nx) || (flags.lt && flags.nx) || (flags.gt && flags.lt)) throw ERR_ZADD_GT_LT_NX;
  if (flags.incr && elements > 2) throw ERR_ZADD_INCR_PAIR;
  const pairs: ZaddPairs = { scores: [], members: [] };
  for (; i < argv.length; i += 2) {
    const score = parseDouble(argv[i]!);
    if (score === undefined) throw ERR_NOT_FLOAT;
    pairs.scores.push(score);
    pairs.members.push(argv[i + 1]!);
  }
  return pairs;
}

/**
 * Applies ZADD / ZINCRBY to key and replies: the number added (or, with CH, added + changed), or
 * with INCR the new score (nil when NX / XX / GT / LT left the member alone).
 */
function zaddApply(ctx: CommandContext, key: Bytes, flags: ZaddFlags, pairs: ZaddPairs): void {
  let z = writeZset(ctx, key);
  if (z === undefined && flags.xx) {
    if (flags.incr) ctx.reply.nullBulk();
    else ctx.reply.integer(0);
    return;
  }
  const created = z === undefined;
  z ??= new SortedSet();
  const limits = zsetLimits(ctx);
  let added = 0;
  let updated = 0;
  let processed = 0;
  let lastScore = 0;
  for (let i = 0; i < pairs.members.length; i++) {
    const member = pairs.members[i]!;
    let score = pairs.scores[i]!;
    const cur = z.score(member);
    if (cur !== undefined) {
      if (flags.nx) continue;
      if (flags.incr) {
        score += cur;
        if (Number.isNaN(score)) throw ERR_ZSET_NAN;
      }
      if ((flags.gt && score <= cur) || (flags.lt && score >= cur)) continue;
      if (score !== cur) {
        z.update(member, score);
        updated++;
      }
    } else {
      if (flags.xx) continue;
      z.insert(member, score, limits);
      added++;
    }
    processed++;
    lastScore = score;
  }
  if (created && added > 0) ctx.db.set(key, z);
  if (added + updated > 0) {
    ctx.keyChanged(key);
    ctx.notify('zset', flags.incr ? 'zincr' : 'zadd', key);
  }
  if (flags.incr) {
    if (processed > 0) ctx.reply.double(lastScore);
    else ctx.reply.nullBulk();
  } else {
    ctx.reply.integer(flags.ch ? added + updated : added);
  }
}

const noFlags = (): ZaddFlags => ({ nx: false, xx: false, gt: false, lt: false, ch: false, incr: false });

/** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...] */
function zadd(ctx: CommandContext, argv: readonly Bytes[]): void {
  const flags = noFlags();
  const pairs = readZadd(argv, flags, 2);
  zaddApply(ctx, argv[1]!, flags, pairs);
}

/** ZINCRBY key increment member → the new score. */
function zincrby(ctx: CommandContext, argv: readonly Bytes[]): void {
  const flags = noFlags();
  flags.incr = true;
  const pairs = readZadd(argv, flags, 2);
  zaddApply(ctx, argv[1]!, flags, pairs);
}

// ---- Members and scores ----

/** ZREM key member [member ...] → how many were removed. */
function zrem(ctx: CommandContext, argv: readonly Bytes[]): void {
  const key = argv[1]!;
  const z = writeZset(ctx, key);
  let removed = 0;
  if (z !== undefined) {
    for (let i = 2; i < argv.length; i++) if (z.remove(argv[i]!)) removed++;
    if (removed > 0) afterRemoval(ctx, key, z, 'zrem');
  }
  ctx.reply.integer(removed);
}

/** ZSCORE key member → the score (a double in RESP3), nil when absent. */
function zscore(ctx: CommandContext, argv: readonly Bytes[]): void {
  const s = readZset(ctx, argv[1]!)?.score(argv[2]!);
  if (s === undefined) ctx.reply.nullBulk();
  else ctx.reply.double(s);
}

/** ZMSCORE key member [member ...] → one score or nil per member. */
function zmscore(ctx: CommandContext, argv: readonly Bytes[]): void {
  const z = readZset(ctx, argv[1]!);
  ctx.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const s = z?.score(argv[i]!);
    if (s === undefined) ctx.reply.nullBulk();
    else ctx.reply.double(s);
  }
}

/** ZCARD key → the number of members (0 when missing). */
function zcard(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.reply.integer(readZset(ctx, argv[1]!)?.size ?? 0);
}

/** ZRANK / ZREVRANK key member → the 0-based rank (from the highest score for ZREVRANK), nil when absent. */
function zrank(reverse: boolean) {
  return (ctx: CommandContext, argv: readonly Bytes[]): void => {
    const z = readZset(ctx, argv[1]!);
    const rank = z?.rank(argv[2]!);
    if (rank === undefined) ctx.reply.nullBulk();
    else ctx.reply.integer(reverse ? z!.size - 1 - rank : rank);
  };
}

// ---- ZRANDMEMBER, ZSCAN ----

const LONG_MAX = 9223372036854775807n;

/**
 * ZRANDMEMBER key [count [WITHSCORES]]. Without count: a random member (nil when missing). With
 * count > 0: min(count, size) distinct members — the whole set, from the highest score down, when
 * count ≥ size (Redis's order); count < 0: -count members, repeats allowed. Count must lie in
 * ±LONG_MAX, and within ±LONG_MAX/2 with WITHSCORES.
 */
function zrandmember(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (argv.length === 2) {
    const z = readZset(ctx, argv[1]!);
    ctx.reply.bulk(z === undefined ? null : z.randomEntry(Math.random)[0]);
    return;
  }
  const parsed = parseI64(argv[2]!);
  if (parsed === undefined) throw ERR_NOT_INTEGER;
  const big = BigInt(parsed);
  if (big < -LONG_MAX) throw outOfRangeBetween('-9223372036854775807', '9223372036854775807');
  if (argv.length > 4 || (argv.length === 4 && argv[3]!.toLowerCase() !== 'withscores')) throw ERR_SYNTAX;
  const withScores = argv.length === 4;
  if (withScores && (big < -LONG_MAX / 2n || big > LONG_MAX / 2n)) throw ERR_VALUE_OUT_OF_RANGE;
  const count = Number(parsed);
  if (count < -RANDOM_REPLY_MAX) throw ERR_VALUE_OUT_OF_RANGE;
  const z = readZset(ctx, argv[1]!);
  if (z === undefined || count === 0) {
    ctx.reply.arrayHeader(0);
    return;
  }
  let entries: [Bytes, number][];
  if (count < 0) {
    entries = [];
    for (let i = 0; i < -count; i++) entries.push(z.randomEntry(Math.random));
  } else if (count >= z.size) {
    entries = z.entries().reverse();
  } else {
    entries = z.sample(count, Math.random);
  }
  replyEntries(ctx, entries.map(([m]) => m), withScores ? entries.map(([, s]) => s) : undefined);
}

/**
 * A score as a listpack holds it as text (Redis's d2string): an integral value within
 * ±LLONG_MAX/2 as an integer (so -0 as "0"), anything else as a reply would print it.
 */
function listpackScoreText(s: number): string {
  if (Number.isInteger(s) && Math.abs(s) <= 2 ** 62) return BigInt(s).toString();
  return formatDouble(s);
}

/**
 * ZSCAN key cursor [MATCH pattern] [COUNT count] → [next cursor, [member, score, ...]], scores as
 * bulk strings. A listpack is returned whole with cursor 0 (scores in the listpack's own text,
 * as Redis does); a skiplist is walked through a live iterator over its member map (see
 * scan-cursors.ts). MATCH filters members; a missing key is an empty, finished scan.
 */
function zscan(ctx: CommandContext, argv: readonly Bytes[]): void {
  const cursor = parseScanCursor(argv[2]!);
  if (cursor === undefined) throw ERR_INVALID_CURSOR;
  const z = readZset(ctx, argv[1]!);
  if (z === undefined) {
    ctx.reply.arrayHeader(2);
    ctx.reply.bulk('0');
    ctx.reply.arrayHeader(0);
    return;
  }
  const { count, match } = readScanArgs(argv, 2, false);
  const out: Bytes[] = [];
  let next = '0';
  const dict = z.scanDict();
  if (dict === undefined) {
    for (const [m, s] of z.entries()) if (match === undefined || match(m)) out.push(m, listpackScoreText(s));
  } else {
    const iterator = ctx.server.scanCursors.resume(dict, cursor, () => dict.keys());
    const { items, done } = takeFrom(iterator, count);
    if (!done) next = ctx.server.scanCursors.save(dict, iterator);
    for (const m of items) {
      const s = z.score(m);
      if (s !== undefined && (match === undefined || match(m))) out.push(m, formatDouble(s));
    }
  }
  ctx.reply.arrayHeader(2);
  ctx.reply.bulk(next);
  ctx.reply.bulkArray(out);
}

// ---- Popping ----

/**
 * ZPOPMIN / ZPOPMAX key [count] → without count, [member, score] (empty when missing); with
 * count, up to count entries lowest (highest) first, flat in RESP2 and as pairs in RESP3.
 */
function zpop(max: boolean) {
  return (ctx: CommandContext, argv: readonly Bytes[]): void => {
    if (argv.length > 3) throw ERR_SYNTAX;
    const withCount = argv.length === 3;
    let count = 1;
    if (withCount) {
      const c = parseInteger(argv[2]!);
      if (c === undefined || c < 0) throw ERR_NOT_POSITIVE;
      count = c;
    }
    const key = argv[1]!;
    const z = writeZset(ctx, key);
    if (z === undefined || count === 0) {
      ctx.reply.arrayHeader(0);
      return;
    }
    const popped = z.pop(count, max);
    afterRemoval(ctx, key, z, max ? 'zpopmax' : 'zpopmin');
    if (withCount) {
      replyEntries(ctx, popped.map(([m]) => m), popped.map(([, s]) => s));
    } else {
      ctx.reply.arrayHeader(2);
      ctx.reply.bulk(popped[0]![0]);
      ctx.reply.double(popped[0]![1]);
    }
  };
}

/** ZMPOP / BZMPOP's arguments after numkeys' position. */
interface MpopArgs {
  keys: Bytes[];
  max: boolean;
  count: number;
}

/** Reads `numkeys key [key ...] MIN|MAX [COUNT count]` starting at argv[at]. */
function readMpop(argv: readonly Bytes[], at: number): MpopArgs {
  const numkeys = parseInteger(argv[at]!);
  if (numkeys === undefined || numkeys < 1) throw ERR_NUMKEYS_NOT_POSITIVE;
  if (numkeys > argv.length - at - 2) throw ERR_SYNTAX;
  const keys = argv.slice(at + 1, at + 1 + numkeys);
  let i = at + 1 + numkeys;
  const where = argv[i++]!.toLowerCase();
  if (where !== 'min' && where !== 'max') throw ERR_SYNTAX;
  let count = -1;
  for (; i < argv.length; i++) {
    if (count < 0 && argv[i]!.toLowerCase() === 'count' && i + 1 < argv.length) {
      const c = parseInteger(argv[++i]!);
      if (c === undefined || c < 1) throw ERR_COUNT_NOT_POSITIVE;
      count = c;
    } else {
      throw ERR_SYNTAX;
    }
  }
  return { keys, max: where === 'max', count: count < 0 ? 1 : count };
}

/**
 * Pops from the first non-empty key (WRONGTYPE for a key of another type met on the way):
 * replies [key, [[member, score], ...]] and propagates ZPOPMIN|ZPOPMAX key <popped>. False when
 * every key is empty.
 */
function serveMpop(ctx: CommandContext, a: MpopArgs): boolean {
  for (const key of a.keys) {
    const z = writeZset(ctx, key);
    if (z === undefined) continue;
    const popped = z.pop(a.count, a.max);
    afterRemoval(ctx, key, z, a.max ? 'zpopmax' : 'zpopmin');
    ctx.reply.arrayHeader(2);
    ctx.reply.bulk(key);
    replyPairs(ctx, popped);
    ctx.propagateAs([a.max ? 'ZPOPMAX' : 'ZPOPMIN', key, String(popped.length)]);
    return true;
  }
  return false;
}

/** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] → [key, entries], nil when all are empty. */
function zmpop(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (!serveMpop(ctx, readMpop(argv, 1))) ctx.reply.nullArray();
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: ZMPOP, or block until one is fed. */
function bzmpop(ctx: CommandContext, argv: readonly Bytes[]): void {
  // As Redis, numkeys, the keys and the options are checked before the timeout.
  const args = readMpop(argv, 2);
  const deadline = blockingDeadline(ctx, argv[1]!);
  if (serveMpop(ctx, args)) return;
  ctx.block({ keys: args.keys, type: 'zset', deadline, onTimeout: (r) => r.nullArray() });
}

/**
 * BZPOPMIN / BZPOPMAX key [key ...] timeout → [key, member, score] from the first non-empty key,
 * or block until one is fed; nil at the timeout. Propagated as ZPOPMIN|ZPOPMAX key.
 */
function bzpop(max: boolean) {
  return (ctx: CommandContext, argv: readonly Bytes[]): void => {
    const deadline = blockingDeadline(ctx, argv[argv.length - 1]!);
    const keys = argv.slice(1, -1);
    for (const key of keys) {
      const z = writeZset(ctx, key);
      if (z === undefined) continue;
      const [[m, s]] = z.pop(1, max) as [[Bytes, number]];
      afterRemoval(ctx, key, z, max ? 'zpopmax' : 'zpopmin');
      ctx.reply.arrayHeader(3);
      ctx.reply.bulk(key);
      ctx.reply.bulk(m);
      ctx.reply.double(s);
      ctx.propagateAs([max ? 'ZPOPMAX' : 'ZPOPMIN', key]);
      return;
    }
    ctx.block({ keys, type: 'zset', deadline, onTimeout: (r) => r.nullArray() });
  };
}

// ---- Command table ----

function docs(summary: string, since: string, complexity: string, extra: Partial<CommandDocs> = {}): CommandDocs {
  return { summary, since, group: 'sorted-set', complexity, ...extra };
}

const single = { firstKey: 1, lastKey: 1, step: 1 } as const;
const oneKey = (flags: KeySpecFlag[]) => [rangeKeySpec(flags, 1)];
const numkeysSpec = (flags: KeySpecFlag[], index: number) => [
  { flags, begin: { index }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } },
];

const O_LOG_N = 'O(log(N)) with N being the number of elements in the sorted set.';
const O_POP = 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.';
const O_MPOP =
  'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.';

const mpopSpecs = numkeysSpec(['RW', 'access', 'delete'], 1);
const bzmpopSpecs = numkeysSpec(['RW', 'access', 'delete'], 2);

const commands: CommandSpecInput[] = [
  { name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], ...single, keySpecs: oneKey(['RW', 'update']),
    docs: docs('Add one or more members to a sorted set, or update its score if it already exists', '1.2.0',
      'O(log(N)) for each item added, where N is the number of elements in the sorted set.'),
    handler: zadd },
  { name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], ...single, keySpecs: oneKey(['RW', 'access', 'update']),
    docs: docs('Increment the score of a member in a sorted set', '1.2.0',
      'O(log(N)) where N is the number of elements in the sorted set.'),
    handler: zincrby },
  { name: 'zrem', arity: -3, flags: ['write', 'fast'], ...single, keySpecs: oneKey(['RW', 'delete']),
    docs: docs('Remove one or more members from a sorted set', '1.2.0',
      'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.'),
    handler: zrem },
  { name: 'zscore', arity: 3, flags: ['readonly', 'fast'], ...single, keySpecs: oneKey(['RO', 'access']),
    docs: docs('Get the score associated with the given member in a sorted set', '1.2.0', 'O(1)'), handler: zscore },
  { name: 'zmscore', arity: -3, flags: ['readonly', 'fast'], ...single, keySpecs: oneKey(['RO', 'access']),
    docs: docs('Get the score associated with the given members in a sorted set', '6.2.0',
      'O(N) where N is the number of members being requested.'),
    handler: zmscore },
  { name: 'zcard', arity: 2, flags: ['readonly', 'fast'], ...single, keySpecs: oneKey(['RO']),
    docs: docs('Get the number of members in a sorted set', '1.2.0', 'O(1)'), handler: zcard },
  { name: 'zrank', arity: 3, flags: ['readonly', 'fast'], ...single, keySpecs: oneKey(['RO', 'access']),
    docs: docs('Determine the index of a member in a sorted set', '2.0.0', 'O(log(N))'), handler: zrank(false) },
  { name: 'zrevrank', arity: 3, flags: ['readonly', 'fast'], ...single, keySpecs: oneKey(['RO', 'access']),
    docs: docs('Determine the index of a member in a sorted set, with scores ordered from high to low', '2.0.0', 'O(log(N))'),
    handler: zrank(true) },
  { name: 'zrandmember', arity: -2, flags: ['readonly'], ...single, keySpecs: oneKey(['RO', 'access']),
    tips: ['nondeterministic_output'],
    docs: docs('Get one or multiple random elements from a sorted set', '6.2.0',
      'O(N) where N is the number of elements returned'),
    handler: zrandmember },
  { name: 'zscan', arity: -3, flags: ['readonly'], ...single, keySpecs: oneKey(['RO', 'access']),
    tips: ['nondeterministic_output'],
    docs: docs('Incrementally iterate sorted sets elements and associated scores', '2.8.0',
      'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..'),
    handler: zscan },
  { name: 'zpopmin', arity: -2, flags: ['write', 'fast'], ...single, keySpecs: oneKey(['RW', 'access', 'delete']),
    docs: docs('Remove and return members with the lowest scores in a sorted set', '5.0.0', O_POP), handler: zpop(false) },
  { name: 'zpopmax', arity: -2, flags: ['write', 'fast'], ...single, keySpecs: oneKey(['RW', 'access', 'delete']),
    docs: docs('Remove and return members with the highest scores in a sorted set', '5.0.0', O_POP), handler: zpop(true) },
  { name: 'zmpop', arity: -4, flags: ['write'], keySpecs: mpopSpecs, getKeys: (argv) => keysFromSpecs(mpopSpecs, argv).map((k) => k.pos),
    docs: docs('Remove and return members with scores in a sorted set', '7.0.0', O_MPOP), handler: zmpop },
  { name: 'bzpopmin', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], firstKey: 1, lastKey: -2, step: 1,
    keySpecs: [rangeKeySpec(['RW', 'access', 'delete'], 1, -2)],
    docs: docs('Remove and return the member with the lowest score from one or more sorted sets, or block until one is available',
      '5.0.0', O_LOG_N),
    handler: bzpop(false) },
  { name: 'bzpopmax', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], firstKey: 1, lastKey: -2, step: 1,
    keySpecs: [rangeKeySpec(['RW', 'access', 'delete'], 1, -2)],
    docs: docs('Remove and return the member with the highest score from one or more sorted sets, or block until one is available',
      '5.0.0', O_LOG_N),
    handler: bzpop(true) },
  { name: 'bzmpop', arity: -5, flags: ['write', 'blocking'], keySpecs: bzmpopSpecs,
    getKeys: (argv) => keysFromSpecs(bzmpopSpecs, argv).map((k) => k.pos),
    docs: docs('Remove and return members with scores in a sorted set or block until one is available', '7.0.0', O_MPOP),
    handler: bzmpop },
];

export const sortedSetCommands = family('sortedset', commands);
