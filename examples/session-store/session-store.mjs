#!/usr/bin/env node
/**
 * Web sessions in Kioku, users in PostgreSQL: a small node:http app whose login checks the
 * password against PostgreSQL once, then keeps the session in a Kioku hash that every request
 * reads instead of the database. Works against Kioku or Redis.
 *
 *   node examples/session-store/session-store.mjs [--host 127.0.0.1] [--port 6379] [--postgres URL]
 *
 * A session is `session:<id>`, a hash {user_id, name, created_at, cart:<sku>...} with an idle
 * timeout: HSET + PEXPIRE at login, HGETALL + PEXPIRE on every request (sliding expiry), HINCRBY
 * + PEXPIRE to add to the cart, DEL at logout. The id is 128 random bits in an HttpOnly cookie.
 *
 * Without --postgres (or $DATABASE_URL) it starts a throw-away PostgreSQL (examples/lib/postgres.mjs);
 * it (re)creates the schema `session_store`. The demo starts the app on a free loopback port and
 * plays a visit through fetch.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { promisify } from 'node:util';
import { withKiokuAndPostgres } from '../lib/example-cli.mjs';

/** @typedef {import('ioredis').Redis} Redis @typedef {import('pg').Pool} Pool */

/** Idle time after which a session ends: 30 minutes, as many web frameworks default to. */
export const SESSION_TTL_MS = 30 * 60 * 1000;

const sessionKey = (id) => `session:${id}`;
/** A session id as create() makes them: 16 random bytes in base64url. Others never reach Kioku. */
const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;
const scryptAsync = promisify(scrypt);

/** `scrypt:<salt>:<hash>` (hex) for a password. */
export async function hashPassword(password) {
  const salt = randomBytes(16);
  return `scrypt:${salt.toString('hex')}:${(await scryptAsync(password, salt, 32)).toString('hex')}`;
}

async function verifyPassword(password, stored) {
  const [, salt, hash] = stored.split(':');
  return timingSafeEqual(await scryptAsync(password, Buffer.from(salt, 'hex'), 32), Buffer.from(hash, 'hex'));
}

/** Creates the schema afresh with these users ({ name, password }). */
export async function createUsers(db, users) {
  await db.query('DROP SCHEMA IF EXISTS session_store CASCADE');
  await db.query('CREATE SCHEMA session_store');
  await db.query('CREATE TABLE session_store.users (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text UNIQUE NOT NULL, password_hash text NOT NULL)');
  for (const u of users) await db.query('INSERT INTO session_store.users (name, password_hash) VALUES ($1, $2)', [u.name, await hashPassword(u.password)]);
}

/** Sessions as Kioku hashes with a sliding idle timeout. */
export class SessionStore {
  /** @param {Redis} redis  @param {{ ttlMs?: number }} [options] */
  constructor(redis, { ttlMs = SESSION_TTL_MS } = {}) {
    this.redis = redis;
    this.ttlMs = ttlMs;
  }

  /** Starts a session for a user ({ id, name }); resolves to its id. */
  async create(user) {
    const id = randomBytes(16).toString('base64url');
    const key = sessionKey(id);
    await this.redis.multi().hset(key, { user_id: user.id, name: user.name, created_at: Date.now() }).pexpire(key, this.ttlMs).exec();
    return id;
  }

  /** The session { userId, name, createdAt, cart }, its idle timeout restarted; null when it has ended. */
  async get(id) {
    if (!SESSION_ID.test(id)) return null;
    const key = sessionKey(id);
    const [[err, fields]] = await this.redis.multi().hgetall(key).pexpire(key, this.ttlMs).exec();
    if (err) throw err;
    // No user_id: the session ended (a cart write racing its expiry may leave a bare cart behind).
    if (fields.user_id === undefined) return null;
    const cart = {};
    for (const f of Object.keys(fields).filter((f) => f.startsWith('cart:')).sort()) cart[f.slice(5)] = Number(fields[f]);
    return { userId: Number(fields.user_id), name: fields.name, createdAt: Number(fields.created_at), cart };
  }

  /** Adds one `sku` to a live session's cart (call get() first); resolves to the new count. */
  async addToCart(id, sku) {
    const key = sessionKey(id);
    const [[err, count]] = await this.redis.multi().hincrby(key, `cart:${sku}`, 1).pexpire(key, this.ttlMs).exec();
    if (err) throw err;
    return count;
  }

  /** Ends a session; resolves to true if it was live. */
  async destroy(id) {
    return SESSION_ID.test(id) && (await this.redis.del(sessionKey(id))) === 1;
  }
}

/** The `sid` cookie of a request, or ''. */
function sessionIdOf(req) {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === 'sid' && value !== undefined) return value;
  }
  return '';
}

