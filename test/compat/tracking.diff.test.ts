/**
 * Differential tests for client-side caching: the same multi-connection CLIENT TRACKING scenarios
 * run against Kioku and redis-server 7.0; every raw reply and invalidation message (RESP3 pushes,
 * RESP2 __redis__:invalidate messages through REDIRECT, nulls for FLUSHDB/FLUSHALL,
 * tracking-redir-broken) must be byte-identical once client ids are replaced by names. Covers the
 * errors, TRACKINGINFO/GETREDIR, every mode (default, BCAST+PREFIX, OPTIN, OPTOUT, NOLOOP) and
 * random scripts. Skips (saying so) when redis-server is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawConnection } from '../helpers/raw-connection.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { haveRedisServer, NO_REDIS, startRedisOracle, type RedisOracle } from '../helpers/redis-oracle.js';
import { prng } from '../helpers/prng.js';

const available = haveRedisServer();
if (!available) console.log(NO_REDIS);

/** Argument standing for connection n's client id. */
const ID = (n: number) => `@ID${n}`;

/**
 * One step: on connection `conn`, send argv and read its reply, then read everything else pending
 * on every connection (up to a PING's reply). conn < 0 closes connection -conn-1.
 */
type Step = [conn: number, argv: string[]];

/** What ends a drain: PING's reply (RESP2 subscribed mode too), or +QUEUED inside MULTI (EXEC then includes it). */
const PONG = ['+PONG\r\n', '*2\r\n$4\r\npong\r\n$0\r\n\r\n', '+QUEUED\r\n'];

async function drain(c: RawConnection): Promise<string> {
  c.send('PING');
  let got = '';
  for (;;) {
    const r = await c.readReply(2000);
    if (PONG.includes(r)) return got;
    got += r;
  }
}

async function runScenario(port: number, protocols: (2 | 3)[], steps: Step[]): Promise<string[]> {
  const conns = await Promise.all(protocols.map(() => RawConnection.connect(port)));
  const open = conns.map(() => true);
  try {
    await conns[0]!.call('FLUSHALL');
    const ids: string[] = [];
    for (let i = 0; i < conns.length; i++) {
      if (protocols[i] === 3) await conns[i]!.call('HELLO', '3');
      ids.push((await conns[i]!.call('CLIENT', 'ID')).slice(1, -2));
    }
    const names = (s: string) =>
      ids.reduce((acc, id, i) => acc.replaceAll(`:${id}\r\n`, `:ID${i}\r\n`).replaceAll(`redir=${id} `, `redir=ID${i} `), s);
    const out: string[] = [];
    for (const [ci, argv] of steps) {
      if (ci < 0) {
        conns[-ci - 1]!.close();
        open[-ci - 1] = false;
        await new Promise((r) => setTimeout(r, 30));
        continue;
      }
      const args = argv.map((a) => (a.startsWith('@ID') ? ids[Number(a.slice(3))]! : a));
      let got = await conns[ci]!.call(...args);
      // Subscribe confirmations beyond the first (one per channel).
      if (args[0] === 'SUBSCRIBE') for (let i = 2; i < args.length; i++) got += await conns[ci]!.readReply(2000);
      out.push(`${ci} ${argv.join(' ')} -> ${names(got)}`);
      for (let i = 0; i < conns.length; i++) {
        if (!open[i]) continue;
        const pending = await drain(conns[i]!);
        if (pending !== '') out.push(`  ${i} got ${names(pending)}`);
      }
    }
    return out;
  } finally {
    for (let i = 0; i < conns.length; i++) if (open[i]) conns[i]!.close();
  }
}

