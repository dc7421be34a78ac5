/**
 * String commands, part 1: reading and writing whole values and counters — GET SET SETNX SETEX
 * PSETEX MGET MSET MSETNX GETSET GETDEL GETEX INCR DECR INCRBY DECRBY INCRBYFLOAT. (APPEND STRLEN
 * GETRANGE SETRANGE SUBSTR LCS live in string-range-commands.ts.) Mirrors redis t_string.c.
 *
 * A string value is its bare Bytes in the keyspace. Numbers are kept as their text, parsed with
 * Redis's rules (bytes.ts) on every use, as Redis does with a non-int-encoded string.
 * Commands whose effect depends on the clock are propagated as their absolute effect:
 * SET/SETEX/PSETEX with a TTL → SET key value PXAT <unix ms>, GETEX → PEXPIREAT / PERSIST / DEL,
 * GETSET → SET, GETDEL → DEL, INCRBYFLOAT → SET key value KEEPTTL (so replicas and the AOF never
 * recompute a time or a float).
 */
import type { Bytes } from '../keyspace/bytes.js';
import { addI64, addLongDoubleStrings, parseI64 } from '../keyspace/bytes.js';
import type { CommandContext, CommandDocs, CommandSpecInput, KeySpecFlag } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { family } from './command-table.js';
import { int64Arg } from './arg-cursor.js';
import {
  ERR_INCR_NAN,
  ERR_NOT_FLOAT,
  ERR_NOT_INTEGER,
  ERR_OVERFLOW,
  ERR_SYNTAX,
  invalidExpireTime,
  replyError,
  wrongArity,
} from '../protocol/reply-errors.js';

const ERR_DECREMENT_OVERFLOW = replyError('ERR decrement would overflow');

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

// ---- Expiry arguments (EX PX EXAT PXAT) ----

/** An expiry option as given: its unit keyword and the unparsed number. */
interface ExpireOption {
  unit: 'ex' | 'px' | 'exat' | 'pxat';
  value: Bytes;
}

/**
 * The absolute expiry time (unix ms, exact) an option denotes, validated as Redis's
 * getExpireMillisecondsOrReply: an integer, > 0, and no int64 overflow once converted to
 * milliseconds and added to now; otherwise `invalid expire time in '<command>' command`.
 */
function expireAt(ctx: CommandContext, opt: ExpireOption, command: string): bigint {
  let ms = BigInt(int64Arg(opt.value));
  if (ms <= 0n) throw invalidExpireTime(command);
  if (opt.unit === 'ex' || opt.unit === 'exat') {
    if (ms > INT64_MAX / 1000n) throw invalidExpireTime(command);
    ms *= 1000n;
  }
  if (opt.unit === 'ex' || opt.unit === 'px') {
    if (ms > INT64_MAX - BigInt(ctx.now)) throw invalidExpireTime(command);
    ms += BigInt(ctx.now);
  }
  return ms;
}

/**
 * Sets a key's TTL from an exact absolute time.
 * COMPAT: the keyspace holds expiry times as JS numbers, exact up to 2^53 ms (year 287396);
 * later times are rounded. What is propagated stays exact.
 */
function applyExpire(ctx: CommandContext, key: Bytes, at: bigint): void {
  ctx.db.setExpire(key, Number(at));
}

function isExpireUnit(tok: string): tok is ExpireOption['unit'] {
  return tok === 'ex' || tok === 'px' || tok === 'exat' || tok === 'pxat';
}

// ---- GET, SET and friends ----

/** GET key → the value, nil when missing; WRONGTYPE for a non-string. */
function get(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.reply.bulk(ctx.db.getTyped(argv[1]!, 'string'));
}

/** SET's options, checked for syntax only (numbers are validated afterwards, as Redis does). */
interface SetOptions {
  nx: boolean;
  xx: boolean;
  get: boolean;
  keepTtl: boolean;
  expire: ExpireOption | undefined;
}

/**
 * Reads SET's options: NX|XX, GET, KEEPTTL|EX|PX|EXAT|PXAT. A repeated option is allowed (the
 * last value wins); conflicting ones, an unknown word or a missing number are a syntax error.
 */
function readSetOptions(argv: readonly Bytes[]): SetOptions {
  const o: SetOptions = { nx: false, xx: false, get: false, keepTtl: false, expire: undefined };
  for (let i = 3; i < argv.length; i++) {
    const tok = argv[i]!.toLowerCase();
    if (tok === 'nx' && !o.xx) o.nx = true;
    else if (tok === 'xx' && !o.nx) o.xx = true;
    else if (tok === 'get') o.get = true;
    else if (tok === 'keepttl' && o.expire === undefined) o.keepTtl = true;
    else if (isExpireUnit(tok) && !o.keepTtl && (o.expire === undefined || o.expire.unit === tok) && i + 1 < argv.length) {
      o.expire = { unit: tok, value: argv[++i]! };
    } else {
      throw ERR_SYNTAX;
    }
  }
  return o;
}

