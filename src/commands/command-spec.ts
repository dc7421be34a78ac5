/**
 * The shape of a command: what a family file declares for each command it implements, and what
 * a handler receives. Numbering is Redis's: arity counts the command name (GET = 2; negative means
 * "at least"), key positions are argv indexes (first key = 1, last key -1 = the last argument).
 * Mirrors redis server.h struct redisCommand and src/commands/*.json.
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import type { ReplyWriter } from '../protocol/reply-writer.js';
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import type { NotifyType } from '../notifications.js';

/**
 * Command flags, in the order Redis lists them in COMMAND INFO (checked against redis-server
 * 7.0: SHUTDOWN shows "no_multi allow_busy", REPLICAOF "stale no_async_loading", RESTORE-ASKING
 * "denyoom asking").
 */
export const COMMAND_FLAGS = [
  'write', 'readonly', 'denyoom', 'module', 'admin', 'pubsub', 'noscript', 'blocking', 'loading',
  'stale', 'skip_monitor', 'skip_slowlog', 'asking', 'fast', 'no_auth', 'may_replicate', 'sentinel',
  'only_sentinel', 'no_mandatory_keys', 'protected', 'no_async_loading', 'no_multi', 'movablekeys',
  'allow_busy',
] as const;
export type CommandFlag = (typeof COMMAND_FLAGS)[number];

/** ACL categories, in Redis's bit order (the order COMMAND INFO lists them). */
export const ACL_CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog',
  'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection',
  'transaction', 'scripting',
] as const;
export type AclCategory = (typeof ACL_CATEGORIES)[number];

/** Key-spec flags (COMMAND INFO key specifications). */
export type KeySpecFlag =
  | 'RO' | 'RW' | 'OW' | 'RM' | 'access' | 'update' | 'insert' | 'delete' | 'not_key' | 'incomplete'
  | 'variable_flags';

/**
 * Where the key arguments start: at an index, or after a keyword searched from startfrom, or
 * 'unknown' when only the command's own getKeys can tell (SORT's BY/GET/STORE).
 */
export type BeginSearch = { index: number } | { keyword: string; startfrom: number } | 'unknown';
/** How far they go: a range (lastkey relative to begin, step, limit) or a count argument. */
export type FindKeys =
  | { lastkey: number; keystep: number; limit: number }
  | { keynumidx: number; firstkey: number; keystep: number }
  | 'unknown';

export interface KeySpec {
  notes?: string;
  flags: KeySpecFlag[];
  begin: BeginSearch;
  find: FindKeys;
}

/** COMMAND DOCS fields (arguments are not described yet). */
export interface CommandDocs {
  summary: string;
  since: string;
  group: string;
  complexity?: string;
  docFlags?: string[];
  deprecatedSince?: string;
  replacedBy?: string;
}

/** What a family file writes for one command (or a subcommand, for container commands). */
export interface CommandSpecInput {
  /** Lowercase, as Redis names it (subcommands: just the part after '|'). */
  name: string;
  arity: number;
  flags: CommandFlag[];
  /** ACL categories beyond the family's and those implied by the flags. */
  acl?: AclCategory[];
  firstKey?: number;
  lastKey?: number;
  step?: number;
  keySpecs?: KeySpec[];
  tips?: string[];
  docs: CommandDocs;
  /** Keys of a command whose key positions depend on its arguments (movablekeys). */
  getKeys?: (argv: readonly Bytes[]) => number[];
  /** Absent on container commands (CONFIG, CLIENT...), which dispatch to subcommands. */
  handler?: CommandHandler;
  subcommands?: CommandSpecInput[];
}

/** A command as the table holds it: the input plus what the table derives. */
export interface CommandSpec extends Required<Pick<CommandSpecInput, 'name' | 'arity' | 'flags'>> {
  /** "get", or "config|get" for a subcommand: the name used in errors, stats and ACLs. */
  fullName: string;
  acl: AclCategory[];
  firstKey: number;
  lastKey: number;
  step: number;
  keySpecs: KeySpec[];
  tips: string[];
  docs: CommandDocs;
  getKeys: ((argv: readonly Bytes[]) => number[]) | undefined;
  handler: CommandHandler | undefined;
  subcommands: Map<string, CommandSpec> | undefined;
  parent: CommandSpec | undefined;
  /** INFO commandstats counters. */
  stats: CommandStats;
  has(flag: CommandFlag): boolean;
  /** has('write'), asked of every command on the way in and out (dispatcher.ts), kept as a field. */
  readonly write: boolean;
}

