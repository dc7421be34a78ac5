/**
 * Memory held by client buffers: what INFO memory's mem_clients_normal / mem_clients_slaves
 * report and what used_memory counts for clients (Redis: the CLIENT_TYPE_* sums behind
 * getClientMemoryUsage / clientsCronTrackClientsMemUsage in server.c, and
 * getClientOutputBufferMemoryUsage in networking.c).
 *
 * - normal: query buffers (bytes read and not yet run) plus unsent replies of every client that
 *   is not a replica link: normal, pubsub and MONITOR clients.
 * - replicas: each replica link's stream bytes not yet sent, held ones (while its RDB is on the
 *   way) included.
 *
 * MemoryAccounting.used() may ask on every write command, so the figure is never a walk of every
 * connection: only the clients that may hold bytes (BufferedClients: a client joins when it reads
 * or leaves bytes in its socket, and is dropped by the walk once both buffers are empty) are
 * summed, at most once per event-loop turn; later asks in the same turn get the cached figure.
 */
import type { Client } from '../client.js';
import type { Server } from '../server.js';

/** The two sums: normal/pubsub clients, and replica links. */
export interface ClientBufferBytes {
  normal: number;
  replicas: number;
}

/** Seconds of history behind client_recent_max_*_buffer (Redis CLIENTS_PEAK_MEM_USAGE_SLOTS). */
const PEAK_SLOTS = 8;

/**
 * The clients that may hold buffered bytes. Joining is a Set.add on a read or a partial write;
 * leaving happens in the walk, so a client that goes idle costs nothing afterwards.
 */
export class BufferedClients {
  private readonly clients = new Set<Client>();
  /** The figure computed in this event-loop turn, or undefined when it must be computed. */
  private cached: ClientBufferBytes | undefined;
  /** The largest query / output buffer sampled in each of the last seconds (slot = unix second % 8). */
  private readonly peakInput = new Array<number>(PEAK_SLOTS).fill(0);
  private readonly peakOutput = new Array<number>(PEAK_SLOTS).fill(0);
  /** The unix second of the last sample: the slots of the seconds since are cleared first. */
  private peakSecond = 0;

  /** The client read bytes, or its socket kept some: it may hold buffers now. */
  add(client: Client): void {
    this.clients.add(client);
  }

  /** It closed: its buffers are gone. */
  delete(client: Client): void {
    this.clients.delete(client);
  }

  /** The clients that may hold bytes (closed ones excepted), replica links included. */
  *live(): IterableIterator<Client> {
    for (const c of this.clients) if (!c.isClosed) yield c;
  }

  /** Sums the buffers (cached for the rest of this event-loop turn). */
  bytes(server: Server): ClientBufferBytes {
    if (this.cached !== undefined) return this.cached;
    let normal = 0;
    for (const c of this.clients) {
      if (c.isClosed) {
        this.clients.delete(c);
        continue;
      }
      // A replica link's socket is counted below, by its link (held bytes included).
      if (c.replicaLink !== undefined) continue;
      const used = c.queryBufferBytes + c.pendingArgBytes + c.outputBytes;
      if (used === 0) this.clients.delete(c);
      normal += used;
    }
    let replicas = 0;
    for (const link of server.replication.replicas.all) replicas += link.outputBytes;
    this.cached = { normal, replicas };
    setImmediate(() => {
      this.cached = undefined;
    });
    return this.cached;
  }

  /**
   * serverCron: records the largest query and output buffer of this second (Redis
   * clientsCronTrackExpansiveClients). Only clients that may hold bytes are looked at.
   */
  sample(server: Server, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.peakSecond) {
      const gap = Math.min(second - this.peakSecond, PEAK_SLOTS);
      for (let i = 0; i < gap; i++) {
        const slot = (second - i) % PEAK_SLOTS;
        this.peakInput[slot] = this.peakOutput[slot] = 0;
      }
      this.peakSecond = second;
    }
    const slot = second % PEAK_SLOTS;
    let input = this.peakInput[slot]!;
    let output = this.peakOutput[slot]!;
    for (const c of this.clients) {
      if (c.isClosed || c.replicaLink !== undefined) continue;
      input = Math.max(input, c.queryBufferBytes);
      output = Math.max(output, c.outputBytes);
    }
    for (const link of server.replication.replicas.all) output = Math.max(output, link.outputBytes);
    this.peakInput[slot] = input;
    this.peakOutput[slot] = output;
  }

  /** INFO client_recent_max_input_buffer: the largest query buffer sampled in the last 8 seconds. */
  get recentMaxInput(): number {
    return Math.max(...this.peakInput);
  }

  /** INFO client_recent_max_output_buffer: the largest unsent output sampled in the last 8 seconds. */
  get recentMaxOutput(): number {
    return Math.max(...this.peakOutput);
  }
}

/** Bytes in client buffers: normal/pubsub clients, and replica links apart. Cheap to call often. */
export function clientBufferBytes(server: Server): ClientBufferBytes {
  return server.bufferedClients.bytes(server);
}
