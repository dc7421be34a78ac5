/**
 * String commands, part 2: working on bytes inside a value — APPEND STRLEN GETRANGE SUBSTR
 * SETRANGE LCS. (Whole-value commands and counters are in string-commands.ts.) Mirrors redis
 * t_string.c appendCommand / getrangeCommand / setrangeCommand / lcsCommand.
 *
 * Values are latin1 Bytes, so indexes and lengths here are byte offsets. Growing commands check
 * the result against proto-max-bulk-len before building it.
 */
import { constants as bufferConstants } from 'node:buffer';
import type { Bytes } from '../keyspace/bytes.js';
import { typeOf } from '../keyspace/redis-value.js';
import type { CommandContext, CommandDocs, CommandSpecInput } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { family } from './command-table.js';
import { int64Arg } from './arg-cursor.js';
import { ERR_OFFSET_RANGE, ERR_STRING_TOO_LONG, ERR_SYNTAX, replyError } from '../protocol/reply-errors.js';

const ERR_LCS_NOT_STRING = replyError('ERR The specified keys must contain string values');
const ERR_LCS_LEN_AND_IDX = replyError('ERR If you want both the length and indexes, please just use IDX.');
const ERR_LCS_MEMORY = replyError('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');

/**
 * Refuses a string that would grow past proto-max-bulk-len (Redis checkStringLength).
 * COMPAT: a JS string holds at most MAX_STRING_LENGTH (2^29 - 24) bytes, just under the default
 * 512 MB limit, so a value between the two is refused with the same error.
 */
function checkStringLength(ctx: CommandContext, total: number): void {
  if (total > ctx.server.limits.protoMaxBulkLen || total > bufferConstants.MAX_STRING_LENGTH) throw ERR_STRING_TOO_LONG;
}

/** APPEND key value → the new length. A missing key is created; the TTL is kept. */
function append(ctx: CommandContext, argv: readonly Bytes[]): void {
  const key = argv[1]!;
  const add = argv[2]!;
  const cur = ctx.db.getTypedForWrite(key, 'string');
  let next: Bytes;
  if (cur === undefined) {
    next = add;
    ctx.db.set(key, next);
  } else {
    checkStringLength(ctx, cur.length + add.length);
    next = cur + add;
    ctx.db.overwrite(key, next);
  }
  ctx.keyChanged(key);
  ctx.notify('string', 'append', key);
  ctx.reply.integer(next.length);
}

/** STRLEN key → the value's length in bytes, 0 when missing. */
function strlen(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.reply.integer(ctx.db.getTyped(argv[1]!, 'string')?.length ?? 0);
}

/**
 * GETRANGE key start end (and SUBSTR) → the bytes from start to end inclusive; negative indexes
 * count from the end. As Redis 7.0: both negative with start > end gives "", and an end still
 * negative after adding the length is clamped to 0 (so `GETRANGE k 0 -100` is the first byte).
 */
function getrange(ctx: CommandContext, argv: readonly Bytes[]): void {
  const start = int64Arg(argv[2]!);
  const end = int64Arg(argv[3]!);
  const v = ctx.db.getTyped(argv[1]!, 'string');
  if (v === undefined || (start < 0 && end < 0 && start > end)) {
    ctx.reply.bulk('');
    return;
  }
  const len = v.length;
  // Values beyond 2^53 become inexact numbers, but only compare against lengths far smaller.
  let from = Number(start);
  let to = Number(end);
  if (from < 0) from = Math.max(0, len + from);
  if (to < 0) to = Math.max(0, len + to);
  if (to >= len) to = len - 1;
  ctx.reply.bulk(from > to || len === 0 ? '' : v.slice(from, to + 1));
}

/**
 * SETRANGE key offset value → the new length. Pads with zero bytes up to offset; an empty value
 * changes nothing (and creates no key). The TTL is kept.
 */
