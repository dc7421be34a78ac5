/**
 * EvictionPool: the best eviction candidates seen so far, as Redis's EvictionPoolLRU (evict.c).
 * Each round of sampling offers a few keys per database; the pool keeps the 16 with the highest
 * score (for LFU policies 255 - the key's access counter, for volatile-ttl the nearest expiry
 * first), so a key that was a good candidate in an earlier round is not forgotten just because
 * this round's sample was better. Eviction takes the best entry whose key still exists.
 *
 * Entries may go stale (the key was deleted, or accessed since it was scored): the caller checks
 * that the key still exists, as Redis does, and does not rescore it.
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { Keyspace } from '../keyspace/keyspace.js';

/** Redis's EVPOOL_SIZE. */
const POOL_SIZE = 16;

export class EvictionPool {
  /** Parallel arrays sorted by ascending score: the best candidate is last. */
  private scores: number[] = [];
  private keys: Bytes[] = [];
  private dbs: Keyspace[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** Offers a sampled key; it enters if the pool has room or it beats the worst entry. */
  offer(db: Keyspace, key: Bytes, score: number): void {
    // A key sampled again replaces its older entry (its score may have changed).
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] === key && this.dbs[i] === db) {
        this.removeAt(i);
        break;
      }
    }
    if (this.keys.length >= POOL_SIZE) {
      if (score <= this.scores[0]!) return;
      this.removeAt(0);
    }
    let at = this.scores.length;
    while (at > 0 && this.scores[at - 1]! > score) at--;
    this.scores.splice(at, 0, score);
    this.keys.splice(at, 0, key);
    this.dbs.splice(at, 0, db);
  }

  /** Removes and returns the best candidate, or undefined when the pool is empty. */
  takeBest(): { db: Keyspace; key: Bytes } | undefined {
    const key = this.keys.pop();
    if (key === undefined) return undefined;
    this.scores.pop();
    return { db: this.dbs.pop()!, key };
  }

  /** Forgets every candidate (the policy changed: the scores mean something else now). */
  clear(): void {
    this.scores = [];
    this.keys = [];
    this.dbs = [];
  }

  private removeAt(i: number): void {
    this.scores.splice(i, 1);
    this.keys.splice(i, 1);
    this.dbs.splice(i, 1);
  }
}
