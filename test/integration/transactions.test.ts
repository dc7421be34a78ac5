/**
 * Transactions over TCP: MULTI EXEC DISCARD WATCH UNWATCH through ioredis (RESP3 and RESP2) and
 * raw sockets (exact bytes of QUEUED, EXECABORT, null replies), WATCH invalidation by every path
 * (writes by any client, expiry, FLUSHDB/FLUSHALL, SWAPDB, RENAME), blocking commands inside
 * MULTI, what EXEC propagates, CLIENT LIST flags and stats. The edge cases are also compared with
 * redis-server in test/compat/transactions.diff.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { RawConnection } from '../helpers/raw-connection.js';
import { blockedCount } from '../helpers/blocking.js';
import { ManualClock } from '../../src/clock.js';

let ts: TestServer;
let r: Redis;
let r2: Redis;
const raws: RawConnection[] = [];
let propagated: string[] = [];

async function raw(protocol: 2 | 3 = 2): Promise<RawConnection> {
  const c = await RawConnection.connect(ts.port);
  raws.push(c);
  if (protocol === 3) await c.call('HELLO', '3');
  return c;
}

const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
const OK = '+OK\r\n';
const QUEUED = '+QUEUED\r\n';
const EXECABORT = '-EXECABORT Transaction discarded because of previous errors.\r\n';

/** Runs a WATCH → (other client's action) → MULTI SET → EXEC flow on a raw connection; returns EXEC's reply. */
async function watchFlow(key: string, between: () => Promise<unknown>, protocol: 2 | 3 = 2): Promise<string> {
  const c = await raw(protocol);
  expect(await c.call('WATCH', key)).toBe(OK);
  await between();
  expect(await c.call('MULTI')).toBe(OK);
  expect(await c.call('SET', 'result', 'x')).toBe(QUEUED);
  const reply = await c.call('EXEC');
  c.close();
  return reply;
}

beforeAll(async () => {
  ts = await startTestServer();
  ts.server.propagator.subscribe((db, argv) => propagated.push(`${db} ${argv.join(' ')}`));
  r = await ts.client();
  r2 = await ts.client({ protocol: 2, enableReadyCheck: false });
});
afterAll(async () => {
  for (const c of raws) c.close();
  await ts.stop();
});
beforeEach(async () => {
  for (const db of ts.server.keyspaces) db.flush();
  propagated = [];
});

describe('MULTI EXEC through ioredis', () => {
  it('MULTI EXEC: replies in order, runtime errors in place (RESP3)', async () => {
    const res = await r.multi().set('a', '1').incr('a').get('a').lpush('a', 'x').incr('nosuch').exec();
    expect(res).toHaveLength(5);
    expect(res![0]).toEqual([null, 'OK']);
    expect(res![1]).toEqual([null, 2]);
    expect(res![2]).toEqual([null, '2']);
    expect((res![3]![0] as Error).message).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(res![4]).toEqual([null, 1]);
  });

  it('MULTI EXEC in RESP2', async () => {
    const res = await r2.multi().set('a', 'v').append('a', 'w').get('a').exec();
    expect(res).toEqual([[null, 'OK'], [null, 2], [null, 'vw']]);
  });

  it('WATCH with ioredis: EXEC succeeds untouched, returns null after another client writes (RESP3 and RESP2)', async () => {
    for (const c of [r, r2]) {
      await c.set('w', '1');
      await c.watch('w');
      expect(await c.multi().incr('w').exec()).toEqual([[null, 2]]);
      await c.watch('w');
      await (c === r ? r2 : r).set('w', '10');
      expect(await c.multi().incr('w').exec()).toBeNull();
      expect(await c.get('w')).toBe('10');
    }
  });

  it('DISCARD through ioredis drops the queue', async () => {
    const p = r.multi().set('d', '1');
    await p.discard();
    expect(await r.exists('d')).toBe(0);
  });
});