function setrange(ctx: CommandContext, argv: readonly Bytes[]): void {
  const key = argv[1]!;
  const value = argv[3]!;
  const offset = int64Arg(argv[2]!);
  if (offset < 0) throw ERR_OFFSET_RANGE;
  const cur = ctx.db.getTypedForWrite(key, 'string');
  if (value.length === 0) {
    ctx.reply.integer(cur?.length ?? 0);
    return;
  }
  checkStringLength(ctx, Number(offset) + value.length);
  const at = Number(offset);
  const base = cur ?? '';
  const head = base.length >= at ? base.slice(0, at) : base + '\0'.repeat(at - base.length);
  const next = head + value + base.slice(at + value.length);
  if (cur === undefined) ctx.db.set(key, next);
  else ctx.db.overwrite(key, next);
  ctx.keyChanged(key);
  ctx.notify('string', 'setrange', key);
  ctx.reply.integer(next.length);
}

// ---- LCS ----

/** One common run found by LCS IDX: [start, end] in each string, and its length. */
interface LcsMatch {
  a: [number, number];
  b: [number, number];
  len: number;
}

/** LCS's options. */
interface LcsOptions {
  len: boolean;
  idx: boolean;
  withMatchLen: boolean;
  minMatchLen: number;
}

function readLcsOptions(argv: readonly Bytes[]): LcsOptions {
  const o: LcsOptions = { len: false, idx: false, withMatchLen: false, minMatchLen: 0 };
  for (let i = 3; i < argv.length; i++) {
    const tok = argv[i]!.toLowerCase();
    if (tok === 'idx') o.idx = true;
    else if (tok === 'len') o.len = true;
    else if (tok === 'withmatchlen') o.withMatchLen = true;
    else if (tok === 'minmatchlen' && i + 1 < argv.length) {
      const n = int64Arg(argv[++i]!);
      o.minMatchLen = n < 0 ? 0 : Number(n);
    } else {
      throw ERR_SYNTAX;
    }
  }
  if (o.len && o.idx) throw ERR_LCS_LEN_AND_IDX;
  return o;
}

/** A key's string for LCS: "" when missing; any other type is an error (not WRONGTYPE). */
function lcsOperand(ctx: CommandContext, key: Bytes): Bytes {
  const v = ctx.db.getForRead(key);
  if (v === undefined) return '';
  if (typeOf(v) !== 'string') throw ERR_LCS_NOT_STRING;
  return v as Bytes;
}

/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN] → the longest common subsequence;
 * with LEN its length; with IDX a map {matches: [[[a0,a1],[b0,b1](,len)]...], len}, the runs
 * listed from the end of the strings backwards, runs shorter than MINMATCHLEN left out.
 */
function lcs(ctx: CommandContext, argv: readonly Bytes[]): void {
  const a = lcsOperand(ctx, argv[1]!);
  const b = lcsOperand(ctx, argv[2]!);
  const opts = readLcsOptions(argv);
  // The table is (|a|+1)(|b|+1) 32-bit cells; Redis refuses what would exceed proto-max-bulk-len.
  if ((a.length + 1) * (b.length + 1) * 4 > ctx.server.limits.protoMaxBulkLen) throw ERR_LCS_MEMORY;
  const { text, matches } = longestCommonSubsequence(a, b, opts.idx ? opts.minMatchLen : -1);
  const r = ctx.reply;
  if (opts.len) {
    r.integer(text.length);
    return;
  }
  if (!opts.idx) {
    r.bulk(text);
    return;
  }
  r.mapHeader(2);
  r.bulk('matches');
  r.arrayHeader(matches.length);
  for (const m of matches) {
    r.arrayHeader(opts.withMatchLen ? 3 : 2);
    r.arrayHeader(2);
    r.integer(m.a[0]);
    r.integer(m.a[1]);
    r.arrayHeader(2);
    r.integer(m.b[0]);
    r.integer(m.b[1]);
    if (opts.withMatchLen) r.integer(m.len);
  }
  r.bulk('len');
  r.integer(text.length);
}

