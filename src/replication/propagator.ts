/**
 * Propagator: the one place writes leave the server. After a command changed data, the
 * dispatcher hands its effect here (the command as received, or what the handler rewrote it to:
 * SET EX → SET PXAT, GETDEL → DEL, an expired key → DEL); the AOF and the replication stream
 * subscribe. Mirrors redis server.c propagate() / alsoPropagate().
 */
import type { Bytes } from '../keyspace/bytes.js';

/**
 * Receives each propagated command with the database it applies to. `replicasOnly`: the command
 * goes to replicas but not to the AOF (PUBLISH, Redis's PROPAGATE_REPL).
 */
export type PropagationListener = (dbIndex: number, argv: readonly Bytes[], replicasOnly: boolean) => void;

export class Propagator {
  private readonly listeners = new Set<PropagationListener>();
  /** Between beginAtomic and endAtomic: the effects held back to be sent as one unit. */
  private held: [number, readonly Bytes[], boolean][] | undefined;

  /**
   * Sends a write's effect to every subscriber (nothing happens when there are none);
   * `replicasOnly`: to the replicas, not the AOF.
   */
  propagate(dbIndex: number, argv: readonly Bytes[], replicasOnly = false): void {
    if (this.listeners.size === 0) return;
    if (this.held !== undefined) {
      this.held.push([dbIndex, argv, replicasOnly]);
      return;
    }
    for (const l of this.listeners) l(dbIndex, argv, replicasOnly);
  }

  /** EXEC starts: hold back its effects until endAtomic. */
  beginAtomic(): void {
    this.held = [];
  }

  /**
   * EXEC ends: sends the held effects, wrapped in MULTI ... EXEC when there is more than one, as
   * Redis 7.0 does (a single command is atomic by itself). MULTI carries the first effect's
   * database and EXEC the last one's, so no extra SELECT is needed.
   */
  endAtomic(): void {
    const ops = this.held;
    this.held = undefined;
    if (ops === undefined || ops.length === 0) return;
    const wrap = ops.length > 1;
    // The AOF gets no MULTI/EXEC around replica-only commands (a transaction of PUBLISHes).
    const replicasOnly = ops.every((op) => op[2]);
    if (wrap) this.propagate(ops[0]![0], ['MULTI'], replicasOnly);
    for (const [db, argv, only] of ops) this.propagate(db, argv, only);
    if (wrap) this.propagate(ops[ops.length - 1]![0], ['EXEC'], replicasOnly);
  }

  /** Subscribes; returns the function that unsubscribes. */
  subscribe(listener: PropagationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