describe('exact bytes (raw sockets)', () => {
  it('MULTI EXEC: +QUEUED and the array of replies', async () => {
    const c = await raw();
    expect(await c.call('MULTI')).toBe(OK);
    expect(await c.call('SET', 'k', 'v')).toBe(QUEUED);
    expect(await c.call('GET', 'k')).toBe(QUEUED);
    expect(await c.call('INCR', 'k')).toBe(QUEUED);
    expect(await c.call('EXEC')).toBe(`*3\r\n+OK\r\n${bulk('v')}-ERR value is not an integer or out of range\r\n`);
    expect(await c.call('EXEC')).toBe('-ERR EXEC without MULTI\r\n');
  });

  it('empty MULTI EXEC replies an empty array', async () => {
    const c = await raw(3);
    await c.call('MULTI');
    expect(await c.call('EXEC')).toBe('*0\r\n');
  });

  it('EXEC without MULTI, DISCARD without MULTI', async () => {
    const c = await raw();
    expect(await c.call('EXEC')).toBe('-ERR EXEC without MULTI\r\n');
    expect(await c.call('DISCARD')).toBe('-ERR DISCARD without MULTI\r\n');
  });

  it('nested MULTI and WATCH inside MULTI are refused without aborting the transaction', async () => {
    const c = await raw();
    await c.call('MULTI');
    expect(await c.call('MULTI')).toBe('-ERR MULTI calls can not be nested\r\n');
    expect(await c.call('WATCH', 'x')).toBe('-ERR WATCH inside MULTI is not allowed\r\n');
    expect(await c.call('SET', 'x', '1')).toBe(QUEUED);
    expect(await c.call('EXEC')).toBe('*1\r\n+OK\r\n');
  });

  it('EXECABORT after an unknown command or a wrong arity while queuing', async () => {
    const c = await raw();
    await c.call('MULTI');
    expect(await c.call('SET', 'a', '1')).toBe(QUEUED);
    expect(await c.call('NOSUCH', 'x')).toBe("-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n");
    expect(await c.call('SET', 'b', '1')).toBe(QUEUED);
    expect(await c.call('EXEC')).toBe(EXECABORT);
    expect(await c.call('EXISTS', 'a', 'b')).toBe(':0\r\n');
    await c.call('MULTI');
    expect(await c.call('GET')).toBe("-ERR wrong number of arguments for 'get' command\r\n");
    expect(await c.call('EXEC')).toBe(EXECABORT);
  });

  it('a command flagged no_multi (SHUTDOWN) is refused inside MULTI and aborts EXEC', async () => {
    const c = await raw();
    await c.call('MULTI');
    expect(await c.call('SHUTDOWN')).toBe('-ERR Command not allowed inside a transaction\r\n');
    expect(await c.call('EXEC')).toBe(EXECABORT);
  });

  it('DISCARD drops the queue and leaves MULTI; UNWATCH is queued inside MULTI', async () => {
    const c = await raw();
    await c.call('MULTI');
    await c.call('SET', 'a', '1');
    expect(await c.call('DISCARD')).toBe(OK);
    expect(await c.call('EXISTS', 'a')).toBe(':0\r\n');
    await c.call('MULTI');
    expect(await c.call('UNWATCH')).toBe(QUEUED);
    expect(await c.call('EXEC')).toBe('*1\r\n+OK\r\n');
  });

  it('a WATCH-failed EXEC is a null array: *-1 in RESP2, _ in RESP3', async () => {
    expect(await watchFlow('k', () => r.set('k', '1'), 2)).toBe('*-1\r\n');
    expect(await watchFlow('k', () => r.set('k', '2'), 3)).toBe('_\r\n');
    expect(await r.exists('result')).toBe(0);
  });

  it('EXECABORT wins over a failed WATCH', async () => {
    const c = await raw();
    await c.call('WATCH', 'k');
    await r.set('k', '1');
    await c.call('MULTI');
    await c.call('NOSUCH');
    expect(await c.call('EXEC')).toBe(EXECABORT);
  });

  it('QUIT and RESET run at once inside MULTI; RESET discards the transaction and the watches', async () => {
    const c = await raw();
    await c.call('WATCH', 'k');
    await c.call('MULTI');
    await c.call('SET', 'k', '1');
    expect(await c.call('RESET')).toBe('+RESET\r\n');
    expect(ts.server.watches.active).toBe(false);
    expect(await c.call('EXEC')).toBe('-ERR EXEC without MULTI\r\n');
    expect(await r.exists('k')).toBe(0);
    await c.call('MULTI');
    expect(await c.call('QUIT')).toBe(OK);
  });

  it('CLIENT REPLY OFF silences QUEUED; CLIENT REPLY itself is queued inside MULTI', async () => {
    const c = await raw();
    c.send('CLIENT', 'REPLY', 'OFF');
    c.send('MULTI');
    c.send('SET', 'q', '1');
    c.send('DISCARD');
    expect(await c.call('CLIENT', 'REPLY', 'ON')).toBe(OK);
    expect(await c.call('MULTI')).toBe(OK);
    expect(await c.call('CLIENT', 'REPLY', 'SKIP')).toBe(QUEUED);
    expect(await c.call('SET', 'q', '1')).toBe(QUEUED);
    expect(await c.call('DISCARD')).toBe(OK);
    expect(await c.call('EXISTS', 'q')).toBe(':0\r\n');
  });
});

