/**
 * Differential tests for keyspace notifications: the same script runs against Kioku and a real
 * redis-server 7.0 while a subscriber (pattern `__key*__:*`, a single pattern so the delivery order
 * is deterministic) collects every event; the raw event frames must be identical, in RESP2 and
 * RESP3. One script per command family, with `notify-keyspace-events` set to KEA plus n (new keys).
 * Also checks CONFIG SET/GET of the flags. Skips (saying so) when redis-server is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawConnection } from '../helpers/raw-connection.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { haveRedisServer, NO_REDIS, startRedisOracle, type RedisOracle } from '../helpers/redis-oracle.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

const PONG_ARRAY = '*2\r\n$4\r\npong\r\n$0\r\n\r\n';

/** A pmessage frame as "<header> <channel> <message>" (header: *4 in RESP2, >4 in RESP3). */
function readable(frame: string): string {
  const lines = frame.split('\r\n');
  const parts = lines.filter((l, i) => i > 0 && !l.startsWith('$') && l !== '');
  return [lines[0], ...parts.slice(2)].join(' ');
}

/**
 * Runs the script with a subscriber attached; returns the script's replies and every event frame,
 * each prefixed with the command that caused it (the subscriber is drained after every command).
 */
async function runWithSubscriber(port: number, protocol: 2 | 3, flags: string, script: string[][]): Promise<{ replies: string[]; events: string[] }> {
  const sub = await RawConnection.connect(port);
  const cmd = await RawConnection.connect(port);
  try {
    if (protocol === 3) {
      await sub.call('HELLO', '3');
      await cmd.call('HELLO', '3');
    }
    await cmd.call('FLUSHALL');
    await cmd.call('CONFIG', 'SET', 'notify-keyspace-events', flags);
    await sub.call('PSUBSCRIBE', '__key*__:*');
    const replies: string[] = [];
    const events: string[] = [];
    for (const argv of script) {
      const name = argv.join(' ');
      replies.push(`${name} -> ${await cmd.call(...argv)}`);
      sub.send('PING');
      for (;;) {
        const r = await sub.readReply(2000);
        if (r === '+PONG\r\n' || r === PONG_ARRAY) break;
        // Active expiry may publish "expired" after any command: those are not attributed.
        const event = readable(r);
        events.push(/ expired$|:expired /.test(event) ? `(expiry): ${event}` : `${name}: ${event}`);
      }
    }
    await cmd.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    return { replies, events };
  } finally {
    sub.close();
    cmd.close();
  }
}

