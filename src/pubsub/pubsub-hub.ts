/**
 * PubSubHub: who listens to what, and PUBLISH fan-out. Holds the server-wide maps (channel →
 * subscribers, pattern → subscribers, shard channel → subscribers); each client's side lives in
 * its ClientSubscriptions (client.pubsub, present only while it has a subscription: Redis's
 * CLIENT_PUBSUB flag). Patterns match with Redis's glob (keyspace/glob.ts).
 *
 * Messages are written straight into the subscriber's ReplyWriter (RESP2 arrays, RESP3 pushes)
 * and flushed at the end of the event-loop turn. Because they are written by another client's
 * command, the reader-side backpressure in client.ts cannot hold them back: every delivery is
 * checked against `client-output-buffer-limit pubsub` (output-buffer-limits.ts), which closes a
 * subscriber that falls behind.
 *
 * Mirrors redis pubsub.c (pubsubSubscribeChannel, pubsubPublishMessage...).
 */
import type { Bytes } from '../keyspace/bytes.js';
import { globMatch } from '../keyspace/glob.js';
import type { Client } from '../client.js';

/** The three kinds of subscription: their confirmation and message names. */
export type SubscriptionKind = 'channel' | 'pattern' | 'shard';

/** One client's subscriptions (insertion order: UNSUBSCRIBE with no argument follows it). */
export class ClientSubscriptions {
  readonly channels = new Set<Bytes>();
  readonly patterns = new Set<Bytes>();
  readonly shardChannels = new Set<Bytes>();

  /** The set holding one kind. */
  of(kind: SubscriptionKind): Set<Bytes> {
    return kind === 'channel' ? this.channels : kind === 'pattern' ? this.patterns : this.shardChannels;
  }

  /** Channels + patterns: the count SUBSCRIBE/PSUBSCRIBE confirmations carry. */
  get classic(): number {
    return this.channels.size + this.patterns.size;
  }

  get total(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }
}

/** The commands Redis 7.0 accepts from a RESP2 client in subscribed mode. */
const SUBSCRIBED_MODE_COMMANDS = new Set([
  'subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe', 'ping', 'quit', 'reset',
]);

/** May a RESP2 client in subscribed mode run this command (by full name)? */
export function allowedWhileSubscribed(fullName: string): boolean {
  return SUBSCRIBED_MODE_COMMANDS.has(fullName);
}

export class PubSubHub {
  private readonly channels = new Map<Bytes, Set<Client>>();
  private readonly patterns = new Map<Bytes, Set<Client>>();
  private readonly shardChannels = new Map<Bytes, Set<Client>>();

  constructor(
    /** Closes a subscriber over its output-buffer limits (OutputBufferLimits.enforce). */
    private readonly enforceLimits: (client: Client) => boolean,
    private readonly flushSoon: (client: Client) => void,
  ) {}

  private map(kind: SubscriptionKind): Map<Bytes, Set<Client>> {
    return kind === 'channel' ? this.channels : kind === 'pattern' ? this.patterns : this.shardChannels;
  }

  /** Subscribes; returns false when the client already had this one. */
  subscribe(client: Client, kind: SubscriptionKind, name: Bytes): boolean {
    const subs = (client.pubsub ??= new ClientSubscriptions());
    const mine = subs.of(kind);
    if (mine.has(name)) return false;
    mine.add(name);
    const map = this.map(kind);
    let set = map.get(name);
    if (set === undefined) map.set(name, (set = new Set()));
    set.add(client);
    return true;
  }

  /** Unsubscribes; returns false when the client was not subscribed to it. */
  unsubscribe(client: Client, kind: SubscriptionKind, name: Bytes): boolean {
    const subs = client.pubsub;
    if (subs === undefined || !subs.of(kind).delete(name)) return false;
    const map = this.map(kind);
    const set = map.get(name)!;
    set.delete(client);
    if (set.size === 0) map.delete(name);
    if (subs.total === 0) client.pubsub = undefined;
    return true;
  }

  /** Drops every subscription of a client (disconnect, RESET), without replies. */
  dropClient(client: Client): void {
    const subs = client.pubsub;
    if (subs === undefined) return;
    for (const kind of ['channel', 'pattern', 'shard'] as const) {
      for (const name of [...subs.of(kind)]) this.unsubscribe(client, kind, name);
    }
  }

  /**
   * PUBLISH: delivers to channel subscribers, then pattern subscribers; returns the receivers.
   * COMPAT: when several patterns match, their pmessages go out in the order the patterns were
   * first subscribed; Redis walks its pattern dict (hash order, seeded per process).
   */
  publish(channel: Bytes, message: Bytes): number {
    let receivers = 0;
    const direct = this.channels.get(channel);
    if (direct !== undefined) {
      for (const c of direct) {
        const w = c.writer;
        w.pushHeader(3);
        w.bulk('message');
        w.bulk(channel);
        w.bulk(message);
        this.delivered(c);
        receivers++;
      }
    }
    for (const [pattern, clients] of this.patterns) {
      if (!globMatch(pattern, channel)) continue;
      for (const c of clients) {
        const w = c.writer;
        w.pushHeader(4);
        w.bulk('pmessage');
        w.bulk(pattern);
        w.bulk(channel);
        w.bulk(message);
        this.delivered(c);
        receivers++;
      }
    }
    return receivers;
  }

  /** SPUBLISH: delivers to shard-channel subscribers; returns the receivers. */
  spublish(channel: Bytes, message: Bytes): number {
    const set = this.shardChannels.get(channel);
    if (set === undefined) return 0;
    let receivers = 0;
    for (const c of set) {
      const w = c.writer;
      w.pushHeader(3);
      w.bulk('smessage');
      w.bulk(channel);
      w.bulk(message);
      this.delivered(c);
      receivers++;
    }
    return receivers;
  }

  /**
   * A message was queued for a subscriber: schedule the write, then check its output-buffer
   * limits (Redis checks as each reply is added). Closing a client deletes it from the sets being
   * iterated, which JS Set/Map iteration tolerates.
   */
  private delivered(c: Client): void {
    this.flushSoon(c);
    this.enforceLimits(c);
  }

  /** PUBSUB CHANNELS / SHARDCHANNELS: active (shard) channels matching a glob, all when undefined. */
  activeChannels(kind: 'channel' | 'shard', pattern: Bytes | undefined): Bytes[] {
    const out: Bytes[] = [];
    for (const name of this.map(kind).keys()) {
      if (pattern === undefined || globMatch(pattern, name)) out.push(name);
    }
    return out;
  }

  /** PUBSUB NUMSUB / SHARDNUMSUB: subscribers of one (shard) channel. */
  subscriberCount(kind: 'channel' | 'shard', name: Bytes): number {
    return this.map(kind).get(name)?.size ?? 0;
  }

  /** INFO pubsub_channels. */
  get channelCount(): number {
    return this.channels.size;
  }

  /** PUBSUB NUMPAT, INFO pubsub_patterns: distinct patterns with a subscriber. */
  get patternCount(): number {
    return this.patterns.size;
  }

  /** INFO pubsubshard_channels. */
  get shardChannelCount(): number {
    return this.shardChannels.size;
  }
}
