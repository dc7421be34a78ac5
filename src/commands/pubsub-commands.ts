/**
 * Pub/sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH, the sharded
 * SSUBSCRIBE SUNSUBSCRIBE SPUBLISH, and PUBSUB CHANNELS|NUMSUB|NUMPAT|SHARDCHANNELS|SHARDNUMSUB|HELP.
 * The subscriptions and the fan-out live in pubsub/pubsub-hub.ts; the RESP2 subscribed-mode rule is
 * applied by the dispatcher. Mirrors redis pubsub.c (subscribeCommand, publishCommand, pubsubCommand).
 *
 * Confirmations are pushes (RESP3 `>3`, RESP2 `*3`): [kind, name, count], where the count is
 * channels + patterns for (P)SUBSCRIBE/(P)UNSUBSCRIBE and shard channels for S(UN)SUBSCRIBE.
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { CommandContext, CommandDocs } from './command-spec.js';
import { family } from './command-table.js';
import type { SubscriptionKind } from '../pubsub/pubsub-hub.js';
import { subcommandSyntax } from '../protocol/reply-errors.js';

const CONFIRM = {
  channel: ['subscribe', 'unsubscribe'],
  pattern: ['psubscribe', 'punsubscribe'],
  shard: ['ssubscribe', 'sunsubscribe'],
} as const;

/** The count a confirmation carries after a change of this kind. */
function countFor(ctx: CommandContext, kind: SubscriptionKind): number {
  const subs = ctx.client.pubsub;
  if (subs === undefined) return 0;
  return kind === 'shard' ? subs.shardChannels.size : subs.classic;
}

function confirm(ctx: CommandContext, kind: SubscriptionKind, verb: 0 | 1, name: Bytes | null): void {
  const r = ctx.reply;
  r.pushHeader(3);
  r.bulk(CONFIRM[kind][verb]);
  r.bulk(name);
  r.integer(countFor(ctx, kind));
}

/** (P|S)SUBSCRIBE name... → one confirmation per argument (repeats included). */
function subscribeKind(kind: SubscriptionKind) {
  return (ctx: CommandContext, argv: readonly Bytes[]): void => {
    for (let i = 1; i < argv.length; i++) {
      ctx.server.pubsub.subscribe(ctx.client, kind, argv[i]!);
      confirm(ctx, kind, 0, argv[i]!);
    }
  };
}

/**
 * (P|S)UNSUBSCRIBE [name...] → one confirmation per argument; with none, one per current
 * subscription of that kind, or a single [verb, null, count] when there is none.
 * COMPAT: with no argument Redis walks its dict (hash order); Kioku uses subscription order.
 */
function unsubscribeKind(kind: SubscriptionKind) {
  return (ctx: CommandContext, argv: readonly Bytes[]): void => {
    const hub = ctx.server.pubsub;
    const names = argv.length > 1 ? argv.slice(1) : [...(ctx.client.pubsub?.of(kind) ?? [])];
    if (names.length === 0) {
      confirm(ctx, kind, 1, null);
      return;
    }
    for (const name of names) {
      hub.unsubscribe(ctx.client, kind, name);
      confirm(ctx, kind, 1, name);
    }
  };
}

/**
 * PUBLISH channel message → receivers (channel + pattern subscribers).
 * COMPAT: Redis 7.0 propagates PUBLISH to replicas only (not the AOF); the propagator has no
 * replica-only target yet, so PUBLISH is not propagated.
 */
function publish(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.reply.integer(ctx.server.pubsub.publish(argv[1]!, argv[2]!));
  // Subscribers on replicas get it too (Redis: replicated, never written to the AOF).
  ctx.propagateToReplicas();
}

/** SPUBLISH shardchannel message → receivers (shard-channel subscribers). */
function spublish(ctx: CommandContext, argv: readonly Bytes[]): void {
  ctx.reply.integer(ctx.server.pubsub.spublish(argv[1]!, argv[2]!));
  ctx.propagateToReplicas();
}

/** PUBSUB CHANNELS|SHARDCHANNELS [pattern] → the active channels. */
function channelsOf(kind: 'channel' | 'shard') {
  return (ctx: CommandContext, argv: readonly Bytes[]): void => {
    if (argv.length > 3) throw subcommandSyntax(argv[1]!, 'pubsub');
    ctx.reply.bulkArray(ctx.server.pubsub.activeChannels(kind, argv[2]));
  };
}

/** PUBSUB NUMSUB|SHARDNUMSUB [channel...] → flat [channel, count, ...] (an array in RESP3 too). */
function numsubOf(kind: 'channel' | 'shard') {
  return (ctx: CommandContext, argv: readonly Bytes[]): void => {
    const r = ctx.reply;
    r.arrayHeader((argv.length - 2) * 2);
    for (let i = 2; i < argv.length; i++) {
      r.bulk(argv[i]!);
      r.integer(ctx.server.pubsub.subscriberCount(kind, argv[i]!));
    }
  };
}

