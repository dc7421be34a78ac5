/**
 * A throw-away PostgreSQL for the examples and their tests: `initdb` into a new temporary
 * directory, `postgres` listening on 127.0.0.1:<port> only (its unix socket inside that
 * directory), trust authentication, no fsync. `stop()` shuts it down and removes the directory.
 *
 * The binaries are Debian's (`apt-get install postgresql`, under /usr/lib/postgresql/<version>/bin,
 * newest version first), or those of the directory in $POSTGRES_BIN, or `initdb` on the PATH.
 * PostgreSQL refuses to run as root: under root the server and initdb run as the `postgres` user
 * that the Debian package creates (Node's spawn `uid`/`gid`, which also drops root's groups), and
 * the temporary directory is handed to that user.
 *
 * `pg_stat_statements` is preloaded when the installation has it, so an example can show how many
 * queries PostgreSQL itself counted.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Printed by tests that skip because no PostgreSQL is installed. */
export const NO_POSTGRES = 'PostgreSQL is not installed (apt-get install postgresql): example test skipped';

/** How long initdb and the server start may take before giving up. */
const START_TIMEOUT_MS = 20_000;
/** How long a smart shutdown (waiting for clients to leave) may take before a fast one. */
const FAST_STOP_AFTER_MS = 3_000;
/** How long a shutdown may take before the server is killed. */
const STOP_TIMEOUT_MS = 10_000;

/** The directory holding initdb and postgres, or null when PostgreSQL is not installed. */
function findPostgresBin() {
  const hasBoth = (dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'postgres'));
  if (process.env.POSTGRES_BIN) return hasBoth(process.env.POSTGRES_BIN) ? process.env.POSTGRES_BIN : null;
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    const versions = fs.readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (hasBoth(path.join(debian, v, 'bin'))) return path.join(debian, v, 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const onPath = which.status === 0 ? path.dirname(which.stdout.trim()) : '';
  return onPath && hasBoth(onPath) ? onPath : null;
}

/** True when a PostgreSQL can be started here. */
export function havePostgres() {
  return findPostgresBin() !== null;
}

/** A loopback port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The uid and gid of the `postgres` account, used when we are root. */
function postgresAccount() {
  const id = (flag) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const u = id('-u');
  const g = id('-g');
  if (u.status !== 0 || g.status !== 0) throw new Error('running as root, but there is no `postgres` user to run PostgreSQL as');
  return { uid: Number(u.stdout), gid: Number(g.stdout) };
}

/** Runs a program to completion; rejects with its output when it fails. */
function run(file, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(file)} failed (${signal ?? `exit ${code}`}):\n${out}`));
    });
  });
}

/**
 * Starts a new, empty PostgreSQL on 127.0.0.1:`port` (a free port when none is given). Resolves
 * once it accepts connections to { port, url, stop() }; `url` names the `postgres`
 * superuser and database.
 */
export async function startPostgres({ port } = {}) {
  const bin = findPostgresBin();
  if (bin === null) throw new Error(NO_POSTGRES);
  port ??= await freePort();
  const account = process.getuid?.() === 0 ? postgresAccount() : undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kioku-pg-'));
  // Retried: a server killed at exit may still have children writing files for a moment.
  const remove = () => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  const as = account ? { uid: account.uid, gid: account.gid } : {};
  const data = path.join(dir, 'data');
  let child;
  try {
    if (account) fs.chownSync(dir, account.uid, account.gid);
    await run(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], as);
    const libdir = spawnSync(path.join(bin, 'pg_config'), ['--pkglibdir'], { encoding: 'utf8' }).stdout?.trim() || path.join(bin, '..', 'lib');
    const preload = fs.existsSync(path.join(libdir, 'pg_stat_statements.so')) ? ['-c', 'shared_preload_libraries=pg_stat_statements'] : [];
    // Throw-away data: durability settings off. The socket directory is ours (mode 0700).
    const settings = ['listen_addresses=127.0.0.1', `unix_socket_directories=${dir}`, 'fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=40'];
    child = spawn(path.join(bin, 'postgres'), ['-D', data, '-p', String(port), ...settings.flatMap((s) => ['-c', s]), ...preload], {
      ...as,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise((resolve, reject) => {
      let log = '';
      const fail = (why) => {
        clearTimeout(timer);
        reject(new Error(`PostgreSQL did not start on 127.0.0.1:${port} (${why}):\n${log}`));
      };
      const timer = setTimeout(() => fail(`not ready after ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
      const onData = (d) => {
        log += d;
        if (log.includes('database system is ready to accept connections')) {
          clearTimeout(timer);
          child.stdout.off('data', onData);
          child.stderr.off('data', onData);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('error', (e) => fail(e.message));
      child.once('exit', (code, signal) => fail(signal ?? `exit ${code}`));
    });
  } catch (e) {
    child?.kill('SIGKILL');
    remove();
    throw e;
  }
  // Keep draining the log so the server never blocks on a full pipe.
  child.stdout.resume();
  child.stderr.resume();
  child.removeAllListeners('exit');
  // Should the program end without calling stop() (an uncaught error), the server must not
  // outlive it: "immediate" shutdown, which also stops the server's children. A program killed by
  // a signal leaves the directory behind ($TMPDIR/kioku-pg-*); a terminal's Ctrl-C reaches the
  // server too, which then shuts down.
  const onExit = () => {
    child.kill('SIGQUIT');
    remove();
  };
  process.once('exit', onExit);
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      process.off('exit', onExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        // "Smart" shutdown first: clients that are closing get to close (a pg.Pool's end() does
        // not wait for that), then "fast" (roll back, disconnect), then kill.
        child.kill('SIGTERM');
        const timers = [setTimeout(() => child.kill('SIGINT'), FAST_STOP_AFTER_MS), setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)];
        await exited;
        for (const t of timers) clearTimeout(t);
      }
      remove();
    },
  };
}

/**
 * The database an example works on: `url` when one is given (an existing PostgreSQL the example
 * must leave running), else a throw-away one started here. Resolves to { url, started, stop() }.
 */
export async function openDatabase(url) {
  if (url) return { url, started: false, async stop() {} };
  const pg = await startPostgres();
  return { url: pg.url, started: true, stop: () => pg.stop() };
}