const FAMILIES: Record<string, string[][]> = {
  strings: [
    ['SET', 's', 'v'], ['SET', 's', 'w', 'EX', '100'], ['SET', 's', 'x', 'NX'], ['SET', 's', 'y', 'XX', 'GET'],
    ['SETNX', 's2', 'a'], ['SETEX', 's3', '10', 'a'], ['PSETEX', 's4', '10000', 'a'], ['GETSET', 's', 'z'],
    ['MSET', 'm1', 'a', 'm2', 'b'], ['MSETNX', 'm3', 'a', 'm4', 'b'], ['MSETNX', 'm3', 'a', 'm5', 'b'],
    ['INCR', 'n'], ['DECR', 'n'], ['INCRBY', 'n', '5'], ['DECRBY', 'n', '2'], ['INCRBYFLOAT', 'n', '1.5'],
    ['APPEND', 'ap', 'x'], ['APPEND', 'ap', 'y'], ['SETRANGE', 'ap', '5', 'zz'], ['SETRANGE', 'ap', '0', ''],
    ['GETDEL', 'ap'], ['GETDEL', 'ap'], ['GETEX', 's', 'EX', '100'], ['GETEX', 's', 'PERSIST'], ['GETEX', 's', 'PERSIST'],
    ['GETEX', 'm1', 'PXAT', '1'], ['INCR', 'm2'],
  ],
  keys: [
    ['SET', 'a', '1'], ['SET', 'b', '2'], ['DEL', 'a', 'b', 'c'], ['SET', 'a', '1'], ['UNLINK', 'a'],
    ['SET', 'a', '1'], ['RENAME', 'a', 'b'], ['SET', 'c', '3'], ['RENAME', 'b', 'c'], ['RENAME', 'c', 'c'],
    ['RENAMENX', 'c', 'd'], ['SET', 'e', '1'], ['RENAMENX', 'd', 'e'],
    ['COPY', 'd', 'f'], ['COPY', 'd', 'f'], ['COPY', 'd', 'f', 'REPLACE'], ['COPY', 'd', 'f', 'DB', '1'],
    ['MOVE', 'f', '2'], ['MOVE', 'e', '1'],
    ['EXPIRE', 'd', '100'], ['PEXPIRE', 'd', '200000', 'GT'], ['EXPIREAT', 'd', '99999999999'], ['PEXPIREAT', 'd', '99999999999999'],
    ['PERSIST', 'd'], ['PERSIST', 'd'], ['EXPIRE', 'd', '100', 'XX'], ['EXPIRE', 'd', '0'], ['EXPIRE', 'nokey', '10'],
    ['SET', 'g', '1'], ['PEXPIREAT', 'g', '1'], ['SET', 'h', '1', 'PX', '1'], ['DEBUG', 'SLEEP', '0.01'], ['GET', 'h'],
    ['SET', 'i', '1'], ['SWAPDB', '0', '3'], ['SWAPDB', '0', '3'], ['TOUCH', 'i'], ['FLUSHDB'],
  ],
  lists: [
    ['LPUSH', 'l', 'a', 'b'], ['RPUSH', 'l', 'c'], ['LPUSHX', 'l', 'd'], ['RPUSHX', 'l', 'e'], ['LPUSHX', 'x', 'd'],
    ['LINSERT', 'l', 'BEFORE', 'a', 'z'], ['LINSERT', 'l', 'AFTER', 'nope', 'z'], ['LSET', 'l', '0', 'q'],
    ['LREM', 'l', '0', 'z'], ['LREM', 'l', '0', 'nope'], ['LTRIM', 'l', '0', '3'], ['LTRIM', 'l', '0', '-1'],
    ['LPOP', 'l'], ['RPOP', 'l'], ['LPOP', 'l', '5'], ['RPUSH', 'l', '1', '2', '3'], ['RPOPLPUSH', 'l', 'l2'],
    ['LMOVE', 'l', 'l2', 'LEFT', 'RIGHT'], ['LMOVE', 'l', 'l', 'LEFT', 'RIGHT'], ['LMOVE', 'l', 'l2', 'LEFT', 'LEFT'],
    ['LMPOP', '1', 'l2', 'LEFT', 'COUNT', '2'], ['BLPOP', 'l2', '0'], ['RPUSH', 'l3', 'x', 'y'], ['BRPOP', 'l3', '0'],
    ['BLMOVE', 'l3', 'l4', 'RIGHT', 'LEFT', '0'], ['BRPOPLPUSH', 'l4', 'l5', '0'], ['BLMPOP', '0', '1', 'l5', 'RIGHT'],
    ['RPUSH', 'l6', 'a'], ['LTRIM', 'l6', '1', '0'], ['RPUSH', 'l7', 'a', 'b'], ['LREM', 'l7', '0', 'a'], ['LREM', 'l7', '0', 'b'],
  ],
  hashes: [
    ['HSET', 'h', 'a', '1', 'b', '2'], ['HSET', 'h', 'a', '1'], ['HMSET', 'h', 'c', '3'], ['HSETNX', 'h', 'c', '4'],
    ['HSETNX', 'h', 'd', '4'], ['HINCRBY', 'h', 'n', '2'], ['HINCRBYFLOAT', 'h', 'f', '1.5'], ['HDEL', 'h', 'a', 'zz'],
    ['HDEL', 'h', 'zz'], ['HDEL', 'h', 'b', 'c', 'd', 'n', 'f'], ['HINCRBY', 'h2', 'x', '1'], ['HDEL', 'h2', 'x'],
  ],
  sets: [
    ['SADD', 's', 'a', 'b', 'c'], ['SADD', 's', 'a'], ['SREM', 's', 'a', 'zz'], ['SREM', 's', 'zz'],
    ['SMOVE', 's', 't', 'b'], ['SMOVE', 's', 't', 'zz'], ['SMOVE', 't', 's', 'b'], ['SMOVE', 's', 's', 'b'],
    ['SADD', 'u', 'b', 'x'], ['SINTERSTORE', 'd1', 's', 'u'], ['SUNIONSTORE', 'd2', 's', 'u'], ['SDIFFSTORE', 'd3', 's', 'u'],
    ['SINTERSTORE', 'd1', 'nokey', 'u'], ['SINTERSTORE', 'd4', 'nokey'], ['SDIFFSTORE', 'd2', 's', 's'],
    ['SREM', 'u', 'x'], ['SPOP', 'u', '0'], ['SPOP', 'u', '1'], ['SADD', 'u', 'b', 'x'], ['SREM', 'u', 'b', 'x'], ['SADD', 'p', '1'], ['SPOP', 'p'], ['SPOP', 'p'], ['SADD', 'p', '1', '2'], ['SPOP', 'p', '5'],
    ['SREM', 's', 'b', 'c'],
  ],
  zsets: [
    ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'], ['ZADD', 'z', '1', 'a'], ['ZADD', 'z', 'INCR', '5', 'a'], ['ZINCRBY', 'z', '1', 'b'],
    ['ZADD', 'z', 'NX', '9', 'a'], ['ZADD', 'z', 'XX', '9', 'zz'], ['ZREM', 'z', 'a', 'zz'], ['ZREM', 'z', 'zz'],
    ['ZADD', 'z', '1', 'd', '2', 'e', '3', 'f', '4', 'g'], ['ZREMRANGEBYRANK', 'z', '0', '0'], ['ZREMRANGEBYSCORE', 'z', '2', '3'],
    ['ZREMRANGEBYLEX', 'z', '[a', '[b'], ['ZREMRANGEBYSCORE', 'z', '100', '200'], ['ZPOPMIN', 'z'], ['ZPOPMAX', 'z', '2'],
    ['ZADD', 'y', '1', 'a', '2', 'b'], ['ZADD', 'x', '1', 'b', '3', 'c'],
    ['ZUNIONSTORE', 'd1', '2', 'x', 'y'], ['ZINTERSTORE', 'd2', '2', 'x', 'y'], ['ZDIFFSTORE', 'd3', '2', 'x', 'y'],
    ['ZINTERSTORE', 'd2', '2', 'x', 'nokey'], ['ZRANGESTORE', 'd4', 'x', '0', '-1'], ['ZRANGESTORE', 'd4', 'x', '5', '6'],
    ['ZMPOP', '1', 'y', 'MIN', 'COUNT', '5'], ['BZPOPMIN', 'x', '0'], ['BZPOPMAX', 'x', '0'], ['ZADD', 'w', '1', 'a'], ['BZMPOP', '0', '1', 'w', 'MAX'],
    ['ZADD', 'v', 'GT', 'CH', '1', 'a'], ['ZREMRANGEBYRANK', 'v', '0', '-1'],
  ],
  sort: [
    ['RPUSH', 'l', '3', '1', '2'], ['SORT', 'l', 'STORE', 'd'], ['SORT', 'l', 'STORE', 'd'], ['SORT', 'nokey', 'STORE', 'd'],
    ['SORT', 'nokey', 'STORE', 'd'], ['SORT', 'l'],
  ],
};

