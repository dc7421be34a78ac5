/**
 * SORT and SORT_RO: the elements of a list, set or sorted set, sorted numerically or by bytes,
 * possibly by other keys' values (BY), returning other keys' values (GET), and for SORT stored as
 * a list (STORE). Mirrors redis sort.c sortCommandGeneric() and lookupKeyByPattern().
 *
 *   SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA]
 *        [STORE destination]
 *
 * A pattern's first `*` is replaced by the element; `->field` after it names a hash field; the
 * pattern `#` is the element itself. A BY pattern without `*` (e.g. "nosort") skips sorting: the
 * elements come in the collection's own order (a list's or sorted set's, reversed by DESC), except
 * that an unsorted set to be stored is sorted by bytes, as Redis does to keep replicas identical.
 */
import { parseDouble, type Bytes } from '../keyspace/bytes.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import type { RedisValue } from '../keyspace/redis-value.js';
import { RedisList } from '../datastructures/list.js';
import type { RedisSet } from '../datastructures/set.js';
import type { RedisHash } from '../datastructures/hash.js';
import type { SortedSet } from '../datastructures/sorted-set.js';
import type { CommandContext, CommandSpecInput } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { family } from './command-table.js';
import { intArg } from './arg-cursor.js';
import { ERR_SYNTAX, WRONGTYPE, replyError } from '../protocol/reply-errors.js';

const ERR_SORT_SCORE = replyError("ERR One or more scores can't be converted into double");

/** SORT's options, as parsed. */
interface SortOptions {
  by: Bytes | undefined;
  /** BY without '*': keep the collection's order. */
  dontSort: boolean;
  offset: number;
  count: number;
  gets: Bytes[];
  desc: boolean;
  alpha: boolean;
  store: Bytes | undefined;
}

function readSortOptions(argv: readonly Bytes[], allowStore: boolean): SortOptions {
  const o: SortOptions = {
    by: undefined, dontSort: false, offset: 0, count: -1, gets: [], desc: false, alpha: false, store: undefined,
  };
  for (let i = 2; i < argv.length; i++) {
    const opt = argv[i]!.toLowerCase();
    const left = argv.length - i - 1;
    if (opt === 'asc') o.desc = false;
    else if (opt === 'desc') o.desc = true;
    else if (opt === 'alpha') o.alpha = true;
    else if (opt === 'limit' && left >= 2) {
      o.offset = intArg(argv[i + 1]!);
      o.count = intArg(argv[i + 2]!);
      i += 2;
    } else if (opt === 'store' && left >= 1 && allowStore) {
      o.store = argv[++i]!;
    } else if (opt === 'by' && left >= 1) {
      o.by = argv[++i]!;
      // A pattern without '*' names no per-element key: Redis then skips sorting.
      o.dontSort = !o.by.includes('*');
    } else if (opt === 'get' && left >= 1) {
      o.gets.push(argv[++i]!);
    } else {
      throw ERR_SYNTAX;
    }
  }
  return o;
}

/**
 * The value a pattern names for an element (Redis lookupKeyByPattern): `#` → the element; else
 * the string at the key made by replacing the first `*`, or with `->field`, that field of the
 * hash there. Missing keys, wrong types and a pattern without `*` give undefined.
 */
function lookupByPattern(db: Keyspace, pattern: Bytes, element: Bytes): Bytes | undefined {
  if (pattern === '#') return element;
  const star = pattern.indexOf('*');
  if (star < 0) return undefined;
  const arrow = pattern.indexOf('->', star + 1);
  const hasField = arrow >= 0 && arrow + 2 < pattern.length;
  const keyEnd = hasField ? arrow : pattern.length;
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, keyEnd);
  const v = db.getForRead(key);
  if (v === undefined) return undefined;
  if (hasField) {
    if (typeof v === 'string' || v.type !== 'hash') return undefined;
    return (v as RedisHash).get(pattern.slice(arrow + 2));
  }
  return typeof v === 'string' ? v : undefined;
}

/**
 * A sort score as Redis reads one (strtod over the whole string): leading white space is
 * skipped, and the empty string, where strtod converts nothing and stops at the end, is 0.
 */
function sortScore(s: Bytes): number {
  if (s === '') return 0;
  const v = parseDouble(s.replace(/^[ \t\n\v\f\r]+/, ''));
  if (v === undefined) throw ERR_SORT_SCORE;
  return v;
}

/** Byte order of latin1 strings (memcmp). */
function compareBytes(a: Bytes, b: Bytes): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The elements of the value to sort, all of them, in the collection's own order. */
function elementsOf(v: RedisValue): Bytes[] {
  if (typeof v === 'string') throw WRONGTYPE;
  switch (v.type) {
    case 'list':
      return (v as RedisList).toArray();
    case 'set':
      return [...(v as RedisSet).members()];
    case 'zset': {
      const z = v as SortedSet;
      const members: Bytes[] = [];
      z.walkRank(0, false, z.size, (member) => {
        members.push(member);
      });
      return members;
    }
    default:
      throw WRONGTYPE;
  }
}

/** Clamps LIMIT to [start, end] within n elements, as Redis does (end < start: nothing). */
function limitRange(o: SortOptions, n: number): [number, number] {
  let start = o.offset < 0 ? 0 : o.offset;
  let end = o.count < 0 ? n - 1 : start + o.count - 1;
  if (start >= n) {
    start = n - 1;
    end = n - 2;
  }
  if (end >= n) end = n - 1;
  return [start, end];
}

