/**
 * The session-store example (examples/session-store/session-store.mjs) against Kioku and a real
 * PostgreSQL: run as a program (it starts its own PostgreSQL) it must print what it prints against
 * Redis 7.0; its web app, driven with fetch, must keep sessions as hashes with a sliding idle
 * timeout, end them at logout and after the timeout, and query PostgreSQL only to log in (as
 * PostgreSQL's pg_stat_statements counts). Exercises HSET, HGETALL, HINCRBY, PEXPIRE and DEL in
 * MULTI/EXEC, PTTL and EXISTS through ioredis. Skips, saying so, where PostgreSQL is not installed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import pg from 'pg';
import type { TestServer } from '../helpers/test-server.js';
import { havePostgres, NO_POSTGRES } from '../../examples/lib/postgres.mjs';
import { itMatchesRedis, runExampleProgram, withoutPostgresLine, startExampleStack, type ExampleStack } from '../helpers/example-program.js';

const program = fileURLToPath(new URL('../../examples/session-store/session-store.mjs', import.meta.url));

interface SessionStore {
  ttlMs: number;
}
interface WebApp {
  url: string;
  stats: { dbQueries: number; sessionReads: number };
  close(): Promise<void>;
}
type SessionStoreModule = {
  SESSION_TTL_MS: number;
  createUsers(db: pg.Pool, users: { name: string; password: string }[]): Promise<void>;
  SessionStore: new (redis: Redis, options?: { ttlMs?: number }) => SessionStore;
  startWebApp(options: { db: pg.Pool; sessions: SessionStore }): Promise<WebApp>;
};

const HAVE_POSTGRES = havePostgres();
if (!HAVE_POSTGRES) console.warn(NO_POSTGRES);

/** Runs the example against a port; resolves to its standard output without the line naming the PostgreSQL port. */
const runExample = async (port: number): Promise<string> => withoutPostgresLine(await runExampleProgram(program, ['--port', String(port)]));

