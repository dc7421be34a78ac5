/**
 * What the two list command files share: typed lookups, LEFT|RIGHT arguments, the pop of one end
 * that deletes an emptied list, the LMOVE step (used by LMOVE, RPOPLPUSH, BLMOVE, BRPOPLPUSH) and
 * the LMPOP argument reader and step (LMPOP, BLMPOP). Not a family (it registers no commands).
 * Mirrors the helpers of redis t_list.c (listTypePop, lmoveHandlePush, getListPositionFromObjectOrReply,
 * mpopGenericCommand's argument checks).
 */
import type { Bytes } from '../keyspace/bytes.js';
import { parseInteger } from '../keyspace/bytes.js';
import type { CommandContext, KeySpec } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { RedisList } from '../datastructures/list.js';
import { ERR_COUNT_NOT_POSITIVE, ERR_NUMKEYS_NOT_POSITIVE, ERR_SYNTAX } from '../protocol/reply-errors.js';

/** The list at key for reading (counts a keyspace hit or miss), undefined when missing; WRONGTYPE otherwise. */
export function readList(ctx: CommandContext, key: Bytes): RedisList | undefined {
  return ctx.db.getTyped(key, 'list') as RedisList | undefined;
}

/** The list at key for a write (no hit/miss counting), undefined when missing; WRONGTYPE otherwise. */
export function writeList(ctx: CommandContext, key: Bytes): RedisList | undefined {
  return ctx.db.getTypedForWrite(key, 'list') as RedisList | undefined;
}

/**
 * After elements were removed: deletes the key if the list became empty, signals the change and
 * publishes `event` (lpop, rpop, lrem...), then "del" if the key was deleted, as Redis does.
 */
export function afterRemoval(ctx: CommandContext, key: Bytes, list: RedisList, event: string): void {
  const emptied = list.length === 0;
  if (emptied) ctx.db.delete(key);
  ctx.keyChanged(key);
  ctx.notify('list', event, key);
  if (emptied) ctx.notify('generic', 'del', key);
}

/** LEFT or RIGHT (any case) → true for LEFT; anything else is a syntax error. */
export function readLeft(arg: Bytes): boolean {
  const s = arg.toLowerCase();
  if (s === 'left') return true;
  if (s === 'right') return false;
  throw ERR_SYNTAX;
}

/**
 * The LMOVE step: pops from one end of `src` and pushes onto one end of `dst` (which may be the
 * same list: a rotation). Returns the element, or undefined when src is missing (dst is then not
 * even looked at, as in Redis). WRONGTYPE for either key of another type, before any change.
 * Signals dst, then src, as Redis does.
 */
export function moveElement(ctx: CommandContext, src: Bytes, dst: Bytes, fromLeft: boolean, toLeft: boolean): Bytes | undefined {
  const from = writeList(ctx, src);
  if (from === undefined) return undefined;
  let to = src === dst ? from : writeList(ctx, dst);
  const v = fromLeft ? from.popFront()! : from.popBack()!;
  if (to === undefined) {
    to = new RedisList();
    ctx.db.set(dst, to);
  }
  if (toLeft) to.pushFront(v);
  else to.pushBack(v);
  ctx.keyChanged(dst);
  ctx.notify('list', toLeft ? 'lpush' : 'rpush', dst);
  const popEvent = fromLeft ? 'lpop' : 'rpop';
  if (src !== dst) afterRemoval(ctx, src, from, popEvent);
  else ctx.notify('list', popEvent, src);
  return v;
}

// ---- LMPOP / BLMPOP ----

/** LMPOP's arguments after numkeys' position. */
export interface MpopArgs {
  keys: Bytes[];
  left: boolean;
  count: number;
}

/**
 * Reads `numkeys key [key ...] LEFT|RIGHT [COUNT count]` starting at argv[at], with Redis's texts:
 * numkeys must be a positive integer ("numkeys should be greater than 0") no larger than the
 * arguments that follow allow (else a syntax error), COUNT a positive integer given once.
 */
export function readMpop(argv: readonly Bytes[], at: number): MpopArgs {
  const numkeys = parseInteger(argv[at]!);
  if (numkeys === undefined || numkeys < 1) throw ERR_NUMKEYS_NOT_POSITIVE;
  if (numkeys > argv.length - at - 2) throw ERR_SYNTAX;
  const keys = argv.slice(at + 1, at + 1 + numkeys);
  let i = at + 1 + numkeys;
  const left = readLeft(argv[i++]!);
  let count = 0;
  for (; i < argv.length; i++) {
    if (count === 0 && argv[i]!.toLowerCase() === 'count' && i + 1 < argv.length) {
      const c = parseInteger(argv[++i]!);
      if (c === undefined || c < 1) throw ERR_COUNT_NOT_POSITIVE;
      count = c;
    } else {
      throw ERR_SYNTAX;
    }
  }
  return { keys, left, count: count === 0 ? 1 : count };
}

/**
 * The LMPOP step: pops up to `count` elements from the first non-empty list among the keys
 * (WRONGTYPE for a key of another type met on the way), replies [key, [elements]] and propagates
 * LPOP|RPOP key <popped>. False, with nothing written, when every key is missing.
 */
export function serveMpop(ctx: CommandContext, a: MpopArgs): boolean {
  for (const key of a.keys) {
    const list = writeList(ctx, key);
    if (list === undefined) continue;
    const n = Math.min(a.count, list.length);
    ctx.reply.arrayHeader(2);
    ctx.reply.bulk(key);
    ctx.reply.arrayHeader(n);
    for (let i = 0; i < n; i++) ctx.reply.bulk(a.left ? list.popFront()! : list.popBack()!);
    afterRemoval(ctx, key, list, a.left ? 'lpop' : 'rpop');
    ctx.propagateAs([a.left ? 'LPOP' : 'RPOP', key, String(n)]);
    return true;
  }
  return false;
}

// ---- Shared command-table pieces ----

/** LMOVE's, RPOPLPUSH's, BLMOVE's and BRPOPLPUSH's key specs: the source, then the destination. */
export const moveKeySpecs: KeySpec[] = [rangeKeySpec(['RW', 'access', 'delete'], 1), rangeKeySpec(['RW', 'insert'], 2)];

/** LMPOP's (numkeys at argv[1]) and BLMPOP's (at argv[2]) key spec: numkeys, then the keys. */
export function mpopKeySpecs(index: number): KeySpec[] {
  return [{ flags: ['RW', 'access', 'delete'], begin: { index }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } }];
}

/** LMPOP's and BLMPOP's complexity text. */
export const O_MPOP = 'O(N+M) where N is the number of provided keys and M is the number of elements returned.';