/** The sorted (or, for dontSort, ordered) elements selected by LIMIT. */
function sortedElements(db: Keyspace, v: RedisValue, o: SortOptions): Bytes[] {
  let all = elementsOf(v);
  let dontSort = o.dontSort;
  let alpha = o.alpha;
  let by = o.by;
  if (dontSort && typeof v !== 'string' && v.type === 'set' && o.store !== undefined) {
    // A set's order is not the same on a replica: sort what is stored, by bytes.
    dontSort = false;
    alpha = true;
    by = undefined;
  }
  if (dontSort) {
    if (o.desc && typeof v !== 'string' && v.type !== 'set') all = all.reverse();
    const [start, end] = limitRange(o, all.length);
    return all.slice(start, end + 1);
  }
  const items = all.map((element) => ({ element, score: 0, cmp: undefined as Bytes | undefined }));
  for (const item of items) {
    const byValue = by === undefined ? item.element : lookupByPattern(db, by, item.element);
    if (alpha) {
      if (by !== undefined) item.cmp = byValue;
    } else if (byValue !== undefined) {
      item.score = sortScore(byValue);
    }
  }
  const sign = o.desc ? -1 : 1;
  if (!alpha) {
    items.sort((a, b) => sign * (a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.element, b.element)));
  } else if (by !== undefined) {
    items.sort((a, b) => {
      if (a.cmp === undefined || b.cmp === undefined) return sign * (a.cmp === b.cmp ? 0 : a.cmp === undefined ? -1 : 1);
      return sign * compareBytes(a.cmp, b.cmp);
    });
  } else {
    // COMPAT: Redis compares with strcoll(), which follows the server's locale; Kioku compares
    // bytes, which is what strcoll does in the C locale of the official images.
    items.sort((a, b) => sign * compareBytes(a.element, b.element));
  }
  const [start, end] = limitRange(o, items.length);
  return items.slice(start, end + 1).map((x) => x.element);
}

/** SORT / SORT_RO: see the file comment. Replies the elements (or GET values, nil when missing); with STORE, their count. */
function sortGeneric(ctx: CommandContext, argv: readonly Bytes[], allowStore: boolean): void {
  const o = readSortOptions(argv, allowStore);
  const key = argv[1]!;
  // A read lookup also with STORE, as Redis (keyspace hits/misses, the "keymiss" event).
  const v = ctx.db.getForRead(key);
  const selected = v === undefined ? [] : sortedElements(ctx.db, v, o);
  const out: (Bytes | undefined)[] = [];
  for (const element of selected) {
    if (o.gets.length === 0) out.push(element);
    else for (const pattern of o.gets) out.push(lookupByPattern(ctx.db, pattern, element));
  }
  if (o.store === undefined) {
    ctx.reply.arrayHeader(out.length);
    for (const x of out) ctx.reply.bulk(x);
    return;
  }
  if (out.length > 0) {
    ctx.db.set(o.store, RedisList.from(out.map((x) => x ?? '')));
    ctx.keyChanged(o.store);
    ctx.notify('list', 'sortstore', o.store);
  } else if (ctx.db.delete(o.store)) {
    ctx.keyChanged(o.store);
    ctx.notify('generic', 'del', o.store);
  }
  ctx.reply.integer(out.length);
}

function sort(ctx: CommandContext, argv: readonly Bytes[]): void {
  sortGeneric(ctx, argv, true);
}

function sortRo(ctx: CommandContext, argv: readonly Bytes[]): void {
  sortGeneric(ctx, argv, false);
}

/**
 * SORT's keys (Redis sortGetKeys): the sorted key, and the STORE destination (the last one, when
 * repeated). BY and GET patterns are not keys. Options with arguments are skipped whole.
 */
function sortGetKeys(argv: readonly Bytes[]): number[] {
  const keys = [1];
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    const opt = argv[i]!.toLowerCase();
    if (opt === 'limit') i += 2;
    else if (opt === 'get' || opt === 'by') i += 1;
    else if (opt === 'store' && i + 1 < argv.length) store = ++i;
  }
  if (store > 0) keys.push(store);
  return keys;
}

const BY_GET_NOTES =
  "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort";
const STORE_NOTES =
  "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array";
const COMPLEXITY =
  'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. ' +
  'When the elements are not sorted, complexity is O(N).';

const commands: CommandSpecInput[] = [
  {
    name: 'sort', arity: -2, flags: ['write', 'denyoom'], acl: ['set', 'sortedset', 'list', 'dangerous'],
    firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [
      rangeKeySpec(['RO', 'access'], 1),
      { notes: BY_GET_NOTES, flags: ['RO', 'access'], begin: 'unknown', find: 'unknown' },
      { notes: STORE_NOTES, flags: ['OW', 'update'], begin: 'unknown', find: 'unknown' },
    ],
    getKeys: sortGetKeys,
    docs: { summary: 'Sort the elements in a list, set or sorted set', since: '1.0.0', group: 'generic', complexity: COMPLEXITY },
    handler: sort,
  },
  {
    name: 'sort_ro', arity: -2, flags: ['readonly'], acl: ['set', 'sortedset', 'list', 'dangerous'],
    firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [
      rangeKeySpec(['RO', 'access'], 1),
      { notes: BY_GET_NOTES, flags: ['RO', 'access'], begin: 'unknown', find: 'unknown' },
    ],
    getKeys: () => [1],
    docs: { summary: 'Sort the elements in a list, set or sorted set. Read-only variant of SORT.', since: '7.0.0', group: 'generic', complexity: COMPLEXITY },
    handler: sortRo,
  },
];

export const sortCommands = family(undefined, commands);
