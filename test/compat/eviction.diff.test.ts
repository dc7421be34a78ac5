/**
 * Differential tests for maxmemory (memory/eviction.ts) against a real redis-server 7.0: the OOM
 * error text and which commands get it (denyoom ones; any queued command inside MULTI; EXEC of a
 * denyoom command aborting the transaction), OBJECT FREQ / IDLETIME under each kind of policy,
 * and the eviction fields of INFO stats. maxmemory 1 byte keeps both servers over the limit
 * whatever they count, so the outcomes do not depend on how each measures memory.
 * Skips (saying so) when redis-server is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDifferential, type Differential } from '../helpers/differential.js';
import { haveRedisServer, NO_REDIS } from '../helpers/redis-oracle.js';
import { onOne, runSteps, type Step, type StepHooks } from '../helpers/steps.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

/** Every script starts from noeviction without a limit, an empty keyspace and zeroed stats. */
const hooks: StepHooks = {
  setup: async (c) => {
    await c.call('CONFIG', 'SET', 'maxmemory', '0');
    await c.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction', 'lfu-log-factor', '10');
    await c.call('FLUSHALL');
    await c.call('CONFIG', 'RESETSTAT');
  },
  teardown: async (c) => {
    await c.call('CONFIG', 'SET', 'maxmemory', '0');
  },
};

const OVER = ['CONFIG', 'SET', 'maxmemory', '1'];
const UNDER = ['CONFIG', 'SET', 'maxmemory', '0'];

describe.runIf(available)('maxmemory against redis-server 7.0 (RESP2 and RESP3)', () => {
  let diff: Differential;
  beforeAll(async () => {
    diff = await startDifferential();
  });
  afterAll(async () => diff?.stop());

  async function compareSteps(steps: Step[]): Promise<string[]> {
    let last: string[] = [];
    for (const protocol of [2, 3] as const) {
      const k = await runSteps(diff.kioku.port, steps, protocol, hooks);
      const o = await runSteps(diff.oracle!.port, steps, protocol, hooks);
      const rows = steps.map((s, i) => ({ step: s.join(' '), kioku: k[i], redis: o[i] }));
      expect(rows).toEqual(rows.map((row) => ({ ...row, kioku: row.redis })));
      last = k;
    }
    return last;
  }

  it('noeviction: denyoom commands get the OOM error, reads and deletions run', async () => {
    const k = await compareSteps(onOne([
      ['SET', 'k', 'v'], ['RPUSH', 'l', 'a'], OVER,
      ['SET', 'x', '1'], ['GET', 'k'], ['LPUSH', 'l', 'b'], ['APPEND', 'k', 'z'], ['INCR', 'n'], ['SADD', 's', 'm'],
      ['HSET', 'h', 'f', 'v'], ['ZADD', 'z', '1', 'm'], ['SETRANGE', 'k', '0', 'w'], ['RESTORE', 'r', '0', 'x'],
      ['EXISTS', 'k'], ['LPOP', 'l'], ['EXPIRE', 'k', '100'], ['PUBLISH', 'c', 'm'], ['DEL', 'k'], ['SET', 'x', '1'],
      ['SELECT', '1'], ['PING'],
    ]));
    expect(k[3]).toBe("-OOM command not allowed when used memory > 'maxmemory'.\r\n");
  });

  it('MULTI: queued commands are refused, EXEC of a denyoom command aborts with the reason', async () => {
    const k = await compareSteps([
      [0, ...OVER], [0, 'MULTI'], [0, 'GET', 'a'], [0, 'PING'], [0, 'EXEC'], [0, 'EXEC'],
      [0, 'MULTI'], [0, 'DISCARD'],
      [0, ...UNDER], [0, 'MULTI'], [0, 'SET', 'a', '1'], [0, 'GET', 'a'], [1, ...OVER], [0, 'EXEC'], [0, 'EXEC'], [0, 'EXISTS', 'a'],
      [1, ...UNDER], [0, 'MULTI'], [0, 'GET', 'a'], [0, 'INCR', 'b'], [1, ...OVER], [0, 'EXEC'],
      [1, ...UNDER], [0, 'MULTI'], [0, 'GET', 'a'], [1, ...OVER], [0, 'EXEC'],
      [1, ...UNDER], [0, 'MULTI'], [0, 'EXEC', 'extra'], [0, 'EXEC'],
    ]);
    expect(k[13]).toBe("-EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.\r\n");
  });

  it('OBJECT FREQ and IDLETIME answer or refuse according to the policy', async () => {
    await compareSteps(onOne([
      ['SET', 'k', 'v'], ['OBJECT', 'FREQ', 'k'], ['OBJECT', 'FREQ', 'missing'], ['OBJECT', 'IDLETIME', 'k'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu', 'lfu-log-factor', '0'],
      ['SET', 'f', 'v'], ['GET', 'f'], ['GET', 'f'], ['GET', 'f'], ['OBJECT', 'FREQ', 'f'], ['OBJECT', 'IDLETIME', 'f'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'volatile-lfu'], ['OBJECT', 'FREQ', 'f'], ['OBJECT', 'IDLETIME', 'f'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'volatile-ttl'], ['OBJECT', 'FREQ', 'f'],
      ['CONFIG', 'GET', 'maxmemory-policy'], ['CONFIG', 'SET', 'maxmemory-policy', 'bogus'],
    ]));
  });

  it('an eviction policy empties the database and then refuses writes; INFO stats counts evictions', async () => {
    const stats = ['INFO', 'stats'];
    const steps = onOne([
      ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random'], ['SET', 'a', '1'], ['SET', 'b', '2'], ['SET', 'c', '3'], OVER,
      ['DBSIZE'], ['SET', 'd', '4'], ['GET', 'a'], stats, UNDER, ['CONFIG', 'RESETSTAT'], stats,
    ]);
    const fields = (reply: string) =>
      Object.fromEntries(reply.split('\r\n').filter((l) => /evict/.test(l)).map((l) => l.split(':') as [string, string]));
    for (const port of [diff.kioku.port, diff.oracle!.port]) {
      const r = await runSteps(port, steps, 2, hooks);
      expect(r.slice(5, 8)).toEqual([':0\r\n', "-OOM command not allowed when used memory > 'maxmemory'.\r\n", '$-1\r\n']);
      const before = fields(r[8]!);
      expect(Object.keys(before)).toEqual(['evicted_keys', 'evicted_clients', 'total_eviction_exceeded_time', 'current_eviction_exceeded_time']);
      expect(before.evicted_keys).toBe('3');
      expect(Number(before.total_eviction_exceeded_time)).toBeGreaterThanOrEqual(Number(before.current_eviction_exceeded_time));
      const after = fields(r[11]!);
      expect(after.evicted_keys).toBe('0');
      expect(after.total_eviction_exceeded_time).toBe('0');
    }
  });
});
