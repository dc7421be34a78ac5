/**
 * Differential tests for pub/sub: the same multi-connection scenarios run against Kioku and a real
 * redis-server 7.0, and every raw reply (confirmations, messages, pushes, errors) must be
 * byte-identical, in RESP2 and RESP3. Covers PUBSUB introspection, the RESP2 subscribed-mode
 * errors, argument errors and message framing. Skips (saying so) when redis-server is missing.
 *
 * Scenarios avoid what legitimately differs: the order of several channels in PUBSUB CHANNELS and
 * of UNSUBSCRIBE with no argument, and of pmessages when several patterns match one channel
 * (Redis walks a hash table there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawConnection } from '../helpers/raw-connection.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { haveRedisServer, NO_REDIS, startRedisOracle, type RedisOracle } from '../helpers/redis-oracle.js';
import { prng } from '../helpers/prng.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

/** A step that reads everything pending on a connection (then PINGs it to know where that ends). */
const DRAIN = '__drain__';
/** PING's reply in RESP2 subscribed mode. */
const PONG_ARRAY = '*2\r\n$4\r\npong\r\n$0\r\n\r\n';

/** One step: on connection `conn`, send `argv` (or nothing) and read `replies` replies. */
type Step = [conn: number, argv: string[] | null, replies: number];

async function runScenario(port: number, protocols: (2 | 3)[], steps: Step[]): Promise<string[]> {
  const conns = await Promise.all(protocols.map(() => RawConnection.connect(port)));
  try {
    for (let i = 0; i < conns.length; i++) if (protocols[i] === 3) await conns[i]!.call('HELLO', '3');
    const out: string[] = [];
    for (const [ci, argv, n] of steps) {
      const c = conns[ci]!;
      let got = '';
      if (argv?.[0] === DRAIN) {
        // Everything pending on this connection, up to the reply of a PING sent now.
        c.send('PING');
        for (;;) {
          const r = await c.readReply(2000);
          if (r === '+PONG\r\n' || r === PONG_ARRAY) break;
          got += r;
        }
        out.push(`${ci} (drain) -> ${got}`);
        continue;
      }
      if (argv) c.send(...argv);
      for (let i = 0; i < n; i++) got += await c.readReply(2000);
      out.push(`${ci} ${argv ? argv.join(' ') : '(read)'} -> ${got}`);
    }
    return out;
  } finally {
    for (const c of conns) c.close();
  }
}