describe('WATCH invalidation', () => {
  it('WATCH: a write by another client, or by the watcher itself, fails EXEC', async () => {
    expect(await watchFlow('k', () => r.set('k', 'v'))).toBe('*-1\r\n');
    const c = await raw();
    await c.call('WATCH', 'k');
    await c.call('DEL', 'k');
    await c.call('MULTI');
    await c.call('PING');
    expect(await c.call('EXEC')).toBe('*-1\r\n');
  });

  it('WATCH: reads, writes to other keys and to the same name in another db leave EXEC alone', async () => {
    await r.set('k', 'v');
    expect(await watchFlow('k', async () => {
      await r.get('k');
      await r.set('other', '1');
      await r.select(1);
      await r.set('k', 'db1');
      await r.select(0);
    })).toBe('*1\r\n+OK\r\n');
  });

  it('WATCH: a command that changes nothing (DEL of a missing key) does not fail EXEC', async () => {
    expect(await watchFlow('k', () => r.del('k'))).toBe('*1\r\n+OK\r\n');
  });

  it('WATCH several keys, UNWATCH forgets them and a change already seen', async () => {
    const c = await raw();
    expect(await c.call('WATCH', 'a', 'b', 'a')).toBe(OK);
    expect(ts.server.watches.watchedCount(ts.server.clients.get(lastClientId())!)).toBe(2);
    await r.set('b', '1');
    expect(await c.call('UNWATCH')).toBe(OK);
    expect(ts.server.watches.active).toBe(false);
    await c.call('MULTI');
    await c.call('GET', 'b');
    expect(await c.call('EXEC')).toBe(`*1\r\n${bulk('1')}`);
  });

  it('EXEC and DISCARD unwatch; a disconnect unwatches', async () => {
    const c = await raw();
    await c.call('WATCH', 'a');
    await c.call('MULTI');
    await c.call('EXEC');
    expect(ts.server.watches.active).toBe(false);
    await c.call('WATCH', 'a');
    await c.call('MULTI');
    await c.call('DISCARD');
    expect(ts.server.watches.active).toBe(false);
    await c.call('WATCH', 'a');
    c.close();
    for (let i = 0; i < 100 && ts.server.watches.active; i++) await new Promise((res) => setTimeout(res, 5));
    expect(ts.server.watches.active).toBe(false);
  });

  it('WATCH then FLUSHDB / FLUSHALL: fails only when the key existed', async () => {
    expect(await watchFlow('k', () => r.flushdb())).toBe('*1\r\n+OK\r\n');
    await r.set('k', '1');
    expect(await watchFlow('k', () => r.flushdb())).toBe('*-1\r\n');
    await r.set('k', '1');
    expect(await watchFlow('k', () => r.flushall())).toBe('*-1\r\n');
    await r.select(1);
    await r.set('k', '1');
    await r.select(0);
    // A FLUSHDB of another database does not touch db 0's watched keys.
    expect(await watchFlow('k', async () => {
      await r.select(1);
      await r.flushdb();
      await r.select(0);
    })).toBe('*1\r\n+OK\r\n');
  });

  it('WATCH then SWAPDB: fails when the key exists in either database', async () => {
    expect(await watchFlow('k', () => r.swapdb(0, 1))).toBe('*1\r\n+OK\r\n');
    await r.flushall();
    await r.select(1);
    await r.set('k', 'in1');
    await r.select(0);
    expect(await watchFlow('k', () => r.swapdb(0, 1))).toBe('*-1\r\n');
    await r.flushall();
    await r.set('k', 'in0');
    expect(await watchFlow('k', () => r.swapdb(1, 0))).toBe('*-1\r\n');
  });

  it('WATCH then RENAME into the key, MOVE into it, an aggregate emptied by a pop', async () => {
    await r.set('src', 'v');
    expect(await watchFlow('k', () => r.rename('src', 'k'))).toBe('*-1\r\n');
    await r.flushall();
    await r.select(1);
    await r.set('k', 'v');
    expect(await watchFlow('k', () => r.move('k', 0))).toBe('*-1\r\n');
    await r.select(0);
    await r.flushall();
    await r.rpush('l', 'x');
    expect(await watchFlow('l', () => r.lpop('l'))).toBe('*-1\r\n');
  });
});

