/**
 * Reads a server's whole dataset through a client, as comparable data: for every database, every
 * key with its type, its value (collections in a canonical order) and whether it has a TTL.
 * Works against Kioku and redis-server alike, so two servers' datasets can be compared.
 */
import type { Redis } from 'ioredis';

export type Dataset = Record<number, Record<string, [string, unknown, boolean]>>;

/** The command that reads a value of this type. */
function valueCommand(type: string, key: string): string[] {
  if (type === 'string') return ['get', key];
  if (type === 'list') return ['lrange', key, '0', '-1'];
  if (type === 'hash') return ['hgetall', key];
  if (type === 'set') return ['smembers', key];
  if (type === 'zset') return ['zrange', key, '0', '-1', 'WITHSCORES'];
  throw new Error(`unexpected type ${type}`);
}

/** HGETALL's reply as [field, value] pairs (a flat array in RESP2, a map in RESP3). */
function pairs(reply: unknown): [string, string][] {
  if (Array.isArray(reply)) {
    const out: [string, string][] = [];
    for (let i = 0; i < reply.length; i += 2) out.push([reply[i] as string, reply[i + 1] as string]);
    return out;
  }
  return Object.entries(reply as Record<string, string>);
}

/** Sends the commands in one pipeline; the replies in order (an error reply throws). */
async function pipelined(c: Redis, commands: string[][]): Promise<unknown[]> {
  const results = (await c.pipeline(commands).exec()) ?? [];
  return results.map(([err, reply]) => {
    if (err) throw err;
    return reply;
  });
}

export async function readDataset(c: Redis, databases = 16): Promise<Dataset> {
  const out: Dataset = {};
  for (let db = 0; db < databases; db++) {
    await c.select(db);
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await c.scan(cursor, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    if (keys.length === 0) continue;
    const entries: Record<string, [string, unknown, boolean]> = {};
    const types = (await pipelined(c, keys.map((k) => ['type', k]))) as string[];
    const reads = keys.flatMap((k, i) => [valueCommand(types[i]!, k), ['pttl', k]]);
    const replies = await pipelined(c, reads);
    keys.forEach((k, i) => {
      const type = types[i]!;
      let value = replies[2 * i];
      if (type === 'hash') value = pairs(value).sort();
      else if (type === 'set') value = (value as string[]).sort();
      entries[k] = [type, value, (replies[2 * i + 1] as number) >= 0];
    });
    out[db] = entries;
  }
  await c.select(0);
  return out;
}
