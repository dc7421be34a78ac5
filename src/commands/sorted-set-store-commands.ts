/**
 * Sorted set commands, part 3: set algebra — ZUNION ZINTER ZDIFF, their STORE forms ZUNIONSTORE
 * ZINTERSTORE ZDIFFSTORE, and ZINTERCARD. Mirrors redis t_zset.c zunionInterDiffGenericCommand()
 * and zinterCardCommand().
 *
 * Inputs may be sorted sets or plain sets (whose members count with score 1), as in Redis. Union
 * and intersection take the inputs smallest first (a stable sort by size, as Redis's qsort of
 * them), so that floating-point sums add up in Redis's order: each input's score is multiplied
 * by its weight (NaN from 0 × inf becomes 0, except for the later inputs of an intersection),
 * then combined with SUM (inf + -inf gives 0), MIN or MAX. A difference keeps the first input's scores. Results are sorted sets; the STORE forms
 * store them in the encoding their content calls for, or delete the destination when empty.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { parseDouble, parseInteger } from '../keyspace/bytes.js';
import type { CommandContext, CommandDocs, CommandSpecInput, KeySpec } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { family } from './command-table.js';
import { keysFromSpecs } from './key-specs.js';
import type { SortedSet } from '../datastructures/sorted-set.js';
import type { RedisSet } from '../datastructures/set.js';
import { replyEntries, storeEntries } from './sorted-set-common.js';
import {
  ERR_LIMIT_NEGATIVE,
  ERR_NOT_INTEGER,
  ERR_SYNTAX,
  ERR_WEIGHT_NOT_FLOAT,
  WRONGTYPE,
  atLeastOneKey,
} from '../protocol/reply-errors.js';

// ---- Inputs ----

/** One input key: a sorted set, a plain set, or nothing (missing), and its weight. */
interface Source {
  zset: SortedSet | undefined;
  set: RedisSet | undefined;
  weight: number;
}

function sizeOf(s: Source): number {
  return s.zset?.size ?? s.set?.size ?? 0;
}

/** The member's score in the input (1 for a plain set's member), undefined if absent. */
function scoreIn(s: Source, member: Bytes): number | undefined {
  if (s.zset !== undefined) return s.zset.score(member);
  return s.set?.has(member) ? 1 : undefined;
}

/** Visits every member of the input with its score. */
function forEachIn(s: Source, visit: (member: Bytes, score: number) => void): void {
  if (s.zset !== undefined) s.zset.walkRank(0, false, s.zset.size, visit);
  else if (s.set !== undefined) for (const m of s.set.members()) visit(m, 1);
}

/** Looks the keys up: each a sorted set, a set or missing; WRONGTYPE for anything else. */
function readSources(ctx: CommandContext, keys: readonly Bytes[]): Source[] {
  return keys.map((key) => {
    const v = ctx.db.getForRead(key);
    if (v === undefined) return { zset: undefined, set: undefined, weight: 1 };
    if (typeof v === 'string') throw WRONGTYPE;
    if (v.type === 'zset') return { zset: v as SortedSet, set: undefined, weight: 1 };
    if (v.type === 'set') return { zset: undefined, set: v as RedisSet, weight: 1 };
    throw WRONGTYPE;
  });
}

/** numkeys at argv[at]: an integer (else "not an integer"), ≥ 1, and no more than the arguments hold. */
function readNumkeys(argv: readonly Bytes[], at: number, command: string): number {
  const n = parseInteger(argv[at]!);
  if (n === undefined) throw ERR_NOT_INTEGER;
  if (n < 1) throw atLeastOneKey(command);
  if (n > argv.length - at - 1) throw ERR_SYNTAX;
  return n;
}

// ---- The operations ----

type Operation = 'union' | 'inter' | 'diff';
type Aggregate = 'sum' | 'min' | 'max';

/** The weighted score of an input's member: NaN (0 × ±inf) counts as 0. */
function weighted(weight: number, score: number): number {
  const v = weight * score;
  return Number.isNaN(v) ? 0 : v;
}

function combine(how: Aggregate, acc: number, v: number): number {
  if (how === 'sum') {
    const s = acc + v;
    return Number.isNaN(s) ? 0 : s;
  }
  if (how === 'min') return v < acc ? v : acc;
  return v > acc ? v : acc;
}

/** The result of an operation as member → score. */
function compute(op: Operation, sources: Source[], how: Aggregate): Map<Bytes, number> {
  const out = new Map<Bytes, number>();
  if (op === 'diff') {
    const [first, ...rest] = sources;
    forEachIn(first!, (m, s) => {
      if (!rest.some((src) => scoreIn(src, m) !== undefined)) out.set(m, s);
    });
    return out;
  }
  const ordered = sources.slice().sort((a, b) => sizeOf(a) - sizeOf(b));
  if (op === 'union') {
    for (const src of ordered) {
      forEachIn(src, (m, s) => {
        const v = weighted(src.weight, s);
        const acc = out.get(m);
        out.set(m, acc === undefined ? v : combine(how, acc, v));
      });
    }
    return out;
  }
  const [smallest, ...others] = ordered;
  if (sizeOf(smallest!) === 0) return out;
  forEachIn(smallest!, (m, s) => {
    let acc = weighted(smallest!.weight, s);
    for (const src of others) {
      const other = scoreIn(src, m);
      if (other === undefined) return;
      // Only the first input's weighted score has NaN replaced by 0 (Redis does the same).
      acc = combine(how, acc, src.weight * other);
    }
    out.set(m, acc);
  });
  return out;
}