/** PUBSUB NUMPAT → distinct patterns with subscribers. */
function numpat(ctx: CommandContext): void {
  ctx.reply.integer(ctx.server.pubsub.patternCount);
}

const HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
];

/** PUBSUB HELP → the help text. */
function pubsubHelp(ctx: CommandContext): void {
  ctx.reply.simpleArray(HELP);
}

// ---- The table ----

function docs(summary: string, since: string, complexity = 'O(1)'): CommandDocs {
  return { summary, since, group: 'pubsub', complexity };
}

const SUB_FLAGS = ['pubsub', 'noscript', 'loading', 'stale'] as const;
const PUB_FLAGS = ['pubsub', 'loading', 'stale', 'fast'] as const;
const INTROSPECT_FLAGS = ['pubsub', 'loading', 'stale'] as const;
/** SSUBSCRIBE/SUNSUBSCRIBE: every argument is a shard channel (a not_key "key" for cluster routing). */
const shardChannelsSpec = { flags: ['not_key' as const], begin: { index: 1 }, find: { lastkey: -1, keystep: 1, limit: 0 } };

export const pubsubCommands = family(undefined, [
  {
    name: 'subscribe', arity: -2, flags: [...SUB_FLAGS],
    docs: docs('Listen for messages published to the given channels', '2.0.0', 'O(N) where N is the number of channels to subscribe to.'),
    handler: subscribeKind('channel'),
  },
  {
    name: 'unsubscribe', arity: -1, flags: [...SUB_FLAGS],
    docs: docs('Stop listening for messages posted to the given channels', '2.0.0', 'O(N) where N is the number of clients already subscribed to a channel.'),
    handler: unsubscribeKind('channel'),
  },
  {
    name: 'psubscribe', arity: -2, flags: [...SUB_FLAGS],
    docs: docs('Listen for messages published to channels matching the given patterns', '2.0.0', 'O(N) where N is the number of patterns the client is already subscribed to.'),
    handler: subscribeKind('pattern'),
  },
  {
    name: 'punsubscribe', arity: -1, flags: [...SUB_FLAGS],
    docs: docs('Stop listening for messages posted to channels matching the given patterns', '2.0.0', 'O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).'),
    handler: unsubscribeKind('pattern'),
  },
  {
    name: 'publish', arity: 3, flags: [...PUB_FLAGS],
    docs: docs('Post a message to a channel', '2.0.0', 'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).'),
    handler: publish,
  },
  {
    name: 'ssubscribe', arity: -2, flags: [...SUB_FLAGS], firstKey: 1, lastKey: -1, step: 1, keySpecs: [shardChannelsSpec],
    docs: docs('Listen for messages published to the given shard channels', '7.0.0', 'O(N) where N is the number of shard channels to subscribe to.'),
    handler: subscribeKind('shard'),
  },
  {
    name: 'sunsubscribe', arity: -1, flags: [...SUB_FLAGS], firstKey: 1, lastKey: -1, step: 1, keySpecs: [shardChannelsSpec],
    docs: docs('Stop listening for messages posted to the given shard channels', '7.0.0', 'O(N) where N is the number of clients already subscribed to a shard channel.'),
    handler: unsubscribeKind('shard'),
  },
  {
    name: 'spublish', arity: 3, flags: [...PUB_FLAGS], firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [{ flags: ['not_key'], begin: { index: 1 }, find: { lastkey: 0, keystep: 1, limit: 0 } }],
    docs: docs('Post a message to a shard channel', '7.0.0', 'O(N) where N is the number of clients subscribed to the receiving shard channel.'),
    handler: spublish,
  },
  {
    name: 'pubsub', arity: -2, flags: [],
    docs: docs('A container for Pub/Sub commands', '2.8.0', 'Depends on subcommand.'),
    subcommands: [
      {
        name: 'channels', arity: -2, flags: [...INTROSPECT_FLAGS],
        docs: docs('List active channels', '2.8.0', 'O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)'),
        handler: channelsOf('channel'),
      },
      {
        name: 'numsub', arity: -2, flags: [...INTROSPECT_FLAGS],
        docs: docs('Get the count of subscribers for channels', '2.8.0', 'O(N) for the NUMSUB subcommand, where N is the number of requested channels'),
        handler: numsubOf('channel'),
      },
      {
        name: 'numpat', arity: 2, flags: [...INTROSPECT_FLAGS],
        docs: docs('Get the count of unique patterns pattern subscriptions', '2.8.0'),
        handler: numpat,
      },
      {
        name: 'shardchannels', arity: -2, flags: [...INTROSPECT_FLAGS],
        docs: docs('List active shard channels', '7.0.0', 'O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).'),
        handler: channelsOf('shard'),
      },
      {
        name: 'shardnumsub', arity: -2, flags: [...INTROSPECT_FLAGS],
        docs: docs('Get the count of subscribers for shard channels', '7.0.0', 'O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels'),
        handler: numsubOf('shard'),
      },
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'],
        docs: docs('Show helpful text about the different subcommands', '6.2.0'),
        handler: pubsubHelp,
      },
    ],
  },
]);