/**
 * The LCS of a and b by dynamic programming, walked back from the ends. On a tie the walk steps
 * back in b, as Redis does, so the same subsequence (and the same runs) come out. Runs are
 * collected only when minMatchLen >= 0, keeping those at least that long.
 */
function longestCommonSubsequence(a: Bytes, b: Bytes, minMatchLen: number): { text: Bytes; matches: LcsMatch[] } {
  const w = b.length + 1;
  const table = new Uint32Array((a.length + 1) * w); // table[i*w+j] = LCS length of a[0,i) and b[0,j)
  for (let i = 1; i <= a.length; i++) {
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      table[i * w + j] = ai === b.charCodeAt(j - 1)
        ? table[(i - 1) * w + j - 1]! + 1
        : Math.max(table[(i - 1) * w + j]!, table[i * w + j - 1]!);
    }
  }
  const out: string[] = [];
  const matches: LcsMatch[] = [];
  let run: LcsMatch | undefined;
  const closeRun = (): void => {
    if (run !== undefined && minMatchLen >= 0 && run.len >= minMatchLen) matches.push(run);
    run = undefined;
  };
  let i = a.length;
  let j = b.length;
  while (i > 0 && j > 0) {
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      out.push(a[i - 1]!);
      if (run === undefined) run = { a: [i - 1, i - 1], b: [j - 1, j - 1], len: 1 };
      else {
        run.a[0] = i - 1;
        run.b[0] = j - 1;
        run.len++;
      }
      i--;
      j--;
      if (i === 0 || j === 0) closeRun();
    } else {
      if (table[(i - 1) * w + j]! > table[i * w + j - 1]!) i--;
      else j--;
      closeRun();
    }
  }
  return { text: out.reverse().join(''), matches };
}

// ---- Command table ----

function docs(summary: string, since: string, complexity: string, extra: Partial<CommandDocs> = {}): CommandDocs {
  return { summary, since, group: 'string', complexity, ...extra };
}

const single = { firstKey: 1, lastKey: 1, step: 1 } as const;
const GETRANGE_COMPLEXITY =
  'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.';

const commands: CommandSpecInput[] = [
  { name: 'append', arity: 3, flags: ['write', 'denyoom', 'fast'], ...single,
    keySpecs: [rangeKeySpec(['RW', 'insert'], 1)],
    docs: docs('Append a value to a key', '2.0.0',
      'O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.'),
    handler: append },
  { name: 'strlen', arity: 2, flags: ['readonly', 'fast'], ...single, keySpecs: [rangeKeySpec(['RO'], 1)],
    docs: docs('Get the length of the value stored in a key', '2.2.0', 'O(1)'), handler: strlen },
  { name: 'getrange', arity: 4, flags: ['readonly'], ...single, keySpecs: [rangeKeySpec(['RO', 'access'], 1)],
    docs: docs('Get a substring of the string stored at a key', '2.4.0', GETRANGE_COMPLEXITY), handler: getrange },
  { name: 'substr', arity: 4, flags: ['readonly'], ...single, keySpecs: [rangeKeySpec(['RO', 'access'], 1)],
    docs: docs('Get a substring of the string stored at a key', '1.0.0', GETRANGE_COMPLEXITY, {
      docFlags: ['deprecated'], deprecatedSince: '2.0.0', replacedBy: '`GETRANGE`',
    }),
    handler: getrange },
  { name: 'setrange', arity: 4, flags: ['write', 'denyoom'], ...single, keySpecs: [rangeKeySpec(['RW', 'update'], 1)],
    docs: docs('Overwrite part of a string at key starting at the specified offset', '2.2.0',
      'O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.'),
    handler: setrange },
  { name: 'lcs', arity: -3, flags: ['readonly'], firstKey: 1, lastKey: 2, step: 1,
    keySpecs: [rangeKeySpec(['RO', 'access'], 1, 1)],
    docs: docs('Find longest common substring', '7.0.0',
      'O(N*M) where N and M are the lengths of s1 and s2, respectively'),
    handler: lcs },
];

export const stringRangeCommands = family('string', commands);