/** The result as entries sorted by (score, member). */
function sortedEntries(result: Map<Bytes, number>): [Bytes, number][] {
  return [...result].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * The shared body: `[dst] numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]
 * [WITHSCORES]` (no WEIGHTS / AGGREGATE for ZDIFF, no WITHSCORES for the STORE forms). The keys
 * are looked up before the options are read, as Redis does.
 */
function setOperation(op: Operation, store: boolean, command: string) {
  return (ctx: CommandContext, argv: readonly Bytes[]): void => {
    const at = store ? 2 : 1;
    const numkeys = readNumkeys(argv, at, command);
    const sources = readSources(ctx, argv.slice(at + 1, at + 1 + numkeys));
    let how: Aggregate = 'sum';
    let withScores = false;
    for (let j = at + 1 + numkeys; j < argv.length; j++) {
      const opt = argv[j]!.toLowerCase();
      const left = argv.length - j - 1;
      if (op !== 'diff' && opt === 'weights' && left >= numkeys) {
        for (let i = 0; i < numkeys; i++) {
          const w = parseDouble(argv[++j]!);
          if (w === undefined) throw ERR_WEIGHT_NOT_FLOAT;
          sources[i]!.weight = w;
        }
      } else if (op !== 'diff' && opt === 'aggregate' && left >= 1) {
        const a = argv[++j]!.toLowerCase();
        if (a !== 'sum' && a !== 'min' && a !== 'max') throw ERR_SYNTAX;
        how = a;
      } else if (!store && opt === 'withscores') {
        withScores = true;
      } else {
        throw ERR_SYNTAX;
      }
    }
    const entries = sortedEntries(compute(op, sources, how));
    if (store) {
      storeEntries(ctx, argv[1]!, entries);
    } else {
      replyEntries(ctx, entries.map(([m]) => m), withScores ? entries.map(([, s]) => s) : undefined);
    }
  };
}

/**
 * ZINTERCARD numkeys key [key ...] [LIMIT limit] → the size of the intersection, counting at most
 * `limit` members when limit > 0. As in Redis, the keys are looked up before LIMIT is read.
 */
function zintercard(ctx: CommandContext, argv: readonly Bytes[]): void {
  const numkeys = readNumkeys(argv, 1, 'zintercard');
  const sources = readSources(ctx, argv.slice(2, 2 + numkeys));
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    if (argv[j]!.toLowerCase() !== 'limit' || j + 1 >= argv.length) throw ERR_SYNTAX;
    const l = parseInteger(argv[++j]!);
    if (l === undefined || l < 0) throw ERR_LIMIT_NEGATIVE;
    limit = l;
  }
  const [smallest, ...others] = sources.slice().sort((a, b) => sizeOf(a) - sizeOf(b));
  let count = 0;
  if (sizeOf(smallest!) > 0) {
    const members: Bytes[] = [];
    forEachIn(smallest!, (m) => void members.push(m));
    for (const m of members) {
      if (others.every((src) => scoreIn(src, m) !== undefined)) count++;
      if (limit > 0 && count >= limit) break;
    }
  }
  ctx.reply.integer(count);
}

// ---- Command table ----

function docs(summary: string, since: string, complexity: string): CommandDocs {
  return { summary, since, group: 'sorted-set', complexity };
}

/** Key positions from the key specs (numkeys-driven, so COMMAND GETKEYS needs the argv). */
function keysBy(specs: KeySpec[]) {
  return (argv: readonly Bytes[]) => keysFromSpecs(specs, argv).map((k) => k.pos);
}

const readSpecs: KeySpec[] = [{ flags: ['RO', 'access'], begin: { index: 1 }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } }];
const storeSpecs: KeySpec[] = [
  rangeKeySpec(['OW', 'update'], 1),
  { flags: ['RO', 'access'], begin: { index: 2 }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } },
];
const reader = { keySpecs: readSpecs, getKeys: keysBy(readSpecs) };
const storer = { firstKey: 1, lastKey: 1, step: 1, keySpecs: storeSpecs, getKeys: keysBy(storeSpecs) };

const O_UNION =
  'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.';
const O_INTER =
  'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.';
const O_DIFF =
  'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.';

const commands: CommandSpecInput[] = [
  { name: 'zunion', arity: -3, flags: ['readonly'], ...reader,
    docs: docs('Add multiple sorted sets', '6.2.0', O_UNION), handler: setOperation('union', false, 'zunion') },
  { name: 'zinter', arity: -3, flags: ['readonly'], ...reader,
    docs: docs('Intersect multiple sorted sets', '6.2.0', O_INTER), handler: setOperation('inter', false, 'zinter') },
  { name: 'zdiff', arity: -3, flags: ['readonly'], ...reader,
    docs: docs('Subtract multiple sorted sets', '6.2.0', O_DIFF), handler: setOperation('diff', false, 'zdiff') },
  { name: 'zunionstore', arity: -4, flags: ['write', 'denyoom'], ...storer,
    docs: docs('Add multiple sorted sets and store the resulting sorted set in a new key', '2.0.0',
      'O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.'),
    handler: setOperation('union', true, 'zunionstore') },
  { name: 'zinterstore', arity: -4, flags: ['write', 'denyoom'], ...storer,
    docs: docs('Intersect multiple sorted sets and store the resulting sorted set in a new key', '2.0.0', O_INTER),
    handler: setOperation('inter', true, 'zinterstore') },
  { name: 'zdiffstore', arity: -4, flags: ['write', 'denyoom'], ...storer,
    docs: docs('Subtract multiple sorted sets and store the resulting sorted set in a new key', '6.2.0', O_DIFF),
    handler: setOperation('diff', true, 'zdiffstore') },
  { name: 'zintercard', arity: -3, flags: ['readonly'], ...reader,
    docs: docs('Intersect multiple sorted sets and return the cardinality of the result', '7.0.0',
      'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.'),
    handler: zintercard },
];

export const sortedSetStoreCommands = family('sortedset', commands);
