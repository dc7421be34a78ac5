/**
 * DEBUG <subcommand>: the testing hooks Redis's own test suite and client test suites rely on —
 * SLEEP, SET-ACTIVE-EXPIRE, OBJECT, CHANGE-REPL-ID, PROTOCOL, ERROR, LOG, DIGEST, DIGEST-VALUE
 * (src/persistence/digest.ts: the same digests as Redis 7.0), RELOAD, POPULATE and HELP.
 * Mirrors redis debug.c debugCommand() for these subcommands.
 *
 * COMPAT: Redis's other DEBUG subcommands (LOADAOF, crash helpers, allocator tuning...)
 * are answered with Redis's unknown-subcommand error, and DEBUG HELP lists only the subcommands
 * Kioku has, with Redis's text for each.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { randomBytes } from 'node:crypto';
import { encodingOf, type RedisValue } from '../keyspace/redis-value.js';
import { ERR_NO_SUCH_KEY, ERR_NOT_POSITIVE, replyError } from '../protocol/reply-errors.js';
import { parseInteger } from '../keyspace/bytes.js';
import type { CommandContext, CommandSpecInput } from './command-spec.js';
import { lruClock } from './info-command.js';
import { datasetDigest, valueDigest } from '../persistence/digest.js';
import { RdbOutput } from '../persistence/rdb-output.js';
import { writeValue } from '../persistence/rdb-values.js';

const HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  '    Dangerous: should be used only for testing the replication subsystem.',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'POPULATE <count> [<prefix>] [<size>]',
  "    Create <count> string keys named key:<num>. If <prefix> is specified then",
  "    it is used instead of the 'key' prefix. These are not propagated to",
  "    replicas. Cluster slots are not respected so keys not belonging to the",
  "    current node can be created in cluster mode.",
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'HELP',
  '    Prints this help.',
];

const ERR_PROTOCOL_TYPE = replyError(
  'ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false',
);
const ERR_RESP2_UNSUPPORTED = replyError('ERR RESP2 is not supported by this command');
/** Redis's OBJ_SHARED_REFCOUNT: the refcount DEBUG OBJECT shows for shared small integers. */
const SHARED_REFCOUNT = 2147483647;
/** Redis shares the integers 0..9999 (OBJ_SHARED_INTEGERS). */
const SHARED_INTEGERS = 10000;

/** C's atof/atoi: the longest numeric prefix, 0 when there is none. */
function cNumber(s: Bytes): number {
  const v = parseFloat(s.trim());
  return Number.isFinite(v) ? v : 0;
}

/** Blocks the whole server, as Redis's DEBUG SLEEP does (it sleeps in the event loop thread). */
function sleepSync(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Length of a string's RDB length prefix. */
/**
 * DEBUG OBJECT's serializedlength: the value's size in an RDB file, as this server would write it
 * now (LZF per rdbcompression), which is what Redis's rdbSavedObjectLen measures.
 * COMPAT: Kioku's LZF compressor finds other matches than Redis's, so a compressed string's
 * length can differ (56 × "x": 8 bytes here, 12 in Redis); everything uncompressed is equal.
 */
function serializedLength(v: RedisValue, compress: boolean): number {
  const out = new RdbOutput({ compress });
  writeValue(out, v);
  return out.size;
}

/** A stable pseudo address for "Value at:" (Kioku values have no C pointer). */
function pseudoAddress(key: Bytes): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return '0x7f' + h.toString(16).padStart(8, '0') + '00';
}

/** DEBUG OBJECT key → "Value at:0x... refcount:1 encoding:embstr serializedlength:4 lru:N lru_seconds_idle:N". */
function debugObject(ctx: CommandContext, key: Bytes): void {
  const v = ctx.db.peek(key);
  if (v === undefined) throw ERR_NO_SUCH_KEY;
  const encoding = encodingOf(v);
  const shared = encoding === 'int' && Number(v) >= 0 && Number(v) < SHARED_INTEGERS;
  // COMPAT: Kioku keeps no per-key access time, so lru is now and lru_seconds_idle is 0; quicklist
  // details (ql_nodes...) are not shown.
  ctx.reply.simple(
    `Value at:${pseudoAddress(key)} refcount:${shared ? SHARED_REFCOUNT : 1} encoding:${encoding} ` +
      `serializedlength:${serializedLength(v, ctx.server.config.getBool('rdbcompression'))} lru:${lruClock(ctx.now)} lru_seconds_idle:0`,
  );
}

/** DEBUG PROTOCOL type → a sample reply of that RESP type. */
function debugProtocol(ctx: CommandContext, type: string): void {
  const r = ctx.reply;
  switch (type) {
    case 'string': return r.bulk('Hello World' as Bytes);
    case 'integer': return r.integer(12345);
    case 'double': return r.double(3.141);
    case 'bignum': {
      const n = '1234567999999999999999999999999999999';
      if (r.protocol === 3) r.raw(Buffer.from(`(${n}\r\n`));
      else r.bulk(n as Bytes);
      return;
    }
    case 'null': return r.nullBulk();
    case 'array':
    case 'set':
      if (type === 'set') r.setHeader(3);
      else r.arrayHeader(3);
      for (let i = 0; i < 3; i++) r.integer(i);
      return;
    case 'map':
      r.mapHeader(3);
      for (let i = 0; i < 3; i++) {
        r.integer(i);
        r.boolean(i === 1);
      }
      return;
    case 'attrib':
      if (r.protocol === 3) {
        r.raw(Buffer.from('|1\r\n'));
        r.bulk('key-popularity' as Bytes);
        r.arrayHeader(2);
        r.bulk('key:123' as Bytes);
        r.integer(90);
      }
      return r.bulk('Some real reply following the attribute' as Bytes);
    case 'push':
      if (r.protocol === 2) throw ERR_RESP2_UNSUPPORTED;
      r.pushHeader(2);
      r.bulk('server-cpu-usage' as Bytes);
      r.integer(42);
      return r.bulk('Some real reply following the push reply' as Bytes);
    case 'verbatim': return r.verbatim('This is a verbatim\nstring' as Bytes);
    case 'true': return r.boolean(true);
    case 'false': return r.boolean(false);
    default: throw ERR_PROTOCOL_TYPE;
  }
}