const EXPECTED = `users in PostgreSQL (schema session_store): alice, bob, with scrypt password hashes
POST /login {"name":"alice","password":"wrong"} -> 401 {"error":"wrong name or password"}
POST /login {"name":"alice","password":"correct horse"} -> 200 {"user":"alice"} (cookie sid=<22 characters>)
  in Kioku: hash session:<id> {created_at, name, user_id}, PTTL ≤ 1800000 ms
GET /me -> 200 {"user":"alice","cart":{}}
POST /cart {"sku":"tea"} -> 200 {"cart":{"tea":1}}
POST /cart {"sku":"tea"} -> 200 {"cart":{"tea":2}}
POST /cart {"sku":"cups"} -> 200 {"cart":{"cups":1,"tea":2}}
GET /me -> 200 {"user":"alice","cart":{"cups":1,"tea":2}}
POST /logout -> 204 (cookie cleared)
  in Kioku: EXISTS session:<id> = 0
GET /me -> 401 {"error":"not logged in"}
PostgreSQL was queried 2 times (the logins); 6 requests read their session from Kioku
sliding expiry, with an 800 ms idle timeout: bob logs in
  400 ms later: still logged in, and the read restarted the timeout (PTTL over 700 ms)
  400 ms later, 800 ms after login: still logged in
  after 1000 ms idle: logged out; EXISTS = 0
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(HAVE_POSTGRES)('session-store example (HSET HGETALL HINCRBY PEXPIRE DEL behind a node:http app)', () => {
  let ts: TestServer;
  let r: Redis;
  let db: pg.Pool;
  let stack: ExampleStack;
  let lib: SessionStoreModule;
  let app: WebApp | undefined;
  beforeAll(async () => {
    stack = await startExampleStack(2);
    ({ ts, r, db } = stack);
    lib = (await import(program)) as SessionStoreModule;
    await lib.createUsers(db, [
      { name: 'alice', password: 'correct horse' },
      { name: 'bob', password: 'battery staple' },
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await stack?.stop();
  });
  beforeEach(async () => {
    await app?.close();
    app = undefined;
    await r.flushall();
  });

  /** Starts the app with sessions of `ttlMs`; returns a fetch wrapper keeping the `sid` cookie. */
  async function browser(ttlMs?: number) {
    app = await lib.startWebApp({ db, sessions: new lib.SessionStore(r, ttlMs === undefined ? {} : { ttlMs }) });
    const url = app.url;
    let cookie = '';
    return {
      get sid() {
        return cookie.slice('sid='.length);
      },
      async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown; setCookie: string | null }> {
        const res = await fetch(url + path, {
          method,
          headers: { cookie, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const setCookie = res.headers.get('set-cookie');
        if (setCookie) cookie = setCookie.split(';')[0]!;
        const text = await res.text();
        return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null, setCookie };
      },
    };
  }

  it('as a program, with its own PostgreSQL: prints what it prints against Redis 7.0', async () => {
    expect(await runExample(ts.port)).toBe(EXPECTED);
  });

  it('login checks PostgreSQL and starts a session hash with the idle timeout; a wrong password starts none', async () => {
    const b = await browser();
    expect(await b.call('POST', '/login', { name: 'alice', password: 'nope' })).toEqual({ status: 401, json: { error: 'wrong name or password' }, setCookie: null });
    expect(await b.call('POST', '/login', { name: 'carol', password: 'x' })).toMatchObject({ status: 401 });
    expect(await r.dbsize()).toBe(0);
    const login = await b.call('POST', '/login', { name: 'bob', password: 'battery staple' });
    expect(login).toMatchObject({ status: 200, json: { user: 'bob' } });
    expect(login.setCookie).toMatch(/^sid=[A-Za-z0-9_-]{22}; HttpOnly; SameSite=Lax; Path=\/$/);
    const fields = await r.hgetall(`session:${b.sid}`);
    expect(fields).toEqual({ user_id: '2', name: 'bob', created_at: expect.stringMatching(/^\d{13}$/) as unknown });
    expect(Math.abs(Number(fields.created_at) - Date.now())).toBeLessThan(5000);
    const pttl = await r.pttl(`session:${b.sid}`);
    expect(pttl).toBeGreaterThan(lib.SESSION_TTL_MS - 5000);
    expect(pttl).toBeLessThanOrEqual(lib.SESSION_TTL_MS);
    expect(await r.type(`session:${b.sid}`)).toBe('hash');
  });

  it('requests read the session from Kioku, not PostgreSQL; the cart is kept in the hash', async () => {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await db.query('SELECT pg_stat_statements_reset()');
    const b = await browser();
    await b.call('POST', '/login', { name: 'alice', password: 'correct horse' });
    for (const sku of ['tea', 'tea', 'cups']) expect((await b.call('POST', '/cart', { sku })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect(await b.call('GET', '/me')).toMatchObject({ status: 200, json: { user: 'alice', cart: { cups: 1, tea: 2 } } });
    expect(await r.hmget(`session:${b.sid}`, 'cart:tea', 'cart:cups')).toEqual(['2', '1']);
    expect(app!.stats).toEqual({ dbQueries: 1, sessionReads: 8 });
    const { rows } = await db.query<{ calls: number }>(
      "SELECT coalesce(sum(calls), 0)::int AS calls FROM pg_stat_statements WHERE query LIKE '%FROM session_store.users%'",
    );
    expect(rows).toEqual([{ calls: 1 }]);
  });

  it('logout deletes the session and clears the cookie; the old id no longer works', async () => {
    const b = await browser();
    await b.call('POST', '/login', { name: 'alice', password: 'correct horse' });
    const sid = b.sid;
    expect(await r.exists(`session:${sid}`)).toBe(1);
    const out = await b.call('POST', '/logout');
    expect(out).toEqual({ status: 204, json: null, setCookie: 'sid=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0' });
    expect(await r.exists(`session:${sid}`)).toBe(0);
    expect(await b.call('GET', '/me')).toMatchObject({ status: 401, json: { error: 'not logged in' } });
    const replay = await fetch(`${app!.url}/me`, { headers: { cookie: `sid=${sid}` } });
    expect(replay.status).toBe(401);
    expect(await r.dbsize()).toBe(0);
  });

  it('a forged or malformed cookie is refused without creating anything in Kioku', async () => {
    const b = await browser();
    for (const cookie of ['sid=AAAAAAAAAAAAAAAAAAAAAA', 'sid=*', 'sid=../../x', 'other=1']) {
      const res = await fetch(`${app!.url}/cart`, { method: 'POST', headers: { cookie }, body: '{"sku":"tea"}' });
      expect(res.status).toBe(401);
    }
    expect((await b.call('GET', '/nowhere')).status).toBe(404);
    expect(await r.dbsize()).toBe(0);
  });

  it('each request restarts the idle timeout; an idle session ends', async () => {
    const b = await browser(800);
    await b.call('POST', '/login', { name: 'bob', password: 'battery staple' });
    const key = `session:${b.sid}`;
    expect(await r.pttl(key)).toBeLessThanOrEqual(800);
    // 1200 ms of activity, a request every 400 ms: longer than the timeout, the session stays.
    for (let i = 0; i < 3; i++) {
      await sleep(400);
      expect((await b.call('GET', '/me')).status).toBe(200);
      expect(await r.pttl(key)).toBeGreaterThan(600);
    }
    await sleep(1000);
    expect(await b.call('GET', '/me')).toMatchObject({ status: 401, json: { error: 'not logged in' } });
    expect(await r.exists(key)).toBe(0);
  });

  itMatchesRedis(runExample, EXPECTED);
});
