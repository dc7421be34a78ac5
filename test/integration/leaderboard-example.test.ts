/**
 * The leaderboard example (examples/leaderboard/leaderboard.mjs) run as a program against Kioku:
 * its output must be exactly what it prints against Redis 7.0 (written out below, and compared
 * with a live redis-server when one is installed), and the set it leaves behind must hold what
 * the demo did. Exercises ZADD, ZRANGE ... REV WITHSCORES, ZREVRANK, ZSCORE, ZINCRBY, ZADD GT CH,
 * ZCARD and ZCOUNT through ioredis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { itMatchesRedis, runExampleProgram } from '../helpers/example-program.js';

const program = fileURLToPath(new URL('../../examples/leaderboard/leaderboard.mjs', import.meta.url));

/** Runs the example against a port; resolves to its standard output. */
const runExample = (port: number): Promise<string> => runExampleProgram(program, ['--port', String(port), '--key', 'board'], 20_000);

const EXPECTED = `loaded 1000 players
top 10:
    1. player:0393  9997
    2. player:0786  9987
    3. player:0139  9978
    4. player:0532  9968
    5. player:0925  9958
    6. player:0278  9949
    7. player:0671  9939
    8. player:0024  9930
    9. player:0417  9920
   10. player:0810  9910
player:0500 is #328 with 6735 points
around player:0500:
  326. player:0754  6754
  327. player:0107  6745
  328. player:0500  6735
  329. player:0893  6725
  330. player:0246  6716
page 3 (ranks 21-25):
   21. player:0973  9804
   22. player:0326  9795
   23. player:0719  9785
   24. player:0072  9776
   25. player:0465  9766
player:0500 wins 2500 points: 9235, now #79
player:0500 submits 100 as a best: kept 9235
player:0500 submits 9999 as a best: new best 9999
player:0500 is #1 with 9999 points
player:newcomer joins with 42 points at #997 of 1001
players with 5000 to 5999 points: 100
`;

describe('leaderboard example (ZADD ZRANGE ZREVRANK ZINCRBY ZCOUNT through ioredis)', () => {
  let ts: TestServer;
  let r: Redis;
  beforeAll(async () => {
    ts = await startTestServer();
    r = await ts.client({ enableReadyCheck: false });
  });
  afterAll(async () => ts.stop());

  it('prints what it prints against Redis 7.0, and leaves the board in the state it describes', async () => {
    expect(await runExample(ts.port)).toBe(EXPECTED);
    expect(await r.zcard('board')).toBe(1001);
    expect(await r.zrevrange('board', 0, 1, 'WITHSCORES')).toEqual(['player:0500', '9999', 'player:0393', '9997']);
    expect(await r.zscore('board', 'player:newcomer')).toBe('42');
    expect(await r.object('ENCODING', 'board')).toBe('skiplist');
  });

  itMatchesRedis(runExample, EXPECTED);
});