/**
 * SET key value [NX|XX] [GET] [EX s|PX ms|EXAT unix-s|PXAT unix-ms|KEEPTTL] → OK, or nil when
 * NX/XX prevented the write; with GET, the old value (nil if none) either way.
 */
function set(ctx: CommandContext, argv: readonly Bytes[]): void {
  const opts = readSetOptions(argv);
  const at = opts.expire === undefined ? undefined : expireAt(ctx, opts.expire, 'set');
  const key = argv[1]!;
  let exists: boolean;
  if (opts.get) {
    const old = ctx.db.getTyped(key, 'string');
    ctx.reply.bulk(old);
    exists = old !== undefined;
  } else if (opts.nx || opts.xx) {
    exists = ctx.db.has(key);
  } else {
    // A plain SET needs no lookup of its own: only a due TTL must be expired first (and its DEL
    // propagated before the SET), which costs nothing when the database holds no TTLs.
    ctx.db.expireIfDue(key);
    exists = false;
  }
  if ((opts.nx && exists) || (opts.xx && !exists)) {
    if (!opts.get) ctx.reply.nullBulk();
    return;
  }
  storeString(ctx, key, argv[2]!, opts.keepTtl, at);
  if (!opts.get) ctx.reply.ok();
}

/** Writes a string value (TTL removed unless kept), applies an expiry, propagates it as PXAT. */
function storeString(ctx: CommandContext, key: Bytes, value: Bytes, keepTtl: boolean, at: bigint | undefined): void {
  ctx.db.set(key, value, keepTtl);
  if (at !== undefined) {
    applyExpire(ctx, key, at);
    ctx.propagateAs(['SET', key, value, 'PXAT', at.toString()]);
  }
  ctx.keyChanged(key);
  ctx.notify('string', 'set', key);
  if (at !== undefined) ctx.notify('generic', 'expire', key);
}

/** SETNX key value → 1 if the key was set, 0 if it existed. */
function setnx(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (ctx.db.has(argv[1]!)) {
    ctx.reply.integer(0);
    return;
  }
  storeString(ctx, argv[1]!, argv[2]!, false, undefined);
  ctx.reply.integer(1);
}

/** SETEX key seconds value / PSETEX key milliseconds value → OK. */
function setWithTtl(unit: 'ex' | 'px', command: string) {
  return (ctx: CommandContext, argv: readonly Bytes[]): void => {
    const at = expireAt(ctx, { unit, value: argv[2]! }, command);
    storeString(ctx, argv[1]!, argv[3]!, false, at);
    ctx.reply.ok();
  };
}

/** GETSET key value → the old value (nil if none); the key is set and loses its TTL. */
function getset(ctx: CommandContext, argv: readonly Bytes[]): void {
  const key = argv[1]!;
  ctx.reply.bulk(ctx.db.getTyped(key, 'string'));
  storeString(ctx, key, argv[2]!, false, undefined);
  ctx.propagateAs(['SET', key, argv[2]!]);
}

/** GETDEL key → the value, and the key is deleted; nil when missing. */
function getdel(ctx: CommandContext, argv: readonly Bytes[]): void {
  const key = argv[1]!;
  const v = ctx.db.getTyped(key, 'string');
  ctx.reply.bulk(v);
  if (v === undefined) return;
  ctx.db.delete(key);
  ctx.keyChanged(key);
  ctx.notify('generic', 'del', key);
  ctx.propagateAs(['DEL', key]);
}

/**
 * GETEX key [EX s|PX ms|EXAT unix-s|PXAT unix-ms|PERSIST] → the value (nil when missing), and
 * the TTL changed. Options are checked for syntax first; the number only when the key exists
 * (a missing key answers nil whatever the number). A time already past deletes the key.
 */
function getex(ctx: CommandContext, argv: readonly Bytes[]): void {
  let expire: ExpireOption | undefined;
  let persist = false;
  for (let i = 2; i < argv.length; i++) {
    const tok = argv[i]!.toLowerCase();
    if (tok === 'persist' && expire === undefined) persist = true;
    else if (isExpireUnit(tok) && !persist && (expire === undefined || expire.unit === tok) && i + 1 < argv.length) {
      expire = { unit: tok, value: argv[++i]! };
    } else {
      throw ERR_SYNTAX;
    }
  }
  const key = argv[1]!;
  const v = ctx.db.getTyped(key, 'string');
  if (v === undefined) {
    ctx.reply.nullBulk();
    return;
  }
  const at = expire === undefined ? undefined : expireAt(ctx, expire, 'getex');
  ctx.reply.bulk(v);
  if (at !== undefined) {
    if (at <= BigInt(ctx.now)) {
      ctx.db.delete(key);
      ctx.propagateAs(['DEL', key]);
      ctx.keyChanged(key);
      ctx.notify('generic', 'del', key);
    } else {
      applyExpire(ctx, key, at);
      ctx.propagateAs(['PEXPIREAT', key, at.toString()]);
      ctx.keyChanged(key);
      ctx.notify('generic', 'expire', key);
    }
  } else if (persist && ctx.db.persist(key)) {
    ctx.propagateAs(['PERSIST', key]);
    ctx.keyChanged(key);
    ctx.notify('generic', 'persist', key);
  }
}