describe.runIf(available)('pub/sub against redis-server 7.0 (RESP2 and RESP3)', () => {
  let kioku: TestServer;
  let oracle: RedisOracle;
  beforeAll(async () => {
    kioku = await startTestServer();
    oracle = await startRedisOracle();
  });
  afterAll(async () => {
    await kioku?.stop();
    await oracle?.stop();
  });

  async function compare(steps: Step[], connections = 2): Promise<void> {
    for (const p of [2, 3] as const) {
      for (const mixed of [false, true]) {
        // All connections in protocol p, or the first one in p and the others in the other protocol.
        const protocols = Array.from({ length: connections }, (_, i) => (i === 0 || !mixed ? p : p === 2 ? 3 : 2)) as (2 | 3)[];
        const k = await runScenario(kioku.port, protocols, steps);
        const r = await runScenario(oracle.port, protocols, steps);
        expect(k, `protocols ${protocols.join(',')}`).toEqual(r);
      }
    }
  }

  it('SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE SSUBSCRIBE SUNSUBSCRIBE: confirmations, repeats, unknown names, none left', async () => {
    await compare([
      [0, ['UNSUBSCRIBE'], 1], [0, ['PUNSUBSCRIBE'], 1], [0, ['SUNSUBSCRIBE'], 1],
      [0, ['SUBSCRIBE', 'a', 'b', 'a'], 3], [0, ['PSUBSCRIBE', 'p*', 'p*', 'q?'], 3], [0, ['SSUBSCRIBE', 's1', 's2', 's1'], 3],
      [0, ['UNSUBSCRIBE', 'b', 'zz'], 2], [0, ['PUNSUBSCRIBE', 'q?', 'nope'], 2], [0, ['SUNSUBSCRIBE', 's2', 'zz'], 2],
      [0, ['UNSUBSCRIBE'], 1], [0, ['PUNSUBSCRIBE'], 1], [0, ['SUNSUBSCRIBE'], 1],
      [0, ['UNSUBSCRIBE'], 1], [0, ['PUNSUBSCRIBE'], 1], [0, ['SUNSUBSCRIBE'], 1],
      [0, ['SUBSCRIBE', ''], 1], [0, ['UNSUBSCRIBE', ''], 1],
      [0, ['SUBSCRIBE'], 1], [0, ['PSUBSCRIBE'], 1], [0, ['SSUBSCRIBE'], 1],
    ]);
  });

  it('subscribed mode: errors for other commands (GET, PUBSUB NUMPAT, PUBLISH, unknown), PING, QUIT-less RESET', async () => {
    await compare([
      [0, ['SUBSCRIBE', 'a'], 1],
      [0, ['GET', 'k'], 1], [0, ['SET', 'k', 'v'], 1], [0, ['PUBSUB', 'NUMPAT'], 1], [0, ['PUBLISH', 'a', 'm'], 1],
      [0, ['PING'], 1], [0, ['PING', 'hello'], 1], [0, ['PING', 'a', 'b'], 1], [0, ['NOSUCHCMD'], 1], [0, ['GET'], 1],
      [0, ['CLIENT', 'ID', 'x'], 1], [0, ['ECHO', 'x'], 1],
      [0, ['UNSUBSCRIBE', 'a'], 1], [0, ['GET', 'k'], 1],
      [0, ['SSUBSCRIBE', 'sh'], 1], [0, ['GET', 'k'], 1], [0, ['PING'], 1], [0, ['SUNSUBSCRIBE', 'sh'], 1], [0, ['PING'], 1],
      [0, ['PSUBSCRIBE', 'x*'], 1], [0, ['RESET'], 1], [0, ['GET', 'k'], 1], [0, ['PUBSUB', 'NUMPAT'], 1],
    ]);
  });

  it('PUBLISH SPUBLISH: message, pmessage, smessage framing and receiver counts, to others and to itself', async () => {
    await compare([
      [0, ['SUBSCRIBE', 'news'], 1], [0, ['PSUBSCRIBE', 'n*', 'x*'], 2], [0, ['SSUBSCRIBE', 'sh'], 1],
      [1, ['PUBLISH', 'news', 'hello'], 1], [0, null, 2],
      [1, ['PUBLISH', 'nope', ''], 1], [0, null, 1],
      [1, ['PUBLISH', 'zzz', 'x'], 1],
      [1, ['SPUBLISH', 'sh', 'shard-msg'], 1], [0, null, 1],
      [1, ['SPUBLISH', 'news', 'x'], 1],
      [1, ['PUBLISH', 'sh', 'x'], 1],
      [1, ['SUBSCRIBE', 'news'], 1], [1, ['PSUBSCRIBE', 'news'], 1],
      [0, ['PING'], 1],
      [1, ['UNSUBSCRIBE', 'news'], 1], [1, ['PUNSUBSCRIBE', 'news'], 1],
      [1, ['PUBLISH', 'news', 'bin\r\n\x00\xff'], 1], [0, null, 2],
      [1, ['PUBLISH', 'news'], 1], [1, ['SPUBLISH', 'a', 'b', 'c'], 1],
    ]);
    // A client publishing to a channel it listens to (RESP3: the push comes before the reply).
    for (const p of [3] as const) {
      const k = await runScenario(kioku.port, [p], [[0, ['SUBSCRIBE', 'self'], 1], [0, ['PUBLISH', 'self', 'm'], 2]]);
      const r = await runScenario(oracle.port, [p], [[0, ['SUBSCRIBE', 'self'], 1], [0, ['PUBLISH', 'self', 'm'], 2]]);
      expect(k).toEqual(r);
    }
  });

  it('PUBSUB CHANNELS, PUBSUB NUMSUB, PUBSUB NUMPAT, PUBSUB SHARDCHANNELS, PUBSUB SHARDNUMSUB, PUBSUB HELP: introspection and argument errors', async () => {
    await compare([
      [1, ['PUBSUB', 'CHANNELS'], 1], [1, ['PUBSUB', 'NUMPAT'], 1], [1, ['PUBSUB', 'NUMSUB'], 1], [1, ['PUBSUB', 'SHARDNUMSUB'], 1],
      [0, ['SUBSCRIBE', 'chan'], 1], [0, ['PSUBSCRIBE', 'c*', 'd*'], 2], [0, ['SSUBSCRIBE', 'shard1'], 1],
      [1, ['PUBSUB', 'CHANNELS'], 1], [1, ['PUBSUB', 'CHANNELS', 'c*'], 1], [1, ['PUBSUB', 'CHANNELS', 'x*'], 1],
      [1, ['PUBSUB', 'CHANNELS', 'ch[a-b]n'], 1],
      [1, ['PUBSUB', 'NUMSUB', 'chan', 'other', 'chan'], 1], [1, ['PUBSUB', 'NUMPAT'], 1],
      [1, ['PUBSUB', 'SHARDCHANNELS'], 1], [1, ['PUBSUB', 'SHARDCHANNELS', 's*'], 1], [1, ['PUBSUB', 'SHARDCHANNELS', 'zz'], 1],
      [1, ['PUBSUB', 'SHARDNUMSUB', 'shard1', 'chan'], 1],
      [1, ['PUBSUB', 'HELP'], 1], [1, ['pubsub', 'help', 'x'], 1],
      [1, ['PUBSUB', 'CHANNELS', 'a', 'b'], 1], [1, ['PUBSUB', 'shardChannels', 'a', 'b'], 1],
      [1, ['PUBSUB', 'NUMPAT', 'x'], 1], [1, ['PUBSUB', 'NOPE'], 1], [1, ['PUBSUB'], 1],
      [0, ['UNSUBSCRIBE', 'chan'], 1], [0, ['PUNSUBSCRIBE', 'c*'], 1],
      [1, ['PUBSUB', 'CHANNELS'], 1], [1, ['PUBSUB', 'NUMPAT'], 1], [1, ['PUBSUB', 'NUMSUB', 'chan'], 1],
    ]);
  });

  it('random scripts: SUBSCRIBE PSUBSCRIBE SSUBSCRIBE and their UNSUBSCRIBEs, PUBLISH SPUBLISH, PUBSUB NUMSUB across 3 connections', async () => {
    // Channels a1 a2 b1 b2 c1; patterns a* and b? never both match one channel, so the order of
    // pmessages on a connection is the same in both servers.
    const channels = ['a1', 'a2', 'b1', 'b2', 'c1'];
    const patterns = ['a*', 'b?', 'zz*'];
    for (let seed = 1; seed <= 6; seed++) {
      const rand = prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const steps: Step[] = [];
      for (let i = 0; i < 60; i++) {
        const conn = Math.floor(rand() * 3);
        const r = rand();
        if (r < 0.2) steps.push([conn, [pick(['SUBSCRIBE', 'UNSUBSCRIBE']), pick(channels)], 1]);
        else if (r < 0.35) steps.push([conn, [pick(['PSUBSCRIBE', 'PUNSUBSCRIBE']), pick(patterns)], 1]);
        else if (r < 0.45) steps.push([conn, [pick(['SSUBSCRIBE', 'SUNSUBSCRIBE']), pick(channels)], 1]);
        else if (r < 0.85) {
          steps.push([conn, [pick(['PUBLISH', 'PUBLISH', 'SPUBLISH']), pick(channels), `m${i}`], 1]);
          for (let c = 0; c < 3; c++) steps.push([c, [DRAIN], 0]);
        } else if (r < 0.95) steps.push([conn, ['PUBSUB', pick(['NUMSUB', 'SHARDNUMSUB']), pick(channels), pick(channels)], 1]);
        else steps.push([conn, ['PUBSUB', 'NUMPAT'], 1]);
      }
      await compare(steps, 3);
    }
  });
});
