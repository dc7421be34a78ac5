/**
 * Differential tests for MULTI EXEC DISCARD WATCH UNWATCH: the same scripts, over one or several
 * connections, go to Kioku and to a real redis-server 7.0, and the raw replies must be
 * byte-identical in RESP2 and RESP3 — queuing errors, EXECABORT, runtime errors inside EXEC,
 * blocking commands inside MULTI, and WATCH invalidated (or not) by every path.
 * Skips (saying so) when redis-server is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDifferential, type Differential } from '../helpers/differential.js';
import { haveRedisServer, NO_REDIS } from '../helpers/redis-oracle.js';
import { onOne, runSteps, type Step, type StepHooks } from '../helpers/steps.js';
import { prng } from '../helpers/prng.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

/** Every script starts from an empty keyspace with active expiry on. */
const hooks: StepHooks = {
  setup: async (c) => {
    await c.call('FLUSHALL');
    await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
  },
};

describe.runIf(available)('transactions against redis-server 7.0 (RESP2 and RESP3)', () => {
  let diff: Differential;
  beforeAll(async () => {
    diff = await startDifferential();
  });
  afterAll(async () => diff?.stop());

  /** Runs the steps on both servers in RESP2 and RESP3 and expects identical raw replies. */
  async function compareSteps(steps: Step[]): Promise<void> {
    for (const protocol of [2, 3] as const) {
      const k = await runSteps(diff.kioku.port, steps, protocol, hooks);
      const o = await runSteps(diff.oracle!.port, steps, protocol, hooks);
      const rows = steps.map((s, i) => ({ step: s.join(' '), kioku: k[i], redis: o[i] }));
      expect(rows).toEqual(rows.map((row) => ({ ...row, kioku: row.redis })));
    }
  }

  it('MULTI EXEC DISCARD: queuing, runtime errors in place, errors outside MULTI', async () => {
    await compareSteps(onOne([
      ['EXEC'], ['DISCARD'], ['UNWATCH'],
      ['MULTI'], ['EXEC'],
      ['MULTI'], ['SET', 'a', '1'], ['INCR', 'a'], ['LPUSH', 'a', 'x'], ['INCRBYFLOAT', 'a', 'x'], ['GET', 'a'],
      ['HSET', 'h', 'f'], ['EXEC'],
      ['MULTI'], ['SET', 'b', '1'], ['DISCARD'], ['EXISTS', 'b'], ['DISCARD'],
      ['MULTI'], ['SELECT', '3'], ['SET', 'c', '1'], ['EXEC'], ['GET', 'c'], ['SELECT', '0'], ['GET', 'c'],
      ['MULTI'], ['UNWATCH'], ['PING'], ['ECHO', 'e'], ['EXEC'],
    ]));
  });

  it('queuing errors: unknown command, unknown subcommand, wrong arity, no_multi → EXECABORT', async () => {
    await compareSteps(onOne([
      ['MULTI'], ['SET', 'a', '1'], ['NOSUCH', 'x', 'y'], ['SET', 'b', '2'], ['EXEC'], ['EXISTS', 'a', 'b'],
      ['MULTI'], ['GET'], ['EXEC'],
      ['MULTI'], ['CONFIG', 'NOSUCH'], ['EXEC'],
      ['MULTI'], ['SHUTDOWN', 'NOSAVE'], ['EXEC'],
      ['MULTI'], ['NOSUCH'], ['DISCARD'], ['EXEC'],
    ]));
  });

  it('nested MULTI and WATCH inside MULTI reply errors but keep the transaction', async () => {
    await compareSteps(onOne([
      ['MULTI'], ['MULTI'], ['WATCH', 'a'], ['SET', 'a', '1'], ['EXEC'], ['GET', 'a'],
    ]));
  });

  it('blocking commands inside MULTI: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX BZMPOP', async () => {
    await compareSteps(onOne([
      ['MULTI'], ['BLPOP', 'l', '0'], ['BRPOP', 'l', '1'], ['BLMOVE', 'l', 'm', 'LEFT', 'RIGHT', '0'],
      ['BRPOPLPUSH', 'l', 'm', '0'], ['BLMPOP', '0', '1', 'l', 'LEFT'], ['BZPOPMIN', 'z', '0'],
      ['BZPOPMAX', 'z', '0'], ['BZMPOP', '0', '1', 'z', 'MAX'], ['EXEC'],
      ['MULTI'], ['RPUSH', 'l', 'a', 'b', 'c'], ['ZADD', 'z', '1', 'x', '2', 'y'], ['BLPOP', 'l', '0'],
      ['BLMOVE', 'l', 'm', 'LEFT', 'RIGHT', '0'], ['BZPOPMAX', 'z', '0'], ['BLPOP', 'z', '0'], ['EXEC'],
    ]));
  });

  it('WATCH: writes by another client, by the watcher, and non-changes', async () => {
    await compareSteps([
      [0, 'WATCH', 'k'], [1, 'SET', 'k', 'v'], [0, 'MULTI'], [0, 'GET', 'k'], [0, 'EXEC'],
      [0, 'WATCH', 'k'], [0, 'APPEND', 'k', 'w'], [0, 'MULTI'], [0, 'GET', 'k'], [0, 'EXEC'],
      [0, 'WATCH', 'k', 'j'], [1, 'GET', 'k'], [1, 'DEL', 'nosuch'], [1, 'SET', 'j2', '1'], [0, 'MULTI'],
      [0, 'GET', 'k'], [0, 'EXEC'],
      [0, 'WATCH', 'k'], [1, 'SELECT', '1'], [1, 'SET', 'k', 'x'], [0, 'MULTI'], [0, 'GET', 'k'], [0, 'EXEC'],
      [0, 'WATCH', 'k'], [1, 'SELECT', '0'], [1, 'SET', 'k', 'v'], [0, 'UNWATCH'], [0, 'MULTI'], [0, 'PING'],
      [0, 'EXEC'],
      [0, 'WATCH', 'k'], [1, 'SET', 'k', 'v'], [0, 'MULTI'], [0, 'DISCARD'], [0, 'MULTI'], [0, 'PING'], [0, 'EXEC'],
      [0, 'WATCH', 'k'], [1, 'MULTI'], [1, 'INCR', 'k'], [1, 'EXEC'], [0, 'MULTI'], [0, 'PING'], [0, 'EXEC'],
      [0, 'WATCH', 'k'], [1, 'WATCH', 'k'], [0, 'MULTI'], [0, 'SET', 'k', 'zero'], [0, 'EXEC'],
      [1, 'MULTI'], [1, 'SET', 'k', 'one'], [1, 'EXEC'], [1, 'GET', 'k'],
    ]);
  });

  it('WATCH: FLUSHDB, FLUSHALL, SWAPDB, RENAME, MOVE, COPY, a pop that empties a list', async () => {
    const flow = (key: string, ...between: string[][]): Step[] => [
      [0, 'WATCH', key], ...between.map((c): Step => [1, ...c]), [0, 'MULTI'], [0, 'PING'], [0, 'EXEC'],
    ];
    await compareSteps([
      ...flow('k', ['FLUSHDB']), ...flow('k', ['SET', 'k', '1'], ['FLUSHDB']), ...flow('k', ['SET', 'k', '1'], ['FLUSHALL']),
      ...flow('k', ['SELECT', '1'], ['SET', 'k', '1'], ['FLUSHDB'], ['SELECT', '0']),
      ...flow('k', ['FLUSHALL'], ['SWAPDB', '0', '1']),
      ...flow('k', ['SELECT', '1'], ['SET', 'k', '1'], ['SELECT', '0'], ['SWAPDB', '0', '1']),
      ...flow('k', ['SWAPDB', '1', '0']),
      ...flow('k', ['SWAPDB', '2', '3']),
      ...flow('k', ['SET', 'src', 'v'], ['RENAME', 'src', 'k']),
      ...flow('k', ['RENAME', 'k', 'dst']),
      ...flow('k', ['SELECT', '4'], ['SET', 'k', 'v'], ['MOVE', 'k', '0'], ['SELECT', '0']),
      ...flow('c', ['SET', 'c0', 'v'], ['COPY', 'c0', 'c']),
      ...flow('l', ['RPUSH', 'l', 'a']), ...flow('l', ['LPOP', 'l']),
      ...flow('h', ['HSET', 'h', 'f', 'v']), ...flow('h', ['HSET', 'h', 'f', 'v']), ...flow('h', ['HDEL', 'h', 'nosuch']),
    ]);
  });

  it('WATCH and expiry: a TTL that passes, a key already expired when watched, EXPIRE in the past, PERSIST', async () => {
    await compareSteps([
      // Active expiry deletes the key well within 300 ms (hz 10): EXEC finds no watched key expired.
      [0, 'SET', 'k', 'v', 'PX', '5'], [0, 'WATCH', 'k'], [0, 'SLEEP', '300'], [0, 'MULTI'], [0, 'PING'], [0, 'EXEC'],
      [0, 'DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
      // The key expires after WATCH and is still there at EXEC: the transaction aborts.
      [0, 'SET', 'k', 'v', 'PX', '5'], [0, 'WATCH', 'k'], [0, 'SLEEP', '30'], [0, 'MULTI'], [0, 'PING'], [0, 'EXEC'],
      [0, 'SET', 'k', 'v', 'PX', '5'], [0, 'WATCH', 'k'], [0, 'SLEEP', '30'], [1, 'GET', 'k'], [0, 'MULTI'], [0, 'PING'],
      [0, 'EXEC'],
      [0, 'SET', 'k', 'v', 'PX', '5'], [0, 'SLEEP', '30'], [0, 'WATCH', 'k'], [1, 'GET', 'k'], [0, 'MULTI'], [0, 'PING'],
      [0, 'EXEC'],
      [0, 'SET', 'k', 'v', 'PX', '5'], [0, 'SLEEP', '30'], [0, 'WATCH', 'k'], [1, 'SET', 'k', 'new'], [0, 'MULTI'],
      [0, 'PING'], [0, 'EXEC'],
      [0, 'SET', 'k', 'v', 'PX', '5'], [0, 'SLEEP', '30'], [0, 'WATCH', 'k'], [1, 'FLUSHDB'], [0, 'MULTI'],
      [0, 'PING'], [0, 'EXEC'],
      [0, 'SET', 'k', 'v'], [0, 'WATCH', 'k'], [1, 'PEXPIREAT', 'k', '1'], [0, 'MULTI'], [0, 'PING'], [0, 'EXEC'],
      [0, 'SET', 'k', 'v', 'EX', '100'], [0, 'WATCH', 'k'], [1, 'PERSIST', 'k'], [0, 'MULTI'], [0, 'PING'], [0, 'EXEC'],
      [0, 'WATCH', 'k'], [1, 'PERSIST', 'k'], [0, 'MULTI'], [0, 'PING'], [0, 'EXEC'],
    ]);
  });

  it('random transactions over two connections match', async () => {
    const rand = prng(4242);
    const keys = ['a', 'b', 'c'];
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const steps: Step[] = [];
    for (let i = 0; i < 300; i++) {
      const c = rand() < 0.6 ? 0 : 1;
      const k = pick(keys);
      const cmd = pick<string[]>([
        ['MULTI'], ['EXEC'], ['DISCARD'], ['WATCH', k], ['UNWATCH'], ['SET', k, String(i)], ['INCR', k],
        ['GET', k], ['DEL', k], ['LPUSH', k, 'x'], ['NOSUCH'], ['GET'], ['EXPIRE', k, '100'], ['SELECT', pick(['0', '1'])],
        ['SWAPDB', '0', '1'], ['FLUSHDB'], ['RENAME', pick(keys), k],
      ]);
      steps.push([c, ...cmd]);
    }
    steps.push([0, 'DISCARD'], [1, 'DISCARD']);
    await compareSteps(steps);
  });
});
