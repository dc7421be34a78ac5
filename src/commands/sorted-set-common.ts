/**
 * What the three sorted-set command files share: typed lookups, score and lex range arguments,
 * rank normalisation, the WITHSCORES reply shapes, and storing a computed result. Not a family
 * (it registers no commands). Mirrors the helpers of redis t_zset.c (zslParseRange,
 * zslParseLexRange, zsetConvertToListpackIfNeeded's use by the STORE commands).
 */
import type { Bytes } from '../keyspace/bytes.js';
import { parseDouble, parseLongDoubleNumber } from '../keyspace/bytes.js';
import type { CommandContext } from './command-spec.js';
import { SortedSet, type LexRange, type ScoreRange, type ZsetLimits } from '../datastructures/sorted-set.js';
import { ERR_MINMAX_NOT_FLOAT, ERR_MINMAX_NOT_LEX } from '../protocol/reply-errors.js';

/** The zset at key for reading, undefined when missing; WRONGTYPE for another type. */
export function readZset(ctx: CommandContext, key: Bytes): SortedSet | undefined {
  return ctx.db.getTyped(key, 'zset') as SortedSet | undefined;
}

/** The zset at key for a write (no hit/miss counting), undefined when missing; WRONGTYPE otherwise. */
export function writeZset(ctx: CommandContext, key: Bytes): SortedSet | undefined {
  return ctx.db.getTypedForWrite(key, 'zset') as SortedSet | undefined;
}

/** zset-max-listpack-entries / -value as the server currently has them. */
export function zsetLimits(ctx: CommandContext): ZsetLimits {
  return ctx.server.encodingLimits;
}

/**
 * After a removal: deletes the key if the set became empty, signals the change and publishes
 * `event` (zrem, zpopmin...), then "del" if the key was deleted, as Redis does.
 */
export function afterRemoval(ctx: CommandContext, key: Bytes, z: SortedSet, event: string): void {
  const emptied = z.size === 0;
  if (emptied) ctx.db.delete(key);
  ctx.keyChanged(key);
  ctx.notify('zset', event, key);
  if (emptied) ctx.notify('generic', 'del', key);
}

// ---- Range arguments ----

const LEADING_SPACE = /^[ \t\n\v\f\r]+/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A range bound's number as C's strtod reads a whole string, which is what ZRANGEBYSCORE's
 * bounds go through (unlike ZADD's scores): leading white space is skipped, the empty string is
 * 0, a value too large is ±inf and one too small 0; NaN and trailing bytes are refused.
 */
function strtodWhole(s: Bytes): number | undefined {
  if (s === '') return 0;
  const t = s.replace(LEADING_SPACE, '');
  if (t === '') return undefined;
  const v = parseDouble(t);
  if (v !== undefined) return v;
  if (DECIMAL.test(t)) return Number(t);
  // A hex float beyond a double's range (the long double parser keeps its sign and direction).
  return parseLongDoubleNumber(t);
}

/** One score bound: "(x" exclusive, "x" inclusive. */
function scoreBound(arg: Bytes): [number, boolean] {
  const exclusive = arg.charCodeAt(0) === 40; /* ( */
  const v = strtodWhole(exclusive ? arg.slice(1) : arg);
  if (v === undefined || Number.isNaN(v)) throw ERR_MINMAX_NOT_FLOAT;
  return [v, exclusive];
}

/** ZRANGEBYSCORE-style min and max → a ScoreRange, or "min or max is not a float". */
export function parseScoreRange(min: Bytes, max: Bytes): ScoreRange {
  const [lo, loEx] = scoreBound(min);
  const [hi, hiEx] = scoreBound(max);
  return { min: lo, max: hi, minExclusive: loEx, maxExclusive: hiEx };
}

/** One lex bound: "-" / "+" alone, "[x" inclusive or "(x" exclusive. */
function lexBound(arg: Bytes): [Bytes, boolean, -1 | 0 | 1] {
  const c = arg.charCodeAt(0);
  if (arg.length === 1 && c === 45 /* - */) return ['', false, -1];
  if (arg.length === 1 && c === 43 /* + */) return ['', false, 1];
  if (c === 91 /* [ */) return [arg.slice(1), false, 0];
  if (c === 40 /* ( */) return [arg.slice(1), true, 0];
  throw ERR_MINMAX_NOT_LEX;
}

/** ZRANGEBYLEX-style min and max → a LexRange, or "min or max not valid string range item". */
export function parseLexRange(min: Bytes, max: Bytes): LexRange {
  const [lo, loEx, loEdge] = lexBound(min);
  const [hi, hiEx, hiEdge] = lexBound(max);
  return { min: lo, max: hi, minExclusive: loEx, maxExclusive: hiEx, minEdge: loEdge, maxEdge: hiEdge };
}

/**
 * Rank arguments (negative counts from the end) clamped to the set: [start, end] inclusive,
 * or undefined when the range holds nothing. As ZRANGE and ZREMRANGEBYRANK do.
 */
export function rankRange(start: number, end: number, size: number): [number, number] | undefined {
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (start < 0) start = 0;
  if (start > end || start >= size) return undefined;
  if (end >= size) end = size - 1;
  return [start, end];
}

// ---- Replies ----

/**
 * Members, with their scores when asked: RESP2 a flat array (member, score as text, ...);
 * RESP3 an array of [member, double] pairs — Redis 7.0's shape for ZRANGE, ZUNION, ZPOPMIN with
 * a count, ZRANDMEMBER...
 */
export function replyEntries(ctx: CommandContext, members: readonly Bytes[], scores: readonly number[] | undefined): void {
  const r = ctx.reply;
  if (scores === undefined) {
    r.bulkArray(members);
    return;
  }
  const nested = r.protocol === 3;
  r.arrayHeader(nested ? members.length : members.length * 2);
  for (let i = 0; i < members.length; i++) {
    if (nested) r.arrayHeader(2);
    r.bulk(members[i]!);
    r.double(scores[i]!);
  }
}

/** [member, score] pairs always nested (ZMPOP / BZMPOP's element list, in RESP2 too). */
export function replyPairs(ctx: CommandContext, entries: readonly (readonly [Bytes, number])[]): void {
  const r = ctx.reply;
  r.arrayHeader(entries.length);
  for (const [m, s] of entries) {
    r.arrayHeader(2);
    r.bulk(m);
    r.double(s);
  }
}

// ---- Storing results ----

/**
 * Stores a computed set at dst (ZUNIONSTORE, ZRANGESTORE...), replacing what was there and its
 * TTL, in the encoding its content calls for. An empty result deletes dst instead. Replies the
 * size of the result.
 */
export function storeEntries(ctx: CommandContext, dst: Bytes, entries: readonly (readonly [Bytes, number])[]): void {
  if (entries.length === 0) {
    if (ctx.db.delete(dst)) {
      ctx.keyChanged(dst);
      ctx.notify('generic', 'del', dst);
    }
  } else {
    ctx.db.set(dst, SortedSet.fromEntries(entries, zsetLimits(ctx)));
    ctx.keyChanged(dst);
    // The event is the command's name: zunionstore, zinterstore, zdiffstore, zrangestore.
    ctx.notify('zset', ctx.command.name, dst);
  }
  ctx.reply.integer(entries.length);
}
