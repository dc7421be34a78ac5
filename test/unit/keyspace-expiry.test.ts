/**
 * Keyspace expiry with a ManualClock and a fake KeyspaceHost: lazy expiry on lookup, the active
 * expiry cycle (expires stale keys, stops sampling once less than 10% of a sample is stale), and
 * replica mode (expired keys reported missing, never deleted, no DEL reported). Also the access
 * tracking behind OBJECT IDLETIME / FREQ.
 */
import { describe, expect, it } from 'vitest';
import { Keyspace, type KeyspaceHost } from '../../src/keyspace/keyspace.js';
import { AccessTracker } from '../../src/keyspace/access-tracker.js';
import { ManualClock } from '../../src/clock.js';
import type { Bytes } from '../../src/keyspace/bytes.js';

class FakeHost implements KeyspaceHost {
  readonly clock = new ManualClock(1_700_000_000_000);
  replica = false;
  /** The running command is the primary's (it sees expired keys; its TTLs are the primary's). */
  fromPrimary = false;
  readonly expired: Bytes[] = [];
  readonly stats = { keyspaceHits: 0, keyspaceMisses: 0 };
  now(): number {
    return this.clock.now();
  }
  isReplica(): boolean {
    return this.replica;
  }
  seesExpiredKeys(): boolean {
    return this.fromPrimary;
  }
  keyExpired(_db: Keyspace, key: Bytes): void {
    this.expired.push(key);
  }
}

const b = (s: string) => s as Bytes;

function setup(): { host: FakeHost; db: Keyspace } {
  const host = new FakeHost();
  return { host, db: new Keyspace(0, host) };
}

describe('lazy expiry', () => {
  it('a key is live until its time, then missing on lookup and reported expired once', () => {
    const { host, db } = setup();
    db.set(b('k'), b('v'));
    db.setExpire(b('k'), host.now() + 1000);
    host.clock.advance(999);
    expect(db.getForRead(b('k'))).toBe('v');
    host.clock.advance(1);
    expect(db.getForRead(b('k'))).toBeUndefined();
    expect(host.expired).toEqual(['k']);
    expect(db.data.has(b('k'))).toBe(false);
    expect(db.expires.has(b('k'))).toBe(false);
    expect(db.has(b('k'))).toBe(false);
    expect(host.expired).toEqual(['k']);
    expect(host.stats).toEqual({ keyspaceHits: 1, keyspaceMisses: 1 });
  });

  it('isExpired reports a stale key without deleting it; delete() of an expired key is false', () => {
    const { host, db } = setup();
    db.set(b('k'), b('v'));
    db.setExpire(b('k'), host.now() + 10);
    expect(db.isExpired(b('k'))).toBe(false);
    host.clock.advance(10);
    expect(db.isExpired(b('k'))).toBe(true);
    expect(db.data.has(b('k'))).toBe(true);
    expect(db.delete(b('k'))).toBe(false);
    expect(host.expired).toEqual(['k']);
  });

  it('set() drops the TTL unless keepTtl; persist() removes it', () => {
    const { host, db } = setup();
    db.set(b('k'), b('v'));
    db.setExpire(b('k'), host.now() + 10);
    db.set(b('k'), b('w'), true);
    expect(db.getExpire(b('k'))).toBe(host.now() + 10);
    db.set(b('k'), b('x'));
    expect(db.getExpire(b('k'))).toBeUndefined();
    db.setExpire(b('k'), host.now() + 10);
    expect(db.persist(b('k'))).toBe(true);
    expect(db.persist(b('k'))).toBe(false);
  });
});

describe('replica mode', () => {
  it('expired keys read as missing but stay, and no expiry is reported', () => {
    const { host, db } = setup();
    host.replica = true;
    host.fromPrimary = true;
    db.set(b('k'), b('v'));
    db.setExpire(b('k'), host.now() + 5);
    host.clock.advance(5);
    // The primary's own commands still see it.
    expect(db.peekNoTouch(b('k'))).toBe('v');
    host.fromPrimary = false;
    expect(db.getForRead(b('k'))).toBeUndefined();
    expect(db.peekNoTouch(b('k'))).toBeUndefined();
    expect(db.data.has(b('k'))).toBe(true);
    expect(db.activeExpireCycle(() => false)).toBe(0);
    expect(db.data.has(b('k'))).toBe(true);
    expect(host.expired).toEqual([]);
    host.replica = false;
    expect(db.getForRead(b('k'))).toBeUndefined();
    expect(host.expired).toEqual(['k']);
  });

  it("a writable replica expires the TTLs its own clients set, lazily and in expireLocalKeys", () => {
    const { host, db } = setup();
    host.replica = true;
    for (const k of ['a', 'b', 'c']) {
      db.set(b(k), b('v'));
      db.setExpire(b(k), host.now() + 5);
    }
    db.persist(b('c'));
    host.clock.advance(5);
    expect(db.getForRead(b('a'))).toBeUndefined();
    expect(host.expired).toEqual(['a']);
    expect(db.expireLocalKeys()).toBe(1);
    expect(host.expired).toEqual(['a', 'b']);
    expect(db.data.has(b('c'))).toBe(true);
    expect(db.expireLocalKeys()).toBe(0);
  });
});

