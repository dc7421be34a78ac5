/**
 * Helpers for replication tests: INFO fields, waiting for a replica to catch up, a bounded mixed
 * write load over every type and several databases.
 */
import type { Redis } from 'ioredis';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** INFO <section> as a field → value map. */
export async function info(c: Redis, section = 'replication'): Promise<Record<string, string>> {
  const text = String(await c.info(section));
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Polls `check` every 20 ms until it returns true; throws with `what` after `ms`. */
export async function waitFor(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Waits until the replica's link is up and it has applied the primary's whole stream. */
export async function caughtUp(primary: Redis, replica: Redis, ms = 15_000): Promise<void> {
  await waitFor(
    'the replica to catch up',
    async () => {
      const [p, r] = await Promise.all([info(primary), info(replica)]);
      return r.master_link_status === 'up' && r.slave_repl_offset === p.master_repl_offset;
    },
    ms,
  );
}

export async function digest(c: Redis): Promise<string> {
  return String(await c.call('DEBUG', 'DIGEST'));
}

/**
 * `rounds` pipelines of mixed writes: strings (some with TTLs), counters, lists, hashes, sets,
 * sorted sets, deletes, MULTI/EXEC blocks, in databases 0, 1 and 2 (the connection is left on
 * database 0). Deterministic for a given `tag`, so two loads with different tags write different keys.
 */
export async function mixedLoad(c: Redis, rounds: number, tag = 'w'): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    const p = c.pipeline();
    const db = r % 3;
    p.select(db);
    for (let i = 0; i < 20; i++) {
      const n = r * 20 + i;
      p.set(`${tag}:s:${n % 97}`, `v${n}`);
      if (n % 5 === 0) p.set(`${tag}:ttl:${n % 31}`, `t${n}`, 'EX', 1000 + (n % 50));
      p.incrby(`${tag}:ctr:${n % 7}`, n);
      p.rpush(`${tag}:list:${n % 5}`, `e${n}`);
      if (n % 3 === 0) p.lpop(`${tag}:list:${(n + 1) % 5}`);
      p.hset(`${tag}:hash:${n % 11}`, `f${n % 13}`, `${n}`);
      p.sadd(`${tag}:set:${n % 9}`, `m${n % 41}`);
      p.zadd(`${tag}:zset:${n % 4}`, n % 101, `z${n % 61}`);
      if (n % 17 === 0) p.del(`${tag}:s:${(n + 3) % 97}`);
      if (n % 19 === 0) p.expire(`${tag}:hash:${n % 11}`, 5000);
    }
    p.call('MULTI');
    p.incr(`${tag}:tx`);
    p.lpush(`${tag}:txlist`, `r${r}`);
    p.call('EXEC');
    await p.exec();
  }
  await c.select(0);
}