describe.runIf(available)('keyspace notifications against redis-server 7.0', () => {
  let kioku: TestServer;
  let oracle: RedisOracle;
  beforeAll(async () => {
    kioku = await startTestServer();
    oracle = await startRedisOracle(['--enable-debug-command', 'yes']);
  });
  afterAll(async () => {
    await kioku?.stop();
    await oracle?.stop();
  });

  for (const [family, script] of Object.entries(FAMILIES)) {
    for (const protocol of [2, 3] as const) {
      it(`${family}: same events (KEA + n), RESP${protocol}`, async () => {
        const k = await runWithSubscriber(kioku.port, protocol, 'KEAn', script);
        const r = await runWithSubscriber(oracle.port, protocol, 'KEAn', script);
        expect(k.replies).toEqual(r.replies);
        expect(k.events).toEqual(r.events);
      });
    }
  }

  for (const protocol of [2, 3] as const) {
    it(`keymiss (m): read lookups of missing keys, RESP${protocol}`, async () => {
      const script = [
        ['GET', 'a'], ['MGET', 'a', 'b'], ['STRLEN', 'a'], ['GETRANGE', 'a', '0', '1'], ['GETDEL', 'a'], ['GETEX', 'a'], ['EXISTS', 'a'],
        ['TYPE', 'a'], ['TTL', 'a'], ['PTTL', 'a'], ['EXPIRETIME', 'a'], ['OBJECT', 'ENCODING', 'a'], ['TOUCH', 'a'],
        ['LLEN', 'l'], ['LRANGE', 'l', '0', '-1'], ['LINDEX', 'l', '0'], ['LPOS', 'l', 'x'], ['LPOP', 'l'], ['RPOPLPUSH', 'l', 'm'],
        ['HGET', 'h', 'f'], ['HGETALL', 'h'], ['HMGET', 'h', 'f'], ['HLEN', 'h'], ['HEXISTS', 'h', 'f'], ['HKEYS', 'h'], ['HRANDFIELD', 'h'],
        ['HSCAN', 'h', '0'], ['HSTRLEN', 'h', 'f'], ['HDEL', 'h', 'f'],
        ['SMEMBERS', 's'], ['SISMEMBER', 's', 'x'], ['SMISMEMBER', 's', 'x'], ['SCARD', 's'], ['SINTER', 's', 't'], ['SUNION', 's', 't'],
        ['SDIFF', 's', 't'], ['SINTERSTORE', 'd', 's', 't'], ['SRANDMEMBER', 's'], ['SSCAN', 's', '0'], ['SINTERCARD', '1', 's'], ['SREM', 's', 'x'],
        ['ZSCORE', 'z', 'm'], ['ZRANGE', 'z', '0', '-1'], ['ZCARD', 'z'], ['ZRANK', 'z', 'm'], ['ZCOUNT', 'z', '0', '1'], ['ZMSCORE', 'z', 'm'],
        ['ZUNIONSTORE', 'd', '1', 'z'], ['ZRANGESTORE', 'd', 'z', '0', '-1'], ['ZRANDMEMBER', 'z'], ['ZSCAN', 'z', '0'], ['ZPOPMIN', 'z'],
        ['SORT', 'l'], ['SORT', 'l', 'STORE', 'd'], ['COPY', 'a', 'b'], ['RENAME', 'a', 'b'], ['MOVE', 'a', '1'], ['APPEND', 'x', 'y'],
        ['SET', 'k', 'v', 'GET'], ['SET', 'k2', 'v'], ['INCR', 'i'], ['LPUSH', 'l2', 'a'], ['SADD', 's2', 'a'], ['HSET', 'h2', 'f', 'v'],
        ['ZADD', 'z2', '1', 'a'], ['GET', 'k2'], ['DBSIZE'],
      ];
      const k = await runWithSubscriber(kioku.port, protocol, 'KEm', script);
      const r = await runWithSubscriber(oracle.port, protocol, 'KEm', script);
      expect(k.replies).toEqual(r.replies);
      expect(k.events).toEqual(r.events);
    });
  }

  it('only the enabled classes and channels are published', async () => {
    const script = [['SET', 'a', '1'], ['LPUSH', 'l', 'x'], ['DEL', 'a'], ['SADD', 's', 'm'], ['EXPIRE', 's', '10']];
    for (const flags of ['K$', 'El', 'Kg', 'Eg$', 'Ks', 'A', 'KA', 'En', '']) {
      const k = await runWithSubscriber(kioku.port, 2, flags, script);
      const r = await runWithSubscriber(oracle.port, 2, flags, script);
      expect({ flags, events: k.events }).toEqual({ flags, events: r.events });
    }
  });

  it('CONFIG SET / GET notify-keyspace-events: canonical form and errors', async () => {
    const values = ['', 'KEA', 'AKE', 'Kgn', 'nA', 'K$lshzxetdE', 'Em', 'x', 'Ag$lshzxeKEtmdn', 'q', 'KEa', 'gggK', 'dtK', 'zsE'];
    const run = async (port: number) => {
      const c = await RawConnection.connect(port);
      const out: string[] = [];
      try {
        for (const v of values) {
          out.push(await c.call('CONFIG', 'SET', 'notify-keyspace-events', v));
          out.push(await c.call('CONFIG', 'GET', 'notify-keyspace-events'));
        }
        await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
      } finally {
        c.close();
      }
      return out;
    };
    expect(await run(kioku.port)).toEqual(await run(oracle.port));
  });
});