async function readJson(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error('body too large');
  }
  return JSON.parse(body || '{}');
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, body === undefined ? headers : { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

/**
 * Starts the app on 127.0.0.1:`port` (0: a free one). Routes: POST /login {name, password},
 * GET /me, POST /cart {sku}, POST /logout. Resolves to { url, stats, close() }; `stats` counts
 * PostgreSQL queries and session reads from Kioku.
 */
export async function startWebApp({ db, sessions, port = 0 }) {
  const stats = { dbQueries: 0, sessionReads: 0 };
  const NOT_LOGGED_IN = { error: 'not logged in' };
  const routes = {
    'POST /login': async (req, res) => {
      const { name, password } = await readJson(req);
      stats.dbQueries++;
      const { rows } = await db.query('SELECT id, name, password_hash FROM session_store.users WHERE name = $1', [String(name)]);
      if (rows.length === 0 || !(await verifyPassword(String(password), rows[0].password_hash))) return send(res, 401, { error: 'wrong name or password' });
      const id = await sessions.create(rows[0]);
      send(res, 200, { user: rows[0].name }, { 'set-cookie': `sid=${id}; HttpOnly; SameSite=Lax; Path=/` });
    },
    'GET /me': async (req, res) => {
      stats.sessionReads++;
      const session = await sessions.get(sessionIdOf(req));
      if (session === null) return send(res, 401, NOT_LOGGED_IN);
      send(res, 200, { user: session.name, cart: session.cart });
    },
    'POST /cart': async (req, res) => {
      const { sku } = await readJson(req);
      const id = sessionIdOf(req);
      stats.sessionReads++;
      const session = await sessions.get(id);
      if (session === null) return send(res, 401, NOT_LOGGED_IN);
      const count = await sessions.addToCart(id, String(sku));
      send(res, 200, { cart: Object.fromEntries(Object.entries({ ...session.cart, [sku]: count }).sort(([a], [b]) => (a < b ? -1 : 1))) });
    },
    'POST /logout': async (req, res) => {
      await sessions.destroy(sessionIdOf(req));
      send(res, 204, undefined, { 'set-cookie': 'sid=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0' });
    },
  };
  const server = http.createServer((req, res) => {
    const route = routes[`${req.method} ${req.url}`];
    if (!route) return send(res, 404, { error: 'not found' });
    route(req, res).catch((e) => send(res, 500, { error: e.message }));
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stats,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Plays a visit against the app, then shows the idle timeout on a short-lived store; prints through `print`. */
export async function demo({ db, redis }, print) {
  await createUsers(db, [
    { name: 'alice', password: 'correct horse' },
    { name: 'bob', password: 'battery staple' },
  ]);
  print('users in PostgreSQL (schema session_store): alice, bob, with scrypt password hashes');
  const app = await startWebApp({ db, sessions: new SessionStore(redis) });
  try {
    let cookie = '';
    const call = async (method, path, body) => {
      const res = await fetch(app.url + path, {
        method,
        headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const set = res.headers.get('set-cookie');
      if (set) cookie = set.split(';')[0];
      const text = await res.text();
      print(`${method} ${path}${body ? ` ${JSON.stringify(body)}` : ''} -> ${res.status}${text ? ` ${text}` : ''}${set ? ` (cookie ${cookie.length > 4 ? 'sid=<22 characters>' : 'cleared'})` : ''}`);
    };
    await call('POST', '/login', { name: 'alice', password: 'wrong' });
    await call('POST', '/login', { name: 'alice', password: 'correct horse' });
    const key = sessionKey(cookie.slice('sid='.length));
    const fields = Object.keys(await redis.hgetall(key)).sort().join(', ');
    const pttl = await redis.pttl(key);
    print(`  in Kioku: hash session:<id> {${fields}}, PTTL ${pttl > 0 && pttl <= SESSION_TTL_MS ? `≤ ${SESSION_TTL_MS}` : pttl} ms`);
    await call('GET', '/me');
    await call('POST', '/cart', { sku: 'tea' });
    await call('POST', '/cart', { sku: 'tea' });
    await call('POST', '/cart', { sku: 'cups' });
    await call('GET', '/me');
    await call('POST', '/logout');
    print(`  in Kioku: EXISTS session:<id> = ${await redis.exists(key)}`);
    await call('GET', '/me');
    print(`PostgreSQL was queried ${app.stats.dbQueries} times (the logins); ${app.stats.sessionReads} requests read their session from Kioku`);
  } finally {
    await app.close();
  }

  const brief = new SessionStore(redis, { ttlMs: 800 });
  const id = await brief.create({ id: 2, name: 'bob' });
  print('sliding expiry, with an 800 ms idle timeout: bob logs in');
  await sleep(400);
  const alive = (await brief.get(id)) !== null;
  const pttl = await redis.pttl(sessionKey(id));
  print(`  400 ms later: ${alive ? 'still logged in' : 'logged out'}, and the read restarted the timeout (PTTL ${pttl > 700 ? 'over 700' : pttl} ms)`);
  await sleep(400);
  print(`  400 ms later, 800 ms after login: ${(await brief.get(id)) ? 'still logged in' : 'logged out'}`);
  await sleep(1000);
  print(`  after 1000 ms idle: ${(await brief.get(id)) ? 'still logged in' : 'logged out'}; EXISTS = ${await redis.exists(sessionKey(id))}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await withKiokuAndPostgres(4, ({ db, redis }) => demo({ db, redis }, (s) => console.log(s)));
}
