/**
 * MemoryAccounting: what INFO used_memory reports and what maxmemory is compared with. Mirrors
 * Redis's zmalloc used_memory and the figures of object.c getMemoryOverheadData().
 *
 * Redis counts every allocation as it is made; V8's heap cannot say what a live object costs, and
 * its heapUsed includes garbage not yet collected (it can swing by tens of megabytes between two
 * collections), so it cannot drive eviction. Here used memory is counted instead:
 *
 *   used() = startup + Σ databases + client buffers + replication backlog + AOF buffer
 *
 * - startup: what an empty server's own structures take (SERVER_STARTUP_BYTES). The JavaScript
 *   runtime's heap beneath it (compiled code, built-ins, loaded modules: about 10 MB on Node 20)
 *   is not counted, as Redis's executable and C library are not in its used_memory; RSS shows it;
 * - each database's dataset bytes, kept exact by every write (keyspace/memory-usage.ts, with the
 *   per-object costs of datastructures/heap-layout.ts, calibrated against the real heap by
 *   scripts/memory-accounting-check.mjs);
 * - client query and output buffers (memory/client-buffers.ts, cached per event-loop turn);
 * - the replication backlog's buffer and the AOF buffer of the current turn.
 *
 * Every method is O(databases): the eviction code calls usedForEviction() before every write
 * command while maxmemory is set.
 */
import type { Server } from '../server.js';
import { clientBufferBytes } from './client-buffers.js';

/**
 * Redis used_memory_startup: the heap that creating and starting a Server adds to a process that
 * has loaded Kioku's code (16 databases, the command table, listeners, buffers), measured with
 * `node --expose-gc` by scripts/memory-accounting-check.mjs (0.76 MB on Node 20; Redis 7.0
 * starts at about 0.86 MB).
 */
export const SERVER_STARTUP_BYTES = 760_000;

/** The parts of used memory, as INFO memory and MEMORY STATS report them. */
export interface MemoryBreakdown {
  used: number;
  startup: number;
  /** Replication backlog buffer. */
  replicationBacklog: number;
  /** Output buffers of replica links. */
  clientsReplicas: number;
  /** Query and output buffers of the other clients. */
  clientsNormal: number;
  aofBuffer: number;
  /** Per database with keys: its index, key count, and the tables of the keyspace and expires Maps. */
  databases: { index: number; keys: number; main: number; expires: number }[];
  /** startup + buffers + the databases' tables (Redis used_memory_overhead). */
  overhead: number;
  /** used - overhead (Redis used_memory_dataset). */
  dataset: number;
  keys: number;
}

export class MemoryAccounting {
  constructor(private readonly server: Server) {}

  /** Redis used_memory; raises the peak (INFO used_memory_peak) as a side effect. */
  used(): number {
    const server = this.server;
    const clients = clientBufferBytes(server);
    let n = SERVER_STARTUP_BYTES + clients.normal + clients.replicas + this.fixedBuffers();
    for (const db of server.keyspaces) n += db.memory.total(db.accessTracker?.bytes ?? 0);
    if (n > server.stats.usedMemoryPeak) server.stats.usedMemoryPeak = n;
    return n;
  }

  /**
   * Redis freeMemoryGetNotCountedMemory(): replica output buffers and the AOF buffer, which grow
   * because of writes and would otherwise make eviction feed on itself.
   */
  notCountedForEviction(): number {
    return clientBufferBytes(this.server).replicas + this.server.aof.bufferBytes;
  }

  /** used() - notCountedForEviction(): what performEvictions compares with maxmemory. */
  usedForEviction(): number {
    return this.used() - this.notCountedForEviction();
  }

  /** The replication backlog and the AOF buffer. */
  private fixedBuffers(): number {
    return (this.server.replication.backlog?.size ?? 0) + this.server.aof.bufferBytes;
  }

  /** The parts of used(), for INFO memory and MEMORY STATS (Redis getMemoryOverheadData). */
  breakdown(): MemoryBreakdown {
    const server = this.server;
    const used = this.used();
    const clients = clientBufferBytes(server);
    const replicationBacklog = server.replication.backlog?.size ?? 0;
    const aofBuffer = server.aof.bufferBytes;
    let overhead = SERVER_STARTUP_BYTES + replicationBacklog + clients.normal + clients.replicas + aofBuffer;
    let keys = 0;
    const databases: MemoryBreakdown['databases'] = [];
    for (const db of server.keyspaces) {
      if (db.size === 0) continue;
      const main = db.memory.main.bytes;
      const expires = db.memory.expires.bytes;
      overhead += main + expires;
      keys += db.size;
      databases.push({ index: db.index, keys: db.size, main, expires });
    }
    overhead = Math.min(overhead, used);
    return {
      used,
      startup: SERVER_STARTUP_BYTES,
      replicationBacklog,
      clientsReplicas: clients.replicas,
      clientsNormal: clients.normal,
      aofBuffer,
      databases,
      overhead,
      dataset: used - overhead,
      keys,
    };
  }
}
