/**
 * Helpers for tests of blocking commands: waiting until the server has parked some clients
 * (blocking happens after the sender's write, so a test must wait for it), and reading a reply
 * that may not come.
 */
import type { Server } from '../../src/server.js';
import type { RawConnection } from './raw-connection.js';

/** Waits (up to 2 s) until read() gives exactly n. */
async function countReaches(what: string, read: () => number, n: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (read() === n) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`expected ${n} ${what}, have ${read()}`);
}

/** Waits (up to 2 s) until the server counts exactly `n` blocked clients. */
export async function blockedCount(server: Server, n: number): Promise<void> {
  await countReaches('blocked clients', () => server.blocking.blockedClients, n);
}

/** Waits (up to 2 s) until CLIENT PAUSE holds back exactly `n` clients. */
export async function postponedCount(server: Server, n: number): Promise<void> {
  await countReaches('postponed clients', () => server.pause.postponedClients, n);
}

/** The next reply if one arrives within ms, else undefined (the connection stays usable). */
export async function replyWithin(c: RawConnection, ms: number): Promise<string | undefined> {
  try {
    return await c.readReply(ms);
  } catch {
    return undefined;
  }
}