// ---- Multiple keys ----

/** MGET key [key ...] → one value per key; nil for a missing key or one that is not a string. */
function mget(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.reply.arrayHeader(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const v = ctx.db.getForRead(argv[i]!);
    if (typeof v === 'string') ctx.reply.bulk(v);
    else ctx.reply.nullBulk();
  }
}

/** MSET key value [key value ...] → OK. Every key loses its TTL. */
function mset(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (argv.length % 2 === 0) throw wrongArity('mset');
  for (let i = 1; i < argv.length; i += 2) storeString(ctx, argv[i]!, argv[i + 1]!, false, undefined);
  ctx.reply.ok();
}

/** MSETNX key value [key value ...] → 1 when all were set, 0 (nothing set) when any key exists. */
function msetnx(ctx: CommandContext, argv: readonly Bytes[]): void {
  if (argv.length % 2 === 0) throw wrongArity('msetnx');
  for (let i = 1; i < argv.length; i += 2) {
    if (ctx.db.has(argv[i]!)) {
      ctx.reply.integer(0);
      return;
    }
  }
  for (let i = 1; i < argv.length; i += 2) storeString(ctx, argv[i]!, argv[i + 1]!, false, undefined);
  ctx.reply.integer(1);
}

// ---- Counters ----

/** Adds delta to the integer at key (0 when missing), keeping its TTL; replies the new value. */
function incrementBy(ctx: CommandContext, key: Bytes, delta: number | bigint): void {
  const cur = ctx.db.getTypedForWrite(key, 'string');
  let base: number | bigint = 0;
  if (cur !== undefined) {
    const parsed = parseI64(cur);
    if (parsed === undefined) throw ERR_NOT_INTEGER;
    base = parsed;
  }
  const sum = addI64(base, delta);
  if (sum === undefined) throw ERR_OVERFLOW;
  ctx.db.set(key, String(sum), true);
  ctx.keyChanged(key);
  ctx.notify('string', 'incrby', key);
  ctx.reply.integer(sum);
}

/** INCR key → the value + 1. */
function incr(ctx: CommandContext, argv: readonly Bytes[]): void {
  incrementBy(ctx, argv[1]!, 1);
}

/** DECR key → the value - 1. */
function decr(ctx: CommandContext, argv: readonly Bytes[]): void {
  incrementBy(ctx, argv[1]!, -1);
}

/** INCRBY key increment → the value + increment. */
function incrby(ctx: CommandContext, argv: readonly Bytes[]): void {
  incrementBy(ctx, argv[1]!, int64Arg(argv[2]!));
}

/** DECRBY key decrement → the value - decrement (the int64 minimum cannot be negated). */
function decrby(ctx: CommandContext, argv: readonly Bytes[]): void {
  const d = int64Arg(argv[2]!);
  if (d === INT64_MIN) throw ERR_DECREMENT_OVERFLOW;
  incrementBy(ctx, argv[1]!, -d);
}

/**
 * INCRBYFLOAT key increment → the new value as text, computed in x87 long double and printed
 * as Redis prints it (bytes.ts addLongDoubleStrings). Propagated as SET key value KEEPTTL.
 */
function incrbyfloat(ctx: CommandContext, argv: readonly Bytes[]): void {
  const key = argv[1]!;
  const cur = ctx.db.getTypedForWrite(key, 'string');
  const sum = addLongDoubleStrings(cur ?? '0', argv[2]!);
  if (sum === undefined) throw ERR_NOT_FLOAT;
  if (sum === 'overflow') throw ERR_INCR_NAN;
  ctx.db.set(key, sum, true);
  ctx.keyChanged(key);
  ctx.notify('string', 'incrbyfloat', key);
  ctx.propagateAs(['SET', key, sum, 'KEEPTTL']);
  ctx.reply.bulk(sum);
}

// ---- Command table ----

function docs(summary: string, since: string, complexity = 'O(1)', extra: Partial<CommandDocs> = {}): CommandDocs {
  return { summary, since, group: 'string', complexity, ...extra };
}

