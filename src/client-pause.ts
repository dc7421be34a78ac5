/**
 * CLIENT PAUSE / UNPAUSE (Redis 7.0 pauseClients / unpauseClients, and the check at the end of
 * processCommand): while a pause lasts, a command it holds back is postponed, with its client
 * blocked (INFO blocked_clients, flag b in CLIENT LIST), and runs, checks and all, when the pause
 * ends; the client's later input waits behind it. ALL holds back every command; WRITE those that
 * may write or replicate (write commands, PUBLISH and SPUBLISH, and EXEC of a transaction that
 * queued one; such a command is held back before MULTI queues it). Connections of this server's
 * replicas are never held back. While paused, keys do not expire (a key past its TTL reads as
 * absent but stays until the pause ends) and nothing is evicted, so the dataset holds still, for
 * a failover.
 *
 * A new pause while one lasts keeps the later end and the stronger mode (ALL over WRITE).
 */
import type { Bytes } from './keyspace/bytes.js';
import type { Client } from './client.js';
import type { CommandSpec } from './commands/command-spec.js';

export type PauseMode = 'write' | 'all';

export interface PauseHost {
  /** The clock (unix ms). */
  clockNow(): number;
  /** Runs a postponed command now (the client is no longer postponed), then the client's pipeline. */
  runPostponed(client: Client, argv: Bytes[]): void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Redis 7.0's commands flagged CMD_MAY_REPLICATE among those Kioku has. Its COMMAND INFO does not
 * show that flag, so the command table (which must answer COMMAND INFO as 7.0 does) leaves it out;
 * EVAL, EVALSHA, FCALL and PFCOUNT belong here when they exist.
 */
const MAY_REPLICATE = new Set(['publish', 'spublish']);

/** Would a WRITE pause hold this command back? */
function mayReplicate(spec: CommandSpec): boolean {
  return spec.write || MAY_REPLICATE.has(spec.fullName);
}

export class ClientPause {
  /** The mode of the pause in force, undefined when there is none. */
  private mode: PauseMode | undefined;
  /** When it ends (unix ms). */
  private end = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Postponed clients, first come first, each with the command it sent. */
  private readonly held = new Map<Client, Bytes[]>();

  constructor(private readonly host: PauseHost) {}

  /** Is a pause in force? (Expiry and eviction wait while it is.) */
  get active(): boolean {
    return this.mode !== undefined;
  }

  /** How many clients wait for the pause to end (part of INFO blocked_clients). */
  get postponedClients(): number {
    return this.held.size;
  }

  /** CLIENT PAUSE: until `end` (unix ms; a past time pauses nothing). */
  pause(mode: PauseMode, end: number): void {
    if (end <= this.host.clockNow() && this.mode === undefined) return;
    if (this.mode !== 'all') this.mode = mode;
    if (end > this.end) {
      this.end = end;
      this.arm();
    }
  }

  /** CLIENT UNPAUSE, or the pause's end: every postponed command runs, in arrival order. */
  unpause(): void {
    this.mode = undefined;
    this.end = 0;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const released = [...this.held];
    this.held.clear();
    for (const [client, argv] of released) {
      if (!client.isClosed) this.host.runPostponed(client, argv);
    }
  }

  /**
   * Must this command wait? Ends a pause whose time is up first. `client` sends `spec` (checked,
   * about to run or be queued by MULTI).
   */
  holds(client: Client, spec: CommandSpec): boolean {
    if (this.mode === undefined || client.replicaLink !== undefined) return false;
    if (this.host.clockNow() >= this.end) {
      this.unpause();
      return false;
    }
    if (this.mode === 'all') return true;
    if (mayReplicate(spec)) return true;
    const queue = spec.fullName === 'exec' ? client.multi?.queue : undefined;
    return queue !== undefined && queue.some((q) => mayReplicate(q.spec));
  }

  /** The client waits with this command until the pause ends. */
  postpone(client: Client, argv: Bytes[]): void {
    this.held.set(client, argv);
  }

  /** Server shutdown: the pause's timer stops; the held-back clients are being closed. */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.held.clear();
  }

  /** The client disconnected. */
  forget(client: Client): void {
    this.held.delete(client);
  }

  private arm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    const delay = Math.min(Math.max(this.end - this.host.clockNow(), 0), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.host.clockNow() < this.end) this.arm();
      else this.unpause();
    }, delay);
  }
}