describe.runIf(available)('client-side caching against redis-server 7.0 (RESP2 and RESP3)', () => {
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

  /** Runs the steps with the tracking connection (0) in RESP2 and RESP3, the others in both too. */
  async function compare(steps: Step[], connections = 3): Promise<void> {
    for (const p of [2, 3] as const) {
      for (const q of [2, 3] as const) {
        const protocols = Array.from({ length: connections }, (_, i) => (i === 0 ? p : q)) as (2 | 3)[];
        const k = await runScenario(kioku.port, protocols, steps);
        const r = await runScenario(oracle.port, protocols, steps);
        expect(k, `protocols ${protocols.join(',')}`).toEqual(r);
      }
    }
  }

  it('CLIENT TRACKING and CLIENT CACHING errors, CLIENT TRACKINGINFO and CLIENT GETREDIR in every state', async () => {
    const t = (...a: string[]): Step => [0, ['CLIENT', 'TRACKING', ...a]];
    const info: Step = [0, ['CLIENT', 'TRACKINGINFO']];
    const redir: Step = [0, ['CLIENT', 'GETREDIR']];
    await compare([
      info, redir, [0, ['CLIENT', 'CACHING', 'yes']], [0, ['CLIENT', 'CACHING', 'x']],
      t('on', 'prefix', 'a'), t('on', 'optin', 'optout'), t('on', 'bcast', 'optout'), t('on', 'redirect', '0'),
      t('on', 'redirect', '-1'), t('on', 'redirect', 'x'), t('on', 'redirect', ID(1), 'redirect', ID(1)),
      t('on', 'bcast', 'prefix', 'a', 'prefix', 'ab'), t('on', 'bcast', 'prefix', 'x', 'prefix', 'x'), t('on', 'bcast', 'prefix', ''),
      t('on', 'prefix'), t('on', 'redirect'), t('on', 'nope'), t('maybe'), t('off', 'bogus'), t('OFF'), [0, ['CLIENT', 'TRACKING']],
      t('ON', 'BCAST', 'PREFIX', 'b', 'PREFIX', 'a'), info, redir, t('on', 'bcast', 'prefix', 'bc'), t('on', 'bcast', 'prefix', 'c'),
      info, t('on'), t('on', 'optin'), t('on', 'bcast', 'noloop'), info, t('off'), info, redir,
      t('on', 'optin', 'redirect', ID(1)), info, redir, [0, ['CLIENT', 'CACHING', 'no']], [0, ['CLIENT', 'CACHING', 'YES']], info,
      t('on', 'optout'), t('on', 'optin', 'noloop'), info, [0, ['CLIENT', 'CACHING', 'yes', 'x']], t('off'),
      t('on', 'optout'), [0, ['CLIENT', 'CACHING', 'yes']], [0, ['CLIENT', 'CACHING', 'no']], info, [0, ['GET', 'k']], info,
      t('off'), t('off'), info,
    ]);
  });

  it('default mode: one invalidation per read, own writes after their reply, MULTI/EXEC, FLUSHDB and FLUSHALL nulls', async () => {
    await compare([
      [0, ['CLIENT', 'TRACKING', 'on']], [0, ['GET', 'a']], [0, ['MGET', 'b', 'c', 'a']], [1, ['SET', 'a', '1']], [1, ['SET', 'a', '2']],
      [0, ['MSET', 'b', '1', 'c', '2', 'd', '3']], [0, ['GET', 'a']], [0, ['STRLEN', 'b']], [1, ['DEL', 'a', 'b', 'zz']],
      [0, ['GET', 'x']], [0, ['MULTI']], [0, ['SET', 'x', '1']], [0, ['GET', 'x']], [0, ['EXEC']], [1, ['APPEND', 'x', 'y']],
      [0, ['LPUSH', 'l', 'a']], [0, ['GET', 'l']], [1, ['RPUSH', 'l', 'b']], [0, ['LRANGE', 'l', '0', '-1']], [1, ['LPOP', 'l']],
      [0, ['GET', 'f']], [1, ['FLUSHDB']], [1, ['SET', 'f', '1']], [0, ['FLUSHALL']], [1, ['SET', 'f', '2']],
      [0, ['CLIENT', 'TRACKING', 'on', 'NOLOOP']], [0, ['GET', 'n']], [0, ['SET', 'n', '1']], [0, ['GET', 'n']], [1, ['SET', 'n', '2']],
      [0, ['CLIENT', 'TRACKING', 'off']], [0, ['GET', 'o']], [1, ['SET', 'o', '1']],
    ]);
  });

  it('REDIRECT: to a subscriber (RESP2 message) or RESP3 client, to a non-subscriber, then the redirect client gone', async () => {
    await compare([
      [1, ['SUBSCRIBE', '__redis__:invalidate']], [0, ['CLIENT', 'TRACKING', 'on', 'REDIRECT', ID(1)]], [0, ['CLIENT', 'GETREDIR']],
      [0, ['GET', 'a']], [0, ['SET', 'a', '1']], [0, ['GET', 'a']], [2, ['SET', 'a', '2']], [0, ['FLUSHDB']],
      [0, ['CLIENT', 'TRACKING', 'on', 'REDIRECT', ID(2)]], [0, ['GET', 'b']], [1, ['SET', 'b', '1']],
      [0, ['CLIENT', 'TRACKING', 'on', 'REDIRECT', ID(1)]], [0, ['GET', 'c']], [-2, []], [2, ['SET', 'c', '1']],
      [0, ['CLIENT', 'TRACKINGINFO']], [0, ['GET', 'c']], [2, ['SET', 'c', '2']], [0, ['CLIENT', 'TRACKINGINFO']], [0, ['FLUSHALL']],
    ]);
  });

  it('BCAST: prefixes, NOLOOP, several clients, TRACKING OFF removes the prefixes', async () => {
    await compare([
      [0, ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'cart:']],
      [1, ['CLIENT', 'TRACKING', 'on', 'BCAST', 'NOLOOP', 'REDIRECT', ID(0)]],
      [2, ['MSET', 'user:2', '1', 'user:1', '2', 'cart:9', '3', 'other', '4']], [1, ['SET', 'user:3', 'x']], [0, ['DEL', 'user:1', 'nokey']],
      [2, ['FLUSHDB']], [0, ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'z']], [2, ['SET', 'zz', '1']],
      [0, ['CLIENT', 'TRACKING', 'off']], [2, ['SET', 'user:5', '1']], [1, ['CLIENT', 'TRACKING', 'off']], [2, ['SET', 'user:6', '1']],
    ]);
  });

  it('OPTIN and OPTOUT with CLIENT CACHING: one command only, CLIENT subcommands keep it, MULTI keeps it for EXEC', async () => {
    await compare([
      [0, ['CLIENT', 'TRACKING', 'on', 'OPTIN']], [0, ['GET', 'a']], [0, ['CLIENT', 'CACHING', 'yes']], [0, ['CLIENT', 'ID']], [0, ['GET', 'b']],
      [0, ['GET', 'c']], [1, ['MSET', 'a', '1', 'b', '2', 'c', '3']], [0, ['CLIENT', 'CACHING', 'yes']], [0, ['PING']], [0, ['GET', 'a']],
      [1, ['SET', 'a', '2']], [0, ['CLIENT', 'CACHING', 'yes']], [0, ['MULTI']], [0, ['GET', 'a']], [0, ['GET', 'b']], [0, ['EXEC']],
      [0, ['GET', 'c']], [1, ['MSET', 'a', '1', 'b', '2', 'c', '3']],
      [0, ['CLIENT', 'TRACKING', 'off']], [0, ['CLIENT', 'TRACKING', 'on', 'OPTOUT']], [0, ['CLIENT', 'CACHING', 'no']], [0, ['GET', 'a']],
      [0, ['GET', 'b']], [1, ['MSET', 'a', '1', 'b', '2']],
    ]);
  });

  it('random scripts: reads and writes by a tracking client in a random mode and two writers', async () => {
    const modes = [['on'], ['on', 'NOLOOP'], ['on', 'OPTIN'], ['on', 'OPTOUT'], ['on', 'BCAST', 'PREFIX', 'k1'], ['on', 'BCAST', 'NOLOOP']];
    for (let seed = 1; seed <= 6; seed++) {
      const next = prng(seed * 7919);
      const rnd = { int: (n: number) => Math.floor(next() * n) };
      const key = () => `k${rnd.int(4)}`;
      const steps: Step[] = [[0, ['CLIENT', 'TRACKING', ...modes[(seed - 1) % modes.length]!]]];
      for (let i = 0; i < 30; i++) {
        const who = rnd.int(3);
        const r = rnd.int(10);
        if (r < 3) steps.push([who, ['GET', key()]]);
        else if (r < 4) steps.push([who, ['MGET', key(), key()]]);
        else if (r < 6) steps.push([who, ['SET', key(), String(i)]]);
        else if (r < 7) steps.push([who, ['DEL', key(), key()]]);
        else if (r < 8) steps.push([who, ['INCR', key()]]);
        else if (r < 9) steps.push([0, ['CLIENT', 'CACHING', rnd.int(2) === 0 ? 'yes' : 'no']]);
        else steps.push([who, [rnd.int(4) === 0 ? 'FLUSHDB' : 'EXISTS', key()].slice(0, rnd.int(4) === 0 ? 1 : 2)]);
      }
      await compare(steps);
    }
  });
});