/** The key spec of a single-key command: the key at argv[1]. */
function oneKey(flags: KeySpecFlag[], notes?: string) {
  return [rangeKeySpec(flags, 1, 0, 1, 0, notes)];
}

const single = { firstKey: 1, lastKey: 1, step: 1 } as const;
const counterKey = oneKey(['RW', 'access', 'update']);

const commands: CommandSpecInput[] = [
  { name: 'get', arity: 2, flags: ['readonly', 'fast'], ...single, keySpecs: oneKey(['RO', 'access']),
    docs: docs('Get the value of a key', '1.0.0'), handler: get },
  { name: 'set', arity: -3, flags: ['write', 'denyoom'], ...single,
    keySpecs: oneKey(['RW', 'access', 'update', 'variable_flags'], 'RW and ACCESS due to the optional `GET` argument'),
    docs: docs('Set the string value of a key', '1.0.0'), handler: set },
  { name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], ...single, keySpecs: oneKey(['OW', 'insert']),
    docs: docs('Set the value of a key, only if the key does not exist', '1.0.0'), handler: setnx },
  { name: 'setex', arity: 4, flags: ['write', 'denyoom'], ...single, keySpecs: oneKey(['OW', 'update']),
    docs: docs('Set the value and expiration of a key', '2.0.0'), handler: setWithTtl('ex', 'setex') },
  { name: 'psetex', arity: 4, flags: ['write', 'denyoom'], ...single, keySpecs: oneKey(['OW', 'update']),
    docs: docs('Set the value and expiration in milliseconds of a key', '2.6.0'), handler: setWithTtl('px', 'psetex') },
  { name: 'mget', arity: -2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: -1, step: 1,
    keySpecs: [rangeKeySpec(['RO', 'access'], 1, -1, 1)], tips: ['request_policy:multi_shard'],
    docs: docs('Get the values of all the given keys', '1.0.0', 'O(N) where N is the number of keys to retrieve.'),
    handler: mget },
  { name: 'mset', arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: -1, step: 2,
    keySpecs: [rangeKeySpec(['OW', 'update'], 1, -1, 2)],
    tips: ['request_policy:multi_shard', 'response_policy:all_succeeded'],
    docs: docs('Set multiple keys to multiple values', '1.0.1', 'O(N) where N is the number of keys to set.'),
    handler: mset },
  { name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: -1, step: 2,
    keySpecs: [rangeKeySpec(['OW', 'insert'], 1, -1, 2)],
    tips: ['request_policy:multi_shard', 'response_policy:agg_min'],
    docs: docs('Set multiple keys to multiple values, only if none of the keys exist', '1.0.1',
      'O(N) where N is the number of keys to set.'),
    handler: msetnx },
  { name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], ...single, keySpecs: oneKey(['RW', 'access', 'update']),
    docs: docs('Set the string value of a key and return its old value', '1.0.0', 'O(1)', {
      docFlags: ['deprecated'], deprecatedSince: '6.2.0', replacedBy: '`SET` with the `!GET` argument',
    }),
    handler: getset },
  { name: 'getdel', arity: 2, flags: ['write', 'fast'], ...single, keySpecs: oneKey(['RW', 'access', 'delete']),
    docs: docs('Get the value of a key and delete the key', '6.2.0'), handler: getdel },
  { name: 'getex', arity: -2, flags: ['write', 'fast'], ...single,
    keySpecs: oneKey(['RW', 'access', 'update'], 'RW and UPDATE because it changes the TTL'),
    docs: docs('Get the value of a key and optionally set its expiration', '6.2.0'), handler: getex },
  { name: 'incr', arity: 2, flags: ['write', 'denyoom', 'fast'], ...single, keySpecs: counterKey,
    docs: docs('Increment the integer value of a key by one', '1.0.0'), handler: incr },
  { name: 'decr', arity: 2, flags: ['write', 'denyoom', 'fast'], ...single, keySpecs: counterKey,
    docs: docs('Decrement the integer value of a key by one', '1.0.0'), handler: decr },
  { name: 'incrby', arity: 3, flags: ['write', 'denyoom', 'fast'], ...single, keySpecs: counterKey,
    docs: docs('Increment the integer value of a key by the given amount', '1.0.0'), handler: incrby },
  { name: 'decrby', arity: 3, flags: ['write', 'denyoom', 'fast'], ...single, keySpecs: counterKey,
    docs: docs('Decrement the integer value of a key by the given number', '1.0.0'), handler: decrby },
  { name: 'incrbyfloat', arity: 3, flags: ['write', 'denyoom', 'fast'], ...single, keySpecs: counterKey,
    docs: docs('Increment the float value of a key by the given amount', '2.6.0'), handler: incrbyfloat },
];

export const stringCommands = family('string', commands);