export interface CommandStats {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

/** Everything a handler may touch. Handlers are synchronous: parse → validate → look up → mutate → reply. */
export interface CommandContext {
  readonly server: Server;
  readonly client: Client;
  /** The client's selected database. */
  readonly db: Keyspace;
  readonly reply: ReplyWriter;
  /** Unix ms, read once per command (Redis commandTimeSnapshot): every expiry test in a command agrees. */
  readonly now: number;
  readonly command: CommandSpec;
  /**
   * A key's value changed (Redis signalModifiedKey + server.dirty++): counts toward persistence
   * and later wakes WATCH and notifications. `db` defaults to the client's database.
   */
  keyChanged(key: Bytes, db?: Keyspace): void;
  /**
   * Publishes a keyspace notification (Redis notifyKeyspaceEvent): `event` happened to `key`;
   * `type` is the class whose flag enables it ('generic' for DEL/EXPIRE/RENAME..., 'string',
   * 'list', 'set', 'hash', 'zset'...). Call it after the change, next to keyChanged, with
   * Redis 7.0's event name. `db` defaults to the client's database. Costs one integer test
   * when notifications are off.
   */
  notify(type: NotifyType, event: string, key: Bytes, db?: Keyspace): void;
  /** Propagate this instead of the command as received (SET EX → SET PXAT, GETDEL → DEL...). */
  propagateAs(argv: Bytes[]): void;
  /**
   * Propagate the command to the replicas (not the AOF) though it changed no data: PUBLISH, so
   * that clients subscribed on replicas get the messages (Redis forceCommandPropagation REPL).
   */
  propagateToReplicas(): void;
  /** Propagate this as well, before the command itself (lazy-expiry DELs...). */
  alsoPropagate(argv: Bytes[], dbIndex?: number): void;
  /**
   * Blocks the client (BLPOP, BZPOPMIN...): the handler found nothing to serve, so it returns
   * without a reply. When one of the keys is written and then holds `type`, the command runs
   * again from the start with the same argv and may serve or block again (keeping its place in
   * the queue). At the deadline the client gets `onTimeout`'s reply. (Inside MULTI/EXEC and
   * scripts, where Redis never blocks, the dispatcher answers with `onCannotBlock`, or else
   * `onTimeout`, at once.)
   */
  block(req: BlockRequest): void;
}

/** What a blocking command waits for (see CommandContext.block). */
export interface BlockRequest {
  /** Keys in the client's database, in argument order. */
  keys: readonly Bytes[];
  /**
   * The type that can serve: a key that becomes ready holding another type wakes no one (Redis
   * 7.0). Absent for a wait without keys (WAIT), which its owner ends.
   */
  type?: 'list' | 'zset';
  /** Unix ms after which the client gets onTimeout's reply; 0 = wait forever (see blockingDeadline). */
  deadline: number;
  /** The reply when the wait ends without data: a null array for BLPOP, a null bulk for BLMOVE... */
  onTimeout: (reply: ReplyWriter) => void;
  /** The reply inside MULTI/EXEC, where nothing may wait, when it differs from onTimeout's. */
  onCannotBlock?: (reply: ReplyWriter) => void;
}

export type CommandHandler = (ctx: CommandContext, argv: readonly Bytes[]) => void;

/** A key spec with a begin index and a range: the common case. */
export function rangeKeySpec(
  flags: KeySpecFlag[],
  index: number,
  lastkey = 0,
  keystep = 1,
  limit = 0,
  notes?: string,
): KeySpec {
  const spec: KeySpec = { flags, begin: { index }, find: { lastkey, keystep, limit } };
  if (notes !== undefined) spec.notes = notes;
  return spec;
}
