/**
 * Keyspace notifications: the `notify-keyspace-events` flags and the publishing of events on
 * `__keyspace@<db>__:<key>` (message: the event name) and `__keyevent@<db>__:<event>` (message:
 * the key) through the pub/sub hub. Mirrors redis notify.c (flag parsing, the flag string shown by
 * CONFIG GET, notifyKeyspaceEvent).
 *
 * Commands report events through CommandContext.notify(type, event, key) next to their
 * ctx.keyChanged call, with Redis 7.0's event name; the type is the class the event belongs to
 * (the flag that enables it). The server publishes the events no command owns: "expired" (lazy and
 * active expiry), "new" (a key created, Keyspace.set) and "keymiss" (a read lookup that missed),
 * and "evicted" (memory/eviction.ts). The enabled mask is cached on every config change, so a
 * write pays one integer test when notifications are off.
 */
import type { Bytes } from './keyspace/bytes.js';
import type { PubSubHub } from './pubsub/pubsub-hub.js';

/** Event classes and their flag bits (Redis NOTIFY_*). */
export const NOTIFY = {
  keyspace: 1 << 0, // K
  keyevent: 1 << 1, // E
  generic: 1 << 2, // g
  string: 1 << 3, // $
  list: 1 << 4, // l
  set: 1 << 5, // s
  hash: 1 << 6, // h
  zset: 1 << 7, // z
  expired: 1 << 8, // x
  evicted: 1 << 9, // e
  stream: 1 << 10, // t
  keymiss: 1 << 11, // m
  module: 1 << 12, // d
  new: 1 << 13, // n
} as const;

/** The class of an event: which flag enables it. */
export type NotifyType = Exclude<keyof typeof NOTIFY, 'keyspace' | 'keyevent'>;

/** 'A': every class except keymiss (m) and new (n). */
const ALL =
  NOTIFY.generic | NOTIFY.string | NOTIFY.list | NOTIFY.set | NOTIFY.hash | NOTIFY.zset |
  NOTIFY.expired | NOTIFY.evicted | NOTIFY.stream | NOTIFY.module;

const FLAG_CHARS: readonly [string, number][] = [
  ['g', NOTIFY.generic], ['$', NOTIFY.string], ['l', NOTIFY.list], ['s', NOTIFY.set], ['h', NOTIFY.hash],
  ['z', NOTIFY.zset], ['x', NOTIFY.expired], ['e', NOTIFY.evicted], ['t', NOTIFY.stream],
  ['d', NOTIFY.module], ['n', NOTIFY.new], ['K', NOTIFY.keyspace], ['E', NOTIFY.keyevent], ['m', NOTIFY.keymiss],
];

/** The flags of a `notify-keyspace-events` string, or undefined if it has an unknown character. */
export function parseNotifyFlags(s: string): number | undefined {
  let mask = 0;
  for (const ch of s) {
    if (ch === 'A') {
      mask |= ALL;
      continue;
    }
    const f = FLAG_CHARS.find(([c]) => c === ch);
    if (f === undefined) return undefined;
    mask |= f[1];
  }
  return mask;
}

/**
 * The flag string CONFIG GET shows: 'A' when every class of 'A' is on (and then, as Redis 7.0,
 * 'n' is not listed even when set, unless `keepNew`: the stored form), else the classes in
 * g$lshzxetdn order; then K, E, m.
 */
export function formatNotifyFlags(mask: number, keepNew = false): string {
  let out = '';
  if ((mask & ALL) === ALL) out = keepNew && mask & NOTIFY.new ? 'An' : 'A';
  else for (const [c, bit] of FLAG_CHARS.slice(0, 11)) if (mask & bit) out += c;
  if (mask & NOTIFY.keyspace) out += 'K';
  if (mask & NOTIFY.keyevent) out += 'E';
  if (mask & NOTIFY.keymiss) out += 'm';
  return out;
}

/** Publishes keyspace events for one server, as its `notify-keyspace-events` setting asks. */
export class KeyspaceNotifications {
  /** The enabled classes plus K/E, cached from the config (0: notifications off). */
  flags = 0;

  constructor(private readonly hub: PubSubHub) {}

  /** Applies the config value (its stored form, which keeps 'n' next to 'A'). */
  configure(value: string): void {
    this.flags = parseNotifyFlags(value) ?? 0;
  }

  /** Redis notifyKeyspaceEvent: publishes `event` on `key` in database `dbIndex` if `type` is enabled. */
  notify(type: NotifyType, event: string, key: Bytes, dbIndex: number): void {
    const flags = this.flags;
    if ((flags & NOTIFY[type]) === 0) return;
    if (flags & NOTIFY.keyspace) this.hub.publish(`__keyspace@${dbIndex}__:${key}`, event);
    if (flags & NOTIFY.keyevent) this.hub.publish(`__keyevent@${dbIndex}__:${event}`, key);
  }
}
