/**
 * Blocking list commands: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP. Mirrors redis t_list.c
 * (blockingPopGenericCommand, blmoveGenericCommand, blmpopCommand) on top of Kioku's blocking
 * mechanism (blocking.ts; ctx.block).
 *
 * Each handler parses its arguments (in Redis's order: BLMOVE and BLMPOP check their other
 * arguments before the timeout), then tries to serve exactly as the non-blocking form does. When
 * every key is missing it calls ctx.block and returns without a reply; the command runs again
 * from the start when a key it waits on is written and holds a list, so serving is the same code
 * either way. A wait that ends without data replies a null array (RESP2 *-1, RESP3 _), for BLMOVE
 * and BRPOPLPUSH too, as Redis 7.0 does.
 *
 * Propagation (AOF, replicas) is the non-blocking effect, as Redis 7.0 does: BLPOP/BRPOP → LPOP|RPOP
 * key, BLMOVE → LMOVE src dst <from> <to>, BRPOPLPUSH → RPOPLPUSH src dst, BLMPOP → LPOP|RPOP key
 * <popped> (checked against redis-server 7.0's AOF). A timeout propagates nothing.
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { CommandContext, CommandDocs, CommandSpecInput } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { family } from './command-table.js';
import { keysFromSpecs } from './key-specs.js';
import { blockingDeadline } from './blocking-timeout.js';
import { afterRemoval, moveElement, moveKeySpecs, mpopKeySpecs, O_MPOP, readLeft, readMpop, serveMpop, writeList } from './list-common.js';

/**
 * BLPOP / BRPOP key [key ...] timeout → [key, element] from the first non-empty list in argument
 * order (WRONGTYPE for a key of another type met before it), or block until one is pushed; a null
 * array at the timeout.
 */
function bpop(left: boolean) {
  return (ctx: CommandContext, argv: readonly Bytes[]): void => {
    const deadline = blockingDeadline(ctx, argv[argv.length - 1]!);
    const keys = argv.slice(1, -1);
    for (const key of keys) {
      const list = writeList(ctx, key);
      if (list === undefined) continue;
      const v = left ? list.popFront()! : list.popBack()!;
      ctx.reply.arrayHeader(2);
      ctx.reply.bulk(key);
      ctx.reply.bulk(v);
      afterRemoval(ctx, key, list, left ? 'lpop' : 'rpop');
      ctx.propagateAs([left ? 'LPOP' : 'RPOP', key]);
      return;
    }
    ctx.block({ keys, type: 'list', deadline, onTimeout: (r) => r.nullArray() });
  };
}

/** The LMOVE step of BLMOVE / BRPOPLPUSH, or block on the source; `propagated` is the LMOVE form. */
function moveOrBlock(
  ctx: CommandContext,
  src: Bytes,
  dst: Bytes,
  fromLeft: boolean,
  toLeft: boolean,
  deadline: number,
  propagated: Bytes[],
): void {
  const v = moveElement(ctx, src, dst, fromLeft, toLeft);
  if (v === undefined) {
    // Redis 7.0 times these out with a null array too (RESP2 *-1), although a served reply is a
    // bulk; inside MULTI/EXEC they reply a null bulk.
    ctx.block({
      keys: [src], type: 'list', deadline, onTimeout: (r) => r.nullArray(), onCannotBlock: (r) => r.nullBulk(),
    });
    return;
  }
  ctx.propagateAs(propagated);
  ctx.reply.bulk(v);
}

/**
 * BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout → the element moved, or block until
 * source gets one; a null array at the timeout. A destination of another type is WRONGTYPE once
 * there is something to move (also for a client woken up: it gets the error and the element stays).
 */
function blmove(ctx: CommandContext, argv: readonly Bytes[]): void {
  const fromLeft = readLeft(argv[3]!);
  const toLeft = readLeft(argv[4]!);
  const deadline = blockingDeadline(ctx, argv[5]!);
  const [src, dst] = [argv[1]!, argv[2]!];
  // Redis 7.0 propagates the directions as they were written (checked in its AOF), but in
  // lowercase when the client is served after blocking (checked in its replication stream).
  const served = ctx.client.blocked !== undefined;
  const from = served ? (fromLeft ? 'left' : 'right') : argv[3]!;
  const to = served ? (toLeft ? 'left' : 'right') : argv[4]!;
  moveOrBlock(ctx, src, dst, fromLeft, toLeft, deadline, ['LMOVE', src, dst, from, to]);
}

/** BRPOPLPUSH source destination timeout: BLMOVE source destination RIGHT LEFT timeout. */
function brpoplpush(ctx: CommandContext, argv: readonly Bytes[]): void {
  const deadline = blockingDeadline(ctx, argv[3]!);
  const [src, dst] = [argv[1]!, argv[2]!];
  moveOrBlock(ctx, src, dst, false, true, deadline, ['RPOPLPUSH', src, dst]);
}

/**
 * BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] → LMPOP's reply, or block until
 * one of the lists gets elements; a null array at the timeout.
 */
function blmpop(ctx: CommandContext, argv: readonly Bytes[]): void {
  const args = readMpop(argv, 2);
  const deadline = blockingDeadline(ctx, argv[1]!);
  if (serveMpop(ctx, args)) return;
  ctx.block({ keys: args.keys, type: 'list', deadline, onTimeout: (r) => r.nullArray() });
}

// ---- Command table ----

function docs(summary: string, since: string, complexity: string, extra: Partial<CommandDocs> = {}): CommandDocs {
  return { summary, since, group: 'list', complexity, ...extra };
}

const O_KEYS = 'O(N) where N is the number of provided keys.';
const MOVE_OR_BLOCK = 'Pop an element from a list, push it to another list and return it; or block until one is available';
const blocking = ['write', 'noscript', 'blocking'] as const;
const moveKeys = { firstKey: 1, lastKey: 2, step: 1, keySpecs: moveKeySpecs } as const;
const blmpopSpecs = mpopKeySpecs(2);

const commands: CommandSpecInput[] = [
  { name: 'blpop', arity: -3, flags: [...blocking], firstKey: 1, lastKey: -2, step: 1,
    keySpecs: [rangeKeySpec(['RW', 'access', 'delete'], 1, -2)],
    docs: docs('Remove and get the first element in a list, or block until one is available', '2.0.0', O_KEYS),
    handler: bpop(true) },
  { name: 'brpop', arity: -3, flags: [...blocking], firstKey: 1, lastKey: -2, step: 1,
    keySpecs: [rangeKeySpec(['RW', 'access', 'delete'], 1, -2)],
    docs: docs('Remove and get the last element in a list, or block until one is available', '2.0.0', O_KEYS),
    handler: bpop(false) },
  { name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'noscript', 'blocking'], ...moveKeys,
    docs: docs(MOVE_OR_BLOCK, '6.2.0', 'O(1)'), handler: blmove },
  { name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'noscript', 'blocking'], ...moveKeys,
    docs: docs(MOVE_OR_BLOCK, '2.2.0', 'O(1)', {
      docFlags: ['deprecated'], deprecatedSince: '6.2.0', replacedBy: '`BLMOVE` with the `RIGHT` and `LEFT` arguments',
    }),
    handler: brpoplpush },
  { name: 'blmpop', arity: -5, flags: ['write', 'blocking'], keySpecs: blmpopSpecs,
    getKeys: (argv) => keysFromSpecs(blmpopSpecs, argv).map((k) => k.pos),
    docs: docs('Pop elements from a list, or block until one is available', '7.0.0', O_MPOP), handler: blmpop },
];

export const listBlockingCommands = family('list', commands);