describe('WATCH and expiry (manual clock)', () => {
  let es: TestServer;
  let clock: ManualClock;
  beforeAll(async () => {
    clock = new ManualClock(1_700_000_000_000);
    es = await startTestServer({}, clock);
  });
  afterAll(async () => es.stop());

  async function conn(): Promise<RawConnection> {
    const c = await RawConnection.connect(es.port);
    raws.push(c);
    return c;
  }

  it('WATCH a key whose TTL passes before EXEC: EXEC fails, deleted or not', async () => {
    const c = await conn();
    await c.call('SET', 'k', 'v', 'PX', '100');
    await c.call('WATCH', 'k');
    clock.advance(200); // expired, still stored: EXEC checks
    await c.call('MULTI');
    await c.call('PING');
    expect(await c.call('EXEC')).toBe('*-1\r\n');
    await c.call('SET', 'k', 'v', 'PX', '100');
    await c.call('WATCH', 'k');
    clock.advance(200);
    expect(await c.call('GET', 'k')).toBe('$-1\r\n'); // lazy expiry deletes it
    await c.call('MULTI');
    await c.call('PING');
    expect(await c.call('EXEC')).toBe('*-1\r\n');
  });

  it('WATCH a key already expired: its deletion by expiry is no change, a new value is', async () => {
    const c = await conn();
    await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await c.call('SET', 'k', 'v', 'PX', '100');
    clock.advance(200);
    await c.call('WATCH', 'k');
    expect(await c.call('GET', 'k')).toBe('$-1\r\n');
    await c.call('MULTI');
    await c.call('PING');
    expect(await c.call('EXEC')).toBe('*1\r\n+PONG\r\n');
    await c.call('SET', 'k', 'v', 'PX', '100');
    clock.advance(200);
    await c.call('WATCH', 'k');
    await c.call('SET', 'k', 'new');
    await c.call('MULTI');
    await c.call('PING');
    expect(await c.call('EXEC')).toBe('*-1\r\n');
    await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
  });
});

