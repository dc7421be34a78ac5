/**
 * Set commands, part 2: operations over several sets — SINTER SINTERCARD SINTERSTORE SUNION
 * SUNIONSTORE SDIFF SDIFFSTORE. Mirrors redis t_set.c sinterGenericCommand() and
 * sunionDiffGenericCommand().
 *
 * Every key is looked up (a missing key is an empty set) before anything else happens, so a key
 * of another type anywhere in the list answers WRONGTYPE. Results that Redis builds as a new set
 * (unions, differences, stored intersections) are built here the same way, member by member
 * from an empty intset, so they have Redis's encoding (OBJECT ENCODING of a STORE result) and
 * reply order (ascending when the result is an intset). A STORE with an empty result deletes
 * the destination.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { parseInteger } from '../keyspace/bytes.js';
import { RedisSet } from '../datastructures/set.js';
import type { CommandContext, CommandDocs, CommandSpecInput, KeySpecFlag } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { family } from './command-table.js';
import { InvalidKeyArgs } from './key-specs.js';
import { readSet, replySet } from './set-commands.js';
import { ERR_LIMIT_NEGATIVE, ERR_NUMKEYS_NOT_POSITIVE, ERR_NUMKEYS_TOO_MANY, ERR_SYNTAX } from '../protocol/reply-errors.js';

// ---- The operations ----

/** Looks up every key, in order (each counts a hit or miss); WRONGTYPE at the first non-set. */
function readSets(ctx: CommandContext, keys: readonly Bytes[]): (RedisSet | undefined)[] {
  return keys.map((k) => readSet(ctx, k));
}

/**
 * The members of the intersection, in the iteration order of the smallest set (ties: the first
 * given), as Redis walks it; at most `limit` of them when limit > 0.
 */
function intersection(sets: readonly (RedisSet | undefined)[], limit = 0): Bytes[] {
  if (sets.some((s) => s === undefined)) return [];
  const bySize = (sets as RedisSet[]).slice().sort((a, b) => a.size - b.size);
  const smallest = bySize[0]!;
  const others = bySize.slice(1).filter((s) => s !== smallest);
  const out: Bytes[] = [];
  for (const m of smallest.members()) {
    if (!others.every((s) => s.has(m))) continue;
    out.push(m);
    if (out.length === limit) break;
  }
  return out;
}

/** The union, built as Redis builds it: every member of every set added to a new set. */
function union(sets: readonly (RedisSet | undefined)[], maxIntsetEntries: number): RedisSet {
  const out = new RedisSet();
  for (const s of sets) if (s !== undefined) for (const m of s.members()) out.add(m, maxIntsetEntries);
  return out;
}

/**
 * The first set minus the others, built with the algorithm Redis would choose, because the two
 * can leave different encodings: (1) add each member of the first set that no other set has, or
 * (2) add the whole first set and remove the others' members — after which the set stays a
 * hashtable if it became one, even when only integers remain. Redis takes (1) when
 * |first| × (number of existing sets) / 2 ≤ the sum of their sizes.
 */
function difference(sets: readonly (RedisSet | undefined)[], maxIntsetEntries: number): RedisSet {
  const out = new RedisSet();
  const first = sets[0];
  if (first === undefined || first.size === 0) return out;
  const present = sets.filter((s): s is RedisSet => s !== undefined);
  const others = present.slice(1);
  const algoOneWork = Math.floor((first.size * present.length) / 2);
  const algoTwoWork = present.reduce((sum, s) => sum + s.size, 0);
  if (algoOneWork <= algoTwoWork) {
    if (others.includes(first)) return out;
    for (const m of first.members()) if (!others.some((s) => s.has(m))) out.add(m, maxIntsetEntries);
    return out;
  }
  for (const m of first.members()) out.add(m, maxIntsetEntries);
  for (const s of others) {
    for (const m of s.members()) out.delete(m);
    if (out.size === 0) break;
  }
  return out;
}

/**
 * Stores a result under dst (replacing any value and TTL) and replies its size; an empty result
 * deletes dst instead.
 */
function store(ctx: CommandContext, dst: Bytes, result: RedisSet): void {
  if (result.size > 0) {
    ctx.db.set(dst, result);
    ctx.keyChanged(dst);
    // The event is the command's name: sinterstore, sunionstore, sdiffstore.
    ctx.notify('set', ctx.command.name, dst);
  } else if (ctx.db.delete(dst)) {
    ctx.keyChanged(dst);
    ctx.notify('generic', 'del', dst);
  }
  ctx.reply.integer(result.size);
}

const maxIntset = (ctx: CommandContext) => ctx.server.encodingLimits.setMaxIntsetEntries;

// ---- Intersection ----

/** SINTER key [key ...] → the members every set has (a set). */
function sinter(ctx: CommandContext, argv: readonly Bytes[]): void {
  const members = intersection(readSets(ctx, argv.slice(1)));
  ctx.reply.bulkSet(members);
}

/** SINTERSTORE destination key [key ...] → the size of the intersection stored at destination. */
function sinterstore(ctx: CommandContext, argv: readonly Bytes[]): void {
  const members = intersection(readSets(ctx, argv.slice(2)));
  store(ctx, argv[1]!, RedisSet.of(members, maxIntset(ctx)));
}

