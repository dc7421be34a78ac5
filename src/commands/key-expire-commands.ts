/**
 * Generic key commands, part 2: time to live — EXPIRE PEXPIRE EXPIREAT PEXPIREAT (with NX XX GT
 * LT), TTL PTTL EXPIRETIME PEXPIRETIME PERSIST. Mirrors redis expire.c expireGenericCommand /
 * ttlGenericCommand / persistCommand.
 *
 * Expiry times are absolute unix milliseconds in the keyspace's `expires` map. What depends on
 * the clock is propagated as its absolute effect: EXPIRE, PEXPIRE and EXPIREAT that set a TTL
 * become `PEXPIREAT key <unix ms> [options as given]` (Redis keeps the NX/XX/GT/LT arguments
 * when it rewrites the command; PEXPIREAT goes out as received), and a time already past deletes
 * the key and is propagated as `DEL key`.
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { CommandContext, CommandDocs, CommandSpecInput } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { family } from './command-table.js';
import { int64Arg } from './arg-cursor.js';
import {
  ERR_EXPIRE_GT_LT,
  ERR_EXPIRE_NX_COMBO,
  invalidExpireTime,
  replyError,
} from '../protocol/reply-errors.js';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** How an EXPIRE variant reads its number: seconds or milliseconds, relative to now or absolute. */
interface ExpireUnit {
  /** The name used in "invalid expire time in '<name>' command". */
  name: string;
  seconds: boolean;
  relative: boolean;
}

/** The NX XX GT LT conditions. */
interface ExpireConditions {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
}

/** Reads the options after the time: any of NX XX GT LT (repeats allowed), checked for conflicts. */
function readConditions(argv: readonly Bytes[]): ExpireConditions {
  const c: ExpireConditions = { nx: false, xx: false, gt: false, lt: false };
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i]!.toLowerCase();
    if (opt === 'nx' || opt === 'xx' || opt === 'gt' || opt === 'lt') c[opt] = true;
    else throw replyError(`ERR Unsupported option ${argv[i]!}`);
  }
  if (c.nx && (c.xx || c.gt || c.lt)) throw ERR_EXPIRE_NX_COMBO;
  if (c.gt && c.lt) throw ERR_EXPIRE_GT_LT;
  return c;
}

/**
 * The absolute expiry time (unix ms, exact) the argument denotes. Seconds are multiplied by 1000
 * and relative times added to now; an int64 overflow on the way is "invalid expire time".
 * Negative and past times are valid (they delete the key).
 */
function absoluteTime(ctx: CommandContext, arg: Bytes, unit: ExpireUnit): bigint {
  let when = BigInt(int64Arg(arg));
  if (unit.seconds) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) throw invalidExpireTime(unit.name);
    when *= 1000n;
  }
  if (unit.relative) {
    if (when > INT64_MAX - BigInt(ctx.now)) throw invalidExpireTime(unit.name);
    when += BigInt(ctx.now);
  }
  return when;
}

/** Do the NX/XX/GT/LT conditions allow replacing `current` (undefined = no TTL, i.e. infinite) by `when`? */
function conditionsAllow(c: ExpireConditions, current: number | undefined, when: bigint): boolean {
  if (c.nx && current !== undefined) return false;
  if (c.xx && current === undefined) return false;
  // No TTL counts as an infinite one: GT never beats it, LT always does.
  if (c.gt && (current === undefined || when <= BigInt(current))) return false;
  if (c.lt && current !== undefined && when >= BigInt(current)) return false;
  return true;
}

/**
 * EXPIRE key seconds [NX|XX|GT|LT] (and PEXPIRE, EXPIREAT, PEXPIREAT) → 1 if the TTL was set
 * (or the key deleted because the time is past), 0 if the key is missing or a condition failed.
 * Options are checked before the number, and both before the key is looked up.
 */
function expireGeneric(unit: ExpireUnit) {
  return (ctx: CommandContext, argv: readonly Bytes[]): void => {
    const key = argv[1]!;
    const conditions = readConditions(argv);
    const when = absoluteTime(ctx, argv[2]!, unit);
    const db = ctx.db;
    if (db.peek(key) === undefined || !conditionsAllow(conditions, db.getExpire(key), when)) {
      ctx.reply.integer(0);
      return;
    }
    // A replica keeps the past time and waits for its primary's DEL, as for lazy expiry.
    if (when <= BigInt(ctx.now) && !ctx.server.isReplica()) {
      db.delete(key);
      ctx.propagateAs(['DEL', key]);
      ctx.keyChanged(key);
      ctx.notify('generic', 'del', key);
    } else {
      // COMPAT: kept as a JS number, exact up to 2^53 ms (year 287396); the propagated time is exact.
      db.setExpire(key, Number(when));
      // PEXPIREAT already says what it means: Redis propagates it exactly as received.
      if (unit.seconds || unit.relative) ctx.propagateAs(['PEXPIREAT', key, when.toString(), ...argv.slice(3)]);
      ctx.keyChanged(key);
      ctx.notify('generic', 'expire', key);
    }
    ctx.reply.integer(1);
  };
}

