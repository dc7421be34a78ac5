/**
 * client-output-buffer-limit: one parser of the setting and one hard/soft check for the three
 * classes (normal, replica, pubsub). Mirrors redis networking.c getClientType,
 * checkClientOutputBufferLimits and closeClientOnOutputBufferLimitReached.
 *
 * - The class of a client: replica for a replica link (MONITOR clients are normal), pubsub while
 *   it has a subscription (RESP3 subscribers too: Redis 7.0 flags them P), normal otherwise (the
 *   link to this server's primary too).
 * - What counts: a replica's stream bytes; for the others, unsent bytes once they no longer fit
 *   the 16 KB of Redis's static reply buffer (countedOutput: `normal 1 0 0` spares small replies).
 * - hard > 0 and counted bytes >= hard: the client is closed at once.
 * - soft > 0 and unsent bytes >= soft: the first check notes the unix second; a later check more
 *   than `seconds` whole seconds after it closes the client. A check below the soft limit forgets
 *   the second (the limit must be passed continuously).
 * - replica class: a hard limit below repl-backlog-size counts as repl-backlog-size, as Redis 7.0
 *   does (a replica that could resync partially would be dropped again at once).
 *
 * Closing drops the replies not yet handed to the socket and logs Redis's warning line. The
 * checks run where bytes are added: after each command of the client's own batch (client.ts), on
 * each write to its socket, on each pub/sub delivery (pubsub-hub.ts) and each stream feed to a
 * replica (primary-side.ts); and from the cron, for clients holding output (the soft limit's
 * seconds pass without new bytes).
 */
import type { Client } from './client.js';
import type { Server } from './server.js';
import { clientInfoString } from './commands/client-commands.js';

/** Redis's per-client static reply buffer (PROTO_REPLY_CHUNK_BYTES), outside the limits. */
const STATIC_REPLY_BUFFER = 16 * 1024;

/**
 * What the limits count of a normal or pubsub client's unsent bytes. Redis counts its reply list
 * only (getClientOutputBufferMemoryUsage), not the 16 KB static buffer filled first, and counts
 * the list's blocks at their allocated size (about a quarter above what they hold). So replies
 * that fit the static buffer count nothing, and past it all the bytes count: a 112 KB KEYS reply
 * passes `normal 100000 0 0` (unit/obuf-limits "KEYS stopped mid-run") as it does in Redis.
 */
function countedOutput(unsent: number): number {
  return unsent <= STATIC_REPLY_BUFFER ? 0 : unsent;
}

/** The classes of the setting, under the names CONFIG GET shows. */
export type OutputBufferClass = 'normal' | 'slave' | 'pubsub';

/** One class's limits: bytes, bytes, seconds (0 = none). */
export interface OutputBufferLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

/**
 * Reads the normalized value CONFIG keeps ("normal h s t slave h s t pubsub h s t", bytes and
 * seconds; config-params.ts has validated and expanded units already).
 */
export function parseOutputBufferLimits(value: string): Record<OutputBufferClass, OutputBufferLimit> {
  const parts = value.split(' ');
  const at = (cls: OutputBufferClass): OutputBufferLimit => {
    const i = parts.indexOf(cls);
    return { hard: Number(parts[i + 1]), soft: Number(parts[i + 2]), softSeconds: Number(parts[i + 3]) };
  };
  return { normal: at('normal'), slave: at('slave'), pubsub: at('pubsub') };
}

/** Redis getClientType, folded onto the three limit classes. */
export function outputBufferClass(c: Client): OutputBufferClass {
  if (c.replicaLink !== undefined && !c.monitor) return 'slave';
  return c.pubsub !== undefined ? 'pubsub' : 'normal';
}

/**
 * The hard/soft rule for `used` unsent bytes at unix second `second`; notes or forgets in
 * `state` when the soft limit was first passed. True when the client must be closed.
 */
export function exceedsLimit(limit: OutputBufferLimit, used: number, state: { obufSoftLimitSince: number }, second: number): boolean {
  const hard = limit.hard > 0 && used >= limit.hard;
  if (limit.soft > 0 && used >= limit.soft) {
    if (state.obufSoftLimitSince === 0) state.obufSoftLimitSince = second;
    else if (second - state.obufSoftLimitSince > limit.softSeconds) return true;
  } else {
    state.obufSoftLimitSince = 0;
  }
  return hard;
}

/** The limits in force and the check every class goes through. */
export class OutputBufferLimits {
  /** Per class, as enforced (the replica hard limit raised to repl-backlog-size). */
  private limits = parseOutputBufferLimits('normal 0 0 0 slave 0 0 0 pubsub 0 0 0');

  constructor(private readonly server: Server) {}

  /** client-output-buffer-limit or repl-backlog-size changed (and at start). */
  configure(value: string, replBacklogSize: number): void {
    const limits = parseOutputBufferLimits(value);
    if (limits.slave.hard > 0) limits.slave.hard = Math.max(limits.slave.hard, replBacklogSize);
    this.limits = limits;
  }

  /** One class's limits as enforced. */
  of(cls: OutputBufferClass): OutputBufferLimit {
    return this.limits[cls];
  }

  /**
   * Checks a client's unsent output (`unsent` when the caller knows it better: bytes about to be
   * written) against its class's limits; closes it (dropping what is not yet sent) and returns
   * true when it is over them. `fromCron` picks Redis's log wording for a check by the cron.
   */
  enforce(c: Client, unsent?: number, fromCron = false): boolean {
    if (c.isClosed) return false;
    const cls = outputBufferClass(c);
    const limit = this.limits[cls];
    if (limit.hard === 0 && limit.soft === 0) return false;
    // A replica's stream bytes are its link's (held ones included), whatever the caller measured.
    const used = cls === 'slave' ? c.replicaLink!.outputBytes : countedOutput(unsent ?? c.outputBytes);
    if (!exceedsLimit(limit, used, c, Math.floor(Date.now() / 1000))) return false;
    // Redis's two wordings: freed later when bytes are added, at once from clientsCron.
    const how = fromCron ? 'closed' : 'scheduled to be closed ASAP';
    this.server.log.warn(`Client ${clientInfoString(c)} ${how} for overcoming of output buffer limits.`);
    c.close();
    return true;
  }

  /**
   * serverCron: checks every client that holds output, so a soft limit is enforced once its
   * seconds pass even when no more bytes are added (Redis clientsCron does it once a second).
   */
  cron(clients: Iterable<Client>): void {
    for (const c of clients) this.enforce(c, undefined, true);
  }
}