/** SINTERCARD's numkeys: an integer ≥ 1 that the arguments can hold. */
function readNumkeys(argv: readonly Bytes[]): number {
  const n = parseInteger(argv[1]!);
  if (n === undefined || n < 1) throw ERR_NUMKEYS_NOT_POSITIVE;
  if (n > argv.length - 2) throw ERR_NUMKEYS_TOO_MANY;
  return n;
}

/**
 * SINTERCARD numkeys key [key ...] [LIMIT limit] → the size of the intersection, counting at
 * most `limit` members when limit > 0 (LIMIT may repeat; the last one counts).
 */
function sintercard(ctx: CommandContext, argv: readonly Bytes[]): void {
  const numkeys = readNumkeys(argv);
  let limit = 0;
  for (let i = 2 + numkeys; i < argv.length; i++) {
    if (argv[i]!.toLowerCase() !== 'limit' || i + 1 >= argv.length) throw ERR_SYNTAX;
    const l = parseInteger(argv[++i]!);
    if (l === undefined || l < 0) throw ERR_LIMIT_NEGATIVE;
    limit = l;
  }
  ctx.reply.integer(intersection(readSets(ctx, argv.slice(2, 2 + numkeys)), limit).length);
}

/** SINTERCARD's keys (COMMAND GETKEYS, cluster checks): numkeys of them after numkeys. */
function sintercardKeys(argv: readonly Bytes[]): number[] {
  const n = parseInteger(argv[1] ?? '');
  if (n === undefined || n < 1 || n > argv.length - 2) throw new InvalidKeyArgs();
  return Array.from({ length: n }, (_, i) => i + 2);
}

// ---- Union and difference ----

/** SUNION key [key ...] → the members of any of the sets (a set). */
function sunion(ctx: CommandContext, argv: readonly Bytes[]): void {
  replySet(ctx, union(readSets(ctx, argv.slice(1)), maxIntset(ctx)));
}

/** SUNIONSTORE destination key [key ...] → the size of the union stored at destination. */
function sunionstore(ctx: CommandContext, argv: readonly Bytes[]): void {
  store(ctx, argv[1]!, union(readSets(ctx, argv.slice(2)), maxIntset(ctx)));
}

/** SDIFF key [key ...] → the members of the first set that none of the others has (a set). */
function sdiff(ctx: CommandContext, argv: readonly Bytes[]): void {
  replySet(ctx, difference(readSets(ctx, argv.slice(1)), maxIntset(ctx)));
}

/** SDIFFSTORE destination key [key ...] → the size of the difference stored at destination. */
function sdiffstore(ctx: CommandContext, argv: readonly Bytes[]): void {
  store(ctx, argv[1]!, difference(readSets(ctx, argv.slice(2)), maxIntset(ctx)));
}

// ---- Command table ----

const O_NM = 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.';
const O_N = 'O(N) where N is the total number of elements in all given sets.';

function docs(summary: string, complexity: string, since = '1.0.0'): CommandDocs {
  return { summary, since, group: 'set', complexity };
}

/** A read over every key from argv[1] on. */
const readAll = {
  firstKey: 1, lastKey: -1, step: 1, keySpecs: [rangeKeySpec(['RO', 'access'], 1, -1)],
  tips: ['nondeterministic_output_order'],
};

/** A destination at argv[1], then sources to the end. */
function storeKeys(dstFlags: KeySpecFlag[]) {
  return {
    firstKey: 1, lastKey: -1, step: 1,
    keySpecs: [rangeKeySpec(dstFlags, 1), rangeKeySpec(['RO', 'access'], 2, -1)],
  };
}

const commands: CommandSpecInput[] = [
  { name: 'sinter', arity: -2, flags: ['readonly'], ...readAll, docs: docs('Intersect multiple sets', O_NM), handler: sinter },
  { name: 'sintercard', arity: -3, flags: ['readonly'],
    keySpecs: [{ flags: ['RO', 'access'], begin: { index: 1 }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } }],
    getKeys: sintercardKeys,
    docs: docs('Intersect multiple sets and return the cardinality of the result', O_NM, '7.0.0'), handler: sintercard },
  { name: 'sinterstore', arity: -3, flags: ['write', 'denyoom'], ...storeKeys(['RW', 'update']),
    docs: docs('Intersect multiple sets and store the resulting set in a key', O_NM), handler: sinterstore },
  { name: 'sunion', arity: -2, flags: ['readonly'], ...readAll, docs: docs('Add multiple sets', O_N), handler: sunion },
  { name: 'sunionstore', arity: -3, flags: ['write', 'denyoom'], ...storeKeys(['OW', 'update']),
    docs: docs('Add multiple sets and store the resulting set in a key', O_N), handler: sunionstore },
  { name: 'sdiff', arity: -2, flags: ['readonly'], ...readAll, docs: docs('Subtract multiple sets', O_N), handler: sdiff },
  { name: 'sdiffstore', arity: -3, flags: ['write', 'denyoom'], ...storeKeys(['OW', 'update']),
    docs: docs('Subtract multiple sets and store the resulting set in a key', O_N), handler: sdiffstore },
];

export const setAlgebraCommands = family('set', commands);
