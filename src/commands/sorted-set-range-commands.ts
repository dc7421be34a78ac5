/**
 * Sorted set commands, part 2: ranges by rank, score and lex — ZRANGE (BYSCORE BYLEX REV LIMIT
 * WITHSCORES) ZRANGESTORE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZREVRANGE,
 * counting them — ZCOUNT ZLEXCOUNT — and removing them — ZREMRANGEBYRANK ZREMRANGEBYSCORE
 * ZREMRANGEBYLEX. Mirrors redis t_zset.c zrangeGenericCommand() and zremrangeGenericCommand().
 *
 * All the ZRANGE forms share one argument reader: the legacy commands are ZRANGE with the range
 * type and direction fixed in advance (so REV, BYSCORE, BYLEX are syntax errors for them).
 * Score bounds are "x" or "(x" (exclusive) read as C's strtod reads them; lex bounds are "[x",
 * "(x", "-" or "+". With REV the arguments are given high then low. LIMIT applies to BYSCORE and
 * BYLEX only: a negative offset selects nothing, a negative count means "all the rest".
 */
import type { Bytes } from '../keyspace/bytes.js';
import { parseInteger } from '../keyspace/bytes.js';
import type { CommandContext, CommandDocs, CommandSpecInput, KeySpecFlag } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { family } from './command-table.js';
import type { LexRange, ScoreRange, SortedSet } from '../datastructures/sorted-set.js';
import {
  afterRemoval,
  parseLexRange,
  parseScoreRange,
  rankRange,
  readZset,
  replyEntries,
  storeEntries,
  writeZset,
} from './sorted-set-common.js';
import {
  ERR_NOT_INTEGER,
  ERR_SYNTAX,
  ERR_ZRANGE_BYLEX_WITHSCORES,
  ERR_ZRANGE_LIMIT,
} from '../protocol/reply-errors.js';

// ---- Reading a range request ----

type RangeKind = 'rank' | 'score' | 'lex';

/** A parsed ZRANGE-family request. */
interface RangeRequest {
  key: Bytes;
  reverse: boolean;
  withScores: boolean;
  offset: number;
  /** -1: no limit. */
  limit: number;
  range: { kind: 'rank'; start: number; end: number } | { kind: 'score'; r: ScoreRange } | { kind: 'lex'; r: LexRange };
}

/** What a command fixes in advance (undefined: chosen by the arguments, as ZRANGE does). */
interface RangePreset {
  kind: RangeKind | undefined;
  reverse: boolean | undefined;
  /** ZRANGESTORE: WITHSCORES is not an option. */
  store: boolean;
}

function intArgument(arg: Bytes): number {
  const v = parseInteger(arg);
  if (v === undefined) throw ERR_NOT_INTEGER;
  return v;
}

/**
 * Reads `key min max [options]` from argv[at]: WITHSCORES (repeatable), LIMIT offset count, REV
 * and BYSCORE|BYLEX once each where the command leaves them open; then the combination checks
 * and the bounds, in Redis's order.
 */
function readRange(argv: readonly Bytes[], at: number, preset: RangePreset): RangeRequest {
  let kind = preset.kind;
  let reverse = preset.reverse;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = at + 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const left = argv.length - j - 1;
    if (opt === 'withscores' && !preset.store) {
      withScores = true;
    } else if (opt === 'limit' && left >= 2) {
      offset = intArgument(argv[j + 1]!);
      limit = intArgument(argv[j + 2]!);
      j += 2;
    } else if (reverse === undefined && opt === 'rev') {
      reverse = true;
    } else if (kind === undefined && opt === 'bylex') {
      kind = 'lex';
    } else if (kind === undefined && opt === 'byscore') {
      kind = 'score';
    } else {
      throw ERR_SYNTAX;
    }
  }
  kind ??= 'rank';
  reverse ??= false;
  if (limit !== -1 && kind === 'rank') throw ERR_ZRANGE_LIMIT;
  if (withScores && kind === 'lex') throw ERR_ZRANGE_BYLEX_WITHSCORES;
  let lo = argv[at + 1]!;
  let hi = argv[at + 2]!;
  if (reverse && kind !== 'rank') [lo, hi] = [hi, lo];
  const range: RangeRequest['range'] =
    kind === 'rank'
      ? { kind, start: intArgument(lo), end: intArgument(hi) }
      : kind === 'score'
        ? { kind, r: parseScoreRange(lo, hi) }
        : { kind, r: parseLexRange(lo, hi) };
  return { key: argv[at]!, reverse, withScores, offset, limit, range };
}