describe('activeExpireCycle', () => {
  it('expires every stale key when most keys are stale', () => {
    const { host, db } = setup();
    for (let i = 0; i < 200; i++) {
      db.set(b(`k${i}`), b('v'));
      db.setExpire(b(`k${i}`), host.now() + (i < 190 ? 100 : 1_000_000));
    }
    host.clock.advance(100);
    const n = db.activeExpireCycle(() => false);
    expect(n).toBe(190);
    expect(db.size).toBe(10);
    expect(host.expired.length).toBe(190);
    expect(db.avgTtl).toBeGreaterThan(0);
  });

  it('stops after a sample with at most 10% stale keys', () => {
    const { host, db } = setup();
    // 1000 volatile keys, 1 in 20 stale (5%): the first sample of 20 finds about one stale key.
    for (let i = 0; i < 1000; i++) {
      db.set(b(`k${i}`), b('v'));
      db.setExpire(b(`k${i}`), host.now() + (i % 20 === 0 ? 10 : 1_000_000));
    }
    host.clock.advance(10);
    const n = db.activeExpireCycle(() => false);
    expect(n).toBe(1);
    expect(db.size).toBe(999);
    // Later cycles resume where the last stopped, so stale keys are found eventually.
    let total = n;
    for (let i = 0; i < 100 && total < 50; i++) total += db.activeExpireCycle(() => false);
    expect(total).toBe(50);
    expect(db.size).toBe(950);
  });

  it('does nothing without volatile keys and respects timeUp between rounds', () => {
    const { host, db } = setup();
    db.set(b('a'), b('v'));
    expect(db.activeExpireCycle(() => true)).toBe(0);
    for (let i = 0; i < 2000; i++) {
      db.set(b(`k${i}`), b('v'));
      db.setExpire(b(`k${i}`), host.now() + 1);
    }
    host.clock.advance(1);
    // All stale: rounds continue, but a time limit checked every 16 rounds stops it at 320 keys.
    expect(db.activeExpireCycle(() => true)).toBe(320);
    expect(db.activeExpireCycle(() => false)).toBe(1680);
    expect(db.size).toBe(1);
  });
});

describe('access tracking (OBJECT IDLETIME / FREQ)', () => {
  it('costs nothing until a tracker is attached; then lookups touch and no-touch lookups do not', () => {
    const { host, db } = setup();
    db.set(b('old'), b('v'));
    expect(db.accessTracker).toBeUndefined();
    const tracker = new AccessTracker('lru', host.now());
    db.accessTracker = tracker;
    db.set(b('k'), b('v'));
    host.clock.advance(5000);
    expect(tracker.idleSeconds(b('k'), host.now())).toBe(5);
    expect(tracker.idleSeconds(b('old'), host.now())).toBe(5);
    db.peekNoTouch(b('k'));
    db.getForReadNoTouch(b('k'));
    expect(tracker.idleSeconds(b('k'), host.now())).toBe(5);
    db.getForRead(b('k'));
    expect(tracker.idleSeconds(b('k'), host.now())).toBe(0);
    host.clock.advance(3000);
    db.overwrite(b('k'), b('w'));
    expect(tracker.idleSeconds(b('k'), host.now())).toBe(0);
  });

  it('LFU: a new key starts at 5, grows on access, decays one per lfu-decay-time minutes', () => {
    const { host, db } = setup();
    const tracker = new AccessTracker('lfu', host.now(), { logFactor: 0, decayMinutes: 1 }, () => 0);
    db.accessTracker = tracker;
    db.set(b('k'), b('v'));
    expect(tracker.frequency(b('k'), host.now())).toBe(5);
    for (let i = 0; i < 10; i++) db.getForRead(b('k'));
    expect(tracker.frequency(b('k'), host.now())).toBe(15);
    host.clock.advance(3 * 60_000);
    expect(tracker.frequency(b('k'), host.now())).toBe(12);
    db.getForRead(b('k'));
    expect(tracker.frequency(b('k'), host.now())).toBe(13);
  });

  it('LFU: with a log factor the counter grows more slowly as it rises', () => {
    const { host } = setup();
    let r = 0;
    const tracker = new AccessTracker('lfu', host.now(), { logFactor: 10, decayMinutes: 1 }, () => (r = (r + 0.37) % 1));
    for (let i = 0; i < 1000; i++) tracker.touch(b('k'), host.now());
    const f = tracker.frequency(b('k'), host.now());
    expect(f).toBeGreaterThan(10);
    expect(f).toBeLessThan(60);
  });

  it('forgets deleted, expired and flushed keys; SWAPDB swaps trackers', () => {
    const { host, db } = setup();
    const other = new Keyspace(1, host);
    const tracker = new AccessTracker('lru', host.now() - 10_000);
    db.accessTracker = tracker;
    db.set(b('a'), b('v'));
    db.set(b('b'), b('v'));
    db.setExpire(b('b'), host.now() + 1);
    db.delete(b('a'));
    expect(tracker.idleSeconds(b('a'), host.now())).toBe(10);
    host.clock.advance(1);
    db.getForRead(b('b'));
    expect(tracker.idleSeconds(b('b'), host.now())).toBe(10);
    db.swapWith(other);
    expect(db.accessTracker).toBeUndefined();
    expect(other.accessTracker).toBe(tracker);
    other.set(b('c'), b('v'));
    other.flush();
    expect(tracker.idleSeconds(b('c'), host.now())).toBe(10);
  });
});
