/**
 * ReplicaLinks: a primary's replicas. (SKELETON — being written by the primary-side helper.)
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import type { CommandContext } from '../commands/command-spec.js';
import type { Replication } from './replication.js';

/** One replica's connection: its sync state, stream position and acknowledgements. */
export class ReplicaLink {}

export class ReplicaLinks {
  constructor(
    private readonly server: Server,
    private readonly repl: Replication,
  ) {}

  /** INFO connected_slaves: replicas attached (any state). */
  get count(): number {
    return 0;
  }

  /** Stream bytes for every replica past its full sync (buffered for those still syncing). */
  feed(chunk: Buffer): void {
    void chunk;
  }

  /** Closes every replica's connection. */
  disconnectAll(): void {}

  /** Online replicas whose last ACK is at most min-replicas-max-lag seconds old. */
  goodReplicas(): number {
    return 0;
  }

  /** min-replicas-to-write is set and fewer good replicas are connected (writes get -NOREPLICAS). */
  tooFewGoodReplicas(): boolean {
    return false;
  }

  /** INFO's slaveN lines. */
  infoFields(): [string, string | number][] {
    return [];
  }

  /** ROLE's replica entries: [ip, port, acknowledged offset]. */
  roleEntries(): [string, string, string][] {
    return [];
  }

  /** PSYNC replid offset / SYNC from `client`, which becomes a replica. */
  psync(client: Client, argv: readonly Bytes[]): void {
    void client;
    void argv;
    void this.server;
    void this.repl;
  }

  /** REPLCONF listening-port | ip-address | capa | ack ... (not GETACK, which the replica side answers). */
  replconf(ctx: CommandContext, argv: readonly Bytes[]): void {
    void ctx;
    void argv;
  }

  /** WAIT numreplicas timeout (already parsed; timeoutMs 0 = forever). */
  wait(ctx: CommandContext, numReplicas: number, timeoutMs: number): void {
    void ctx;
    void numReplicas;
    void timeoutMs;
  }

  /** Once a second: pings (repl-ping-replica-period), repl-timeout, pending full syncs. */
  cron(): void {}
}