/**
 * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: saves dump.rdb (unless NOSAVE), empties the databases
 * (unless NOFLUSH) and loads the file again (MERGE: its keys replace those present).
 */
function debugReload(ctx: CommandContext, argv: readonly Bytes[]): void {
  const opts = { merge: false, noflush: false, nosave: false };
  for (const a of argv.slice(2)) {
    const o = a.toLowerCase();
    if (o === 'merge' || o === 'noflush' || o === 'nosave') opts[o] = true;
    else throw ERR_RELOAD_OPTION;
  }
  const p = ctx.server.persistence;
  if (!opts.nosave && !p.saveSync()) throw replyError('ERR');
  try {
    p.reloadSync(opts);
  } catch (e) {
    ctx.server.log.warn(`DEBUG RELOAD: ${(e as Error).message}`);
    throw ERR_RELOAD_FAILED;
  }
  ctx.server.log.warn('DB reloaded by DEBUG RELOAD');
  ctx.reply.ok();
}

const ERR_RELOAD_OPTION = replyError('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
const ERR_RELOAD_FAILED = replyError('ERR Error trying to load the RDB dump, check server logs.');

/**
 * DEBUG POPULATE count [prefix] [size]: creates the keys prefix:0 ... prefix:<count-1> that do not
 * exist yet, holding "value:<n>" cut or padded with zero bytes to `size` when size > 0. DEBUG is
 * not a write command, so nothing is propagated (as in Redis).
 */
function debugPopulate(ctx: CommandContext, argv: readonly Bytes[]): void {
  const count = parseInteger(argv[2]!);
  if (count === undefined || count < 0) throw ERR_NOT_POSITIVE;
  const prefix = argv[3] ?? 'key';
  const size = argv[4] === undefined ? 0 : parseInteger(argv[4]);
  if (size === undefined || size < 0) throw ERR_NOT_POSITIVE;
  const db = ctx.db;
  for (let i = 0; i < count; i++) {
    const key = `${prefix}:${i}`;
    if (db.peekNoTouch(key) !== undefined) continue;
    let value = `value:${i}`;
    if (size > 0) value = value.length >= size ? value.slice(0, size) : value + '\0'.repeat(size - value.length);
    db.set(key, value);
    ctx.keyChanged(key);
  }
  ctx.reply.ok();
}

/** DEBUG subcommand [args...]: the subcommand's arity is checked here, as Redis does. */
function debug(ctx: CommandContext, argv: readonly Bytes[]): void {
  const sub = argv[1]!.toLowerCase();
  const n = argv.length;
  if (sub === 'help' && n === 2) return ctx.reply.simpleArray(HELP);
  if (sub === 'sleep' && n === 3) {
    sleepSync(cNumber(argv[2]!) * 1000);
    return ctx.reply.ok();
  }
  if (sub === 'set-active-expire' && n === 3) {
    ctx.server.activeExpireEnabled = Math.trunc(cNumber(argv[2]!)) !== 0;
    return ctx.reply.ok();
  }
  if (sub === 'object' && n === 3) return debugObject(ctx, argv[2]!);
  if (sub === 'change-repl-id' && n === 2) {
    const repl = ctx.server.replication;
    repl.replId = randomBytes(20).toString('hex');
    repl.replId2 = '0'.repeat(40);
    repl.secondReplOffset = -1;
    return ctx.reply.ok();
  }
  if (sub === 'protocol' && n === 3) return debugProtocol(ctx, argv[2]!.toLowerCase());
  if (sub === 'error' && n === 3) throw replyError(argv[2]!.replace(/[\r\n]/g, ' '));
  if (sub === 'digest' && n === 2) return ctx.reply.simple(datasetDigest(ctx.server.keyspaces));
  if (sub === 'digest-value') {
    ctx.reply.arrayHeader(n - 2);
    for (let i = 2; i < n; i++) ctx.reply.simple(valueDigest(ctx.db, argv[i]!));
    return;
  }
  if (sub === 'reload') return debugReload(ctx, argv);
  if (sub === 'populate' && n >= 3 && n <= 5) return debugPopulate(ctx, argv);
  if (sub === 'log' && n === 3) {
    ctx.server.log.warn(`DEBUG LOG: ${argv[2]}`);
    return ctx.reply.ok();
  }
  throw replyError(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try DEBUG HELP.`);
}

export const debugCommandSpec: CommandSpecInput = {
  name: 'debug', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'],
  docs: { summary: 'A container for debugging commands', since: '1.0.0', group: 'server', complexity: 'Depends on subcommand.', docFlags: ['syscmd'] },
  handler: debug,
};
