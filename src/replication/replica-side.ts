/**
 * PrimaryLink: a replica's connection to its primary. (SKELETON — being written by the replica-side helper.)
 */
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import type { ReplyWriter } from '../protocol/reply-writer.js';
import type { Replication } from './replication.js';

export class PrimaryLink {
  constructor(
    private readonly server: Server,
    private readonly repl: Replication,
    readonly host: string,
    readonly port: number,
    private readonly wasPrimary: boolean,
  ) {}

  /** Connects, handshakes, syncs, then applies the stream; reconnects after a failure. */
  start(): void {
    void this.server;
    void this.repl;
    void this.wasPrimary;
  }

  /** Closes the connection (the data stays). */
  stop(): void {}

  /** master_link_status:up */
  get linkUp(): boolean {
    return false;
  }

  /** The client that applies the primary's stream (writes allowed on a read-only replica; sees expired keys). */
  isPrimaryClient(client: Client): boolean {
    void client;
    return false;
  }

  /** REPLCONF GETACK from the primary: answer REPLCONF ACK <offset>. */
  sendAck(): void {}

  /** INFO replication, from master_host to replica_announced. */
  infoFields(): [string, string | number][] {
    return [];
  }

  /** ROLE on a replica: slave, host, port, state, offset. */
  roleReply(w: ReplyWriter): void {
    void w;
  }

  /** Once a second: REPLCONF ACK, repl-timeout, reconnection. */
  cron(): void {}
}
