/**
 * Propagator: the one place writes leave the server. After a command changed data, the
 * dispatcher hands its effect here (the command as received, or what the handler rewrote it to:
 * SET EX → SET PXAT, GETDEL → DEL, an expired key → DEL); the AOF and the replication stream
 * subscribe. Mirrors redis server.c propagate() / alsoPropagate().
 */
import type { Bytes } from '../keyspace/bytes.js';

/** Receives each propagated command with the database it applies to. */
export type PropagationListener = (dbIndex: number, argv: readonly Bytes[]) => void;

export class Propagator {
  private readonly listeners = new Set<PropagationListener>();

  /** Sends a write's effect to every subscriber (nothing happens when there are none). */
  propagate(dbIndex: number, argv: readonly Bytes[]): void {
    if (this.listeners.size === 0) return;
    for (const l of this.listeners) l(dbIndex, argv);
  }

  /** Subscribes; returns the function that unsubscribes. */
  subscribe(listener: PropagationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