/** The selected entries, in reply order: members and scores in parallel arrays. */
function selectRange(z: SortedSet | undefined, q: RangeRequest): { members: Bytes[]; scores: number[] } {
  const members: Bytes[] = [];
  const scores: number[] = [];
  if (z === undefined) return { members, scores };
  const visit = (m: Bytes, s: number): void => {
    members.push(m);
    scores.push(s);
  };
  const range = q.range;
  if (range.kind === 'rank') {
    const span = rankRange(range.start, range.end, z.size);
    if (span !== undefined) z.walkRank(span[0], q.reverse, span[1] - span[0] + 1, visit);
  } else if (q.offset >= 0) {
    if (range.kind === 'score') z.walkScore(range.r, q.reverse, q.offset, q.limit, visit);
    else z.walkLex(range.r, q.reverse, q.offset, q.limit, visit);
  }
  return { members, scores };
}

/** A ZRANGE-family read command with the given preset. */
function rangeCommand(kind: RangeKind | undefined, reverse: boolean | undefined) {
  return (ctx: CommandContext, argv: readonly Bytes[]): void => {
    const q = readRange(argv, 1, { kind, reverse, store: false });
    const { members, scores } = selectRange(readZset(ctx, q.key), q);
    replyEntries(ctx, members, q.withScores ? scores : undefined);
  };
}

/**
 * ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] → the number of
 * elements stored at dst (replacing it; an empty result deletes dst).
 */
function zrangestore(ctx: CommandContext, argv: readonly Bytes[]): void {
  const q = readRange(argv, 2, { kind: undefined, reverse: undefined, store: true });
  const { members, scores } = selectRange(readZset(ctx, q.key), q);
  storeEntries(ctx, argv[1]!, members.map((m, i) => [m, scores[i]!] as const));
}

// ---- Counting ----

/** ZCOUNT key min max → how many scores lie in the range. */
function zcount(ctx: CommandContext, argv: readonly Bytes[]): void {
  const r = parseScoreRange(argv[2]!, argv[3]!);
  ctx.reply.integer(readZset(ctx, argv[1]!)?.countScore(r) ?? 0);
}

/** ZLEXCOUNT key min max → how many members lie in the lex range. */
function zlexcount(ctx: CommandContext, argv: readonly Bytes[]): void {
  const r = parseLexRange(argv[2]!, argv[3]!);
  ctx.reply.integer(readZset(ctx, argv[1]!)?.countLex(r) ?? 0);
}

// ---- Removing ranges ----

/** Runs a removal on the zset at argv[1] and replies how many went; the key goes when empty. */
function removeWith(ctx: CommandContext, argv: readonly Bytes[], remove: (z: SortedSet) => number): void {
  const key = argv[1]!;
  const z = writeZset(ctx, key);
  const removed = z === undefined ? 0 : remove(z);
  // The event is the command's name: zremrangebyrank, zremrangebyscore, zremrangebylex.
  if (removed > 0) afterRemoval(ctx, key, z!, ctx.command.name);
  ctx.reply.integer(removed);
}

/** ZREMRANGEBYRANK key start stop → the number removed (ranks as ZRANGE takes them). */
function zremrangebyrank(ctx: CommandContext, argv: readonly Bytes[]): void {
  const start = intArgument(argv[2]!);
  const end = intArgument(argv[3]!);
  removeWith(ctx, argv, (z) => {
    const span = rankRange(start, end, z.size);
    return span === undefined ? 0 : z.deleteRanks(span[0], span[1]);
  });
}

/** ZREMRANGEBYSCORE key min max → the number removed. */
function zremrangebyscore(ctx: CommandContext, argv: readonly Bytes[]): void {
  const r = parseScoreRange(argv[2]!, argv[3]!);
  removeWith(ctx, argv, (z) => z.deleteScore(r));
}

/** ZREMRANGEBYLEX key min max → the number removed. */
function zremrangebylex(ctx: CommandContext, argv: readonly Bytes[]): void {
  const r = parseLexRange(argv[2]!, argv[3]!);
  removeWith(ctx, argv, (z) => z.deleteLex(r));
}

// ---- Command table ----

function docs(summary: string, since: string, complexity: string, extra: Partial<CommandDocs> = {}): CommandDocs {
  return { summary, since, group: 'sorted-set', complexity, ...extra };
}