describe('blocking commands inside MULTI', () => {
  it('BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX BZMPOP answer at once inside MULTI (RESP2)', async () => {
    const c = await raw();
    await c.call('MULTI');
    for (const cmd of [
      ['BLPOP', 'l', '0'], ['BRPOP', 'l', '0'], ['BLMOVE', 'l', 'm', 'LEFT', 'LEFT', '0'], ['BRPOPLPUSH', 'l', 'm', '0'],
      ['BLMPOP', '0', '1', 'l', 'LEFT'], ['BZPOPMIN', 'z', '0'], ['BZPOPMAX', 'z', '0'], ['BZMPOP', '0', '1', 'z', 'MIN'],
    ]) expect(await c.call(...cmd)).toBe(QUEUED);
    expect(await c.call('EXEC')).toBe('*8\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n*-1\r\n*-1\r\n*-1\r\n');
    expect(ts.server.blocking.blockedClients).toBe(0);
  });

  it('BLPOP inside MULTI in RESP3 answers _, and serves when data is there', async () => {
    const c = await raw(3);
    await c.call('MULTI');
    await c.call('BLPOP', 'l', '0');
    await c.call('RPUSH', 'l', 'a');
    await c.call('BLPOP', 'l', '0');
    expect(await c.call('EXEC')).toBe(`*3\r\n_\r\n:1\r\n*2\r\n${bulk('l')}${bulk('a')}`);
  });

  it('clients blocked on a key are served after the whole EXEC, not between its commands', async () => {
    const waiter = await raw();
    waiter.send('BLPOP', 'l', '0');
    await blockedCount(ts.server, 1);
    const c = await raw();
    await c.call('MULTI');
    await c.call('RPUSH', 'l', 'a');
    await c.call('DEL', 'l');
    await c.call('RPUSH', 'l', 'b');
    expect(await c.call('EXEC')).toBe('*3\r\n:1\r\n:1\r\n:1\r\n');
    expect(await waiter.readReply()).toBe(`*2\r\n${bulk('l')}${bulk('b')}`);
    await blockedCount(ts.server, 0);
  });
});

describe('EXEC propagation, stats and CLIENT LIST', () => {
  it('EXEC propagates several writes wrapped in MULTI ... EXEC, one write alone, reads nothing', async () => {
    const c = await raw();
    await c.call('MULTI');
    await c.call('SET', 'a', '1');
    await c.call('GET', 'a');
    await c.call('SELECT', '2');
    await c.call('SET', 'b', '2');
    await c.call('EXEC');
    expect(propagated).toEqual(['0 MULTI', '0 SET a 1', '2 SET b 2', '2 EXEC']);
    propagated = [];
    await c.call('MULTI');
    await c.call('INCR', 'n');
    await c.call('GET', 'n');
    await c.call('EXEC');
    expect(propagated).toEqual(['2 INCR n']);
    propagated = [];
    await c.call('MULTI');
    await c.call('GET', 'n');
    await c.call('EXEC');
    await c.call('MULTI');
    await c.call('SET', 'x', '1');
    await c.call('DISCARD');
    expect(propagated).toEqual([]);
  });

  it('EXEC counts each queued command when it runs, not when queued (INFO commandstats)', async () => {
    await r.config('RESETSTAT');
    const c = await raw();
    await c.call('MULTI');
    await c.call('SET', 'a', '1');
    await c.call('SET', 'b', '1');
    let stats = await r.info('commandstats');
    expect(stats).not.toContain('cmdstat_set:');
    await c.call('EXEC');
    stats = await r.info('commandstats');
    expect(stats).toMatch(/cmdstat_set:calls=2,/);
    expect(stats).toMatch(/cmdstat_multi:calls=1,/);
    expect(stats).toMatch(/cmdstat_exec:calls=1,/);
  });

  it('CLIENT LIST shows x in MULTI, d when a watched key changed, multi=<queued> and multi-mem', async () => {
    const c = await raw();
    await c.call('CLIENT', 'SETNAME', 'txn');
    await c.call('WATCH', 'k');
    await r.set('k', '1');
    await c.call('MULTI');
    await c.call('SET', 'a', '1');
    const line = ((await r.call('CLIENT', 'LIST')) as string).split('\n').find((l) => l.includes('name=txn'))!;
    expect(line).toContain(' flags=xd ');
    expect(line).toContain(' multi=1 ');
    expect(line).toContain(' multi-mem=29 ');
    await c.call('DISCARD');
    const after = ((await r.call('CLIENT', 'LIST')) as string).split('\n').find((l) => l.includes('name=txn'))!;
    expect(after).toContain(' flags=N ');
    expect(after).toContain(' multi=-1 ');
  });
});

/** The id of the most recently connected client. */
function lastClientId(): number {
  return Math.max(...ts.server.clients.keys());
}
