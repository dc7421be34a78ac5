/**
 * OBJECT ENCODING | REFCOUNT | IDLETIME | FREQ | HELP: introspection of a key's value. Mirrors
 * redis object.c objectCommand. The container has no ACL category of its own (Redis lists only
 * @slow for it), so this is a family without a data-type category; the subcommands carry
 * @keyspace.
 *
 * IDLETIME and FREQ read the keyspace's AccessTracker (access-tracker.ts), which the first of
 * them switches on for every database, in the mode the maxmemory-policy asks for (LFU policies
 * count frequencies, all others record access times); under an LFU policy the eviction code has
 * switched it on already (memory/eviction.ts). Lookups here do not count as accesses.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { isCanonicalInt } from '../keyspace/bytes.js';
import { encodingOf } from '../keyspace/redis-value.js';
import type { RedisValue } from '../keyspace/redis-value.js';
import { AccessTracker, type TrackingMode } from '../keyspace/access-tracker.js';
import type { CommandContext, CommandDocs, CommandSpecInput } from './command-spec.js';
import { rangeKeySpec } from './command-spec.js';
import { family } from './command-table.js';
import { replyError } from '../protocol/reply-errors.js';

const POLICY_NOTE = 'Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
const ERR_LFU_SELECTED = replyError(`ERR An LFU maxmemory policy is selected, idle time not tracked. ${POLICY_NOTE}`);
const ERR_LFU_NOT_SELECTED = replyError(`ERR An LFU maxmemory policy is not selected, access frequency not tracked. ${POLICY_NOTE}`);

/** Redis's OBJ_SHARED_REFCOUNT: the refcount shown for the shared integers 0..9999. */
const SHARED_REFCOUNT = 2147483647;
const SHARED_INTEGERS = 10000;

/** Is an LFU eviction policy selected (OBJECT FREQ works, IDLETIME does not)? */
export function lfuPolicy(ctx: CommandContext): boolean {
  return ctx.server.config.get('maxmemory-policy').endsWith('-lfu');
}

/** Does an LRU or LFU policy with a memory limit stop Redis from sharing small integers? */
function sharesIntegers(ctx: CommandContext): boolean {
  const policy = ctx.server.config.get('maxmemory-policy');
  return ctx.server.config.getInt('maxmemory') === 0 || !(policy.endsWith('-lru') || policy.endsWith('-lfu'));
}

/** The value OBJECT inspects (counts a hit or miss, not an access), or nil replied and undefined. */
function lookup(ctx: CommandContext, key: Bytes): RedisValue | undefined {
  // No "keymiss" event for OBJECT (Redis LOOKUP_NONOTIFY).
  const v = ctx.db.getForReadNoTouch(key, false);
  if (v === undefined) ctx.reply.nullBulk();
  return v;
}

/**
 * The tracker of the client's database in the given mode, switching tracking on (or over to
 * that mode) for every database, and refreshing the LFU tuning from the config.
 */
export function tracker(ctx: CommandContext, mode: TrackingMode): AccessTracker {
  const lfu = {
    logFactor: ctx.server.config.getInt('lfu-log-factor'),
    decayMinutes: ctx.server.config.getInt('lfu-decay-time'),
  };
  for (const db of ctx.server.keyspaces) {
    if (db.accessTracker?.mode !== mode) db.accessTracker = new AccessTracker(mode, ctx.now, lfu, Math.random, db.size);
    db.accessTracker.lfu = lfu;
  }
  return ctx.db.accessTracker!;
}

/** OBJECT ENCODING key → the encoding name (int embstr raw listpack ...), nil when missing. */
function objectEncoding(ctx: CommandContext, argv: readonly Bytes[]): void {
  const v = lookup(ctx, argv[2]!);
  if (v !== undefined) ctx.reply.bulk(encodingOf(v));
}

/**
 * OBJECT REFCOUNT key → 1, or 2147483647 for the integers 0..9999, which Redis shares between
 * keys unless an LRU/LFU policy with a memory limit needs per-key access data.
 */
function objectRefcount(ctx: CommandContext, argv: readonly Bytes[]): void {
  const v = lookup(ctx, argv[2]!);
  if (v === undefined) return;
  const shared = typeof v === 'string' && isCanonicalInt(v) && Number(v) >= 0 && Number(v) < SHARED_INTEGERS && sharesIntegers(ctx);
  ctx.reply.integer(shared ? SHARED_REFCOUNT : 1);
}

/** OBJECT IDLETIME key → seconds since the key was last accessed; an error under an LFU policy. */
function objectIdletime(ctx: CommandContext, argv: readonly Bytes[]): void {
  const key = argv[2]!;
  if (lookup(ctx, key) === undefined) return;
  if (lfuPolicy(ctx)) throw ERR_LFU_SELECTED;
  ctx.reply.integer(tracker(ctx, 'lru').idleSeconds(key, ctx.now));
}

/** OBJECT FREQ key → the logarithmic access counter (0..255); an error unless an LFU policy is set. */
function objectFreq(ctx: CommandContext, argv: readonly Bytes[]): void {
  const key = argv[2]!;
  if (lookup(ctx, key) === undefined) return;
  if (!lfuPolicy(ctx)) throw ERR_LFU_NOT_SELECTED;
  ctx.reply.integer(tracker(ctx, 'lfu').frequency(key, ctx.now));
}

const HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

/** OBJECT HELP → the help text, one simple string per line. */
function objectHelp(ctx: CommandContext): void {
  ctx.reply.simpleArray(HELP);
}

// ---- The table ----

function docs(summary: string, since: string, complexity = 'O(1)'): CommandDocs {
  return { summary, since, group: 'generic', complexity };
}

function keySub(name: string, summary: string, since: string, handler: (ctx: CommandContext, argv: readonly Bytes[]) => void): CommandSpecInput {
  return {
    name, arity: 3, flags: ['readonly'], acl: ['keyspace'], firstKey: 2, lastKey: 2, step: 1,
    tips: ['nondeterministic_output'], keySpecs: [rangeKeySpec(['RO'], 2)],
    docs: docs(summary, since), handler,
  };
}

export const objectCommands = family(undefined, [
  {
    name: 'object', arity: -2, flags: [],
    docs: docs('A container for object introspection commands', '2.2.3', 'Depends on subcommand.'),
    subcommands: [
      keySub('encoding', 'Inspect the internal encoding of a Redis object', '2.2.3', objectEncoding),
      keySub('refcount', 'Get the number of references to the value of the key', '2.2.3', objectRefcount),
      keySub('idletime', 'Get the time since a Redis object was last accessed', '2.2.3', objectIdletime),
      keySub('freq', 'Get the logarithmic access frequency counter of a Redis object', '4.0.0', objectFreq),
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['keyspace'],
        docs: docs('Show helpful text about the different subcommands', '6.2.0'), handler: objectHelp,
      },
    ],
  },
]);
