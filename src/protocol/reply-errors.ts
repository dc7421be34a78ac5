/**
 * Every error text Kioku sends, in one place: the TypeScript form of Redis's `shared.*` error
 * objects and the messages scattered through its command files.
 *
 * A handler throws a ReplyError; the dispatcher turns it into `-CODE message\r\n`, counts it in
 * errorstats under CODE, and keeps the connection. Fixed errors are singletons built once (no
 * stack capture per throw). Only a ProtocolError (from the request decoder) closes a connection.
 */

/** An error reply. `message` is the whole line after '-', e.g. "ERR syntax error". */
export class ReplyError extends Error {
  /** The first word, as Redis counts it in INFO errorstats (ERR, WRONGTYPE, NOAUTH...). */
  readonly code: string;
  constructor(message: string) {
    super(message);
    const sp = message.indexOf(' ');
    this.code = sp < 0 ? message : message.slice(0, sp);
  }
}

/** Malformed request bytes: the connection gets `-ERR Protocol error: ...` and is closed. */
export class ProtocolError extends Error {}

// Fixed texts are built once; Error.stackTraceLimit is lowered so they carry no stack either.
function fixed(message: string): ReplyError {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new ReplyError(message);
  } finally {
    Error.stackTraceLimit = saved;
  }
}

/** A ReplyError with a computed text, without the cost of a stack trace. */
export function replyError(message: string): ReplyError {
  return fixed(message);
}