const deprecated = (replacedBy: string): Partial<CommandDocs> => ({
  docFlags: ['deprecated'],
  deprecatedSince: '6.2.0',
  replacedBy,
});

const single = { firstKey: 1, lastKey: 1, step: 1 } as const;
const oneKey = (flags: KeySpecFlag[]) => [rangeKeySpec(flags, 1)];
const readKey = oneKey(['RO', 'access']);
const removeKey = oneKey(['RW', 'delete']);

const O_RANGE = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.';
const O_RANGE_LIMIT =
  'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).';
const O_REMOVE =
  'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.';
const O_COUNT = 'O(log(N)) with N being the number of elements in the sorted set.';

const commands: CommandSpecInput[] = [
  { name: 'zrange', arity: -4, flags: ['readonly'], ...single, keySpecs: readKey,
    docs: docs('Return a range of members in a sorted set', '1.2.0', O_RANGE), handler: rangeCommand(undefined, undefined) },
  { name: 'zrangestore', arity: -5, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 2, step: 1,
    keySpecs: [rangeKeySpec(['OW', 'update'], 1), rangeKeySpec(['RO', 'access'], 2)],
    docs: docs('Store a range of members from sorted set into another key', '6.2.0',
      'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.'),
    handler: zrangestore },
  { name: 'zrangebyscore', arity: -4, flags: ['readonly'], ...single, keySpecs: readKey,
    docs: docs('Return a range of members in a sorted set, by score', '1.0.5', O_RANGE_LIMIT,
      deprecated('`ZRANGE` with the `BYSCORE` argument')),
    handler: rangeCommand('score', false) },
  { name: 'zrevrangebyscore', arity: -4, flags: ['readonly'], ...single, keySpecs: readKey,
    docs: docs('Return a range of members in a sorted set, by score, with scores ordered from high to low', '2.2.0',
      O_RANGE_LIMIT, deprecated('`ZRANGE` with the `REV` and `BYSCORE` arguments')),
    handler: rangeCommand('score', true) },
  { name: 'zrangebylex', arity: -4, flags: ['readonly'], ...single, keySpecs: readKey,
    docs: docs('Return a range of members in a sorted set, by lexicographical range', '2.8.9', O_RANGE_LIMIT,
      deprecated('`ZRANGE` with the `BYLEX` argument')),
    handler: rangeCommand('lex', false) },
  { name: 'zrevrangebylex', arity: -4, flags: ['readonly'], ...single, keySpecs: readKey,
    docs: docs('Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.',
      '2.8.9', O_RANGE_LIMIT, deprecated('`ZRANGE` with the `REV` and `BYLEX` arguments')),
    handler: rangeCommand('lex', true) },
  { name: 'zrevrange', arity: -4, flags: ['readonly'], ...single, keySpecs: readKey,
    docs: docs('Return a range of members in a sorted set, by index, with scores ordered from high to low', '1.2.0',
      O_RANGE, deprecated('`ZRANGE` with the `REV` argument')),
    handler: rangeCommand('rank', true) },
  { name: 'zcount', arity: 4, flags: ['readonly', 'fast'], ...single, keySpecs: readKey,
    docs: docs('Count the members in a sorted set with scores within the given values', '2.0.0', O_COUNT), handler: zcount },
  { name: 'zlexcount', arity: 4, flags: ['readonly', 'fast'], ...single, keySpecs: readKey,
    docs: docs('Count the number of members in a sorted set between a given lexicographical range', '2.8.9', O_COUNT),
    handler: zlexcount },
  { name: 'zremrangebyrank', arity: 4, flags: ['write'], ...single, keySpecs: removeKey,
    docs: docs('Remove all members in a sorted set within the given indexes', '2.0.0', O_REMOVE), handler: zremrangebyrank },
  { name: 'zremrangebyscore', arity: 4, flags: ['write'], ...single, keySpecs: removeKey,
    docs: docs('Remove all members in a sorted set within the given scores', '1.2.0', O_REMOVE), handler: zremrangebyscore },
  { name: 'zremrangebylex', arity: 4, flags: ['write'], ...single, keySpecs: removeKey,
    docs: docs('Remove all members in a sorted set between the given lexicographical range', '2.8.9', O_REMOVE),
    handler: zremrangebylex },
];

export const sortedSetRangeCommands = family('sortedset', commands);