/** An expiry time (unix ms) as an int64 reply: huge times rounded by the double are clamped back. */
function int64Reply(ms: number): number | bigint {
  if (Number.isSafeInteger(ms)) return ms;
  const b = BigInt(ms);
  return b > INT64_MAX ? INT64_MAX : b;
}

/**
 * TTL / PTTL key → remaining time (seconds rounded to nearest, or ms), -1 without TTL, -2 when
 * missing. EXPIRETIME / PEXPIRETIME key → the absolute unix time (s rounded likewise, or ms), -1, -2.
 */
function ttlGeneric(ms: boolean, absolute: boolean) {
  return (ctx: CommandContext, argv: readonly Bytes[]): void => {
    const key = argv[1]!;
    if (ctx.db.getForReadNoTouch(key) === undefined) {
      ctx.reply.integer(-2);
      return;
    }
    const at = ctx.db.getExpire(key);
    if (at === undefined) {
      ctx.reply.integer(-1);
      return;
    }
    // A replica may still hold a key past its time: it reports 0 left.
    const t = absolute ? at : Math.max(at - ctx.now, 0);
    // Seconds are rounded to the nearest (EXPIRETIME of ...999 ms is the next second), as Redis.
    ctx.reply.integer(int64Reply(ms ? t : Math.trunc((t + 500) / 1000)));
  };
}

/** PERSIST key → 1 if the TTL was removed, 0 if the key is missing or has none. */
function persist(ctx: CommandContext, argv: readonly Bytes[]): void {
  const key = argv[1]!;
  if (ctx.db.peek(key) === undefined || !ctx.db.persist(key)) {
    ctx.reply.integer(0);
    return;
  }
  ctx.keyChanged(key);
  ctx.notify('generic', 'persist', key);
  ctx.reply.integer(1);
}

// ---- The table ----

function docs(summary: string, since: string): CommandDocs {
  return { summary, since, group: 'generic', complexity: 'O(1)' };
}

function expireSpec(name: string, summary: string, since: string, seconds: boolean, relative: boolean): CommandSpecInput {
  return {
    name, arity: -3, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [rangeKeySpec(['RW', 'update'], 1)],
    docs: docs(summary, since),
    handler: expireGeneric({ name, seconds, relative }),
  };
}

function ttlSpec(name: string, summary: string, since: string, ms: boolean, absolute: boolean): CommandSpecInput {
  return {
    name, arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    ...(absolute ? {} : { tips: ['nondeterministic_output'] }),
    keySpecs: [rangeKeySpec(['RO', 'access'], 1)],
    docs: docs(summary, since),
    handler: ttlGeneric(ms, absolute),
  };
}

const commands: CommandSpecInput[] = [
  expireSpec('expire', "Set a key's time to live in seconds", '1.0.0', true, true),
  expireSpec('pexpire', "Set a key's time to live in milliseconds", '2.6.0', false, true),
  expireSpec('expireat', 'Set the expiration for a key as a UNIX timestamp', '1.2.0', true, false),
  expireSpec('pexpireat', 'Set the expiration for a key as a UNIX timestamp specified in milliseconds', '2.6.0', false, false),
  ttlSpec('ttl', 'Get the time to live for a key in seconds', '1.0.0', false, false),
  ttlSpec('pttl', 'Get the time to live for a key in milliseconds', '2.6.0', true, false),
  ttlSpec('expiretime', 'Get the expiration Unix timestamp for a key', '7.0.0', false, true),
  ttlSpec('pexpiretime', 'Get the expiration Unix timestamp for a key in milliseconds', '7.0.0', true, true),
  {
    name: 'persist', arity: 2, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [rangeKeySpec(['RW', 'update'], 1)],
    docs: docs('Remove the expiration from a key', '2.2.0'),
    handler: persist,
  },
];

export const keyExpireCommands = family('keyspace', commands);