export const WRONGTYPE = fixed('WRONGTYPE Operation against a key holding the wrong kind of value');
export const ERR_SYNTAX = fixed('ERR syntax error');
export const NOREPLICAS = fixed('NOREPLICAS Not enough good replicas to write.');
export const READONLY_REPLICA = fixed("READONLY You can't write against a read only replica.");
export const UNBLOCKED_ROLE_CHANGE = fixed('UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)');
export const MASTERDOWN = fixed("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
export const ERR_NOT_INTEGER = fixed('ERR value is not an integer or out of range');
export const ERR_NOT_FLOAT = fixed('ERR value is not a valid float');
export const ERR_OVERFLOW = fixed('ERR increment or decrement would overflow');
export const ERR_INCR_NAN = fixed('ERR increment would produce NaN or Infinity');
export const ERR_NO_SUCH_KEY = fixed('ERR no such key');
export const ERR_DB_INDEX = fixed('ERR DB index is out of range');
export const ERR_INVALID_DB_INDEX = fixed('ERR invalid DB index');
export const ERR_SAME_OBJECT = fixed('ERR source and destination objects are the same');
export const ERR_NOT_POSITIVE = fixed('ERR value is out of range, must be positive');
export const ERR_INVALID_CURSOR = fixed('ERR invalid cursor');
export const ERR_STRING_TOO_LONG = fixed('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
export const ERR_OFFSET_RANGE = fixed('ERR offset is out of range');
export const NOAUTH = fixed('NOAUTH Authentication required.');
export const WRONGPASS = fixed('WRONGPASS invalid username-password pair or user is disabled.');
export const ERR_AUTH_NOPASS = fixed(
  'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
);
export const NOPROTO = fixed('NOPROTO unsupported protocol version');
export const ERR_NO_SCRIPT = fixed('NOSCRIPT No matching script. Please use EVAL.');
export const READONLY = fixed("READONLY You can't write against a read only replica.");
export const LOADING = fixed('LOADING Redis is loading the dataset in memory');
export const MISCONF_RDB = fixed(
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.",
);
export const ERR_CLIENT_NAME = fixed('ERR Client names cannot contain spaces, newlines or special characters.');
/** getIntFromObjectOrReply: an integer that does not fit a C int. */
export const ERR_INT_RANGE = fixed('ERR value is out of range, value must between -2147483648 and 2147483647');
/** EXPIRE-family and GETEX-style option conflicts (Redis 7.0 expire.c). */
export const ERR_EXPIRE_NX_COMBO = fixed('ERR NX and XX, GT or LT options at the same time are not compatible');
export const ERR_EXPIRE_GT_LT = fixed('ERR GT and LT options at the same time are not compatible');
/** numkeys arguments (SINTERCARD, and the same texts in ZINTERCARD, LMPOP...). */
export const ERR_NUMKEYS_NOT_POSITIVE = fixed('ERR numkeys should be greater than 0');
export const ERR_NUMKEYS_TOO_MANY = fixed("ERR Number of keys can't be greater than number of args");
/** SINTERCARD / ZINTERCARD LIMIT. */
export const ERR_LIMIT_NEGATIVE = fixed("ERR LIMIT can't be negative");
/** HINCRBY / HINCRBYFLOAT on a field whose value is not a number (t_hash.c). */
export const ERR_HASH_NOT_INTEGER = fixed('ERR hash value is not an integer');
export const ERR_HASH_NOT_FLOAT = fixed('ERR hash value is not a float');
/** HINCRBYFLOAT's increment is "inf" or similar. */
export const ERR_NAN_OR_INFINITY = fixed('ERR value is NaN or Infinity');
/** A count beyond what a reply can hold (HRANDFIELD ... WITHVALUES past ±LONG_MAX/2). */
export const ERR_VALUE_OUT_OF_RANGE = fixed('ERR value is out of range');
/** Sorted sets (t_zset.c): ZADD option conflicts, NaN results, range and argument errors. */
export const ERR_ZADD_XX_NX = fixed('ERR XX and NX options at the same time are not compatible');
export const ERR_ZADD_GT_LT_NX = fixed('ERR GT, LT, and/or NX options at the same time are not compatible');
export const ERR_ZADD_INCR_PAIR = fixed('ERR INCR option supports a single increment-element pair');
export const ERR_ZSET_NAN = fixed('ERR resulting score is not a number (NaN)');
export const ERR_MINMAX_NOT_FLOAT = fixed('ERR min or max is not a float');
export const ERR_MINMAX_NOT_LEX = fixed('ERR min or max not valid string range item');
export const ERR_ZRANGE_LIMIT = fixed('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
export const ERR_ZRANGE_BYLEX_WITHSCORES = fixed('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
export const ERR_WEIGHT_NOT_FLOAT = fixed('ERR weight value is not a float');
export const ERR_COUNT_NOT_POSITIVE = fixed('ERR count should be greater than 0');
/** Lists (t_list.c): LSET past the ends, LPOS options. */
export const ERR_INDEX_OUT_OF_RANGE = fixed('ERR index out of range');
export const ERR_LPOS_RANK_ZERO = fixed(
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
);
export const ERR_LPOS_COUNT_NEGATIVE = fixed("ERR COUNT can't be negative");
export const ERR_LPOS_MAXLEN_NEGATIVE = fixed("ERR MAXLEN can't be negative");

/** `ERR at least 1 input key is needed for 'zunionstore' command` */
export function atLeastOneKey(command: string): ReplyError {
  return fixed(`ERR at least 1 input key is needed for '${command}' command`);
}

/** `ERR wrong number of arguments for 'get' command` (name as the table spells it, e.g. config|get). */
export function wrongArity(fullName: string): ReplyError {
  return fixed(`ERR wrong number of arguments for '${fullName}' command`);
}

/** Redis's rejectCommandFormat: CR and LF in the text become spaces so the reply stays one line. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]/g, ' ');
}

/** `ERR unknown command 'x', with args beginning with: 'a' 'b' ` (at most ~128 chars of args). */
export function unknownCommand(argv: readonly string[]): ReplyError {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${argv[i]!.slice(0, 128 - args.length)}' `;
  }
  return fixed(oneLine(`ERR unknown command '${argv[0]!.slice(0, 128)}', with args beginning with: ${args}`));
}

/** `ERR unknown subcommand 'x'. Try CONFIG HELP.` */
export function unknownSubcommand(sub: string, command: string): ReplyError {
  return fixed(oneLine(`ERR unknown subcommand '${sub.slice(0, 128)}'. Try ${command.toUpperCase()} HELP.`));
}

/** Redis addReplySubcommandSyntaxError: `ERR unknown subcommand or wrong number of arguments for 'x'. Try CLIENT HELP.` */
export function subcommandSyntax(sub: string, command: string): ReplyError {
  return fixed(oneLine(`ERR unknown subcommand or wrong number of arguments for '${sub.slice(0, 128)}'. Try ${command.toUpperCase()} HELP.`));
}

/** A RESP2 client in subscribed mode ran another command (name as the table spells it, e.g. pubsub|numpat). */
export function notInSubscribedContext(fullName: string): ReplyError {
  return fixed(`ERR Can't execute '${fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`);
}

/** `ERR invalid expire time in 'set' command` */
export function invalidExpireTime(command: string): ReplyError {
  return fixed(`ERR invalid expire time in '${command}' command`);
}

/** getRangeLongFromObjectOrReply's text: `ERR value is out of range, value must between <min> and <max>`. */
export function outOfRangeBetween(min: string, max: string): ReplyError {
  return fixed(`ERR value is out of range, value must between ${min} and ${max}`);
}

// ---- Transactions (multi.c) ----
export const ERR_MULTI_NESTED = fixed('ERR MULTI calls can not be nested');
export const ERR_EXEC_WITHOUT_MULTI = fixed('ERR EXEC without MULTI');
export const ERR_DISCARD_WITHOUT_MULTI = fixed('ERR DISCARD without MULTI');
export const ERR_WATCH_IN_MULTI = fixed('ERR WATCH inside MULTI is not allowed');
export const ERR_NOT_IN_MULTI = fixed('ERR Command not allowed inside a transaction');
export const EXECABORT = fixed('EXECABORT Transaction discarded because of previous errors.');

// ---- AOF (aof.c) ----
export const ERR_AOF_REWRITE_IN_PROGRESS = fixed('ERR Background append only file rewriting already in progress');
export const ERR_AOF_REWRITE_FAILED = fixed("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");

// ---- DUMP / RESTORE (cluster.c) ----
export const BUSYKEY = fixed('BUSYKEY Target key name already exists.');
export const ERR_DUMP_PAYLOAD = fixed('ERR DUMP payload version or checksum are wrong');
export const ERR_BAD_DATA_FORMAT = fixed('ERR Bad data format');
export const ERR_INVALID_TTL = fixed('ERR Invalid TTL value, must be >= 0');
export const ERR_INVALID_IDLETIME = fixed('ERR Invalid IDLETIME value, must be >= 0');
export const ERR_INVALID_FREQ = fixed('ERR Invalid FREQ value, must be >= 0 and <= 255');
